/* Deliberately broken plugins, one per BROKEN_MODE, built by the test suite to prove
 * the host refuses or survives each with a clear message (tests/unit/sdk/).
 * A working detector "test.ok" is the baseline every mode bends in one place. */
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/plugin.h>
#include <vigil/wire.h>

#define MODE_NO_ENTRY 1         /* exports no vigil_entry_v1 at all */
#define MODE_MAJOR2_SYMBOL 2    /* exports vigil_entry_v2 (a plugin for a future host) */
#define MODE_MAJOR2_FIELD 3     /* vigil_entry_v1 whose abi.major says 2 */
#define MODE_NEEDS_MINOR99 4    /* negotiate() needs ABI 1.99 */
#define MODE_GARBAGE 5          /* analyze() writes bytes that are not a message */
#define MODE_OVERFLOW 6         /* analyze() writes past the sink's capacity */
#define MODE_NULL_TABLE 7       /* detector_count() 2, get_detector(1) NULL */
#define MODE_SMALL_STRUCT 8     /* detector table struct_size too small */
#define MODE_DUPLICATE_IN_ONE 9 /* the same detector id twice in one plugin */
#define MODE_DUP_A 10           /* "test.dup" (twin of MODE_DUP_B) */
#define MODE_DUP_B 11
#define MODE_NO_REASON 12       /* analyze() fails without error text */
#define MODE_CRASH 13           /* analyze() dereferences NULL on large input */
#define MODE_ACCEPTS_BAD_CONFIG 14
#define MODE_NONDETERMINISTIC 15
#define MODE_EXTRA_EXPORT 16    /* exports a helper symbol besides the entry */
#define MODE_NULL_FUNCTION 17   /* analyze pointer is NULL */
#define MODE_BAD_DESCRIBE 18    /* describe() writes garbage */
#define MODE_OK 99

#ifndef BROKEN_MODE
#error "define BROKEN_MODE"
#endif

#if BROKEN_MODE == MODE_EXTRA_EXPORT
VIGIL_EXPORT int test_helper_symbol(void) { return 42; }
#endif

#if BROKEN_MODE == MODE_DUP_A || BROKEN_MODE == MODE_DUP_B
#define DETECTOR_ID "test.dup"
#else
#define DETECTOR_ID "test.ok"
#endif

static void write_text(const vigil_sink_t *sink, const char *text) {
  if (sink) sink->write(sink, text, strlen(text));
}

static vigil_status_t describe(const vigil_detector_t *detector, const vigil_sink_t *out) {
  uint8_t storage[256];
  vigil_wire_buf b;
  (void)detector;
#if BROKEN_MODE == MODE_BAD_DESCRIBE
  return out->write(out, "\x0f\x0f\x0f\x0f", 4);
#endif
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, 1, DETECTOR_ID);
  vigil_wire_string(&b, 2, "0.0.1");
  vigil_wire_string(&b, 3, "Vigil tests");
  vigil_wire_varint(&b, 4, 15);
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_BINARY);
  return out->write(out, b.data, b.size);
}

static int g_instance_token;

static vigil_status_t create(const vigil_detector_t *detector, const vigil_host_t *host,
                             const uint8_t *config, size_t config_size, void **instance,
                             const vigil_sink_t *err) {
  (void)detector;
  (void)host;
  (void)config;
#if BROKEN_MODE != MODE_ACCEPTS_BAD_CONFIG
  /* Our config takes no fields: anything but an empty message is refused. */
  if (config_size != 0) {
    write_text(err, "test.ok takes no configuration");
    return VIGIL_ERR_CONFIG;
  }
#else
  (void)config_size;
  (void)err;
  (void)write_text;
#endif
  *instance = &g_instance_token;
  return VIGIL_OK;
}

static void destroy(void *instance) { (void)instance; }

#if BROKEN_MODE == MODE_NULL_FUNCTION
__attribute__((unused))
#endif
static vigil_status_t analyze(void *instance, const vigil_item_view_t *item,
                              const vigil_sink_t *out, const vigil_sink_t *err) {
  uint8_t storage[64];
  vigil_wire_buf signal, result;
  uint8_t result_storage[96];
  char value[32];
  (void)instance;
  (void)err;
#if BROKEN_MODE == MODE_GARBAGE
  (void)item;
  return out->write(out, "\x0f\xff\xff\xff garbage \x07\x07", 16);
#elif BROKEN_MODE == MODE_OVERFLOW
  {
    static char chunk[1 << 20];
    int i;
    (void)item;
    memset(chunk, 'x', sizeof chunk);
    for (i = 0; i < 64; ++i) out->write(out, chunk, sizeof chunk); /* ignores refusals */
    return VIGIL_OK;
  }
#elif BROKEN_MODE == MODE_NO_REASON
  (void)item;
  (void)out;
  return VIGIL_ERR_INTERNAL;
#elif BROKEN_MODE == MODE_CRASH
  if (item->bytes_size > 1000) raise(SIGSEGV);
#endif
  vigil_wire_init(&signal, storage, sizeof storage);
  vigil_wire_string(&signal, 1, "size");
#if BROKEN_MODE == MODE_NONDETERMINISTIC
  {
    static unsigned counter;
    snprintf(value, sizeof value, "%u", ++counter);
  }
#else
  snprintf(value, sizeof value, "%zu", item->bytes_size);
#endif
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

static const vigil_detector_t detector = {
#if BROKEN_MODE == MODE_SMALL_STRUCT
    8,
#else
    sizeof(vigil_detector_t),
#endif
    0, DETECTOR_ID, 0, describe, create, destroy,
#if BROKEN_MODE == MODE_NULL_FUNCTION
    NULL,
#else
    analyze,
#endif
    get_extension};

static vigil_status_t negotiate(uint32_t host_major, uint32_t host_max_minor, uint32_t *chosen) {
  (void)host_major;
  (void)host_max_minor;
#if BROKEN_MODE == MODE_NEEDS_MINOR99
  *chosen = 99;
  return VIGIL_ERR_ABI;
#else
  *chosen = 0;
  return VIGIL_OK;
#endif
}

static vigil_status_t init(const vigil_host_t *host, const vigil_sink_t *err) {
  (void)host;
  (void)err;
  return VIGIL_OK;
}
static void deinit(void) {}

static uint32_t detector_count(void) {
#if BROKEN_MODE == MODE_NULL_TABLE || BROKEN_MODE == MODE_DUPLICATE_IN_ONE
  return 2;
#else
  return 1;
#endif
}

static const vigil_detector_t *get_detector(uint32_t index) {
#if BROKEN_MODE == MODE_DUPLICATE_IN_ONE
  return index < 2 ? &detector : NULL;
#else
  return index == 0 ? &detector : NULL;
#endif
}

#if BROKEN_MODE == MODE_NO_ENTRY
/* Keeps the would-be entry functions referenced, so only the entry symbol is missing. */
VIGIL_EXPORT int not_a_vigil_plugin(void) {
  uint32_t chosen = 0;
  deinit();
  return negotiate(1, 0, &chosen) == VIGIL_OK && init(NULL, NULL) == VIGIL_OK &&
         detector_count() == 1 && get_detector(0) != NULL;
}
#else
#if BROKEN_MODE == MODE_MAJOR2_SYMBOL
#define ENTRY_NAME vigil_entry_v2
#else
#define ENTRY_NAME vigil_entry_v1
#endif
VIGIL_EXPORT const vigil_plugin_entry_t ENTRY_NAME = {
    sizeof(vigil_plugin_entry_t), 0,
#if BROKEN_MODE == MODE_MAJOR2_FIELD || BROKEN_MODE == MODE_MAJOR2_SYMBOL
    {2, 0, 0},
#else
    {VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, VIGIL_ABI_PATCH},
#endif
    negotiate, init, deinit, detector_count, get_detector};
#endif
