// vigil.frames/1 through the sandboxed worker path (issue 16 item 1): frames reach a
// detector in a vigil-worker through its sealed media buffer, with the same results as
// in process; a worker that crashes on a frame fails the item for that detector with
// the signal, and the next video is analysed on a fresh worker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "isolation/plugin_trust.h"
#include "isolation/quarantine.h"
#include "isolation/worker_analyzer.h"
#include "pipeline/video_frames.h"
#include "video_test_util.h"

namespace vigil::isolation {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using video::testing::Ffmpeg;
using video::testing::ScratchDir;

std::unique_ptr<WorkerAnalyzer> Start(const std::string& id) {
  auto plugin = OpenVerifiedPlugin(fs::path(VIGIL_TEST_PLUGIN_DIR) / "test-frames.so", TrustStore(),
                                   {false, true});
  EXPECT_TRUE(plugin.ok()) << plugin.status().message();
  if (!plugin.ok()) return nullptr;
  vigil::v1::DetectorInfo info;
  info.set_id(id);
  info.mutable_cost()->set_max_ms(5000);
  SupervisionOptions options;
  options.worker.worker_exe = VIGIL_WORKER_PATH;
  options.worker.limits.address_space_bytes = 1ull << 30;
  options.max_deadline = std::chrono::milliseconds(5000);
  options.max_workers = 1;
  auto book =
      std::make_shared<QuarantineBook>(fs::path(), QuarantineRule{100, std::chrono::seconds(600)});
  auto analyzer =
      WorkerAnalyzer::Create(std::make_shared<VerifiedPlugin>(std::move(plugin).value()), info,
                             vigil::v1::DetectorConfig(), options, book);
  EXPECT_TRUE(analyzer.ok()) << analyzer.status().message();
  return analyzer.ok() ? std::move(analyzer).value() : nullptr;
}

std::string SignalOf(const host::AnalyzeOutcome& outcome, const std::string& type) {
  for (const auto& signal : outcome.result.signals()) {
    if (signal.type() == type) return signal.value();
  }
  return "";
}

class FramesInWorker : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        Ffmpeg("-f lavfi -i color=color=red:size=64x48:rate=25:duration=10 "
               "-c:v libx264 -pix_fmt yuv420p " +
               dir_.Path("red.mp4")));
    bytes_ = video::testing::ReadFileBytes(dir_.Path("red.mp4"));
    item_.struct_size = sizeof(item_);
    item_.media_kind = VIGIL_MEDIA_VIDEO;
    item_.bytes = bytes_.data();
    item_.bytes_size = bytes_.size();
  }

  std::vector<host::AnalyzeOutcome> Lend(const std::vector<host::Analyzer*>& analyzers) {
    return host::LendVideoFrames(item_, analyzers, {}, std::chrono::milliseconds(5000));
  }

  ScratchDir dir_;
  std::vector<uint8_t> bytes_;
  vigil_item_view_t item_{};
};

TEST_F(FramesInWorker, TheWorkerReportsTheRequestAndGetsTheFrames) {
  auto one = Start("test.frames");
  auto every = Start("test.frames-every");
  ASSERT_TRUE(one && every);
  EXPECT_TRUE(one->frame_wants().wanted);
  EXPECT_FALSE(one->frame_wants().every_frame);
  EXPECT_TRUE(every->frame_wants().every_frame);
  auto outcomes = Lend({one.get(), every.get()});
  ASSERT_EQ(outcomes.size(), 2u);
  ASSERT_TRUE(outcomes[0].status.ok()) << outcomes[0].status.message();
  ASSERT_TRUE(outcomes[1].status.ok()) << outcomes[1].status.message();
  EXPECT_EQ(SignalOf(outcomes[0], "frames"), "count=10 first=0 last=225");
  EXPECT_EQ(SignalOf(outcomes[1], "frames"), "count=250 first=0 last=249");
  int red = 0, green = 0, blue = 0;
  ASSERT_EQ(std::sscanf(SignalOf(outcomes[0], "rgb0").c_str(), "%d,%d,%d", &red, &green, &blue), 3);
  EXPECT_GT(red, 230);
  EXPECT_LT(green, 30);
  // The same worker takes the next video.
  const pid_t pid = one->any_worker_pid();
  auto again = Lend({one.get()});
  ASSERT_TRUE(again[0].status.ok()) << again[0].status.message();
  EXPECT_EQ(one->any_worker_pid(), pid);
}

TEST_F(FramesInWorker, FrameCallFailureAndRefusedRequestAreFailuresWithReasons) {
  auto failing = Start("test.frames-fail");
  auto badreq = Start("test.frames-badreq");
  ASSERT_TRUE(failing && badreq);
  EXPECT_FALSE(badreq->frame_wants().error.ok());
  auto outcomes = Lend({failing.get(), badreq.get()});
  EXPECT_FALSE(outcomes[0].status.ok());
  EXPECT_THAT(outcomes[0].status.message(), HasSubstr("refused frame 50"));
  EXPECT_FALSE(outcomes[1].status.ok());
  EXPECT_THAT(outcomes[1].status.message(), HasSubstr("frames per second"));
}

TEST_F(FramesInWorker, CrashOnAFrameFailsTheItemAndTheNextVideoGetsAFreshWorker) {
  auto crash = Start("test.frames-crash");
  auto fine = Start("test.frames");
  ASSERT_TRUE(crash && fine);
  auto outcomes = Lend({crash.get(), fine.get()});
  EXPECT_FALSE(outcomes[0].status.ok()) << "a crashed detector was recorded clean";
  EXPECT_THAT(outcomes[0].status.message(), HasSubstr("SIGSEGV"));
  EXPECT_THAT(outcomes[0].status.message(), HasSubstr("frame 50"));
  ASSERT_TRUE(outcomes[1].status.ok()) << outcomes[1].status.message();
  EXPECT_EQ(SignalOf(outcomes[1], "frames"), "count=10 first=0 last=225");
  const int started = crash->workers_started();
  auto next = Lend({crash.get()});
  EXPECT_FALSE(next[0].status.ok());
  EXPECT_EQ(crash->workers_started(), started + 1);
}

TEST_F(FramesInWorker, TruncatedVideoIsAFailureForTheWorkerDetector) {
  auto one = Start("test.frames");
  ASSERT_TRUE(one);
  std::vector<uint8_t> half(bytes_.begin(), bytes_.begin() + bytes_.size() / 2);
  vigil_item_view_t cut = item_;
  cut.bytes = half.data();
  cut.bytes_size = half.size();
  auto outcomes = host::LendVideoFrames(cut, {one.get()}, {}, std::chrono::milliseconds(5000));
  EXPECT_FALSE(outcomes[0].status.ok());
  EXPECT_THAT(outcomes[0].status.message(), HasSubstr("truncated"));
}

}  // namespace
}  // namespace vigil::isolation
