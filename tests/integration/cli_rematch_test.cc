// Issue 12, item 7: `vigil rematch` matches the signals stored for past items against
// banks that gained entries, and records new hits as a scan would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "cli_runner.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using vigil::testing::RunResult;

class CliRematchTest : public vigil::testing::CliFixture {
 protected:
  // `vigil ARGS --store STORE` (the global option at the end, as people type it).
  RunResult Vigil(const std::string& args, const fs::path& store) {
    return Run(CliFixture::Vigil() + " " + args + " --store " + store.string());
  }
  std::string Sample(const std::string& name) const {
    return std::string(VIGIL_SOURCE_DIR) + "/samples/lists/" + name;
  }
  std::string Images() const {
    const fs::path base = images_;
    return (base / "bridge-mods" / "aaa-orig.jpg").string() + " " +
           (base / "misc-images" / "c.png").string() + " " +
           (base / "reg-test-input" / "pen-and-coaster.png").string() + " " +
           (base / "reg-test-input" / "labelme-subset" / "q0746.jpg").string();
  }
  nlohmann::json Rematch(const std::string& args, const fs::path& store) {
    RunResult r = Vigil("rematch --json " + args, store);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
  }
  // (item path, detector, bank, entry, signal type, distance) of every hash match.
  static std::set<std::tuple<std::string, std::string, std::string, std::string, std::string, int>>
  HashMatches(const fs::path& store) {
    std::set<std::tuple<std::string, std::string, std::string, std::string, std::string, int>> out;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT i.last_path, d.detector, d.bank, d.entry_id, "
                                 "d.signal_type, d.distance FROM detections d JOIN items i ON "
                                 "i.id = d.item_id WHERE d.label = 'hash-match'",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      auto text = [&](int c) {
        return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)));
      };
      out.insert({text(0), text(1), text(2), text(3), text(4), sqlite3_column_int(stmt, 5)});
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }
  // `queue show --state all` as a sorted set of paragraphs (the order of equal
  // priorities follows queueing time, which differs between the two stores).
  std::multiset<std::string> Queue(const fs::path& store) {
    RunResult r = Vigil("queue show --state all --limit 1000", store);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::multiset<std::string> paragraphs;
    std::istringstream in(r.out);
    std::string line, paragraph;
    while (std::getline(in, line)) {
      if (line.rfind("Item ", 0) == 0 && !paragraph.empty()) {
        paragraphs.insert(paragraph.substr(paragraph.find(',')));  // without the item id
        paragraph.clear();
      }
      paragraph += line + "\n";
    }
    if (!paragraph.empty()) paragraphs.insert(paragraph.substr(paragraph.find(',')));
    return paragraphs;
  }

  fs::path images_ = fs::path(VIGIL_TESTDATA) / "pdq" / "images-and-lists";
};

// Scanned, then the bank gains entries, then rematch: the same detections, outcome and
// queue as a scan made after the import; a second rematch adds nothing.
TEST_F(CliRematchTest, StoreScannedBeforeTheEntryGainsTheSameMatchesAsAScanAfter) {
  const fs::path before = dir_ / "before" / "store.db";
  const fs::path after = dir_ / "after" / "store.db";
  ASSERT_EQ(Vigil("scan " + Images(), before).exit_code, 0);
  ASSERT_TRUE(HashMatches(before).empty());
  RunResult no_banks = Vigil("rematch", before);
  EXPECT_EQ(no_banks.exit_code, 1);
  EXPECT_THAT(no_banks.err, HasSubstr("no hash banks"));

  for (const fs::path& store : {before, after}) {
    for (const char* type : {"pdq", "md5"}) {
      RunResult imported = Vigil(std::string("lists import --format hma --type ") + type +
                                     " --bank known-" + type + " " + Sample("demo.hma.txt"),
                                 store);
      ASSERT_EQ(imported.exit_code, 0) << imported.err;
    }
  }
  ASSERT_EQ(Vigil("scan " + Images(), after).exit_code, 0);
  const auto expected = HashMatches(after);
  ASSERT_GE(expected.size(), 2u) << "the demo list matches the demo images";

  RunResult text = Vigil("rematch", before);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out,
              HasSubstr("4 items checked, " + std::to_string(expected.size()) + " new matches, "));
  EXPECT_EQ(HashMatches(before), expected);
  EXPECT_EQ(Queue(before), Queue(after));
  RunResult verify = Vigil("audit verify", before);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;

  auto again = Rematch("", before);
  EXPECT_EQ(again["items_checked"], 4);
  EXPECT_EQ(again["new_matches"], 0);
  EXPECT_EQ(again["queued"], 0);
  EXPECT_EQ(HashMatches(before), expected);
}

TEST_F(CliRematchTest, BankAndSinceChooseTheEntries) {
  const fs::path store = dir_ / "store.db";
  ASSERT_EQ(Vigil("scan " + Images(), store).exit_code, 0);
  // te-csv entries are dated 2026-11-29T12:00:00Z by the list; hma ones by the import.
  ASSERT_EQ(
      Vigil("lists import --format te-csv --type pdq --bank te " + Sample("demo.te.csv"), store)
          .exit_code,
      0);
  ASSERT_EQ(
      Vigil("lists import --format hma --type pdq --bank hma " + Sample("demo.hma.txt"), store)
          .exit_code,
      0);

  RunResult unknown = Vigil("rematch --bank nosuch", store);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("'nosuch'; banks: hma, te"));

  EXPECT_EQ(Rematch("--bank te --since 2026-11-29T12:00:01Z", store)["new_matches"], 0);
  EXPECT_TRUE(HashMatches(store).empty());
  auto te = Rematch("--bank te --since 2026-11-29", store);
  EXPECT_GE(te["new_matches"].get<int>(), 1);
  for (const auto& m : HashMatches(store)) EXPECT_EQ(std::get<2>(m), "te");
  // hma's entries carry the import's time (today, after 2026-11-30); te's are older.
  auto hma = Rematch("--since 2026-11-30", store);
  EXPECT_GE(hma["new_matches"].get<int>(), 1);
  std::set<std::string> banks;
  for (const auto& m : HashMatches(store)) banks.insert(std::get<2>(m));
  EXPECT_EQ(banks, (std::set<std::string>{"hma", "te"}));
  EXPECT_EQ(Rematch("", store)["new_matches"], 0);
}

// A digest match in a severe category is decided by the policy, as a scan would, and the
// audit log accounts for the automatic decision.
TEST_F(CliRematchTest, AutomaticDecisionsAreAudited) {
  const fs::path store = dir_ / "store.db";
  ASSERT_EQ(Vigil("scan " + Images(), store).exit_code, 0);
  ASSERT_EQ(Vigil("lists import --format hma --type md5 --category A1 --bank severe " +
                      Sample("demo.hma.txt"),
                  store)
                .exit_code,
            0);
  auto report = Rematch("", store);
  EXPECT_GE(report["auto_actioned"].get<int>(), 1) << report.dump();
  EXPECT_EQ(report["queued"], 0) << report.dump();
  for (const auto& m : HashMatches(store)) EXPECT_EQ(std::get<1>(m), "vigil.exact");
  RunResult exported = Vigil("export --format csv", store);
  EXPECT_THAT(exported.out, HasSubstr("policy:known match, most severe categories"));
  RunResult verify = Vigil("audit verify", store);
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
}

TEST_F(CliRematchTest, StoreWithoutSignalsSaysSo) {
  const fs::path store = dir_ / "store.db";
  ASSERT_TRUE(vigil::host::Store::Open(store).ok());
  ASSERT_EQ(
      Vigil("lists import --format hma --type pdq --bank known " + Sample("demo.hma.txt"), store)
          .exit_code,
      0);
  RunResult r = Vigil("rematch", store);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("holds no PDQ or digest signals"));
}

TEST_F(CliRematchTest, BadSinceIsAOneLineError) {
  const fs::path store = dir_ / "store.db";
  for (const char* since : {"yesterday", "2026-13-01", "2026-02-30", "2026-11-29T25:00:00Z"}) {
    RunResult r = Vigil(std::string("rematch --since '") + since + "'", store);
    EXPECT_EQ(r.exit_code, 2) << since << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr("--since takes a UTC date")) << since;
  }
}

}  // namespace
