// Reliability of `vigil scan` against the store: kill -9 mid-scan then resume, and two
// scanners on one store at once. Nothing lost, nothing doubled, the audit chain holds.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace {

namespace fs = std::filesystem;

class ReliabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-reliability-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "items");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void MakeItems(const fs::path& folder, int count, size_t size, uint32_t seed) {
    fs::create_directories(folder);
    std::mt19937 rng(seed);
    std::string bytes(size, '\0');
    for (int i = 0; i < count; ++i) {
      for (char& c : bytes) c = static_cast<char>(rng());
      std::ofstream(folder / ("item-" + std::to_string(i) + ".bin"), std::ios::binary) << bytes;
    }
  }

  // Starts `vigil --store STORE scan ARGS...` with output discarded; returns its pid.
  pid_t StartScan(const std::vector<std::string>& args) {
    pid_t pid = fork();
    if (pid == 0) {
      std::vector<std::string> argv_storage = {Vigil(), "--store", Store(), "scan"};
      argv_storage.insert(argv_storage.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : argv_storage) argv.push_back(a.data());
      argv.push_back(nullptr);
      freopen("/dev/null", "w", stdout);
      freopen("/dev/null", "w", stderr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    return pid;
  }
  int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  int64_t Query(const std::string& sql) {
    sqlite3* db = nullptr;
    int64_t value = -1;
    if (sqlite3_open_v2(Store().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 5000);
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        value = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return value;
  }
  int Run(const std::string& args) {
    int status = std::system((Vigil() + " --store " + Store() + " " + args + " >/dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string Vigil() const { return std::string(VIGIL_BINARY_DIR) + "/bin/vigil"; }
  std::string Store() const { return (dir_ / "store.db").string(); }

  fs::path dir_;
};

TEST_F(ReliabilityTest, KillDuringScanThenResumeLosesAndDoublesNothing) {
  const int kItems = 2000;
  MakeItems(dir_ / "items", kItems, 48 << 10, 1);
  pid_t pid = StartScan({(dir_ / "items").string(), "--threads", "1"});
  // Wait until part of the scan is recorded, then kill without warning.
  int64_t recorded = 0;
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    recorded = Query("SELECT count(*) FROM items");
    if (recorded >= 100) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  EXPECT_EQ(Wait(pid), -SIGKILL);
  const int64_t at_kill = Query("SELECT count(*) FROM items");
  ASSERT_GE(at_kill, 100);
  ASSERT_LT(at_kill, kItems) << "the scan finished before it could be killed; use more items";

  ASSERT_EQ(Run("scan " + (dir_ / "items").string()), 0);  // resume: the same scan again
  EXPECT_EQ(Query("SELECT count(*) FROM items"), kItems);
  EXPECT_EQ(Query("SELECT count(DISTINCT sha256) FROM items"), kItems);
  EXPECT_EQ(Query("SELECT count(*) FROM signals WHERE detector = 'vigil.exact'"), 3 * kItems);
  EXPECT_EQ(Query("SELECT count(*) FROM detector_runs WHERE detector = 'vigil.exact'"), kItems);
  // Issue 12: the resume skipped what was recorded before the kill (read and hashed, no
  // detector, nothing written), so every item was recorded, and audited, exactly once.
  EXPECT_EQ(Query("SELECT count(*) FROM audit_log"), kItems)
      << "the resume re-scanned items recorded before the kill";
  EXPECT_EQ(Run("audit verify"), 0);
}

TEST_F(ReliabilityTest, TwoScannersOnOneStore) {
  MakeItems(dir_ / "a", 300, 4096, 2);
  MakeItems(dir_ / "b", 300, 4096, 3);
  // Both scan a and b, in opposite orders, at the same time (--rescan: without it one
  // scanner skips what the other already recorded, issue 12; here both must write).
  pid_t first = StartScan({(dir_ / "a").string(), (dir_ / "b").string(), "--rescan"});
  pid_t second = StartScan({(dir_ / "b").string(), (dir_ / "a").string(), "--rescan"});
  EXPECT_EQ(Wait(first), 0);
  EXPECT_EQ(Wait(second), 0);
  EXPECT_EQ(Query("SELECT count(*) FROM items"), 600);
  EXPECT_EQ(Query("SELECT count(*) FROM signals WHERE detector = 'vigil.exact'"), 1800);
  EXPECT_EQ(Query("SELECT count(*) FROM audit_log"), 1200);  // each scan audits what it saw
  EXPECT_EQ(Run("audit verify"), 0);
  int status = std::system(("test \"$(sqlite3 " + Store() + " 'PRAGMA integrity_check')\" = ok").c_str());
  EXPECT_EQ(status, 0);
}

}  // namespace
