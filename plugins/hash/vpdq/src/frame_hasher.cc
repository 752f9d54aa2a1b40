#include "vigil/vpdq/frame_hasher.h"

#include <string>

namespace vigil::vpdq {

namespace {

pdq::HashOptions ReferenceFrameOptions() {
  pdq::HashOptions options;
  options.downsample_large_images = false;  // the reference filters the full frame
  options.exact_grey = false;               // and always takes luma from RGB
  return options;
}

}  // namespace

FrameHasher::FrameHasher(double frame_rate)
    : hasher_(ReferenceFrameOptions()), frame_rate_(static_cast<float>(frame_rate)) {}

StatusOr<FrameHash> FrameHasher::Hash(const uint8_t* rgb, uint32_t width, uint32_t height,
                                      size_t stride, int64_t frame_number,
                                      double timestamp_if_no_rate) {
  FrameHash h;
  h.frame_number = frame_number;
  h.timestamp_seconds =
      frame_rate_ > 0 ? static_cast<double>(static_cast<float>(frame_number) / frame_rate_)
                      : timestamp_if_no_rate;
  if (width < 5 || height < 5) return h;  // quality 0, zero hash: as PDQ of a tiny image
  pdq::ImageView view;
  view.pixels = rgb;
  view.width = width;
  view.height = height;
  view.stride = stride;
  view.size_bytes = stride * (height - 1) + 3ull * width;
  view.format = pdq::PixelFormat::kRgb8;
  auto hashed = hasher_.Hash(view);
  if (!hashed.ok()) {
    return Status::Internal("PDQ of frame " + std::to_string(frame_number) +
                            " failed: " + hashed.status().message());
  }
  h.quality = hashed->quality;
  h.hash = hashed->hash;
  return h;
}

}  // namespace vigil::vpdq
