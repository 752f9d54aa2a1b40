// Issue 17 item 6: exposure as a metric (store/exposure_metrics.h): seconds unobscured per
// decided item grouped by detector, bank, category and rule, hand-computed here from a
// small ledger; undecided items left out; the team store's floor of reviewers per group.
#include "store/exposure_metrics.h"

#include <gtest/gtest.h>

#include "store/review_queue.h"
#include "temp_store.h"

namespace vigil::host {
namespace {

struct Flag {
  std::string detector;
  std::string bank;  // "" for a detection without a list match
};

class ExposureMetricsTest : public TempStoreTest {
 protected:
  // An item queued for review under `rule` and `category`, flagged by `flags`.
  int64_t Queue(const std::string& sha, const std::string& rule, const std::string& category,
                const std::vector<Flag>& flags, int priority) {
    ItemRecord record;
    record.sha256 = sha;
    record.path = "/items/" + sha;
    record.media_kind = "image";
    for (const Flag& f : flags) {
      DetectorRun run;
      run.detector = f.detector;
      auto* d = run.result.add_detections();
      d->set_label("flagged");
      d->set_score(1.0f);
      d->set_severity(vigil::v1::Severity(3));
      if (!f.bank.empty()) d->mutable_match()->set_bank(f.bank);
      record.runs.push_back(run);
    }
    record.outcome.disposition = Disposition::kReview;
    record.outcome.priority = priority;
    record.outcome.severity = 3;
    record.outcome.obscure_level = 5;
    record.outcome.category = category;
    record.outcome.rule = rule;
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? id.value() : 0;
  }
  // `reviewer` claims `item`, looks for `seconds` with `reveals`, and (when `decide`) decides.
  void Review(int64_t item, const std::string& reviewer, double seconds, int reveals,
              bool decide = true) {
    ReviewQueue queue(*store_);
    ClaimOptions options;
    options.only_item = item;
    auto claimed = queue.Claim(reviewer, options);
    ASSERT_TRUE(claimed.ok()) << claimed.status().message();
    ASSERT_TRUE(claimed.value().has_value()) << "item " << item << " not claimable";
    ASSERT_TRUE(queue.RecordExposure(reviewer, item, 3, seconds, reveals).ok());
    if (decide) {
      ASSERT_TRUE(queue.Decide(item, reviewer, "A1", "").ok());
    } else {
      ASSERT_TRUE(queue.Release(item, reviewer).ok());
    }
  }
};

const ExposureGroup* Find(const std::vector<ExposureGroup>& groups, const std::string& key) {
  for (const ExposureGroup& g : groups) {
    if (g.key == key) return &g;
  }
  return nullptr;
}

TEST_F(ExposureMetricsTest, SecondsPerDecidedItemByDetectorBankCategoryAndRule) {
  // a: the classifier alone, 30 s; b: PDQ (bank-a) and the classifier, 10 s with 2
  // reveals; c: PDQ (bank-b), never unobscured; d: looked at 50 s but not decided.
  const int64_t a = Queue("a", "classifier rule", "adult", {{"vigil.classifier", ""}}, 4);
  const int64_t b =
      Queue("b", "hash rule", "A1", {{"vigil.pdq", "bank-a"}, {"vigil.classifier", ""}}, 3);
  const int64_t c = Queue("c", "hash rule", "", {{"vigil.pdq", "bank-b"}}, 2);
  const int64_t d = Queue("d", "hash rule", "A1", {{"vigil.pdq", "bank-a"}}, 1);
  Review(a, "ana", 30, 0);
  Review(b, "ben", 10, 2);
  Review(c, "ana", 0, 0);
  Review(d, "ben", 50, 1, /*decide=*/false);

  auto metrics = ComputeExposureMetrics(store_->db());
  ASSERT_TRUE(metrics.ok()) << metrics.status().message();
  const ExposureMetrics& m = metrics.value();
  EXPECT_EQ(m.decided_items, 3);
  EXPECT_DOUBLE_EQ(m.seconds, 40);
  EXPECT_EQ(m.reveals, 2);
  EXPECT_EQ(m.reviewers, 2);
  EXPECT_FALSE(m.totals_withheld);

  // By detector: the classifier flagged a and b (40 s over 2 items), PDQ b and c (10 s
  // over 2); most seconds first.
  ASSERT_EQ(m.by_detector.size(), 2u);
  EXPECT_EQ(m.by_detector[0].key, "vigil.classifier");
  EXPECT_EQ(m.by_detector[0].decided_items, 2);
  EXPECT_EQ(m.by_detector[0].items_seen, 2);
  EXPECT_DOUBLE_EQ(m.by_detector[0].seconds, 40);
  EXPECT_DOUBLE_EQ(m.by_detector[0].seconds_per_item, 20);
  EXPECT_DOUBLE_EQ(m.by_detector[0].p50_seconds, 10);  // nearest rank of {10, 30}
  EXPECT_DOUBLE_EQ(m.by_detector[0].max_seconds, 30);
  EXPECT_EQ(m.by_detector[0].reviewers, 2);
  const ExposureGroup* pdq = Find(m.by_detector, "vigil.pdq");
  ASSERT_NE(pdq, nullptr);
  EXPECT_EQ(pdq->decided_items, 2);
  EXPECT_EQ(pdq->items_seen, 1);  // c was never unobscured
  EXPECT_DOUBLE_EQ(pdq->seconds, 10);
  EXPECT_EQ(pdq->reveals, 2);

  // By bank: bank-a (b) 10 s, bank-b (c) 0 s, and a without any bank 30 s.
  ASSERT_EQ(m.by_bank.size(), 3u);
  EXPECT_EQ(m.by_bank[0].key, "(none)");
  EXPECT_DOUBLE_EQ(m.by_bank[0].seconds, 30);
  EXPECT_DOUBLE_EQ(Find(m.by_bank, "bank-a")->seconds, 10);
  EXPECT_EQ(Find(m.by_bank, "bank-a")->decided_items, 1);  // d is not decided
  EXPECT_DOUBLE_EQ(Find(m.by_bank, "bank-b")->seconds, 0);

  // By category and rule: one each per item.
  ASSERT_NE(Find(m.by_category, "adult"), nullptr);
  EXPECT_DOUBLE_EQ(Find(m.by_category, "adult")->seconds, 30);
  EXPECT_DOUBLE_EQ(Find(m.by_category, "A1")->seconds, 10);
  EXPECT_EQ(Find(m.by_category, "(none)")->decided_items, 1);
  ASSERT_EQ(m.by_rule.size(), 2u);
  EXPECT_EQ(m.by_rule[0].key, "classifier rule");
  EXPECT_DOUBLE_EQ(Find(m.by_rule, "hash rule")->seconds, 10);
  EXPECT_EQ(Find(m.by_rule, "hash rule")->decided_items, 2);
  EXPECT_DOUBLE_EQ(Find(m.by_rule, "hash rule")->seconds_per_item, 5);
}

TEST_F(ExposureMetricsTest, SinceLeavesOutItemsDecidedBefore) {
  const int64_t a = Queue("a", "r", "", {{"vigil.pdq", "bank-a"}}, 1);
  Review(a, "ana", 12, 1);
  auto all = ComputeExposureMetrics(store_->db(), "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all.value().decided_items, 1);
  auto future = ComputeExposureMetrics(store_->db(), "2999-01-01");
  ASSERT_TRUE(future.ok());
  EXPECT_EQ(future.value().decided_items, 0);
  EXPECT_TRUE(future.value().by_detector.empty());
  auto past = ComputeExposureMetrics(store_->db(), "2000-01-01");
  ASSERT_TRUE(past.ok());
  EXPECT_DOUBLE_EQ(past.value().seconds, 12);
}

TEST_F(ExposureMetricsTest, GroupsFromFewerReviewersThanTheFloorAreWithheld) {
  // pdq: items seen by ana, ben and cy; classifier: only ana's.
  const int64_t a = Queue("a", "r", "", {{"vigil.pdq", "bank-a"}}, 5);
  const int64_t b = Queue("b", "r", "", {{"vigil.pdq", "bank-a"}}, 4);
  const int64_t c = Queue("c", "r", "", {{"vigil.pdq", "bank-a"}}, 3);
  const int64_t d = Queue("d", "r", "", {{"vigil.classifier", ""}}, 2);
  const int64_t e = Queue("e", "r", "", {{"vigil.url", ""}}, 1);
  Review(a, "ana", 5, 0);
  Review(b, "ben", 6, 0);
  Review(c, "cy", 7, 0);
  Review(d, "ana", 8, 0);
  Review(e, "ana", 0, 0);  // looked at nothing: no exposure row from anyone? one, 0 s
  auto metrics = ComputeExposureMetrics(store_->db(), "", /*min_reviewers=*/3);
  ASSERT_TRUE(metrics.ok());
  const ExposureMetrics& m = metrics.value();
  EXPECT_FALSE(m.totals_withheld);
  EXPECT_DOUBLE_EQ(m.seconds, 26);
  ASSERT_NE(Find(m.by_detector, "vigil.pdq"), nullptr);
  EXPECT_EQ(Find(m.by_detector, "vigil.pdq")->reviewers, 3);
  EXPECT_EQ(Find(m.by_detector, "vigil.classifier"), nullptr);  // ana's alone
  EXPECT_EQ(Find(m.by_detector, "vigil.url"), nullptr);         // ana's alone (0 s, still hers)
  EXPECT_EQ(Find(m.by_bank, "(none)"), nullptr);                // d and e: ana's
  EXPECT_EQ(m.withheld_groups, 3);                              // classifier, url, bank (none)
  // Without the floor (a workstation), every group shows.
  auto open = ComputeExposureMetrics(store_->db(), "", 0);
  ASSERT_TRUE(open.ok());
  EXPECT_NE(Find(open.value().by_detector, "vigil.classifier"), nullptr);
  EXPECT_EQ(open.value().withheld_groups, 0);
}

TEST_F(ExposureMetricsTest, TotalsFromFewerReviewersThanTheFloorAreWithheld) {
  const int64_t a = Queue("a", "r", "", {{"vigil.pdq", "bank-a"}}, 1);
  Review(a, "ana", 9, 1);
  auto metrics = ComputeExposureMetrics(store_->db(), "", 3);
  ASSERT_TRUE(metrics.ok());
  EXPECT_TRUE(metrics.value().totals_withheld);
  EXPECT_EQ(metrics.value().decided_items, 1);
  EXPECT_DOUBLE_EQ(metrics.value().seconds, 0);
  EXPECT_EQ(metrics.value().reveals, 0);
  EXPECT_TRUE(metrics.value().by_detector.empty());
}

TEST_F(ExposureMetricsTest, AnEmptyStoreHasNoGroups) {
  auto metrics = ComputeExposureMetrics(store_->db());
  ASSERT_TRUE(metrics.ok()) << metrics.status().message();
  EXPECT_EQ(metrics.value().decided_items, 0);
  EXPECT_TRUE(metrics.value().by_rule.empty());
}

}  // namespace
}  // namespace vigil::host
