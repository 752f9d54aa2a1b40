// Feedback to hash exchanges (issue 15 item 2): a reviewer's decision on an item that matched
// an entry of a synced NCMEC exchange queues the exchange's vote in the decision's transaction
// (store/exchange_feedback.h), and the sender delivers it to the loopback NCMEC mock
// (exchange/exchange_feedback_sender.h) exactly as python-threatexchange's submit_feedback
// sends it; the receiver down then up; feedback off; no exchange match; a sender that died
// mid-call; idempotence per (entry, decision).
#include "store/exchange_feedback.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <pugixml.hpp>

#include "exchange/exchange_feedback_sender.h"
#include "exchange/exchange_sync.h"
#include "store/exchanges.h"
#include "store/review_queue.h"
#include "tests/exchange/mock_ncmec_server.h"
#include "tests/unit/host/temp_store.h"

namespace vigil::exchange {
namespace {

using testing::Fault;
using testing::MockNcmecServer;

constexpr char kReason[] = "01234567-abcd-0123-4567-012345678900";
constexpr int64_t kT0 = 1800000000000;

class ExchangeFeedbackTest : public host::TempStoreTest {
 protected:
  void SetUp() override {
    host::TempStoreTest::SetUp();
    ::setenv("VIGIL_TEST_FEEDBACK_NCMEC", "vigil-test:s3cret", 1);
    server_ = std::make_unique<MockNcmecServer>("vigil-test", "s3cret");
    ncmec_.name = "ncmec";
    ncmec_.kind = "ncmec";
    ncmec_.endpoint = server_->base_url();
    ncmec_.bank = "ncmec-bank";
    ncmec_.credentials = "env:VIGIL_TEST_FEEDBACK_NCMEC";
    ncmec_.created_by = "admin";
    ncmec_.feedback = true;
    ncmec_.feedback_reason = kReason;
    options_.now_ms = [this] { return now_ms_; };
    options_.first_backoff_ms = 1000;
  }

  void AddNcmec() { ASSERT_TRUE(host::AddExchange(store_->db(), ncmec_).ok()); }

  // Syncs the real sample pages into the exchange's bank: the entry ids the test's
  // detections name are the bank's (42-image1 is the sample's first image).
  void Sync() {
    ClientOptions client_options;
    client_options.retry.sleep = [](int64_t) {};
    auto client = MakeExchangeClient(ncmec_, "vigil-test:s3cret", client_options);
    ASSERT_TRUE(client.ok());
    auto report = SyncExchange(store_->db(), ncmec_, *client.value(),
                               (dir_ / "lists" / "hash-banks" / "ncmec-bank.bank").string());
    ASSERT_TRUE(report.ok()) << report.status().message();
  }

  // A queued item whose hash detector matched `entry` of `bank` (as bank_set.cc reports it).
  int64_t AddMatchedItem(const std::string& sha, const std::string& bank, const std::string& entry,
                         const std::string& signal_type = "md5") {
    host::ItemRecord record;
    record.sha256 = sha;
    record.path = "/items/" + sha;
    record.media_kind = "image";
    record.outcome.disposition = host::Disposition::kReview;
    record.outcome.severity = 3;
    record.outcome.obscure_level = 5;
    record.outcome.rule = "test rule";
    host::DetectorRun run;
    run.detector = "vigil.hash";
    if (!bank.empty()) {
      for (int variant = 0; variant < 2; ++variant) {  // two detections of one entry
        auto* d = run.result.add_detections();
        d->set_label("hash-match");
        d->set_signal_type(signal_type);
        d->set_score(1.0);
        d->mutable_match()->set_bank(bank);
        d->mutable_match()->set_entry_id(entry);
        d->mutable_match()->set_dihedral(variant);
      }
    }
    record.runs.push_back(run);
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? id.value() : 0;
  }

  Status Decide(int64_t item, const std::string& decision) {
    host::ReviewQueue queue(*store_);
    host::ClaimOptions claim;
    claim.only_item = item;
    auto claimed = queue.Claim("alice", claim);
    if (!claimed.ok()) return claimed.status();
    if (!claimed.value()) return Status::NotFound("not claimed");
    return queue.Decide(item, "alice", decision,
                        decision == "not-illegal" || decision == "escalate" ? "a reason" : "");
  }

  std::vector<host::ExchangeFeedback> Rows() {
    auto rows = host::ListExchangeFeedback(store_->db());
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows.value() : std::vector<host::ExchangeFeedback>{};
  }

  std::vector<testing::MockRequest> Puts() {
    std::vector<testing::MockRequest> puts;
    for (const auto& r : server_->requests()) {
      if (r.method == "PUT") puts.push_back(r);
    }
    return puts;
  }

  std::unique_ptr<MockNcmecServer> server_;
  host::Exchange ncmec_;
  FeedbackOptions options_;
  int64_t now_ms_ = kT0;
};

// The vote of a body, checked as XML: the root, its namespace, the vote element, the reason.
std::string VoteOf(const std::string& xml) {
  pugi::xml_document doc;
  if (!doc.load_string(xml.c_str())) return "not XML";
  const pugi::xml_node root = doc.document_element();
  if (std::string(root.name()) != "feedbackSubmission" ||
      std::string(root.attribute("xmlns").value()) !=
          "https://hashsharing.ncmec.org/hashsharing/v2") {
    return "wrong root";
  }
  if (root.child("affirmative") && !root.child("negative")) return "affirmative";
  const std::string guid = root.child("negative").child("reasonIds").child("guid").text().get();
  return guid.empty() ? "negative without reason" : "negative " + guid;
}

TEST_F(ExchangeFeedbackTest, AConfirmedMatchSendsTheDocumentedAffirmativeVoteOnce) {
  AddNcmec();
  Sync();
  const int64_t item = AddMatchedItem("a1", "ncmec-bank", "42-image1");
  ASSERT_TRUE(Decide(item, "A1").ok());

  // The decision queued one row (two detections of one entry and type give one vote).
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].exchange, "ncmec");
  EXPECT_EQ(rows[0].entry_id, "42-image1");
  EXPECT_EQ(rows[0].signal_type, "md5");
  EXPECT_EQ(rows[0].vote, "affirmative");
  EXPECT_EQ(rows[0].state, "pending");
  EXPECT_TRUE(server_->requests().size() == 4u) << "deciding sent nothing itself";

  auto report = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report.value().delivered, 1);
  const auto puts = Puts();
  ASSERT_EQ(puts.size(), 1u);
  // The member id from /v2/status (the sample's member 1), the entry's NCMEC id, MD5.
  EXPECT_EQ(puts[0].path, "/entries/1/image1/MD5/feedback");
  EXPECT_EQ(puts[0].authorization, "Basic dmlnaWwtdGVzdDpzM2NyZXQ=");
  EXPECT_EQ(puts[0].headers.at("content-type"), "application/xml");
  EXPECT_EQ(VoteOf(puts[0].body), "affirmative");
  // The sample body pytx's tests expect says the same.
  EXPECT_EQ(VoteOf(MockNcmecServer::ReadTestdata("formats/ncmec/affirmative_feedback_xml.xml")),
            "affirmative");
  rows = Rows();
  EXPECT_EQ(rows[0].state, "delivered");
  EXPECT_EQ(rows[0].http_status, 200);
  EXPECT_FALSE(rows[0].delivered_at.empty());

  // Delivered means never again, however often the sender runs.
  now_ms_ += 3600 * 1000;
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());
  EXPECT_EQ(Puts().size(), 1u);
}

TEST_F(ExchangeFeedbackTest, NotIllegalSendsANegativeVoteWithTheConfiguredReason) {
  AddNcmec();
  const int64_t item = AddMatchedItem("n1", "ncmec-bank", "42-image10", "sha1");
  ASSERT_TRUE(Decide(item, "not-illegal").ok());
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());
  const auto puts = Puts();
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0].path, "/entries/1/image10/SHA1/feedback");
  EXPECT_EQ(VoteOf(puts[0].body), std::string("negative ") + kReason);
  EXPECT_EQ(VoteOf(MockNcmecServer::ReadTestdata("formats/ncmec/negative_feedback_xml.xml")),
            std::string("negative ") + kReason);
}

TEST_F(ExchangeFeedbackTest, WithoutANegativeReasonOnlyAffirmativeVotesAreQueued) {
  ncmec_.feedback_reason.clear();
  AddNcmec();
  ASSERT_TRUE(Decide(AddMatchedItem("n2", "ncmec-bank", "42-image1"), "not-illegal").ok());
  EXPECT_TRUE(Rows().empty());
  ASSERT_TRUE(Decide(AddMatchedItem("a2", "ncmec-bank", "42-image1"), "B1").ok());
  EXPECT_EQ(Rows().size(), 1u);
}

TEST_F(ExchangeFeedbackTest, TheReceiverDownThenUpIsRetriedWithBackoffThenDelivered) {
  AddNcmec();
  ASSERT_TRUE(Decide(AddMatchedItem("a3", "ncmec-bank", "42-image1"), "A2").ok());
  server_->QueueFault(Fault::k500);
  server_->QueueFault(Fault::kDrop);
  auto first = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value().retrying, 1);
  auto rows = Rows();
  EXPECT_EQ(rows[0].state, "pending");
  EXPECT_EQ(rows[0].http_status, 500);
  EXPECT_EQ(rows[0].next_at_ms, kT0 + 1000);
  // Not due yet: nothing is sent.
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());
  EXPECT_EQ(Puts().size(), 1u);
  now_ms_ = kT0 + 1000;
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());  // dropped: backoff doubles
  rows = Rows();
  EXPECT_EQ(rows[0].attempts, 2);
  EXPECT_EQ(rows[0].next_at_ms, kT0 + 1000 + 2000);
  EXPECT_NE(rows[0].last_error.find("no answer"), std::string::npos) << rows[0].last_error;
  now_ms_ = kT0 + 3000;
  auto last = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last.value().delivered, 1);
  EXPECT_EQ(Rows()[0].state, "delivered");
  EXPECT_EQ(Puts().size(), 3u);
}

TEST_F(ExchangeFeedbackTest, ASenderThatDiedMidCallIsTakenOverWhenItsLeaseExpires) {
  AddNcmec();
  ASSERT_TRUE(Decide(AddMatchedItem("a4", "ncmec-bank", "42-image1"), "A1").ok());
  // A sender leased the row (recorded before its call) and died before recording the outcome.
  auto leased = host::LeaseDueFeedback(store_->db(), "dead-sender", kT0, 60000, 10);
  ASSERT_TRUE(leased.ok());
  ASSERT_EQ(leased.value().size(), 1u);
  EXPECT_EQ(Rows()[0].state, "sending");
  // While its lease lasts, nobody else sends the vote.
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());
  EXPECT_TRUE(Puts().empty());
  // After it, the next sender sends it once and the late one cannot record over it.
  now_ms_ = kT0 + 60001;
  auto report = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().delivered, 1);
  EXPECT_EQ(Puts().size(), 1u);
  host::FeedbackAttempt late;
  late.delivered = true;
  EXPECT_EQ(
      host::RecordFeedbackAttempt(store_->db(), leased.value()[0].id, "dead-sender", late).code(),
      Status::Code::kUnavailable);
}

TEST_F(ExchangeFeedbackTest, FeedbackOffQueuesNothing) {
  ncmec_.feedback = false;
  ncmec_.feedback_reason.clear();
  AddNcmec();
  ASSERT_TRUE(Decide(AddMatchedItem("a5", "ncmec-bank", "42-image1"), "A1").ok());
  EXPECT_TRUE(Rows().empty());
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(ExchangeFeedbackTest, ADecisionWithoutAnExchangeMatchQueuesNothing) {
  AddNcmec();
  ASSERT_TRUE(Decide(AddMatchedItem("a6", "", ""), "A1").ok());              // no match
  ASSERT_TRUE(Decide(AddMatchedItem("a7", "my-own-list", "9"), "A1").ok());  // not an exchange's
  ASSERT_TRUE(Decide(AddMatchedItem("a8", "ncmec-bank", "42-image1"), "escalate").ok());
  EXPECT_TRUE(Rows().empty());
}

TEST_F(ExchangeFeedbackTest, ARemovedExchangeOrAnUnknownTypeEndsTheRowWithTheReason) {
  AddNcmec();
  ASSERT_TRUE(Decide(AddMatchedItem("a9", "ncmec-bank", "42-image1", "pdq"), "A1").ok());
  ASSERT_TRUE(Decide(AddMatchedItem("b1", "ncmec-bank", "42-video1", "sha256"), "A1").ok());
  auto report = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().delivered, 1);  // PDQ is a type NCMEC takes feedback on
  EXPECT_EQ(report.value().dead, 1);
  auto rows = Rows();
  EXPECT_EQ(rows[1].state, "dead");
  EXPECT_NE(rows[1].last_error.find("sha256"), std::string::npos);

  ASSERT_TRUE(Decide(AddMatchedItem("b2", "ncmec-bank", "42-image1"), "A1").ok());
  ASSERT_TRUE(host::RemoveExchange(store_->db(), "ncmec").ok());
  report = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().dead, 1);
  EXPECT_NE(Rows()[2].last_error.find("removed"), std::string::npos);
}

TEST(ExchangeFeedbackStoreTest, FeedbackIsForNcmecWithAReasonGuid) {
  host::Exchange e;
  e.name = "s";
  e.kind = "stopncii";
  e.endpoint = "https://api.stopncii.org/v1";
  e.bank = "s";
  e.credentials = "env:S";
  e.feedback = true;
  EXPECT_FALSE(host::ValidateExchange(e).ok());
  e.kind = "ncmec";
  e.endpoint = "https://hashsharing.ncmec.org/npo";
  EXPECT_TRUE(host::ValidateExchange(e).ok());
  e.feedback_reason = "not-a-guid";
  EXPECT_FALSE(host::ValidateExchange(e).ok());
  e.feedback_reason = kReason;
  EXPECT_TRUE(host::ValidateExchange(e).ok());
  e.feedback = false;
  EXPECT_FALSE(host::ValidateExchange(e).ok());
  EXPECT_EQ(host::FeedbackVoteFor("A1"), "affirmative");
  EXPECT_EQ(host::FeedbackVoteFor("not-illegal"), "negative");
  EXPECT_EQ(host::FeedbackVoteFor("escalate"), "");
}

}  // namespace
}  // namespace vigil::exchange
