// The converted nsfwjs MobileNetV2 (scripts/prepare-models.sh) against the probabilities
// nsfwjs itself gave in Node (samples/models/nsfwjs_expected.json, made by
// samples/models/verify_against_nsfwjs.sh). ADULT-CONTENT model; all images are benign.
//
// The model is looked up in $VIGIL_NSFWJS_MODEL_DIR, <source>/build/models/... (the
// prepare-models.sh default) and <binary>/models/...; when it is absent the test FAILS
// unless VIGIL_ALLOW_NO_NSFWJS=1.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "test_util.h"
#include "vigil/classifier/classifier.h"

namespace vigil::classifier {
namespace {

std::string FindModelDir() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("VIGIL_NSFWJS_MODEL_DIR"); env && *env) {
    candidates.push_back(env);
  }
  candidates.push_back(std::string(VIGIL_SOURCE_DIR) + "/build/models/nsfwjs-mobilenetv2");
  candidates.push_back(std::string(VIGIL_BINARY_DIR) + "/models/nsfwjs-mobilenetv2");
  for (const auto& dir : candidates) {
    if (std::filesystem::exists(dir + "/manifest.json")) return dir;
  }
  return "";
}

uint64_t Fnv1a64(const uint8_t* data, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ data[i]) * 0x100000001b3ull;
  return h;
}

class NsfwjsModelTest : public ::testing::TestWithParam<BackendKind> {};

TEST_P(NsfwjsModelTest, MatchesNsfwjsInNode) {
  std::string dir = FindModelDir();
  if (dir.empty()) {
    const char* allow = std::getenv("VIGIL_ALLOW_NO_NSFWJS");
    if (allow && std::string(allow) == "1") {
      GTEST_SKIP() << "NSFWJS MODEL NOT PREPARED (VIGIL_ALLOW_NO_NSFWJS=1)";
    }
    FAIL() << "the converted nsfwjs model is missing: run scripts/prepare-models.sh (or set "
              "VIGIL_NSFWJS_MODEL_DIR); VIGIL_ALLOW_NO_NSFWJS=1 accepts its absence";
  }
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/samples/models/nsfwjs_expected.json");
  ASSERT_TRUE(in) << "samples/models/nsfwjs_expected.json is missing";
  nlohmann::json expected = nlohmann::json::parse(in);
  const double tolerance = expected.at("tolerance").get<double>();
  ASSERT_LE(tolerance, 1e-3);

  ClassifierOptions options;
  options.backend = GetParam();
  auto c = Classifier::Load(dir + "/manifest.json", options);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->manifest().labels.size(), expected.at("labels").size());
  for (size_t i = 0; i < c->manifest().labels.size(); ++i) {
    ASSERT_EQ(c->manifest().labels[i].name, expected.at("labels")[i].get<std::string>());
  }
  ASSERT_GE(expected.at("images").size(), 10u);

  double max_diff = 0;
  for (const auto& e : expected.at("images")) {
    const std::string path = std::string(VIGIL_TESTDATA) + "/" + e.at("path").get<std::string>();
    cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    ASSERT_FALSE(bgr.empty()) << "cannot read " << path;
    // Same pixels as nsfwjs got, or the comparison would test the decoders, not the model.
    cv::Mat rgb(bgr.rows, bgr.cols, CV_8UC3);
    for (int y = 0; y < bgr.rows; ++y) {
      for (int x = 0; x < bgr.cols; ++x) {
        const auto& p = bgr.at<cv::Vec3b>(y, x);
        rgb.at<cv::Vec3b>(y, x) = cv::Vec3b(p[2], p[1], p[0]);
      }
    }
    ASSERT_EQ(rgb.cols, e.at("width").get<int>()) << path;
    ASSERT_EQ(rgb.rows, e.at("height").get<int>()) << path;
    char digest[17];
    std::snprintf(digest, sizeof digest, "%016llx",
                  static_cast<unsigned long long>(Fnv1a64(rgb.data, rgb.total() * 3)));
    ASSERT_EQ(std::string(digest), e.at("rgb_fnv1a64").get<std::string>())
        << path << ": OpenCV decoded different pixels than ImageMagick did for nsfwjs";

    ImageView view{rgb.cols, rgb.rows, rgb.step[0], PixelFormat::kRgb8, rgb.data};
    auto r = c->Classify(view);
    ASSERT_TRUE(r.ok()) << r.status().message();
    const auto& want = e.at("probabilities");
    size_t top = 0;
    for (size_t k = 0; k < r->scores.size(); ++k) {
      max_diff = std::max(max_diff, std::fabs(r->scores[k].score - want[k].get<double>()));
      EXPECT_NEAR(r->scores[k].score, want[k].get<double>(), tolerance)
          << e.at("path") << " label " << r->scores[k].label;
      if (r->scores[k].score > r->scores[top].score) top = k;
    }
    EXPECT_EQ(r->scores[top].label, e.at("top1").get<std::string>()) << e.at("path");
  }
  std::printf("nsfwjs %s: %zu images, max |p - p_nsfwjs| = %.2e (tolerance %.0e)\n",
              std::string(c->backend_name()).c_str(), expected.at("images").size(), max_diff,
              tolerance);
}

INSTANTIATE_TEST_SUITE_P(Backends, NsfwjsModelTest,
                         ::testing::ValuesIn(testing::BackendsUnderTest()),
                         [](const ::testing::TestParamInfo<BackendKind>& info) {
                           return std::string(testing::BackendLabel(info.param));
                         });

}  // namespace
}  // namespace vigil::classifier
