#include "secret_memory.hpp"

#if !defined(_WIN32)
#include <openssl/crypto.h>
#include <unistd.h>
#endif

#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "certbridge/card/secret_string.hpp"

#if defined(_WIN32)
#include <malloc.h>
#elif defined(__APPLE__)
#include <malloc/malloc.h>
#else
#include <malloc.h>
#endif

namespace certbridge::host {
namespace {

constexpr std::size_t kStackWipeBytes = 64 * 1024;

#if !defined(_WIN32)

void wipeAndFree(void* block, const char*, int) {
  if (block == nullptr) return;
  card::wipeMemory(block, heapBlockSize(block));
  std::free(block);
}

void* allocate(std::size_t size, const char*, int) {
  return std::malloc(size);
}

// Never realloc in place: the old block would be freed (or shrunk) without a wipe.
void* reallocate(void* block, std::size_t size, const char* file, int line) {
  if (block == nullptr) return std::malloc(size);
  if (size == 0) {
    wipeAndFree(block, file, line);
    return nullptr;
  }
  void* moved = std::malloc(size);
  if (moved == nullptr) return nullptr;
  const std::size_t old = heapBlockSize(block);
  std::memcpy(moved, block, old < size ? old : size);
  wipeAndFree(block, file, line);
  return moved;
}
#endif

}  // namespace

std::size_t heapBlockSize(void* block) noexcept {
#if defined(_WIN32)
  return _msize(block);
#elif defined(__APPLE__)
  return malloc_size(block);
#else
  return malloc_usable_size(block);
#endif
}

#if defined(_WIN32)
// The Windows host has no OpenSSL (it uses BCrypt and crypt32, which wipe their own key material).
bool wipeOpenSslMemoryOnFree() noexcept {
  return true;
}
#else
// Present when the executable binds OpenSSL lazily (cmake/lazy_libraries.cmake): libcrypto is then loaded
// at its first use, and the allocator is set right then, before libcrypto or libp11 allocate anything.
extern "C" __attribute__((weak)) const std::uint32_t certbridge_lazy_symbol_count;

bool wipeOpenSslMemoryOnFree() noexcept {
  // Lazily bound: nothing to set yet. certbridge_lazy_library_loaded sets it when libcrypto loads, and a
  // refusal then (only possible if something allocated through libcrypto first) goes to the host log.
  if (&certbridge_lazy_symbol_count != nullptr) return true;
  return CRYPTO_set_mem_functions(&allocate, &reallocate, &wipeAndFree) == 1;
}
#endif

#if defined(__GNUC__)
__attribute__((noinline))
#endif
void wipeStackBelowCaller() noexcept {
  // This frame lies just below the caller's, where the finished call's frames were.
  std::array<unsigned char, kStackWipeBytes> scratch;  // NOLINT: written by the cleanse below
  card::wipeMemory(scratch.data(), scratch.size());
}

}  // namespace certbridge::host

#if !defined(_WIN32)
// The lazy loader's hook (cmake/lazy_libraries/lazy_libraries.c): libcrypto has just been loaded, nothing has
// allocated through it yet.
extern "C" void certbridge_lazy_library_loaded(const char* soname) {
  if (std::strncmp(soname, "libcrypto.", 10) != 0) return;
  if (CRYPTO_set_mem_functions(&certbridge::host::allocate, &certbridge::host::reallocate,
                               &certbridge::host::wipeAndFree) != 1) {
    spdlog::error("cannot make OpenSSL wipe freed memory: freed OpenSSL buffers may keep secrets");
    static const char kRefused[] = "certbridge: cannot make OpenSSL wipe freed memory\n";
    if (::write(2, kRefused, sizeof kRefused - 1) < 0) return;
  }
}
#endif
