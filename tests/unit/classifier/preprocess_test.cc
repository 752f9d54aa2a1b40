// Preprocessing against values worked out by hand on tiny images: each interpolation,
// stretch and letterbox, layouts, colour order, normalisation, pixel formats, strides.
#include "preprocess.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "test_util.h"

namespace vigil::classifier {
namespace {

ModelManifest Manifest4x4(Interpolation interp, ResizeMode resize = ResizeMode::kStretch) {
  ModelManifest m;
  m.width = 4;
  m.height = 4;
  m.interpolation = interp;
  m.resize = resize;
  m.labels = {{"x", std::nullopt, Severity::kNone, 0}};
  return m;
}

// A 2x2 RGB image whose red channel is 30*x + 60*y (linear, so bilinear is exact),
// green is 200 everywhere and blue is 7.
testing::TestImage Linear2x2() {
  testing::TestImage img = testing::SolidImage(2, 2, 0, 200, 7);
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 2; ++x) img.pixels[y * img.stride + x * 3] = 30 * x + 60 * y;
  }
  return img;
}

std::vector<float> RunPreprocess(const testing::TestImage& img, const ModelManifest& m) {
  EXPECT_TRUE(ValidateImageView(img.view()).ok());
  std::vector<float> out(InputTensorSize(m), -1.0f);
  Preprocess(img.view(), m, out.data());
  return out;
}

std::vector<float> RedPlane(const std::vector<float>& nchw) {
  return std::vector<float>(nchw.begin(), nchw.begin() + 16);
}

TEST(PreprocessTest, BilinearAlignCornersMatchesTensorFlow) {
  // src = o * (2-1)/(4-1): 0, 1/3, 2/3, 1 on both axes.
  auto out = RunPreprocess(Linear2x2(), Manifest4x4(Interpolation::kBilinearAlignCorners));
  std::vector<float> want = {0, 10, 20, 30, 20, 30, 40, 50, 40, 50, 60, 70, 60, 70, 80, 90};
  auto red = RedPlane(out);
  for (int i = 0; i < 16; ++i) EXPECT_NEAR(red[i], want[i], 1e-4) << i;
  for (int i = 16; i < 32; ++i) EXPECT_FLOAT_EQ(out[i], 200.0f);
  for (int i = 32; i < 48; ++i) EXPECT_FLOAT_EQ(out[i], 7.0f);
}

TEST(PreprocessTest, BilinearHalfPixelMatchesOpenCvConvention) {
  // src = (o + 0.5) / 2 - 0.5 clamped to [0, 1]: 0, 0.25, 0.75, 1.
  auto red = RedPlane(RunPreprocess(Linear2x2(), Manifest4x4(Interpolation::kBilinear)));
  const float pos[4] = {0, 0.25f, 0.75f, 1};
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) EXPECT_NEAR(red[y * 4 + x], 30 * pos[x] + 60 * pos[y], 1e-4);
  }
}

TEST(PreprocessTest, NearestPicksPixelCentres) {
  // floor((o + 0.5) * 2 / 4): 0, 0, 1, 1.
  auto red = RedPlane(RunPreprocess(Linear2x2(), Manifest4x4(Interpolation::kNearest)));
  const int src[4] = {0, 0, 1, 1};
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) EXPECT_FLOAT_EQ(red[y * 4 + x], 30 * src[x] + 60 * src[y]);
  }
}

TEST(PreprocessTest, DownscaleAlignCornersKeepsCorners) {
  testing::TestImage img = testing::PatternImage(9, 7, 3);
  auto m = Manifest4x4(Interpolation::kBilinearAlignCorners);
  auto red = RedPlane(RunPreprocess(img, m));
  EXPECT_FLOAT_EQ(red[0], img.pixels[0]);
  EXPECT_FLOAT_EQ(red[3], img.pixels[8 * 3]);
  EXPECT_FLOAT_EQ(red[15], img.pixels[6 * img.stride + 8 * 3]);
}

TEST(PreprocessTest, LetterboxCentresAndFills) {
  // 4x2 into 4x4: scale 1, rows 1..2 hold the image, rows 0 and 3 the fill colour.
  testing::TestImage img = testing::SolidImage(4, 2, 50, 60, 70);
  auto m = Manifest4x4(Interpolation::kBilinear, ResizeMode::kLetterbox);
  m.fill = {1, 2, 3};
  auto out = RunPreprocess(img, m);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 4; ++y) {
      for (int x = 0; x < 4; ++x) {
        float want = (y == 0 || y == 3) ? m.fill[c] : 50.0f + 10.0f * c;
        EXPECT_FLOAT_EQ(out[c * 16 + y * 4 + x], want) << c << "," << x << "," << y;
      }
    }
  }
}

TEST(PreprocessTest, LetterboxOfTallImagePadsColumns) {
  // 1x4 into 4x4: scale 1, box 1 wide at x = 1.
  testing::TestImage img = testing::SolidImage(1, 4, 9, 9, 9);
  auto m = Manifest4x4(Interpolation::kNearest, ResizeMode::kLetterbox);
  auto red = RedPlane(RunPreprocess(img, m));
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) EXPECT_FLOAT_EQ(red[y * 4 + x], x == 1 ? 9.0f : 0.0f);
  }
}

TEST(PreprocessTest, NhwcInterleavesChannels) {
  auto m = Manifest4x4(Interpolation::kNearest);
  m.layout = TensorLayout::kNhwc;
  auto out = RunPreprocess(testing::SolidImage(3, 3, 1, 2, 3), m);
  for (int p = 0; p < 16; ++p) {
    EXPECT_FLOAT_EQ(out[p * 3 + 0], 1);
    EXPECT_FLOAT_EQ(out[p * 3 + 1], 2);
    EXPECT_FLOAT_EQ(out[p * 3 + 2], 3);
  }
}

TEST(PreprocessTest, BgrAndNormalisationApplyPerTensorChannel) {
  auto m = Manifest4x4(Interpolation::kNearest);
  m.color_order = ColorOrder::kBgr;
  m.scale = {2, 3, 4};
  m.offset = {-1, -2, -3};
  auto out = RunPreprocess(testing::SolidImage(5, 5, 10, 20, 30), m);
  // Tensor channel 0 is blue (30), 1 green (20), 2 red (10).
  EXPECT_FLOAT_EQ(out[0], 30 * 2 - 1);
  EXPECT_FLOAT_EQ(out[16], 20 * 3 - 2);
  EXPECT_FLOAT_EQ(out[32], 10 * 4 - 3);
}

TEST(PreprocessTest, GrayAndRgbaFormatsAndStridePadding) {
  auto m = Manifest4x4(Interpolation::kNearest);
  // Gray 2x2 with 3 garbage bytes of padding per row.
  std::vector<uint8_t> gray = {40, 40, 255, 255, 255, 40, 40, 255, 255, 255};
  ImageView g{2, 2, 5, PixelFormat::kGray8, gray.data()};
  ASSERT_TRUE(ValidateImageView(g).ok());
  std::vector<float> out(48);
  Preprocess(g, m, out.data());
  for (float v : out) EXPECT_FLOAT_EQ(v, 40);
  // RGBA: alpha ignored.
  std::vector<uint8_t> rgba = {1, 2, 3, 0, 1, 2, 3, 128};
  ImageView r{2, 1, 8, PixelFormat::kRgba8, rgba.data()};
  ASSERT_TRUE(ValidateImageView(r).ok());
  Preprocess(r, m, out.data());
  EXPECT_FLOAT_EQ(out[0], 1);
  EXPECT_FLOAT_EQ(out[16], 2);
  EXPECT_FLOAT_EQ(out[32], 3);
}

TEST(PreprocessTest, OnePixelImageFillsTheTensor) {
  for (auto interp : {Interpolation::kBilinear, Interpolation::kBilinearAlignCorners,
                      Interpolation::kNearest}) {
    auto out = RunPreprocess(testing::SolidImage(1, 1, 5, 6, 7), Manifest4x4(interp));
    for (int i = 0; i < 16; ++i) EXPECT_FLOAT_EQ(out[i], 5);
  }
}

TEST(PreprocessTest, InvalidViewsAreRefused) {
  uint8_t px[12] = {};
  struct Case {
    ImageView view;
    const char* expect;
  } cases[] = {
      {{0, 2, 6, PixelFormat::kRgb8, px}, "each side"},
      {{2, -1, 6, PixelFormat::kRgb8, px}, "each side"},
      {{kMaxImageSide + 1, 1, 1u << 20, PixelFormat::kRgb8, px}, "each side"},
      {{2, 2, 6, PixelFormat::kRgb8, nullptr}, "no pixel buffer"},
      {{2, 2, 5, PixelFormat::kRgb8, px}, "stride 5"},
      {{2, 2, 7, PixelFormat::kRgba8, px}, "stride 7"},
      {{2, 2, 6, static_cast<PixelFormat>(9), px}, "pixel format 9"},
  };
  for (const auto& c : cases) {
    Status st = ValidateImageView(c.view);
    ASSERT_FALSE(st.ok()) << c.expect;
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << st.message();
  }
}

// The definition of Preprocess written as plainly as possible, one tensor value at a
// time: the optimised code (separable passes, row reuse, templates) must agree with it on
// every option. Same arithmetic order (x first, then y, then scale and offset).
float ReferenceValue(const ImageView& img, const ModelManifest& m, int tx, int ty, int tc) {
  const int bpp = img.format == PixelFormat::kGray8 ? 1 : img.format == PixelFormat::kRgb8 ? 3 : 4;
  const int src_c = bpp == 1 ? 0 : (m.color_order == ColorOrder::kBgr ? 2 - tc : tc);
  int box_w = m.width, box_h = m.height, box_x = 0, box_y = 0;
  if (m.resize == ResizeMode::kLetterbox) {
    double s = std::min(double(m.width) / img.width, double(m.height) / img.height);
    box_w = std::clamp(int(std::lround(img.width * s)), 1, m.width);
    box_h = std::clamp(int(std::lround(img.height * s)), 1, m.height);
    box_x = (m.width - box_w) / 2;
    box_y = (m.height - box_h) / 2;
  }
  if (tx < box_x || tx >= box_x + box_w || ty < box_y || ty >= box_y + box_h) {
    const int fill_c = m.color_order == ColorOrder::kBgr ? 2 - tc : tc;
    return m.fill[fill_c] * m.scale[tc] + m.offset[tc];
  }
  auto px = [&](int x, int y) -> float { return img.pixels[y * img.stride + x * bpp + src_c]; };
  // Source coordinate along one axis: the two samples and the weight of the second.
  auto axis = [&](int o, int in, int out, int* i0, int* i1, float* frac) {
    if (m.interpolation == Interpolation::kNearest) {
      *i0 = *i1 = std::clamp(int(std::floor((o + 0.5) * in / out)), 0, in - 1);
      *frac = 0;
      return;
    }
    double src = m.interpolation == Interpolation::kBilinearAlignCorners
                     ? (out > 1 ? o * (double(in - 1) / (out - 1)) : 0.0)
                     : std::max(0.0, (o + 0.5) * double(in) / out - 0.5);
    *i0 = std::min(int(std::floor(src)), in - 1);
    *i1 = std::min(*i0 + 1, in - 1);
    *frac = float(src - *i0);
  };
  int x0, x1, y0, y1;
  float fx, fy;
  axis(tx - box_x, img.width, box_w, &x0, &x1, &fx);
  axis(ty - box_y, img.height, box_h, &y0, &y1, &fy);
  float v;
  if (m.interpolation == Interpolation::kNearest) {
    v = px(x0, y0);
  } else {
    const float top = px(x0, y0) + (px(x1, y0) - px(x0, y0)) * fx;
    const float bottom = px(x0, y1) + (px(x1, y1) - px(x0, y1)) * fx;
    v = top + (bottom - top) * fy;
  }
  return v * m.scale[tc] + m.offset[tc];
}

TEST(PreprocessTest, AgreesWithThePlainDefinitionOnEveryOption) {
  std::mt19937 rng(20261129);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int round = 0; round < 600; ++round) {
    ModelManifest m;
    m.width = pick(1, 20);
    m.height = pick(1, 20);
    m.layout = pick(0, 1) ? TensorLayout::kNhwc : TensorLayout::kNchw;
    m.color_order = pick(0, 1) ? ColorOrder::kBgr : ColorOrder::kRgb;
    m.resize = pick(0, 1) ? ResizeMode::kLetterbox : ResizeMode::kStretch;
    m.interpolation = static_cast<Interpolation>(pick(0, 2));
    for (int c = 0; c < 3; ++c) {
      m.scale[c] = pick(1, 100) / 37.0f;
      m.offset[c] = pick(-50, 50) / 13.0f;
      m.fill[c] = static_cast<float>(pick(0, 255));
    }
    const int formats[] = {1, 3, 4};
    const int bpp = formats[pick(0, 2)];
    ImageView view;
    view.format = bpp == 1   ? PixelFormat::kGray8
                  : bpp == 3 ? PixelFormat::kRgb8
                             : PixelFormat::kRgba8;
    view.width = pick(1, 50);
    view.height = pick(1, 50);
    view.stride = static_cast<size_t>(view.width) * bpp + pick(0, 5);
    std::vector<uint8_t> pixels(view.stride * view.height);
    for (auto& b : pixels) b = static_cast<uint8_t>(pick(0, 255));
    view.pixels = pixels.data();
    ASSERT_TRUE(ValidateImageView(view).ok());

    std::vector<float> out(InputTensorSize(m), -12345.0f);
    Preprocess(view, m, out.data());
    const size_t plane = static_cast<size_t>(m.width) * m.height;
    for (int y = 0; y < m.height; ++y) {
      for (int x = 0; x < m.width; ++x) {
        for (int c = 0; c < 3; ++c) {
          const size_t pixel = static_cast<size_t>(y) * m.width + x;
          const size_t at = m.layout == TensorLayout::kNhwc ? pixel * 3 + c : c * plane + pixel;
          ASSERT_FLOAT_EQ(out[at], ReferenceValue(view, m, x, y, c))
              << "round " << round << ": " << view.width << "x" << view.height << " bpp " << bpp
              << " -> " << m.width << "x" << m.height << " interp "
              << static_cast<int>(m.interpolation) << " letterbox "
              << (m.resize == ResizeMode::kLetterbox) << " at " << x << "," << y << "," << c;
        }
      }
    }
  }
}

}  // namespace
}  // namespace vigil::classifier
