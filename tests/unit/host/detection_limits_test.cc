// Issue 18 item 12: a detector decides how many detections it returns, the host how
// many it keeps. The most relevant are kept and the truncation is never silent.
#include "pipeline/detection_limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "pipeline/pipeline.h"
#include "policy/policy.h"
#include "scan/scan_json.h"
#include "store/db/database.h"
#include "store/store.h"
#include "store_backend.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void AddDetection(vigil::v1::AnalysisResult& result, const std::string& label, int severity,
                  double score) {
  auto* d = result.add_detections();
  d->set_label(label);
  d->set_severity(static_cast<vigil::v1::Severity>(severity));
  d->set_score(score);
}

std::vector<std::string> Labels(const DetectorRun& run) {
  std::vector<std::string> labels;
  for (const auto& d : run.result.detections()) labels.push_back(d.label());
  return labels;
}

TEST(DetectionLimits, KeepsTheMostSevereThenTheHighestScoreInTheDetectorsOrder) {
  DetectorRun run;
  run.detector = "acme.many";
  AddDetection(run.result, "low-a", 2, 0.9);
  AddDetection(run.result, "high-low-score", 4, 0.1);
  AddDetection(run.result, "none", 1, 1.0);
  AddDetection(run.result, "high-top-score", 4, 0.8);
  AddDetection(run.result, "medium", 3, 0.5);
  AddDetection(run.result, "low-b", 2, 0.9);
  CapDetectorRun(run, 3);
  // Kept: both highs and the medium, in the order the detector gave them.
  EXPECT_THAT(Labels(run), ElementsAre("high-low-score", "high-top-score", "medium"));
  EXPECT_EQ(run.detections_returned, 6);
  EXPECT_TRUE(run.truncated());
  EXPECT_EQ(run.TruncationNote(), "detector acme.many returned 6 detections; kept 3");

  // Among equals, the earlier one.
  DetectorRun ties;
  AddDetection(ties.result, "first", 2, 0.5);
  AddDetection(ties.result, "second", 2, 0.5);
  CapDetectorRun(ties, 1);
  EXPECT_THAT(Labels(ties), ElementsAre("first"));
}

TEST(DetectionLimits, UnderTheCapNothingChangesButTheCount) {
  DetectorRun run;
  run.detector = "acme.few";
  AddDetection(run.result, "a", 2, 0.5);
  AddDetection(run.result, "b", 3, 0.5);
  CapDetectorRun(run, 2);
  EXPECT_THAT(Labels(run), ElementsAre("a", "b"));
  EXPECT_EQ(run.detections_returned, 2);
  EXPECT_FALSE(run.truncated());
  EXPECT_EQ(run.TruncationNote(), "");
}

TEST(DetectionLimits, NanScoresRankLowest) {
  DetectorRun run;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int i = 0; i < 50; ++i) AddDetection(run.result, "nan", 3, nan);
  AddDetection(run.result, "scored", 3, 0.01);
  for (int i = 0; i < 50; ++i) AddDetection(run.result, "nan", 3, nan);
  CapDetectorRun(run, 2);
  EXPECT_THAT(Labels(run), ElementsAre("nan", "scored"));
}

TEST(DetectionLimits, TheItemCapChoosesAcrossDetectors) {
  std::vector<DetectorRun> runs(2);
  runs[0].detector = "acme.one";
  runs[1].detector = "acme.two";
  for (int i = 0; i < 5; ++i) AddDetection(runs[0].result, "one-low", 2, 0.5);
  AddDetection(runs[1].result, "two-critical", 5, 1.0);
  for (int i = 0; i < 4; ++i) AddDetection(runs[1].result, "two-none", 1, 0.5);
  for (DetectorRun& run : runs) CapDetectorRun(run, 5);
  CapItemDetections(runs, 4);
  EXPECT_THAT(Labels(runs[0]), ElementsAre("one-low", "one-low", "one-low"));
  EXPECT_THAT(Labels(runs[1]), ElementsAre("two-critical"));
  EXPECT_EQ(runs[0].TruncationNote(), "detector acme.one returned 5 detections; kept 3");
  EXPECT_EQ(runs[1].TruncationNote(), "detector acme.two returned 5 detections; kept 1");
}

TEST(DetectionLimits, NonsenseLimitsAreRefused) {
  EXPECT_TRUE(DetectionLimits{}.Validate().ok());
  EXPECT_THAT((DetectionLimits{0, 10}).Validate().message(), HasSubstr("at least 1"));
  EXPECT_THAT((DetectionLimits{10, 0}).Validate().message(), HasSubstr("at least 1"));
  EXPECT_THAT((DetectionLimits{20, 10}).Validate().message(),
              HasSubstr("larger than the per-item limit"));
  PipelineOptions options;
  options.detections.per_detector = 0;
  auto pipeline = Pipeline::Create({}, {}, options);
  ASSERT_FALSE(pipeline.ok());
  EXPECT_THAT(pipeline.status().message(), HasSubstr("at least 1"));
}

// An analyzer that answers every item with `count` detections (severity cycles 1..5).
class ManyDetections : public Analyzer {
 public:
  ManyDetections(std::string id, int count) : id_(std::move(id)), count_(count) {}
  AnalyzeOutcome Analyze(const vigil_item_view_t&) override {
    AnalyzeOutcome outcome;
    for (int i = 0; i < count_; ++i) {
      AddDetection(outcome.result, id_ + "-" + std::to_string(i), 1 + i % 5, 0.5);
    }
    return outcome;
  }
  const std::string& detector_id() const override { return id_; }

 private:
  std::string id_;
  int count_;
};

TEST(DetectionLimits, ThePipelineCapsEachDetectorAndTheItem) {
  const fs::path dir = fs::temp_directory_path() / ("vigil-limits-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "item.bin") << "some bytes";
  std::vector<Detector> detectors;
  for (const char* id : {"acme.one", "acme.two"}) {
    vigil::v1::DetectorInfo info;
    info.set_id(id);
    info.add_accepted_media(vigil::v1::MEDIA_KIND_BINARY);
    detectors.emplace_back(info, 0, dir / "none.so");
  }
  PipelineOptions options;
  options.threads = 2;
  options.detections = {100, 150};
  options.make_analyzer =
      [](const Detector& d,
         const vigil::v1::DetectorConfig&) -> StatusOr<std::unique_ptr<Analyzer>> {
    return std::unique_ptr<Analyzer>(new ManyDetections(d.id(), 1000));
  };
  auto pipeline = Pipeline::Create(detectors, {}, options);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
  std::vector<ItemRecord> records;
  IntakeItem item;
  item.path = (dir / "item.bin").string();
  ASSERT_TRUE(pipeline.value()
                  ->Run({item},
                        [&](ItemRecord& record) {
                          records.push_back(record);
                          return Status::Ok();
                        })
                  .ok());
  fs::remove_all(dir);
  ASSERT_EQ(records.size(), 1u);
  ASSERT_EQ(records[0].runs.size(), 2u);
  int kept = 0;
  for (const DetectorRun& run : records[0].runs) {
    EXPECT_EQ(run.detections_returned, 1000);
    EXPECT_LE(run.result.detections_size(), 100);
    EXPECT_TRUE(run.truncated());
    for (const auto& d : run.result.detections()) EXPECT_EQ(d.severity(), 5) << d.label();
    kept += run.result.detections_size();
  }
  EXPECT_EQ(kept, 150);
  nlohmann::ordered_json json = ItemRecordToJson(records[0]);
  EXPECT_EQ(json["detections"].size(), 150u);
  EXPECT_EQ(json["detections_truncated"]["acme.one"]["returned"], 1000);
}

ItemRecord TruncatedRecord() {
  ItemRecord record;
  record.sha256 = "ff";
  record.path = "/items/flooded";
  record.media_kind = "binary";
  DetectorRun run;
  run.detector = "acme.flood";
  AddDetection(run.result, "flood", 1, 0.1);
  AddDetection(run.result, "flood", 1, 0.1);
  run.detections_returned = 150000;
  record.runs.push_back(run);
  return record;
}

TEST(DetectionLimits, ThePolicyNeverClearsATruncatedItem) {
  // A policy that clears everything it is not told about.
  auto policy = Policy::Parse(
      "[defaults]\nunmatched = \"clear\"\n[[rules]]\nname = \"floods are fine\"\n"
      "labels = [\"flood\"]\ndetectors = [\"acme.flood\"]\noutcome = \"clear\"\n",
      "test.toml");
  ASSERT_TRUE(policy.ok()) << policy.status().message();
  ItemRecord record = TruncatedRecord();
  ItemRecord whole = record;
  whole.runs[0].detections_returned = 2;
  EXPECT_EQ(policy.value().Decide(whole, {"acme.flood"}).disposition, Disposition::kClear);
  const Outcome outcome = policy.value().Decide(record, {"acme.flood"});
  EXPECT_EQ(outcome.disposition, Disposition::kReview);
  EXPECT_EQ(outcome.rule, "detections truncated");
  EXPECT_EQ(outcome.reason, "detector acme.flood returned 150000 detections; kept 2");
  // Under the default policy it is reviewed anyway; the reason still says so.
  EXPECT_THAT(Policy::Default().Decide(record, {"acme.flood"}).reason,
              HasSubstr("detector acme.flood returned 150000 detections; kept 2"));
}

// On both stores (issue 13, item 1).
class DetectionLimitsStoreTest : public StoreBackendTest {};

TEST_P(DetectionLimitsStoreTest, TheStoreKeepsWhatWasReturnedAndKept) {
  ItemRecord record = TruncatedRecord();
  record.outcome = Policy::Default().Decide(record, {"acme.flood"});
  ASSERT_TRUE(store_->RecordItem(record).ok());
  Statement row(store_->db(),
                "SELECT detections_returned, detections_kept, (SELECT count(*) FROM "
                "detections), (SELECT outcome_reason FROM items) FROM detector_runs");
  ASSERT_EQ(row.Step(), host::kRow);
  EXPECT_EQ(row.ColumnInt(0), 150000);
  EXPECT_EQ(row.ColumnInt(1), 2);
  EXPECT_EQ(row.ColumnInt(2), 2);
  EXPECT_THAT(row.ColumnText(3), HasSubstr("returned 150000 detections; kept 2"));
}

VIGIL_ON_BOTH_STORES(DetectionLimitsStoreTest);

}  // namespace
}  // namespace vigil::host
