// PDQ perceptual hashing (Meta, 2017; the algorithm description the reference cites is
// pdqhash-2017-10-09.pdf, facebookexternal/ThreatExchange-PDQ), bit-exact with the
// reference C++ (facebook/ThreatExchange pdq/cpp) when given the same decoded pixels.
//
// Pipeline: luminance (0.299 R + 0.587 G + 0.114 B, in float) -> two passes of a
// Jarosz box ("tent") filter with window ceil(dim / 128) per axis -> 64x64 decimation
// at pixel centres -> quality (thresholded neighbour gradients) -> 16x16 DCT
// coefficients 1..16 x 1..16 (DC skipped) -> bit set where coefficient > median.
//
// Matching the reference beyond the core algorithm (its pdqio.cpp + ImageMagick decode):
//   * Images larger than 512 px on either side are first resized to 512x512 by nearest
//     neighbour, exactly as the reference's CImg resize(512, 512) does (source index
//     floor(x * width / 512)). This is the default; HashOptions::downsample_large_images
//     = false hashes every pixel instead: ~8x slower at 1600x1004, and large images
//     then land 2..10 bits from the reference (measured on bridge, c.png, pen-and-coaster
//     and shrink-a-little), like the pure-Python port that does not resize.
//   * Grey images: the reference hashes grey files through a single-channel path where
//     luma = grey value, because ImageMagick hands CImg a PGM/PBM for any image whose
//     pixels all have R == G == B. The float RGB formula is off by an ulp for 35 of the
//     256 grey levels, so with HashOptions::exact_grey (default) an RGB image whose
//     pixels are all grey takes that single-channel path too.
//   * Images under 5 px on a side (after the resize) hash to all zeros with quality 0;
//     that is a result, not an error.
//   * A 64x64 image skips the box filter (the reference's pre-downsampled-frame path).
#ifndef VIGIL_PDQ_PDQ_H_
#define VIGIL_PDQ_PDQ_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "vigil/pdq/hash256.h"
#include "vigil/pdq/status.h"

namespace vigil::pdq {

enum class PixelFormat : uint8_t {
  kGray8 = 1,  // 1 byte per pixel
  kRgb8 = 2,   // R G B
  kRgba8 = 3,  // R G B A; alpha is ignored (the reference's ImageMagick->PNM decode drops it)
};

// Borrowed pixels. REQUIRES: `pixels` points at `size_bytes` readable bytes holding
// `height` rows of `stride` bytes (the last row may be just width * bytes-per-pixel).
struct ImageView {
  const uint8_t* pixels = nullptr;
  size_t size_bytes = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  size_t stride = 0;
  PixelFormat format = PixelFormat::kRgb8;
};

struct HashOptions {
  // Resize images larger than 512 px on a side to 512x512 by nearest neighbour first,
  // as the reference does. Off: filter the full image (window grows with the size).
  bool downsample_large_images = true;
  // Hash all-grey RGB images through the grey path (see the file comment).
  bool exact_grey = true;
  // Without the resize the hasher allocates 8 bytes per pixel; refuse beyond this.
  uint64_t max_pixels_without_downsampling = 100'000'000;
};

struct HashResult {
  Hash256 hash;
  int quality = 0;  // 0..100; the reference suggests ignoring hashes with quality < 50
};

// The eight dihedral transforms, in the reference's (--pdqdih) order. Geometry with x
// right and y down, as the reference's coefficient rules imply (and as
// tests/unit/hash/pdq_dihedral_test.cc checks on pixels transformed in the test):
enum class Dihedral : uint8_t {
  kOriginal = 0,
  kRotate90 = 1,  // 90 degrees counter-clockwise: output (x, y) = input (w-1-y, x)
  kRotate180 = 2,
  kRotate270 = 3,   // 90 degrees clockwise
  kFlipX = 4,       // top-bottom mirror (across the horizontal axis)
  kFlipY = 5,       // left-right mirror
  kFlipPlus1 = 6,   // transpose (across the main diagonal)
  kFlipMinus1 = 7,  // across the anti-diagonal
};
inline constexpr int kDihedralCount = 8;
const char* DihedralName(Dihedral d);

struct DihedralHashes {
  // hashes[static_cast<int>(Dihedral::kX)] is the hash the transformed image would
  // have (computed from the DCT coefficients, without re-hashing pixels).
  std::array<Hash256, kDihedralCount> hashes{};
  int quality = 0;
};

// The 16x16 DCT coefficients the hash bits are thresholded from (row-major, index
// 16 * row + col = hash bit index): the reference's pdqFloat256FromFloatLuma output.
// All zero for images under 5 px. For diagnostics and bit-exactness tests.
struct DctCoefficients {
  std::array<float, 256> values{};
  int quality = 0;
};

namespace internal {
struct FilterScratch;
}  // namespace internal

// Hashes images. Keeps its scratch buffers between calls, so hashing many images
// allocates nothing after the first of each size.
// Thread safety: an instance is not thread-safe; use one per thread.
class PdqHasher {
 public:
  explicit PdqHasher(HashOptions options = {});
  ~PdqHasher();
  PdqHasher(PdqHasher&&) noexcept;
  PdqHasher& operator=(PdqHasher&&) noexcept;

  const HashOptions& options() const { return options_; }

  // Errors (kInvalidArgument): null pixels, zero width or height, a stride shorter
  // than a row, a buffer shorter than the rows it should hold (or whose size
  // overflows), an unknown pixel format. kResource: too many pixels without resizing.
  Result<HashResult> Hash(const ImageView& image);
  Result<DihedralHashes> HashDihedral(const ImageView& image);
  Result<DctCoefficients> Coefficients(const ImageView& image);

 private:
  // Runs everything up to the 16x16 DCT. Sets *too_small (and no coefficients) for
  // images under 5 px on a side.
  Status ComputeDct(const ImageView& image, float dct[16][16], int* quality, bool* too_small);

  HashOptions options_;
  std::vector<float> buffer_a_;
  std::vector<float> buffer_b_;
  std::vector<uint32_t> source_x_;  // nearest-neighbour resize maps
  std::vector<uint32_t> source_y_;
  std::vector<uint8_t> gathered_row_;
  std::unique_ptr<internal::FilterScratch> filter_scratch_;
};

// Convenience: one call with default options (thread-local hasher).
Result<HashResult> HashImage(const ImageView& image);

}  // namespace vigil::pdq

#endif  // VIGIL_PDQ_PDQ_H_
