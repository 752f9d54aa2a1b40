// The Store on a PostgreSQL URL (issue 13): Store::Open dispatches postgresql:// to the team
// store; the store's own code (record, count, queue, audit verify) runs on it unchanged.
// Where behaviour differs from SQLite it is said: the audit actor is the database login.
#include <gtest/gtest.h>

#include "pg_test_server.h"
#include "store/audit_log.h"
#include "store/review_queue.h"
#include "store/store.h"

namespace vigil::host::testing {
namespace {

class PostgresStore : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    auto store = Store::Open(url_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    PgTestServer::TearDown();
  }
  int64_t Add(Store& store, const std::string& sha, Disposition d, int severity) {
    ItemRecord record;
    record.sha256 = sha;
    record.path = "/items/" + sha;
    record.media_kind = "image";
    record.outcome.disposition = d;
    record.outcome.severity = severity;
    record.outcome.obscure_level = 5;
    record.outcome.category = d == Disposition::kAutoAction ? "A1" : "";
    record.outcome.rule = "test rule";
    auto id = store.RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? id.value() : 0;
  }
  std::unique_ptr<Store> store_;
};

TEST_F(PostgresStore, OpensByUrlAndKnowsItsLogin) {
  EXPECT_EQ(store_->db().dialect(), Dialect::kPostgres);
  EXPECT_EQ(store_->login(), "postgres");
  EXPECT_GT(store_->schema_version(), 0);
  EXPECT_EQ(store_->db().Describe(), url_);
  // Reopening (read-write and read-only) finds the schema current.
  auto again = Store::Open(url_);
  ASSERT_TRUE(again.ok()) << again.status().message();
  auto read_only = Store::Open(url_, OpenMode::kReadOnly);
  ASSERT_TRUE(read_only.ok()) << read_only.status().message();
  EXPECT_TRUE((*read_only)->read_only());
  // A password in the URL is refused before anything connects.
  auto secret = Store::Open("postgresql://postgres:pw@127.0.0.1:" + port_ + "/" + database_);
  ASSERT_FALSE(secret.ok());
  EXPECT_NE(secret.status().message().find("PGPASSFILE"), std::string::npos);
}

TEST_F(PostgresStore, RecordsCountsQueuesAndVerifies) {
  const int64_t clear = Add(*store_, "c1", Disposition::kClear, 0);
  const int64_t review = Add(*store_, "r1", Disposition::kReview, 3);
  const int64_t automatic = Add(*store_, "a1", Disposition::kAutoAction, 4);
  EXPECT_GT(clear, 0);
  // The same bytes again: the same item.
  EXPECT_EQ(Add(*store_, "r1", Disposition::kReview, 3), review);
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ(counts->items, 3);
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT reviewer FROM decisions WHERE item_id = " + std::to_string(automatic)),
            "policy:test rule");

  ReviewQueue queue(*store_);
  ClaimOptions options;
  options.lease_seconds = 600;
  auto claimed = queue.Claim(store_->login(), options);
  ASSERT_TRUE(claimed.ok()) << claimed.status().message();
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->item_id, review);
  Status decided = queue.Decide(review, store_->login(), "B1", "");
  ASSERT_TRUE(decided.ok()) << decided.message();

  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok()) << report.status().message();
  for (const std::string& p : report->problems) ADD_FAILURE() << p;
  EXPECT_EQ(report->entries, 6);  // 4 scans, a claim, a decision
  // Unlike SQLite (the actor is what the caller passed), the actor of every entry is the
  // login, set by the database.
  EXPECT_EQ(Scalar(store_->db(), "SELECT string_agg(DISTINCT actor, ',') FROM audit_log"),
            "postgres");

  // A disabled chain trigger is a problem audit verify reports.
  ASSERT_TRUE(store_->db().Exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain").ok());
  report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_NE(report->problems[0].find("audit_log_chain on audit_log is disabled"),
            std::string::npos);
}

TEST_F(PostgresStore, AReviewerLoginWorksTheQueueAsItself) {
  const int64_t first = Add(*store_, "r1", Disposition::kReview, 3);
  const int64_t second = Add(*store_, "r2", Disposition::kReview, 2);
  const std::string alice = MakeLogin("alice", {"vigil_reviewer"});
  const std::string bob = MakeLogin("bob", {"vigil_reviewer"});
  auto as_alice = Store::Open(UrlFor(alice, database_));
  ASSERT_TRUE(as_alice.ok()) << as_alice.status().message();
  auto as_bob = Store::Open(UrlFor(bob, database_));
  ASSERT_TRUE(as_bob.ok()) << as_bob.status().message();
  EXPECT_EQ((*as_alice)->login(), alice);

  ReviewQueue alice_queue(**as_alice);
  ReviewQueue bob_queue(**as_bob);
  ClaimOptions options;
  auto claimed = alice_queue.Claim(alice, options);
  ASSERT_TRUE(claimed.ok()) << claimed.status().message();
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->item_id, first);
  // Bob cannot decide alice's item, through the store or by naming her.
  Status stolen = bob_queue.Decide(first, bob, "B1", "");
  EXPECT_FALSE(stolen.ok());
  EXPECT_NE(stolen.message().find("not held"), std::string::npos) << stolen.message();
  EXPECT_FALSE(bob_queue.Decide(first, alice, "B1", "").ok());
  Status decided = alice_queue.Decide(first, alice, "B1", "");
  ASSERT_TRUE(decided.ok()) << decided.message();
  EXPECT_EQ(Scalar(store_->db(),
                   "SELECT reviewer FROM decisions WHERE item_id = " + std::to_string(first)),
            alice);
  (void)second;
  auto report = VerifyAudit(store_->db());
  ASSERT_TRUE(report.ok()) << report.status().message();
  for (const std::string& p : report->problems) ADD_FAILURE() << p;
}

}  // namespace
}  // namespace vigil::host::testing
