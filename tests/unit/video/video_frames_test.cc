// vigil.frames/1 in the pipeline (issue 16 item 1): a video item is decoded once and its
// sampled frames are lent to every detector that declared the extension, each at its
// own rate; ABI 1.0 detectors keep getting one analyze() per video; every failure
// (decode, limit, frame call, a refused request) fails the item for that detector with
// the reason, never clean. Clips are benign ffmpeg test sources made at test time.
#include "pipeline/video_frames.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "loader/plugin_registry.h"
#include "pipeline/pipeline.h"
#include "video_test_util.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using video::testing::Ffmpeg;
using video::testing::ScratchDir;

class VideoFramesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.Load(fs::path(VIGIL_TEST_PLUGIN_DIR) / "test-frames.so");
    registry_.Load(fs::path(VIGIL_PLUGIN_DIR) / "vigil-exact.so");
    ASSERT_EQ(registry_.errors().size(), 0u);
  }

  std::vector<Detector> Pick(const std::vector<std::string>& ids) {
    std::vector<Detector> picked;
    for (const std::string& id : ids) {
      for (const Detector& d : registry_.detectors()) {
        if (d.id() == id) picked.push_back(d);
      }
    }
    EXPECT_EQ(picked.size(), ids.size());
    return picked;
  }

  // Scans `paths` with the detectors `ids`; one record per path.
  std::vector<ItemRecord> Scan(const std::vector<std::string>& ids,
                               const std::vector<fs::path>& paths, PipelineOptions options = {}) {
    auto pipeline = Pipeline::Create(Pick(ids), {}, options);
    EXPECT_TRUE(pipeline.ok()) << pipeline.status().message();
    std::vector<IntakeItem> items;
    for (const fs::path& p : paths) {
      IntakeItem item;
      item.path = p.string();
      items.push_back(item);
    }
    std::vector<ItemRecord> out;
    Status s = pipeline.value()->Run(std::move(items), [&](ItemRecord& r) {
      out.push_back(r);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return out;
  }

  // A 10-second, 25 fps, 64x48 clip of solid red (benign).
  fs::path RedClip() {
    const std::string path = dir_.Path("red.mp4");
    EXPECT_TRUE(
        Ffmpeg("-f lavfi -i color=color=red:size=64x48:rate=25:duration=10 "
               "-c:v libx264 -pix_fmt yuv420p " +
               path));
    return path;
  }

  ScratchDir dir_;
  PluginRegistry registry_;
};

const DetectorRun* RunOf(const ItemRecord& record, const std::string& id) {
  for (const DetectorRun& run : record.runs) {
    if (run.detector == id) return &run;
  }
  return nullptr;
}

std::string SignalOf(const DetectorRun& run, const std::string& type) {
  for (const auto& signal : run.result.signals()) {
    if (signal.type() == type) return signal.value();
  }
  return "";
}

TEST_F(VideoFramesTest, EachFrameDetectorGetsItsOwnRateFromOneDecode) {
  const fs::path clip = RedClip();
  auto records =
      Scan({"test.frames", "test.frames-every", "test.frames-half", "vigil.exact"}, {clip});
  ASSERT_EQ(records.size(), 1u);
  const ItemRecord& r = records[0];
  EXPECT_EQ(r.media_kind, "video");
  const DetectorRun* one = RunOf(r, "test.frames");
  const DetectorRun* every = RunOf(r, "test.frames-every");
  const DetectorRun* half = RunOf(r, "test.frames-half");
  ASSERT_TRUE(one && every && half);
  ASSERT_TRUE(one->status.ok()) << one->status.message();
  ASSERT_TRUE(every->status.ok()) << every->status.message();
  ASSERT_TRUE(half->status.ok()) << half->status.message();
  // 250 frames at 25 fps: 1 fps is every 25th frame, 0.5 fps every 50th.
  EXPECT_EQ(SignalOf(*one, "frames"), "count=10 first=0 last=225");
  EXPECT_EQ(SignalOf(*every, "frames"), "count=250 first=0 last=249");
  EXPECT_EQ(SignalOf(*half, "frames"), "count=5 first=0 last=200");
  EXPECT_EQ(SignalOf(*one, "decode"), "0");
  EXPECT_EQ(SignalOf(*one, "analyze"), "") << "a frame detector got analyze() for a video";
  // The pixels are the frame's: solid red, within the codec's rounding.
  const std::string rgb = SignalOf(*one, "rgb0");
  int red = 0, green = 0, blue = 0;
  ASSERT_EQ(std::sscanf(rgb.c_str(), "%d,%d,%d", &red, &green, &blue), 3) << rgb;
  EXPECT_GT(red, 230);
  EXPECT_LT(green, 30);
  EXPECT_LT(blue, 30);
}

TEST_F(VideoFramesTest, LendsFramesOfOneDecodeAtTheUnionOfTheRates) {
  const fs::path clip = RedClip();
  auto bytes = video::testing::ReadFileBytes(clip.string());
  std::vector<Detector> picked = Pick({"test.frames", "test.frames-half"});
  std::vector<std::unique_ptr<Analyzer>> owned;
  std::vector<Analyzer*> analyzers;
  for (const Detector& d : picked) {
    auto made = d.Create(vigil::v1::DetectorConfig());
    ASSERT_TRUE(made.ok()) << made.status().message();
    owned.push_back(std::move(made).value());
    analyzers.push_back(owned.back().get());
  }
  vigil_item_view_t item{};
  item.struct_size = sizeof(item);
  item.media_kind = VIGIL_MEDIA_VIDEO;
  item.bytes = bytes.data();
  item.bytes_size = bytes.size();
  VideoLendStats stats;
  auto outcomes = LendVideoFrames(item, analyzers, {}, std::chrono::milliseconds(60000), &stats);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_TRUE(outcomes[0].status.ok());
  EXPECT_TRUE(outcomes[1].status.ok());
  // One decode: 1 fps and 0.5 fps share a step of 25 frames, so 10 frames are converted,
  // not 15; each detector got only its own.
  EXPECT_EQ(stats.frames_sampled, 10);
  EXPECT_EQ(stats.frames_lent, (std::vector<int64_t>{10, 5}));
}

TEST_F(VideoFramesTest, AbiOnePointZeroDetectorStillGetsOneAnalyzePerVideo) {
  // vigil.exact never heard of vigil.frames/1: one analyze() with the bytes, as before.
  const fs::path clip = RedClip();
  auto records = Scan({"vigil.exact", "test.frames"}, {clip});
  ASSERT_EQ(records.size(), 1u);
  const DetectorRun* exact = RunOf(records[0], "vigil.exact");
  ASSERT_NE(exact, nullptr);
  ASSERT_TRUE(exact->status.ok()) << exact->status.message();
  bool sha256 = false;
  for (const auto& signal : exact->result.signals()) sha256 |= signal.type() == "sha256";
  EXPECT_TRUE(sha256) << "vigil.exact did not analyse the video's bytes";
  EXPECT_EQ(fs::file_size(clip), static_cast<uintmax_t>(records[0].size));
}

TEST_F(VideoFramesTest, ImagesStillGoThroughAnalyze) {
  const fs::path png = fs::path(VIGIL_TESTDATA) / "pdq" / "synthetic" / "r_64x64.png";
  ASSERT_TRUE(fs::exists(png)) << png;
  auto records = Scan({"test.frames"}, {png});
  ASSERT_EQ(records.size(), 1u);
  const DetectorRun* run = RunOf(records[0], "test.frames");
  ASSERT_NE(run, nullptr);
  ASSERT_TRUE(run->status.ok()) << run->status.message();
  EXPECT_THAT(SignalOf(*run, "analyze"), HasSubstr("kind=1"));
}

TEST_F(VideoFramesTest, FailingFrameCallFailsOnlyThatDetectorWithItsReason) {
  const fs::path clip = RedClip();
  auto records = Scan({"test.frames-fail", "test.frames"}, {clip});
  ASSERT_EQ(records.size(), 1u);
  const DetectorRun* failing = RunOf(records[0], "test.frames-fail");
  const DetectorRun* fine = RunOf(records[0], "test.frames");
  ASSERT_TRUE(failing && fine);
  EXPECT_FALSE(failing->status.ok());
  EXPECT_THAT(failing->status.message(), HasSubstr("failed on frame 50"));
  EXPECT_THAT(failing->status.message(), HasSubstr("refused frame 50"));
  EXPECT_TRUE(fine->status.ok()) << fine->status.message();
  EXPECT_EQ(SignalOf(*fine, "frames"), "count=10 first=0 last=225");
}

TEST_F(VideoFramesTest, RefusedFrameRequestFailsEveryVideoForThatDetector) {
  const fs::path clip = RedClip();
  auto records = Scan({"test.frames-badreq"}, {clip});
  ASSERT_EQ(records.size(), 1u);
  const DetectorRun* run = RunOf(records[0], "test.frames-badreq");
  ASSERT_NE(run, nullptr);
  EXPECT_FALSE(run->status.ok());
  EXPECT_THAT(run->status.message(), HasSubstr("frames per second"));
}

TEST_F(VideoFramesTest, TruncatedCorruptEmptyAndAudioOnlyVideosFailWithTheReason) {
  const fs::path clip = RedClip();
  auto bytes = video::testing::ReadFileBytes(clip.string());
  // Cut in half: the MP4 index reaches past the end.
  std::vector<uint8_t> half(bytes.begin(), bytes.begin() + bytes.size() / 2);
  video::testing::WriteFileBytes(dir_.Path("truncated.mp4"), half);
  // The sniffer still sees a video (the header is intact), the frames are garbage.
  std::vector<uint8_t> corrupt = bytes;
  for (size_t i = corrupt.size() / 3; i < corrupt.size(); i += 7) corrupt[i] ^= 0x5a;
  video::testing::WriteFileBytes(dir_.Path("corrupt.mp4"), corrupt);
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i sine=frequency=440:duration=2 -c:a aac " + dir_.Path("audio.mp4")));
  auto records = Scan({"test.frames"}, {dir_.Path("truncated.mp4"), dir_.Path("corrupt.mp4"),
                                        dir_.Path("audio.mp4")});
  ASSERT_EQ(records.size(), 3u);
  std::map<std::string, const ItemRecord*> by_name;
  for (const ItemRecord& r : records) by_name[fs::path(r.path).filename().string()] = &r;
  for (const char* name : {"truncated.mp4", "corrupt.mp4", "audio.mp4"}) {
    SCOPED_TRACE(name);
    const ItemRecord& r = *by_name.at(name);
    const DetectorRun* run = RunOf(r, "test.frames");
    if (r.media_kind != "video") {
      // Not sniffed as a video at all: then it was not offered as one either.
      EXPECT_EQ(run, nullptr);
      continue;
    }
    ASSERT_NE(run, nullptr);
    EXPECT_FALSE(run->status.ok()) << "a broken video was recorded clean";
  }
  const DetectorRun* truncated = RunOf(*by_name.at("truncated.mp4"), "test.frames");
  ASSERT_NE(truncated, nullptr);
  EXPECT_THAT(truncated->status.message(), HasSubstr("truncated"));
}

TEST_F(VideoFramesTest, LimitsFailTheItemBeforeDecoding) {
  const fs::path clip = RedClip();
  PipelineOptions options;
  options.video_limits.max_dimension = 32;  // the clip is 64x48
  auto records = Scan({"test.frames"}, {clip}, options);
  ASSERT_EQ(records.size(), 1u);
  const DetectorRun* run = RunOf(records[0], "test.frames");
  ASSERT_NE(run, nullptr);
  EXPECT_FALSE(run->status.ok());
  EXPECT_THAT(run->status.message(), HasSubstr("too large"));
}

TEST(FrameStepTest, FollowsTheReferenceRule) {
  FrameWants one{true, false, 1.0, Status::Ok()};
  FrameWants every{true, true, 1.0, Status::Ok()};
  FrameWants fast{true, false, 100.0, Status::Ok()};
  EXPECT_EQ(FrameStep(one, 25), 25);
  EXPECT_EQ(FrameStep(one, 29.97), 29);
  EXPECT_EQ(FrameStep(every, 25), 1);
  EXPECT_EQ(FrameStep(fast, 25), 1);
}

}  // namespace
}  // namespace vigil::host
