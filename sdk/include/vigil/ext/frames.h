/* Extension "vigil.frames/1" (ABI 1.1): sampled video frames, decoded once by the host.
 *
 * Rationale: a video is decoded once (host/video, FFmpeg) however many detectors look at
 * it, and each detector sees only the frames it asked for, as borrowed RGB images, the
 * way it sees a still image. The host asks each instance with
 *   detector->get_extension(instance, VIGIL_EXT_FRAMES)
 * A detector that returns NULL (every ABI 1.0 plugin) keeps getting one analyze() per
 * video item with media_kind VIGIL_MEDIA_VIDEO, the bytes and image = NULL, as before.
 * A detector that returns the table gets, for each video item, instead of analyze():
 *   begin_video, then analyze_frame for each sampled frame in increasing frame_number,
 *   then end_video, always (also after a decode failure or a failed frame call).
 * docs/abi.md ("vigil.frames/1") and docs/video.md say the rest.
 */
#ifndef VIGIL_EXT_FRAMES_H
#define VIGIL_EXT_FRAMES_H

#include "vigil/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_EXT_FRAMES "vigil.frames/1"

/* vigil_frame_request_t.flags */
#define VIGIL_FRAMES_EVERY_FRAME (1u << 0) /* every frame, whatever frames_per_second says */

/* Which frames an instance wants. Filled by the plugin in frame_request(). */
typedef struct vigil_frame_request {
  uint32_t struct_size;     /* set by the host before the call */
  uint32_t flags;           /* VIGIL_FRAMES_* */
  double frames_per_second; /* when not EVERY_FRAME: > 0 and <= 1000 */
  uint32_t max_side;        /* 0 in revision 1 (full size); anything else is refused */
  uint32_t pixel_format;    /* VIGIL_PIXEL_RGB8 in revision 1 (0 means RGB8) */
} vigil_frame_request_t;

/* The video being lent. Owned by the host, valid until end_video returns. */
typedef struct vigil_video_info {
  uint32_t struct_size;
  uint32_t width;
  uint32_t height;
  uint32_t reserved;
  double frame_rate;       /* frames per second (the stream's average rate) */
  double duration_seconds; /* 0 when the container does not say */
  int64_t declared_frames; /* 0 when the container does not say */
} vigil_video_info_t;

/* One sampled frame, borrowed for one analyze_frame call: do not keep the pointers. */
typedef struct vigil_frame_view {
  uint32_t struct_size;
  uint32_t reserved;
  int64_t frame_number;     /* 0-based, presentation order */
  double timestamp_seconds; /* frame_number / frame_rate */
  vigil_image_view_t image; /* RGB8, orientation 1 */
} vigil_frame_view_t;

typedef struct vigil_frames_ext {
  uint32_t struct_size;
  uint32_t reserved;

  /* [any-thread] Which frames this instance wants; asked once per instance, right
   * after create. A status other than VIGIL_OK, or a request the host cannot serve
   * (rate <= 0 or > 1000, max_side != 0, another pixel format), fails every video item
   * for this detector with the reason. */
  vigil_status_t (*frame_request)(void *instance, vigil_frame_request_t *request);

  /* [thread-safe unless SERIAL] One video starts. `item` is the video item (bytes and
   * metadata; image NULL), borrowed for this call only (copy what is needed later:
   * in a worker the bytes' mapping may not outlive it); `info` is valid until
   * end_video returns. The plugin may
   * store its per-video state in *video (the host passes it back, and never looks at
   * it). On failure the host still calls end_video (with the *video it got, or NULL). */
  vigil_status_t (*begin_video)(void *instance, const vigil_item_view_t *item,
                                const vigil_video_info_t *info, void **video,
                                const vigil_sink_t *err);

  /* [thread-safe unless SERIAL] One sampled frame. A status other than VIGIL_OK stops
   * the frames for this video (end_video follows) and fails the item for this
   * detector with the text written to err. Poll host->is_cancelled on long work. */
  vigil_status_t (*analyze_frame)(void *instance, void *video, const vigil_frame_view_t *frame,
                                  const vigil_sink_t *err);

  /* [thread-safe unless SERIAL] The video ends. Writes the video's one serialized
   * vigil.v1.AnalysisResult to `out` and frees *video's state. decode_status is VIGIL_OK
   * when every wanted frame was lent; otherwise (VIGIL_ERR_BAD_INPUT: corrupt or
   * truncated, VIGIL_ERR_RESOURCE: a limit, VIGIL_ERR_CANCELLED, or the failing
   * frame call's status) the host records the item as failed for this detector, never
   * clean, whatever the plugin writes. */
  vigil_status_t (*end_video)(void *instance, void *video, vigil_status_t decode_status,
                              const vigil_sink_t *out, const vigil_sink_t *err);
} vigil_frames_ext_t;

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_EXT_FRAMES_H */
