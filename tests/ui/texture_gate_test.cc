// Fail-closed: wrap the upload path and check that nothing unobscured reaches it unless
// a reveal is active, and then only the revealed region.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "fixture_store.h"
#include "obscure/texture_gate.h"

namespace vigil::review {

// Tests may build a SourcePixels from pixels they drew (see obscured_cache.h).
class SourcePixelsForTest {
 public:
  static std::shared_ptr<const SourcePixels> Make(RgbImage image) {
    return std::shared_ptr<const SourcePixels>(new SourcePixels(std::move(image)));
  }
};

namespace {

struct Recorded {
  TextureSlot slot;
  int width, height;
  std::vector<uint8_t> rgb;
  bool flagged_unobscured;
  bool reveal_active;  // at the moment of the upload
  Rect reveal_region;
};

class TextureGateTest : public ::testing::Test {
 protected:
  TextureGateTest()
      : original_(testing::DrawPattern(200, 150, 5)),
        source_(SourcePixelsForTest::Make(original_)),
        reveal_(clock_, 3.0),
        gate_([this](const TextureUpload& u) {
          Recorded r{u.slot, u.width, u.height,
                     std::vector<uint8_t>(u.rgb, u.rgb + static_cast<size_t>(u.width) * u.height * 3),
                     u.unobscured, reveal_.active(), reveal_.region()};
          uploads_.push_back(std::move(r));
        }) {
    ObscureSettings settings;
    settings.level = 4;
    obscured_ = std::make_shared<const ObscuredImage>(Obscure(original_, settings).value());
  }

  // True when `rgb` (w x h) equals the original's pixels at (x0, y0).
  bool MatchesOriginalAt(const Recorded& r, int x0, int y0) const {
    if (x0 < 0 || y0 < 0 || x0 + r.width > original_.width || y0 + r.height > original_.height) {
      return false;
    }
    for (int y = 0; y < r.height; ++y) {
      if (std::memcmp(&r.rgb[static_cast<size_t>(y) * r.width * 3], original_.at(x0, y0 + y),
                      static_cast<size_t>(r.width) * 3) != 0) {
        return false;
      }
    }
    return true;
  }

  // The invariant, for every upload ever made.
  void CheckEveryUpload() {
    const double source_energy =
        testing::HighFrequencyEnergy(original_, 0, 0, original_.width, original_.height);
    for (const Recorded& r : uploads_) {
      if (r.slot == TextureSlot::kItem) {
        EXPECT_FALSE(r.flagged_unobscured);
        RgbImage image(r.width, r.height);
        image.pixels = r.rgb;
        EXPECT_LT(testing::HighFrequencyEnergy(image, 0, 0, r.width, r.height), source_energy * 0.3);
        EXPECT_FALSE(r.width == original_.width && MatchesOriginalAt(r, 0, 0));
        continue;
      }
      if (!r.flagged_unobscured) {
        // Clearing the reveal texture: one black pixel.
        EXPECT_EQ(r.width * r.height, 1);
        EXPECT_EQ(r.rgb, std::vector<uint8_t>(3, 0));
        continue;
      }
      ASSERT_TRUE(r.reveal_active) << "unobscured pixels uploaded outside a reveal";
      const int x0 = static_cast<int>(std::floor(r.reveal_region.x * original_.width));
      const int y0 = static_cast<int>(std::floor(r.reveal_region.y * original_.height));
      EXPECT_LE(r.width, static_cast<int>(std::ceil(r.reveal_region.w * original_.width)) + 1);
      EXPECT_LE(r.height, static_cast<int>(std::ceil(r.reveal_region.h * original_.height)) + 1);
      EXPECT_TRUE(MatchesOriginalAt(r, x0, y0)) << "the reveal carried pixels from elsewhere";
    }
  }

  ManualClock clock_;
  RgbImage original_;
  std::shared_ptr<const SourcePixels> source_;
  std::shared_ptr<const ObscuredImage> obscured_;
  RevealController reveal_;
  std::vector<Recorded> uploads_;
  TextureGate gate_;
};

TEST_F(TextureGateTest, NoRevealNoUnobscuredPixels) {
  gate_.ShowObscured(obscured_);
  gate_.ShowObscured(obscured_);  // already there: not uploaded twice
  auto refused = gate_.ShowReveal(source_, reveal_);
  EXPECT_FALSE(refused.ok());
  EXPECT_FALSE(gate_.ShowReveal(nullptr, reveal_).ok());
  gate_.EndReveal();  // nothing was revealed: nothing to clear
  ASSERT_EQ(uploads_.size(), 1u);
  EXPECT_EQ(uploads_[0].slot, TextureSlot::kItem);
  CheckEveryUpload();
}

TEST_F(TextureGateTest, RevealUploadsOnlyTheRegionAndStopsAtTheTimeout) {
  gate_.ShowObscured(obscured_);
  ASSERT_TRUE(reveal_.Begin(Rect{0.5f, 0.5f, 0.25f, 0.25f}));
  auto region = gate_.ShowReveal(source_, reveal_);
  ASSERT_TRUE(region.ok());
  EXPECT_FLOAT_EQ(region.value().x, 0.5f);
  ASSERT_EQ(uploads_.size(), 2u);
  EXPECT_EQ(uploads_[1].width, 50);
  EXPECT_EQ(uploads_[1].height, 38);  // 37.5 rounded out to whole pixels
  gate_.ShowReveal(source_, reveal_);  // unchanged: no new upload
  EXPECT_EQ(uploads_.size(), 2u);
  clock_.Advance(3.5);
  reveal_.Tick();
  EXPECT_FALSE(gate_.ShowReveal(source_, reveal_).ok());
  gate_.EndReveal();
  ASSERT_EQ(uploads_.size(), 3u);
  EXPECT_FALSE(uploads_[2].flagged_unobscured);
  CheckEveryUpload();
}

TEST_F(TextureGateTest, RandomInteractionsNeverLeak) {
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (int step = 0; step < 3000; ++step) {
    switch (rng() % 7) {
      case 0: reveal_.Begin(RegionAround(unit(rng), unit(rng), unit(rng))); break;
      case 1: reveal_.Move(RegionAround(unit(rng), unit(rng), unit(rng))); break;
      case 2: reveal_.Release(); break;
      case 3: clock_.Advance(unit(rng) * 2); reveal_.Tick(); break;
      case 4: gate_.ShowObscured(obscured_); break;
      case 5:
        if (!gate_.ShowReveal(source_, reveal_).ok()) gate_.EndReveal();
        break;
      case 6: gate_.Forget(); break;
    }
  }
  ASSERT_GT(uploads_.size(), 100u);
  int reveal_uploads = 0;
  for (const Recorded& r : uploads_) reveal_uploads += r.flagged_unobscured;
  EXPECT_GT(reveal_uploads, 10);
  CheckEveryUpload();
}

}  // namespace
}  // namespace vigil::review
