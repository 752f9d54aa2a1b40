// PdqHasher: bad input, the small-image and resize rules, pixel formats and strides,
// and the optimised pipeline against a plain one-element-at-a-time transcription of
// the published algorithm on random images of awkward sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "vigil/pdq/pdq.h"

namespace vigil::pdq {
namespace {

// [SECTION] A plain transcription of PDQ, written for clarity, not speed.

struct PlainImage {
  int width;
  int height;
  std::vector<uint8_t> rgb;  // packed RGB8
};

void PlainBox1D(const float* in, float* out, int length, int stride, int window) {
  const int half = (window + 2) / 2;
  int ri = 0, li = 0, oi = 0, count = 0;
  float sum = 0.0f;
  for (int i = 0; i < half - 1; ++i, ri += stride) {
    sum += in[ri];
    ++count;
  }
  for (int i = 0; i < window - half + 1; ++i, ri += stride, oi += stride) {
    sum += in[ri];
    ++count;
    out[oi] = sum / static_cast<float>(count);
  }
  for (int i = 0; i < length - window; ++i, ri += stride, li += stride, oi += stride) {
    sum += in[ri];
    sum -= in[li];
    out[oi] = sum / static_cast<float>(count);
  }
  for (int i = 0; i < half - 1; ++i, li += stride, oi += stride) {
    sum -= in[li];
    --count;
    out[oi] = sum / static_cast<float>(count);
  }
}

HashResult PlainPdq(const PlainImage& img, bool downsample, std::array<float, 256>* dct_out) {
  int rows = img.height, cols = img.width;
  if (downsample && (rows > 512 || cols > 512)) rows = cols = 512;
  HashResult result;
  if (dct_out != nullptr) dct_out->fill(0.0f);
  if (rows < 5 || cols < 5) return result;
  bool grey = true;
  for (size_t p = 0; p + 2 < img.rgb.size(); p += 3) {
    grey = grey && img.rgb[p] == img.rgb[p + 1] && img.rgb[p + 1] == img.rgb[p + 2];
  }
  std::vector<float> a(static_cast<size_t>(rows * cols)), b(a.size());
  const float kr = 0.299, kg = 0.587, kb = 0.114;
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      const int sy = static_cast<int>(static_cast<int64_t>(y) * img.height / rows);
      const int sx = static_cast<int>(static_cast<int64_t>(x) * img.width / cols);
      const uint8_t* p = &img.rgb[static_cast<size_t>((sy * img.width + sx) * 3)];
      a[static_cast<size_t>(y * cols + x)] = grey ? static_cast<float>(p[0])
                                                  : kr * static_cast<float>(p[0]) +
                                                        kg * static_cast<float>(p[1]) +
                                                        kb * static_cast<float>(p[2]);
    }
  }
  float small[64][64];
  if (rows == 64 && cols == 64) {
    std::copy(a.begin(), a.end(), &small[0][0]);
  } else {
    const int wr = (cols + 127) / 128, wc = (rows + 127) / 128;
    for (int rep = 0; rep < 2; ++rep) {
      for (int y = 0; y < rows; ++y) PlainBox1D(&a[y * cols], &b[y * cols], cols, 1, wr);
      for (int x = 0; x < cols; ++x) PlainBox1D(&b[x], &a[x], rows, cols, wc);
    }
    for (int i = 0; i < 64; ++i) {
      for (int j = 0; j < 64; ++j) {
        const int si = static_cast<int>(((i + 0.5) * rows) / 64);
        const int sj = static_cast<int>(((j + 0.5) * cols) / 64);
        small[i][j] = a[static_cast<size_t>(si * cols + sj)];
      }
    }
  }
  int gradient = 0;
  for (int i = 0; i < 64; ++i) {
    for (int j = 0; j < 64; ++j) {
      if (i < 63)
        gradient += std::abs(static_cast<int>(((small[i][j] - small[i + 1][j]) * 100) / 255));
      if (j < 63)
        gradient += std::abs(static_cast<int>(((small[i][j] - small[i][j + 1]) * 100) / 255));
    }
  }
  result.quality = std::min(100, gradient / 90);
  float d[16][64];
  const float scale = static_cast<float>(std::sqrt(2.0 / 64));
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 64; ++j) {
      d[i][j] = static_cast<float>(
          scale * std::cos((3.14159265358979323846 / 128.0) * (i + 1) * (2 * j + 1)));
    }
  }
  float t[16][64], dct[16][16];
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 64; ++j) {
      float s = 0.0f;
      for (int k = 0; k < 64; ++k) s += d[i][k] * small[k][j];
      t[i][j] = s;
    }
  }
  for (int i = 0; i < 16; ++i) {
    for (int j = 0; j < 16; ++j) {
      float s = 0.0f;
      for (int k = 0; k < 64; ++k) s += t[i][k] * d[j][k];
      dct[i][j] = s;
    }
  }
  std::array<float, 256> sorted;
  std::copy(&dct[0][0], &dct[0][0] + 256, sorted.begin());
  if (dct_out != nullptr) *dct_out = sorted;
  std::sort(sorted.begin(), sorted.end());
  for (int k = 0; k < 256; ++k) {
    if ((&dct[0][0])[k] > sorted[127]) result.hash.SetBit(k);
  }
  return result;
}

PlainImage RandomImage(int width, int height, uint32_t seed, bool smooth) {
  PlainImage img{width, height, std::vector<uint8_t>(static_cast<size_t>(width * height * 3))};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        // Smooth images give stable, high-quality hashes; noise exercises rounding.
        const int v = smooth ? static_cast<int>(127 + 100 * std::sin(0.05 * x * (c + 1)) *
                                                          std::cos(0.03 * y + c)) +
                                   byte(rng) % 9
                             : byte(rng);
        img.rgb[static_cast<size_t>((y * width + x) * 3 + c)] =
            static_cast<uint8_t>(std::clamp(v, 0, 255));
      }
    }
  }
  return img;
}

ImageView ViewOf(const PlainImage& img) {
  return ImageView{img.rgb.data(),
                   img.rgb.size(),
                   static_cast<uint32_t>(img.width),
                   static_cast<uint32_t>(img.height),
                   static_cast<size_t>(img.width) * 3,
                   PixelFormat::kRgb8};
}

// [SECTION] Bit-exactness of the optimised pipeline

TEST(PdqHasher, MatchesPlainTranscriptionOnRandomImages) {
  const std::pair<int, int> sizes[] = {{5, 5},     {6, 9},     {64, 64},   {63, 65},
                                       {127, 129}, {128, 7},   {200, 300}, {333, 17},
                                       {512, 512}, {513, 100}, {700, 513}, {1000, 3}};
  PdqHasher hasher;  // one hasher across sizes: scratch reuse must not leak state
  uint32_t seed = 1;
  for (auto [w, h] : sizes) {
    for (bool smooth : {false, true}) {
      const PlainImage img = RandomImage(w, h, seed++, smooth);
      std::array<float, 256> expected_dct{};
      const HashResult expected = PlainPdq(img, true, &expected_dct);
      auto got = hasher.Hash(ViewOf(img));
      ASSERT_TRUE(got.ok()) << got.status().message();
      EXPECT_EQ(got->hash.ToHex(), expected.hash.ToHex()) << w << "x" << h << " smooth=" << smooth;
      EXPECT_EQ(got->quality, expected.quality) << w << "x" << h;
      // Every coefficient bit for bit: far more sensitive than the thresholded hash
      // to a reordered float operation.
      auto coefficients = hasher.Coefficients(ViewOf(img));
      ASSERT_TRUE(coefficients.ok());
      EXPECT_EQ(std::memcmp(coefficients->values.data(), expected_dct.data(), sizeof(float) * 256),
                0)
          << w << "x" << h << " smooth=" << smooth;
    }
  }
}

TEST(PdqHasher, WithoutDownsamplingFiltersEveryPixel) {
  const PlainImage img = RandomImage(900, 600, 99, true);
  HashOptions options;
  options.downsample_large_images = false;
  PdqHasher full(options);
  auto got = full.Hash(ViewOf(img));
  ASSERT_TRUE(got.ok());
  const HashResult expected = PlainPdq(img, false, nullptr);
  EXPECT_EQ(got->hash, expected.hash);
  EXPECT_EQ(got->quality, expected.quality);
  // And it is a different computation from the default (resized) one.
  auto resized = PdqHasher().Hash(ViewOf(img));
  ASSERT_TRUE(resized.ok());
  EXPECT_EQ(resized->hash, PlainPdq(img, true, nullptr).hash);
}

TEST(PdqHasher, GreyImagesUseTheGreyValueAsLuma) {
  // Grey levels where 0.299f v + 0.587f v + 0.114f v != v (e.g. 15, 30, 37) matter.
  PlainImage img = RandomImage(80, 70, 5, true);
  std::vector<uint8_t> grey(static_cast<size_t>(80 * 70));
  for (size_t p = 0; p < grey.size(); ++p) {
    const uint8_t v = img.rgb[3 * p];
    img.rgb[3 * p + 1] = img.rgb[3 * p + 2] = v;
    grey[p] = v;
  }
  auto rgb = PdqHasher().Hash(ViewOf(img));
  auto gray =
      PdqHasher().Hash(ImageView{grey.data(), grey.size(), 80, 70, 80, PixelFormat::kGray8});
  ASSERT_TRUE(rgb.ok() && gray.ok());
  EXPECT_EQ(rgb->hash, gray->hash);
  EXPECT_EQ(rgb->hash, PlainPdq(img, true, nullptr).hash);
}

// [SECTION] Layout: RGBA, padded strides

TEST(PdqHasher, RgbaAndPaddedStridesHashLikePackedRgb) {
  const PlainImage img = RandomImage(97, 61, 11, true);
  auto packed = PdqHasher().Hash(ViewOf(img));
  ASSERT_TRUE(packed.ok());

  const size_t rgba_stride = 97 * 4 + 12;  // padded rows
  std::vector<uint8_t> rgba(rgba_stride * 61, 0xEE);
  for (int y = 0; y < 61; ++y) {
    for (int x = 0; x < 97; ++x) {
      for (int c = 0; c < 3; ++c) {
        rgba[y * rgba_stride + x * 4 + c] = img.rgb[static_cast<size_t>((y * 97 + x) * 3 + c)];
      }
      rgba[y * rgba_stride + x * 4 + 3] = static_cast<uint8_t>(x);  // alpha is ignored
    }
  }
  auto from_rgba = PdqHasher().Hash(
      ImageView{rgba.data(), rgba.size(), 97, 61, rgba_stride, PixelFormat::kRgba8});
  ASSERT_TRUE(from_rgba.ok()) << from_rgba.status().message();
  EXPECT_EQ(from_rgba->hash, packed->hash);
  EXPECT_EQ(from_rgba->quality, packed->quality);
}

// [SECTION] Small images and the 512 px resize

TEST(PdqHasher, ImagesUnderFivePixelsHashToZeroWithQualityZero) {
  for (auto [w, h] : {std::pair{1, 1}, {4, 4}, {4, 100}, {100, 4}}) {
    const PlainImage img = RandomImage(w, h, 3, false);
    auto r = PdqHasher().Hash(ViewOf(img));
    ASSERT_TRUE(r.ok()) << w << "x" << h << ": " << r.status().message();
    EXPECT_TRUE(r->hash.IsZero()) << w << "x" << h;
    EXPECT_EQ(r->quality, 0);
    auto dih = PdqHasher().HashDihedral(ViewOf(img));
    ASSERT_TRUE(dih.ok());
    for (const Hash256& hash : dih->hashes) EXPECT_TRUE(hash.IsZero());
  }
  auto five = PdqHasher().Hash(ViewOf(RandomImage(5, 5, 3, false)));
  ASSERT_TRUE(five.ok());
  EXPECT_FALSE(five->hash.IsZero());
}

TEST(PdqHasher, ThinImagesLargerThan512AreResizedBeforeTheSizeCheck) {
  // 600x3: the reference resizes to 512x512 first, so it gets a real hash; without
  // the resize it is 3 px tall and hashes to zero.
  const PlainImage img = RandomImage(600, 3, 8, true);
  auto resized = PdqHasher().Hash(ViewOf(img));
  ASSERT_TRUE(resized.ok());
  EXPECT_FALSE(resized->hash.IsZero());
  HashOptions options;
  options.downsample_large_images = false;
  auto unresized = PdqHasher(options).Hash(ViewOf(img));
  ASSERT_TRUE(unresized.ok());
  EXPECT_TRUE(unresized->hash.IsZero());
}

// [SECTION] Bad input

TEST(PdqHasher, RefusesMalformedViews) {
  std::vector<uint8_t> pixels(30 * 20 * 3, 128);
  const ImageView good{pixels.data(), pixels.size(), 30, 20, 90, PixelFormat::kRgb8};
  ASSERT_TRUE(PdqHasher().Hash(good).ok());

  struct Case {
    const char* name;
    ImageView view;
    const char* message_part;
  };
  const size_t huge = std::numeric_limits<size_t>::max() / 2;
  const Case cases[] = {
      {"null pixels", {nullptr, pixels.size(), 30, 20, 90, PixelFormat::kRgb8}, "null"},
      {"zero width", {pixels.data(), pixels.size(), 0, 20, 90, PixelFormat::kRgb8}, "empty"},
      {"zero height", {pixels.data(), pixels.size(), 30, 0, 90, PixelFormat::kRgb8}, "empty"},
      {"stride shorter than a row",
       {pixels.data(), pixels.size(), 30, 20, 89, PixelFormat::kRgb8},
       "shorter than a row"},
      {"huge stride overflows",
       {pixels.data(), pixels.size(), 30, 20, huge, PixelFormat::kRgb8},
       "overflows"},
      {"stride past the buffer",
       {pixels.data(), pixels.size(), 30, 20, 4096, PixelFormat::kRgb8},
       "buffer holds"},
      {"buffer too small",
       {pixels.data(), pixels.size() - 1, 30, 20, 90, PixelFormat::kRgb8},
       "buffer holds"},
      {"rgba needs more bytes",
       {pixels.data(), pixels.size(), 30, 20, 120, PixelFormat::kRgba8},
       "buffer holds"},
      {"unknown pixel format",
       {pixels.data(), pixels.size(), 30, 20, 90, static_cast<PixelFormat>(77)},
       "pixel format"},
  };
  for (const Case& c : cases) {
    for (bool dihedral : {false, true}) {
      const Status status =
          dihedral ? PdqHasher().HashDihedral(c.view).status() : PdqHasher().Hash(c.view).status();
      EXPECT_FALSE(status.ok()) << c.name;
      EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << c.name;
      EXPECT_NE(status.message().find(c.message_part), std::string::npos)
          << c.name << ": " << status.message();
    }
  }
}

TEST(PdqHasher, RefusesHugeImagesWhenNotDownsampling) {
  HashOptions options;
  options.downsample_large_images = false;
  options.max_pixels_without_downsampling = 1000;
  std::vector<uint8_t> pixels(40 * 40 * 3, 7);
  auto r = PdqHasher(options).Hash(
      ImageView{pixels.data(), pixels.size(), 40, 40, 120, PixelFormat::kRgb8});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kResource);
  EXPECT_NE(r.status().message().find("1000"), std::string::npos) << r.status().message();
}

// [SECTION] Dihedral variants

TEST(PdqHasher, DihedralOriginalEqualsHashAndVariantsDiffer) {
  const PlainImage img = RandomImage(150, 110, 21, true);
  auto single = PdqHasher().Hash(ViewOf(img));
  auto all = PdqHasher().HashDihedral(ViewOf(img));
  ASSERT_TRUE(single.ok() && all.ok());
  EXPECT_EQ(all->quality, single->quality);
  EXPECT_EQ(all->hashes[static_cast<int>(Dihedral::kOriginal)], single->hash);
  for (int i = 0; i < kDihedralCount; ++i) {
    for (int j = i + 1; j < kDihedralCount; ++j) {
      EXPECT_NE(all->hashes[i], all->hashes[j]) << DihedralName(static_cast<Dihedral>(i)) << " vs "
                                                << DihedralName(static_cast<Dihedral>(j));
    }
  }
}

TEST(PdqHasher, MovedHashersKeepWorking) {
  const PlainImage img = RandomImage(90, 70, 4, true);
  PdqHasher first;
  auto before = first.Hash(ViewOf(img));
  PdqHasher second(std::move(first));
  auto moved = second.Hash(ViewOf(img));
  auto from_moved_from = first.Hash(ViewOf(img));  // NOLINT(bugprone-use-after-move)
  ASSERT_TRUE(before.ok() && moved.ok() && from_moved_from.ok());
  EXPECT_EQ(moved->hash, before->hash);
  EXPECT_EQ(from_moved_from->hash, before->hash);
}

TEST(PdqHasher, ConvenienceFunctionMatchesHasher) {
  const PlainImage img = RandomImage(40, 30, 2, true);
  auto a = HashImage(ViewOf(img));
  auto b = PdqHasher().Hash(ViewOf(img));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->hash, b->hash);
  EXPECT_FALSE(HashImage(ImageView{}).ok());
}

}  // namespace
}  // namespace vigil::pdq
