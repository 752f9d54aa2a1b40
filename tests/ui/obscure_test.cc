// CPU obscuring: every level removes detail, stronger levels remove more, level 0 is
// never produced, and hostile sizes do not crash.
#include <gtest/gtest.h>

#include <filesystem>

#include "fixture_store.h"
#include "image/png_io.h"
#include "obscure/obscure.h"
#include "obscure/obscured_cache.h"

namespace vigil::review {
namespace {

using testing::DrawPattern;
using testing::HighFrequencyEnergy;

double Energy(const RgbImage& image) {
  return HighFrequencyEnergy(image, 0, 0, image.width, image.height);
}

double MeanDifference(const RgbImage& a, const RgbImage& b) {
  EXPECT_EQ(a.pixels.size(), b.pixels.size());
  double sum = 0;
  for (size_t i = 0; i < a.pixels.size() && i < b.pixels.size(); ++i) {
    sum += std::abs(static_cast<int>(a.pixels[i]) - static_cast<int>(b.pixels[i]));
  }
  return a.pixels.empty() ? 0 : sum / static_cast<double>(a.pixels.size());
}

TEST(ObscureTest, EveryLevelRemovesDetailAndStrongerRemovesMore) {
  const RgbImage original = DrawPattern(512, 384, 3);
  const RgbImage reference = Downscale(original, 256);  // same size as the obscured copy
  const double base = Energy(reference);
  ASSERT_GT(base, 10.0) << "the drawn pattern should be full of edges";
  for (ObscureStyle style : {ObscureStyle::kBlur, ObscureStyle::kPixelate}) {
    double previous = 0;
    for (int level = kMinObscureLevel; level <= kMaxObscureLevel; ++level) {
      ObscureSettings settings;
      settings.level = level;
      settings.style = style;
      settings.colour = ColourMode::kColour;
      auto obscured = Obscure(original, settings);
      ASSERT_TRUE(obscured.ok());
      EXPECT_EQ(obscured.value().level(), level);
      const double e = Energy(obscured.value().image());
      EXPECT_LT(e, base * 0.5) << "level " << level;
      // Stronger levels take the picture further from the original.
      const double distance = MeanDifference(obscured.value().image(), reference);
      // (Pixel grids of neighbouring levels can align differently: allow 2 % there.)
      const double floor = style == ObscureStyle::kBlur ? previous : previous * 0.98;
      EXPECT_GT(distance, floor) << "level " << level;
      previous = distance;
    }
  }
}

TEST(ObscureTest, LevelZeroAndOutOfRangeAreClamped) {
  const RgbImage original = DrawPattern(64, 64, 1);
  ObscureSettings settings;
  settings.level = 0;
  auto low = Obscure(original, settings);
  ASSERT_TRUE(low.ok());
  EXPECT_EQ(low.value().level(), kMinObscureLevel);
  EXPECT_NE(low.value().image().pixels, original.pixels);
  settings.level = 99;
  auto high = Obscure(original, settings);
  ASSERT_TRUE(high.ok());
  EXPECT_EQ(high.value().level(), kMaxObscureLevel);
  settings.level = -5;
  EXPECT_EQ(Obscure(original, settings).value().level(), kMinObscureLevel);
}

TEST(ObscureTest, ColourModes) {
  RgbImage image = DrawPattern(32, 32, 2);
  RgbImage grey = image;
  Greyscale(grey);
  for (size_t i = 0; i < grey.pixels.size(); i += 3) {
    ASSERT_EQ(grey.pixels[i], grey.pixels[i + 1]);
    ASSERT_EQ(grey.pixels[i], grey.pixels[i + 2]);
  }
  RgbImage sepia = image;
  Sepia(sepia);
  for (size_t i = 0; i < sepia.pixels.size(); i += 3) {
    ASSERT_GE(sepia.pixels[i], sepia.pixels[i + 1]);  // warm: red >= green >= blue
    ASSERT_GE(sepia.pixels[i + 1], sepia.pixels[i + 2]);
  }
}

TEST(ObscureTest, PixelateMakesUniformBlocks) {
  RgbImage image = DrawPattern(40, 30, 4);
  Pixelate(image, 10);
  for (int by = 0; by < 30; by += 10) {
    for (int bx = 0; bx < 40; bx += 10) {
      for (int y = by; y < by + 10; ++y) {
        for (int x = bx; x < bx + 10; ++x) {
          ASSERT_EQ(image.at(x, y)[0], image.at(bx, by)[0]);
        }
      }
    }
  }
}

TEST(ObscureTest, DownscaleKeepsAspectAndNeverUpscales) {
  const RgbImage image = DrawPattern(1000, 250, 0);
  const RgbImage small = Downscale(image, 200);
  EXPECT_EQ(small.width, 200);
  EXPECT_EQ(small.height, 50);
  EXPECT_EQ(Downscale(small, 400).width, 200);
  RgbImage flat(8, 8);
  std::fill(flat.pixels.begin(), flat.pixels.end(), 77);
  const RgbImage flat_small = Downscale(flat, 3);
  for (uint8_t v : flat_small.pixels) EXPECT_EQ(v, 77);
}

TEST(ObscureTest, BlurKeepsAFlatImageFlat) {
  RgbImage flat(50, 20);
  std::fill(flat.pixels.begin(), flat.pixels.end(), 123);
  GaussianBlur(flat, 30);  // radius far beyond the image
  for (uint8_t v : flat.pixels) ASSERT_EQ(v, 123);
}

TEST(ObscureTest, HostileSizes) {
  ObscureSettings settings;
  EXPECT_FALSE(Obscure(RgbImage(), settings).ok());
  RgbImage lying(10, 10);
  lying.pixels.resize(7);  // claims 10x10, holds 7 bytes
  EXPECT_EQ(Obscure(lying, settings).status().code(), Status::Code::kInvalidArgument);
  RgbImage one(1, 1);
  EXPECT_TRUE(Obscure(one, settings).ok());
  RgbImage line(5000, 1);
  auto thin = Obscure(line, settings);
  ASSERT_TRUE(thin.ok());
  EXPECT_LE(thin.value().image().width, settings.max_side);
  EXPECT_GE(thin.value().image().height, 1);
}

TEST(ObscureTest, ParsesStyleNames) {
  ObscureStyle style;
  ColourMode mode;
  EXPECT_TRUE(ParseObscureStyle("pixelate", &style));
  EXPECT_FALSE(ParseObscureStyle("Blur ", &style));
  EXPECT_TRUE(ParseColourMode("sepia", &mode));
  EXPECT_FALSE(ParseColourMode("", &mode));
}

class ObscuredCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-obscache-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ObscuredCacheTest, DecodesOnceOffThreadAndCachesPerLevel) {
  const std::string path = (dir_ / "a.png").string();
  ASSERT_TRUE(WritePng(path, DrawPattern(600, 400, 7)).ok());
  ObscuredCache cache(ObscureSettings{}, 300);
  EXPECT_FALSE(cache.Get(1, path, 5).has_value());  // queued, not ready
  cache.WaitIdle();
  auto ready = cache.Get(1, path, 5);
  ASSERT_TRUE(ready.has_value());
  ASSERT_TRUE(ready->status.ok()) << ready->status.message();
  EXPECT_EQ(ready->source->width(), 300);
  EXPECT_EQ(ready->source->height(), 200);
  EXPECT_EQ(ready->obscured->level(), 5);
  // Another level reuses the decoded copy; the same level returns the same pixels.
  EXPECT_FALSE(cache.Get(1, path, 7).has_value());
  cache.WaitIdle();
  auto seven = cache.Get(1, path, 7);
  ASSERT_TRUE(seven.has_value());
  EXPECT_EQ(seven->source, ready->source);
  EXPECT_EQ(cache.Get(1, path, 5)->obscured, ready->obscured);
}

TEST_F(ObscuredCacheTest, BrokenFilesGiveAStatusNotAPicture) {
  const std::string missing = (dir_ / "missing.png").string();
  const std::string truncated = (dir_ / "truncated.png").string();
  ASSERT_TRUE(WritePng(truncated, DrawPattern(64, 64, 1)).ok());
  std::filesystem::resize_file(truncated, 60);
  ObscuredCache cache(ObscureSettings{});
  cache.Get(1, missing, 3);
  cache.Get(2, truncated, 3);
  cache.WaitIdle();
  for (int64_t id : {1, 2}) {
    auto result = cache.Get(id, id == 1 ? missing : truncated, 3);
    ASSERT_TRUE(result.has_value());
    EXPECT_FALSE(result->status.ok());
    EXPECT_EQ(result->source, nullptr);
    EXPECT_EQ(result->obscured, nullptr);
  }
}

TEST_F(ObscuredCacheTest, EvictsBeyondCapacity) {
  const std::string path = (dir_ / "a.png").string();
  ASSERT_TRUE(WritePng(path, DrawPattern(64, 64, 7)).ok());
  ObscuredCache cache(ObscureSettings{}, 64, 2);
  for (int64_t id = 1; id <= 3; ++id) {
    cache.Get(id, path, 3);
    cache.WaitIdle();
    ASSERT_TRUE(cache.Get(id, path, 3).has_value());
  }
  EXPECT_FALSE(cache.Get(1, path, 3).has_value()) << "the oldest item should have been evicted";
  cache.WaitIdle();
}

}  // namespace
}  // namespace vigil::review
