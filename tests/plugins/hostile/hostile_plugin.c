/* A deliberately hostile detector, built once per HOSTILE_MODE (see CMakeLists.txt).
 *
 * An item whose bytes start with "attack" triggers the misbehaviour (an argument,
 * such as a path, may follow "attack:"); any other item is analysed normally and
 * returns one signal, so a test can show the host still works after the attack.
 * Each attack that the sandbox turns into an error returns that error's text. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vigil/plugin.h"
#include "vigil/wire.h"

#define MODE_SEGFAULT 1
#define MODE_ABORT 2
#define MODE_LOOP 3
#define MODE_ALLOC_10G 4
#define MODE_FORK 5
#define MODE_SOCKET 6
#define MODE_WRITE_FILE 7 /* the path follows "attack:" (/tmp/x, the store file) */
#define MODE_READ_FILE 8  /* the path follows "attack:" (the store file) */
#define MODE_EXECVE 9
#define MODE_STACK 10
#define MODE_SINK_1G 11

static void write_text(const vigil_sink_t *sink, const char *text) {
  if (sink) sink->write(sink, text, strlen(text));
}

__attribute__((unused)) static vigil_status_t fail_errno(const vigil_sink_t *err,
                                                         const char *what) {
  char text[256];
  snprintf(text, sizeof text, "%s failed: %s", what, strerror(errno));
  write_text(err, text);
  return VIGIL_ERR_INTERNAL;
}

static vigil_status_t describe(const vigil_detector_t *detector, const vigil_sink_t *out) {
  uint8_t storage[256], cost_storage[32];
  vigil_wire_buf b, cost;
  vigil_wire_init(&cost, cost_storage, sizeof cost_storage);
  vigil_wire_varint(&cost, 2, 1000); /* max_ms: a loop is cut off after a second */
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, 1, detector->id);
  vigil_wire_string(&b, 2, "0.0.1");
  vigil_wire_string(&b, 3, "Vigil hostile tests");
  vigil_wire_varint(&b, 4, 15);
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_BINARY);
  vigil_wire_bytes(&b, 8, cost.data, cost.size);
  return out->write(out, b.data, b.size);
}

#include "stateless_instance.h"

#if HOSTILE_MODE == MODE_STACK
/* Recursion the optimiser cannot turn into a loop. */
static volatile int g_forever = 1;
static int recurse(volatile char *previous, int depth) {
  volatile char frame[4096];
  frame[0] = (char)depth;
  frame[4095] = previous ? previous[0] : 0;
  if (!g_forever) return frame[4095];
  return recurse(frame, depth + 1) + frame[4095];
}
#endif

static vigil_status_t attack(const char *arg, const vigil_sink_t *out, const vigil_sink_t *err) {
  (void)arg;
  (void)out;
#if HOSTILE_MODE == MODE_SEGFAULT
  volatile int *nowhere = (volatile int *)(uintptr_t)16;
  *nowhere = 1;
#elif HOSTILE_MODE == MODE_ABORT
  abort();
#elif HOSTILE_MODE == MODE_LOOP
  for (volatile unsigned long i = 0;; ++i) {
  }
#elif HOSTILE_MODE == MODE_ALLOC_10G
  size_t size = (size_t)10 << 30;
  char *p = malloc(size);
  if (p == NULL) return fail_errno(err, "a 10 GB allocation");
  memset(p, 1, size);
  free(p);
#elif HOSTILE_MODE == MODE_FORK
  pid_t child = fork(); /* one call, never a loop */
  if (child < 0) return fail_errno(err, "fork");
  if (child == 0) _exit(0);
  waitpid(child, NULL, 0);
#elif HOSTILE_MODE == MODE_SOCKET
  /* Only ever towards this machine. */
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return fail_errno(err, "socket");
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  connect(s, (struct sockaddr *)&to, sizeof to);
  close(s);
#elif HOSTILE_MODE == MODE_WRITE_FILE
  int fd = open(arg, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return fail_errno(err, "opening the file for writing");
  if (write(fd, "pwned\n", 6) != 6) {
    close(fd);
    return fail_errno(err, "write");
  }
  close(fd);
#elif HOSTILE_MODE == MODE_READ_FILE
  char buffer[64];
  int fd = open(arg, O_RDONLY);
  if (fd < 0) return fail_errno(err, "opening the file for reading");
  ssize_t n = read(fd, buffer, sizeof buffer);
  close(fd);
  if (n > 0) out->write(out, "", 0);
#elif HOSTILE_MODE == MODE_EXECVE
  char *argv[] = {(char *)"/bin/true", NULL};
  char *envp[] = {NULL};
  execve("/bin/true", argv, envp);
  return fail_errno(err, "execve");
#elif HOSTILE_MODE == MODE_STACK
  return recurse(NULL, 0) ? VIGIL_OK : VIGIL_ERR_INTERNAL;
#elif HOSTILE_MODE == MODE_SINK_1G
  static char chunk[1 << 20];
  memset(chunk, 'x', sizeof chunk);
  /* Ignores every refusal, as a hostile plugin would. */
  for (int i = 0; i < 1024; ++i) out->write(out, chunk, sizeof chunk);
#endif
  return VIGIL_OK; /* the attack worked: the test fails on this */
}

static vigil_status_t analyze(void *instance, const vigil_item_view_t *item,
                              const vigil_sink_t *out, const vigil_sink_t *err) {
  (void)instance;
  if (item->bytes != NULL && item->bytes_size >= 6 && memcmp(item->bytes, "attack", 6) == 0) {
    char arg[512] = {0};
    if (item->bytes_size > 7 && item->bytes[6] == ':') {
      size_t n = item->bytes_size - 7 < sizeof arg - 1 ? item->bytes_size - 7 : sizeof arg - 1;
      memcpy(arg, item->bytes + 7, n);
    }
    return attack(arg, out, err);
  }
  /* A benign item: one signal, "size" = the item's size. */
  uint8_t storage[64], result_storage[96];
  char value[32];
  vigil_wire_buf signal, result;
  snprintf(value, sizeof value, "%zu", item->bytes_size);
  vigil_wire_init(&signal, storage, sizeof storage);
  vigil_wire_string(&signal, 1, "size");
  vigil_wire_string(&signal, 2, value);
  vigil_wire_init(&result, result_storage, sizeof result_storage);
  vigil_wire_bytes(&result, 1, signal.data, signal.size);
  return out->write(out, result.data, result.size);
}

static const void *get_extension(void *instance, const char *id) {
  (void)instance;
  (void)id;
  return NULL;
}

static const vigil_detector_t detectors[] = {{
    sizeof(vigil_detector_t), 0, HOSTILE_ID, 0, describe, create, destroy, analyze, get_extension}};

#include "plugin_entry.h"
