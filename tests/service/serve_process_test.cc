// `vigil serve` as a process (issue 14): tokens made with `vigil tokens`, revocation seen
// by the running server, SIGTERM stops it cleanly, a submission scanned by the server's
// scan loop and its result read back, a damaged spool file failed with its reason, and the
// "Done when": `kill -9` during a burst of 2,000 submissions (while the scan loop records
// them), and after the restart every submission answered 202 is recorded, none twice.
#include "tests/service/serve_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "scan/sha256.h"
#include "service/webhook_signature.h"
#include "store/store.h"
#include "store/webhook_outbox.h"
#include "tests/service/http_client.h"
#include "tests/unit/host/webhook_receiver.h"

namespace vigil::service {
namespace {

using testing::Fetch;

using testing::CreateToken;
using testing::kVigilBinary;
using testing::RunVigil;
using testing::ServeProcess;
using testing::StartServe;
using testing::WaitExit;

class ServeProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kVigilBinary)) << kVigilBinary;
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-serve-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = dir_ / "store.db";
  }
  void TearDown() override {
    // A server a failed assertion left running (its exit status no longer matters).
    for (pid_t pid : started_) {
      if (::kill(pid, SIGKILL) == 0) ::waitpid(pid, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }
  ServeProcess Start() {
    ServeProcess p = StartServe(store_);
    started_.push_back(p.pid);
    return p;
  }
  std::vector<pid_t> started_;
  std::string MakeToken(const std::string& name, const std::string& scopes) {
    return CreateToken(store_, name, scopes);
  }
  // Waits until the spool holds no submission (the scan loop recorded them all).
  bool WaitForEmptySpool(int seconds) {
    for (int i = 0; i < seconds * 10; ++i) {
      bool empty = true;
      for (const auto& e : std::filesystem::directory_iterator(dir_ / "spool")) {
        if (e.path().extension() == ".sub") empty = false;
      }
      if (empty) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  std::filesystem::path dir_;
  std::filesystem::path store_;
};

TEST_F(ServeProcessTest, TokensScopesRevocationAndCleanStop) {
  const std::string submit = MakeToken("uploader", "submit");
  const std::string match = MakeToken("matcher", "match");
  int made = 0;
  std::string limited_out =
      RunVigil(store_, "tokens create --json --name limited --scope match --rate 0.01", &made);
  ASSERT_EQ(made, 0) << limited_out;
  const std::string limited = nlohmann::json::parse(limited_out)["token"];
  ServeProcess serve = Start();
  ASSERT_GT(serve.port, 0);
  EXPECT_EQ(Fetch(serve.port, "GET", "/healthz").status, 200);
  EXPECT_EQ(Fetch(serve.port, "GET", "/readyz").status, 200);
  auto doc = Fetch(serve.port, "GET", "/openapi.json");
  EXPECT_EQ(doc.status, 200);
  EXPECT_TRUE(nlohmann::json::parse(doc.body, nullptr, false).contains("paths"));

  auto accepted = Fetch(serve.port, "POST", "/v1/items", "bytes", submit);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(Fetch(serve.port, "POST", "/v1/items", "bytes", match).status, 403);
  EXPECT_EQ(Fetch(serve.port, "POST", "/v1/items", "bytes", "vgl_" + std::string(64, '0')).status,
            401);
  EXPECT_EQ(
      Fetch(serve.port, "POST", "/v1/items", "{", submit, {{"Content-Type", "application/json"}})
          .status,
      400);

  // --rate 0.01: one request, then 429 with the wait (100 s) in Retry-After.
  EXPECT_EQ(Fetch(serve.port, "POST", "/v1/hash", "bytes", limited).status, 200);
  auto over = Fetch(serve.port, "POST", "/v1/hash", "bytes", limited);
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_FALSE(over.headers["retry-after"].empty());
  EXPECT_EQ(Fetch(serve.port, "POST", "/v1/hash", "bytes", match).status, 200);

  // Revoked on the command line, refused by the running server shortly after.
  int rc = 0;
  RunVigil(store_, "tokens revoke uploader", &rc);
  ASSERT_EQ(rc, 0);
  int status = 0;
  for (int i = 0; i < 100; ++i) {  // up to 10 s: the cache lives 1 s
    status = Fetch(serve.port, "POST", "/v1/items", "bytes", submit).status;
    if (status == 401) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 401);

  auto metrics = Fetch(serve.port, "GET", "/metrics");
  EXPECT_NE(metrics.body.find("vigil_submissions_accepted_total"), std::string::npos);
  ::kill(serve.pid, SIGTERM);
  EXPECT_EQ(WaitExit(serve.pid), 0);
  // The audit log holds every submission and still verifies.
  std::string verify = RunVigil(store_, "audit verify", &rc);
  EXPECT_EQ(rc, 0) << verify;
}

TEST_F(ServeProcessTest, KillDashNineDuringABurstLosesNoAcceptedSubmission) {
  const std::string token = MakeToken("burst", "submit");
  ServeProcess serve = Start();
  ASSERT_GT(serve.port, 0);
  constexpr int kTotal = 2000;
  std::atomic<int> next{0};
  std::mutex mutex;
  std::set<std::string> accepted;
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      for (int i = next.fetch_add(1); i < kTotal; i = next.fetch_add(1)) {
        auto r = Fetch(serve.port, "POST", "/v1/items", "item " + std::to_string(i), token,
                       {{"X-Vigil-Name", "i" + std::to_string(i)}});
        if (r.status == 202) {
          std::lock_guard<std::mutex> lock(mutex);
          accepted.insert(nlohmann::json::parse(r.body)["id"].get<std::string>());
        }
        answered.fetch_add(1);
      }
    });
  }
  // Killed mid-burst (after some answers, not after all).
  while (answered.load() < 300) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ::kill(serve.pid, SIGKILL);
  WaitExit(serve.pid);
  for (auto& c : clients) c.join();
  ASSERT_GE(accepted.size(), 300u);
  ASSERT_LT(accepted.size(), static_cast<size_t>(kTotal)) << "the kill came after the burst";

  // Restart: the scan loop records what the spool still holds (files whose submission was
  // recorded but not yet removed are recorded as nothing new).
  ServeProcess again = Start();
  ASSERT_GT(again.port, 0);
  EXPECT_EQ(Fetch(again.port, "GET", "/readyz").status, 200);
  ASSERT_TRUE(WaitForEmptySpool(600)) << "the spool was not emptied";
  ::kill(again.pid, SIGTERM);
  EXPECT_EQ(WaitExit(again.pid), 0);

  auto store = host::Store::Open(store_);
  ASSERT_TRUE(store.ok()) << store.status().message();
  host::Database& db = store.value()->db();
  for (const std::string& id : accepted) {
    host::Statement row(db, "SELECT status, item_id FROM submissions WHERE id = ?1");
    row.Bind(1, id);
    ASSERT_EQ(row.Step(), host::kRow) << id << " was lost";
    EXPECT_EQ(row.ColumnText(0), "done") << id;
    EXPECT_GT(row.ColumnInt(1), 0) << id;
  }
  // Each submission's bytes are distinct: one item each, scanned once (one audit entry).
  host::Statement counts(db,
                         "SELECT count(*), count(DISTINCT item_id) FROM submissions "
                         "WHERE status = 'done'");
  ASSERT_EQ(counts.Step(), host::kRow);
  const int64_t done = counts.ColumnInt(0);
  EXPECT_GE(done, static_cast<int64_t>(accepted.size()));
  EXPECT_EQ(counts.ColumnInt(1), done);
  host::Statement items(db, "SELECT count(*) FROM items");
  ASSERT_EQ(items.Step(), host::kRow);
  EXPECT_EQ(items.ColumnInt(0), done);
  host::Statement twice(db,
                        "SELECT item_id, count(*) FROM audit_log WHERE action = 'item.scanned' "
                        "GROUP BY item_id HAVING count(*) > 1");
  EXPECT_EQ(twice.Step(), host::kDone)
      << "item " << twice.ColumnInt(0) << " recorded " << twice.ColumnInt(1) << " times";
}

TEST_F(ServeProcessTest, ScansSubmissionsAndAnswersTheirResult) {
  const std::string token = MakeToken("platform", "submit");
  // A damaged file left in the spool (by a disk fault, say): failed with the reason, kept.
  const std::string damaged_id = "sub-" + std::string(32, 'd');
  std::filesystem::create_directories(dir_ / "spool");
  std::ofstream(dir_ / "spool" / (damaged_id + ".sub")) << "VIGILSUB1\nnot json\n";
  ServeProcess serve = Start();
  ASSERT_GT(serve.port, 0);

  const std::string bytes = "a platform's upload, plain text";
  auto posted = Fetch(serve.port, "POST", "/v1/items", bytes, token,
                      {{"X-Vigil-Name", "upload.txt"}, {"X-Vigil-Uploader", "user-7"}});
  ASSERT_EQ(posted.status, 202) << posted.body;
  const std::string id = nlohmann::json::parse(posted.body)["id"];
  nlohmann::json status;
  for (int i = 0; i < 600; ++i) {
    auto got = Fetch(serve.port, "GET", "/v1/items/" + id, "", token);
    ASSERT_EQ(got.status, 200) << got.body;
    status = nlohmann::json::parse(got.body);
    if (status["status"] != "accepted") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(status["status"], "done") << status.dump();
  ASSERT_TRUE(status.contains("result")) << status.dump();
  EXPECT_EQ(status["result"]["sha256"], host::Sha256Hex(bytes));
  EXPECT_EQ(status["result"]["size"], bytes.size());
  EXPECT_TRUE(status["result"]["outcome"].is_string()) << status.dump();
  EXPECT_TRUE(status["result"]["detections"].is_array()) << status.dump();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "spool" / (id + ".sub")));

  auto damaged = Fetch(serve.port, "GET", "/v1/items/" + damaged_id, "", token);
  ASSERT_EQ(damaged.status, 200) << damaged.body;
  EXPECT_EQ(nlohmann::json::parse(damaged.body)["status"], "failed") << damaged.body;
  EXPECT_NE(damaged.body.find("damaged"), std::string::npos) << damaged.body;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "spool-damaged" / (damaged_id + ".sub")));
  EXPECT_EQ(Fetch(serve.port, "GET", "/v1/items/sub-" + std::string(32, 'e'), "", token).status,
            404);
  ::kill(serve.pid, SIGTERM);
  EXPECT_EQ(WaitExit(serve.pid), 0);
}

TEST_F(ServeProcessTest, DeliversTheWebhookOutboxUnlessTold) {
  vigil::testing::WebhookReceiver receiver;
  ASSERT_TRUE(receiver.Start());
  const std::string secret = "a-secret-of-enough-length";
  std::ofstream(dir_ / "hook.secret") << secret << "\n";
  ASSERT_TRUE(host::Store::Open(store_).ok());  // `vigil webhooks` needs a store
  int rc = 0;
  std::string added = RunVigil(
      store_,
      "webhooks add hook " + receiver.Url() + " --secret-file " + (dir_ / "hook.secret").string(),
      &rc);
  ASSERT_EQ(rc, 0) << added;
  {
    auto store = host::Store::Open(store_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    host::Transaction tx(store.value()->db());
    ASSERT_TRUE(tx.Begin().ok());
    ASSERT_TRUE(host::EnqueueEvent(store.value()->db(), "item.decided", "test cause 1",
                                   {{"decision", "confirmed"}})
                    .ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  // --no-webhooks: another process delivers; this one sends nothing.
  ServeProcess quiet = StartServe(store_, {"--no-webhooks"});
  started_.push_back(quiet.pid);
  ASSERT_GT(quiet.port, 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_TRUE(receiver.requests().empty());
  ::kill(quiet.pid, SIGTERM);
  EXPECT_EQ(WaitExit(quiet.pid), 0);

  ServeProcess serve = Start();
  ASSERT_GT(serve.port, 0);
  std::vector<vigil::testing::WebhookReceiver::Request> got;
  for (int i = 0; i < 300 && got.empty(); ++i) {
    got = receiver.requests();
    if (got.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].body.find("item.decided"), std::string::npos) << got[0].body;
  EXPECT_TRUE(VerifyWebhookSignature(secret, std::stoll(got[0].header("vigil-timestamp")),
                                     got[0].body, got[0].header("vigil-signature")))
      << got[0].header("vigil-signature");
  ::kill(serve.pid, SIGTERM);
  EXPECT_EQ(WaitExit(serve.pid), 0);
}

// The scan loop's plugins read the banks when they load: a bank imported while the
// server runs reaches what it scans (the session is opened again), not only POST /v1/match.
TEST_F(ServeProcessTest, TheScanLoopMatchesABankImportedWhileServing) {
  const std::string token = MakeToken("platform", "submit");
  ServeProcess serve = Start();
  ASSERT_GT(serve.port, 0);
  auto result_of = [&](const std::string& bytes) {
    auto posted = Fetch(serve.port, "POST", "/v1/items", bytes, token);
    EXPECT_EQ(posted.status, 202) << posted.body;
    const std::string id = nlohmann::json::parse(posted.body, nullptr, false).value("id", "");
    nlohmann::json status;
    for (int i = 0; i < 600; ++i) {
      status = nlohmann::json::parse(Fetch(serve.port, "GET", "/v1/items/" + id, "", token).body,
                                     nullptr, false);
      if (status.value("status", "") != "accepted") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(status.value("status", ""), "done") << status.dump();
    return status["result"];
  };
  const std::string listed = "an upload someone listed (test data)";
  nlohmann::json before = result_of(listed);
  EXPECT_TRUE(before["detections"].empty()) << before.dump();

  const auto list = dir_ / "list.txt";
  std::ofstream(list) << host::Sha256Hex(listed) << "\n";
  int rc = 0;
  std::string out = RunVigil(
      store_, "lists import --format plain --type sha256 --bank listed " + list.string(), &rc);
  ASSERT_EQ(rc, 0) << out;
  // The same bytes again are one item, already scanned: the new bank shows on new bytes
  // with the same digest only; so list a second upload too and send that.
  const std::string second = "a second listed upload (test data)";
  std::ofstream(list) << host::Sha256Hex(second) << "\n";
  out = RunVigil(store_, "lists import --format plain --type sha256 --bank listed " + list.string(),
                 &rc);
  ASSERT_EQ(rc, 0) << out;
  // Until the server's watcher has seen the change (it polls every second).
  for (int i = 0; i < 100; ++i) {
    auto metrics = Fetch(serve.port, "GET", "/metrics");
    if (metrics.body.find("vigil_bank_entries{bank=\"listed\"} 2") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  nlohmann::json after = result_of(second);
  bool matched = false;
  for (const auto& d : after["detections"]) matched = matched || d.value("bank", "") == "listed";
  EXPECT_TRUE(matched) << after.dump();
  ::kill(serve.pid, SIGTERM);
  EXPECT_EQ(WaitExit(serve.pid), 0);
}

// Issue 15 item 1: `vigil serve` syncs the enabled exchanges on their interval (a folder
// exchange here), and what a sync writes is matched without a restart; --no-exchanges
// leaves the syncing to another process.
TEST_F(ServeProcessTest, SyncsTheExchangesOnTheirInterval) {
  ASSERT_TRUE(host::Store::Open(store_).ok());
  const auto feed = dir_ / "feed";
  std::filesystem::create_directories(feed);
  std::ofstream(feed / "001.txt") << "sha256 " << host::Sha256Hex("first listed (test data)")
                                  << "\n";
  int rc = 0;
  std::string out = RunVigil(
      store_,
      "exchanges add feed --kind folder --endpoint " + feed.string() + " --bank feed --interval 1",
      &rc);
  ASSERT_EQ(rc, 0) << out;
  auto entries = [](uint16_t port) {
    const std::string metrics = Fetch(port, "GET", "/metrics").body;
    const std::string key = "vigil_bank_entries{bank=\"feed\"} ";
    const size_t at = metrics.find(key);
    return at == std::string::npos ? -1 : std::atoi(metrics.c_str() + at + key.size());
  };
  auto wait_entries = [&](uint16_t port, int want) {
    for (int i = 0; i < 150; ++i) {
      if (entries(port) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };

  ServeProcess quiet = StartServe(store_, {"--no-exchanges"});
  started_.push_back(quiet.pid);
  ASSERT_GT(quiet.port, 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(entries(quiet.port), -1) << "synced with --no-exchanges";
  ::kill(quiet.pid, SIGTERM);
  EXPECT_EQ(WaitExit(quiet.pid), 0);

  ServeProcess serve = Start();
  ASSERT_GT(serve.port, 0);
  EXPECT_TRUE(wait_entries(serve.port, 1)) << "the first sync did not reach the banks";
  // A new page in the feed: the next sync (1 s later) adds it.
  std::ofstream(feed / "002.txt") << "sha256 " << host::Sha256Hex("second listed (test data)")
                                  << "\n";
  EXPECT_TRUE(wait_entries(serve.port, 2)) << "the next sync did not reach the banks";
  ::kill(serve.pid, SIGTERM);
  EXPECT_EQ(WaitExit(serve.pid), 0);
  out = RunVigil(store_, "exchanges status", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("feed"), std::string::npos) << out;
}

}  // namespace
}  // namespace vigil::service
