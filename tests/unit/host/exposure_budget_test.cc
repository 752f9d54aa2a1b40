// Issue 13 item 7 on the workstation store: the exposure budget in the store
// caps every claim for the reviewer claiming (one over budget is not served a
// severe item, one with budget is), and the team's totals leave out groups of
// fewer than 3 reviewers. The team store's database-side version is tested in
// tests/postgres/team_exposure_test.cc.
#include "store/exposure_budget.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

#include "store/audit_log.h"
#include "store/db/database.h"
#include "store/review_queue.h"
#include "store/store.h"
#include "temp_store.h"

namespace vigil::host {
namespace {

using ::testing::HasSubstr;

std::string Day(int days_back) {
  const std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days_back) * 86400;
  std::tm utc{};
  gmtime_r(&t, &utc);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &utc);
  return day;
}

class ExposureBudgetTest : public TempStoreTest {
 protected:
  void SetUp() override {
    TempStoreTest::SetUp();
    if (HasFatalFailure()) return;
    critical_ = AddQueuedItem(*store_, "critical", Disposition::kReview, 5);
    high_ = AddQueuedItem(*store_, "high", Disposition::kReview, 4);
    medium_ = AddQueuedItem(*store_, "medium", Disposition::kReview, 3);
  }
  // A ledger row as the console writes it, `days_back` days ago (0: now).
  void Saw(const std::string &reviewer, int severity, double seconds, int reveals,
           int days_back = 0) {
    Statement insert(store_->db(),
                     "INSERT INTO exposure (reviewer, item_id, severity, "
                     "seconds_unobscured, "
                     "reveals, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert.Bind(1, reviewer)
        .Bind(2, medium_)
        .Bind(3, severity)
        .Bind(4, seconds)
        .Bind(5, reveals)
        .Bind(6, Day(days_back) + "T12:00:00Z");
    ASSERT_EQ(insert.Step(), kDone) << insert.Error("insert").message();
  }
  int64_t ClaimedBy(const std::string &reviewer, int max_severity = 5) {
    ReviewQueue queue(*store_);
    ClaimOptions options;
    options.max_severity = max_severity;
    auto claimed = queue.Claim(reviewer, options);
    EXPECT_TRUE(claimed.ok()) << claimed.status().message();
    return claimed.ok() && claimed.value() ? claimed.value()->item_id : 0;
  }
  int64_t critical_ = 0, high_ = 0, medium_ = 0;
};

TEST_F(ExposureBudgetTest, WithoutABudgetEverythingIsServed) {
  auto cap = MaxServableSeverity(store_->db(), "alice");
  ASSERT_TRUE(cap.ok()) << cap.status().message();
  EXPECT_EQ(cap.value(), 5);
  EXPECT_EQ(ClaimedBy("alice"), critical_);
}

TEST_F(ExposureBudgetTest, AReviewerOverTheItemsBudgetIsNotServedSevereItems) {
  ASSERT_TRUE(SetExposureBudget(store_->db(), 4, 2, std::nullopt, "lead").ok());
  Saw("alice", 4, 10, 0);
  Saw("alice", 4, 10, 0);
  Saw("bob", 4, 10, 0);  // one of two: bob has budget left
  Saw("carol", 4, 5, 0, /*days_back=*/1);
  Saw("carol", 4, 5, 0, /*days_back=*/1);  // yesterday's do not count today
  EXPECT_EQ(MaxServableSeverity(store_->db(), "alice").value(), 3);
  EXPECT_EQ(MaxServableSeverity(store_->db(), "bob").value(), 5);
  EXPECT_EQ(MaxServableSeverity(store_->db(), "carol").value(), 5);
  // Heavier material is never served once lighter is used up: alice gets
  // neither the high nor the critical item, bob the critical one.
  EXPECT_EQ(ClaimedBy("alice"), medium_);
  EXPECT_EQ(ClaimedBy("bob"), critical_);
  EXPECT_EQ(ClaimedBy("alice"), 0);  // only the high item is left, above her cap
  EXPECT_EQ(ClaimedBy("carol"), high_);
}

TEST_F(ExposureBudgetTest, TheSecondsBudgetAndTheCallersOwnCapBothHold) {
  ASSERT_TRUE(SetExposureBudget(store_->db(), 5, std::nullopt, 60.0, "lead").ok());
  Saw("alice", 5, 59.5, 2);
  EXPECT_EQ(MaxServableSeverity(store_->db(), "alice").value(), 5);
  Saw("alice", 5, 0.5, 0);
  EXPECT_EQ(MaxServableSeverity(store_->db(), "alice").value(), 4);
  EXPECT_EQ(ClaimedBy("alice"), high_);
  // The console's own (lower) cap still applies under a team budget with room.
  EXPECT_EQ(ClaimedBy("bob", /*max_severity=*/3), medium_);
}

TEST_F(ExposureBudgetTest, SettingIsCheckedAuditedAndUnlimitedRemovesIt) {
  EXPECT_THAT(SetExposureBudget(store_->db(), 6, 1, std::nullopt, "lead").message(),
              HasSubstr("outside 0..5"));
  EXPECT_THAT(SetExposureBudget(store_->db(), 3, -1, std::nullopt, "lead").message(),
              HasSubstr("cannot be negative"));
  EXPECT_THAT(SetExposureBudget(store_->db(), 3, std::nullopt, -2.0, "lead").message(),
              HasSubstr("0 or more"));
  ASSERT_TRUE(SetExposureBudget(store_->db(), 3, 10, 120.0, "lead").ok());
  ASSERT_TRUE(SetExposureBudget(store_->db(), 3, 8, std::nullopt, "lead2").ok());
  auto budgets = ListExposureBudgets(store_->db());
  ASSERT_TRUE(budgets.ok()) << budgets.status().message();
  ASSERT_EQ(budgets.value().size(), 1u);
  EXPECT_EQ(budgets.value()[0].severity, 3);
  EXPECT_EQ(budgets.value()[0].items, std::optional<int64_t>(8));
  EXPECT_FALSE(budgets.value()[0].seconds.has_value());
  EXPECT_EQ(budgets.value()[0].set_by, "lead2");
  ASSERT_TRUE(SetExposureBudget(store_->db(), 3, std::nullopt, std::nullopt, "lead").ok());
  EXPECT_TRUE(ListExposureBudgets(store_->db()).value().empty());
  Statement audit(store_->db(), "SELECT count(*) FROM audit_log WHERE action = 'exposure.budget'");
  ASSERT_EQ(audit.Step(), kRow);
  EXPECT_EQ(audit.ColumnInt(0), 3);
  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().problems.empty());
}

TEST_F(ExposureBudgetTest, TeamTotalsLeaveOutGroupsOfFewerThanThreeReviewers) {
  // Today, critical: three reviewers (shown); high: two (left out).
  Saw("alice", 5, 10.0, 1);
  Saw("alice", 5, 2.5, 0);
  Saw("bob", 5, 4.0, 3);
  Saw("carol", 5, 1.5, 0);
  Saw("alice", 4, 100.0, 9);
  Saw("bob", 4, 100.0, 9);
  // Yesterday, medium: three reviewers; three days ago: outside --days 2.
  Saw("alice", 3, 1.0, 0, 1);
  Saw("bob", 3, 2.0, 1, 1);
  Saw("dave", 3, 3.0, 0, 1);
  Saw("alice", 5, 1.0, 0, 3);
  Saw("bob", 5, 1.0, 0, 3);
  Saw("carol", 5, 1.0, 0, 3);
  auto rows = TeamExposure(store_->db(), Day(1));
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows.value().size(), 2u);
  const TeamExposureRow &today = rows.value()[0];
  EXPECT_EQ(today.day, Day(0));
  EXPECT_EQ(today.severity, 5);
  EXPECT_EQ(today.items, 4);
  EXPECT_DOUBLE_EQ(today.seconds_unobscured, 18.0);
  EXPECT_EQ(today.reveals, 4);
  EXPECT_EQ(today.reviewers, 3);
  const TeamExposureRow &yesterday = rows.value()[1];
  EXPECT_EQ(yesterday.day, Day(1));
  EXPECT_EQ(yesterday.severity, 3);
  EXPECT_EQ(yesterday.items, 3);
  EXPECT_DOUBLE_EQ(yesterday.seconds_unobscured, 6.0);
  EXPECT_EQ(yesterday.reveals, 1);
  EXPECT_EQ(yesterday.reviewers, 3);
}

}  // namespace
}  // namespace vigil::host
