// vPDQ hashing: each frame vigil_video lends goes straight to one PdqHasher (no copy, no
// queue: the frame buffer is reused for the next frame, so memory stays one frame).
#include "vigil/vpdq/vpdq_hash.h"

#include <utility>

#include "vigil/pdq/pdq.h"

namespace vigil::vpdq {

StatusOr<std::vector<FrameHash>> HashVideo(video::VideoDecoder& decoder,
                                           const video::SamplingOptions& sampling,
                                           HashStats* stats) {
  pdq::HashOptions options;
  options.downsample_large_images = false;  // the reference filters the full frame
  options.exact_grey = false;               // and always takes luma from RGB
  pdq::PdqHasher hasher(options);
  const video::VideoInfo& info = decoder.info();
  const float frame_rate = static_cast<float>(info.frame_rate);
  std::vector<FrameHash> frames;
  HashStats local;
  HashStats& out = stats != nullptr ? *stats : local;
  out.frame_rate = info.frame_rate;
  out.width = info.width;
  out.height = info.height;
  Status s = decoder.ForEachFrame(
      sampling,
      [&](const video::VideoFrame& frame) -> Status {
        pdq::ImageView view;
        view.pixels = frame.rgb;
        view.width = frame.width;
        view.height = frame.height;
        view.stride = frame.stride;
        view.size_bytes = frame.stride * (frame.height - 1) + 3ull * frame.width;
        view.format = pdq::PixelFormat::kRgb8;
        auto hashed = hasher.Hash(view);
        if (!hashed.ok()) {
          return Status::Internal("PDQ of frame " + std::to_string(frame.frame_number) +
                                  " failed: " + hashed.status().message());
        }
        FrameHash h;
        h.frame_number = frame.frame_number;
        h.quality = hashed->quality;
        h.hash = hashed->hash;
        // The reference's float arithmetic, so the printed timestamps agree to the digit.
        h.timestamp_seconds =
            static_cast<double>(static_cast<float>(frame.frame_number) / frame_rate);
        frames.push_back(h);
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
