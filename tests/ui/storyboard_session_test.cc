// A video item in the console's session (issue 16 item 4): its detections' time ranges
// come back from the store (SQLite; PostgreSQL in tests/postgres runs the same
// migrations), a reveal is only possible once the storyboard is built and stays inside
// one frame, and the exposure ledger counts the frames revealed and the seconds for
// video items while image accounting is unchanged.
#include <gtest/gtest.h>

#include <cmath>

#include "session_fixture.h"
#include "store/time_ranges.h"
#include "vigil/v1/result.pb.h"

namespace vigil::review::testing {
namespace {

using host::TimeSpan;

// [SECTION] The store keeps a detection's ranges.

TEST(TimeRangesTest, FormatDropsBadRangesAndParseRefusesGarbage) {
  v1::Detection d;
  auto add = [&](double a, double b) {
    auto* r = d.add_item_ranges();
    r->set_start_seconds(a);
    r->set_end_seconds(b);
  };
  add(0, 9);
  add(6.0333333, 15.26666);
  add(NAN, 3);
  add(-1, 3);
  add(5, 4);  // ends before it starts
  add(1, INFINITY);
  EXPECT_EQ(host::FormatTimeRanges(d.item_ranges()), "0.000-9.000;6.033-15.267");
  EXPECT_EQ(host::ParseTimeRanges("0.000-9.000;6.033-15.267"),
            (std::vector<TimeSpan>{{0, 9}, {6.033, 15.267}}));
  EXPECT_TRUE(host::ParseTimeRanges("").empty());
  EXPECT_EQ(host::ParseTimeRanges("x-1;2-3;-1-2;4-;5-4;1e3-2e3;7-8junk;9-10"),
            (std::vector<TimeSpan>{{2, 3}, {9, 10}}));
  for (int i = 0; i < 100; ++i) add(i, i + 0.5);
  const std::string many = host::FormatTimeRanges(d.item_ranges());
  EXPECT_EQ(host::ParseTimeRanges(many).size(), host::kMaxTimeRanges);
}

TEST_F(SessionTest, DetectionRangesComeBackFromTheStore) {
  FixtureItem video;
  video.media_kind = "video";
  video.format = "mp4";
  video.image_path = (dir_ / "clip.mp4").string();
  video.item_ranges = {{6, 15.267}, {0, 2}, {1.5, 3}};
  const int64_t id = AddQueuedItem(*store_, video, 77);
  ASSERT_GT(id, 0);
  EXPECT_EQ(Text("SELECT item_ranges FROM detections WHERE item_id = " + std::to_string(id)),
            "6.000-15.267;0.000-2.000;1.500-3.000");
  EXPECT_EQ(Text("SELECT match_ranges FROM detections WHERE item_id = " + std::to_string(id)), "");
  auto details = LoadItemDetails(*store_, id);
  ASSERT_TRUE(details.ok()) << details.status().message();
  ASSERT_EQ(details.value().detections.size(), 1u);
  EXPECT_EQ(details.value().detections[0].item_ranges.size(), 3u);
  // Sorted and merged for the storyboard and its timeline.
  EXPECT_EQ(details.value().MatchedRanges(), (std::vector<TimeSpan>{{0, 3}, {6, 15.267}}));
  // An image's detections have none.
  const auto images = Queue(1, {3});
  auto image = LoadItemDetails(*store_, images[0]);
  ASSERT_TRUE(image.ok());
  EXPECT_TRUE(image.value().MatchedRanges().empty());
}

// [SECTION] Reveals and the ledger

class VideoSessionTest : public SessionTest {
 protected:
  int64_t QueueVideo(int severity = 4) {
    FixtureItem video;
    video.severity = severity;
    video.priority = 1000;  // served first
    video.media_kind = "video";
    video.format = "mp4";
    video.image_path = (dir_ / "clip.mp4").string();
    video.item_ranges = {{2, 4}};
    return AddQueuedItem(*store_, video, 50);
  }
  static std::shared_ptr<const StoryboardLayout> TwoFrames() {
    auto layout = std::make_shared<StoryboardLayout>();
    layout->tiles.push_back({Rect{0.02f, 0.1f, 0.46f, 0.8f}, 50, 2.0, true});
    layout->tiles.push_back({Rect{0.52f, 0.1f, 0.46f, 0.8f}, 75, 3.0, true});
    layout->duration_seconds = 10;
    return layout;
  }
};

TEST_F(VideoSessionTest, NoRevealBeforeTheStoryboardAndThenOnlyInsideOneFrame) {
  const int64_t id = QueueVideo();
  ReviewSession& s = Open();
  ASSERT_TRUE(s.current());
  ASSERT_EQ(s.current()->entry.item_id, id);
  EXPECT_TRUE(s.current()->is_video());
  EXPECT_EQ(s.storyboard_request().matched, (std::vector<TimeSpan>{{2, 4}}));
  // Not built yet: nothing to reveal.
  EXPECT_FALSE(s.BeginReveal(s.RevealRegionAt(true, 0.25f, 0.5f)));
  EXPECT_NE(s.notice().find("not ready"), std::string::npos);
  s.SetStoryboard(id + 1, TwoFrames());  // another item's: ignored
  EXPECT_FALSE(s.current()->storyboard);
  s.SetStoryboard(id, TwoFrames());
  // The pointer over the right-hand frame, near its left edge: the region stays in it.
  const Rect region = s.RevealRegionAt(true, 0.53f, 0.5f);
  EXPECT_GE(region.x, 0.52f);
  EXPECT_LE(region.x + region.w, 0.98f + 1e-6f);
  EXPECT_NEAR(region.w, 0.46f * settings_.reveal_region, 1e-5);
  // Outside the picture: the frame nearest the centre.
  const Rect centred = s.RevealRegionAt(false, 0.9f, 0.9f);
  EXPECT_TRUE(centred.x >= 0.02f && centred.x + centred.w <= 0.98f + 1e-6f);
  EXPECT_TRUE(s.BeginReveal(region));
}

TEST_F(VideoSessionTest, TheLedgerCountsRevealedFramesAndSecondsForVideos) {
  const int64_t video = QueueVideo(4);
  const auto images = Queue(1, {4});
  ReviewSession& s = Open();
  ASSERT_EQ(s.current()->entry.item_id, video);
  s.SetStoryboard(video, TwoFrames());
  // Frame 1 revealed for 1.5 s, then frame 2 for 0.5 s, then frame 1 again for 1 s.
  ASSERT_TRUE(s.BeginReveal(s.RevealRegionAt(true, 0.25f, 0.5f)));
  clock_.Advance(1.5);
  s.EndReveal();
  ASSERT_TRUE(s.BeginReveal(s.RevealRegionAt(true, 0.75f, 0.5f)));
  clock_.Advance(0.5);
  s.EndReveal();
  ASSERT_TRUE(s.BeginReveal(s.RevealRegionAt(true, 0.2f, 0.4f)));
  clock_.Advance(1.0);
  s.EndReveal();
  EXPECT_EQ(s.current()->revealed_tiles, (std::set<int>{0, 1}));
  ASSERT_TRUE(s.Decide("A1").ok());
  const SeverityExposure& e = s.ledger().at(4);
  EXPECT_EQ(e.items, 1);
  EXPECT_EQ(e.reveals, 3);
  EXPECT_NEAR(e.seconds_unobscured, 3.0, 1e-9);
  EXPECT_EQ(e.video_frames_revealed, 2);
  EXPECT_NEAR(e.video_seconds_unobscured, 3.0, 1e-9);
  const std::string row = "FROM exposure WHERE item_id = " + std::to_string(video);
  EXPECT_EQ(Count("SELECT video_frames_revealed " + row), 2);
  EXPECT_EQ(Text("SELECT video_seconds_unobscured " + row), "3.0");
  // The image after it: revealed, counted as before, no video numbers.
  ASSERT_EQ(s.current()->entry.item_id, images[0]);
  ASSERT_TRUE(s.BeginReveal(s.RevealRegionAt(true, 0.5f, 0.5f)));
  clock_.Advance(2.0);
  s.EndReveal();
  ASSERT_TRUE(s.Decide("B1").ok());
  EXPECT_EQ(s.ledger().at(4).items, 2);
  EXPECT_NEAR(s.ledger().at(4).seconds_unobscured, 5.0, 1e-9);
  EXPECT_EQ(s.ledger().at(4).video_frames_revealed, 2);
  EXPECT_NEAR(s.ledger().at(4).video_seconds_unobscured, 3.0, 1e-9);
  EXPECT_EQ(Count("SELECT video_frames_revealed FROM exposure WHERE item_id = " +
                  std::to_string(images[0])),
            0);
  // A restart reads the same back from the store.
  auto totals = ExposureLedger::LoadFromStore(*store_, "alice", TodayUtc());
  ASSERT_TRUE(totals.ok()) << totals.status().message();
  EXPECT_EQ(totals.value()[4].video_frames_revealed, 2);
  EXPECT_NEAR(totals.value()[4].video_seconds_unobscured, 3.0, 1e-3);
  EXPECT_NEAR(totals.value()[4].seconds_unobscured, 5.0, 1e-3);
  EXPECT_EQ(totals.value()[4].reveals, 4);
}

TEST_F(VideoSessionTest, MoreFramesRebuildsTheStoryboardAndIsRefusedForImages) {
  const int64_t video = QueueVideo();
  Queue(1, {3});
  ReviewSession& s = Open();
  s.SetStoryboard(video, TwoFrames());
  ASSERT_TRUE(s.BeginReveal(s.RevealRegionAt(true, 0.25f, 0.5f)));
  clock_.Advance(0.5);
  ASSERT_TRUE(s.MoreFrames().ok());
  // The reveal ended (it showed the old sheet) and was counted; the layout is gone
  // until the new sheet is built.
  EXPECT_FALSE(s.reveal().active());
  EXPECT_EQ(s.current()->reveals, 1);
  EXPECT_FALSE(s.current()->storyboard);
  EXPECT_EQ(s.storyboard_request().extra_frames, kMoreStoryboardFrames);
  for (int i = 0; i < 5; ++i) s.MoreFrames();
  EXPECT_EQ(s.storyboard_request().extra_frames, kMaxStoryboardTiles);
  ASSERT_TRUE(s.Decide("B2").ok());
  ASSERT_TRUE(s.current());
  EXPECT_FALSE(s.current()->is_video());
  EXPECT_FALSE(s.MoreFrames().ok());
  EXPECT_NE(s.notice().find("for videos"), std::string::npos);
}

}  // namespace
}  // namespace vigil::review::testing
