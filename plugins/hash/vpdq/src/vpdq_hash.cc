// vPDQ hashing: each frame vigil_video lends goes straight to one PdqHasher (no copy, no
// queue: the frame buffer is reused for the next frame, so memory stays one frame).
#include "vigil/vpdq/vpdq_hash.h"

#include <utility>

#include "vigil/vpdq/frame_hasher.h"

namespace vigil::vpdq {

StatusOr<std::vector<FrameHash>> HashVideo(video::VideoDecoder& decoder,
                                           const video::SamplingOptions& sampling,
                                           HashStats* stats) {
  const video::VideoInfo& info = decoder.info();
  FrameHasher hasher(info.frame_rate);
  std::vector<FrameHash> frames;
  HashStats local;
  HashStats& out = stats != nullptr ? *stats : local;
  out.frame_rate = info.frame_rate;
  out.width = info.width;
  out.height = info.height;
  Status s = decoder.ForEachFrame(
      sampling,
      [&](const video::VideoFrame& frame) -> Status {
        auto h = hasher.Hash(frame.rgb, frame.width, frame.height, frame.stride, frame.frame_number,
                             frame.timestamp_seconds);
        if (!h.ok()) return h.status();
        frames.push_back(*h);
        return Status::Ok();
      },
      &out.decode);
  if (!s.ok()) return s;
  return frames;
}

StatusOr<std::vector<FrameHash>> HashVideoFile(const std::string& path,
                                               const video::SamplingOptions& sampling,
                                               const video::VideoLimits& limits, HashStats* stats) {
  auto decoder = video::VideoDecoder::OpenFile(path, limits);
  if (!decoder.ok()) return decoder.status();
  return HashVideo(**decoder, sampling, stats);
}

}  // namespace vigil::vpdq
