// Postprocessing: softmax for logits, each threshold path, ordering, non-finite output.
#include "postprocess.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace vigil::classifier {
namespace {

ModelManifest ThreeLabels(OutputKind kind) {
  ModelManifest m;
  m.output_kind = kind;
  m.labels = {{"never", std::nullopt, Severity::kNone, 0},
              {"low", 0.2f, Severity::kLow, 10},
              {"high", 0.5f, Severity::kHigh, 800}};
  return m;
}

TEST(PostprocessTest, ProbabilitiesPassThroughAndThresholdsAreInclusive) {
  const float raw[3] = {0.9f, 0.2f, 0.4999f};
  auto r = Postprocess(raw, ThreeLabels(OutputKind::kProbabilities));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->scores.size(), 3u);
  EXPECT_EQ(r->scores[0].label, "never");
  EXPECT_FLOAT_EQ(r->scores[0].score, 0.9f);  // no threshold: scored, never detected
  ASSERT_EQ(r->detections.size(), 1u);        // 0.2 >= 0.2; 0.4999 < 0.5
  EXPECT_EQ(r->detections[0].label, "low");
  EXPECT_EQ(r->detections[0].severity, Severity::kLow);
  EXPECT_EQ(r->detections[0].priority, 10);
  EXPECT_FLOAT_EQ(r->detections[0].threshold, 0.2f);
}

TEST(PostprocessTest, DetectionsOrderedByPriorityThenScore) {
  ModelManifest m = ThreeLabels(OutputKind::kProbabilities);
  m.labels.push_back({"high2", 0.1f, Severity::kHigh, 800});
  const float raw[4] = {0, 0.3f, 0.6f, 0.7f};
  auto r = Postprocess(raw, m);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->detections.size(), 3u);
  EXPECT_EQ(r->detections[0].label, "high2");
  EXPECT_EQ(r->detections[1].label, "high");
  EXPECT_EQ(r->detections[2].label, "low");
}

TEST(PostprocessTest, NoDetectionUnderEveryThreshold) {
  const float raw[3] = {1, 0.1f, 0.1f};
  auto r = Postprocess(raw, ThreeLabels(OutputKind::kProbabilities));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->detections.empty());
}

TEST(PostprocessTest, LogitsGetSoftmax) {
  const float raw[3] = {1000, 1001, 1002};  // large: must not overflow
  auto r = Postprocess(raw, ThreeLabels(OutputKind::kLogits));
  ASSERT_TRUE(r.ok());
  double z = 1 + std::exp(1.0) + std::exp(2.0);
  EXPECT_NEAR(r->scores[0].score, 1 / z, 1e-6);
  EXPECT_NEAR(r->scores[1].score, std::exp(1.0) / z, 1e-6);
  EXPECT_NEAR(r->scores[2].score, std::exp(2.0) / z, 1e-6);
  ASSERT_EQ(r->detections.size(), 2u);
  EXPECT_EQ(r->detections[0].label, "high");
}

TEST(PostprocessTest, NonFiniteOutputIsAnError) {
  for (float bad : {std::numeric_limits<float>::quiet_NaN(),
                    std::numeric_limits<float>::infinity()}) {
    const float raw[3] = {0.1f, bad, 0.2f};
    auto r = Postprocess(raw, ThreeLabels(OutputKind::kLogits));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("'low'"), std::string::npos);
  }
}

}  // namespace
}  // namespace vigil::classifier
