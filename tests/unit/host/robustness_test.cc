// Issue 17 item 4: the robustness study (host/eval/robustness.h) on the shared PDQ images:
// per-image distances as vigil.pdq would compute them, summaries that agree with them, and
// clear errors for bad options and unreadable files.
#include "eval/robustness.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "vigil/decode/image_decoder.h"
#include "vigil/pdq/pdq.h"

namespace fs = std::filesystem;

namespace vigil::eval {
namespace {

const fs::path kImages = fs::path(VIGIL_TESTDATA) / "pdq" / "images-and-lists";

class RobustnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kImages)) << "shared test data is missing: " << kImages;
    dir_ = fs::temp_directory_path() /
           ("vigil-robustness-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::string Image(const std::string& relative) { return (kImages / relative).string(); }

// The PDQ hash of an image file, as vigil.pdq computes it.
pdq::Hash256 PdqOf(const std::string& path) {
  auto image = decode::DecodeImageFile(path);
  EXPECT_TRUE(image.ok()) << image.status().message();
  pdq::ImageView view;
  view.pixels = image.value().pixel_data();
  view.size_bytes = image.value().pixel_bytes();
  view.width = image.value().width;
  view.height = image.value().height;
  view.stride = image.value().stride;
  auto hash = pdq::HashImage(view);
  EXPECT_TRUE(hash.ok());
  return hash.value().hash;
}

TEST_F(RobustnessTest, DistancesAreThoseOfTheHashesAndSummariesAgreeWithThem) {
  const std::vector<std::string> images = {
      Image("bridge-mods/aaa-orig.jpg"), Image("reg-test-input/pen-and-coaster.png"),
      Image("reg-test-input/labelme-subset/q1050.jpg"), Image("misc-images/small.jpg")};
  RobustnessOptions options;
  options.transforms = {"flip", "letterbox", "jpeg"};
  options.small = true;
  options.threads = 2;
  size_t progress_calls = 0;
  options.progress = [&](size_t done, size_t total) {
    ++progress_calls;
    EXPECT_EQ(total, images.size());
    EXPECT_LE(done, total);
  };
  auto study = RunRobustnessStudy(images, options);
  ASSERT_TRUE(study.ok()) << study.status().message();
  EXPECT_EQ(progress_calls, images.size());
  ASSERT_EQ(study.value().images.size(), 4u);
  // flip left-right, letterbox 0.25, jpeg q75, jpeg q10: in the order asked.
  ASSERT_EQ(study.value().summaries.size(), 4u);
  EXPECT_EQ(study.value().summaries[0].transform, "flip");
  EXPECT_EQ(study.value().summaries[1].transform, "letterbox");
  EXPECT_EQ(study.value().summaries[2].strength, "q75");

  // The original's hash is the file's PDQ; a left-right mirror moves the plain hash far
  // away, but one of its 8 variants stays close (PDQ's dihedral symmetry).
  const ImageResult& bridge = study.value().images[0];
  ASSERT_TRUE(bridge.error.empty()) << bridge.error;
  EXPECT_EQ(bridge.pdq, PdqOf(images[0]).ToHex());
  EXPECT_EQ(bridge.width, 1600u);
  const EditResult& flipped = bridge.edits[0];
  EXPECT_GT(flipped.distance, 31);
  EXPECT_LE(flipped.dihedral_distance, 31);
  EXPECT_TRUE(flipped.matched);
  EXPECT_FALSE(flipped.matched_plain);
  EXPECT_LE(bridge.edits[2].distance, 8);  // JPEG at quality 75 barely moves PDQ

  // small.jpg is near-black (quality 0): its copies never match, whatever the distance.
  const ImageResult& dark = study.value().images[3];
  ASSERT_TRUE(dark.error.empty()) << dark.error;
  for (const EditResult& e : dark.edits) {
    EXPECT_LT(e.quality, 50);
    EXPECT_FALSE(e.matched) << e.transform << " " << e.strength;
  }

  // Each summary recounts from the per-image edits.
  for (size_t w = 0; w < study.value().summaries.size(); ++w) {
    const StrengthSummary& s = study.value().summaries[w];
    SCOPED_TRACE(s.transform + " " + s.strength);
    std::vector<int> distances;
    int matched = 0, low = 0;
    for (const ImageResult& image : study.value().images) {
      const EditResult& e = image.edits[w];
      ASSERT_TRUE(e.error.empty()) << e.error;
      distances.push_back(e.dihedral_distance);
      matched += e.quality >= 50 && e.dihedral_distance <= 31;
      low += e.quality < 50;
    }
    EXPECT_EQ(s.images, 4);
    EXPECT_EQ(s.distances, distances);
    EXPECT_EQ(s.matched, matched);
    EXPECT_EQ(s.low_quality, low);
    EXPECT_DOUBLE_EQ(s.match_rate, matched / 4.0);
    std::sort(distances.begin(), distances.end());
    EXPECT_EQ(s.min, distances[0]);
    EXPECT_EQ(s.p50, distances[1]);  // nearest rank: ceil(0.5 * 4) = 2nd
    EXPECT_EQ(s.p90, distances[3]);  // ceil(0.9 * 4) = 4th
    EXPECT_EQ(s.max, distances[3]);
  }
}

TEST_F(RobustnessTest, AThresholdOfZeroMatchesOnlyIdenticalHashes) {
  RobustnessOptions options;
  options.transforms = {"jpeg"};
  options.threshold = 0;
  auto study = RunRobustnessStudy({Image("bridge-mods/aaa-orig.jpg")}, options);
  ASSERT_TRUE(study.ok());
  for (const EditResult& e : study.value().images[0].edits) {
    EXPECT_EQ(e.matched, e.dihedral_distance == 0) << e.strength;
  }
}

TEST_F(RobustnessTest, UnreadableFilesAreReportedAndLeftOut) {
  std::ofstream(dir_ / "not-an-image.jpg") << "hello";
  RobustnessOptions options;
  options.transforms = {"flip"};
  options.small = true;
  auto study = RunRobustnessStudy(
      {(dir_ / "not-an-image.jpg").string(), Image("misc-images/c.png")}, options);
  ASSERT_TRUE(study.ok());
  EXPECT_FALSE(study.value().images[0].error.empty());
  EXPECT_TRUE(study.value().images[0].edits.empty());
  EXPECT_TRUE(study.value().images[1].error.empty());
  EXPECT_EQ(study.value().summaries[0].images, 1);
}

TEST_F(RobustnessTest, BadOptionsAreRefused) {
  RobustnessOptions options;
  options.transforms = {"blur"};
  auto unknown = RunRobustnessStudy({Image("misc-images/c.png")}, options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown transform 'blur' (known: resize, crop"),
            std::string::npos)
      << unknown.status().message();
  options.transforms = {};
  options.threshold = 257;
  EXPECT_FALSE(RunRobustnessStudy({Image("misc-images/c.png")}, options).ok());
}

TEST_F(RobustnessTest, CollectImagesTakesImagesFromFoldersAndSkipsTheRest) {
  fs::create_directories(dir_ / "in" / "sub");
  fs::copy_file(Image("misc-images/c.png"), dir_ / "in" / "sub" / "b.png");
  fs::copy_file(Image("misc-images/wee.jpg"), dir_ / "in" / "a.jpg");
  std::ofstream(dir_ / "in" / "README.txt") << "not an image";
  int skipped = -1;
  auto found = CollectImages({(dir_ / "in").string()}, &skipped);
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_EQ(found.value().size(), 2u);
  EXPECT_EQ(found.value()[0], (dir_ / "in" / "a.jpg").string());  // sorted
  EXPECT_EQ(found.value()[1], (dir_ / "in" / "sub" / "b.png").string());
  EXPECT_EQ(skipped, 1);
  // A file named on its own is always tried (the study then says why it failed).
  auto named = CollectImages({(dir_ / "in" / "README.txt").string()}, &skipped);
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named.value().size(), 1u);
  auto missing = CollectImages({(dir_ / "nope").string()}, &skipped);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no such file"), std::string::npos);
  fs::create_directories(dir_ / "empty");
  EXPECT_FALSE(CollectImages({(dir_ / "empty").string()}, &skipped).ok());
}

}  // namespace
}  // namespace vigil::eval
