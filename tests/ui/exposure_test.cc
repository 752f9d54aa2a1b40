// The exposure ledger and the budgets it is held to.
#include <gtest/gtest.h>

#include <cmath>

#include "model/exposure_ledger.h"
#include "session_fixture.h"
#include "store/review_queue.h"

namespace vigil::review {
namespace {

std::array<SeverityBudget, kMaxSeverity + 1> Budgets() {
  std::array<SeverityBudget, kMaxSeverity + 1> b{};
  b[5] = {60, 10};
  b[4] = {120, -1};
  return b;
}

TEST(ExposureBudgetTest, SecondsAndItemsBothCount) {
  ExposureLedger ledger;
  ExposureBudget budget(Budgets());
  EXPECT_EQ(budget.MaxServable(ledger), 5);
  EXPECT_DOUBLE_EQ(budget.SecondsLeft(ledger, 5), 60);
  EXPECT_EQ(budget.ItemsLeft(ledger, 5), 10);
  EXPECT_LT(budget.SecondsLeft(ledger, 3), 0);  // unlimited
  ledger.Add(5, 59.5, 3);
  EXPECT_FALSE(budget.Exhausted(ledger, 5));
  ledger.Add(5, 0.5, 1);
  EXPECT_TRUE(budget.Exhausted(ledger, 5));
  EXPECT_EQ(budget.MaxServable(ledger), 4);
  EXPECT_EQ(ledger.at(5).items, 2);
  EXPECT_EQ(ledger.at(5).reveals, 4);

  ExposureLedger many;
  for (int i = 0; i < 10; ++i) many.Add(5, 0, 0);  // ten items, never revealed
  EXPECT_TRUE(budget.Exhausted(many, 5));
}

TEST(ExposureBudgetTest, ExhaustedLighterSeverityStopsHeavierToo) {
  ExposureLedger ledger;
  ExposureBudget budget(Budgets());
  ledger.Add(4, 200, 1);
  EXPECT_EQ(budget.MaxServable(ledger), 3);
  std::array<SeverityBudget, kMaxSeverity + 1> none{};
  none[0] = {0, -1};
  EXPECT_EQ(ExposureBudget(none).MaxServable(ExposureLedger()), -1);
}

TEST(ExposureBudgetTest, CheckInOnlyLowers) {
  ExposureLedger ledger;
  ExposureBudget budget(Budgets());
  budget.SetScale(0.5);
  EXPECT_DOUBLE_EQ(budget.SecondsLeft(ledger, 5), 30);
  EXPECT_EQ(budget.ItemsLeft(ledger, 5), 5);
  budget.SetScale(1.0);  // cannot raise it back
  EXPECT_DOUBLE_EQ(budget.scale(), 0.5);
  budget.SetScale(std::nan(""));
  EXPECT_DOUBLE_EQ(budget.scale(), 0.5);
  budget.SetScale(-3);
  EXPECT_DOUBLE_EQ(budget.scale(), 0.0);
  EXPECT_TRUE(budget.Exhausted(ledger, 5));
}

TEST(ExposureLedgerTest, NegativeAndOutOfRangeInputsAreContained) {
  ExposureLedger ledger;
  ledger.Add(42, -5, -2);
  EXPECT_EQ(ledger.at(5).items, 1);
  EXPECT_DOUBLE_EQ(ledger.at(5).seconds_unobscured, 0);
  EXPECT_EQ(ledger.at(5).reveals, 0);
  ledger.Add(-1, 1, 1);
  EXPECT_EQ(ledger.at(0).items, 1);
}

using ExposureStoreTest = testing::SessionTest;

TEST_F(ExposureStoreTest, LoadsTodaysRowsForOneReviewer) {
  auto ids = Queue(2, {5, 3});
  host::ReviewQueue queue(*store_);
  ASSERT_TRUE(queue.RecordExposure("alice", ids[0], 5, 12.5, 2).ok());
  ASSERT_TRUE(queue.RecordExposure("alice", ids[1], 3, 1.0, 1).ok());
  ASSERT_TRUE(queue.RecordExposure("alice", ids[0], 5, 2.25, 1).ok());
  ASSERT_TRUE(queue.RecordExposure("bob", ids[0], 5, 99, 9).ok());
  auto today = ExposureLedger::LoadFromStore(*store_, "alice", TodayUtc());
  ASSERT_TRUE(today.ok()) << today.status().message();
  EXPECT_EQ(today.value()[5].items, 2);
  EXPECT_DOUBLE_EQ(today.value()[5].seconds_unobscured, 14.75);
  EXPECT_EQ(today.value()[5].reveals, 3);
  EXPECT_EQ(today.value()[3].items, 1);
  auto other_day = ExposureLedger::LoadFromStore(*store_, "alice", "1999-01-01");
  ASSERT_TRUE(other_day.ok());
  EXPECT_EQ(other_day.value()[5].items, 0);
}

}  // namespace
}  // namespace vigil::review
