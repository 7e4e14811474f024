/* The floor a native-messaging host's cold start is measured against: the least a C program can do for one
   request, with no library but libc. Reads one frame (4-byte native-endian length + body) from stdin, writes
   one frame back (the same body), then waits for the end of stdin, as a host does when the browser closes the
   port. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static int transfer(int fd, char* data, size_t size, int writing) {
  while (size > 0) {
    const ssize_t done = writing ? write(fd, data, size) : read(fd, data, size);
    if (done <= 0) return 0;
    data += done;
    size -= (size_t)done;
  }
  return 1;
}

int main(void) {
  uint32_t length = 0;
  if (!transfer(0, (char*)&length, sizeof length, 0) || length > (1u << 20)) return 1;
  char* body = malloc(length ? length : 1);
  if (body == NULL || !transfer(0, body, length, 0)) return 1;
  if (!transfer(1, (char*)&length, sizeof length, 1) || !transfer(1, body, length, 1)) return 1;
  char rest;
  while (read(0, &rest, 1) > 0) {
  }
  free(body);
  return 0;
}
