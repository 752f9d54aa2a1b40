// Issue 12, item 9 (the CLI's part): --set names a real detector and key, read-only
// stores can be read, another program's SQLite file is refused untouched, and the queue
// and trust commands say what is true.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using vigil::testing::RunResult;
using vigil::testing::Slurp;

class CliStoreAccessTest : public vigil::testing::CliFixture {
 protected:
  fs::path Image() const {
    return testdata_ / "pdq" / "images-and-lists" / "misc-images" / "c.png";
  }
  static size_t Lines(const std::string& text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  // Runs a command as a user without write access to files it does not own: as root
  // (who may write anything), as nobody.
  RunResult RunAsReader(const std::string& command) {
    return Run(::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " + command
                                : command);
  }
};

TEST_F(CliStoreAccessTest, UnknownDetectorOrKeyInSetIsAnError) {
  struct Case {
    std::string setting;
    std::vector<std::string> said;  // the message names these
  } cases[] = {
      {"vigil.hash.threshold=31", {"'vigil.hash'", "vigil.pdq", "vigil.exact"}},
      {"no.such.detector=1", {"'no.such'", "vigil.pdq"}},
      {"vigil.pdq.treshold=31",
       {"vigil.pdq", "'treshold'", "threshold", "min_quality", "dihedral"}},
      {"vigil.exact.threshold=1", {"vigil.exact", "'threshold'", "none"}},
      {"vigil.classifier.modell=x", {"vigil.classifier", "model", "backend", "threads"}},
  };
  for (const Case& c : cases) {
    for (const std::string& command : {" scan " + Image().string() + " --set " + c.setting,
                                       " plugins list --set " + c.setting}) {
      RunResult r = Run(Vigil() + " --store " + Store() + command);
      EXPECT_EQ(r.exit_code, 1) << command << "\n" << r.out << r.err;
      EXPECT_EQ(Lines(r.err), 1u) << r.err;
      for (const std::string& word : c.said) EXPECT_THAT(r.err, HasSubstr(word)) << command;
    }
  }
  EXPECT_FALSE(fs::exists(Store())) << "nothing may be scanned with a wrong setting";
  // A declared key of a loaded detector is accepted.
  RunResult ok = Run(Vigil() + " scan " + Image().string() + " --store " + Store() +
                     " --set vigil.pdq.threshold=20");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  // The example in --help names a real detector and key.
  RunResult help = Run(Vigil() + " --help");
  EXPECT_THAT(help.out, HasSubstr("vigil.pdq.threshold=31"));
  EXPECT_THAT(help.out, Not(HasSubstr("vigil.hash.")));
}

TEST_F(CliStoreAccessTest, ReadOnlyStoreIsReadableAndWritesFailClearly) {
  const fs::path folder = dir_ / "copy";
  fs::create_directories(folder);
  const std::string store = (folder / "store.db").string();
  // A bank the images match, so that the queue has something to show.
  ASSERT_EQ(Run(Vigil() + " lists import --type pdq --format hma --bank known " +
                std::string(VIGIL_SOURCE_DIR) + "/samples/lists/demo.hma.txt --store " + store)
                .exit_code,
            0);
  ASSERT_EQ(
      Run(Vigil() + " scan " + (testdata_ / "pdq" / "images-and-lists" / "misc-images").string() +
          " --store " + store)
          .exit_code,
      0);
  ASSERT_EQ(Run(Vigil() + " queue show --state all --store " + store).exit_code, 0);
  ASSERT_FALSE(fs::exists(store + "-wal")) << "the writer checkpoints on close";
  fs::permissions(store, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  const std::string before = Slurp(store);

  RunResult stats = RunAsReader(Vigil() + " stats --json --store " + store);
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_GT(nlohmann::json::parse(stats.out)["items"].get<int>(), 0) << stats.out;
  RunResult queue = RunAsReader(Vigil() + " queue show --state all --store " + store);
  EXPECT_EQ(queue.exit_code, 0) << queue.err;
  EXPECT_THAT(queue.out, HasSubstr("Item "));
  RunResult exposure = RunAsReader(Vigil() + " exposure --store " + store);
  EXPECT_EQ(exposure.exit_code, 0) << exposure.err;
  RunResult verify = RunAsReader(Vigil() + " audit verify --store " + store);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("OK: "));

  for (const std::string& writer : {" scan " + Image().string(),
                                    std::string(" export --format csv"), std::string(" rematch")}) {
    RunResult w = RunAsReader(Vigil() + writer + " --store " + store);
    EXPECT_NE(w.exit_code, 0) << writer;
    EXPECT_EQ(Lines(w.err), 1u) << writer << ": " << w.err;
    EXPECT_THAT(w.err, HasSubstr("is read-only")) << writer;
  }
#ifdef VIGIL_TEST_REVIEWER
  // The console browses a store it cannot write: the queue and the evidence, obscured,
  // while nothing is claimed, revealed, decided or recorded (tests/ui/browse_test.cc and
  // render_test.cc drive it in a window). Without a display it opens the store
  // read-only, says so, and stops at the window with the display's one line.
  RunResult review = RunAsReader("env -u DISPLAY -u WAYLAND_DISPLAY " +
                                 std::string(VIGIL_BINARY_DIR) + "/bin/vigil-review --store " +
                                 store);
  EXPECT_THAT(review.err, HasSubstr("Read-only store: browse only")) << review.err;
  EXPECT_THAT(review.err, HasSubstr("no write access")) << review.err;
  EXPECT_THAT(review.err, Not(HasSubstr("writes to it"))) << review.err;
  EXPECT_THAT(review.err, HasSubstr("no display")) << review.err;
  EXPECT_EQ(Lines(review.err), 2u) << review.err;
#endif
  EXPECT_EQ(Slurp(store), before);
  EXPECT_FALSE(fs::exists(store + "-wal"));
  EXPECT_FALSE(fs::exists(store + "-shm"));
  fs::permissions(folder, fs::perms::owner_all);
}

TEST_F(CliStoreAccessTest, AnotherProgramsDatabaseIsRefusedUntouched) {
  const std::string foreign = (dir_ / "app.sqlite").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(foreign.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT);"
                           "INSERT INTO contacts (name) VALUES ('Ada');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  const std::string before = Slurp(foreign);
  for (const std::string& command :
       {" scan " + Image().string(), std::string(" stats"), std::string(" queue show"),
        std::string(" audit verify"), std::string(" rematch")}) {
    RunResult r = Run(Vigil() + command + " --store " + foreign);
    EXPECT_NE(r.exit_code, 0) << command;
    EXPECT_EQ(Lines(r.err), 1u) << command << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("not a Vigil store")) << command << ": " << r.err;
  }
  EXPECT_EQ(Slurp(foreign), before) << "the file must be left as it was";
  EXPECT_FALSE(fs::exists(foreign + "-wal"));
  EXPECT_FALSE(fs::exists(foreign + "-shm"));

  // An empty SQLite database (0 bytes, or a header with no tables) becomes a store.
  const std::string empty = (dir_ / "empty.db").string();
  std::ofstream(empty).close();
  RunResult scan = Run(Vigil() + " scan " + Image().string() + " --store " + empty);
  EXPECT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(Run(Vigil() + " audit verify --store " + empty).exit_code, 0);
}

TEST_F(CliStoreAccessTest, QueueShowAllOnAnEmptyQueueSaysSo) {
  ASSERT_TRUE(vigil::host::Store::Open(Store()).ok());  // a store with nothing queued
  RunResult all = Run(Vigil() + " queue show --state all --store " + Store());
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "The queue is empty.\n");
  RunResult pending = Run(Vigil() + " queue show --store " + Store());
  EXPECT_EQ(pending.out, "The queue has no pending items.\n");
}

TEST_F(CliStoreAccessTest, TrustingARevokedKeySaysItStaysRevoked) {
  const fs::path keys = dir_ / "keys";
  const fs::path trust = dir_ / "trust";
  ASSERT_EQ(Run(Vigil() + " plugins keygen --out " + keys.string()).exit_code, 0);
  const std::string pub = (keys / "vigil-signing.pub").string();
  RunResult revoked =
      Run(Vigil() + " plugins trust " + pub + " --revoke --trust-dir " + trust.string());
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_THAT(revoked.out, HasSubstr("revoked"));
  RunResult again = Run(Vigil() + " plugins trust " + pub + " --trust-dir " + trust.string());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.out, Not(HasSubstr("trusted")));
  EXPECT_THAT(again.err, HasSubstr("stays untrusted"));
  EXPECT_EQ(Lines(again.err), 1u) << again.err;
  // A key that was never revoked is trusted as before.
  ASSERT_EQ(Run(Vigil() + " plugins keygen --out " + (dir_ / "k2").string()).exit_code, 0);
  RunResult fresh = Run(Vigil() + " plugins trust " + (dir_ / "k2" / "vigil-signing.pub").string() +
                        " --trust-dir " + trust.string());
  EXPECT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_THAT(fresh.out, HasSubstr("trusted"));
}

// Global options after the subcommand, end to end (the parse of every subcommand is
// covered in cli_global_options_test.cc).
TEST_F(CliStoreAccessTest, GlobalOptionsAfterTheSubcommandEndToEnd) {
  RunResult scan = Run(Vigil() + " scan " + Image().string() + " --store " + Store() +
                       " --set vigil.pdq.threshold=20 --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_TRUE(fs::exists(Store()));
  RunResult import =
      Run(Vigil() + " lists import --type pdq --format hma --bank known " +
          std::string(VIGIL_SOURCE_DIR) + "/samples/lists/demo.hma.txt --store " + Store());
  ASSERT_EQ(import.exit_code, 0) << import.err;
  EXPECT_TRUE(fs::exists(dir_ / "lists" / "hash-banks" / "known.bank"));
  RunResult show = Run(Vigil() + " queue show --state all --limit 5 --store " + Store());
  EXPECT_EQ(show.exit_code, 0) << show.err;
}

}  // namespace
