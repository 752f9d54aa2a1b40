// The audit chain catches edits and deletions; the review queue leases, decides and
// records exposure, each with its audit entry.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "store/audit_log.h"
#include "store/db/sqlite_database.h"
#include "store/review_queue.h"
#include "store/db/database.h"
#include "store/store.h"
#include "temp_store.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class AuditQueueTest : public TempStoreTest {
 protected:
  int64_t Add(const std::string& sha, Disposition d, int priority, int severity,
              const std::string& category = "") {
    return AddQueuedItem(*store_, sha, d, severity, priority, category);
  }


  // Runs SQL with the append-only triggers out of the way and puts them back after, as
  // a careful attacker with the file would (so only the chain can tell).
  void Tamper(const std::string& sql) {
    Statement triggers(store_->db(),
                       "SELECT group_concat(sql, '; ') FROM sqlite_master WHERE type = 'trigger' "
                       "AND tbl_name = 'audit_log'");
    ASSERT_EQ(triggers.Step(), host::kRow);
    std::string full = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; " +
                       sql + "; " + triggers.ColumnText(0) + ";";
    ASSERT_EQ(sqlite3_exec(vigil::host::SqliteHandle(store_->db()), full.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(vigil::host::SqliteHandle(store_->db()));
  }

};

TEST_F(AuditQueueTest, ChainVerifiesAndTriggersRefuseChanges) {
  for (int i = 0; i < 5; ++i) Add("s" + std::to_string(i), Disposition::kClear, 0, 0);
  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().entries, 5);
  EXPECT_TRUE(report.value().problems.empty());
  EXPECT_EQ(report.value().head_hash.size(), 64u);
  EXPECT_NE(sqlite3_exec(vigil::host::SqliteHandle(store_->db()), "UPDATE audit_log SET actor = 'x'", nullptr, nullptr,
                         nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(vigil::host::SqliteHandle(store_->db()), "DELETE FROM audit_log WHERE seq = 2", nullptr, nullptr,
                         nullptr), SQLITE_OK);
}

TEST_F(AuditQueueTest, EditedRowIsNamed) {
  for (int i = 0; i < 5; ++i) Add("s" + std::to_string(i), Disposition::kClear, 0, 0);
  Tamper("UPDATE audit_log SET details = '{\"outcome\":\"clear\"}' WHERE seq = 3");
  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report.value().problems.size(), 1u);
  EXPECT_THAT(report.value().problems[0], HasSubstr("entry 3 was changed"));
}

TEST_F(AuditQueueTest, DeletedRowIsNamed) {
  for (int i = 0; i < 5; ++i) Add("s" + std::to_string(i), Disposition::kClear, 0, 0);
  Tamper("DELETE FROM audit_log WHERE seq = 2");
  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report.value().problems.empty());
  EXPECT_THAT(report.value().problems[0], HasSubstr("entries 2..2 are missing"));
}

TEST_F(AuditQueueTest, RecomputedHashStillBreaksTheNextLink) {
  for (int i = 0; i < 4; ++i) Add("s" + std::to_string(i), Disposition::kClear, 0, 0);
  // Changing a row and its own hash is not enough: the next entry points at the old hash.
  Tamper("UPDATE audit_log SET hash = 'ffff' WHERE seq = 2");
  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok());
  EXPECT_THAT(::testing::PrintToString(report.value().problems), HasSubstr("entry 3 does not follow"));
}

TEST_F(AuditQueueTest, QueueOrdersLeasesAndDecides) {
  int64_t low = Add("low", Disposition::kReview, 10, 2);
  int64_t high = Add("high", Disposition::kReview, 500, 4, "B1");
  Add("clear", Disposition::kClear, 0, 0);
  int64_t auto_id = Add("auto", Disposition::kAutoAction, 1000, 5, "A1");
  ReviewQueue queue(*store_);

  auto pending = queue.List("pending", QueueOrder::kPriority, 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending.value().size(), 2u);
  EXPECT_EQ(pending.value()[0].item_id, high);

  auto decided = queue.Get(auto_id);
  ASSERT_TRUE(decided.ok() && decided.value());
  EXPECT_EQ(decided.value()->state, "decided");
  EXPECT_EQ(decided.value()->decision, "A1");
  EXPECT_EQ(decided.value()->decided_by, "policy:test rule");

  auto first = queue.Claim("alice", {});
  ASSERT_TRUE(first.ok() && first.value());
  EXPECT_EQ(first.value()->item_id, high);
  auto second = queue.Claim("bob", {});
  ASSERT_TRUE(second.ok() && second.value());
  EXPECT_EQ(second.value()->item_id, low) << "two reviewers never get the same item";
  auto none = queue.Claim("carol", {});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());

  EXPECT_THAT(queue.Decide(high, "bob", "B1", "").message(), HasSubstr("not held by bob"));
  EXPECT_THAT(queue.Decide(high, "alice", "Z9", "").message(), HasSubstr("unknown decision"));
  EXPECT_THAT(queue.Decide(high, "alice", "not-illegal", "").message(), HasSubstr("reason is required"));
  ASSERT_TRUE(queue.Decide(high, "alice", "B1", "").ok());
  ASSERT_TRUE(queue.Release(low, "bob").ok());
  EXPECT_EQ(queue.Get(low).value()->state, "pending");

  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report.value().problems.empty());
  // 4 scans + 2 claims + 1 decision + 1 release.
  EXPECT_EQ(report.value().entries, 8);
}

TEST_F(AuditQueueTest, SeverityBudgetLimitsWhatIsServed) {
  Add("severe", Disposition::kReview, 500, 5);
  int64_t mild = Add("mild", Disposition::kReview, 10, 2);
  ReviewQueue queue(*store_);
  ClaimOptions options;
  options.max_severity = 3;
  auto claimed = queue.Claim("alice", options);
  ASSERT_TRUE(claimed.ok() && claimed.value());
  EXPECT_EQ(claimed.value()->item_id, mild);
}

TEST_F(AuditQueueTest, RescanKeepsOneQueueRowAndADecidedItemStaysDecided) {
  int64_t id = Add("item", Disposition::kReview, 10, 3);
  ReviewQueue queue(*store_);
  ASSERT_TRUE(queue.Claim("alice", {}).ok());
  ASSERT_TRUE(queue.Decide(id, "alice", "B2", "").ok());
  Add("item", Disposition::kReview, 400, 4);  // a new detection on a known item
  Statement count(store_->db(), "SELECT count(*), max(state), max(priority) FROM queue");
  ASSERT_EQ(count.Step(), host::kRow);
  EXPECT_EQ(count.ColumnInt(0), 1);
  EXPECT_EQ(count.ColumnText(1), "decided");
  EXPECT_EQ(count.ColumnInt(2), 400);
}

TEST_F(AuditQueueTest, ExposureAndRevealsAreLedgered) {
  int64_t id = Add("item", Disposition::kReview, 10, 4);
  ReviewQueue queue(*store_);
  ASSERT_TRUE(queue.RecordReveal("alice", id, 0.1f, 0.2f, 0.3f, 0.4f, 2500).ok());
  ASSERT_TRUE(queue.RecordExposure("alice", id, 4, 2.5, 1).ok());
  Statement row(store_->db(), "SELECT sum(seconds_unobscured), sum(reveals) FROM exposure WHERE reviewer = 'alice'");
  ASSERT_EQ(row.Step(), host::kRow);
  EXPECT_EQ(row.ColumnText(0), "2.5");
  EXPECT_EQ(row.ColumnInt(1), 1);
}

}  // namespace
}  // namespace vigil::host
