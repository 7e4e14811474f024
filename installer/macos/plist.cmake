# Writing XML property lists (the configuration profile) from CMake. Each function appends one indented
# element to the variable named by its first argument. Values are escaped for XML; they never pass
# through CMake lists, since an escaped "&amp;" holds a ";". Parameters and locals carry a _plist_ prefix:
# a function sees its caller's variables, so a caller's `body` must not be shadowed by one of ours.

function(plist_escape _plist_out _plist_text)
  string(REPLACE "&" "&amp;" _plist_text "${_plist_text}")
  string(REPLACE "<" "&lt;" _plist_text "${_plist_text}")
  string(REPLACE ">" "&gt;" _plist_text "${_plist_text}")
  set(${_plist_out} "${_plist_text}" PARENT_SCOPE)
endfunction()

function(plist_key _plist_out _plist_indent _plist_key)
  plist_escape(_plist_key "${_plist_key}")
  set(${_plist_out} "${${_plist_out}}${_plist_indent}<key>${_plist_key}</key>\n" PARENT_SCOPE)
endfunction()

function(plist_key_string _plist_out _plist_indent _plist_key _plist_value)
  plist_key(_plist_text "${_plist_indent}" "${_plist_key}")
  plist_escape(_plist_value "${_plist_value}")
  set(${_plist_out} "${${_plist_out}}${_plist_text}${_plist_indent}<string>${_plist_value}</string>\n" PARENT_SCOPE)
endfunction()

function(plist_key_integer _plist_out _plist_indent _plist_key _plist_value)
  if(NOT _plist_value MATCHES "^-?[0-9]+$")
    message(FATAL_ERROR "plist integer ${_plist_key}: not an integer: ${_plist_value}")
  endif()
  plist_key(_plist_text "${_plist_indent}" "${_plist_key}")
  set(${_plist_out} "${${_plist_out}}${_plist_text}${_plist_indent}<integer>${_plist_value}</integer>\n" PARENT_SCOPE)
endfunction()

function(plist_key_bool _plist_out _plist_indent _plist_key _plist_value)
  plist_key(_plist_text "${_plist_indent}" "${_plist_key}")
  if(_plist_value)
    set(${_plist_out} "${${_plist_out}}${_plist_text}${_plist_indent}<true/>\n" PARENT_SCOPE)
  else()
    set(${_plist_out} "${${_plist_out}}${_plist_text}${_plist_indent}<false/>\n" PARENT_SCOPE)
  endif()
endfunction()

# plist_key_strings(out indent key value...): an array of strings.
function(plist_key_strings _plist_out _plist_indent _plist_key)
  plist_key(_plist_text "${_plist_indent}" "${_plist_key}")
  string(APPEND _plist_text "${_plist_indent}<array>\n")
  foreach(_plist_value IN LISTS ARGN)
    plist_escape(_plist_value "${_plist_value}")
    string(APPEND _plist_text "${_plist_indent}\t<string>${_plist_value}</string>\n")
  endforeach()
  set(${_plist_out} "${${_plist_out}}${_plist_text}${_plist_indent}</array>\n" PARENT_SCOPE)
endfunction()

# plist_key_dict(out indent key entries): a dictionary whose entries (made one tab deeper) are in entries.
function(plist_key_dict _plist_out _plist_indent _plist_key _plist_entries)
  plist_key(_plist_text "${_plist_indent}" "${_plist_key}")
  set(${_plist_out} "${${_plist_out}}${_plist_text}${_plist_indent}<dict>\n${_plist_entries}${_plist_indent}</dict>\n"
    PARENT_SCOPE)
endfunction()

# plist_document(out root): the XML declaration, doctype and <plist> around one root element.
function(plist_document _plist_out _plist_root)
  set(${_plist_out} "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">
<plist version=\"1.0\">
${_plist_root}</plist>
" PARENT_SCOPE)
endfunction()
