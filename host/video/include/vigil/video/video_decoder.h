// vigil_video: decode a video item once with FFmpeg (Debian's libavformat, libavcodec and
// libswscale 5.1) and lend sampled frames, as full-size RGB24, to a callback (issue 16,
// item 1). Items are bytes in the host, so the normal entry point reads from memory
// through an AVIOContext; OpenFile() reads the file into the same path.
//
// Untrusted input, so:
//   * Limits (VideoLimits) are checked BEFORE memory is allocated for them: input bytes
//     before anything is read, dimensions / duration / declared frame count from the
//     container header before the first frame is decoded (the decoders also get
//     max_pixels, so a frame whose size was not in the header is refused by FFmpeg
//     before its buffer is allocated), and the decoded frame count while decoding.
//   * Only a fixed list of demuxers (VideoDemuxers()) is allowed and no demuxer may open
//     another file or URL (HLS playlists, concat lists, image sequences are refused).
//   * Memory is bounded however long the video: one packet, the decoder's own reference
//     frames and one RGB24 frame buffer, reused for every sampled frame.
//   * Every failure is one Status line: kInvalidArgument (empty input, not a video,
//     audio only), kResource (a limit, with the limit and the value), kCorruption
//     (corrupt or truncated data, with the frame where decoding stopped).
//
// Sampling follows the vPDQ reference (facebook/ThreatExchange vpdq/cpp filehasher.cpp):
// frames are numbered from 0 in presentation order; at a rate of R frames per second
// the frames whose number is a multiple of floor(frame_rate / R) (at least 1) are
// lent; a frame's timestamp is frame_number / frame_rate. When that step is longer than
// the gap between keyframes (known from the container's index), the decoder seeks to
// the keyframe before the next sampled frame instead of decoding everything between;
// frame numbers then come from the frames' presentation timestamps.
#ifndef VIGIL_VIDEO_VIDEO_DECODER_H_
#define VIGIL_VIDEO_VIDEO_DECODER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::video {

// Every default in one place (as vigil_decode's DecodeLimits). Zero means "no limit" for
// none of these: each is always enforced.
struct VideoLimits {
  uint64_t max_input_bytes = 4ull << 30;     // encoded size (4 GiB)
  uint32_t max_dimension = 8'192;            // either side, in pixels
  uint64_t max_pixels = 8'192ull * 4'320;    // width * height of one frame (8K)
  double max_duration_seconds = 4 * 3600.0;  // container or stream duration
  uint64_t max_frames = 1'500'000;           // declared or decoded frames (4 h at 100 fps)
};

struct SamplingOptions {
  bool every_frame = false;         // lend every frame (the reference files' mode)
  double frames_per_second = 1.0;   // otherwise this rate; > 0
  bool allow_keyframe_seek = true;  // seek when the sampling step exceeds the GOP
};

struct VideoInfo {
  uint32_t width = 0;
  uint32_t height = 0;
  double frame_rate = 0;         // avg_frame_rate, else r_frame_rate (as the reference)
  double duration_seconds = 0;   // 0 when the container does not say
  int64_t declared_frames = 0;   // the container's frame count, 0 when it does not say
  std::string container;         // FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;             // e.g. "h264"
  size_t keyframes_indexed = 0;  // keyframes in the container's index (0: no index)
};

// A sampled frame, lent for the duration of the callback only.
struct VideoFrame {
  const uint8_t* rgb = nullptr;  // height rows of `stride` bytes, R G B per pixel
  uint32_t width = 0;
  uint32_t height = 0;
  size_t stride = 0;
  int64_t frame_number = 0;      // 0-based, presentation order
  double timestamp_seconds = 0;  // frame_number / frame_rate
};

// Returning a non-ok Status stops decoding; ForEachFrame returns that Status.
using FrameCallback = std::function<Status(const VideoFrame&)>;

struct DecodeStats {
  int64_t frames_decoded = 0;  // frames out of the decoder (all of them, sampled or not)
  int64_t frames_lent = 0;     // frames given to the callback
  int seeks = 0;               // keyframe seeks made
};

// The demuxers VideoDecoder accepts (FFmpeg short names), comma-separated.
const char* VideoDemuxers();

class VideoDecoder {
 public:
  // Reads `size` bytes at `data`, which must stay valid and unchanged until the decoder
  // is destroyed (the host's item bytes). Errors as in the file comment.
  static StatusOr<std::unique_ptr<VideoDecoder>> OpenMemory(const uint8_t* data, size_t size,
                                                            const VideoLimits& limits = {});
  // Refuses files above limits.max_input_bytes before reading them; kIoError when the
  // file cannot be read.
  static StatusOr<std::unique_ptr<VideoDecoder>> OpenFile(const std::string& path,
                                                          const VideoLimits& limits = {});
  ~VideoDecoder();
  VideoDecoder(const VideoDecoder&) = delete;
  VideoDecoder& operator=(const VideoDecoder&) = delete;

  const VideoInfo& info() const;

  // Decodes from the start and lends the sampled frames in order. May be called once.
  // `stats` (optional) is filled in whether or not decoding succeeds.
  Status ForEachFrame(const SamplingOptions& sampling, const FrameCallback& callback,
                      DecodeStats* stats = nullptr);

  struct Impl;

 private:
  explicit VideoDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::video

#endif  // VIGIL_VIDEO_VIDEO_DECODER_H_
