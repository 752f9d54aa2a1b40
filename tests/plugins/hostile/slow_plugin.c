/* A slow detector for the fleet tests (issue 14 item 4: a `vigil worker` killed mid-item).
 *
 * An item whose bytes start with "slow" takes SLOW_SECONDS (the digit after "slow", 1-9;
 * 5 when there is none) before it returns one benign detection, so a test can kill the
 * worker while the item is in hand. Any other item returns the same detection at once.
 * It only sleeps: no files, no sockets, nothing the sandbox refuses. */
#include <string.h>
#include <time.h>

#include "vigil/plugin.h"
#include "vigil/wire.h"

#define SEVERITY_NONE 1

static vigil_status_t describe(const vigil_detector_t *detector, const vigil_sink_t *out) {
  uint8_t storage[256], cost_storage[32];
  vigil_wire_buf b, cost;
  vigil_wire_init(&cost, cost_storage, sizeof cost_storage);
  vigil_wire_varint(&cost, 2, 60000); /* max_ms: above the longest sleep */
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, 1, detector->id);
  vigil_wire_string(&b, 2, "0.0.1");
  vigil_wire_string(&b, 3, "Vigil fleet tests");
  vigil_wire_varint(&b, 4, 15);
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_BINARY);
  vigil_wire_bytes(&b, 8, cost.data, cost.size);
  return out->write(out, b.data, b.size);
}

#include "stateless_instance.h"

static vigil_status_t analyze(void *instance, const vigil_item_view_t *item,
                              const vigil_sink_t *out, const vigil_sink_t *err) {
  (void)instance;
  (void)err;
  if (item->bytes != NULL && item->bytes_size >= 4 && memcmp(item->bytes, "slow", 4) == 0) {
    int seconds = 5;
    if (item->bytes_size > 4 && item->bytes[4] >= '1' && item->bytes[4] <= '9') {
      seconds = item->bytes[4] - '0';
    }
    struct timespec left = {seconds, 0};
    while (nanosleep(&left, &left) != 0) {
    }
  }
  uint8_t storage[64], result_storage[96];
  vigil_wire_buf d, result;
  vigil_wire_init(&d, storage, sizeof storage);
  vigil_wire_string(&d, 2, "slow-checked");
  vigil_wire_double(&d, 3, 0.0);
  vigil_wire_varint(&d, 4, SEVERITY_NONE);
  vigil_wire_init(&result, result_storage, sizeof result_storage);
  vigil_wire_bytes(&result, 2, d.data, d.size);
  return out->write(out, result.data, result.size);
}

static const void *get_extension(void *instance, const char *id) {
  (void)instance;
  (void)id;
  return NULL;
}

static const vigil_detector_t detectors[] = {{
    sizeof(vigil_detector_t), 0, "fleet.slow", 0, describe, create, destroy, analyze,
    get_extension}};

#include "plugin_entry.h"
