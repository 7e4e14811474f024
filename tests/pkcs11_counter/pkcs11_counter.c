/* TEST TOOL (tests and benchmarks only, never installed): a pass-through PKCS#11 module that counts every
   call an application makes and forwards it to the real module. README.md beside this file says how to use it.

   The counting needs no knowledge of the functions' signatures: each entry of the function list it hands out
   is a four-instruction thunk (x86-64) that increments the function's counter and jumps to the real module's
   entry with the caller's registers and stack untouched. The counters live in a file mapped into memory, so
   they are complete even when the process exits without C_Finalize (the host's quick exit) or is killed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "call_counts.h"

typedef unsigned long ck_rv;
enum { kCkrOk = 0, kCkrGeneralError = 5, kCkrArgumentsBad = 7 };

/* The CK_FUNCTION_LIST layout: a two-byte version, then 68 function pointers in the standard's order. */
struct function_list {
  unsigned char version[2];
  void* functions[CERTBRIDGE_PKCS11_FUNCTION_COUNT];
};
typedef ck_rv (*get_function_list_fn)(struct function_list** list);

/* Read by the thunks below: the real entries and where the counters are. Hidden: no one else sees them. */
__attribute__((visibility("hidden"))) void* counter_real[CERTBRIDGE_PKCS11_FUNCTION_COUNT];
static uint64_t counter_fallback[CERTBRIDGE_PKCS11_FUNCTION_COUNT];
__attribute__((visibility("hidden"))) uint64_t* counter_counts = counter_fallback;
extern void* counter_thunks[CERTBRIDGE_PKCS11_FUNCTION_COUNT];

__asm__(
    "  .text\n"
    "  .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67\n"
    "counter_thunk_\\i:\n"
    "  movq counter_counts(%rip), %r11\n"
    "  lock incq 8*\\i(%r11)\n"
    "  movq counter_real+8*\\i(%rip), %r11\n"
    "  jmp *%r11\n"
    "  .endr\n"
    "  .section .data.rel.ro,\"aw\"\n"
    "  .p2align 3\n"
    "  .hidden counter_thunks\n"
    "counter_thunks:\n"
    "  .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67\n"
    "  .quad counter_thunk_\\i\n"
    "  .endr\n"
    "  .text\n");

__attribute__((visibility("default"))) ck_rv C_GetFunctionList(struct function_list** list);
static struct function_list counting_list;
static ck_rv load_result = kCkrGeneralError;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* The counters of this process: CERTBRIDGE_PKCS11_COUNTER_DIR/<pid>.counts, mapped shared. */
static void map_counters(void) {
  const char* directory = getenv("CERTBRIDGE_PKCS11_COUNTER_DIR");
  if (directory == NULL || *directory == '\0') return;
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s/%ld.counts", directory, (long)getpid()) >= (int)sizeof path) return;
  const int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    fprintf(stderr, "pkcs11-counter: cannot create %s\n", path);
    return;
  }
  const size_t size = sizeof(uint64_t) * CERTBRIDGE_PKCS11_FUNCTION_COUNT;
  void* counters = MAP_FAILED;
  if (ftruncate(fd, (off_t)size) == 0) counters = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (counters == MAP_FAILED) {
    fprintf(stderr, "pkcs11-counter: cannot map %s\n", path);
    return;
  }
  counter_counts = counters;
}

static void load_real_module(void) {
  const char* module = getenv("CERTBRIDGE_PKCS11_COUNTER_MODULE");
  if (module == NULL || *module == '\0') {
    fprintf(stderr, "pkcs11-counter: CERTBRIDGE_PKCS11_COUNTER_MODULE names no module\n");
    return;
  }
  void* handle = dlopen(module, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    fprintf(stderr, "pkcs11-counter: %s\n", dlerror());
    return;
  }
  /* POSIX guarantees a dlsym result converts to a function pointer; ISO C has no cast for it, memcpy does. */
  void* symbol = dlsym(handle, "C_GetFunctionList");
  get_function_list_fn get = NULL;
  if (symbol != NULL) memcpy(&get, &symbol, sizeof get);
  struct function_list* real = NULL;
  if (get == NULL || get(&real) != kCkrOk || real == NULL) {
    fprintf(stderr, "pkcs11-counter: %s has no usable C_GetFunctionList\n", module);
    return;
  }
  map_counters();
  counting_list.version[0] = real->version[0];
  counting_list.version[1] = real->version[1];
  for (int i = 0; i < CERTBRIDGE_PKCS11_FUNCTION_COUNT; ++i) {
    counter_real[i] = real->functions[i];
    counting_list.functions[i] = counter_thunks[i];
  }
  /* Through the list too it must stay this module's: the real one's list would bypass the counting. */
  const get_function_list_fn own = &C_GetFunctionList;
  memcpy(&counting_list.functions[CERTBRIDGE_PKCS11_C_GET_FUNCTION_LIST], &own, sizeof own);
  load_result = kCkrOk;
}

__attribute__((visibility("default"))) ck_rv C_GetFunctionList(struct function_list** list) {
  pthread_once(&load_once, load_real_module);
  if (load_result != kCkrOk) return load_result;
  if (list == NULL) return kCkrArgumentsBad;
  __atomic_add_fetch(&counter_counts[CERTBRIDGE_PKCS11_C_GET_FUNCTION_LIST], 1, __ATOMIC_RELAXED);
  *list = &counting_list;
  return kCkrOk;
}
