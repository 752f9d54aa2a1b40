// ApplyOrientation: EXIF orientation to upright pixels.
#include <cstring>

#include "vigil/decode/image_decoder.h"

namespace vigil::decode {

DecodedImage ApplyOrientation(const DecodedImage& image) {
  const int o = image.orientation;
  DecodedImage out;
  out.format = image.format;
  out.pixel_format = image.pixel_format;
  out.orientation = 1;
  if (o < 2 || o > 8) {
    out.width = image.width;
    out.height = image.height;
    out.stride = image.stride;
    out.pixels.assign(image.pixel_data(), image.pixel_data() + image.pixel_bytes());
    return out;
  }
  // Orientations 5..8 swap the sides.
  const bool swaps = o >= 5;
  const uint32_t w = image.width;
  const uint32_t h = image.height;
  out.width = swaps ? h : w;
  out.height = swaps ? w : h;
  out.stride = static_cast<size_t>(out.width) * 3;
  out.pixels.resize(out.stride * out.height);

  // For each stored pixel (x, y), where it lands in the upright image. EXIF: 2 mirror,
  // 3 rotate 180, 4 flip vertical, 5 transpose, 6 rotate 90 CW, 7 transverse,
  // 8 rotate 90 CCW.
  for (uint32_t y = 0; y < h; ++y) {
    const uint8_t* src = image.pixel_data() + static_cast<size_t>(y) * image.stride;
    for (uint32_t x = 0; x < w; ++x) {
      uint32_t ux = x;
      uint32_t uy = y;
      switch (o) {
        case 2:
          ux = w - 1 - x;
          uy = y;
          break;
        case 3:
          ux = w - 1 - x;
          uy = h - 1 - y;
          break;
        case 4:
          ux = x;
          uy = h - 1 - y;
          break;
        case 5:
          ux = y;
          uy = x;
          break;
        case 6:
          ux = h - 1 - y;
          uy = x;
          break;
        case 7:
          ux = h - 1 - y;
          uy = w - 1 - x;
          break;
        case 8:
          ux = y;
          uy = w - 1 - x;
          break;
        default:
          break;
      }
      std::memcpy(out.pixels.data() + static_cast<size_t>(uy) * out.stride + 3u * ux, src + 3u * x,
                  3);
    }
  }
  return out;
}

}  // namespace vigil::decode
