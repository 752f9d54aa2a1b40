// vigil.vpdq through the pipeline (issue 16 items 2-3): the host decodes each video once
// and lends frames (vigil.frames/1); the plugin hashes them and matches the listed
// videos (reference per-frame files in DATA_DIR/video-lists/LIST/ENTRY.vpdq). Shared
// conformance clips: the chair variants match the listed chair, doorknob and pattern do
// not; a re-encoded 10-second excerpt matches and names its seconds in the listed video;
// a truncated video is failed, not clean.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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
using video::testing::VideoDir;

class VpdqPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.Load(fs::path(VIGIL_PLUGIN_DIR) / "vigil-vpdq.so");
    ASSERT_EQ(registry_.errors().size(), 0u);
    ASSERT_EQ(registry_.detectors().size(), 1u);
    // The listed video: the reference's own per-frame hashes of the original chair clip.
    const fs::path lists = fs::path(dir_.Path("data")) / "video-lists" / "test-list";
    fs::create_directories(lists);
    fs::copy_file(fs::path(VideoDir()) / "vpdq-hashes" / "chair-orig-22-sd-bar.txt",
                  lists / "chair-orig.vpdq");
  }

  std::map<std::string, DetectorRun> Scan(const std::vector<fs::path>& paths,
                                          std::map<std::string, std::string> params = {}) {
    std::map<std::string, vigil::v1::DetectorConfig> configs;
    configs["vigil.vpdq"].set_data_dir(dir_.Path("data"));
    for (const auto& [k, v] : params) (*configs["vigil.vpdq"].mutable_params())[k] = v;
    auto pipeline = Pipeline::Create(registry_.detectors(), configs, {});
    EXPECT_TRUE(pipeline.ok()) << pipeline.status().message();
    std::vector<IntakeItem> items;
    for (const fs::path& p : paths) {
      IntakeItem item;
      item.path = p.string();
      items.push_back(item);
    }
    std::map<std::string, DetectorRun> runs;
    Status s = pipeline.value()->Run(std::move(items), [&](ItemRecord& r) {
      EXPECT_EQ(r.runs.size(), 1u) << r.path;
      if (!r.runs.empty()) runs[fs::path(r.path).filename().string()] = r.runs[0];
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return runs;
  }

  static fs::path Clip(const std::string& name) {
    return fs::path(VideoDir()) / "videos" / (name + ".mp4");
  }

  ScratchDir dir_;
  PluginRegistry registry_;
};

TEST_F(VpdqPluginTest, ChairVariantsMatchTheListedChairOtherFamiliesDoNot) {
  auto runs = Scan({Clip("chair-19-sd-bar"), Clip("chair-22-sd-sepia-bar"),
                    Clip("doorknob-hd-no-bar"), Clip("pattern-sd-grey-bar")});
  ASSERT_EQ(runs.size(), 4u);
  for (const auto& [name, run] : runs) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(run.status.ok()) << run.status.message();
    const bool chair = name.rfind("chair", 0) == 0;
    ASSERT_EQ(run.result.detections_size(), chair ? 1 : 0);
    if (!chair) continue;
    const auto& d = run.result.detections(0);
    EXPECT_EQ(d.detector(), "vigil.vpdq");
    EXPECT_EQ(d.match().bank(), "test-list");
    EXPECT_EQ(d.match().entry_id(), "chair-orig");
    EXPECT_GE(d.score(), 0.8);
    EXPECT_THAT(d.reason(), HasSubstr("the listed video at"));
  }
}

TEST_F(VpdqPluginTest, ReencodedTenSecondExcerptMatchesAndNamesItsSeconds) {
  const std::string excerpt = dir_.Path("excerpt.mp4");
  ASSERT_TRUE(Ffmpeg("-ss 6 -t 10 -i " + Clip("chair-orig-22-sd-bar").string() +
                     " -vf scale=320:-2 -c:v libx264 -crf 30 -an " + excerpt));
  auto runs = Scan({excerpt});
  ASSERT_EQ(runs.count("excerpt.mp4"), 1u);
  const DetectorRun& run = runs["excerpt.mp4"];
  ASSERT_TRUE(run.status.ok()) << run.status.message();
  ASSERT_EQ(run.result.detections_size(), 1);
  const std::string reason = run.result.detections(0).reason();
  // The listed video's range starts at second 6 and ends near second 15 (1 fps samples).
  EXPECT_THAT(reason, HasSubstr("the listed video at 6.0")) << reason;
  EXPECT_THAT(reason, HasSubstr("this video at 0.000-9.000 s")) << reason;
  // The same ranges as data (vigil.v1 TimeRange), for the store and the storyboard.
  const auto& d = run.result.detections(0);
  ASSERT_EQ(d.item_ranges_size(), 1) << d.DebugString();
  EXPECT_DOUBLE_EQ(d.item_ranges(0).start_seconds(), 0.0);
  EXPECT_NEAR(d.item_ranges(0).end_seconds(), 9.0, 1e-3);
  ASSERT_GE(d.match().ranges_size(), 1) << d.DebugString();
  EXPECT_NEAR(d.match().ranges(0).start_seconds(), 6.0, 0.1);
  EXPECT_GT(d.match().ranges(d.match().ranges_size() - 1).end_seconds(), 14.0);
}

TEST_F(VpdqPluginTest, TruncatedVideoIsFailedNotClean) {
  auto bytes = video::testing::ReadFileBytes(Clip("chair-19-sd-bar").string());
  bytes.resize(bytes.size() / 2);
  video::testing::WriteFileBytes(dir_.Path("cut.mp4"), bytes);
  auto runs = Scan({dir_.Path("cut.mp4")});
  ASSERT_EQ(runs.count("cut.mp4"), 1u);
  EXPECT_FALSE(runs["cut.mp4"].status.ok());
  EXPECT_THAT(runs["cut.mp4"].status.message(), HasSubstr("truncated"));
}

TEST_F(VpdqPluginTest, BadConfigurationAndBadListEntryAreRefusedAtCreate) {
  std::map<std::string, vigil::v1::DetectorConfig> configs;
  (*configs["vigil.vpdq"].mutable_params())["fps"] = "0";
  auto refused = Pipeline::Create(registry_.detectors(), configs, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("fps"));
  std::ofstream(fs::path(dir_.Path("data")) / "video-lists" / "test-list" / "bad.vpdq")
      << "0,100,nothex,0.000\n";
  configs.clear();
  configs["vigil.vpdq"].set_data_dir(dir_.Path("data"));
  auto bad_entry = Pipeline::Create(registry_.detectors(), configs, {});
  ASSERT_FALSE(bad_entry.ok());
  EXPECT_THAT(bad_entry.status().message(), HasSubstr("bad.vpdq"));
}

}  // namespace
}  // namespace vigil::host
