// Fuzzes the whole untrusted-input surface of vigil_decode: sniffing, every decoder,
// EXIF parsing and ApplyOrientation. Limits are lowered so that a fuzzer-made header
// cannot make one iteration allocate gigabytes; anything beyond them must come back
// as a Status, never a crash, hang or sanitizer report.
#include <cstddef>
#include <cstdint>

#include "vigil/decode/image_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::decode::DecodeLimits limits;
  limits.max_pixels = 4'000'000;
  limits.max_dimension = 8'192;
  limits.max_input_bytes = 1u << 20;
  auto decoded = vigil::decode::DecodeImage(data, size, limits);
  if (!decoded.ok()) return 0;
  const auto& image = decoded.value();
  if (image.pixels.size() != image.stride * image.height) __builtin_trap();
  if (image.width * 4 * image.height < 1'000'000) {
    auto upright = vigil::decode::ApplyOrientation(image);
    if (upright.pixels.size() != image.pixels.size()) __builtin_trap();
  }
  return 0;
}
