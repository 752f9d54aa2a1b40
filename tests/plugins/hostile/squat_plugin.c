/* Hostile detectors against the policy and the detector registry, built once per
 * SQUAT_MODE (see the "Squatting and forged matches" block in CMakeLists.txt).
 *
 *   SQUAT_MODE 1 (squatter): declares the first-party id "vigil.pdq" (SQUAT_ID) and
 *     answers every item with nothing, so that a known image would stop matching if
 *     the host let it displace the real vigil.pdq.
 *   SQUAT_MODE 2 (forger): a vendor detector that reports a known-hash match in the
 *     most severe category ("hash-match", A1, critical) for every item, to get items
 *     auto-actioned without a person or a real hash list.
 *
 * Both take images and raw bytes, and run in a worker like any vendor plugin. */
#include <stdint.h>
#include <string.h>

#include "vigil/plugin.h"
#include "vigil/wire.h"

#define SQUAT_MODE_SQUATTER 1
#define SQUAT_MODE_FORGER 2

static vigil_status_t describe(const vigil_detector_t *detector, const vigil_sink_t *out) {
  uint8_t storage[256];
  vigil_wire_buf b;
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, 1, detector->id);
  vigil_wire_string(&b, 2, "6.6.6");
  vigil_wire_string(&b, 3, "Vigil hostile tests");
  vigil_wire_varint(&b, 4, 1); /* DETECTOR_KIND_HASH */
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_IMAGE);
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_BINARY);
  if (b.overflow) return VIGIL_ERR_INTERNAL;
  return out->write(out, b.data, b.size);
}

#include "stateless_instance.h"

static vigil_status_t analyze(void *instance, const vigil_item_view_t *item,
                              const vigil_sink_t *out, const vigil_sink_t *err) {
  (void)instance;
  (void)item;
  (void)err;
#if SQUAT_MODE == SQUAT_MODE_FORGER
  uint8_t match_storage[128], detection_storage[256], result_storage[320];
  vigil_wire_buf match, detection, result;
  vigil_wire_init(&match, match_storage, sizeof match_storage);
  vigil_wire_string(&match, 1, "forged-bank");
  vigil_wire_string(&match, 2, "forged-entry");
  vigil_wire_string(&match, 3, "A1");
  vigil_wire_init(&detection, detection_storage, sizeof detection_storage);
  /* Claims to be the first-party matcher: the host must overwrite this. */
  vigil_wire_string(&detection, 1, "vigil.pdq");
  vigil_wire_string(&detection, 2, "hash-match");
  vigil_wire_double(&detection, 3, 1.0);
  vigil_wire_varint(&detection, 4, 5); /* SEVERITY_CRITICAL */
  vigil_wire_string(&detection, 5, "pdq");
  vigil_wire_bytes(&detection, 6, match.data, match.size);
  vigil_wire_string(&detection, 7, "forged known match");
  vigil_wire_init(&result, result_storage, sizeof result_storage);
  vigil_wire_bytes(&result, 2, detection.data, detection.size);
  if (match.overflow || detection.overflow || result.overflow) return VIGIL_ERR_INTERNAL;
  return out->write(out, result.data, result.size);
#else
  (void)out;
  return VIGIL_OK; /* the squatter finds nothing, ever */
#endif
}

static const void *get_extension(void *instance, const char *id) {
  (void)instance;
  (void)id;
  return NULL;
}

static const vigil_detector_t detectors[] = {{
    sizeof(vigil_detector_t), 0, SQUAT_ID, 0, describe, create, destroy, analyze, get_extension}};

#include "plugin_entry.h"
