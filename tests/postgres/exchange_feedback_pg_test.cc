// Issue 15 item 2 on the team store: a reviewer's decision queues the exchange feedback in
// its own transaction, under the reviewer's own login (PostgreSQL migration 14: the columns
// of `exchanges` a reviewer may read, the INSERT policy of exchange_feedback); the sender
// (scanner) leases and records; auditors read; nobody forges a delivered row, updates
// without being the sender, or deletes history.
#include <gtest/gtest.h>

#include <map>

#include "../unit/host/temp_store.h"
#include "pg_test_server.h"
#include "store/exchange_feedback.h"
#include "store/exchanges.h"
#include "store/named_queues.h"
#include "store/review_queue.h"
#include "store/store.h"

namespace vigil::host::testing {
namespace {

bool Refused(const std::string& error) { return error.find("[42501]") != std::string::npos; }

class TeamExchangeFeedback : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    auto store = Store::Open(url_);  // the superuser migrates and records items
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    ASSERT_TRUE(RecordQueueSpecs(store_->db(), {{"default", "", {"reviewer", "senior"}}}).ok());
    for (const auto& [name, role] : std::map<std::string, std::string>{{"alice", "vigil_reviewer"},
                                                                       {"adam", "vigil_admin"},
                                                                       {"sam", "vigil_scanner"},
                                                                       {"aud", "vigil_auditor"}}) {
      const std::string login = MakeLogin(name, {role});
      auto opened = Store::Open(UrlFor(login, database_));
      ASSERT_TRUE(opened.ok()) << login << ": " << opened.status().message();
      logins_[name] = login;
      as_[name] = std::move(opened).value();
    }
  }
  void TearDown() override {
    as_.clear();
    store_.reset();
    PgTestServer::TearDown();
  }

  int64_t AddMatched(const std::string& sha, const std::string& bank, const std::string& entry) {
    ItemRecord record;
    record.sha256 = sha;
    record.path = "/items/" + sha;
    record.media_kind = "image";
    record.outcome.disposition = Disposition::kReview;
    record.outcome.severity = 3;
    record.outcome.obscure_level = 5;
    record.outcome.rule = "test rule";
    record.outcome.queue = "default";
    DetectorRun run;
    run.detector = "vigil.hash";
    auto* d = run.result.add_detections();
    d->set_label("hash-match");
    d->set_signal_type("md5");
    d->set_score(1.0);
    d->mutable_match()->set_bank(bank);
    d->mutable_match()->set_entry_id(entry);
    record.runs.push_back(run);
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? id.value() : 0;
  }

  Status ClaimAndDecide(int64_t item, const std::string& who, const std::string& decision) {
    ReviewQueue queue(*as_[who]);
    ClaimOptions only;
    only.only_item = item;
    auto claimed = queue.Claim(logins_[who], only);
    if (!claimed.ok()) return claimed.status();
    if (!claimed.value()) return Status::NotFound("not claimed");
    return queue.Decide(item, logins_[who], decision, "");
  }

  std::unique_ptr<Store> store_;
  std::map<std::string, std::string> logins_;
  std::map<std::string, std::unique_ptr<Store>> as_;
};

TEST_F(TeamExchangeFeedback, AReviewersDecisionQueuesTheVoteTheScannerDeliversIt) {
  Exchange e;
  e.name = "npo";
  e.kind = "ncmec";
  e.endpoint = "https://hashsharing.ncmec.org/npo";
  e.bank = "npo-bank";
  e.credentials = "env:NCMEC_CREDENTIALS";
  e.created_by = "adam";
  e.feedback = true;
  ASSERT_TRUE(AddExchange(as_["adam"]->db(), e).ok());
  const int64_t matched = AddMatched("f1", "npo-bank", "42-image1");
  const int64_t other = AddMatched("f2", "someone-elses-bank", "7");

  // The reviewer's decision writes the row on the reviewer's own connection.
  ASSERT_TRUE(ClaimAndDecide(matched, "alice", "A1").ok());
  ASSERT_TRUE(ClaimAndDecide(other, "alice", "B2").ok());
  auto rows = ListExchangeFeedback(as_["aud"]->db());
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows.value().size(), 1u);
  EXPECT_EQ(rows.value()[0].entry_id, "42-image1");
  EXPECT_EQ(rows.value()[0].item_id, matched);
  EXPECT_EQ(rows.value()[0].vote, "affirmative");

  // A reviewer reads which exchanges send feedback, never their endpoint or credentials.
  Database& alice = as_["alice"]->db();
  EXPECT_EQ(Scalar(alice, "SELECT count(*) FROM exchanges WHERE feedback = 1"), "1");
  EXPECT_TRUE(Refused(RunSql(alice, "SELECT endpoint FROM exchanges")));
  EXPECT_TRUE(Refused(RunSql(alice, "SELECT credentials FROM exchanges")));
  // Nor forges a delivered vote, nor changes one.
  const std::string decision = Scalar(store_->db(), "SELECT max(id) FROM decisions");
  EXPECT_FALSE(RunSql(alice,
                      "INSERT INTO exchange_feedback (exchange, item_id, decision_id, entry_id, "
                      "signal_type, vote, state, created_at) VALUES ('npo', " +
                          std::to_string(matched) + ", " + decision +
                          ", '42-forged', 'md5', 'affirmative', 'delivered', 'now')")
                   .empty());
  EXPECT_TRUE(Refused(RunSql(alice, "UPDATE exchange_feedback SET state = 'dead'")));

  // The scanner leases and records; the auditor may not; nobody deletes.
  auto leased = LeaseDueFeedback(as_["sam"]->db(), "sam-1", 1000, 60000, 10);
  ASSERT_TRUE(leased.ok()) << leased.status().message();
  ASSERT_EQ(leased.value().size(), 1u);
  FeedbackAttempt delivered;
  delivered.delivered = true;
  delivered.http_status = 200;
  EXPECT_FALSE(
      RecordFeedbackAttempt(as_["aud"]->db(), leased.value()[0].id, "sam-1", delivered).ok());
  ASSERT_TRUE(
      RecordFeedbackAttempt(as_["sam"]->db(), leased.value()[0].id, "sam-1", delivered).ok());
  EXPECT_EQ(ListExchangeFeedback(as_["aud"]->db()).value()[0].state, "delivered");
  EXPECT_TRUE(Refused(RunSql(as_["adam"]->db(), "DELETE FROM exchange_feedback")));
  EXPECT_TRUE(Refused(RunSql(as_["sam"]->db(), "DELETE FROM exchange_feedback")));
}

// StopNCII feedback on the team store: a reviewer's not-illegal decision on an item that
// matched a StopNCII entry (its id is the hash value) queues a negative row (NotBlocked) with
// no reason, on the reviewer's own login; NCMEC's rule (no reason, no negative vote) stays.
TEST_F(TeamExchangeFeedback, AReviewersNotIllegalOnAStopNciiMatchQueuesNotBlocked) {
  Exchange e;
  e.name = "sncii";
  e.kind = "stopncii";
  e.endpoint = "https://api.stopncii.org/v1";
  e.bank = "sncii-bank";
  e.credentials = "env:STOPNCII_CREDENTIALS";
  e.created_by = "adam";
  e.feedback = true;
  ASSERT_TRUE(AddExchange(as_["adam"]->db(), e).ok());
  Exchange n = e;
  n.name = "npo";
  n.kind = "ncmec";
  n.endpoint = "https://hashsharing.ncmec.org/npo";
  n.bank = "npo-bank";
  ASSERT_TRUE(AddExchange(as_["adam"]->db(), n).ok());
  const std::string md5 = "0123456789abcdef0123456789abcdef";
  // not-illegal needs a reason (the decision's note); ClaimAndDecide gives none.
  const auto not_illegal = [&](int64_t item) {
    ReviewQueue queue(*as_["alice"]);
    ClaimOptions only;
    only.only_item = item;
    auto claimed = queue.Claim(logins_["alice"], only);
    ASSERT_TRUE(claimed.ok() && claimed.value());
    const Status s = queue.Decide(item, logins_["alice"], "not-illegal", "not NCII");
    ASSERT_TRUE(s.ok()) << s.message();
  };
  not_illegal(AddMatched("s1", "sncii-bank", md5));
  not_illegal(AddMatched("s2", "npo-bank", "42-image1"));
  auto rows = ListExchangeFeedback(as_["aud"]->db());
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows.value().size(), 1u);
  EXPECT_EQ(rows.value()[0].exchange, "sncii");
  EXPECT_EQ(rows.value()[0].entry_id, md5);
  EXPECT_EQ(rows.value()[0].vote, "negative");
  EXPECT_EQ(rows.value()[0].reason_id, "");
  EXPECT_EQ(rows.value()[0].state, "pending");
}

}  // namespace
}  // namespace vigil::host::testing
