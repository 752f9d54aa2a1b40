// Issue 13's "done when" for the console: `vigil-review --store
// postgresql://...` works a queue with two consoles at once under Xvfb (our own
// server, Mesa's software OpenGL), each seeing only its own lease; a second
// review is required, the second reviewer's console shows no decision, and when
// the two disagree the item reaches a senior, whose console shows both
// decisions and whose decision is final. Real logins on the throw-away
// PostgreSQL of the `postgres` ctest fixture; replay scripts drive the
// consoles.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../postgres/pg_test_server.h"
#include "fixture_store.h"
#include "xvfb.h"
#include "store/audit_log.h"
#include "store/named_queues.h"
#include "store/review_queue.h"
#include "store/review_rounds.h"
#include "store/store.h"

namespace vigil::review {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadAll(const fs::path &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Console {
  pid_t pid = -1;
  fs::path dir;  // its script, output and screenshots
};

struct Ran {
  int exit_code = -1;
  std::string err;
};

class TeamConsoles : public host::testing::PgTestServer {
 protected:
  void SetUp() override {
    PgTestServer::SetUp();
    if (HasFatalFailure()) return;
    std::string error;
    ASSERT_TRUE(xvfb_.Start(&error)) << error;
    work_ = fs::temp_directory_path() / ("vigil-team-consoles-" + std::to_string(getpid()));
    fs::remove_all(work_);
    fs::create_directories(work_);
    // The superuser creates the store and plays the scanner: two drawn items in
    // "default", category B1, which the review settings say needs two people.
    auto store = host::Store::Open(url_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    ASSERT_TRUE(host::RecordQueueSpecs(store_->db(), {{"default", "", {"reviewer", "senior"}},
                                                      {"senior-review", "", {"senior"}}})
                    .ok());
    host::ReviewSettings settings;
    settings.second_review_categories = {"B1"};
    ASSERT_TRUE(host::RecordReviewSettings(store_->db(), settings).ok());
    ids_ = testing::MakeQueue(*store_, work_ / "images", 2, {3, 4}, 320, 240);
    ASSERT_EQ(ids_.size(), 2u);
    alice_ = MakeLogin("alice", {"vigil_reviewer"});
    bob_ = MakeLogin("bob", {"vigil_reviewer"});
    carol_ = MakeLogin("carol", {"vigil_senior"});
  }
  void TearDown() override {
    xvfb_.Stop();
    store_.reset();
    fs::remove_all(work_);
    PgTestServer::TearDown();
  }

  // Starts vigil-review as `login` on the team store with `script`; returns at
  // once.
  Console Start(const std::string &login, const std::string &name, const std::string &script) {
    Console console;
    console.dir = work_ / name;
    fs::create_directories(console.dir / "shots");
    std::ofstream(console.dir / "script.txt") << script;
    const std::string url = UrlFor(login, database_);
    console.pid = fork();
    if (console.pid == 0) {
      const int out =
          open((console.dir / "stdout.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err =
          open((console.dir / "stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, 1);
      dup2(err, 2);
      setenv("DISPLAY", xvfb_.display().c_str(), 1);
      setenv("LIBGL_ALWAYS_SOFTWARE", "1", 1);
      setenv("HOME", console.dir.c_str(), 1);
      const std::string script_path = (console.dir / "script.txt").string();
      const std::string shots = (console.dir / "shots").string();
      execl(VIGIL_REVIEW_BIN, VIGIL_REVIEW_BIN, "--store", url.c_str(), "--replay",
            script_path.c_str(), "--screenshot-dir", shots.c_str(), static_cast<char *>(nullptr));
      _exit(127);
    }
    return console;
  }
  Ran Wait(const Console &console) {
    Ran ran;
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (waitpid(console.pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(console.pid, SIGKILL);
        waitpid(console.pid, &status, 0);
        ran.err = "timed out";
        return ran;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ran.err = ReadAll(console.dir / "stderr.txt");
    return ran;
  }
  nlohmann::json Shot(const Console &console, const std::string &name) {
    std::ifstream in(console.dir / "shots" / (name + ".json"));
    EXPECT_TRUE(in.good()) << "no screenshot " << name << " in " << console.dir;
    nlohmann::json j = nlohmann::json::object();
    if (in) in >> j;
    return j;
  }
  std::string Sql(const std::string &sql) { return host::testing::Scalar(store_->db(), sql); }
  std::pair<int, std::string> Vigil(const std::string &login, const std::string &args) {
    const fs::path out = work_ / "vigil.out";
    const std::string command = "HOME=" + work_.string() + " " + VIGIL_BINARY_DIR + "/bin/vigil " +
                                args + " --store " + UrlFor(login, database_) + " >" +
                                out.string() + " 2>&1";
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadAll(out)};
  }

  Xvfb xvfb_;
  fs::path work_;
  std::unique_ptr<host::Store> store_;
  std::vector<int64_t> ids_;
  std::string alice_, bob_, carol_;
};

// Skip the private check-in, look, decide with `key`, look again, quit (which
// releases whatever the console claimed next).
std::string DecideScript(const std::string &key) {
  return "0 key Enter tap\n"
         "200 screenshot open\n"
         "300 key " +
         key +
         " tap\n"
         "600 screenshot after\n"
         "700 quit\n";
}

TEST_F(TeamConsoles, TwoConsolesHoldTheirOwnItemsAndADisagreementReachesASenior) {
  // Round 1: both consoles at once. Each opens a different item and holds only
  // that.
  Console a1 = Start(alice_, "alice-1", DecideScript("1"));  // A1
  Console b1 = Start(bob_, "bob-1", DecideScript("3"));      // B1
  const Ran ra1 = Wait(a1), rb1 = Wait(b1);
  ASSERT_EQ(ra1.exit_code, 0) << ra1.err;
  ASSERT_EQ(rb1.exit_code, 0) << rb1.err;
  const int64_t alices = Shot(a1, "open").value("item_id", int64_t{0});
  const int64_t bobs = Shot(b1, "open").value("item_id", int64_t{0});
  ASSERT_NE(alices, 0) << Shot(a1, "open").dump();
  ASSERT_NE(bobs, 0) << Shot(b1, "open").dump();
  EXPECT_NE(alices, bobs);
  EXPECT_EQ(Shot(a1, "open").value("item_round", 0), 1);
  EXPECT_EQ(Sql("SELECT reviewer FROM decisions WHERE item_id = " + std::to_string(alices)),
            alice_);
  EXPECT_EQ(Sql("SELECT reviewer FROM decisions WHERE item_id = " + std::to_string(bobs)), bob_);
  // Both need a second person: pending in round 2, nobody's lease left behind.
  EXPECT_EQ(Sql("SELECT count(*) FROM queue WHERE state = 'pending' AND round = 2"), "2");

  // Round 2: each console is served the other's item and shows no decision on
  // it. Bob agrees with alice (A1); alice disagrees with bob (B2 against B1).
  Console a2 = Start(alice_, "alice-2", DecideScript("4"));  // B2
  Console b2 = Start(bob_, "bob-2", DecideScript("1"));      // A1
  const Ran ra2 = Wait(a2), rb2 = Wait(b2);
  ASSERT_EQ(ra2.exit_code, 0) << ra2.err;
  ASSERT_EQ(rb2.exit_code, 0) << rb2.err;
  const nlohmann::json alice_open = Shot(a2, "open"), bob_open = Shot(b2, "open");
  EXPECT_EQ(alice_open.value("item_id", int64_t{0}), bobs) << alice_open.dump();
  EXPECT_EQ(bob_open.value("item_id", int64_t{0}), alices) << bob_open.dump();
  EXPECT_EQ(alice_open.value("item_round", 0), 2);
  EXPECT_EQ(alice_open.value("item_decisions_shown", -1), 0);
  EXPECT_EQ(bob_open.value("item_decisions_shown", -1), 0);
  EXPECT_EQ(Sql("SELECT state FROM queue WHERE item_id = " + std::to_string(alices)), "decided");
  EXPECT_EQ(Sql("SELECT queue_name || ' ' || state || ' ' || round FROM queue "
                "WHERE item_id = " +
                std::to_string(bobs)),
            "senior-review pending 3");

  // The senior sees it: `vigil queue show --item` as carol lists both
  // decisions; a reviewer's claim of it is refused.
  auto show = Vigil(carol_, "queue show --item " + std::to_string(bobs) + " --json");
  ASSERT_EQ(show.first, 0) << show.second;
  EXPECT_THAT(show.second, HasSubstr(alice_));
  EXPECT_THAT(show.second, HasSubstr(bob_));
  auto refused = Vigil(alice_, "queue claim --item " + std::to_string(bobs));
  EXPECT_EQ(refused.first, 3) << refused.second;

  // The senior's console opens it in round 3 with both decisions shown; A2 is
  // final.
  Console c3 = Start(carol_, "carol-3", DecideScript("2"));
  const Ran rc3 = Wait(c3);
  ASSERT_EQ(rc3.exit_code, 0) << rc3.err;
  const nlohmann::json carol_open = Shot(c3, "open");
  EXPECT_EQ(carol_open.value("item_id", int64_t{0}), bobs) << carol_open.dump();
  EXPECT_EQ(carol_open.value("item_round", 0), 3);
  EXPECT_EQ(carol_open.value("item_decisions_shown", -1), 2);
  EXPECT_EQ(Sql("SELECT state FROM queue WHERE item_id = " + std::to_string(bobs)), "decided");
  EXPECT_EQ(Sql("SELECT reviewer || ' ' || decision || ' ' || round FROM "
                "decisions WHERE "
                "item_id = " +
                std::to_string(bobs) + " ORDER BY id DESC LIMIT 1"),
            carol_ + " A2 3");
  EXPECT_EQ(Sql("SELECT count(*) FROM queue WHERE state <> 'decided'"), "0");
  auto audit = host::VerifyAudit(store_->db());
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit.value().problems.empty());
}

}  // namespace
}  // namespace vigil::review
