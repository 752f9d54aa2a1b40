// ReviewQueue (issue 13, item 8): a decision needs a lease that still runs, refusals say
// why with a code the command line maps to its exit status, and a senior's Reopen puts a
// decided item back without editing its history. On both stores (issue 13, item 1).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "store/audit_log.h"
#include "store/db/database.h"
#include "store/review_queue.h"
#include "store/store.h"
#include "store_backend.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ReviewQueueLeaseTest : public StoreBackendTest {
 protected:
  int64_t Add(const std::string& sha, Disposition d, int severity) {
    ItemRecord record;
    record.sha256 = sha;
    record.path = "/items/" + sha;
    record.media_kind = "image";
    record.outcome.disposition = d;
    record.outcome.severity = severity;
    record.outcome.category = "A1";
    record.outcome.rule = "test rule";
    record.outcome.reason = "matched list X";
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? id.value() : 0;
  }
  void ExpectVerifies() {
    auto report = VerifyAudit(store_->db());
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report.value().problems.empty())
        << ::testing::PrintToString(report.value().problems);
  }
};

TEST_P(ReviewQueueLeaseTest, ADecisionNeedsALeaseThatStillRuns) {
  const int64_t id = Add("a", Disposition::kReview, 3);
  ReviewQueue queue(*store_);
  auto claimed = QueueOf("alice").Claim(Who("alice"), {});
  ASSERT_TRUE(claimed.ok() && claimed.value());
  EXPECT_GT(claimed.value()->lease_expires, 0);
  EXPECT_EQ(UtcTime(0), "1970-01-01T00:00:00Z");

  Exec("UPDATE queue SET lease_expires = 1000 WHERE item_id = " + std::to_string(id));
  Status late = QueueOf("alice").Decide(id, Who("alice"), "A1", "");
  EXPECT_EQ(late.code(), Status::Code::kUnavailable);
  EXPECT_THAT(late.message(), HasSubstr("the lease of " + Who("alice") + " on item " +
                                        std::to_string(id) + " expired at 1970-01-01T00:16:40Z"));
  EXPECT_EQ(Count("SELECT count(*) FROM decisions"), 0);
  // Not taken over yet: the expired lease may still be given back.
  EXPECT_TRUE(QueueOf("alice").Release(id, Who("alice")).ok());
  EXPECT_EQ(queue.Get(id).value()->state, "pending");

  Status pending = QueueOf("alice").Decide(id, Who("alice"), "A1", "");
  EXPECT_EQ(pending.code(), Status::Code::kUnavailable);
  EXPECT_THAT(pending.message(), HasSubstr("it is pending; claim it first"));
  EXPECT_EQ(QueueOf("alice").Decide(999, Who("alice"), "A1", "").code(), Status::Code::kNotFound);
  EXPECT_EQ(QueueOf("alice").Release(999, Who("alice")).code(), Status::Code::kNotFound);
  ExpectVerifies();
}

TEST_P(ReviewQueueLeaseTest, ReopenPutsADecidedItemBackAndKeepsItsHistory) {
  const int64_t reviewed = Add("r", Disposition::kReview, 3);
  const int64_t automatic = Add("p", Disposition::kAutoAction, 5);
  P("senior", {"vigil_senior"});  // on PostgreSQL a login in the senior role
  ReviewQueue queue(*store_);
  ASSERT_TRUE(QueueOf("alice").Claim(Who("alice"), {}).ok());
  ASSERT_TRUE(QueueOf("alice").Decide(reviewed, Who("alice"), "B2", "").ok());

  EXPECT_EQ(QueueOf("senior").Reopen(reviewed, Who("senior"), "").status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(QueueOf("senior").Reopen(999, Who("senior"), "why").status().code(),
            Status::Code::kNotFound);
  auto before = QueueOf("senior").Reopen(reviewed, Who("senior"), "looks like A2");
  ASSERT_TRUE(before.ok()) << before.status().message();
  EXPECT_EQ(before.value().decision, "B2");
  EXPECT_EQ(before.value().decided_by, Who("alice"));
  auto after = queue.Get(reviewed);
  EXPECT_EQ(after.value()->state, "pending");
  EXPECT_EQ(after.value()->reason,
            "reopened by " + Who("senior") + ": looks like A2; matched list X");
  // Pending now: a second reopen has nothing to reopen.
  Status twice = QueueOf("senior").Reopen(reviewed, Who("senior"), "again").status();
  EXPECT_EQ(twice.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(twice.message(), HasSubstr("is pending, not decided"));

  // The policy's automatic decision can be appealed too; it stays on record.
  ASSERT_TRUE(QueueOf("senior").Reopen(automatic, Who("senior"), "not what the list says").ok());
  EXPECT_EQ(queue.Get(automatic).value()->state, "pending");

  ASSERT_TRUE(QueueOf("bob").Claim(Who("bob"), {}).ok());  // severity 5 first: the automatic one
  ASSERT_TRUE(QueueOf("bob").Decide(automatic, Who("bob"), "not-illegal", "a test pattern").ok());
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE item_id = " + std::to_string(automatic)),
            2);
  EXPECT_EQ(Count("SELECT count(*) FROM decisions WHERE item_id = " + std::to_string(reviewed)), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'queue.reopened'"), 2);
  ExpectVerifies();
}

VIGIL_ON_BOTH_STORES(ReviewQueueLeaseTest);

}  // namespace
}  // namespace vigil::host
