// Issue 14 item 3: signed webhooks from the store's outbox, on both stores (SQLite and the
// tests' PostgreSQL): events exist iff their cause committed; the hooks in item recording
// and decisions; signatures a receiver verifies with the recipe of docs/webhooks.md;
// retries with the same event id; redirects not followed; giving up; a receiver down for a
// minute; two deliverers that never send the same delivery twice.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "policy/policy.h"
#include "service/webhook_dispatcher.h"
#include "service/webhook_signature.h"
#include "store/rematch.h"
#include "store/submissions.h"
#include "store/webhook_outbox.h"
#include "store_backend.h"
#include "vigil/hashbank/bank.h"
#include "webhook_receiver.h"

namespace vigil::host {
namespace {

using service::WebhookDispatcher;
using service::WebhookOptions;
using std::chrono::milliseconds;
using ::vigil::testing::WebhookReceiver;

constexpr char kSecret[] = "0123456789abcdef-test-secret";

class WebhooksTest : public StoreBackendTest {
 protected:
  void AddEndpoint(const std::string& name, const std::string& url,
                   std::vector<std::string> events = {}) {
    WebhookEndpoint endpoint;
    endpoint.name = name;
    endpoint.url = url;
    endpoint.secret = kSecret;
    endpoint.events = std::move(events);
    Status s = AddWebhookEndpoint(store_->db(), endpoint);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // Options for tests: no backoff unless asked, quick idle pauses.
  static WebhookOptions Fast() {
    WebhookOptions options;
    options.first_backoff = milliseconds(0);
    options.max_backoff = milliseconds(0);
    options.idle_pause = milliseconds(50);
    options.request_timeout = milliseconds(5000);
    options.connect_timeout = milliseconds(2000);
    return options;
  }

  // The bodies of the stored events, by event id.
  std::map<std::string, std::string> StoredEvents() {
    std::map<std::string, std::string> events;
    Statement rows(store_->db(), "SELECT idempotency_key, body FROM webhook_events");
    while (rows.Step() == kRow) events[rows.ColumnText(0)] = rows.ColumnText(1);
    return events;
  }

  // Writes `n` events, each in a transaction of its own.
  void EnqueueEvents(int n, const std::string& prefix = "cause") {
    for (int i = 0; i < n; ++i) {
      Transaction tx(store_->db());
      ASSERT_TRUE(tx.Begin().ok());
      Status s =
          EnqueueEvent(store_->db(), kWebhookItemMatched, prefix + std::to_string(i), {{"n", i}});
      ASSERT_TRUE(s.ok()) << s.message();
      ASSERT_TRUE(tx.Commit().ok());
    }
  }
};

TEST_P(WebhooksTest, AnEventExistsOnlyIfItsCauseCommitted) {
  AddEndpoint("all", "http://127.0.0.1:9/hook");
  {
    Transaction tx(store_->db());
    ASSERT_TRUE(tx.Begin().ok());
    ASSERT_TRUE(EnqueueEvent(store_->db(), kWebhookItemDecided, "rolled back", {}).ok());
  }  // rolled back with its cause
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_events"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries"), 0);
  for (int twice = 0; twice < 2; ++twice) {  // the same cause again writes nothing
    Transaction tx(store_->db());
    ASSERT_TRUE(tx.Begin().ok());
    ASSERT_TRUE(EnqueueEvent(store_->db(), kWebhookItemDecided, "committed", {}).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_events"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries"), 1);
  // Events are history: not edited.
  Statement edit(store_->db(), "UPDATE webhook_events SET body = '{}'");
  EXPECT_NE(edit.Step(), kDone);
}

TEST_P(WebhooksTest, EndpointsReceiveOnlyTheEventsTheyFilter) {
  AddEndpoint("all", "http://127.0.0.1:9/all");
  AddEndpoint("decided", "http://127.0.0.1:9/decided", {kWebhookItemDecided});
  AddEndpoint("two", "http://127.0.0.1:9/two", {kWebhookItemAutoAction, kWebhookItemMatched});
  Transaction tx(store_->db());
  ASSERT_TRUE(tx.Begin().ok());
  ASSERT_TRUE(EnqueueEvent(store_->db(), kWebhookItemAutoAction, "a", {}).ok());
  ASSERT_TRUE(EnqueueEvent(store_->db(), kWebhookItemDecided, "b", {}).ok());
  ASSERT_TRUE(tx.Commit().ok());
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries WHERE endpoint = 'all'"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries WHERE endpoint = 'decided'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries d JOIN webhook_events e ON "
                  "e.id = d.event_id WHERE d.endpoint = 'two' AND e.type = 'item.auto_action'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries WHERE endpoint = 'two'"), 1);
}

TEST_P(WebhooksTest, BadEndpointsAreRefusedWithAReason) {
  for (const char* url : {"ftp://127.0.0.1/x", "file:///etc/passwd", "http://", "https://:80/x",
                          "javascript:alert(1)", "http://a b/", "127.0.0.1:8080", ""}) {
    EXPECT_FALSE(CheckWebhookUrl(url).ok()) << url;
  }
  for (const char* url : {"http://127.0.0.1:8080/hook", "HTTPS://hooks.example.org",
                          "https://user:pw@hooks.example.org/x?y=1"}) {
    EXPECT_TRUE(CheckWebhookUrl(url).ok()) << url << ": " << CheckWebhookUrl(url).message();
  }
  WebhookEndpoint e;
  e.name = "ok";
  e.url = "http://127.0.0.1:9/";
  e.secret = "short";
  Status s = AddWebhookEndpoint(store_->db(), e);
  EXPECT_NE(s.message().find("at least 16 bytes"), std::string::npos) << s.message();
  e.secret = kSecret;
  e.events = {"item.deleted"};
  s = AddWebhookEndpoint(store_->db(), e);
  EXPECT_NE(s.message().find("unknown webhook event 'item.deleted'"), std::string::npos);
  e.events = {};
  e.name = "no spaces";
  EXPECT_FALSE(AddWebhookEndpoint(store_->db(), e).ok());
  e.name = "ok";
  e.url = "gopher://127.0.0.1/";
  EXPECT_FALSE(AddWebhookEndpoint(store_->db(), e).ok());
  e.url = "http://127.0.0.1:9/";
  ASSERT_TRUE(AddWebhookEndpoint(store_->db(), e).ok());
  s = AddWebhookEndpoint(store_->db(), e);
  EXPECT_NE(s.message().find("exists already"), std::string::npos) << s.message();
  EXPECT_EQ(RemoveWebhookEndpoint(store_->db(), "nope").code(), Status::Code::kNotFound);
  EXPECT_TRUE(RemoveWebhookEndpoint(store_->db(), "ok").ok());
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_endpoints"), 0);
}

TEST_P(WebhooksTest, AnAutoActionedItemWritesOneEventWithoutPathsOrBytes) {
  AddEndpoint("all", "http://127.0.0.1:9/hook");
  const std::string sha(64, 'a');
  // On PostgreSQL recorded by a scanner login, as `vigil scan` and workers record.
  Store& scanner = postgres() ? *P("scanner", {"vigil_scanner"}).store : *store_;
  AddQueuedItem(scanner, sha, Disposition::kAutoAction, 5, 0, "A1");
  AddQueuedItem(scanner, sha, Disposition::kAutoAction, 5, 0, "A1");  // scanned again
  AddQueuedItem(scanner, std::string(64, 'b'), Disposition::kReview, 3);
  AddQueuedItem(scanner, std::string(64, 'c'), Disposition::kClear, 0);
  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 1u);
  auto body = nlohmann::json::parse(events.begin()->second);
  EXPECT_EQ(body["id"], events.begin()->first);
  EXPECT_EQ(body["type"], "item.auto_action");
  EXPECT_EQ(body["item"]["sha256"], sha);
  EXPECT_EQ(body["disposition"], "auto-action");
  EXPECT_EQ(body["category"], "A1");
  EXPECT_EQ(events.begin()->second.find("/items/"), std::string::npos);  // no local path
}

TEST_P(WebhooksTest, AReviewersSettlingDecisionWritesItemDecidedWithoutTheirNotes) {
  AddEndpoint("all", "http://127.0.0.1:9/hook");
  const int64_t item =
      AddQueuedItem(*store_, std::string(64, 'd'), Disposition::kReview, 3, 0, "B1");
  ASSERT_GT(item, 0);
  // On PostgreSQL a reviewer login writes the event: the grants and policies admit it.
  auto claimed = QueueOf("alice").Claim(Who("alice"), {});
  ASSERT_TRUE(claimed.ok()) << claimed.status().message();
  ASSERT_TRUE(claimed.value().has_value());
  Status decided =
      QueueOf("alice").Decide(item, Who("alice"), "not-illegal", "private reviewer note 7f3e");
  ASSERT_TRUE(decided.ok()) << decided.message();
  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 1u);
  const std::string& text = events.begin()->second;
  auto body = nlohmann::json::parse(text);
  EXPECT_EQ(body["type"], "item.decided");
  EXPECT_EQ(body["item"]["sha256"], std::string(64, 'd'));
  EXPECT_EQ(body["decision"], "not-illegal");
  EXPECT_EQ(body["round"], 1);
  EXPECT_EQ(body["category"], "B1");
  EXPECT_EQ(text.find("7f3e"), std::string::npos);
  EXPECT_EQ(text.find(Who("alice")), std::string::npos);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries"), 1);
}

// `vigil rematch` finds a stored digest in a bank: one item.matched event naming the bank
// entry; a second rematch (nothing new) writes none.
TEST_P(WebhooksTest, ANewMatchFoundByRematchWritesItemMatchedOnce) {
  AddEndpoint("all", "http://127.0.0.1:9/hook");
  const std::string md5 = "0123456789abcdef0123456789abcdef";
  ItemRecord record;
  record.sha256 = std::string(64, 'm');
  record.path = "/items/m";
  record.media_kind = "image";
  record.outcome.disposition = Disposition::kClear;
  DetectorRun run;
  run.detector = "vigil.exact";
  auto* signal = run.result.add_signals();
  signal->set_type("md5");
  signal->set_value(md5);
  record.runs.push_back(run);
  ASSERT_TRUE(store_->RecordItem(record).ok());
  hashbank::Entry entry;
  entry.value = hashbank::ParseHashValue(hashbank::SignalType::kMd5, md5).value();
  entry.source = "test";
  entry.category = "A1";
  entry.severity = 5;
  entry.added_unix = 1796083200;
  entry.external_id = "rec-1";
  const std::string path = (dir_ / "alpha.bank").string();
  ASSERT_TRUE(hashbank::WriteBankFile(path, "alpha", {entry}).ok());
  auto bank = hashbank::Bank::Open(path);
  ASSERT_TRUE(bank.ok()) << bank.status().message();
  RematchOptions options;
  options.first_party = {"vigil.exact"};
  for (int twice = 0; twice < 2; ++twice) {
    auto report = Rematch(*store_, {bank.value().get()}, Policy::Default(), options);
    ASSERT_TRUE(report.ok()) << report.status().message();
    EXPECT_EQ(report->new_matches, twice == 0 ? 1 : 0);
  }
  auto events = StoredEvents();
  ASSERT_EQ(events.size(), 1u);
  auto body = nlohmann::json::parse(events.begin()->second);
  EXPECT_EQ(body["type"], "item.matched");
  EXPECT_EQ(body["item"]["sha256"], record.sha256);
  ASSERT_EQ(body["matches"].size(), 1u);
  EXPECT_EQ(body["matches"][0]["bank"], "alpha");
  EXPECT_EQ(body["matches"][0]["entry_id"], "rec-1");
  EXPECT_EQ(body["matches"][0]["signal_type"], "md5");
  EXPECT_FALSE(body["disposition"].get<std::string>().empty());
}

TEST_P(WebhooksTest, OnATeamStoreOnlyAdminsManageEndpointsAndReviewersReadNoSecret) {
  if (!postgres()) {
    // One person owns a workstation store: they manage its endpoints (the tests above).
    EXPECT_TRUE(ListWebhookEndpoints(store_->db(), true).ok());
    return;
  }
  AddEndpoint("all", "http://127.0.0.1:9/hook");
  Store& reviewer = *P("rita").store;
  EXPECT_FALSE(ListWebhookEndpoints(reviewer.db(), /*with_secrets=*/true).ok());
  WebhookEndpoint e{"mine", "http://127.0.0.1:9/x", kSecret, {}, true, ""};
  EXPECT_FALSE(AddWebhookEndpoint(reviewer.db(), e).ok());
  Store& auditor = *P("audrey", {"vigil_auditor"}).store;
  EXPECT_TRUE(ListWebhookEndpoints(auditor.db(), /*with_secrets=*/false).ok());
  EXPECT_FALSE(ListWebhookEndpoints(auditor.db(), /*with_secrets=*/true).ok());
  Store& admin = *P("ada", {"vigil_admin"}).store;
  EXPECT_TRUE(AddWebhookEndpoint(admin.db(), e).ok());
  // A reviewer may write an event (their decision causes it), not read or deliver them.
  EXPECT_FALSE(LeaseDueDeliveries(reviewer.db(), "rita", 0, 1000, 10).ok());
}

// An item recorded for a platform's submission: the auto-action event names the submission,
// one event per submission (a redelivered submission writes none again).
TEST_P(WebhooksTest, AnAutoActionOfASubmissionNamesItOncePerSubmission) {
  AddEndpoint("all", "http://127.0.0.1:9/hook");
  for (const char* id : {"sub-1", "sub-2"}) {
    SubmissionRecord submission;
    submission.id = id;
    submission.sha256 = std::string(64, 's');
    ASSERT_TRUE(AcceptSubmission(store_->db(), submission).ok());
  }
  ItemRecord record;
  record.sha256 = std::string(64, 's');
  record.path = "/spool/s";
  record.media_kind = "image";
  record.outcome.disposition = Disposition::kAutoAction;
  record.outcome.category = "A1";
  for (const char* id : {"sub-1", "sub-1", "sub-2"}) {  // sub-1 redelivered
    record.submission_id = id;
    auto recorded = store_->RecordItem(record);
    ASSERT_TRUE(recorded.ok()) << recorded.status().message();
  }
  std::set<std::string> submissions;
  for (const auto& [id, body] : StoredEvents()) {
    submissions.insert(nlohmann::json::parse(body)["item"]["submission_id"].get<std::string>());
  }
  EXPECT_EQ(submissions, (std::set<std::string>{"sub-1", "sub-2"}));
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_events"), 2);
}

// With the store's media key the secret is sealed at rest (bound to its endpoint) and the
// deliverer opens it to sign; without the key nothing is sent and the reason is recorded.
TEST_P(WebhooksTest, ASecretSealedWithTheMediaKeyIsNotStoredInTheClearAndStillSigns) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  std::array<unsigned char, kMediaKeyBytes> bytes;
  bytes.fill(7);
  const MediaKey key = MediaKey::FromBytes(bytes);
  bytes.fill(8);
  const MediaKey other = MediaKey::FromBytes(bytes);
  WebhookEndpoint e{"sealed", receiver.Url(), kSecret, {}, true, ""};
  ASSERT_TRUE(AddWebhookEndpoint(store_->db(), e, &key).ok());
  std::string stored;
  {
    Statement row(store_->db(), "SELECT secret FROM webhook_endpoints WHERE name = 'sealed'");
    ASSERT_EQ(row.Step(), kRow);
    stored = row.ColumnText(0);
  }
  EXPECT_EQ(stored.rfind("sealed1:", 0), 0u) << stored;
  EXPECT_EQ(stored.find(kSecret), std::string::npos);
  auto opened = OpenWebhookSecret(&key, "sealed", stored);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(opened.value(), kSecret);
  EXPECT_EQ(OpenWebhookSecret(&other, "sealed", stored).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(OpenWebhookSecret(&key, "another", stored).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(OpenWebhookSecret(&key, "sealed", "sealed1:zz").status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(OpenWebhookSecret(nullptr, "plain", "as-given").value(), "as-given");
  EnqueueEvents(1);
  {
    WebhookDispatcher keyless(store_->db(), Fast());
    auto report = keyless.DeliverDue();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->failed, 1);
    EXPECT_TRUE(receiver.requests().empty());
    auto status = WebhookStatus(store_->db());
    ASSERT_TRUE(status.ok());
    EXPECT_NE(status->at(0).last_error.find("sealed with the store's media key"), std::string::npos)
        << status->at(0).last_error;
  }
  // With no backoff a failed delivery is due again from the next millisecond on.
  std::this_thread::sleep_for(milliseconds(5));
  WebhookOptions options = Fast();
  options.secret_key = key;
  WebhookDispatcher dispatcher(store_->db(), options);
  auto report = dispatcher.DeliverDue();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->delivered, 1);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(
      service::VerifyWebhookSignature(kSecret, std::stoll(requests[0].header("vigil-timestamp")),
                                      requests[0].body, requests[0].header("vigil-signature")));
}

// Runs the Python recipe of docs/webhooks.md on a received request.
bool PythonRecipeVerifies(const std::string& dir, const std::string& timestamp,
                          const std::string& body, const std::string& signature) {
  std::ifstream doc(std::string(VIGIL_SOURCE_DIR) + "/docs/webhooks.md");
  std::stringstream text;
  text << doc.rdbuf();
  const std::string all = text.str();
  const size_t start = all.find("```python\n");
  const size_t end = all.find("```", start + 10);
  EXPECT_NE(start, std::string::npos) << "docs/webhooks.md has no Python recipe";
  if (start == std::string::npos || end == std::string::npos) return false;
  const std::string script = dir + "/verify.py";
  std::ofstream(script) << all.substr(start + 10, end - start - 10)
                        << "\nimport sys\n"
                           "body = open(sys.argv[3], 'rb').read()\n"
                           "sys.exit(0 if verify(sys.argv[1].encode(), sys.argv[2], body, "
                           "sys.argv[4]) else 1)\n";
  std::ofstream(dir + "/body", std::ios::binary) << body;
  const std::string command = "python3 " + script + " '" + kSecret + "' '" + timestamp + "' " +
                              dir + "/body '" + signature + "'";
  const int rc = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) <= 1) << command << " did not run";
  return rc == 0;
}

TEST_P(WebhooksTest, DeliveriesAreSignedAsTheDocsSayAndTamperingFailsTheCheck) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  AddEndpoint("all", receiver.Url());
  AddQueuedItem(*store_, std::string(64, 'e'), Disposition::kAutoAction, 5, 0, "A1");
  WebhookDispatcher dispatcher(store_->db(), Fast());
  auto report = dispatcher.DeliverDue();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->delivered, 1);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("vigil-event-type"), "item.auto_action");
  auto events = StoredEvents();
  ASSERT_EQ(events.count(r.header("vigil-event-id")), 1u);
  EXPECT_EQ(r.body, events[r.header("vigil-event-id")]);
  const std::string ts = r.header("vigil-timestamp");
  const std::string sig = r.header("vigil-signature");
  ASSERT_EQ(sig.rfind("v1=", 0), 0u) << sig;
  const int64_t t = std::stoll(ts);
  EXPECT_TRUE(service::VerifyWebhookSignature(kSecret, t, r.body, sig));
  EXPECT_FALSE(service::VerifyWebhookSignature(kSecret, t + 1, r.body, sig));
  EXPECT_FALSE(service::VerifyWebhookSignature(kSecret, t, r.body + " ", sig));
  EXPECT_FALSE(service::VerifyWebhookSignature("another secret!!", t, r.body, sig));
  // The documented recipe, run as a receiver would.
  EXPECT_TRUE(PythonRecipeVerifies(dir_.string(), ts, r.body, sig));
  std::string changed = r.body;
  changed[changed.find("A1")] = 'B';
  EXPECT_FALSE(PythonRecipeVerifies(dir_.string(), ts, changed, sig));
  EXPECT_FALSE(PythonRecipeVerifies(dir_.string(), std::to_string(t - 1), r.body, sig));
  EXPECT_FALSE(PythonRecipeVerifies(dir_.string(), "1000000000", r.body,  // replayed
                                    service::SignWebhook(kSecret, 1000000000, r.body)));
}

TEST_P(WebhooksTest, AServerErrorIsRetriedWithTheSameEventIdAndDeliveredOnce) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  receiver.Script({500, 200});
  AddEndpoint("all", receiver.Url());
  EnqueueEvents(1);
  WebhookDispatcher dispatcher(store_->db(), Fast());
  auto first = dispatcher.DeliverDue();
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->failed, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending' AND "
                  "last_status = 500 AND attempts = 1"),
            1);
  std::this_thread::sleep_for(milliseconds(5));  // due again from the next millisecond
  auto second = dispatcher.DeliverDue();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->delivered, 1);
  auto third = dispatcher.DeliverDue();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->attempted, 0);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("vigil-event-id"), requests[1].header("vigil-event-id"));
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered' AND "
                  "attempts = 2 AND last_status = 200 AND delivered_at IS NOT NULL"),
            1);
}

TEST_P(WebhooksTest, ARedirectIsNotFollowed) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  receiver.Script({302});
  receiver.AnswerHeaders("Location: " + receiver.Url("/elsewhere") + "\r\n");
  AddEndpoint("all", receiver.Url());
  EnqueueEvents(1);
  WebhookDispatcher dispatcher(store_->db(), Fast());
  auto report = dispatcher.DeliverDue();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->failed, 1);
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(receiver.requests()[0].target, "/hook");
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending' AND "
                  "last_status = 302"),
            1);
}

TEST_P(WebhooksTest, ADeliveryOlderThanTheGiveUpAgeIsRecordedDead) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  receiver.Script({}, 503);
  AddEndpoint("all", receiver.Url());
  EnqueueEvents(2);
  WebhookOptions options = Fast();
  options.give_up_after = milliseconds(0);
  WebhookDispatcher dispatcher(store_->db(), options);
  auto report = dispatcher.DeliverDue();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->dead, 2);
  auto status = WebhookStatus(store_->db());
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->size(), 1u);
  EXPECT_EQ(status->at(0).dead, 2);
  EXPECT_EQ(status->at(0).pending, 0);
  EXPECT_NE(status->at(0).last_error.find("HTTP 503"), std::string::npos)
      << status->at(0).last_error;
  EXPECT_EQ(dispatcher.DeliverDue()->attempted, 0);  // never sent again
}

// Issue 14's "Done when": the receiver is down for a (real) minute, then back; every event
// arrives, with a valid signature. The backoff is capped at 2 s for the test.
TEST_P(WebhooksTest, AReceiverDownForAMinuteGetsEveryEventWhenItIsBack) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  const int port = receiver.port();
  receiver.Stop();  // down: connections are refused
  AddEndpoint("all", receiver.Url());
  for (char c : std::string("fghij")) {
    AddQueuedItem(*store_, std::string(64, c), Disposition::kAutoAction, 5, 0, "A1");
  }
  const auto stored = StoredEvents();
  ASSERT_EQ(stored.size(), 5u);
  WebhookOptions options = Fast();
  options.first_backoff = milliseconds(250);
  options.max_backoff = milliseconds(2000);
  std::unique_ptr<Store> own = OpenAnother();  // the deliverer's own connection
  ASSERT_NE(own, nullptr);
  WebhookDispatcher dispatcher(own->db(), options);
  std::atomic<bool> stop{false};
  std::vector<std::string> errors;
  std::thread deliverer(
      [&] { dispatcher.Run(stop, [&](const Status& s) { errors.push_back(s.message()); }); });
  std::this_thread::sleep_for(std::chrono::seconds(60));
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries WHERE attempts >= 3 AND "
                  "state = 'pending'"),
            5);  // retried while down, not given up
  ASSERT_TRUE(receiver.Start(port));
  for (int i = 0; i < 600 && Count("SELECT count(*) FROM webhook_deliveries WHERE "
                                   "state = 'delivered'") < 5;
       ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  stop = true;
  deliverer.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'"), 5);
  std::set<std::string> arrived;
  for (const auto& r : receiver.requests()) {
    const std::string id = r.header("vigil-event-id");
    ASSERT_EQ(stored.count(id), 1u) << id;
    EXPECT_EQ(r.body, stored.at(id));
    EXPECT_TRUE(service::VerifyWebhookSignature(kSecret, std::stoll(r.header("vigil-timestamp")),
                                                r.body, r.header("vigil-signature")));
    arrived.insert(id);
  }
  EXPECT_EQ(arrived.size(), 5u);
}

// Two deliverers (two connections, as two `vigil serve` boxes; on PostgreSQL two scanner
// logins) share the outbox: every delivery is sent exactly once.
TEST_P(WebhooksTest, TwoDeliverersNeverSendTheSameDelivery) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  receiver.Delay(milliseconds(5));
  AddEndpoint("all", receiver.Url());
  constexpr int kEvents = 60;
  EnqueueEvents(kEvents);
  Store& one = postgres() ? *P("deliverer1", {"vigil_scanner"}).store : *OpenAnother().release();
  Store& two = postgres() ? *P("deliverer2", {"vigil_scanner"}).store : *OpenAnother().release();
  std::unique_ptr<Store> own_one(postgres() ? nullptr : &one);
  std::unique_ptr<Store> own_two(postgres() ? nullptr : &two);
  WebhookOptions options = Fast();
  options.batch = 4;
  WebhookDispatcher a(one.db(), options);
  WebhookDispatcher b(two.db(), options);
  std::atomic<bool> stop{false};
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  auto on_error = [&](const Status& s) {
    std::lock_guard<std::mutex> lock(errors_mutex);
    errors.push_back(s.message());
  };
  std::thread ta([&] { a.Run(stop, on_error); });
  std::thread tb([&] { b.Run(stop, on_error); });
  for (int i = 0; i < 600 && Count("SELECT count(*) FROM webhook_deliveries WHERE "
                                   "state = 'delivered'") < kEvents;
       ++i) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  stop = true;
  ta.join();
  tb.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  std::map<std::string, int> sent;
  for (const auto& r : receiver.requests()) ++sent[r.header("vigil-event-id")];
  EXPECT_EQ(sent.size(), static_cast<size_t>(kEvents));
  for (const auto& [id, times] : sent) EXPECT_EQ(times, 1) << id;
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered' AND "
                  "attempts = 1"),
            kEvents);
}

VIGIL_ON_BOTH_STORES(WebhooksTest);

}  // namespace
}  // namespace vigil::host
