// The re-encodings a robustness study applies to benign videos (issue 17 item 4, "re-encode
// for video"): H.264 at a constant rate factor, scaled copies, a lower frame rate and
// MPEG-4 part 2, each at named strengths, written as MP4 into memory with FFmpeg's
// libraries (libavcodec, libavformat, libswscale: the ones vigil_video decodes with).
#ifndef VIGIL_HOST_EVAL_VIDEO_TRANSFORMS_H_
#define VIGIL_HOST_EVAL_VIDEO_TRANSFORMS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "eval/image_transforms.h"
#include "vigil/video/video_decoder.h"

namespace vigil::eval {

// Same shape as the image transforms' table (TransformStrength: label and value).
struct VideoTransformSpec {
  std::string name;     // "h264", "scale", "fps", "mpeg4"
  std::string meaning;  // what a strength measures, for reports and --help
  std::vector<TransformStrength> full;
  std::vector<TransformStrength> small;
};

// Every video transform, in report order.
const std::vector<VideoTransformSpec>& VideoTransforms();

// The spec named `name`, or nullptr.
const VideoTransformSpec* FindVideoTransform(const std::string& name);

// The x264 preset every H.264 copy is made with (FFmpeg's own default).
inline constexpr char kX264Preset[] = "medium";

// A copy larger than this is refused (every copy of one video is held in memory at once).
inline constexpr uint64_t kMaxCopyBytes = 512ull << 20;

// One re-encoded copy of one video, made frame by frame as the original is decoded:
//   h264 CRF:   libx264 at that CRF, same size and frame rate;
//   scale F:    both sides times F (rounded to even, bicubic), then H.264 CRF 23;
//   fps F:      the frame rate times F (each output moment takes the nearest source frame),
//               then H.264 CRF 23;
//   mpeg4 Q:    FFmpeg's MPEG-4 part 2 encoder at constant quantiser Q.
// Every copy is 8-bit 4:2:0, encoded on one thread, muxed as MP4 into memory.
class VideoReencoder {
 public:
  // Errors: an unknown transform, a strength out of its range, a source without a size or
  // frame rate, an encoder missing from this FFmpeg build.
  static StatusOr<std::unique_ptr<VideoReencoder>> Create(const std::string& name, double strength,
                                                          uint32_t width, uint32_t height,
                                                          double frame_rate);
  ~VideoReencoder();
  VideoReencoder(const VideoReencoder&) = delete;
  VideoReencoder& operator=(const VideoReencoder&) = delete;

  // The original's frames, every one, in order (as vigil_video lends them with
  // SamplingOptions::every_frame). A frame of another size is scaled to the copy's size.
  Status AddFrame(const video::VideoFrame& frame);

  // Flushes the encoder and returns the MP4's bytes. Call once, after the last frame.
  StatusOr<std::vector<uint8_t>> Finish();

  uint32_t width() const;
  uint32_t height() const;
  double frame_rate() const;

  struct Impl;

 private:
  explicit VideoReencoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::eval

#endif  // VIGIL_HOST_EVAL_VIDEO_TRANSFORMS_H_
