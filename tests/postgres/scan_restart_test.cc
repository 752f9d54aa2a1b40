// PostgreSQL restarted mid-scan (issue 13, "Done when"): a real `vigil scan
// --store postgresql://...` process over a corpus (the demo images and
// manifest, with the demo lists, plus 2,000 small benign files of random bytes)
// while the server is restarted under it; the scan retries and finishes (exit
// 0), and the team store holds exactly what a SQLite scan of the same corpus
// holds: the same items, detections, runs, signals and queue entries, one
// "item.scanned" audit entry per item (nothing lost, nothing doubled), and the
// chain verifies. Restarts the shared server: runs alone (RUN_SERIAL).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "pg_test_server.h"
#include "store/audit_log.h"
#include "store/store.h"

namespace vigil::host::testing {
namespace {

namespace fs = std::filesystem;

// Sorted rows of a query, each row's columns joined with '|' (compared as
// bytes, not in a backend's collation).
std::vector<std::string> SortedRows(Database &db, const std::string &sql,
                                    int columns) {
  std::vector<std::string> out;
  Statement rows(db, sql);
  int rc;
  while ((rc = rows.Step()) == kRow) {
    std::string line;
    for (int c = 0; c < columns; ++c)
      line += rows.ColumnText(c) + "|";
    out.push_back(line);
  }
  EXPECT_EQ(rc, kDone) << rows.Error(sql).message();
  std::sort(out.begin(), out.end());
  return out;
}

class ScanRestart : public PgTestServer {
protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure())
      return;
    scratch_ = fs::temp_directory_path() /
               ("vigil-scan-restart-" + std::to_string(getpid()));
    fs::remove_all(scratch_);
    fs::create_directories(scratch_ / "corpus" / "files");
    const fs::path demo_images = fs::path(VIGIL_SOURCE_DIR) / ".." / "shared" /
                                 "testdata" / "pdq" / "images-and-lists";
    ASSERT_TRUE(fs::is_directory(demo_images))
        << "shared test data is missing: " << demo_images;
    fs::copy(demo_images, scratch_ / "corpus" / "images",
             fs::copy_options::recursive);
    std::mt19937_64 rng(13);
    for (int i = 0; i < 2000; ++i) {
      std::ofstream out(scratch_ / "corpus" / "files" /
                            ("f" + std::to_string(i) + ".bin"),
                        std::ios::binary);
      for (int b = 0; b < 64; ++b)
        out.put(static_cast<char>(rng() & 0xff));
    }
    // The default policy without the classifier's rules (the classifier is not
    // built for this test).
    std::ifstream policy_in(fs::path(VIGIL_SOURCE_DIR) / "policy" /
                            "default.toml");
    std::stringstream text;
    text << policy_in.rdbuf();
    const std::string policy = text.str(), rule = "\n[[rules]]\n";
    std::string kept;
    for (size_t at = 0;;) {
      const size_t next = policy.find(rule, at + 1);
      const std::string block =
          policy.substr(at, next == std::string::npos ? next : next - at);
      if (at == 0 || block.find("vigil.classifier") == std::string::npos)
        kept += block;
      if (next == std::string::npos)
        break;
      at = next;
    }
    std::ofstream(scratch_ / "policy.toml") << kept;
    // A team store keeps the media of queued items (issue 13 item 3): the scan needs a key.
    {
      std::ofstream key(scratch_ / "media.key", std::ios::binary);
      key << std::string(32, 'k');
    }
    fs::permissions(scratch_ / "media.key", fs::perms::owner_read | fs::perms::owner_write);
    std::ofstream(scratch_ / "org.toml") << "[store]\nmedia_key_file = \"media.key\"\n";
    sqlite_ = (scratch_ / "store.db").string();
    auto made = Store::Open(url_); // the team store, made by the superuser
    ASSERT_TRUE(made.ok()) << made.status().message();
    for (const std::string &store : {sqlite_, url_}) {
      const std::string demo = VIGIL_SOURCE_DIR "/samples/demo/";
      ASSERT_EQ(
          std::system(
              Command(
                  "lists import --type pdq --format te-csv --bank demo-known " +
                  demo + "demo-bank.te.csv --store " + store)
                  .c_str()),
          0);
      ASSERT_EQ(
          std::system(
              Command(
                  "lists import --type url --format plain --bank demo-urls " +
                  demo + "demo-urls.txt --store " + store)
                  .c_str()),
          0);
    }
  }
  void TearDown() override {
    fs::remove_all(scratch_);
    PgTestServer::TearDown();
  }

  std::string Command(const std::string &args,
                      const std::string &log = "lists") {
    return "env -u VIGIL_PLUGIN_PATH -u VIGIL_HOST_CONFIG HOME=" +
           scratch_.string() + " " + VIGIL_BINARY_DIR "/bin/vigil " + args +
           " >>" + (scratch_ / (log + ".out")).string() + " 2>>" +
           (scratch_ / (log + ".err")).string();
  }
  std::string ScanArgs(const std::string &store) {
    return "scan " + (scratch_ / "corpus").string() +
           " --manifest " VIGIL_SOURCE_DIR
           "/samples/demo/demo-manifest.jsonl --policy " +
           (scratch_ / "policy.toml").string() + " --config " +
           (scratch_ / "org.toml").string() + " --store " + store;
  }
  std::string Slurp(const std::string &name) {
    std::ifstream in(scratch_ / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path scratch_;
  std::string sqlite_;
};

TEST_F(ScanRestart, TheScanRetriesAndFinishesWithNothingLostOrDoubled) {
  // The reference: the same scan into a SQLite store.
  ASSERT_EQ(std::system(Command(ScanArgs(sqlite_), "sqlite").c_str()), 0)
      << Slurp("sqlite.err");

  // The scan into the team store, as its own process.
  const std::string command = Command(ScanArgs(url_), "team");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char *>(nullptr));
    _exit(127);
  }
  // Restart the server once the scan has recorded some items and while it still
  // runs.
  auto watcher = Connect("postgres");
  ASSERT_NE(watcher, nullptr);
  int status = 0;
  bool finished = false;
  while (!finished &&
         std::stoll("0" + Scalar(*watcher, "SELECT count(*) FROM items")) <
             100) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    finished = waitpid(pid, &status, WNOHANG) == pid;
  }
  ASSERT_FALSE(finished) << "the scan ended before the restart: "
                         << Slurp("team.err");
  const std::string before = Scalar(*watcher, "SELECT count(*) FROM items");
  ASSERT_EQ(RunPostgresScript("restart"), 0);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << Slurp("team.err");
  // The restart happened mid-scan: items were recorded before it and after it.
  auto sqlite = Store::Open(sqlite_, OpenMode::kReadOnly);
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().message();
  Database &ref = sqlite.value()->db();
  auto team_db = Connect("postgres");
  ASSERT_NE(team_db, nullptr);
  Database &team = *team_db;
  const int64_t items = std::stoll(Scalar(ref, "SELECT count(*) FROM items"));
  EXPECT_GT(items, 2000);
  EXPECT_LT(std::stoll(before), items)
      << "the restart came after the last item";

  EXPECT_EQ(
      SortedRows(team, "SELECT sha256, status, outcome, media_kind FROM items",
                 4),
      SortedRows(ref, "SELECT sha256, status, outcome, media_kind FROM items",
                 4));
  const char *detections = "SELECT i.sha256, d.detector, d.label, "
                           "coalesce(d.bank, ''), coalesce(d.entry_id, ''), "
                           "coalesce(d.category, '') FROM detections d JOIN "
                           "items i ON i.id = d.item_id";
  const std::vector<std::string> expected_detections =
      SortedRows(ref, detections, 6);
  EXPECT_FALSE(expected_detections.empty());
  EXPECT_EQ(SortedRows(team, detections, 6), expected_detections);
  const char *runs = "SELECT i.sha256, r.detector, r.status FROM detector_runs "
                     "r JOIN items i ON i.id = "
                     "r.item_id";
  EXPECT_EQ(SortedRows(team, runs, 3), SortedRows(ref, runs, 3));
  const char *signals = "SELECT i.sha256, s.detector, s.type, s.value FROM "
                        "signals s JOIN items i ON i.id = "
                        "s.item_id";
  EXPECT_EQ(SortedRows(team, signals, 4), SortedRows(ref, signals, 4));
  const char *queue = "SELECT i.sha256, q.state, q.priority, q.severity, "
                      "q.queue_name FROM queue q JOIN items i "
                      "ON i.id = q.item_id";
  const std::vector<std::string> expected_queue = SortedRows(ref, queue, 5);
  EXPECT_FALSE(expected_queue.empty());
  EXPECT_EQ(SortedRows(team, queue, 5), expected_queue);
  const char *decisions = "SELECT i.sha256, d.reviewer, d.decision FROM "
                          "decisions d JOIN items i ON i.id = d.item_id";
  EXPECT_EQ(SortedRows(team, decisions, 3), SortedRows(ref, decisions, 3));
  // One scan entry per recorded item (the corpus has one duplicate-free file
  // per item, the manifest's URLs aside), on both; the team store's chain
  // verifies.
  const char *scanned =
      "SELECT count(*) FROM audit_log WHERE action = 'item.scanned'";
  EXPECT_EQ(Scalar(team, scanned), Scalar(ref, scanned));
  auto verified = VerifyAudit(team);
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_TRUE(verified->problems.empty()) << verified->problems.front();
}

} // namespace
} // namespace vigil::host::testing
