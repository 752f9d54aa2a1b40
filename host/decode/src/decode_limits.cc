// Limits against decompression bombs, applied to header values before allocation.
#include <string>

#include "decoders.h"

namespace vigil::decode::internal {

Status CheckDimensions(uint64_t width, uint64_t height, const DecodeLimits& limits,
                       const char* what) {
  const std::string dims = std::to_string(width) + "x" + std::to_string(height);
  if (width == 0 || height == 0) {
    return Status::Corruption(std::string(what) + " header declares an empty image (" + dims + ")");
  }
  if (width > limits.max_dimension || height > limits.max_dimension) {
    return Status::Resource(std::string(what) + " image is " + dims +
                            ", a side above the limit of " + std::to_string(limits.max_dimension) +
                            " pixels (max_dimension); refusing before decoding");
  }
  const uint64_t pixels = width * height;  // both <= max_dimension (uint32), no overflow
  if (pixels > limits.max_pixels) {
    return Status::Resource(std::string(what) + " image is " + dims + " = " +
                            std::to_string(pixels) + " pixels, above the limit of " +
                            std::to_string(limits.max_pixels) +
                            " pixels (max_pixels); refusing before decoding");
  }
  return Status::Ok();
}

Status AllocateRgb(uint32_t width, uint32_t height, const DecodeLimits& limits,
                   DecodedImage& out) {
  out.width = width;
  out.height = height;
  out.stride = static_cast<size_t>(width) * 3;
  out.pixel_format = PixelFormat::kRgb8;
  if (!limits.storage) {
    out.pixels.assign(out.stride * height, 0);
    return Status::Ok();
  }
  auto storage = limits.storage(out.stride * height);
  if (!storage.ok()) return storage.status();
  if (storage.value() == nullptr) {
    return Status::Internal("the pixel storage factory returned null");
  }
  out.storage = std::move(storage).value();
  return Status::Ok();
}

}  // namespace vigil::decode::internal
