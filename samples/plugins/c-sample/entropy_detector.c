/* sample.entropy: a vendor plugin in plain C11.
 *
 * Computes the Shannon entropy of an item's bytes (bits per byte) and flags non-media
 * items whose entropy is near 8, which is how encrypted or packed payloads look
 * (compressed images are always near 8, so they get the signal but no detection). It shows the whole
 * C ABI with nothing but <vigil/plugin.h> and the hand-written wire format of
 * <vigil/wire.h>: no protobuf library, no C++.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/plugin.h>
#include <vigil/wire.h>

/* vigil.v1 field numbers, from the .proto files in sdk/proto/vigil/v1. */
enum {
  kInfoId = 1, kInfoVersion = 2, kInfoVendor = 3, kInfoKind = 4, kInfoMedia = 5,
  kInfoSignalTypes = 6, kInfoDescription = 9,
  kResultSignals = 1, kResultDetections = 2,
  kSignalType = 1, kSignalValue = 2,
  kDetectionDetector = 1, kDetectionLabel = 2, kDetectionScore = 3, kDetectionSeverity = 4,
  kDetectionReason = 7,
  kConfigParams = 1, kConfigDataDir = 2
};

typedef struct entropy_instance {
  double threshold; /* bits per byte at or above which an item is flagged */
} entropy_instance;

static void write_text(const vigil_sink_t *sink, const char *text) {
  if (sink && sink->write) sink->write(sink, text, strlen(text));
}

static vigil_status_t describe(const vigil_detector_t *detector, const vigil_sink_t *out) {
  uint8_t storage[512];
  vigil_wire_buf b;
  (void)detector;
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, kInfoId, "sample.entropy");
  vigil_wire_string(&b, kInfoVersion, "1.0.0");
  vigil_wire_string(&b, kInfoVendor, "Vigil samples");
  vigil_wire_varint(&b, kInfoKind, 15 /* DETECTOR_KIND_OTHER */);
  vigil_wire_varint(&b, kInfoMedia, VIGIL_MEDIA_IMAGE);
  vigil_wire_varint(&b, kInfoMedia, VIGIL_MEDIA_BINARY);
  vigil_wire_string(&b, kInfoSignalTypes, "entropy");
  vigil_wire_string(&b, kInfoDescription, "Sample C plugin: byte entropy, flags packed data");
  if (b.overflow) return VIGIL_ERR_INTERNAL;
  return out->write(out, b.data, b.size);
}

/* Reads the optional "threshold" parameter from a serialized DetectorConfig. The only
 * fields we expect are params (map entries: key 1, value 2) and data_dir; anything
 * malformed is refused. Returns 0 on success. */
static int parse_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  int shift = 0;
  *v = 0;
  while (*p < end && shift < 64) {
    uint8_t byte = *(*p)++;
    *v |= (uint64_t)(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return 0;
    shift += 7;
  }
  return -1;
}

static int parse_config(const uint8_t *p, size_t size, double *threshold, char *why, size_t why_size) {
  const uint8_t *end = p + size;
  while (p < end) {
    uint64_t tag, len;
    if (parse_varint(&p, end, &tag) || (tag & 7) != 2 || parse_varint(&p, end, &len) ||
        len > (uint64_t)(end - p)) {
      strncpy(why, "configuration is not a valid vigil.v1.DetectorConfig", why_size - 1);
      return -1;
    }
    if ((tag >> 3) == kConfigParams) {
      /* map entry: field 1 key, field 2 value */
      const uint8_t *q = p, *qend = p + len;
      char key[64] = {0}, value[64] = {0};
      while (q < qend) {
        uint64_t etag, elen;
        if (parse_varint(&q, qend, &etag) || (etag & 7) != 2 || parse_varint(&q, qend, &elen) ||
            elen > (uint64_t)(qend - q) || elen >= sizeof key) {
          strncpy(why, "malformed configuration parameter", why_size - 1);
          return -1;
        }
        memcpy((etag >> 3) == 1 ? key : value, q, (size_t)elen);
        q += elen;
      }
      if (strcmp(key, "threshold") != 0) {
        strncpy(why, "unknown configuration parameter (only 'threshold' is known)", why_size - 1);
        return -1;
      }
      char *parsed_end = NULL;
      *threshold = strtod(value, &parsed_end);
      if (parsed_end == value || *parsed_end != '\0' || *threshold < 0 || *threshold > 8) {
        strncpy(why, "threshold must be a number from 0 to 8 (bits per byte)", why_size - 1);
        return -1;
      }
    }
    p += len;
  }
  return 0;
}

static vigil_status_t create(const vigil_detector_t *detector, const vigil_host_t *host,
                             const uint8_t *config, size_t config_size, void **instance,
                             const vigil_sink_t *err) {
  char why[128] = {0};
  double threshold = 7.5;
  entropy_instance *self;
  (void)detector;
  (void)host;
  if (!instance) return VIGIL_ERR_INVALID_ARGUMENT;
  *instance = NULL;
  if (parse_config(config, config_size, &threshold, why, sizeof why) != 0) {
    write_text(err, why);
    return VIGIL_ERR_CONFIG;
  }
  self = (entropy_instance *)malloc(sizeof *self);
  if (!self) {
    write_text(err, "out of memory");
    return VIGIL_ERR_RESOURCE;
  }
  self->threshold = threshold;
  *instance = self;
  return VIGIL_OK;
}

static void destroy(void *instance) { free(instance); }

static vigil_status_t analyze(void *instance, const vigil_item_view_t *item,
                              const vigil_sink_t *out, const vigil_sink_t *err) {
  const entropy_instance *self = (const entropy_instance *)instance;
  size_t counts[256] = {0};
  size_t i;
  double entropy = 0.0;
  char value[32];
  uint8_t signal_storage[64], detection_storage[256], result_storage[384];
  vigil_wire_buf signal, detection, result;

  if (!self || !item || !out) return VIGIL_ERR_INVALID_ARGUMENT;
  if (item->bytes == NULL || item->bytes_size == 0) {
    write_text(err, "item has no bytes");
    return VIGIL_ERR_BAD_INPUT;
  }
  for (i = 0; i < item->bytes_size; ++i) counts[item->bytes[i]]++;
  for (i = 0; i < 256; ++i) {
    if (counts[i]) {
      double p = (double)counts[i] / (double)item->bytes_size;
      entropy -= p * log2(p);
    }
  }
  /* Fixed precision keeps the output deterministic text. */
  snprintf(value, sizeof value, "%.4f", entropy);

  vigil_wire_init(&signal, signal_storage, sizeof signal_storage);
  vigil_wire_string(&signal, kSignalType, "entropy");
  vigil_wire_string(&signal, kSignalValue, value);

  vigil_wire_init(&result, result_storage, sizeof result_storage);
  vigil_wire_bytes(&result, kResultSignals, signal.data, signal.size);
  if (entropy >= self->threshold && item->media_kind == VIGIL_MEDIA_BINARY) {
    vigil_wire_init(&detection, detection_storage, sizeof detection_storage);
    vigil_wire_string(&detection, kDetectionDetector, "sample.entropy");
    vigil_wire_string(&detection, kDetectionLabel, "high-entropy");
    vigil_wire_double(&detection, kDetectionScore, entropy / 8.0);
    vigil_wire_varint(&detection, kDetectionSeverity, 2 /* SEVERITY_LOW */);
    vigil_wire_string(&detection, kDetectionReason, "bytes look encrypted or packed");
    vigil_wire_bytes(&result, kResultDetections, detection.data, detection.size);
  }
  if (signal.overflow || result.overflow) {
    write_text(err, "result did not fit the plugin's buffer");
    return VIGIL_ERR_INTERNAL;
  }
  return out->write(out, result.data, result.size);
}

static const void *get_extension(void *instance, const char *id) {
  (void)instance;
  (void)id;
  return NULL;
}

static const vigil_detector_t entropy_detector = {
    sizeof(vigil_detector_t), 0, "sample.entropy", 0,
    describe, create, destroy, analyze, get_extension};

static vigil_status_t negotiate(uint32_t host_major, uint32_t host_max_minor,
                                uint32_t *chosen_minor) {
  if (host_major != VIGIL_ABI_MAJOR || !chosen_minor) return VIGIL_ERR_ABI;
  (void)host_max_minor;
  *chosen_minor = 0; /* everything used here is in ABI 1.0 */
  return VIGIL_OK;
}

static vigil_status_t init(const vigil_host_t *host, const vigil_sink_t *err) {
  (void)host;
  (void)err;
  return VIGIL_OK;
}

static void deinit(void) {}

static uint32_t detector_count(void) { return 1; }

static const vigil_detector_t *get_detector(uint32_t index) {
  return index == 0 ? &entropy_detector : NULL;
}

VIGIL_EXPORT const vigil_plugin_entry_t vigil_entry_v1 = {
    sizeof(vigil_plugin_entry_t), 0, {VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, VIGIL_ABI_PATCH},
    negotiate, init, deinit, detector_count, get_detector};
