// Luminance extraction, fused with the reference's nearest-neighbour pre-resize.
#ifndef VIGIL_PDQ_SRC_LUMA_H_
#define VIGIL_PDQ_SRC_LUMA_H_

#include <cstdint>
#include <vector>

#include "vigil/pdq/pdq.h"

namespace vigil::pdq::internal {

int BytesPerPixel(PixelFormat format);

// True when every pixel has R == G == B (always true for kGray8). Stops at the first
// coloured pixel, so a colour photo costs a few bytes of reading.
bool IsAllGrey(const ImageView& image);

// Writes `rows` x `cols` luma values (row-major) sampled from `image` by nearest
// neighbour with CImg's mapping (source index floor(i * size / new_size); the identity
// when sizes are equal). grey_path: luma = first channel, else the reference's float
// 0.299 R + 0.587 G + 0.114 B, evaluated left to right.
// source_x / source_y / gathered are scratch (resize maps, one resampled row).
// REQUIRES: image validated by the caller; luma has rows * cols floats.
void FillLuma(const ImageView& image, int rows, int cols, bool grey_path, float* luma,
              std::vector<uint32_t>& source_x, std::vector<uint32_t>& source_y,
              std::vector<uint8_t>& gathered);

}  // namespace vigil::pdq::internal

#endif  // VIGIL_PDQ_SRC_LUMA_H_
