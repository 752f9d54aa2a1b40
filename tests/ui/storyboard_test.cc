// The video storyboard's model (issue 16 item 4): which frames (inside the matched ranges
// at the detector's rate, capped, evenly spread; evenly spaced others on request), the
// sheet's layout and reveal regions kept inside one frame, decoding a real video off the
// UI thread with vigil_video (a corrupt, hostile or huge video gives a reason, never a
// crash), and obscuring: the only pixels the texture gate uploads outside a reveal are
// obscured ones, and a reveal uploads only a region inside one frame.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "fixture_store.h"
#include "model/clock.h"
#include "model/reveal_controller.h"
#include "obscure/obscured_cache.h"
#include "obscure/texture_gate.h"
#include "video/storyboard_builder.h"
#include "video/storyboard_frames.h"
#include "video/storyboard_layout.h"

namespace vigil::review {
namespace {

namespace fs = std::filesystem;
using host::TimeSpan;

StoryboardRequest Ranges(std::vector<TimeSpan> spans, int extra = 0) {
  StoryboardRequest r;
  r.matched = std::move(spans);
  r.extra_frames = extra;
  return r;
}

std::vector<double> Times(const FrameChoice& choice) {
  std::vector<double> out;
  for (const ChosenFrame& f : choice.frames) out.push_back(f.timestamp_seconds);
  return out;
}

// [SECTION] Which frames

TEST(StoryboardFramesTest, SampledFramesInsideTheMatchedRangeAtTheDetectorsRate) {
  // 22 s at 30 frames/s, matched from 6 s to 15 s, sampled at 1 fps: 6, 7, ..., 15.
  const FrameChoice choice = ChooseStoryboardFrames(30, 660, Ranges({{6.0, 15.0}}));
  ASSERT_EQ(choice.frames.size(), 10u);
  EXPECT_EQ(choice.matched_available, 10);
  for (size_t i = 0; i < choice.frames.size(); ++i) {
    EXPECT_EQ(choice.frames[i].frame_number, static_cast<int64_t>(180 + 30 * i));
    EXPECT_DOUBLE_EQ(choice.frames[i].timestamp_seconds, 6.0 + static_cast<double>(i));
    EXPECT_TRUE(choice.frames[i].matched);
  }
  EXPECT_EQ(choice.note, "");
  // At 2 fps the same range has 19 sampled frames (every 15th frame).
  StoryboardRequest two = Ranges({{6.0, 15.0}});
  two.frames_per_second = 2;
  EXPECT_EQ(ChooseStoryboardFrames(30, 660, two).frames.size(), 19u);
}

TEST(StoryboardFramesTest, StoredRangesWithThreeDecimalsStillHoldTheirFrames) {
  // 29.97 frames/s at 2 fps: a step of int(14.985) = 14 frames. Frames 14 and 28 are at
  // 0.46713 s and 0.93427 s, stored rounded as "0.467-0.934": both are in it.
  StoryboardRequest request = Ranges({{0.467, 0.934}});
  request.frames_per_second = 2;
  const FrameChoice choice = ChooseStoryboardFrames(29.97, 300, request);
  ASSERT_EQ(choice.frames.size(), 2u);
  EXPECT_EQ(choice.frames[0].frame_number, 14);
  EXPECT_EQ(choice.frames[1].frame_number, 28);
}

TEST(StoryboardFramesTest, ManyMatchedFramesAreCappedAndEvenlySpread) {
  // 100 s matched at 1 fps: 101 frames, 24 shown, the first and the last among them.
  const FrameChoice choice = ChooseStoryboardFrames(25, 25 * 120, Ranges({{0, 100}}));
  ASSERT_EQ(choice.frames.size(), static_cast<size_t>(kMaxStoryboardTiles));
  EXPECT_EQ(choice.matched_available, 101);
  EXPECT_DOUBLE_EQ(choice.frames.front().timestamp_seconds, 0);
  EXPECT_DOUBLE_EQ(choice.frames.back().timestamp_seconds, 100);
  for (size_t i = 1; i < choice.frames.size(); ++i) {
    const double gap = choice.frames[i].timestamp_seconds - choice.frames[i - 1].timestamp_seconds;
    EXPECT_GE(gap, 4.0);
    EXPECT_LE(gap, 5.0);
  }
  EXPECT_NE(choice.note.find("24 of 101 matched frames"), std::string::npos) << choice.note;
}

TEST(StoryboardFramesTest, EvenlySpacedOthersOnRequest) {
  // Matched 6-8 s of a 60 s video, and 8 others on request.
  const FrameChoice choice = ChooseStoryboardFrames(30, 1800, Ranges({{6, 8}}, 8));
  int matched = 0, others = 0;
  std::set<int64_t> numbers;
  for (const ChosenFrame& f : choice.frames) {
    (f.matched ? matched : others) += 1;
    numbers.insert(f.frame_number);
    if (!f.matched) {
      EXPECT_TRUE(f.timestamp_seconds < 6 || f.timestamp_seconds > 8);
    }
  }
  EXPECT_EQ(matched, 3);
  EXPECT_EQ(others, 8);
  EXPECT_EQ(numbers.size(), choice.frames.size());  // no frame twice
  EXPECT_DOUBLE_EQ(choice.frames.front().timestamp_seconds, 0);
  EXPECT_DOUBLE_EQ(choice.frames.back().timestamp_seconds, 59);
  // Asking for more than the cap still shows at most the cap, matched frames kept.
  const FrameChoice full = ChooseStoryboardFrames(30, 1800, Ranges({{6, 8}}, 1000));
  EXPECT_EQ(full.frames.size(), static_cast<size_t>(kMaxStoryboardTiles));
}

TEST(StoryboardFramesTest, WithoutRangesEvenlySpacedFrames) {
  const FrameChoice choice = ChooseStoryboardFrames(25, 25 * 60, Ranges({}));
  ASSERT_EQ(choice.frames.size(), static_cast<size_t>(kUnmatchedStoryboardFrames));
  for (const ChosenFrame& f : choice.frames) EXPECT_FALSE(f.matched);
  EXPECT_EQ(Times(choice).front(), 0);
  EXPECT_EQ(Times(choice).back(), 59);
}

TEST(StoryboardFramesTest, ARangeBetweenTwoSamplesGetsTheNearestOne) {
  // Found at every frame by a detector, 3.2-3.4 s; at 1 fps the nearest sample is 3 s.
  const FrameChoice choice = ChooseStoryboardFrames(30, 300, Ranges({{3.2, 3.4}}));
  ASSERT_EQ(choice.frames.size(), 1u);
  EXPECT_EQ(choice.frames[0].frame_number, 90);
  EXPECT_TRUE(choice.frames[0].matched);
}

TEST(StoryboardFramesTest, HostileInputIsBounded) {
  // No frame rate: nothing, with the reason.
  EXPECT_TRUE(ChooseStoryboardFrames(0, 100, Ranges({{0, 5}})).frames.empty());
  EXPECT_TRUE(ChooseStoryboardFrames(NAN, 100, Ranges({{0, 5}})).frames.empty());
  EXPECT_NE(ChooseStoryboardFrames(-1, 100, Ranges({})).note, "");
  // A ten-day range on a video of unknown length: bounded, capped.
  const FrameChoice huge = ChooseStoryboardFrames(1000, 0, Ranges({{0, 864000}}));
  EXPECT_EQ(huge.frames.size(), static_cast<size_t>(kMaxStoryboardTiles));
  // Ranges past the end of the video are clamped to its last sampled frame.
  const FrameChoice past = ChooseStoryboardFrames(10, 100, Ranges({{50, 60}}));
  ASSERT_EQ(past.frames.size(), 1u);
  EXPECT_EQ(past.frames[0].frame_number, 90);
  // Unknown length and no ranges: nothing to space evenly over, and it says so.
  const FrameChoice unknown = ChooseStoryboardFrames(25, 0, Ranges({}));
  EXPECT_TRUE(unknown.frames.empty());
  EXPECT_NE(unknown.note.find("length"), std::string::npos);
  // A silly rate is taken as 1 frame per second.
  StoryboardRequest bad = Ranges({{1, 2}});
  bad.frames_per_second = -5;
  EXPECT_EQ(ChooseStoryboardFrames(30, 300, bad).frames.size(), 2u);
}

// [SECTION] Layout and reveal regions

TEST(StoryboardLayoutTest, SheetFitsAndTilesDoNotOverlap) {
  for (int count : {1, 2, 3, 10, 12, 24}) {
    const SheetGrid g = PlanSheet(count, 1920, 1080, 768);
    ASSERT_GT(g.columns, 0);
    EXPECT_LE(g.width, 768) << count;
    EXPECT_LE(g.height, 768) << count;
    EXPECT_GE(g.columns * g.rows, count);
    EXPECT_NEAR(static_cast<double>(g.tile_width) / g.tile_height, 16.0 / 9.0, 0.1) << count;
    for (int i = 0; i < count; ++i) {
      EXPECT_LE(g.TileX(i) + g.tile_width, g.width);
      EXPECT_LE(g.TileY(i) + g.tile_height, g.height);
      if (i > 0 && i % g.columns != 0) {
        EXPECT_GT(g.TileX(i), g.TileX(i - 1) + g.tile_width);
      }
    }
  }
  // A tiny video is not blown up; a bad size gives no grid.
  EXPECT_EQ(PlanSheet(1, 32, 24, 768).tile_width, 32);
  EXPECT_EQ(PlanSheet(0, 32, 24, 768).columns, 0);
  EXPECT_EQ(PlanSheet(4, 0, 24, 768).columns, 0);
}

StoryboardLayout TwoTiles() {
  StoryboardLayout layout;
  layout.tiles.push_back({Rect{0.02f, 0.1f, 0.46f, 0.8f}, 0, 0.0, true});
  layout.tiles.push_back({Rect{0.52f, 0.1f, 0.46f, 0.8f}, 30, 1.0, false});
  return layout;
}

TEST(StoryboardLayoutTest, ARevealRegionStaysInsideTheFrameUnderThePointer) {
  const StoryboardLayout layout = TwoTiles();
  EXPECT_EQ(TileAt(layout, 0.1f, 0.5f), 0);
  EXPECT_EQ(TileAt(layout, 0.6f, 0.5f), 1);
  EXPECT_EQ(TileAt(layout, 0.5f, 0.5f), -1);  // the gap
  EXPECT_EQ(TileNear(layout, 0.495f, 0.5f), 0);
  EXPECT_EQ(TileNear(StoryboardLayout{}, 0.5f, 0.5f), -1);
  // At the right edge of tile 0, the region is pushed back inside it.
  const Rect r = RegionInTile(layout, 0, 0.479f, 0.5f, 0.5f);
  EXPECT_GE(r.x, 0.02f);
  EXPECT_LE(r.x + r.w, 0.02f + 0.46f + 1e-6f);
  EXPECT_NEAR(r.w, 0.23f, 1e-5);  // half the tile's width, not half the sheet's
  EXPECT_EQ(TilesTouched(layout, r), std::vector<int>{0});
  // A region over both frames touches both; nothing touches nothing.
  EXPECT_EQ(TilesTouched(layout, Rect{0.3f, 0.3f, 0.4f, 0.2f}), (std::vector<int>{0, 1}));
  EXPECT_TRUE(TilesTouched(layout, Rect{}).empty());
  EXPECT_EQ(RegionInTile(layout, 7, 0.5f, 0.5f, 0.5f), Rect{});
}

TEST(StoryboardLayoutTest, VideoTimes) {
  EXPECT_EQ(VideoTime(0), "0:00.0");
  EXPECT_EQ(VideoTime(6.5), "0:06.5");
  EXPECT_EQ(VideoTime(75.25), "1:15.2");
  EXPECT_EQ(VideoTime(3725), "1:02:05");
  EXPECT_EQ(VideoTime(NAN), "0:00.0");
}

// [SECTION] Decoding real videos

class StoryboardVideoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ =
        new fs::path(fs::temp_directory_path() / ("vigil-storyboard-" + std::to_string(getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    // 10 s of FFmpeg's benign test card, 320x240 at 25 frames/s, with a tone that must
    // never be decoded.
    const std::string cmd =
        "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=320x240:rate=25 "
        "-f lavfi -i sine=frequency=440 -t 10 -c:v libx264 -preset veryfast "
        "-pix_fmt yuv420p -c:a aac " +
        (*dir_ / "card.mp4").string();
    made_ = std::system(cmd.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(made_) << "ffmpeg could not make the test video"; }

  static std::string Card() { return (*dir_ / "card.mp4").string(); }
  static VideoOpener FileOpener(const std::string& path) {
    return [path](const video::VideoLimits& limits) {
      return video::VideoDecoder::OpenFile(path, limits);
    };
  }
  static std::string Bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static fs::path* dir_;
  static bool made_;
};
fs::path* StoryboardVideoTest::dir_ = nullptr;
bool StoryboardVideoTest::made_ = false;

TEST_F(StoryboardVideoTest, MatchedFramesOfARealVideoInTheirTiles) {
  auto board = BuildStoryboard(FileOpener(Card()), Ranges({{2, 4}}), 768);
  ASSERT_TRUE(board.ok()) << board.status().message();
  const StoryboardLayout& layout = board.value().layout;
  ASSERT_EQ(layout.tiles.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(layout.tiles[i].frame_number, static_cast<int64_t>(50 + 25 * i));
    EXPECT_DOUBLE_EQ(layout.tiles[i].timestamp_seconds, 2.0 + static_cast<double>(i));
    EXPECT_TRUE(layout.tiles[i].matched);
  }
  EXPECT_NEAR(layout.duration_seconds, 10.0, 0.1);
  const RgbImage& sheet = board.value().sheet;
  EXPECT_EQ(sheet.width, layout.sheet_width);
  EXPECT_LE(std::max(sheet.width, sheet.height), 768);
  // Each tile holds a picture (the test card's detail), the gaps none.
  for (const StoryboardTile& tile : layout.tiles) {
    const int x = static_cast<int>(tile.rect.x * sheet.width),
              y = static_cast<int>(tile.rect.y * sheet.height);
    const int w = static_cast<int>(tile.rect.w * sheet.width),
              h = static_cast<int>(tile.rect.h * sheet.height);
    EXPECT_GT(testing::HighFrequencyEnergy(sheet, x + 1, y + 1, w - 2, h - 2), 5.0);
  }
  EXPECT_EQ(sheet.at(0, 0)[0], sheet.at(1, 1)[0]);  // the border is flat grey
}

TEST_F(StoryboardVideoTest, MoreFramesOnRequestAndFromBytes) {
  const std::string bytes = Bytes(Card());
  VideoOpener from_memory = [&](const video::VideoLimits& limits) {
    return video::VideoDecoder::OpenMemory(reinterpret_cast<const uint8_t*>(bytes.data()),
                                           bytes.size(), limits);
  };
  auto board = BuildStoryboard(from_memory, Ranges({{2, 4}}, 8), 768);
  ASSERT_TRUE(board.ok()) << board.status().message();
  int matched = 0;
  for (const StoryboardTile& t : board.value().layout.tiles) matched += t.matched;
  EXPECT_EQ(matched, 3);
  // 8 more than the 3 matched, but the 10 s video has only 10 sampled frames: all of them,
  // none twice.
  ASSERT_EQ(board.value().layout.tiles.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(board.value().layout.tiles[i].frame_number, static_cast<int64_t>(25 * i));
  }
  auto four = BuildStoryboard(from_memory, Ranges({{2, 4}}, 4), 768);
  ASSERT_TRUE(four.ok()) << four.status().message();
  EXPECT_EQ(four.value().layout.tiles.size(), 7u);
}

TEST_F(StoryboardVideoTest, CorruptHostileAndHugeVideosGiveAReason) {
  const std::string bytes = Bytes(Card());
  auto from = [](const std::string* data) -> VideoOpener {
    return [data](const video::VideoLimits& limits) {
      return video::VideoDecoder::OpenMemory(reinterpret_cast<const uint8_t*>(data->data()),
                                             data->size(), limits);
    };
  };
  // Truncated: its index reaches past the data.
  const std::string cut = bytes.substr(0, bytes.size() / 2);
  auto truncated = BuildStoryboard(from(&cut), Ranges({{8, 9}}), 768);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().message().rfind("cannot show the video: ", 0), 0u)
      << truncated.status().message();
  // Not a video at all, and nothing.
  const std::string text = "this is not a video, just text";
  auto not_video = BuildStoryboard(from(&text), Ranges({}), 768);
  ASSERT_FALSE(not_video.ok());
  EXPECT_NE(not_video.status().message().find("not a video"), std::string::npos);
  const std::string empty;
  EXPECT_FALSE(BuildStoryboard(from(&empty), Ranges({}), 768).ok());
  // Random bytes after a valid header.
  std::string garbled = bytes;
  for (size_t i = 4096; i < garbled.size(); i += 7)
    garbled[i] = static_cast<char>(garbled[i] ^ 0x5a);
  auto garbage = BuildStoryboard(from(&garbled), Ranges({{1, 9}}), 768);
  if (!garbage.ok()) {
    EXPECT_NE(garbage.status().message(), "");
  }
  // Over the limits: refused before any frame is decoded.
  StoryboardLimits small;
  small.video.max_dimension = 100;
  auto huge = BuildStoryboard(from(&bytes), Ranges({{1, 2}}), 768, small);
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("too large"), std::string::npos)
      << huge.status().message();
  // A missing file.
  auto missing = BuildStoryboard(FileOpener((*dir_ / "missing.mp4").string()), Ranges({}), 768);
  EXPECT_FALSE(missing.ok());
}

TEST_F(StoryboardVideoTest, DecodingStopsWhenCancelledOrOverItsTime) {
  std::atomic<bool> cancel{true};
  auto cancelled = BuildStoryboard(FileOpener(Card()), Ranges({{1, 9}}), 768, {}, &cancel);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.status().code(), Status::Code::kCancelled);
  StoryboardLimits no_time;
  no_time.max_decode_seconds = -1;
  auto late = BuildStoryboard(FileOpener(Card()), Ranges({{1, 9}}), 768, no_time);
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.status().message().find("longer than"), std::string::npos);
}

// [SECTION] Fail closed: what reaches the GPU

TEST_F(StoryboardVideoTest, OnlyObscuredPixelsReachTheGpuOutsideARevealOfOneFrame) {
  // The same sheet the cache builds, to compare with.
  const StoryboardRequest request = Ranges({{2, 4}});
  auto board = BuildStoryboard(FileOpener(Card()), request, 768);
  ASSERT_TRUE(board.ok()) << board.status().message();
  const RgbImage& sheet = board.value().sheet;

  ObscureSettings style;
  ObscuredCache cache(style, 768, 4);
  std::optional<PreparedItem> prepared;
  for (int i = 0; i < 200 && !prepared; ++i) {
    prepared = cache.Get(7, Card(), 4, &request);
    if (!prepared) cache.WaitIdle();
  }
  ASSERT_TRUE(prepared.has_value());
  ASSERT_TRUE(prepared->status.ok()) << prepared->status.message();
  ASSERT_TRUE(prepared->storyboard);
  ASSERT_EQ(prepared->storyboard->tiles.size(), 3u);
  EXPECT_EQ(prepared->source->width(), sheet.width);

  struct Upload {
    TextureSlot slot;
    bool unobscured;
    int width, height;
    RgbImage image;
  };
  std::vector<Upload> uploads;
  TextureGate gate([&](const TextureUpload& u) {
    RgbImage image(u.width, u.height);
    image.pixels.assign(u.rgb, u.rgb + static_cast<size_t>(u.width) * u.height * 3);
    uploads.push_back({u.slot, u.unobscured, u.width, u.height, std::move(image)});
  });
  ManualClock clock;
  RevealController reveal(clock, 3.0);
  gate.ShowObscured(prepared->obscured);
  EXPECT_FALSE(gate.ShowReveal(prepared->source, reveal).ok());  // no reveal: nothing
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].slot, TextureSlot::kItem);
  EXPECT_FALSE(uploads[0].unobscured);
  // Every obscured tile has far less detail than the frame it hides (compared at the
  // obscured copy's size, so downscaling alone cannot explain it).
  const RgbImage& obscured = uploads[0].image;
  const RgbImage plain = Downscale(sheet, std::max(obscured.width, obscured.height));
  ASSERT_EQ(plain.width, obscured.width);
  for (const StoryboardTile& tile : prepared->storyboard->tiles) {
    const int x = static_cast<int>(tile.rect.x * obscured.width) + 1;
    const int y = static_cast<int>(tile.rect.y * obscured.height) + 1;
    const int w = static_cast<int>(tile.rect.w * obscured.width) - 2;
    const int h = static_cast<int>(tile.rect.h * obscured.height) - 2;
    const double hidden = testing::HighFrequencyEnergy(obscured, x, y, w, h);
    const double shown = testing::HighFrequencyEnergy(plain, x, y, w, h);
    EXPECT_LT(hidden, shown * 0.3) << "tile at " << tile.timestamp_seconds << " s";
  }
  // A reveal of a region of the middle frame uploads that region only, and it is inside
  // the frame.
  const StoryboardTile& middle = prepared->storyboard->tiles[1];
  const Rect region = RegionInTile(*prepared->storyboard, 1, middle.rect.x + middle.rect.w / 2,
                                   middle.rect.y + middle.rect.h / 2, 0.5f);
  ASSERT_TRUE(reveal.Begin(region));
  auto shown = gate.ShowReveal(prepared->source, reveal);
  ASSERT_TRUE(shown.ok()) << shown.status().message();
  ASSERT_EQ(uploads.size(), 2u);
  EXPECT_TRUE(uploads[1].unobscured);
  EXPECT_EQ(uploads[1].slot, TextureSlot::kReveal);
  const Rect& r = shown.value();
  const float px = 1.0f / static_cast<float>(sheet.width),
              py = 1.0f / static_cast<float>(sheet.height);
  EXPECT_GE(r.x, middle.rect.x - px);
  EXPECT_GE(r.y, middle.rect.y - py);
  EXPECT_LE(r.x + r.w, middle.rect.x + middle.rect.w + px);
  EXPECT_LE(r.y + r.h, middle.rect.y + middle.rect.h + py);
  EXPECT_LE(uploads[1].width * uploads[1].height,
            static_cast<int>(sheet.width * middle.rect.w * sheet.height * middle.rect.h / 4) +
                2 * sheet.width);
  // The revealed pixels are the frame's own.
  const int x0 = static_cast<int>(std::lround(r.x * sheet.width));
  const int y0 = static_cast<int>(std::lround(r.y * sheet.height));
  EXPECT_EQ(0, std::memcmp(uploads[1].image.at(0, 0), sheet.at(x0, y0),
                           3 * static_cast<size_t>(uploads[1].width)));
  // The reveal ends: the reveal texture is overwritten.
  reveal.Release();
  gate.EndReveal();
  ASSERT_EQ(uploads.size(), 3u);
  EXPECT_EQ(uploads[2].width * uploads[2].height, 1);
}

TEST_F(StoryboardVideoTest, ACorruptVideoInTheCacheGivesItsReason) {
  const std::string cut = Bytes(Card()).substr(0, 20000);
  const fs::path path = *dir_ / "cut.mp4";
  std::ofstream(path, std::ios::binary) << cut;
  ObscuredCache cache(ObscureSettings{}, 768, 4);
  const StoryboardRequest request = Ranges({{2, 4}});
  std::optional<PreparedItem> prepared;
  for (int i = 0; i < 200 && !prepared; ++i) {
    prepared = cache.Get(9, path.string(), 4, &request);
    if (!prepared) cache.WaitIdle();
  }
  ASSERT_TRUE(prepared.has_value());
  EXPECT_FALSE(prepared->status.ok());
  EXPECT_FALSE(prepared->source);
  EXPECT_FALSE(prepared->obscured);
  EXPECT_NE(prepared->status.message().find("cannot show the video"), std::string::npos)
      << prepared->status.message();
}

}  // namespace
}  // namespace vigil::review
