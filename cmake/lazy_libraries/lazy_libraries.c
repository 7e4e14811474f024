/* Loads a library the first time one of its functions is called (the stubs come from generate_stubs.cmake).
   The host needs OpenSSL, libp11 and NSS only for card, crypto and store work; a status request or a
   process that only writes manifests never loads them, and never pays for their relocation at start.
   libcrypto always loads first, so the host can set OpenSSL's allocator before any other library uses it. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void* certbridge_lazy_slots[];
extern char certbridge_lazy_slots_end[];
extern const char* const certbridge_lazy_names[];
extern const char* const certbridge_lazy_libraries[];
extern const uint32_t certbridge_lazy_owners[];
extern const uint32_t certbridge_lazy_symbol_count;
extern const uint32_t certbridge_lazy_library_count;

/* Called once, right after a library's functions are bound, before the call that loaded it goes on.
   The host sets OpenSSL's wiping allocator here (host/src/secret_memory.cpp). */
__attribute__((weak)) void certbridge_lazy_library_loaded(const char* soname);

enum { kMaxLibraries = 16 };
static pthread_mutex_t bind_lock = PTHREAD_MUTEX_INITIALIZER;
static int bound[kMaxLibraries];

static void fail(const char* what, const char* name) {
  const char* reason = dlerror();
  fprintf(stderr, "certbridge: %s %s: %s\n", what, name, reason ? reason : "not found");
  abort();
}

static void protect_slots(int writable) {
  const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  const uintptr_t start = (uintptr_t)certbridge_lazy_slots & ~(page - 1);
  const uintptr_t end = ((uintptr_t)certbridge_lazy_slots_end + page - 1) & ~(page - 1);
  if (mprotect((void*)start, end - start, writable ? PROT_READ | PROT_WRITE : PROT_READ) != 0) {
    /* Only hardening: without it the slots stay writable, as a lazily bound GOT would be. */
  }
}

static void bind_library(uint32_t library) {
  if (library >= kMaxLibraries) abort();
  if (bound[library]) return;
  const char* soname = certbridge_lazy_libraries[library];
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) fail("cannot load", soname);
  protect_slots(1);
  for (uint32_t i = 0; i < certbridge_lazy_symbol_count; ++i) {
    if (certbridge_lazy_owners[i] != library) continue;
    void* function = dlsym(handle, certbridge_lazy_names[i]);
    if (function == NULL) fail("cannot find", certbridge_lazy_names[i]);
    certbridge_lazy_slots[i] = function;
  }
  protect_slots(0);
  bound[library] = 1;
  if (certbridge_lazy_library_loaded != NULL) certbridge_lazy_library_loaded(soname);
}

/* From certbridge_lazy_enter, for the function with this index; its library's slots are filled on return.
   Hidden: only the stubs call it. */
__attribute__((visibility("hidden"))) void certbridge_lazy_bind(uint64_t index) {
  if (index >= certbridge_lazy_symbol_count) abort();
  pthread_mutex_lock(&bind_lock);
  bind_library(0); /* libcrypto (the first library) first: see the comment at the top */
  bind_library(certbridge_lazy_owners[index]);
  pthread_mutex_unlock(&bind_lock);
}
