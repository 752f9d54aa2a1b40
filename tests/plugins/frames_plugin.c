/* A test plugin for vigil.frames/1 (sdk/include/vigil/ext/frames.h), plain C against the
 * SDK. Its detectors record what the host lent them and report it as signals, so tests
 * can check the host's side of the extension:
 *   test.frames        1 frame per second
 *   test.frames-every  every frame
 *   test.frames-half   one frame every 2 seconds
 *   test.frames-fail   1 fps; analyze_frame refuses frame 30 and later (VIGIL_ERR_BAD_INPUT)
 *   test.frames-badreq asks for 0 frames per second (the host must refuse the request)
 *   test.frames-crash  1 fps; raises SIGSEGV at frame 30 (for the worker path)
 * end_video writes signals:
 *   "frames"  "count=C first=F last=L" (frame numbers lent)
 *   "rgb0"    "R,G,B" (the first frame's top-left pixel)
 *   "decode"  the decode_status the host passed
 * analyze() (what an ABI 1.0 host would call, and what images get) writes "analyze".
 * A frame out of order or of the wrong size fails the video, so the host's order and
 * sizes are checked too. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vigil/ext/frames.h>
#include <vigil/plugin.h>
#include <vigil/wire.h>

enum { KIND_1FPS = 0, KIND_EVERY, KIND_HALF, KIND_FAIL, KIND_BADREQ, KIND_CRASH, KIND_COUNT };
static const char *const kIds[KIND_COUNT] = {"test.frames",        "test.frames-every",
                                             "test.frames-half",   "test.frames-fail",
                                             "test.frames-badreq", "test.frames-crash"};

typedef struct instance {
  int kind;
} instance_t;

typedef struct video_state {
  uint32_t width, height;
  int64_t count, first, last;
  int rgb[3];
} video_state_t;

static void write_text(const vigil_sink_t *sink, const char *text) {
  if (sink) sink->write(sink, text, strlen(text));
}

static int kind_of(const vigil_detector_t *detector) {
  int i;
  for (i = 0; i < KIND_COUNT; ++i) {
    if (strcmp(detector->id, kIds[i]) == 0) return i;
  }
  return 0;
}

static vigil_status_t describe(const vigil_detector_t *detector, const vigil_sink_t *out) {
  uint8_t storage[256];
  vigil_wire_buf b;
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, 1, detector->id);
  vigil_wire_string(&b, 2, "0.0.1");
  vigil_wire_string(&b, 3, "Vigil tests");
  vigil_wire_varint(&b, 4, 15);
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_VIDEO); /* accepted_media: one value each */
  vigil_wire_varint(&b, 5, VIGIL_MEDIA_IMAGE);
  return out->write(out, b.data, b.size);
}

static vigil_status_t create(const vigil_detector_t *detector, const vigil_host_t *host,
                             const uint8_t *config, size_t config_size, void **out,
                             const vigil_sink_t *err) {
  instance_t *self;
  (void)host;
  (void)config;
  (void)config_size;
  self = (instance_t *)calloc(1, sizeof *self);
  if (self == NULL) {
    write_text(err, "out of memory");
    return VIGIL_ERR_RESOURCE;
  }
  self->kind = kind_of(detector);
  *out = self;
  return VIGIL_OK;
}

static void destroy(void *instance) { free(instance); }

static vigil_status_t write_signal(vigil_wire_buf *result, const char *type, const char *value) {
  uint8_t storage[192];
  vigil_wire_buf signal;
  vigil_wire_init(&signal, storage, sizeof storage);
  vigil_wire_string(&signal, 1, type);
  vigil_wire_string(&signal, 2, value);
  vigil_wire_bytes(result, 1, signal.data, signal.size);
  return VIGIL_OK;
}

static vigil_status_t analyze(void *instance, const vigil_item_view_t *item,
                              const vigil_sink_t *out, const vigil_sink_t *err) {
  uint8_t storage[256];
  char value[64];
  vigil_wire_buf result;
  (void)instance;
  (void)err;
  vigil_wire_init(&result, storage, sizeof storage);
  snprintf(value, sizeof value, "kind=%u bytes=%zu", (unsigned)item->media_kind, item->bytes_size);
  write_signal(&result, "analyze", value);
  return out->write(out, result.data, result.size);
}

static vigil_status_t frame_request(void *instance, vigil_frame_request_t *request) {
  const instance_t *self = (const instance_t *)instance;
  if (request == NULL || request->struct_size < sizeof *request) return VIGIL_ERR_INVALID_ARGUMENT;
  request->pixel_format = VIGIL_PIXEL_RGB8;
  request->max_side = 0;
  switch (self->kind) {
    case KIND_EVERY:
      request->flags = VIGIL_FRAMES_EVERY_FRAME;
      break;
    case KIND_HALF:
      request->frames_per_second = 0.5;
      break;
    case KIND_BADREQ:
      request->frames_per_second = 0;
      break;
    default:
      request->frames_per_second = 1;
      break;
  }
  return VIGIL_OK;
}

static vigil_status_t begin_video(void *instance, const vigil_item_view_t *item,
                                  const vigil_video_info_t *info, void **video,
                                  const vigil_sink_t *err) {
  video_state_t *state;
  (void)instance;
  if (item == NULL || item->media_kind != VIGIL_MEDIA_VIDEO || item->bytes == NULL ||
      info == NULL || info->struct_size < sizeof *info || info->width == 0) {
    write_text(err, "begin_video got no video item or no video info");
    return VIGIL_ERR_INVALID_ARGUMENT;
  }
  state = (video_state_t *)calloc(1, sizeof *state);
  if (state == NULL) return VIGIL_ERR_RESOURCE;
  state->width = info->width;
  state->height = info->height;
  state->first = -1;
  state->last = -1;
  *video = state;
  return VIGIL_OK;
}

static vigil_status_t analyze_frame(void *instance, void *video, const vigil_frame_view_t *frame,
                                    const vigil_sink_t *err) {
  const instance_t *self = (const instance_t *)instance;
  video_state_t *state = (video_state_t *)video;
  char text[96];
  if (state == NULL || frame == NULL || frame->image.pixels == NULL) {
    write_text(err, "analyze_frame without a video or a frame");
    return VIGIL_ERR_INVALID_ARGUMENT;
  }
  if (frame->frame_number <= state->last) {
    snprintf(text, sizeof text, "frame %lld after frame %lld", (long long)frame->frame_number,
             (long long)state->last);
    write_text(err, text);
    return VIGIL_ERR_INVALID_ARGUMENT;
  }
  if (frame->image.width != state->width || frame->image.height != state->height ||
      frame->image.pixel_format != VIGIL_PIXEL_RGB8 ||
      frame->image.stride < frame->image.width * 3u) {
    write_text(err, "a frame of another size or format than the video's");
    return VIGIL_ERR_INVALID_ARGUMENT;
  }
  if (self->kind == KIND_CRASH && frame->frame_number >= 30) raise(SIGSEGV);
  if (self->kind == KIND_FAIL && frame->frame_number >= 30) {
    snprintf(text, sizeof text, "refused frame %lld", (long long)frame->frame_number);
    write_text(err, text);
    return VIGIL_ERR_BAD_INPUT;
  }
  if (state->count == 0) {
    state->first = frame->frame_number;
    state->rgb[0] = frame->image.pixels[0];
    state->rgb[1] = frame->image.pixels[1];
    state->rgb[2] = frame->image.pixels[2];
  }
  /* Touch every row, so a frame that is not all there is found (ASan, or a crash). */
  {
    uint32_t y;
    unsigned sum = 0;
    for (y = 0; y < frame->image.height; ++y) {
      sum += frame->image.pixels[(size_t)y * frame->image.stride + frame->image.width * 3u - 1];
    }
    (void)sum;
  }
  state->last = frame->frame_number;
  ++state->count;
  return VIGIL_OK;
}

static vigil_status_t end_video(void *instance, void *video, vigil_status_t decode_status,
                                const vigil_sink_t *out, const vigil_sink_t *err) {
  video_state_t *state = (video_state_t *)video;
  uint8_t storage[512];
  char value[96];
  vigil_wire_buf result;
  vigil_status_t status;
  (void)instance;
  (void)err;
  if (state == NULL) return VIGIL_OK; /* begin_video failed: nothing to free */
  vigil_wire_init(&result, storage, sizeof storage);
  snprintf(value, sizeof value, "count=%lld first=%lld last=%lld", (long long)state->count,
           (long long)state->first, (long long)state->last);
  write_signal(&result, "frames", value);
  snprintf(value, sizeof value, "%d,%d,%d", state->rgb[0], state->rgb[1], state->rgb[2]);
  write_signal(&result, "rgb0", value);
  snprintf(value, sizeof value, "%d", (int)decode_status);
  write_signal(&result, "decode", value);
  free(state);
  status = out->write(out, result.data, result.size);
  return status;
}

static const vigil_frames_ext_t kFrames = {
    sizeof(vigil_frames_ext_t), 0, frame_request, begin_video, analyze_frame, end_video};

static const void *get_extension(void *instance, const char *id) {
  (void)instance;
  return strcmp(id, VIGIL_EXT_FRAMES) == 0 ? &kFrames : NULL;
}

#define DETECTOR(id) \
  { sizeof(vigil_detector_t), 0, id, 0, describe, create, destroy, analyze, get_extension }
static const vigil_detector_t g_detectors[KIND_COUNT] = {
    DETECTOR("test.frames"),      DETECTOR("test.frames-every"),  DETECTOR("test.frames-half"),
    DETECTOR("test.frames-fail"), DETECTOR("test.frames-badreq"), DETECTOR("test.frames-crash")};

static vigil_status_t negotiate(uint32_t host_major, uint32_t host_max_minor, uint32_t *chosen) {
  if (host_major != VIGIL_ABI_MAJOR) return VIGIL_ERR_ABI;
  /* vigil.frames/1 came with ABI 1.1; an older host simply never asks for it. */
  *chosen = host_max_minor < VIGIL_ABI_MINOR ? host_max_minor : VIGIL_ABI_MINOR;
  return VIGIL_OK;
}

static vigil_status_t init(const vigil_host_t *host, const vigil_sink_t *err) {
  (void)host;
  (void)err;
  return VIGIL_OK;
}
static void deinit(void) {}
static uint32_t detector_count(void) { return KIND_COUNT; }
static const vigil_detector_t *get_detector(uint32_t index) {
  return index < KIND_COUNT ? &g_detectors[index] : NULL;
}

VIGIL_EXPORT const vigil_plugin_entry_t vigil_entry_v1 = {
    sizeof(vigil_plugin_entry_t),
    0,
    {VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, VIGIL_ABI_PATCH},
    negotiate,
    init,
    deinit,
    detector_count,
    get_detector};
