// `vigil serve` as a process (issue 14): tokens made with `vigil tokens`, revocation seen
// by the running server, SIGTERM stops it cleanly, and the "Done when" durability half
// that the spool owns: `kill -9` during a burst of 2,000 submissions, and every
// submission answered 202 is in the spool, whole, after the restart.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "service/spool_sink.h"
#include "tests/service/http_client.h"

namespace vigil::service {
namespace {

using testing::Fetch;

const std::string kVigil = std::string(VIGIL_BINARY_DIR) + "/bin/vigil";

// Runs `vigil --store STORE args...`; its standard output.
std::string RunVigil(const std::filesystem::path& store, const std::string& args, int* rc) {
  std::string cmd = "USER=tester " + kVigil + " --store " + store.string() + " " + args;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

struct ServeProcess {
  pid_t pid = -1;
  uint16_t port = 0;
};

// Starts `vigil serve --listen 127.0.0.1:0` and reads the port from its first line.
ServeProcess StartServe(const std::filesystem::path& store) {
  int out[2];
  EXPECT_EQ(::pipe(out), 0);
  ServeProcess p;
  p.pid = ::fork();
  if (p.pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    ::execl(kVigil.c_str(), kVigil.c_str(), "--store", store.c_str(), "serve", "--listen",
            "127.0.0.1:0", "--threads", "2", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out[0]);
  size_t at = line.find("127.0.0.1:");
  EXPECT_NE(at, std::string::npos) << "vigil serve said: " << line;
  if (at != std::string::npos) p.port = static_cast<uint16_t>(std::atoi(line.c_str() + at + 10));
  return p;
}

int WaitExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

class ServeProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kVigil)) << kVigil;
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-serve-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = dir_ / "store.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string MakeToken(const std::string& name, const std::string& scopes) {
    int rc = 0;
    std::string out =
        RunVigil(store_, "tokens create --json --name " + name + " --scope " + scopes, &rc);
    EXPECT_EQ(rc, 0) << out;
    return nlohmann::json::parse(out, nullptr, false).value("token", "");
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
  ServeProcess serve = StartServe(store_);
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
  ServeProcess serve = StartServe(store_);
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

  // Restart: torn files are gone, every accepted submission is whole in the spool.
  ServeProcess again = StartServe(store_);
  ASSERT_GT(again.port, 0);
  EXPECT_EQ(Fetch(again.port, "GET", "/readyz").status, 200);
  std::set<std::string> spooled;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "spool")) {
    EXPECT_EQ(e.path().extension(), ".sub") << e.path();
    auto s = SpoolSink::Read(e.path());
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_EQ(s.value().bytes, "item " + s.value().name.substr(1));
    spooled.insert(s.value().id);
  }
  for (const std::string& id : accepted) EXPECT_EQ(spooled.count(id), 1u) << id << " was lost";
  for (const std::string& id : accepted) {
    EXPECT_EQ(Fetch(again.port, "GET", "/v1/items/" + id, "", token).status, 200);
    break;  // one through the API is enough; the files were checked above
  }
  ::kill(again.pid, SIGTERM);
  EXPECT_EQ(WaitExit(again.pid), 0);
}

}  // namespace
}  // namespace vigil::service
