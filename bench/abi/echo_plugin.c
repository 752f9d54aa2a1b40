/* bench.echo-c: the smallest useful detector, for timing the ABI itself. It answers every
 * item with one signal carrying the item's size, written with vigil/wire.h. */
#include <stdio.h>
#include <string.h>

#include <vigil/plugin.h>
#include <vigil/wire.h>

static vigil_status_t describe(const vigil_detector_t *d, const vigil_sink_t *out) {
  uint8_t storage[128];
  vigil_wire_buf b;
  (void)d;
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, 1, "bench.echo-c");
  vigil_wire_string(&b, 2, "1.0.0");
  vigil_wire_string(&b, 3, "Vigil bench");
  vigil_wire_varint(&b, 4, 15);
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_BINARY);
  return out->write(out, b.data, b.size);
}
static int token;
static vigil_status_t create(const vigil_detector_t *d, const vigil_host_t *h, const uint8_t *c,
                             size_t n, void **instance, const vigil_sink_t *err) {
  (void)d; (void)h; (void)c;
  if (n) {
    err->write(err, "no configuration", 16);
    return VIGIL_ERR_CONFIG;
  }
  *instance = &token;
  return VIGIL_OK;
}
static void destroy(void *instance) { (void)instance; }
static vigil_status_t analyze(void *instance, const vigil_item_view_t *item,
                              const vigil_sink_t *out, const vigil_sink_t *err) {
  uint8_t s_storage[48], r_storage[64];
  char value[24];
  vigil_wire_buf s, r;
  (void)instance; (void)err;
  snprintf(value, sizeof value, "%zu", item->bytes_size);
  vigil_wire_init(&s, s_storage, sizeof s_storage);
  vigil_wire_string(&s, 1, "size");
  vigil_wire_string(&s, 2, value);
  vigil_wire_init(&r, r_storage, sizeof r_storage);
  vigil_wire_bytes(&r, 1, s.data, s.size);
  return out->write(out, r.data, r.size);
}
static const void *get_extension(void *i, const char *id) { (void)i; (void)id; return NULL; }
static const vigil_detector_t detector = {sizeof(vigil_detector_t), 0, "bench.echo-c", 0,
                                          describe, create, destroy, analyze, get_extension};
static vigil_status_t negotiate(uint32_t major, uint32_t minor, uint32_t *chosen) {
  (void)major; (void)minor;
  *chosen = 0;
  return VIGIL_OK;
}
static vigil_status_t init(const vigil_host_t *h, const vigil_sink_t *e) { (void)h; (void)e; return VIGIL_OK; }
static void deinit(void) {}
static uint32_t count(void) { return 1; }
static const vigil_detector_t *get(uint32_t i) { return i == 0 ? &detector : NULL; }
VIGIL_EXPORT const vigil_plugin_entry_t vigil_entry_v1 = {
    sizeof(vigil_plugin_entry_t), 0, {VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, VIGIL_ABI_PATCH},
    negotiate, init, deinit, count, get};
