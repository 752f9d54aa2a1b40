// Issue 17 item 4: the edits of the robustness study (host/eval/image_transforms.h) do
// exactly what they say on drawn images, and refuse what they cannot do.
#include "eval/image_transforms.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

namespace vigil::eval {
namespace {

// A w x h image whose every pixel says where it is: (x, y, (x * 7 + y * 13) % 256).
RgbImage Drawn(uint32_t w, uint32_t h) {
  RgbImage image;
  image.width = w;
  image.height = h;
  image.pixels.resize(static_cast<size_t>(w) * h * 3);
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      uint8_t* p = &image.pixels[(static_cast<size_t>(y) * w + x) * 3];
      p[0] = static_cast<uint8_t>(x);
      p[1] = static_cast<uint8_t>(y);
      p[2] = static_cast<uint8_t>((x * 7 + y * 13) % 256);
    }
  }
  return image;
}

const uint8_t* At(const RgbImage& image, uint32_t x, uint32_t y) {
  return &image.pixels[(static_cast<size_t>(y) * image.width + x) * 3];
}

bool SamePixel(const uint8_t* a, const uint8_t* b) {
  return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

RgbImage Apply(const RgbImage& in, const std::string& name, double strength) {
  auto out = ApplyTransform(in, name, strength);
  EXPECT_TRUE(out.ok()) << name << " " << strength << ": " << out.status().message();
  return out.ok() ? std::move(out).value() : RgbImage{};
}

TEST(ImageTransforms, FlipMirrorsEveryPixel) {
  const RgbImage in = Drawn(40, 30);
  const RgbImage lr = Apply(in, "flip", 0), tb = Apply(in, "flip", 1);
  ASSERT_EQ(lr.width, 40u);
  ASSERT_EQ(tb.height, 30u);
  for (uint32_t y = 0; y < 30; ++y) {
    for (uint32_t x = 0; x < 40; ++x) {
      ASSERT_TRUE(SamePixel(At(lr, x, y), At(in, 39 - x, y))) << x << "," << y;
      ASSERT_TRUE(SamePixel(At(tb, x, y), At(in, x, 29 - y))) << x << "," << y;
    }
  }
}

TEST(ImageTransforms, Rotate90IsExactAndCounterClockwise) {
  const RgbImage in = Drawn(40, 30);
  const RgbImage out = Apply(in, "rotate", 90);
  ASSERT_EQ(out.width, 30u);
  ASSERT_EQ(out.height, 40u);
  // Counter-clockwise: the input's top-right corner comes to the top-left.
  for (uint32_t y = 0; y < 40; ++y) {
    for (uint32_t x = 0; x < 30; ++x) {
      ASSERT_TRUE(SamePixel(At(out, x, y), At(in, 39 - y, x))) << x << "," << y;
    }
  }
}

TEST(ImageTransforms, SmallRotationKeepsTheCanvasAndBlackensCorners) {
  const RgbImage in = Drawn(200, 100);
  const RgbImage out = Apply(in, "rotate", 10);
  ASSERT_EQ(out.width, 200u);
  ASSERT_EQ(out.height, 100u);
  const uint8_t black[3] = {0, 0, 0};
  EXPECT_TRUE(SamePixel(At(out, 0, 0), black));  // a corner the turn uncovered
  EXPECT_TRUE(SamePixel(At(out, 199, 99), black));
  EXPECT_NEAR(At(out, 100, 50)[0], 100, 2);  // the centre stays where it was
}

TEST(ImageTransforms, ResizeScalesBothSidesAndKeepsAPixel) {
  const RgbImage in = Drawn(200, 100);
  const RgbImage half = Apply(in, "resize", 0.5);
  EXPECT_EQ(half.width, 100u);
  EXPECT_EQ(half.height, 50u);
  const RgbImage twice = Apply(in, "resize", 2);
  EXPECT_EQ(twice.width, 400u);
  EXPECT_EQ(twice.height, 200u);
  const RgbImage tiny = Apply(Drawn(5, 3), "resize", 0.1);
  EXPECT_EQ(tiny.width, 1u);
  EXPECT_EQ(tiny.height, 1u);
  EXPECT_EQ(tiny.pixels.size(), 3u);
}

TEST(ImageTransforms, CropKeepsTheCentre) {
  const RgbImage in = Drawn(100, 80);
  const RgbImage out = Apply(in, "crop", 0.5);  // half of each side cut, a quarter each end
  ASSERT_EQ(out.width, 50u);
  ASSERT_EQ(out.height, 40u);
  for (uint32_t y = 0; y < 40; ++y) {
    for (uint32_t x = 0; x < 50; ++x) {
      ASSERT_TRUE(SamePixel(At(out, x, y), At(in, x + 25, y + 20))) << x << "," << y;
    }
  }
}

TEST(ImageTransforms, LetterboxAddsBlackBarsOfTheShareAsked) {
  const RgbImage in = Drawn(60, 90);
  const RgbImage out = Apply(in, "letterbox", 0.25);  // bars are a quarter of the new height
  ASSERT_EQ(out.width, 60u);
  ASSERT_EQ(out.height, 120u);
  const uint8_t black[3] = {0, 0, 0};
  for (uint32_t x = 0; x < 60; ++x) {
    ASSERT_TRUE(SamePixel(At(out, x, 0), black));
    ASSERT_TRUE(SamePixel(At(out, x, 14), black));
    ASSERT_TRUE(SamePixel(At(out, x, 105), black));
    ASSERT_TRUE(SamePixel(At(out, x, 119), black));
  }
  for (uint32_t y = 0; y < 90; ++y) {
    ASSERT_TRUE(SamePixel(At(out, 7, y + 15), At(in, 7, y))) << y;
  }
}

TEST(ImageTransforms, WatermarkChangesOnlyTheBottomRightShareAsked) {
  const RgbImage in = Drawn(200, 150);
  const RgbImage out = Apply(in, "watermark", 0.05);
  ASSERT_EQ(out.width, 200u);
  ASSERT_EQ(out.height, 150u);
  size_t changed = 0, changed_far = 0;
  for (uint32_t y = 0; y < 150; ++y) {
    for (uint32_t x = 0; x < 200; ++x) {
      if (SamePixel(At(out, x, y), At(in, x, y))) continue;
      ++changed;
      if (x < 100 || y < 75) ++changed_far;
    }
  }
  // Every pixel of the box is blended with white (a few may round back to themselves).
  EXPECT_GT(changed, 0.04 * 200 * 150);
  EXPECT_LE(changed, 0.05 * 200 * 150 + 200);
  EXPECT_EQ(changed_far, 0u);
}

// Mean absolute difference per channel.
double MeanDifference(const RgbImage& a, const RgbImage& b) {
  double sum = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(a.pixels[i] - b.pixels[i]);
  return sum / static_cast<double>(a.pixels.size());
}

TEST(ImageTransforms, JpegLosesMoreAtLowerQuality) {
  // A smooth image: JPEG keeps it well at high quality.
  RgbImage in = Drawn(128, 96);
  for (size_t i = 2; i < in.pixels.size(); i += 3) in.pixels[i] = 128;
  const RgbImage q95 = Apply(in, "jpeg", 95), q10 = Apply(in, "jpeg", 10);
  ASSERT_EQ(q95.width, 128u);
  ASSERT_EQ(q95.height, 96u);
  ASSERT_EQ(q10.pixels.size(), in.pixels.size());
  EXPECT_LT(MeanDifference(in, q95), 3.0);
  EXPECT_GT(MeanDifference(in, q10), MeanDifference(in, q95));
  // Channels stay in place (OpenCV encodes BGR; the RGB must come back as RGB).
  EXPECT_NEAR(At(q95, 100, 10)[0], 100, 6);
  EXPECT_NEAR(At(q95, 100, 10)[1], 10, 6);
}

TEST(ImageTransforms, RefusesWhatItCannotDo) {
  const RgbImage in = Drawn(20, 10);
  struct Bad {
    const char* name;
    double strength;
  } bad[] = {{"resize", 0},       {"resize", -1},   {"resize", 5},    {"crop", 1},
             {"crop", -0.1},      {"jpeg", 0},      {"jpeg", 101},    {"rotate", 400},
             {"flip", 2},         {"watermark", 0}, {"watermark", 2}, {"letterbox", 0},
             {"letterbox", 0.95}, {"resize", NAN},  {"blur", 1}};
  for (const Bad& b : bad) {
    auto out = ApplyTransform(in, b.name, b.strength);
    EXPECT_FALSE(out.ok()) << b.name << " " << b.strength;
  }
  EXPECT_NE(ApplyTransform(in, "blur", 1).status().message().find("unknown transform"),
            std::string::npos);
  RgbImage empty;
  EXPECT_FALSE(ApplyTransform(empty, "flip", 0).ok());
  RgbImage short_buffer = in;
  short_buffer.pixels.resize(10);
  EXPECT_FALSE(ApplyTransform(short_buffer, "flip", 0).ok());
  // Growing past 400 Mpx is refused before any allocation.
  RgbImage big;
  big.width = 6000;
  big.height = 5000;
  big.pixels.resize(static_cast<size_t>(6000) * 5000 * 3);
  auto huge = ApplyTransform(big, "resize", 4);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("400 Mpx"), std::string::npos);
}

TEST(ImageTransforms, EveryListedStrengthIsAccepted) {
  const RgbImage in = Drawn(64, 48);
  for (const TransformSpec& spec : Transforms()) {
    ASSERT_FALSE(spec.small.empty()) << spec.name;
    for (const auto* list : {&spec.full, &spec.small}) {
      for (const TransformStrength& s : *list) {
        auto out = ApplyTransform(in, spec.name, s.value);
        EXPECT_TRUE(out.ok()) << spec.name << " " << s.label << ": " << out.status().message();
      }
    }
    EXPECT_EQ(FindTransform(spec.name), &spec);
  }
  EXPECT_EQ(FindTransform("blur"), nullptr);
}

}  // namespace
}  // namespace vigil::eval
