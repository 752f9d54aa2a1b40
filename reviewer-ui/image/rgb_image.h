// RgbImage: 8-bit RGB pixels, rows top first, no padding (stride == 3 * width).
#ifndef VIGIL_REVIEWER_UI_IMAGE_RGB_IMAGE_H_
#define VIGIL_REVIEWER_UI_IMAGE_RGB_IMAGE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vigil::review {

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // height * width * 3 bytes

  RgbImage() = default;
  RgbImage(int w, int h) : width(w), height(h), pixels(static_cast<size_t>(w) * h * 3, 0) {}
  bool empty() const { return width <= 0 || height <= 0; }
  uint8_t* at(int x, int y) { return &pixels[(static_cast<size_t>(y) * width + x) * 3]; }
  const uint8_t* at(int x, int y) const {
    return &pixels[(static_cast<size_t>(y) * width + x) * 3];
  }
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_IMAGE_RGB_IMAGE_H_
