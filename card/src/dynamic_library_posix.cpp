// DynamicLibrary on Linux and macOS: dlopen.

#include <dlfcn.h>

#include "dynamic_library.hpp"

namespace certbridge::card::detail {

DynamicLibrary::DynamicLibrary(const std::string& path, Mode mode) {
  // RTLD_NOLOAD finds a copy already loaded (glibc matches the file, whatever the path spelling).
  const int flags = RTLD_NOW | RTLD_LOCAL | (mode == Mode::AlreadyLoaded ? RTLD_NOLOAD : 0);
  handle_ = dlopen(path.c_str(), flags);
  if (!handle_) {
    const char* reason = dlerror();
    error_ = reason ? reason : "dlopen failed";
  }
}

DynamicLibrary::~DynamicLibrary() {
  if (handle_) dlclose(handle_);
}

void* DynamicLibrary::symbol(const char* name) const noexcept {
  return handle_ ? dlsym(handle_, name) : nullptr;
}

}  // namespace certbridge::card::detail
