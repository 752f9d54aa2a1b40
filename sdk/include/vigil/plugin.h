/* Vigil plugin ABI, version 1.
 *
 * This header is the whole contract between the Vigil host and a detector plugin
 * (the "hourglass neck"): plain C11, fixed-width integers, no C++ types. A plugin is a
 * shared library that exports exactly one symbol, `vigil_entry_v1`, a const
 * `vigil_plugin_entry_t`. docs/abi.md is the prose version of this file, with the rules
 * for what a minor version may change.
 *
 * Index
 *   [SECTION] Versions
 *   [SECTION] Status codes
 *   [SECTION] Sinks (host-owned output buffers)
 *   [SECTION] Host services
 *   [SECTION] Items and decoded images
 *   [SECTION] Detectors
 *   [SECTION] The entry point
 *
 * Thread tags used below (defined once, here):
 *   [init-only]      called while nothing else of the plugin runs (init/deinit)
 *   [any-thread]     may be called from any thread, concurrently with itself
 *   [thread-safe unless SERIAL]
 *                    may run concurrently on one instance, unless the detector
 *                    declares VIGIL_DETECTOR_SERIAL, in which case the host
 *                    serialises calls per instance
 *
 * Growth rule: every struct starts with `struct_size` and only ever grows at the end.
 * A reader checks `struct_size` before touching a field newer than 1.0, so an old
 * plugin and a new host (or the reverse) agree on what is there.
 *
 * Data rule: metadata, configuration and results cross as serialized `vigil.v1`
 * protobuf messages (sdk/proto/vigil/v1/). Rationale: bytes have no ABI; a plugin may
 * use any protobuf implementation, or write the wire format by hand (vigil/wire.h).
 * Media crosses as borrowed pointers that are valid until the call returns.
 */
#ifndef VIGIL_PLUGIN_H
#define VIGIL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Symbol visibility for the one exported symbol. vigil_add_plugin() builds with
 * -fvisibility=hidden and a version script; this makes the entry visible either way. */
#if defined(_WIN32)
#define VIGIL_EXPORT __declspec(dllexport)
#else
#define VIGIL_EXPORT __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------------------------
 * [SECTION] Versions
 * --------------------------------------------------------------------------------- */

/* The ABI this header describes. The major number is also in the entry symbol's name
 * (`vigil_entry_v1`), so a plugin built for another major fails to resolve instead of
 * misbehaving. Minor versions only add (struct fields at the end, flags, extensions). */
#define VIGIL_ABI_MAJOR 1
#define VIGIL_ABI_MINOR 1 /* 1.1: the vigil.frames/1 extension (vigil/ext/frames.h) */
#define VIGIL_ABI_PATCH 0

/* Name of the exported entry symbol for this major version. */
#define VIGIL_ENTRY_SYMBOL "vigil_entry_v1"

typedef struct vigil_version {
  uint32_t major;
  uint32_t minor;
  uint32_t patch;
} vigil_version_t;

/* ---------------------------------------------------------------------------------
 * [SECTION] Status codes
 *
 * Numbers are permanent: a code is never renumbered or reused. Each says whose fault
 * it is, so the host can tell a person what to do.
 * --------------------------------------------------------------------------------- */
typedef int32_t vigil_status_t;
enum {
  VIGIL_OK = 0,
  VIGIL_ERR_INVALID_ARGUMENT = 1, /* caller passed something malformed (host bug)       */
  VIGIL_ERR_UNSUPPORTED = 2,      /* item kind or feature not handled by this detector */
  VIGIL_ERR_CONFIG = 3,           /* configuration refused; the error text says why    */
  VIGIL_ERR_BAD_INPUT = 4,        /* the item's bytes are corrupt or unusable          */
  VIGIL_ERR_INTERNAL = 5,         /* plugin bug (includes exceptions caught at the ABI) */
  VIGIL_ERR_CANCELLED = 6,        /* the host asked to stop (is_cancelled returned 1)  */
  VIGIL_ERR_RESOURCE = 7,         /* out of memory, sink full, file missing, ...       */
  VIGIL_ERR_ABI = 8               /* version negotiation failed                        */
};

/* ---------------------------------------------------------------------------------
 * [SECTION] Sinks
 *
 * A sink is where a plugin writes bytes for the host: serialized results, or UTF-8
 * error text. The host owns the sink and everything written to it; the plugin only
 * calls `write`. A sink is valid until the call it was passed to returns: a plugin
 * must not keep the pointer.
 * --------------------------------------------------------------------------------- */
typedef struct vigil_sink {
  uint32_t struct_size;
  uint32_t reserved;
  void *host_data; /* opaque to the plugin */

  /* [any-thread] Appends `size` bytes. Writing is cumulative: two writes of "ab" and
   * "cd" give "abcd". Returns VIGIL_ERR_RESOURCE, and keeps nothing of this write, when
   * the total would pass the sink's capacity (the host's limit on result size);
   * the plugin should then stop and return VIGIL_ERR_RESOURCE. */
  vigil_status_t (*write)(const struct vigil_sink *sink, const void *data, size_t size);
} vigil_sink_t;

/* ---------------------------------------------------------------------------------
 * [SECTION] Host services
 * --------------------------------------------------------------------------------- */
enum {
  VIGIL_LOG_DEBUG = 0,
  VIGIL_LOG_INFO = 1,
  VIGIL_LOG_WARNING = 2,
  VIGIL_LOG_ERROR = 3
};

typedef struct vigil_host {
  uint32_t struct_size;
  uint32_t reserved;
  vigil_version_t abi;  /* the ABI version the host chose for this plugin */
  const char *name;     /* e.g. "vigil"; owned by the host, valid until deinit */
  const char *version;  /* host version string; owned by the host */
  void *host_data;      /* opaque to the plugin */

  /* [any-thread] Logs one line of UTF-8 text. `level` is a VIGIL_LOG_* value. */
  void (*log)(const struct vigil_host *host, int32_t level, const char *message);

  /* [any-thread] Returns 1 when the current call should stop early (the user pressed
   * Ctrl-C, or the call passed its deadline), else 0. Long analyses poll it and return
   * VIGIL_ERR_CANCELLED. */
  int32_t (*is_cancelled)(const struct vigil_host *host);

  /* [any-thread] Returns a host extension by id (e.g. "vigil.host-foo/1"), or NULL. */
  const void *(*get_extension)(const struct vigil_host *host, const char *id);
} vigil_host_t;

/* ---------------------------------------------------------------------------------
 * [SECTION] Items and decoded images
 * --------------------------------------------------------------------------------- */

/* Media kinds, as bits so a detector can declare several (DetectorInfo lists them too). */
enum {
  VIGIL_MEDIA_UNKNOWN = 0,
  VIGIL_MEDIA_IMAGE = 1u << 0,
  VIGIL_MEDIA_VIDEO = 1u << 1,
  VIGIL_MEDIA_URL = 1u << 2,
  VIGIL_MEDIA_TEXT = 1u << 3,
  VIGIL_MEDIA_BINARY = 1u << 4 /* any other bytes */
};

enum {
  VIGIL_PIXEL_GRAY8 = 1, /* 1 byte per pixel */
  VIGIL_PIXEL_RGB8 = 2,  /* 3 bytes per pixel, R G B */
  VIGIL_PIXEL_RGBA8 = 3  /* 4 bytes per pixel, R G B A (not premultiplied) */
};

/* A decoded image, borrowed from the host for the duration of one call. Pixels are as
 * stored in the file (not rotated); `orientation` is the EXIF orientation (1..8, 1 when
 * absent) so a detector that wants upright pixels can apply it. */
typedef struct vigil_image_view {
  uint32_t struct_size;
  uint32_t width;
  uint32_t height;
  uint32_t stride;       /* bytes from one row to the next, >= width * bytes per pixel */
  uint32_t pixel_format; /* VIGIL_PIXEL_* */
  uint32_t orientation;  /* EXIF orientation 1..8 */
  const uint8_t *pixels; /* height * stride bytes */
} vigil_image_view_t;

/* One item to analyse. Everything is borrowed from the host and valid until the
 * analyze call returns. */
typedef struct vigil_item_view {
  uint32_t struct_size;
  uint32_t media_kind;                /* one VIGIL_MEDIA_* bit */
  const uint8_t *metadata;            /* serialized vigil.v1.ItemMetadata */
  size_t metadata_size;
  const uint8_t *bytes;               /* the original bytes; NULL for a bare URL item */
  size_t bytes_size;
  const vigil_image_view_t *image;    /* decoded image, or NULL when not an image */
} vigil_item_view_t;

/* ---------------------------------------------------------------------------------
 * [SECTION] Detectors
 *
 * A plugin offers one or more detectors. Each is a table of functions plus opaque
 * instances. The table is owned by the plugin and must stay valid until deinit.
 * --------------------------------------------------------------------------------- */

/* Detector flags. */
#define VIGIL_DETECTOR_SERIAL (1ull << 0) /* analyze is not thread-safe per instance */

typedef struct vigil_detector {
  uint32_t struct_size;
  uint32_t reserved;
  const char *id; /* unique, stable, reverse-DNS style: "vigil.exact", "acme.nudity";
                     owned by the plugin, valid until deinit */
  uint64_t flags; /* VIGIL_DETECTOR_* */

  /* [any-thread] Writes a serialized vigil.v1.DetectorInfo to `out`. */
  vigil_status_t (*describe)(const struct vigil_detector *detector, const vigil_sink_t *out);

  /* [any-thread] Creates an instance from a serialized vigil.v1.DetectorConfig (size 0
   * means defaults). On success stores the instance in *instance; it is owned by the
   * plugin and must be freed by calling destroy(). On failure writes why to `err`
   * and returns VIGIL_ERR_CONFIG (or another status). */
  vigil_status_t (*create)(const struct vigil_detector *detector, const vigil_host_t *host,
                           const uint8_t *config, size_t config_size, void **instance,
                           const vigil_sink_t *err);

  /* [any-thread] Frees an instance. No analyze call on it may be running. */
  void (*destroy)(void *instance);

  /* [thread-safe unless SERIAL] Analyses one item. Writes one serialized
   * vigil.v1.AnalysisResult to `out` (nothing written means "no signals, no
   * detections"). On failure returns a status other than VIGIL_OK and writes why to
   * `err`; the host records the item as failed for this detector, never as clean. */
  vigil_status_t (*analyze)(void *instance, const vigil_item_view_t *item,
                            const vigil_sink_t *out, const vigil_sink_t *err);

  /* [any-thread] Returns an extension table by id with revision (e.g. VIGIL_EXT_BATCH),
   * or NULL. The table is owned by the plugin and valid while the instance lives. */
  const void *(*get_extension)(void *instance, const char *id);
} vigil_detector_t;

/* ---------------------------------------------------------------------------------
 * [SECTION] The entry point
 * --------------------------------------------------------------------------------- */
typedef struct vigil_plugin_entry {
  uint32_t struct_size;
  uint32_t reserved;
  vigil_version_t abi; /* VIGIL_ABI_* the plugin was built against */

  /* [init-only] Version negotiation, called first. The host passes its major and the
   * newest minor it speaks. On success the plugin stores the minor it will use
   * (<= host_max_minor) and returns VIGIL_OK. If it needs a newer minor it stores the
   * minor it needs and returns VIGIL_ERR_ABI, so the host can say
   * "plugin X needs ABI 1.3, this host speaks 1.2". */
  vigil_status_t (*negotiate)(uint32_t host_major, uint32_t host_max_minor,
                              uint32_t *chosen_minor);

  /* [init-only] Called once after negotiation, before anything else. */
  vigil_status_t (*init)(const vigil_host_t *host, const vigil_sink_t *err);

  /* [init-only] Called once; after it the host unloads the library. Every instance has
   * been destroyed by then. */
  void (*deinit)(void);

  /* [any-thread, after init] Number of detectors, and each detector's table (owned by
   * the plugin, valid until deinit; NULL for an index out of range). */
  uint32_t (*detector_count)(void);
  const vigil_detector_t *(*get_detector)(uint32_t index);
} vigil_plugin_entry_t;

/* What a plugin defines, once:
 *   VIGIL_EXPORT const vigil_plugin_entry_t vigil_entry_v1 = { ... };          */
#ifdef __cplusplus
}
#endif

#endif /* VIGIL_PLUGIN_H */
