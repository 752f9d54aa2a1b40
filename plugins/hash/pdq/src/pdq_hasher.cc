// PdqHasher: input validation and the pipeline order of the reference's
// pdqHash256FromFile / pdqDihedralHash256esFromFile (minus the decoder).
#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "dct16.h"
#include "hash_bits.h"
#include "jarosz_filter.h"
#include "luma.h"
#include "quality_metric.h"
#include "vigil/pdq/pdq.h"

namespace vigil::pdq {
namespace {

constexpr uint32_t kDownsampleDimension = 512;  // the reference's DOWNSAMPLE_DIMS
constexpr int kMinHashableDimension = 5;        // the reference's MIN_HASHABLE_DIM
constexpr int kDownsampled = 64;

Status Validate(const ImageView& image) {
  const int bpp = internal::BytesPerPixel(image.format);
  if (bpp == 0) return Status::InvalidArgument("unknown pixel format");
  if (image.pixels == nullptr) return Status::InvalidArgument("image has no pixels (null)");
  if (image.width == 0 || image.height == 0) {
    return Status::InvalidArgument("image is empty (" + std::to_string(image.width) + "x" +
                                   std::to_string(image.height) + ")");
  }
  const uint64_t row_bytes = static_cast<uint64_t>(image.width) * static_cast<uint64_t>(bpp);
  if (image.stride < row_bytes) {
    return Status::InvalidArgument("stride " + std::to_string(image.stride) +
                                   " is shorter than a row of " + std::to_string(row_bytes) +
                                   " bytes");
  }
  // (height - 1) * stride + row_bytes, without overflowing.
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const uint64_t rows_before_last = image.height - 1u;
  if (rows_before_last != 0 && image.stride > (max - row_bytes) / rows_before_last) {
    return Status::InvalidArgument("stride " + std::to_string(image.stride) +
                                   " times height overflows the address space");
  }
  const uint64_t needed = rows_before_last * image.stride + row_bytes;
  if (needed > image.size_bytes) {
    return Status::InvalidArgument("pixel buffer holds " + std::to_string(image.size_bytes) +
                                   " bytes but the image needs " + std::to_string(needed));
  }
  return Status::Ok();
}

}  // namespace

const char* DihedralName(Dihedral d) {
  switch (d) {
    case Dihedral::kOriginal:
      return "original";
    case Dihedral::kRotate90:
      return "rotate90";
    case Dihedral::kRotate180:
      return "rotate180";
    case Dihedral::kRotate270:
      return "rotate270";
    case Dihedral::kFlipX:
      return "flipx";
    case Dihedral::kFlipY:
      return "flipy";
    case Dihedral::kFlipPlus1:
      return "flipplus1";
    case Dihedral::kFlipMinus1:
      return "flipminus1";
  }
  return "unknown";
}

PdqHasher::PdqHasher(HashOptions options)
    : options_(options), filter_scratch_(std::make_unique<internal::FilterScratch>()) {}

PdqHasher::~PdqHasher() = default;
PdqHasher::PdqHasher(PdqHasher&&) noexcept = default;
PdqHasher& PdqHasher::operator=(PdqHasher&&) noexcept = default;

Status PdqHasher::ComputeDct(const ImageView& image, float dct[16][16], int* quality,
                             bool* too_small) {
  if (Status s = Validate(image); !s.ok()) return s;

  int rows = static_cast<int>(image.height);
  int cols = static_cast<int>(image.width);
  const bool large = image.width > kDownsampleDimension || image.height > kDownsampleDimension;
  if (large && options_.downsample_large_images) {
    rows = cols = static_cast<int>(kDownsampleDimension);
  } else {
    const uint64_t pixels = static_cast<uint64_t>(image.width) * image.height;
    if (pixels > options_.max_pixels_without_downsampling ||
        image.width > static_cast<uint32_t>(std::numeric_limits<int>::max() / 2) ||
        image.height > static_cast<uint32_t>(std::numeric_limits<int>::max() / 2)) {
      return Status::Resource("image of " + std::to_string(image.width) + "x" +
                              std::to_string(image.height) +
                              " pixels is above the hasher's limit without downsampling (" +
                              std::to_string(options_.max_pixels_without_downsampling) +
                              " pixels); enable downsample_large_images");
    }
  }

  *too_small = rows < kMinHashableDimension || cols < kMinHashableDimension;
  *quality = 0;
  if (*too_small) return Status::Ok();

  const bool grey =
      image.format == PixelFormat::kGray8 || (options_.exact_grey && internal::IsAllGrey(image));
  // The filter's last passes keep rows x 64 values, so small images need that much.
  const size_t n = static_cast<size_t>(rows) * static_cast<size_t>(std::max(cols, kDownsampled));
  if (buffer_a_.size() < n) buffer_a_.resize(n);
  if (buffer_b_.size() < n) buffer_b_.resize(n);
  internal::FillLuma(image, rows, cols, grey, buffer_a_.data(), source_x_, source_y_,
                     gathered_row_);

  float downsampled[kDownsampled][kDownsampled];
  if (rows == kDownsampled && cols == kDownsampled) {
    // Already 64x64: the reference skips the filter (its pre-downsampled-frame path).
    std::memcpy(downsampled, buffer_a_.data(), sizeof(downsampled));
  } else {
    if (filter_scratch_ == nullptr) {  // a moved-from hasher stays usable
      filter_scratch_ = std::make_unique<internal::FilterScratch>();
    }
    internal::BlurAndDecimate(buffer_a_.data(), buffer_b_.data(), rows, cols,
                              internal::JaroszWindowSize(cols, kDownsampled),
                              internal::JaroszWindowSize(rows, kDownsampled), *filter_scratch_,
                              downsampled);
  }
  *quality = internal::QualityMetric(downsampled);
  internal::Dct64To16(downsampled, dct);
  return Status::Ok();
}

Result<HashResult> PdqHasher::Hash(const ImageView& image) {
  float dct[16][16];
  HashResult result;
  bool too_small = false;
  if (Status s = ComputeDct(image, dct, &result.quality, &too_small); !s.ok()) return s;
  if (!too_small) result.hash = internal::ThresholdAtMedian(dct);
  return result;
}

Result<DihedralHashes> PdqHasher::HashDihedral(const ImageView& image) {
  float dct[16][16];
  DihedralHashes result;
  bool too_small = false;
  if (Status s = ComputeDct(image, dct, &result.quality, &too_small); !s.ok()) return s;
  if (too_small) return result;
  float transformed[16][16];
  for (int d = 0; d < kDihedralCount; ++d) {
    internal::DihedralTransform(static_cast<Dihedral>(d), dct, transformed);
    result.hashes[static_cast<size_t>(d)] = internal::ThresholdAtMedian(transformed);
  }
  return result;
}

Result<DctCoefficients> PdqHasher::Coefficients(const ImageView& image) {
  float dct[16][16] = {};
  DctCoefficients result;
  bool too_small = false;
  if (Status s = ComputeDct(image, dct, &result.quality, &too_small); !s.ok()) return s;
  if (!too_small) std::memcpy(result.values.data(), dct, sizeof(dct));
  return result;
}

Result<HashResult> HashImage(const ImageView& image) {
  thread_local PdqHasher hasher;
  return hasher.Hash(image);
}

}  // namespace vigil::pdq
