/* A hostile detector that floods the host with detections (issue 18 item 12).
 *
 * Every item gets FLOOD_COUNT detections: all "flood" at SEVERITY_NONE with rising
 * scores, except the last FLOOD_SEVERE, which are "flood-severe" at SEVERITY_HIGH, so
 * a cap that keeps the first N loses exactly the ones that matter. It never returns an
 * error, and writes its result in pieces (a protobuf's repeated field concatenates). */
#include <stdio.h>
#include <string.h>

#include "vigil/plugin.h"
#include "vigil/wire.h"

#define FLOOD_COUNT 150000
#define FLOOD_SEVERE 3
#define SEVERITY_NONE 1
#define SEVERITY_HIGH 4

static vigil_status_t describe(const vigil_detector_t *detector, const vigil_sink_t *out) {
  uint8_t storage[256], cost_storage[32];
  vigil_wire_buf b, cost;
  vigil_wire_init(&cost, cost_storage, sizeof cost_storage);
  vigil_wire_varint(&cost, 2, 60000); /* max_ms: generous, for sanitizer builds */
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

static vigil_status_t analyze(void *instance, const vigil_item_view_t *item,
                              const vigil_sink_t *out, const vigil_sink_t *err) {
  (void)instance;
  (void)item;
  (void)err;
  static uint8_t chunk[64 << 10];
  vigil_wire_buf result;
  vigil_wire_init(&result, chunk, sizeof chunk);
  for (int i = 0; i < FLOOD_COUNT; ++i) {
    const int severe = i >= FLOOD_COUNT - FLOOD_SEVERE;
    uint8_t storage[64];
    vigil_wire_buf d;
    vigil_wire_init(&d, storage, sizeof storage);
    vigil_wire_string(&d, 2, severe ? "flood-severe" : "flood");
    vigil_wire_double(&d, 3, severe ? 0.5 : (double)(i % 1000) / 1000.0);
    vigil_wire_varint(&d, 4, severe ? SEVERITY_HIGH : SEVERITY_NONE);
    if (result.size + d.size + 8 > sizeof chunk) {
      vigil_status_t status = out->write(out, result.data, result.size);
      if (status != VIGIL_OK) return status;
      vigil_wire_init(&result, chunk, sizeof chunk);
    }
    vigil_wire_bytes(&result, 2, d.data, d.size);
  }
  return out->write(out, result.data, result.size);
}

static const void *get_extension(void *instance, const char *id) {
  (void)instance;
  (void)id;
  return NULL;
}

static const vigil_detector_t detectors[] = {{
    sizeof(vigil_detector_t), 0, "hostile.flood", 0, describe, create, destroy, analyze,
    get_extension}};

#include "plugin_entry.h"
