# Cross-compiling for 64-bit Windows with Debian's mingw-w64 (g++-mingw-w64-x86-64-posix):
#   cmake -S <project> -B <dir> --toolchain cmake/toolchains/mingw-w64-x86_64.cmake
# The posix thread model, not win32: only it has std::thread, std::mutex and friends in GCC 12.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(CERTBRIDGE_MINGW_PREFIX x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${CERTBRIDGE_MINGW_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${CERTBRIDGE_MINGW_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${CERTBRIDGE_MINGW_PREFIX}-windres)

# Headers and libraries of the target only; programs (code generators) of the build machine.
set(CMAKE_FIND_ROOT_PATH /usr/${CERTBRIDGE_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Windows programs built here run under wine (tests) or on a Windows machine with nothing of mingw
# installed: link the GCC runtime, libstdc++ and winpthread statically.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
