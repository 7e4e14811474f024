# Lazy binding of the big shared libraries (OpenSSL, libp11, NSS): every function our static libraries call
# in them gets a stub (cmake/lazy_libraries/), so the library is loaded by dlopen at its first call instead of
# at process start. The libraries stay the distribution's shared ones (security updates apply); only when they
# load changes. A status request never loads them: relocating libcrypto, libp11 and NSS was 80% of the
# host's cold start.
#
#   certbridge_add_lazy_libraries(NAME ARCHIVES target... LIBRARIES /path/libcrypto.so ...)
# makes NAME, an object library to link into each executable (with -Wl,--as-needed, so the stubbed libraries
# are no longer needed at start). The first library must be libcrypto: it loads first (lazy_libraries.c).
# x86-64 ELF only; elsewhere the caller links the libraries as usual. The caller enables C and ASM (file scope).
set(CERTBRIDGE_LAZY_LIBRARIES_DIR "${CMAKE_CURRENT_LIST_DIR}/lazy_libraries")

function(certbridge_add_lazy_libraries name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "ARCHIVES;LIBRARIES")
  set(stubs "${CMAKE_CURRENT_BINARY_DIR}/${name}_stubs.S")
  set(archive_files "")
  foreach(archive IN LISTS arg_ARCHIVES)
    list(APPEND archive_files "$<TARGET_FILE:${archive}>")
  endforeach()
  # "|" between list items: a ";" would split the -D arguments.
  string(JOIN "|" archives_argument ${archive_files})
  string(JOIN "|" libraries_argument ${arg_LIBRARIES})
  add_custom_command(
    OUTPUT "${stubs}"
    COMMAND "${CMAKE_COMMAND}" "-DARCHIVES=${archives_argument}" "-DLIBRARIES=${libraries_argument}" "-DNM=${CMAKE_NM}"
      "-DOBJDUMP=${CMAKE_OBJDUMP}" "-DOUTPUT=${stubs}" -P "${CERTBRIDGE_LAZY_LIBRARIES_DIR}/generate_stubs.cmake"
    DEPENDS ${arg_ARCHIVES} "${CERTBRIDGE_LAZY_LIBRARIES_DIR}/generate_stubs.cmake"
    COMMENT "Generating lazy-binding stubs for ${name}"
    VERBATIM)
  add_library(${name} OBJECT "${stubs}" "${CERTBRIDGE_LAZY_LIBRARIES_DIR}/lazy_libraries.c")
  target_link_libraries(${name} PUBLIC ${CMAKE_DL_LIBS})
  target_link_options(${name} INTERFACE -Wl,--as-needed)
endfunction()
