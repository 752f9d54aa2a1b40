// `vigil exchanges add --feedback` and `vigil exchanges feedback --once` as processes (issue 15
// item 2) against the loopback NCMEC mock: the configuration, a decision made through the
// store's queue, the delivery pass and what it prints.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "store/review_queue.h"
#include "store/store.h"
#include "tests/exchange/mock_ncmec_server.h"

namespace vigil::exchange {
namespace {

namespace fs = std::filesystem;
using testing::MockNcmecServer;

const std::string kVigil = std::string(VIGIL_BINARY_DIR) + "/bin/vigil";

struct Ran {
  int code = -1;
  std::string out;
};

Ran RunVigil(const fs::path& store, const std::string& args) {
  const std::string cmd =
      "USER=tester VIGIL_TEST_FB_NCMEC=vigil-test:s3cret "
      "VIGIL_TEST_FB_STOPNCII=sub-key:fetch-key:feedback-key " +
      kVigil + " --store " + store.string() + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  Ran ran;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) ran.out.append(buf, n);
  const int status = ::pclose(p);
  ran.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return ran;
}

TEST(ExchangeFeedbackProcessTest, ConfiguredQueuedByADecisionAndDeliveredByTheCommand) {
  ASSERT_TRUE(fs::exists(kVigil)) << kVigil;
  const fs::path dir =
      fs::temp_directory_path() / ("vigil-feedback-process-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path store_path = dir / "store.db";
  MockNcmecServer server("vigil-test", "s3cret");
  int64_t item = 0;
  {
    auto store = host::Store::Open(store_path);
    ASSERT_TRUE(store.ok()) << store.status().message();
  }
  Ran ran = RunVigil(store_path, "exchanges add h --kind http --endpoint " + server.base_url() +
                                     "/list.txt --bank hb --feedback");
  EXPECT_EQ(ran.code, 2) << ran.out;
  EXPECT_NE(ran.out.find("ncmec and stopncii exchanges only"), std::string::npos) << ran.out;
  ran = RunVigil(store_path, "exchanges add n --kind ncmec --endpoint " + server.base_url() +
                                 " --bank nb --credentials-env VIGIL_TEST_FB_NCMEC --feedback");
  ASSERT_EQ(ran.code, 0) << ran.out;
  ran = RunVigil(store_path, "exchanges list --json");
  ASSERT_EQ(ran.code, 0) << ran.out;
  EXPECT_EQ(nlohmann::json::parse(ran.out)[0]["feedback"], true) << ran.out;

  {
    auto store = host::Store::Open(store_path);
    ASSERT_TRUE(store.ok()) << store.status().message();
    host::ItemRecord record;
    record.sha256 = "feedback-item";
    record.path = "/items/x";
    record.media_kind = "image";
    record.outcome.disposition = host::Disposition::kReview;
    record.outcome.severity = 3;
    record.outcome.obscure_level = 5;
    record.outcome.rule = "test rule";
    host::DetectorRun run;
    run.detector = "vigil.hash";
    auto* d = run.result.add_detections();
    d->set_label("hash-match");
    d->set_signal_type("md5");
    d->mutable_match()->set_bank("nb");
    d->mutable_match()->set_entry_id("42-image1");
    record.runs.push_back(run);
    auto id = store.value()->RecordItem(record);
    ASSERT_TRUE(id.ok()) << id.status().message();
    item = id.value();
    host::ReviewQueue queue(*store.value());
    host::ClaimOptions only;
    only.only_item = item;
    auto claimed = queue.Claim("alice", only);
    ASSERT_TRUE(claimed.ok() && claimed.value());
    ASSERT_TRUE(queue.Decide(item, "alice", "A1", "").ok());
  }
  EXPECT_TRUE(server.requests().empty()) << "deciding sends nothing itself";

  ran = RunVigil(store_path, "exchanges feedback --once");
  EXPECT_EQ(ran.code, 0) << ran.out;
  EXPECT_NE(ran.out.find("1 delivered, 0 to retry, 0 given up"), std::string::npos) << ran.out;
  EXPECT_NE(ran.out.find("outbox: 0 pending, 1 delivered, 0 given up"), std::string::npos)
      << ran.out;
  int puts = 0;
  for (const auto& r : server.requests()) {
    if (r.method == "PUT") {
      ++puts;
      EXPECT_EQ(r.path, "/entries/1/image1/MD5/feedback");
    }
  }
  EXPECT_EQ(puts, 1);
  ran = RunVigil(store_path, "exchanges feedback --once");
  EXPECT_EQ(ran.code, 0) << ran.out;
  EXPECT_NE(ran.out.find("0 delivered"), std::string::npos) << ran.out;

  // `vigil serve` delivers what a later decision queues, on its exchanges thread.
  {
    auto store = host::Store::Open(store_path);
    ASSERT_TRUE(store.ok()) << store.status().message();
    host::ItemRecord record;
    record.sha256 = "feedback-item-2";
    record.path = "/items/y";
    record.media_kind = "image";
    record.outcome.disposition = host::Disposition::kReview;
    record.outcome.severity = 3;
    record.outcome.obscure_level = 5;
    record.outcome.rule = "test rule";
    host::DetectorRun run;
    run.detector = "vigil.hash";
    auto* d = run.result.add_detections();
    d->set_label("hash-match");
    d->set_signal_type("sha1");
    d->mutable_match()->set_bank("nb");
    d->mutable_match()->set_entry_id("42-image10");
    record.runs.push_back(run);
    auto id = store.value()->RecordItem(record);
    ASSERT_TRUE(id.ok()) << id.status().message();
    host::ReviewQueue queue(*store.value());
    host::ClaimOptions only;
    only.only_item = id.value();
    auto claimed = queue.Claim("alice", only);
    ASSERT_TRUE(claimed.ok() && claimed.value());
    ASSERT_TRUE(queue.Decide(id.value(), "alice", "B1", "").ok());
  }
  const pid_t serve = ::fork();
  if (serve == 0) {
    ::setenv("VIGIL_TEST_FB_NCMEC", "vigil-test:s3cret", 1);
    FILE* null = std::fopen("/dev/null", "w");
    if (null != nullptr) ::dup2(fileno(null), 1);
    ::execl(kVigil.c_str(), kVigil.c_str(), "--store", store_path.c_str(), "serve", "--listen",
            "127.0.0.1:0", "--threads", "1", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(serve, 0);
  bool delivered = false;
  for (int i = 0; i < 600 && !delivered; ++i) {
    for (const auto& r : server.requests()) {
      if (r.method == "PUT" && r.path == "/entries/1/image10/SHA1/feedback") delivered = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(serve, SIGTERM);
  int status = 0;
  ::waitpid(serve, &status, 0);
  EXPECT_TRUE(delivered) << "vigil serve did not deliver the queued vote within 60 s";
  fs::remove_all(dir);
}

// StopNCII end to end through the commands: `add --feedback` accepted, `sync --once` from the
// mock's real sample pages, a decision on an item whose detection names the synced entry (its
// hash value), and `feedback --once` POSTing SubmitFeedback with that hash.
TEST(ExchangeFeedbackProcessTest, StopNciiFeedbackThroughTheCommands) {
  ASSERT_TRUE(fs::exists(kVigil)) << kVigil;
  const fs::path dir =
      fs::temp_directory_path() / ("vigil-feedback-stopncii-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path store_path = dir / "store.db";
  MockNcmecServer server("unused", "unused");
  server.SetStopNcii(MockNcmecServer::StopNciiSampleFeed(), "fetch-key", "sub-key");
  server.SetStopNciiFeedbackKey("feedback-key");
  {
    auto store = host::Store::Open(store_path);
    ASSERT_TRUE(store.ok()) << store.status().message();
  }
  Ran ran = RunVigil(store_path, "exchanges add s --kind stopncii --endpoint " + server.base_url() +
                                     "/v1 --bank sb --credentials-env VIGIL_TEST_FB_STOPNCII "
                                     "--feedback --feedback-negative-reason "
                                     "01234567-abcd-0123-4567-012345678900");
  EXPECT_EQ(ran.code, 2) << ran.out;  // a reason is NCMEC's
  ran =
      RunVigil(store_path, "exchanges add s --kind stopncii --endpoint " + server.base_url() +
                               "/v1 --bank sb --credentials-env VIGIL_TEST_FB_STOPNCII --feedback");
  ASSERT_EQ(ran.code, 0) << ran.out;
  ran = RunVigil(store_path, "exchanges sync s --once");
  ASSERT_EQ(ran.code, 0) << ran.out;
  const std::string hash = "9def0b7dafa86a1c90f2abd78e79ceb25ec3d1a4b3d4bc7a4354baf7717ea038";
  {
    auto store = host::Store::Open(store_path);
    ASSERT_TRUE(store.ok()) << store.status().message();
    host::ItemRecord record;
    record.sha256 = "stopncii-item";
    record.path = "/items/s";
    record.media_kind = "image";
    record.outcome.disposition = host::Disposition::kReview;
    record.outcome.severity = 3;
    record.outcome.obscure_level = 5;
    record.outcome.rule = "test rule";
    host::DetectorRun run;
    run.detector = "vigil.hash";
    auto* d = run.result.add_detections();
    d->set_label("hash-match");
    d->set_signal_type("pdq");
    d->mutable_match()->set_bank("sb");
    d->mutable_match()->set_entry_id(hash);
    record.runs.push_back(run);
    auto id = store.value()->RecordItem(record);
    ASSERT_TRUE(id.ok()) << id.status().message();
    host::ReviewQueue queue(*store.value());
    host::ClaimOptions only;
    only.only_item = id.value();
    auto claimed = queue.Claim("alice", only);
    ASSERT_TRUE(claimed.ok() && claimed.value());
    ASSERT_TRUE(queue.Decide(id.value(), "alice", "not-illegal", "not NCII").ok());
  }
  ran = RunVigil(store_path, "exchanges feedback --once");
  EXPECT_EQ(ran.code, 0) << ran.out;
  EXPECT_NE(ran.out.find("1 delivered, 0 to retry, 0 given up"), std::string::npos) << ran.out;
  int posts = 0;
  for (const auto& r : server.requests()) {
    if (r.method != "POST") continue;
    ++posts;
    EXPECT_EQ(r.path, "/v1/SubmitFeedback");
    EXPECT_EQ(r.headers.at("x-functions-key"), "feedback-key");
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_EQ(body["count"], 1);
    EXPECT_EQ(body["hashFeedbacks"][0]["hashValue"], hash);
    EXPECT_EQ(body["hashFeedbacks"][0]["feedbackValue"], "NotBlocked");
  }
  EXPECT_EQ(posts, 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil::exchange
