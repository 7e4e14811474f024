# What the Windows build (mingw-w64, cmake/toolchains/mingw-w64-x86_64.cmake) uses of the fixed libraries.
# Debian has no mingw build of OpenSSL, libp11, pcsc-lite or NSS: on Windows the host uses the platform's
# own crypto (BCrypt/NCrypt, crypt32) and WinSCard instead. nlohmann_json, spdlog and fmt are header-only
# libraries, so the build machine's headers serve both targets. Only those three folders are made visible
# (through links in the build tree): adding /usr/include itself would mix glibc's headers into a Windows
# build.
set(header_only_root "${CMAKE_BINARY_DIR}/header-only")
file(MAKE_DIRECTORY "${header_only_root}")
foreach(folder nlohmann spdlog fmt)
  if(NOT EXISTS "/usr/include/${folder}")
    message(FATAL_ERROR "/usr/include/${folder} is missing: install nlohmann-json3-dev, libspdlog-dev and libfmt-dev "
      "(tests/install-dependencies.sh)")
  endif()
  file(CREATE_LINK "/usr/include/${folder}" "${header_only_root}/${folder}" SYMBOLIC)
endforeach()

add_library(nlohmann_json INTERFACE)
add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json)
target_include_directories(nlohmann_json SYSTEM INTERFACE "${header_only_root}")

# Debian's spdlog is configured for an external fmt (tweakme.h); both are used from their headers.
add_library(spdlog INTERFACE)
add_library(spdlog::spdlog ALIAS spdlog)
target_include_directories(spdlog SYSTEM INTERFACE "${header_only_root}")
# Wide file names: a log folder under a non-ASCII user name must open (narrow paths fail there).
target_compile_definitions(spdlog INTERFACE SPDLOG_HEADER_ONLY FMT_HEADER_ONLY SPDLOG_WCHAR_FILENAMES)

# GoogleTest from Debian's sources (/usr/src/googletest), built with the cross compiler.
if(CERTBRIDGE_BUILD_TESTS)
  if(NOT EXISTS /usr/src/googletest/CMakeLists.txt)
    message(FATAL_ERROR "/usr/src/googletest is missing: install googletest (tests/install-dependencies.sh)")
  endif()
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(gtest_disable_pthreads OFF CACHE BOOL "" FORCE)
  add_subdirectory(/usr/src/googletest "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL)
endif()
