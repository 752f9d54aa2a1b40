// `vigil exchanges` with a threatexchange exchange as a process (issue 15 item 1), against the
// loopback mock's /threat_updates: a sync killed with kill -9 at several pages and run again
// ends with the same bank entries, byte for byte, as an uninterrupted sync (the "Done when"
// of the issue, as exchange_process_test.cc checks it for NCMEC); the token is needed and
// never shown or stored.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "store/store.h"
#include "tests/exchange/mock_ncmec_server.h"
#include "vigil/hashbank/bank.h"

namespace vigil::exchange {
namespace {

namespace fs = std::filesystem;
using testing::MockNcmecServer;

const std::string kVigil = std::string(VIGIL_BINARY_DIR) + "/bin/vigil";
constexpr char kCredentialsEnv[] = "VIGIL_TEST_TE_TOKEN";
constexpr char kGroup[] = "987654321";
constexpr char kToken[] = "987654321|te-process-secret-abcdef";

struct Ran {
  int code = -1;
  std::string out;
};

Ran RunVigil(const fs::path& store, const std::string& args) {
  const std::string cmd = std::string("USER=tester ") + kCredentialsEnv + "='" + kToken + "' " +
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

// Starts `vigil --store STORE exchanges sync gen --once --batch-entries BATCH` (output to
// /dev/null).
pid_t StartSync(const fs::path& store, const char* batch) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv(kCredentialsEnv, kToken, 1);
    FILE* null = std::fopen("/dev/null", "w");
    if (null != nullptr) ::dup2(fileno(null), 1);
    ::execl(kVigil.c_str(), kVigil.c_str(), "--store", store.c_str(), "exchanges", "sync", "gen",
            "--once", "--batch-entries", batch, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// A new workstation store at `path` (the CLI opens existing stores).
void MakeStore(const fs::path& path) {
  fs::create_directories(path.parent_path());
  auto store = host::Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
}

std::string BankEntries(const fs::path& path) {
  auto bank = hashbank::Bank::Open(path.string());
  if (!bank.ok()) return "no bank: " + bank.status().message();
  std::string out;
  for (const hashbank::Entry& e : bank.value()->Entries()) {
    out += std::string(hashbank::SignalTypeName(e.value.type)) + ":" + e.value.ToHex() + " " +
           e.source + " " + e.external_id + " " + e.category + " " + std::to_string(e.severity) +
           " " + std::to_string(e.added_unix) + "\n";
  }
  return out;
}

class ThreatExchangeProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kVigil)) << kVigil;
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("vigil-te-process-" + std::to_string(::getpid()) + "-" + test->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    server_ = std::make_unique<MockNcmecServer>("vigil-test", "s3cret");
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }

  fs::path AddGen(const std::string& store_name) {
    const fs::path store = dir_ / store_name / "store.db";
    MakeStore(store);
    const Ran added = RunVigil(store, "exchanges add gen --kind threatexchange --endpoint " +
                                          server_->base_url() + "/v18.0/" + kGroup +
                                          " --bank gen --credentials-env " + kCredentialsEnv);
    EXPECT_EQ(added.code, 0) << added.out;
    return store;
  }
  static fs::path BankOf(const fs::path& store) {
    return store.parent_path() / "lists" / "hash-banks" / "gen.bank";
  }

  fs::path dir_;
  std::unique_ptr<MockNcmecServer> server_;
};

TEST_F(ThreatExchangeProcessTest, KilledAtSeveralPagesThenRunAgainEqualsAnUninterruptedSync) {
  server_->SetThreatExchange(kGroup, kToken, server_->ThreatExchangeFeed(30, 60, kGroup, kToken));

  const fs::path reference = AddGen("reference");
  const Ran full = RunVigil(reference, "exchanges sync gen --once");
  ASSERT_EQ(full.code, 0) << full.out;
  const std::string expected = BankEntries(BankOf(reference));
  ASSERT_NE(expected.find("md5:"), std::string::npos) << expected;
  ASSERT_NE(expected.find("pdq:"), std::string::npos) << expected;

  const fs::path store = AddGen("killed");
  int kills = 0;
  const int steps[] = {2, 5, 3, 7, 4, 6};
  const int delays_us[] = {0, 300, 1500, 4000, 800, 2500};
  for (int i = 0; i < 6; ++i) {
    const int target = server_->answered() + steps[i];
    const pid_t pid = StartSync(store, i % 2 == 0 ? "1" : "150");
    ASSERT_GT(pid, 0);
    while (server_->answered() < target) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) break;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delays_us[i]));
    if (::kill(pid, SIGKILL) == 0) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++kills;
    }
  }
  EXPECT_GE(kills, 4) << "the sync finished before most kills: the test did not test much";
  const Ran rest = RunVigil(store, "exchanges sync gen --once");
  ASSERT_EQ(rest.code, 0) << rest.out;
  EXPECT_EQ(BankEntries(BankOf(store)), expected);

  const Ran status = RunVigil(store, "exchanges status --json");
  ASSERT_EQ(status.code, 0) << status.out;
  EXPECT_EQ(status.out.find("te-process-secret"), std::string::npos) << status.out;
  const auto rows = nlohmann::json::parse(status.out);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["last_error"], "");
  auto bank = hashbank::Bank::Open(BankOf(store).string());
  ASSERT_TRUE(bank.ok());
  EXPECT_EQ(rows[0]["entries"].get<size_t>(), bank.value()->size());
}

TEST_F(ThreatExchangeProcessTest, TheTokenIsAReferenceAndAWrongOneFailsTheSync) {
  const fs::path store = dir_ / "cli" / "store.db";
  MakeStore(store);
  const std::string endpoint = server_->base_url() + "/v18.0/" + kGroup;
  Ran ran =
      RunVigil(store, "exchanges add t --kind threatexchange --endpoint " + endpoint + " --bank t");
  EXPECT_EQ(ran.code, 2) << ran.out;
  EXPECT_NE(ran.out.find("app token"), std::string::npos) << ran.out;
  ran = RunVigil(store, "exchanges add t --kind threatexchange --endpoint " + server_->base_url() +
                            "/v18.0/notagroup --bank t --credentials-env X");
  EXPECT_NE(ran.code, 0) << ran.out;
  EXPECT_NE(ran.out.find("privacy group"), std::string::npos) << ran.out;
  const fs::path secret = dir_ / "token.txt";
  {
    std::FILE* f = std::fopen(secret.c_str(), "w");
    std::fputs("987654321|a-wrong-token-abcdefghij\n", f);
    std::fclose(f);
  }
  ran = RunVigil(store, "exchanges add t --kind threatexchange --endpoint " + endpoint +
                            " --bank t --credentials-file " + secret.string());
  ASSERT_EQ(ran.code, 0) << ran.out;
  server_->SetThreatExchange(kGroup, kToken, server_->ThreatExchangeFeed(2, 10, kGroup, kToken));
  ran = RunVigil(store, "exchanges sync t --once --attempts 1");
  EXPECT_EQ(ran.code, 1) << ran.out;
  EXPECT_NE(ran.out.find("HTTP 400"), std::string::npos) << ran.out;
  EXPECT_EQ(ran.out.find("a-wrong-token"), std::string::npos) << ran.out;
  {
    std::FILE* f = std::fopen(secret.c_str(), "w");
    std::fprintf(f, "%s\n", kToken);
    std::fclose(f);
  }
  ran = RunVigil(store, "exchanges sync t --once");
  ASSERT_EQ(ran.code, 0) << ran.out;
  EXPECT_NE(ran.out.find("2 pages"), std::string::npos) << ran.out;
}

}  // namespace
}  // namespace vigil::exchange
