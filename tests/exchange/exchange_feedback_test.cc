// Feedback to hash exchanges (issue 15 item 2): a reviewer's decision on an item that matched
// an entry of a synced NCMEC exchange queues the exchange's vote in the decision's transaction
// (store/exchange_feedback.h), and the sender delivers it to the loopback NCMEC mock
// (exchange/exchange_feedback_sender.h) exactly as python-threatexchange's submit_feedback
// sends it; the receiver down then up; feedback off; no exchange match; a sender that died
// mid-call; idempotence per (entry, decision).
#include "store/exchange_feedback.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "exchange/exchange_feedback_sender.h"
#include "exchange/exchange_sync.h"
#include "store/exchanges.h"
#include "store/review_queue.h"
#include "tests/exchange/mock_ncmec_server.h"
#include "tests/unit/host/temp_store.h"
#include "vigil/hashbank/bank.h"

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

TEST(ExchangeFeedbackStoreTest, FeedbackIsForNcmecWithAReasonGuidAndForStopNcii) {
  host::Exchange e;
  e.name = "s";
  e.kind = "stopncii";
  e.endpoint = "https://api.stopncii.org/v1";
  e.bank = "s";
  e.credentials = "env:S";
  e.feedback = true;
  EXPECT_TRUE(host::ValidateExchange(e).ok());
  e.feedback_reason = kReason;  // NotBlocked carries no reason
  EXPECT_FALSE(host::ValidateExchange(e).ok());
  e.feedback_reason.clear();
  e.kind = "http";
  e.endpoint = "https://lists.example/list.txt";
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

// StopNCII feedback (issue 15 item 2): entries synced from a StopNCII exchange carry their
// hash value as id, so a decision on an item that matched one queues feedback naming the
// hash, and the sender POSTs SubmitFeedback as python-threatexchange's stopncii/api.py does.
constexpr char kStopNciiPdq[] = "9def0b7dafa86a1c90f2abd78e79ceb25ec3d1a4b3d4bc7a4354baf7717ea038";

class StopNciiFeedbackTest : public ExchangeFeedbackTest {
 protected:
  void SetUp() override {
    ExchangeFeedbackTest::SetUp();
    ::setenv("VIGIL_TEST_FEEDBACK_STOPNCII", "sub-key:fetch-key:feedback-key", 1);
    server_->SetStopNcii(MockNcmecServer::StopNciiSampleFeed(), "fetch-key", "sub-key");
    server_->SetStopNciiFeedbackKey("feedback-key");
    stopncii_.name = "stopncii";
    stopncii_.kind = "stopncii";
    stopncii_.endpoint = server_->base_url() + "/v1";
    stopncii_.bank = "stopncii-bank";
    stopncii_.credentials = "env:VIGIL_TEST_FEEDBACK_STOPNCII";
    stopncii_.created_by = "admin";
    stopncii_.feedback = true;
  }

  // Adds the exchange and syncs the real sample pages into its bank.
  void AddAndSync() {
    ASSERT_TRUE(host::AddExchange(store_->db(), stopncii_).ok());
    ClientOptions client_options;
    client_options.retry.sleep = [](int64_t) {};
    auto client = MakeExchangeClient(stopncii_, "sub-key:fetch-key:feedback-key", client_options);
    ASSERT_TRUE(client.ok()) << client.status().message();
    auto report = SyncExchange(store_->db(), stopncii_, *client.value(), BankPath());
    ASSERT_TRUE(report.ok()) << report.status().message();
  }

  std::string BankPath() const {
    return (dir_ / "lists" / "hash-banks" / "stopncii-bank.bank").string();
  }

  // The entry id a detection of this PDQ value names, as bank_set.cc makes it (the external
  // id, else the entry's index).
  std::string EntryIdOf(const std::string& pdq_hex) {
    auto bank = hashbank::Bank::Open(BankPath());
    EXPECT_TRUE(bank.ok());
    if (!bank.ok()) return "";
    auto value = hashbank::ParseHashValue(hashbank::SignalType::kPdq, pdq_hex);
    EXPECT_TRUE(value.ok());
    auto hits = bank.value()->MatchExact(value.value());
    EXPECT_TRUE(hits.ok() && hits.value().size() == 1u);
    if (!hits.ok() || hits.value().empty()) return "";
    const hashbank::Match& m = hits.value()[0];
    return m.entry.external_id.empty() ? std::to_string(m.entry_index) : m.entry.external_id;
  }

  std::vector<testing::MockRequest> Posts() {
    std::vector<testing::MockRequest> posts;
    for (const auto& r : server_->requests()) {
      if (r.method == "POST") posts.push_back(r);
    }
    return posts;
  }

  host::Exchange stopncii_;
};

// {"count", "hashFeedbacks": [{"tags", "feedbackValue", "hashValue"}]} of a body, checked as
// JSON: "<feedbackValue> <hashValue>" of its one feedback, or what is wrong.
std::string FeedbackOf(const std::string& body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || doc.size() != 2u) return "not a two-key object";
  if (doc.value("count", -1) != 1) return "count is not 1";
  if (!doc.contains("hashFeedbacks") || !doc["hashFeedbacks"].is_array() ||
      doc["hashFeedbacks"].size() != 1u) {
    return "not one hashFeedbacks item";
  }
  const nlohmann::json& f = doc["hashFeedbacks"][0];
  if (!f.is_object() || f.size() != 3u || !f.contains("tags") || !f["tags"].is_array() ||
      !f.contains("feedbackValue") || !f["feedbackValue"].is_string() || !f.contains("hashValue") ||
      !f["hashValue"].is_string()) {
    return "not {tags, feedbackValue, hashValue}";
  }
  return f["feedbackValue"].get<std::string>() + " " + f["hashValue"].get<std::string>();
}

TEST_F(StopNciiFeedbackTest, ADecisionOnASyncedStopNciiMatchPostsTheDocumentedFeedbackOnce) {
  AddAndSync();
  // The synced entry's id is its hash value: the detection names the hash.
  const std::string entry = EntryIdOf(kStopNciiPdq);
  ASSERT_EQ(entry, kStopNciiPdq);
  const size_t fetches = server_->requests().size();
  ASSERT_TRUE(Decide(AddMatchedItem("s1", "stopncii-bank", entry, "pdq"), "A1").ok());
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 1u);  // two detections of one entry give one row
  EXPECT_EQ(rows[0].exchange, "stopncii");
  EXPECT_EQ(rows[0].entry_id, kStopNciiPdq);
  EXPECT_EQ(rows[0].vote, "affirmative");
  EXPECT_EQ(server_->requests().size(), fetches) << "deciding sent nothing itself";

  auto report = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report.value().delivered, 1);
  const auto posts = Posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].target, "/v1/SubmitFeedback");
  EXPECT_EQ(posts[0].headers.at("x-functions-key"), "feedback-key");  // SubmitFeedback's own
  EXPECT_EQ(posts[0].headers.at("ocp-apim-subscription-key"), "sub-key");
  EXPECT_EQ(posts[0].headers.at("content-type"), "application/json");
  EXPECT_TRUE(posts[0].authorization.empty());
  EXPECT_EQ(FeedbackOf(posts[0].body), std::string("Blocked ") + kStopNciiPdq);
  EXPECT_EQ(nlohmann::json::parse(posts[0].body)["hashFeedbacks"][0]["tags"],
            nlohmann::json::array());
  rows = Rows();
  EXPECT_EQ(rows[0].state, "delivered");
  EXPECT_EQ(rows[0].http_status, 200);

  now_ms_ += 3600 * 1000;
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());
  EXPECT_EQ(Posts().size(), 1u) << "delivered feedback is never sent again";
}

TEST_F(StopNciiFeedbackTest, NotIllegalSendsNotBlockedAndEscalateNothing) {
  AddAndSync();
  const std::string entry = EntryIdOf(kStopNciiPdq);
  ASSERT_TRUE(Decide(AddMatchedItem("s2", "stopncii-bank", entry, "pdq"), "escalate").ok());
  EXPECT_TRUE(Rows().empty());
  // No negative reason is configured (StopNCII's NotBlocked carries none).
  ASSERT_TRUE(Decide(AddMatchedItem("s3", "stopncii-bank", entry, "pdq"), "not-illegal").ok());
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].vote, "negative");
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());
  const auto posts = Posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(FeedbackOf(posts[0].body), std::string("NotBlocked ") + kStopNciiPdq);
  EXPECT_EQ(StopNciiFeedbackValue("affirmative"), "Blocked");
  EXPECT_EQ(StopNciiFeedbackValue("negative"), "NotBlocked");
}

TEST_F(StopNciiFeedbackTest, TheReceiverFailingThenAnsweringIsRetriedWithBackoffThenDelivered) {
  AddAndSync();
  ASSERT_TRUE(
      Decide(AddMatchedItem("s4", "stopncii-bank", EntryIdOf(kStopNciiPdq), "pdq"), "B2").ok());
  server_->QueueFault(Fault::k500);
  server_->QueueFault(Fault::k429);
  server_->SetRetryAfter("5");
  auto first = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value().retrying, 1);
  auto rows = Rows();
  EXPECT_EQ(rows[0].state, "pending");
  EXPECT_EQ(rows[0].http_status, 500);
  EXPECT_EQ(rows[0].next_at_ms, kT0 + 1000);
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());  // not due: nothing sent
  EXPECT_EQ(Posts().size(), 1u);
  now_ms_ = kT0 + 1000;
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());  // 429, Retry-After: 5
  rows = Rows();
  EXPECT_EQ(rows[0].http_status, 429);
  EXPECT_EQ(rows[0].next_at_ms, kT0 + 1000 + 5000) << "Retry-After outweighs the 2 s backoff";
  now_ms_ = kT0 + 6000;
  auto last = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last.value().delivered, 1);
  EXPECT_EQ(Rows()[0].state, "delivered");
  const auto posts = Posts();
  ASSERT_EQ(posts.size(), 3u);
  for (const auto& p : posts) EXPECT_EQ(FeedbackOf(p.body), std::string("Blocked ") + kStopNciiPdq);
}

TEST_F(StopNciiFeedbackTest, CredentialsWithoutAFeedbackKeyKeepTheRowForRetryThenGiveUp) {
  AddAndSync();
  ::setenv("VIGIL_TEST_FEEDBACK_STOPNCII", "sub-key:fetch-key", 1);  // enough to sync only
  const std::string entry = EntryIdOf(kStopNciiPdq);
  ASSERT_TRUE(Decide(AddMatchedItem("s5", "stopncii-bank", entry, "pdq"), "A1").ok());
  auto report = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().retrying, 1);
  EXPECT_TRUE(Posts().empty()) << "nothing is sent without the SubmitFeedback key";
  auto rows = Rows();
  EXPECT_EQ(rows[0].state, "pending");
  EXPECT_NE(rows[0].last_error.find("no SubmitFeedback function key"), std::string::npos)
      << rows[0].last_error;
  // Fixed before the retries run out: delivered.
  ::setenv("VIGIL_TEST_FEEDBACK_STOPNCII", "sub-key:fetch-key:feedback-key", 1);
  now_ms_ = kT0 + 1000;
  report = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().delivered, 1);
  EXPECT_EQ(Posts().size(), 1u);

  // Never fixed: given up after max_attempts, with the reason.
  ::setenv("VIGIL_TEST_FEEDBACK_STOPNCII", "sub-key:fetch-key", 1);
  ASSERT_TRUE(Decide(AddMatchedItem("s6", "stopncii-bank", entry, "pdq"), "A2").ok());
  options_.max_attempts = 2;
  ASSERT_TRUE(DeliverExchangeFeedback(store_->db(), options_).ok());
  now_ms_ = kT0 + 100000;
  report = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().dead, 1);
  rows = Rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].state, "dead");
  EXPECT_EQ(rows[1].attempts, 2);
  EXPECT_NE(rows[1].last_error.find("gave up after 2 attempts"), std::string::npos)
      << rows[1].last_error;
  EXPECT_EQ(Posts().size(), 1u);
}

TEST_F(StopNciiFeedbackTest, AWrongFeedbackKeyIsRetriedAndAnIdThatIsNoHashIsGivenUp) {
  AddAndSync();
  ::setenv("VIGIL_TEST_FEEDBACK_STOPNCII", "sub-key:fetch-key:wrong-key", 1);
  ASSERT_TRUE(
      Decide(AddMatchedItem("s7", "stopncii-bank", EntryIdOf(kStopNciiPdq), "pdq"), "A1").ok());
  // An entry of a bank synced before entries carried their hash (an index), and a PDQ value
  // reported as an MD5 match: neither names a hash StopNCII knows.
  ASSERT_TRUE(Decide(AddMatchedItem("s8", "stopncii-bank", "0", "pdq"), "A1").ok());
  ASSERT_TRUE(Decide(AddMatchedItem("s9", "stopncii-bank", kStopNciiPdq, "md5"), "A1").ok());
  auto report = DeliverExchangeFeedback(store_->db(), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.value().retrying, 1);
  EXPECT_EQ(report.value().dead, 2);
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].http_status, 401);
  EXPECT_NE(rows[0].last_error.find("check the exchange's credentials"), std::string::npos)
      << rows[0].last_error;
  EXPECT_EQ(rows[1].state, "dead");
  EXPECT_NE(rows[1].last_error.find("not a StopNCII pdq hash value"), std::string::npos)
      << rows[1].last_error;
  EXPECT_EQ(rows[2].state, "dead");
  EXPECT_EQ(Posts().size(), 1u);  // only the first row reached the receiver
}

TEST(StopNciiFeedbackBodyTest, IsTheDocumentedShape) {
  EXPECT_EQ(StopNciiFeedbackJson("affirmative", "abc"),
            "{\"count\":1,\"hashFeedbacks\":[{\"feedbackValue\":\"Blocked\",\"hashValue\":"
            "\"abc\",\"tags\":[]}]}");
  auto keys = ParseStopNciiCredentials("s:f:b");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys.value().subscription_key, "s");
  EXPECT_EQ(keys.value().fetch_function_key, "f");
  EXPECT_EQ(keys.value().submit_feedback_function_key, "b");
  keys = ParseStopNciiCredentials("s:f");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys.value().fetch_function_key, "f");
  EXPECT_EQ(keys.value().submit_feedback_function_key, "");
  for (const char* bad : {"", "s", "s:", ":f", "s:f:", "s::b", "s:f:b:c"}) {
    EXPECT_FALSE(ParseStopNciiCredentials(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace vigil::exchange
