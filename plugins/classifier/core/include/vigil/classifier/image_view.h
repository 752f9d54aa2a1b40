// A borrowed, already decoded image: what the host hands a detector (no second decode).
#ifndef VIGIL_CLASSIFIER_IMAGE_VIEW_H_
#define VIGIL_CLASSIFIER_IMAGE_VIEW_H_

#include <cstddef>
#include <cstdint>

namespace vigil::classifier {

// Same numbers as VIGIL_PIXEL_* in sdk/include/vigil/plugin.h, so a wrapper can cast.
enum class PixelFormat : uint32_t {
  kGray8 = 1,  // 1 byte per pixel; replicated to three channels
  kRgb8 = 2,   // 3 bytes per pixel, R G B
  kRgba8 = 3,  // 4 bytes per pixel, R G B A; alpha is ignored (not composited)
};

// Pixels are borrowed: owned by the caller and read only during the call that takes the
// view. Rows are `stride` bytes apart (stride >= width * bytes per pixel).
struct ImageView {
  int width = 0;
  int height = 0;
  size_t stride = 0;
  PixelFormat format = PixelFormat::kRgb8;
  const uint8_t* pixels = nullptr;
};

// Largest side the classifier accepts; larger views are refused (the host decodes with
// its own pixel limits, this is a second line against nonsense dimensions).
inline constexpr int kMaxImageSide = 1 << 16;

}  // namespace vigil::classifier

#endif  // VIGIL_CLASSIFIER_IMAGE_VIEW_H_
