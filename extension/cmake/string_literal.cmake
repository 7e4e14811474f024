# A double-quoted string literal for `text` that is valid JSON and valid C++ alike (backslash, quote and the
# common control characters escaped; UTF-8 kept as is). Shared by the extension's assembly and the host's
# generated sources, which both turn extension/shared/*.json values into source text.
function(string_literal out text)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "\n" "\\n" text "${text}")
  string(REPLACE "\r" "\\r" text "${text}")
  string(REPLACE "\t" "\\t" text "${text}")
  set(${out} "\"${text}\"" PARENT_SCOPE)
endfunction()
