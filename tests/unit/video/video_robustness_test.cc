// The robustness study for videos (host/eval/video_robustness.h): drawn clips and a shared
// clip re-encoded, hashed with vPDQ and compared with the original; summaries recounted from
// the per-video results; bad and corrupt videos reported without stopping the study; bad
// options refused; images and videos told apart in the paths given.
#include "eval/video_robustness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "eval/robustness.h"
#include "video_test_util.h"
#include "vigil/pdq/pdq.h"
#include "vigil/vpdq/vpdq_hash.h"

namespace fs = std::filesystem;

namespace vigil::eval {
namespace {

using video::testing::Ffmpeg;
using video::testing::ReadFileBytes;
using video::testing::ScratchDir;
using video::testing::VideoDir;
using video::testing::WriteFileBytes;

class VideoRobustnessTest : public ::testing::Test {
 protected:
  // Three seconds of testsrc at 10 fps, 160x120 (30 frames).
  std::string Testsrc(const std::string& name = "testsrc.mp4") {
    const std::string path = dir_.Path(name);
    EXPECT_TRUE(
        Ffmpeg("-f lavfi -i testsrc=size=160x120:rate=10:duration=3 -c:v libx264 "
               "-preset ultrafast -crf 10 -pix_fmt yuv420p " +
               path));
    return path;
  }
  ScratchDir dir_;
};

const VideoEditResult& Edit(const VideoResult& video, const std::string& transform,
                            const std::string& strength) {
  for (const VideoEditResult& e : video.edits) {
    if (e.transform == transform && e.strength == strength) return e;
  }
  ADD_FAILURE() << "no edit " << transform << " " << strength;
  static VideoEditResult none;
  return none;
}

TEST_F(VideoRobustnessTest, MildCopiesMatchFrameByFrameAndSummariesAgreeWithTheVideos) {
  const std::string path = Testsrc();
  VideoRobustnessOptions options;
  options.transforms = {"h264", "fps"};
  options.small = true;  // h264 crf30, crf45; fps x0.5
  auto study = RunVideoRobustnessStudy({path, path}, options);
  ASSERT_TRUE(study.ok()) << study.status().message();
  ASSERT_EQ(study->videos.size(), 2u);
  const VideoResult& video = study->videos[0];
  ASSERT_TRUE(video.error.empty()) << video.error;
  EXPECT_EQ(video.width, 160u);
  EXPECT_EQ(video.height, 120u);
  EXPECT_DOUBLE_EQ(video.frame_rate, 10.0);
  EXPECT_EQ(video.bytes, fs::file_size(path));

  // The original as `vigil video hash --every-frame` sees it.
  video::SamplingOptions every;
  every.every_frame = true;
  auto reference = vpdq::HashVideoFile(path, every);
  ASSERT_TRUE(reference.ok()) << reference.status().message();
  EXPECT_EQ(video.frames, static_cast<int>(reference->size()));
  EXPECT_EQ(video.frames, 30);
  const int good_frames = static_cast<int>(std::count_if(
      reference->begin(), reference->end(), [](const auto& f) { return f.quality >= 50; }));
  ASSERT_GT(good_frames, 0);
  EXPECT_EQ(video.low_quality, 30 - good_frames);

  ASSERT_EQ(video.edits.size(), 3u);
  const VideoEditResult& crf30 = Edit(video, "h264", "crf30");
  ASSERT_TRUE(crf30.error.empty()) << crf30.error;
  EXPECT_EQ(crf30.frames, 30);
  EXPECT_EQ(crf30.width, 160u);
  EXPECT_GT(crf30.bytes, 0u);
  EXPECT_EQ(crf30.distances.size(), static_cast<size_t>(good_frames));
  EXPECT_LE(*std::max_element(crf30.distances.begin(), crf30.distances.end()), 31);
  EXPECT_TRUE(crf30.matched);
  EXPECT_GE(crf30.query_matched_percent, 80.0);

  // Half the frame rate: 15 frames, each compared with the original frame at its moment.
  const VideoEditResult& half = Edit(video, "fps", "x0.5");
  ASSERT_TRUE(half.error.empty()) << half.error;
  EXPECT_EQ(half.frames, 15);
  EXPECT_LE(half.distances.size(), 15u);
  EXPECT_GE(half.distances.size(), 1u);
  EXPECT_TRUE(half.matched);

  // Each summary is its strength's edits added up over both (identical) videos.
  ASSERT_EQ(study->summaries.size(), 3u);
  for (size_t w = 0; w < study->summaries.size(); ++w) {
    const VideoStrengthSummary& s = study->summaries[w];
    SCOPED_TRACE(s.transform + " " + s.strength);
    const VideoEditResult& a = study->videos[0].edits[w];
    const VideoEditResult& b = study->videos[1].edits[w];
    EXPECT_EQ(a.distances, b.distances);  // one thread or two, a copy is made the same way
    EXPECT_EQ(s.videos, 2);
    EXPECT_EQ(s.failed, 0);
    EXPECT_EQ(s.matched, (a.matched ? 1 : 0) + (b.matched ? 1 : 0));
    EXPECT_DOUBLE_EQ(s.match_rate, s.matched / 2.0);
    EXPECT_EQ(s.frames, static_cast<int64_t>(a.distances.size() + b.distances.size()));
    EXPECT_EQ(s.frames_within, a.frames_within + b.frames_within);
    EXPECT_DOUBLE_EQ(s.frame_match_rate, static_cast<double>(s.frames_within) / s.frames);
    EXPECT_EQ(s.low_quality, a.low_quality + b.low_quality);
    std::vector<int> all = a.distances;
    all.insert(all.end(), b.distances.begin(), b.distances.end());
    EXPECT_EQ(s.distances, all);
    std::sort(all.begin(), all.end());
    EXPECT_EQ(s.min, all.front());
    EXPECT_EQ(s.max, all.back());
    EXPECT_EQ(s.p50, all[(all.size() + 1) / 2 - 1]);
    EXPECT_NEAR(s.mean, std::accumulate(all.begin(), all.end(), 0.0) / all.size(), 1e-9);
    EXPECT_DOUBLE_EQ(s.mean_query_matched_percent,
                     (a.query_matched_percent + b.query_matched_percent) / 2);
    EXPECT_DOUBLE_EQ(s.bytes_ratio, static_cast<double>(a.bytes + b.bytes) / (2.0 * video.bytes));
  }
  // CRF 45 is the stronger setting: never closer to the original than CRF 30.
  EXPECT_GE(study->summaries[1].mean, study->summaries[0].mean);
}

// A checkerboard whose phase flips every frame: comparing a copy's frame with any other
// frame than the original's at the same moment gives the inverted hash. At half the frame
// rate every distance stays small only if the copy's frames are compared at their times.
TEST_F(VideoRobustnessTest, CopyFramesAreComparedWithTheOriginalFrameAtTheSameTime) {
  const std::string path = dir_.Path("flip.mp4");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i color=size=160x120:rate=10:duration=2 -vf "
             "\"geq=lum='40+170*mod(floor(X/40)+floor(Y/30)+N,2)+X/4':cb=128:cr=128\" "
             "-c:v libx264 -preset ultrafast -qp 0 -pix_fmt yuv444p " +
             path));
  VideoRobustnessOptions options;
  options.transforms = {"fps"};
  options.small = true;
  options.min_quality = 0;  // every frame compared, whatever PDQ thinks of a checkerboard
  auto study = RunVideoRobustnessStudy({path}, options);
  ASSERT_TRUE(study.ok()) << study.status().message();
  const VideoResult& video = study->videos[0];
  ASSERT_TRUE(video.error.empty()) << video.error;
  ASSERT_EQ(video.frames, 20);
  const VideoEditResult& half = video.edits[0];
  ASSERT_TRUE(half.error.empty()) << half.error;
  ASSERT_EQ(half.distances.size(), 10u);
  // Neighbouring frames of the original are far apart (the flip); the copy's frames, compared
  // at their own moments, are each much nearer than that (a checkerboard's PDQ is unsteady
  // under H.264, so not near 0).
  video::SamplingOptions every;
  every.every_frame = true;
  auto reference = vpdq::HashVideoFile(path, every);
  ASSERT_TRUE(reference.ok()) << reference.status().message();
  const int flip = pdq::HammingDistance((*reference)[0].hash, (*reference)[1].hash);
  ASSERT_GE(flip, 160);
  for (int d : half.distances) EXPECT_LT(d, flip - 80);

  // 10 fps x 0.8 = 8 fps: some moments (0.25 s, 0.75 s, ...) fall exactly halfway between
  // two source frames; the copy's frame and its counterpart must be the same one.
  VideoRobustnessOptions slower = options;
  slower.small = false;  // x0.8 and x0.5
  auto eight = RunVideoRobustnessStudy({path}, slower);
  ASSERT_TRUE(eight.ok());
  const VideoEditResult& x08 = eight->videos[0].edits[0];
  ASSERT_EQ(x08.strength, "x0.8");
  ASSERT_EQ(x08.distances.size(), 16u);
  for (int d : x08.distances) EXPECT_LT(d, flip - 80);

  // Sampling at 5 fps hashes the same moments in both: the same 10 frames compared.
  options.frames_per_second = 5;
  auto sampled = RunVideoRobustnessStudy({path}, options);
  ASSERT_TRUE(sampled.ok());
  EXPECT_EQ(sampled->videos[0].frames, 10);
  EXPECT_EQ(sampled->videos[0].edits[0].distances, half.distances);
}

TEST_F(VideoRobustnessTest, BadVideosAreReportedWithTheirReasonAndTheRestIsStudied) {
  const std::string good = Testsrc();
  std::vector<uint8_t> bytes = ReadFileBytes(good);
  bytes.resize(bytes.size() / 2);
  const std::string truncated = dir_.Path("truncated.mp4");
  WriteFileBytes(truncated, bytes);
  const std::string garbage = dir_.Path("garbage.mp4");
  WriteFileBytes(garbage, std::vector<uint8_t>(4096, 0x5a));
  const std::string empty = dir_.Path("empty.mp4");
  WriteFileBytes(empty, {});
  VideoRobustnessOptions options;
  options.transforms = {"h264"};
  options.small = true;
  options.threads = 2;
  auto study =
      RunVideoRobustnessStudy({truncated, good, garbage, empty, dir_.Path("missing.mp4")}, options);
  ASSERT_TRUE(study.ok()) << study.status().message();
  ASSERT_EQ(study->videos.size(), 5u);
  EXPECT_NE(study->videos[0].error.find("truncated"), std::string::npos) << study->videos[0].error;
  EXPECT_TRUE(study->videos[1].error.empty()) << study->videos[1].error;
  EXPECT_NE(study->videos[2].error.find("not a video"), std::string::npos)
      << study->videos[2].error;
  EXPECT_NE(study->videos[3].error.find("empty"), std::string::npos) << study->videos[3].error;
  EXPECT_FALSE(study->videos[4].error.empty());
  for (size_t i : {0, 2, 3, 4}) EXPECT_TRUE(study->videos[i].edits.empty());
  ASSERT_EQ(study->summaries.size(), 2u);
  for (const VideoStrengthSummary& s : study->summaries) {
    EXPECT_EQ(s.videos, 1);
    EXPECT_EQ(s.failed, 0);
  }
}

TEST(VideoRobustnessOptionsTest, BadOptionsAreRefused) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto refused = [](VideoRobustnessOptions o, const std::string& message) {
    auto r = RunVideoRobustnessStudy({"unused.mp4"}, o);
    ASSERT_FALSE(r.ok()) << message;
    EXPECT_NE(r.status().message().find(message), std::string::npos) << r.status().message();
  };
  VideoRobustnessOptions o;
  o.transforms = {"h264", "jpeg"};
  refused(o, "unknown video transform 'jpeg'");
  o = {};
  o.max_distance = 257;
  refused(o, "distance must be 0..256");
  o = {};
  o.min_quality = 101;
  refused(o, "quality must be 0..100");
  o = {};
  o.match_percent = 100.5;
  refused(o, "match percent must be 0..100");
  o.match_percent = nan;
  refused(o, "match percent must be 0..100");
  o = {};
  o.frames_per_second = -1;
  refused(o, "frames per second");
  o.frames_per_second = std::numeric_limits<double>::infinity();
  refused(o, "frames per second");
}

// A shared clip (the grey test pattern, 206 frames of 480x720) at two H.264 strengths.
TEST_F(VideoRobustnessTest, SharedClipSurvivesH264AtCrf30) {
  const std::string clip = VideoDir() + "/videos/pattern-sd-grey-bar.mp4";
  ASSERT_TRUE(fs::exists(clip)) << clip;
  VideoRobustnessOptions options;
  options.transforms = {"h264"};
  options.small = true;
  auto study = RunVideoRobustnessStudy({clip}, options);
  ASSERT_TRUE(study.ok()) << study.status().message();
  const VideoResult& video = study->videos[0];
  ASSERT_TRUE(video.error.empty()) << video.error;
  EXPECT_EQ(video.frames, 206);
  const VideoEditResult& crf30 = Edit(video, "h264", "crf30");
  ASSERT_TRUE(crf30.error.empty()) << crf30.error;
  EXPECT_EQ(crf30.frames, 206);
  EXPECT_EQ(crf30.width, 480u);
  EXPECT_EQ(crf30.height, 720u);
  EXPECT_TRUE(crf30.matched) << crf30.query_matched_percent;
  EXPECT_GT(static_cast<double>(crf30.frames_within) / crf30.distances.size(), 0.9);
  EXPECT_LT(crf30.bytes, video.bytes);
}

TEST(CollectStudyFilesTest, ImagesAndVideosAreToldApartAsTheScanDoes) {
  ScratchDir dir;
  const std::string folder = dir.Path("in");
  fs::create_directories(folder + "/sub");
  ASSERT_TRUE(
      Ffmpeg("-f lavfi -i testsrc=size=64x48:rate=5:duration=1 -c:v libx264 "
             "-preset ultrafast " +
             folder + "/sub/clip.mkv"));
  fs::copy_file(VideoDir() + "/videos/test-padded-dimensions.mp4", folder + "/a-video.bin");
  fs::copy_file(std::string(VIGIL_TESTDATA) + "/pdq/images-and-lists/misc-images/c.png",
                folder + "/c.png");
  WriteFileBytes(folder + "/damaged.MP4", std::vector<uint8_t>(100, 1));  // named as a video
  WriteFileBytes(folder + "/notes.txt", std::vector<uint8_t>(10, 'x'));
  auto files = CollectStudyFiles({folder});
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_EQ(files->images, std::vector<std::string>{folder + "/c.png"});
  EXPECT_EQ(files->videos,
            (std::vector<std::string>{folder + "/a-video.bin", folder + "/damaged.MP4",
                                      folder + "/sub/clip.mkv"}));
  EXPECT_EQ(files->skipped, 1);
  // A file named on the command line is studied: a video if it is one, else as an image.
  auto named = CollectStudyFiles({folder + "/notes.txt", folder + "/a-video.bin"});
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->images, std::vector<std::string>{folder + "/notes.txt"});
  EXPECT_EQ(named->videos, std::vector<std::string>{folder + "/a-video.bin"});
  EXPECT_FALSE(CollectStudyFiles({dir.Path("nope")}).ok());
  fs::create_directories(dir.Path("empty"));
  auto none = CollectStudyFiles({dir.Path("empty")});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no images or videos"), std::string::npos);
}

}  // namespace
}  // namespace vigil::eval
