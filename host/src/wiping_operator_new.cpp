// The host executable's operator new and delete: every block C++ code frees is wiped first. Requests carry
// PINs and passwords through buffers that no code of ours owns (the JSON parser's token buffers, strings
// that grow and move, containers of the standard library); whatever held a secret is overwritten when it is
// released, so no freed memory keeps one. Linked into the executable only (a replacement in a static
// library is not reliably picked up), and left out of sanitizer builds, whose own operator new checks more.

#include <cstdlib>
#include <new>

#include "certbridge/card/secret_string.hpp"
#include "secret_memory.hpp"

#if defined(_WIN32)
#include <malloc.h>
#elif defined(__APPLE__)
#include <malloc/malloc.h>
#else
#include <malloc.h>
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define CERTBRIDGE_SANITIZED_HEAP 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CERTBRIDGE_SANITIZED_HEAP 1
#endif

#if !defined(CERTBRIDGE_SANITIZED_HEAP)

namespace {

void* allocate(std::size_t size) {
  if (size == 0) size = 1;
  for (;;) {
    if (void* block = std::malloc(size)) return block;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

std::size_t alignmentOf(std::align_val_t alignment) noexcept {
  return static_cast<std::size_t>(alignment) < sizeof(void*) ? sizeof(void*) : static_cast<std::size_t>(alignment);
}

void* allocateAligned(std::size_t size, std::align_val_t alignment) {
  if (size == 0) size = 1;
  const std::size_t align = alignmentOf(alignment);
  for (;;) {
#if defined(_WIN32)
    // mingw's C runtime (msvcrt) cannot tell an aligned block's size: it is kept in front of the block, in
    // the first `align` bytes of an allocation aligned at that offset.
    if (void* raw = _aligned_offset_malloc(size + align, align, align)) {
      *static_cast<std::size_t*>(raw) = size;
      return static_cast<char*>(raw) + align;
    }
#else
    void* block = nullptr;
    if (posix_memalign(&block, align, size) == 0) return block;
#endif
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void release(void* block) noexcept {
  if (block == nullptr) return;
  certbridge::card::wipeMemory(block, certbridge::host::heapBlockSize(block));
  std::free(block);
}

void releaseAligned(void* block, std::align_val_t alignment) noexcept {
  if (block == nullptr) return;
#if defined(_WIN32)
  void* raw = static_cast<char*>(block) - alignmentOf(alignment);
  certbridge::card::wipeMemory(block, *static_cast<std::size_t*>(raw));
  _aligned_free(raw);
#else
  (void)alignment;
  release(block);
#endif
}

}  // namespace

void* operator new(std::size_t size) {
  return allocate(size);
}
void* operator new[](std::size_t size) {
  return allocate(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return allocateAligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return allocateAligned(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  try {
    return allocateAligned(size, alignment);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  try {
    return allocateAligned(size, alignment);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* block) noexcept {
  release(block);
}
void operator delete[](void* block) noexcept {
  release(block);
}
void operator delete(void* block, std::size_t) noexcept {
  release(block);
}
void operator delete[](void* block, std::size_t) noexcept {
  release(block);
}
void operator delete(void* block, const std::nothrow_t&) noexcept {
  release(block);
}
void operator delete[](void* block, const std::nothrow_t&) noexcept {
  release(block);
}
void operator delete(void* block, std::align_val_t alignment) noexcept {
  releaseAligned(block, alignment);
}
void operator delete[](void* block, std::align_val_t alignment) noexcept {
  releaseAligned(block, alignment);
}
void operator delete(void* block, std::size_t, std::align_val_t alignment) noexcept {
  releaseAligned(block, alignment);
}
void operator delete[](void* block, std::size_t, std::align_val_t alignment) noexcept {
  releaseAligned(block, alignment);
}
void operator delete(void* block, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  releaseAligned(block, alignment);
}
void operator delete[](void* block, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  releaseAligned(block, alignment);
}

#endif  // !CERTBRIDGE_SANITIZED_HEAP
