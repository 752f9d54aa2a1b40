// `vigil worker` against real servers (the `nats` and `postgres` fixtures), as real
// processes (issue 14 item 4 and its "Done when"):
//   - kill -9 of a worker mid-item: the item is redelivered to another worker and recorded
//     exactly once (one item row, the submission done once);
//   - a duplicate publish (same id) is recorded once;
//   - a malformed message is recorded failed with the reason, never dropped;
//   - SIGTERM lets a worker finish and leave (exit 0);
//   - `vigil serve --nats`: what a platform POSTs reaches the workers through JetStream,
//     and GET /v1/items/{id} on the server answers with what a worker recorded.
// The workers use the default stream names, so these tests run alone (RUN_SERIAL) and
// delete the streams first.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "../postgres/pg_test_server.h"
#include "fleet/fleet_consumer.h"
#include "fleet/jetstream.h"
#include "fleet/jetstream_sink.h"
#include "nats_test_server.h"
#include "scan/sha256.h"
#include "store/store.h"
#include "store/submissions.h"
#include "tests/service/http_client.h"

namespace vigil::host::testing {
namespace {

namespace fs = std::filesystem;
using fleet::JetStreamConnection;
using fleet::JetStreamSink;

class WorkerFleetTest : public PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    auto nats_state = fleet::testing::ReadNatsState(
        fleet::testing::NatsStatePath("VIGIL_NATS_STATE", VIGIL_BINARY_DIR "/nats.env"));
    nats_url_ = nats_state["VIGIL_NATS_URL"];
    ASSERT_FALSE(nats_url_.empty())
        << "no NATS test server: run through ctest (the `nats` fixture) or "
           "bash scripts/nats.sh start";
    auto probe = JetStreamConnection::Connect(nats_url_, "worker test");
    ASSERT_TRUE(probe.ok()) << probe.status().message();
    probe_ = std::move(probe).value();
    fleet::FleetNames names;
    for (const std::string& stream : {names.work_stream, names.chunk_stream}) {
      jsErrCode error = static_cast<jsErrCode>(0);
      js_DeleteStream(probe_->js(), stream.c_str(), nullptr, &error);
    }
    scratch_ = fs::temp_directory_path() / ("vigil-worker-test-" + std::to_string(getpid()));
    fs::remove_all(scratch_);
    fs::create_directories(scratch_);
    {
      std::ofstream key(scratch_ / "media.key", std::ios::binary);
      key << std::string(32, 'k');
    }
    fs::permissions(scratch_ / "media.key", fs::perms::owner_read | fs::perms::owner_write);
    std::ofstream(scratch_ / "org.toml") << "[store]\nmedia_key_file = \"media.key\"\n";
    auto made = Store::Open(url_);  // the team store's schema, by the superuser
    ASSERT_TRUE(made.ok()) << made.status().message();
    auto sink = JetStreamSink::Open(nats_url_);
    ASSERT_TRUE(sink.ok()) << sink.status().message();
    sink_ = std::move(sink).value();
  }
  void TearDown() override {
    for (pid_t pid : pids_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    std::error_code ignored;
    fs::remove_all(scratch_, ignored);
    PgTestServer::TearDown();
  }

  // Starts `vigil ... worker --nats URL <extra>` with the slow test plugin; its pid.
  pid_t StartWorker(const std::string& log, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {VIGIL_BINARY_DIR "/bin/vigil",
                                     "--developer-mode",
                                     "--plugin-dir",
                                     VIGIL_TEST_PLUGIN_DIR "/fleet",
                                     "--config",
                                     (scratch_ / "org.toml").string(),
                                     "--store",
                                     url_,
                                     "worker",
                                     "--nats",
                                     nats_url_,
                                     "--threads",
                                     "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string log_path = (scratch_ / log).string();
    pid_t pid = fork();
    if (pid == 0) {
      std::freopen(log_path.c_str(), "w", stdout);
      std::freopen(log_path.c_str(), "a", stderr);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    pids_.push_back(pid);
    return pid;
  }
  // Waits for a worker to exit; its exit status (-1 when it did not exit in time).
  int WaitExit(pid_t pid, int seconds) {
    for (int i = 0; i < seconds * 10; ++i) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pids_.erase(std::remove(pids_.begin(), pids_.end(), pid), pids_.end());
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }
  std::string Log(const std::string& name) {
    std::ifstream in(scratch_ / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  service::Submission Make(const std::string& id, const std::string& bytes) {
    service::Submission s;
    s.id = id;
    s.name = id + ".bin";
    s.uploader_id = "uploader-9";
    s.source = "api";
    s.received_unix_ms = 1765000000000;
    s.bytes = bytes;
    return s;
  }
  std::optional<SubmissionRecord> Find(Database& db, const std::string& id) {
    auto found = FindSubmission(db, id);
    EXPECT_TRUE(found.ok()) << found.status().message();
    return found.ok() ? found.value() : std::nullopt;
  }
  // Polls until every id is finished (done or failed) or `seconds` pass.
  bool WaitFinished(Database& db, const std::vector<std::string>& ids, int seconds) {
    for (int i = 0; i < seconds * 5; ++i) {
      bool all = true;
      for (const std::string& id : ids) {
        auto record = Find(db, id);
        if (!record || (record->status != "done" && record->status != "failed")) all = false;
      }
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }
  // The durable consumer's counts: ack pending, deliveries made (redeliveries included).
  std::pair<int64_t, int64_t> ConsumerCounts() {
    jsConsumerInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    fleet::FleetNames names;
    if (js_GetConsumerInfo(&info, probe_->js(), names.work_stream.c_str(), "vigil-workers", nullptr,
                           &error) != NATS_OK) {
      return {-1, -1};
    }
    std::pair<int64_t, int64_t> out{info->NumAckPending,
                                    static_cast<int64_t>(info->Delivered.Consumer)};
    jsConsumerInfo_Destroy(info);
    return out;
  }

  std::string nats_url_;
  std::unique_ptr<JetStreamConnection> probe_;
  std::unique_ptr<JetStreamSink> sink_;
  fs::path scratch_;
  std::vector<pid_t> pids_;
};

TEST_F(WorkerFleetTest, AWorkerKilledMidItemLeavesItToAnotherRecordedExactlyOnce) {
  ASSERT_TRUE(sink_->Submit(Make("sub-slowA", "slow6 item A")).ok());
  ASSERT_TRUE(sink_->Submit(Make("sub-B", "item B")).ok());
  ASSERT_TRUE(sink_->Submit(Make("sub-C", "item C")).ok());
  auto db = Connect("postgres");
  ASSERT_NE(db, nullptr);

  pid_t first = StartWorker("first.log", {"--ack-wait", "2", "--batch", "1"});
  // The first worker has the slow item in hand once the consumer shows one ack pending.
  bool in_hand = false;
  for (int i = 0; i < 600 && !in_hand; ++i) {
    in_hand = ConsumerCounts().first == 1;
    if (!in_hand) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(in_hand) << Log("first.log");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  ASSERT_EQ(kill(first, SIGKILL), 0);
  ASSERT_EQ(WaitExit(first, 10), 128 + SIGKILL);
  auto a = Find(*db, "sub-slowA");
  EXPECT_TRUE(!a || a->status != "done") << "the killed worker cannot have recorded it";

  pid_t second = StartWorker("second.log", {"--ack-wait", "2", "--batch", "2"});
  ASSERT_TRUE(WaitFinished(*db, {"sub-slowA", "sub-B", "sub-C"}, 120)) << Log("second.log");
  ASSERT_EQ(kill(second, SIGTERM), 0);
  EXPECT_EQ(WaitExit(second, 60), 0) << Log("second.log");

  std::set<std::string> item_ids;
  for (const char* id : {"sub-slowA", "sub-B", "sub-C"}) {
    auto record = Find(*db, id);
    ASSERT_TRUE(record.has_value()) << id;
    EXPECT_EQ(record->status, "done") << id << ": " << record->reason;
    EXPECT_GT(record->item_id, 0) << id;
    item_ids.insert(std::to_string(record->item_id));
  }
  EXPECT_EQ(item_ids.size(), 3u);
  EXPECT_EQ(Scalar(*db, "SELECT count(*) FROM items"), "3") << "an item recorded twice";
  // Three submissions, delivered four times or more: the slow one again after the kill.
  EXPECT_GE(ConsumerCounts().second, 4) << "the slow item was never redelivered";
  EXPECT_EQ(ConsumerCounts().first, 0);
}

// SIGTERM while an item is in hand: the worker finishes it (recorded, acked) and exits 0;
// nothing is left for another worker.
TEST_F(WorkerFleetTest, SigtermFinishesTheItemInHandThenLeaves) {
  ASSERT_TRUE(sink_->Submit(Make("sub-slowT", "slow3 item T")).ok());
  pid_t worker = StartWorker("term.log", {"--ack-wait", "10", "--batch", "1"});
  bool in_hand = false;
  for (int i = 0; i < 600 && !in_hand; ++i) {
    in_hand = ConsumerCounts().first == 1;
    if (!in_hand) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(in_hand) << Log("term.log");
  ASSERT_EQ(kill(worker, SIGTERM), 0);
  EXPECT_EQ(WaitExit(worker, 60), 0) << Log("term.log");
  auto db = Connect("postgres");
  ASSERT_NE(db, nullptr);
  auto record = Find(*db, "sub-slowT");
  ASSERT_TRUE(record.has_value()) << Log("term.log");
  EXPECT_EQ(record->status, "done") << Log("term.log");
  EXPECT_EQ(ConsumerCounts().first, 0) << "left unacked";
  EXPECT_NE(Log("term.log").find("1 recorded, 0 failed; stopped"), std::string::npos)
      << Log("term.log");
}

TEST_F(WorkerFleetTest, DuplicatesAreRecordedOnceAndMalformedMessagesFailWithTheirReason) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sink_->Submit(Make("sub-twice", "twice")).ok());
  ASSERT_TRUE(sink_->Submit(Make("sub-big", std::string(3u << 20, 'b'))).ok());
  fleet::FleetNames names;
  const std::string garbage = "\x12\x03not a head";
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MsgId = "sub-garbled";
  jsErrCode error = static_cast<jsErrCode>(0);
  ASSERT_EQ(js_Publish(nullptr, probe_->js(), names.work_subject.c_str(), garbage.data(),
                       static_cast<int>(garbage.size()), &options, &error),
            NATS_OK);
  pid_t worker = StartWorker("once.log", {"--once"});
  EXPECT_EQ(WaitExit(worker, 120), 0) << Log("once.log");
  auto db = Connect("postgres");
  ASSERT_NE(db, nullptr);
  auto twice = Find(*db, "sub-twice");
  ASSERT_TRUE(twice.has_value()) << Log("once.log");
  EXPECT_EQ(twice->status, "done");
  auto big = Find(*db, "sub-big");
  ASSERT_TRUE(big.has_value()) << Log("once.log");
  EXPECT_EQ(big->status, "done");
  auto garbled = Find(*db, "sub-garbled");
  ASSERT_TRUE(garbled.has_value()) << Log("once.log");
  EXPECT_EQ(garbled->status, "failed");
  EXPECT_NE(garbled->reason.find("malformed message"), std::string::npos) << garbled->reason;
  EXPECT_EQ(Scalar(*db, "SELECT count(*) FROM items"), "2");
  EXPECT_EQ(Scalar(*db, "SELECT count(*) FROM submissions"), "3");
  EXPECT_NE(Log("once.log").find("sub-garbled failed: malformed message"), std::string::npos);
}

TEST_F(WorkerFleetTest, BadArgumentsAreOneLineErrors) {
  pid_t no_nats = fork();
  if (no_nats == 0) {
    std::freopen((scratch_ / "bad.log").string().c_str(), "w", stderr);
    execl(VIGIL_BINARY_DIR "/bin/vigil", "vigil", "--store", url_.c_str(), "worker",
          "--max-deliver", "0", "--nats", nats_url_.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  pids_.push_back(no_nats);
  EXPECT_EQ(WaitExit(no_nats, 30), 2);
  EXPECT_NE(Log("bad.log").find("--max-deliver must be between 1 and 100"), std::string::npos)
      << Log("bad.log");
  pid_t bad_url = fork();
  if (bad_url == 0) {
    std::freopen((scratch_ / "url.log").string().c_str(), "w", stderr);
    execl(VIGIL_BINARY_DIR "/bin/vigil", "vigil", "--developer-mode", "--plugin-dir",
          VIGIL_TEST_PLUGIN_DIR "/fleet", "--config", (scratch_ / "org.toml").c_str(), "--store",
          url_.c_str(), "worker", "--nats", "http://127.0.0.1:1", static_cast<char*>(nullptr));
    _exit(127);
  }
  pids_.push_back(bad_url);
  EXPECT_EQ(WaitExit(bad_url, 60), 1);
  EXPECT_NE(Log("url.log").find("not a NATS URL"), std::string::npos) << Log("url.log");
}

TEST_F(WorkerFleetTest, ServeWithNatsHandsSubmissionsToTheFleet) {
  // A submit token on the team store, made the way an operator makes one.
  const std::string token_log = (scratch_ / "token.json").string();
  const std::string make_token = std::string(VIGIL_BINARY_DIR "/bin/vigil --store '") + url_ +
                                 "' tokens create --json --name platform --scope submit > " +
                                 token_log + " 2>&1";
  ASSERT_EQ(std::system(make_token.c_str()), 0) << Log("token.json");
  const std::string token =
      nlohmann::json::parse(Log("token.json"), nullptr, false).value("token", "");
  ASSERT_FALSE(token.empty()) << Log("token.json");

  const std::string serve_log = (scratch_ / "serve.log").string();
  pid_t serve = fork();
  if (serve == 0) {
    std::freopen(serve_log.c_str(), "w", stdout);
    std::freopen(serve_log.c_str(), "a", stderr);
    execl(VIGIL_BINARY_DIR "/bin/vigil", "vigil", "--config", (scratch_ / "org.toml").c_str(),
          "--store", url_.c_str(), "serve", "--listen", "127.0.0.1:0", "--nats", nats_url_.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  pids_.push_back(serve);
  uint16_t port = 0;
  for (int i = 0; i < 300 && port == 0; ++i) {
    const std::string log = Log("serve.log");
    const size_t at = log.find("127.0.0.1:");
    if (at != std::string::npos) port = static_cast<uint16_t>(std::atoi(log.c_str() + at + 10));
    if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GT(port, 0) << Log("serve.log");
  EXPECT_NE(Log("serve.log").find("submissions to the fleet"), std::string::npos)
      << Log("serve.log");

  // Two small items and one larger than a chunk (it travels in pieces).
  const std::vector<std::string> bodies = {"fleet item one", "fleet item two",
                                           std::string(700 * 1024, 'z')};
  std::vector<std::string> ids;
  for (const std::string& body : bodies) {
    auto posted = service::testing::Fetch(port, "POST", "/v1/items", body, token);
    ASSERT_EQ(posted.status, 202) << posted.body;
    ids.push_back(nlohmann::json::parse(posted.body)["id"]);
  }
  // Accepted in the team store before any worker has run.
  auto first = service::testing::Fetch(port, "GET", "/v1/items/" + ids[0], "", token);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(nlohmann::json::parse(first.body)["status"], "accepted") << first.body;

  pid_t worker = StartWorker("fleet.log", {"--once"});
  EXPECT_EQ(WaitExit(worker, 300), 0) << Log("fleet.log");
  for (size_t i = 0; i < ids.size(); ++i) {
    auto got = service::testing::Fetch(port, "GET", "/v1/items/" + ids[i], "", token);
    ASSERT_EQ(got.status, 200) << got.body;
    nlohmann::json status = nlohmann::json::parse(got.body);
    EXPECT_EQ(status["status"], "done") << got.body << Log("fleet.log");
    EXPECT_EQ(status["result"]["sha256"], Sha256Hex(bodies[i])) << got.body;
  }
  ASSERT_EQ(kill(serve, SIGTERM), 0);
  EXPECT_EQ(WaitExit(serve, 30), 0) << Log("serve.log");
}

}  // namespace
}  // namespace vigil::host::testing
