// PNG output for screenshots (libpng). Reading goes through vigil_decode.
#ifndef VIGIL_REVIEWER_UI_IMAGE_PNG_IO_H_
#define VIGIL_REVIEWER_UI_IMAGE_PNG_IO_H_

#include <string>

#include "core/status.h"
#include "image/rgb_image.h"

namespace vigil::review {

// Writes `image` as an 8-bit RGB PNG. kInvalidArgument for an empty image, kIoError when
// the file cannot be written (the message names the path).
Status WritePng(const std::string& path, const RgbImage& image);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_IMAGE_PNG_IO_H_
