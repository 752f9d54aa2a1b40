#include "luma.h"

#include <cstring>
#include <vector>

namespace vigil::pdq::internal {
namespace {

// The reference's coefficients are floats initialised from these double literals.
constexpr float kLumaR = 0.299;
constexpr float kLumaG = 0.587;
constexpr float kLumaB = 0.114;

// Built for AVX2 and for baseline x86-64, picked at load time; the float operations
// and their order are the same in both (no FMA: -ffp-contract=off), so are the bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VIGIL_PDQ_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define VIGIL_PDQ_MULTIVERSION
#endif

// 0.299 R + 0.587 G + 0.114 B in float, left to right, as the reference; written so
// the compiler vectorises the de-interleave.
VIGIL_PDQ_MULTIVERSION
void RgbRowToLuma(const uint8_t* __restrict row, float* __restrict out, int cols) {
  for (int j = 0; j < cols; ++j) {
    const uint8_t* p = row + 3 * j;
    out[j] = kLumaR * static_cast<float>(p[0]) + kLumaG * static_cast<float>(p[1]) +
             kLumaB * static_cast<float>(p[2]);
  }
}

VIGIL_PDQ_MULTIVERSION
void RgbaRowToLuma(const uint8_t* __restrict row, float* __restrict out, int cols) {
  for (int j = 0; j < cols; ++j) {
    const uint8_t* p = row + 4 * j;
    out[j] = kLumaR * static_cast<float>(p[0]) + kLumaG * static_cast<float>(p[1]) +
             kLumaB * static_cast<float>(p[2]);
  }
}

VIGIL_PDQ_MULTIVERSION
void GreyRowToLuma(const uint8_t* __restrict row, float* __restrict out, int cols, int bpp) {
  for (int j = 0; j < cols; ++j) out[j] = static_cast<float>(row[j * bpp]);
}

// Source index for each output index: CImg's resize(..., interpolation 1) walks the
// source with offsets (i + 1) * size / new_size - i * size / new_size.
void SourceIndices(uint32_t size, int new_size, std::vector<uint32_t>& out) {
  out.resize(static_cast<size_t>(new_size));
  for (int i = 0; i < new_size; ++i) {
    out[static_cast<size_t>(i)] =
        static_cast<uint32_t>(static_cast<uint64_t>(i) * size / static_cast<uint64_t>(new_size));
  }
}

}  // namespace

int BytesPerPixel(PixelFormat format) {
  switch (format) {
    case PixelFormat::kGray8:
      return 1;
    case PixelFormat::kRgb8:
      return 3;
    case PixelFormat::kRgba8:
      return 4;
  }
  return 0;
}

bool IsAllGrey(const ImageView& image) {
  const int bpp = BytesPerPixel(image.format);
  if (bpp == 1) return true;
  for (uint32_t y = 0; y < image.height; ++y) {
    const uint8_t* p = image.pixels + static_cast<size_t>(y) * image.stride;
    const uint8_t* end = p + static_cast<size_t>(image.width) * static_cast<size_t>(bpp);
    for (; p < end; p += bpp) {
      if (p[0] != p[1] || p[1] != p[2]) return false;
    }
  }
  return true;
}

void FillLuma(const ImageView& image, int rows, int cols, bool grey_path, float* luma,
              std::vector<uint32_t>& src_x, std::vector<uint32_t>& src_y,
              std::vector<uint8_t>& gathered) {
  const int bpp = BytesPerPixel(image.format);
  const bool resampled_x = static_cast<uint32_t>(cols) != image.width;
  const bool resampled_y = static_cast<uint32_t>(rows) != image.height;
  if (resampled_x) {
    SourceIndices(image.width, cols, src_x);
    for (auto& x : src_x) x *= static_cast<uint32_t>(bpp);
    gathered.resize(static_cast<size_t>(cols) * static_cast<size_t>(bpp));
  }
  if (resampled_y) SourceIndices(image.height, rows, src_y);

  for (int i = 0; i < rows; ++i) {
    const size_t sy = resampled_y ? src_y[static_cast<size_t>(i)] : static_cast<size_t>(i);
    const uint8_t* row = image.pixels + sy * image.stride;
    float* out = luma + static_cast<size_t>(i) * static_cast<size_t>(cols);
    if (resampled_x) {
      // Nearest-neighbour columns first gathered into a packed row, then converted
      // like any other row.
      uint8_t* g = gathered.data();
      const uint32_t* xs = src_x.data();
      if (bpp == 1) {
        for (int j = 0; j < cols; ++j) g[j] = row[xs[j]];
      } else if (bpp == 3) {
        for (int j = 0; j < cols; ++j, g += 3) std::memcpy(g, row + xs[j], 3);
      } else {
        for (int j = 0; j < cols; ++j, g += 4) std::memcpy(g, row + xs[j], 4);
      }
      row = gathered.data();
    }
    if (grey_path) {
      GreyRowToLuma(row, out, cols, bpp);
    } else if (bpp == 3) {
      RgbRowToLuma(row, out, cols);
    } else {
      RgbaRowToLuma(row, out, cols);
    }
  }
}

}  // namespace vigil::pdq::internal
