// Issue 17 item 5 through the `vigil` command: a candidate detector run with
// `vigil scan --shadow ID` beside the production ones. Its results are recorded as shadow
// results only; the items' outcomes, queue rows and detections are exactly those of a
// scan without it, even when it flags what production does not (the forger below would
// queue every item for review were it in production); a shadow that crashes fails no
// item; `vigil eval shadow` counts agreement as checked by hand here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ShadowCli : public CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    fs::create_directories(dir_ / "items");
    // aaa-orig and pen-and-coaster are in the demo bank (vigil.pdq matches them); q1050 and
    // wee.jpg match nothing.
    for (const char* image : {"bridge-mods/aaa-orig.jpg", "reg-test-input/pen-and-coaster.png",
                              "reg-test-input/labelme-subset/q1050.jpg", "misc-images/wee.jpg"}) {
      const fs::path from = testdata_ / "pdq" / "images-and-lists" / image;
      ASSERT_TRUE(fs::exists(from)) << "missing " << from;
      fs::copy_file(from, dir_ / "items" / from.filename());
    }
  }

  static std::string Plugin(const std::string& name) {
    const fs::path plugin = fs::path(VIGIL_TEST_PLUGIN_DIR) / "hostile" / (name + ".so");
    EXPECT_TRUE(fs::exists(plugin)) << "missing " << plugin << ": build vigil_hostile_plugins";
    return plugin.string();
  }

  // `vigil` on the store `store` with the shipped plugins and the demo bank.
  RunResult Vigil(const std::string& store, const std::string& args) {
    return Run("env -u VIGIL_PLUGIN_PATH " + CliFixture::Vigil() + " --store " +
               (dir_ / store).string() + " " + args);
  }
  void ImportBank(const std::string& store) {
    RunResult imported =
        Vigil(store, "lists import --type pdq --format te-csv --bank demo-known " +
                         std::string(VIGIL_SOURCE_DIR) + "/samples/demo/demo-bank.te.csv");
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  // Every row of a query, columns joined by '|'.
  std::vector<std::string> Rows(const std::string& store, const std::string& sql) {
    std::vector<std::string> rows;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / store).c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db) << ": " << sql;
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const unsigned char* text = sqlite3_column_text(stmt, c);
        row += (c ? "|" : "") + std::string(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      rows.push_back(row);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
  }

  // What production decided: outcomes, queue rows, detections and detector runs.
  std::vector<std::string> Decided(const std::string& store) {
    std::vector<std::string> all;
    for (const char* sql :
         {"SELECT sha256, status, outcome, coalesce(outcome_rule, '') FROM items ORDER BY sha256",
          "SELECT i.sha256, q.state, q.queue_name, q.priority FROM queue q JOIN items i ON "
          "i.id = q.item_id ORDER BY i.sha256",
          "SELECT i.sha256, d.detector, d.label, d.score FROM detections d JOIN items i ON "
          "i.id = d.item_id ORDER BY i.sha256, d.detector, d.label",
          "SELECT i.sha256, r.detector, r.status FROM detector_runs r JOIN items i ON "
          "i.id = r.item_id ORDER BY i.sha256, r.detector",
          "SELECT count(*) FROM decisions"}) {
      for (const std::string& row : Rows(store, sql)) all.push_back(std::string(sql, 20) + row);
    }
    return all;
  }
};

TEST_F(ShadowCli, AShadowThatFlagsEverythingChangesNothingProductionDecides) {
  const std::string items = (dir_ / "items").string();
  ImportBank("plain.db");
  RunResult plain = Vigil("plain.db", "scan " + items);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;

  ImportBank("shadow.db");
  const std::string forger = "--developer-mode --plugin-dir " + Plugin("hostile-forge-hash-match");
  RunResult shadowed = Vigil("shadow.db", forger + " scan --shadow acme.forger " + items);
  ASSERT_EQ(shadowed.exit_code, 0) << shadowed.err;
  EXPECT_THAT(shadowed.err, HasSubstr("1 shadow detector ran beside them"));

  // The forger reports a hash match (A1) on every item; as a shadow none of it counts.
  const std::vector<std::string> decided = Decided("plain.db");
  ASSERT_FALSE(decided.empty());
  EXPECT_EQ(Decided("shadow.db"), decided);
  EXPECT_EQ(Rows("shadow.db", "SELECT count(*) FROM items WHERE outcome = 'clear'"),
            std::vector<std::string>{"2"});
  EXPECT_EQ(Rows("shadow.db", "SELECT state, count(*) FROM queue GROUP BY state ORDER BY state"),
            (std::vector<std::string>{"decided|1", "pending|1"}))
      << "pen-and-coaster (B2) is reviewed, aaa-orig (A1) auto-actioned, the rest clear";
  // Its results are in shadow_results, one per item, with its detections.
  EXPECT_EQ(Rows("shadow.db",
                 "SELECT detector, version, status, count(*) FROM shadow_results GROUP BY "
                 "detector, version, status"),
            std::vector<std::string>{"acme.forger|6.6.6|ok|4"});
  EXPECT_EQ(Rows("shadow.db",
                 "SELECT count(*) FROM shadow_results WHERE detections LIKE '%\"label\":\"hash-match\"%' "
                 "AND detections LIKE '%\"category\":\"A1\"%'"),
            std::vector<std::string>{"4"});

  // The same forger in production (no --shadow) queues the clear items: what the shadow
  // was kept from doing.
  ImportBank("forged.db");
  RunResult forged = Vigil("forged.db", forger + " scan " + items);
  ASSERT_EQ(forged.exit_code, 0) << forged.err;
  EXPECT_EQ(Rows("forged.db", "SELECT count(*) FROM items WHERE outcome = 'clear'"),
            std::vector<std::string>{"0"});
  EXPECT_NE(Decided("forged.db"), decided);

  // Agreement by hand: production flags aaa-orig and pen-and-coaster (vigil.pdq matches),
  // the forger all four: both 2, only the shadow 2 (q1050, wee.jpg), none only production.
  RunResult eval = Vigil("shadow.db", "eval shadow --json");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const nlohmann::json report = nlohmann::json::parse(eval.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << eval.out;
  ASSERT_EQ(report["shadows"].size(), 1u);
  const nlohmann::json& forger_row = report["shadows"][0];
  EXPECT_EQ(forger_row["detector"], "acme.forger");
  EXPECT_EQ(forger_row["items"], 4);
  EXPECT_EQ(forger_row["shadow_failed"], 0);
  EXPECT_EQ(forger_row["both"], 2);
  EXPECT_EQ(forger_row["only_production"], 0);
  EXPECT_EQ(forger_row["only_shadow"], 2);
  EXPECT_EQ(forger_row["neither"], 0);
  EXPECT_DOUBLE_EQ(forger_row["agreement"].get<double>(), 0.5);
  ASSERT_EQ(forger_row["only_shadow_examples"].size(), 2u);
  std::vector<std::string> names;
  for (const auto& example : forger_row["only_shadow_examples"]) {
    names.push_back(fs::path(example["path"].get<std::string>()).filename().string());
    EXPECT_EQ(example["outcome"], "clear");
    EXPECT_TRUE(example["production"].empty());
    ASSERT_EQ(example["shadow"].size(), 1u);
    EXPECT_EQ(example["shadow"][0]["label"], "hash-match");
    EXPECT_EQ(example["shadow"][0]["category"], "A1");
    EXPECT_EQ(example["sha256"].get<std::string>().size(), 64u);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"q1050.jpg", "wee.jpg"}));
  // --examples 1 lists one; the table says the same counts.
  RunResult one = Vigil("shadow.db", "eval shadow --json --examples 1");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(nlohmann::json::parse(one.out)["shadows"][0]["only_shadow_examples"].size(), 1u);
  RunResult table = Vigil("shadow.db", "eval shadow");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("both flagged 2, only production 0, only shadow 2, neither 0 "
                                   "(agreement 50%)"));
  EXPECT_THAT(table.out, HasSubstr("only shadow: "));
  // A higher --min-score: vigil.pdq's matches score 1 - distance/256 (1 for both here) and
  // the forger's 1, so nothing changes at 1; the counts use the option.
  RunResult strict = Vigil("shadow.db", "eval shadow --json --min-score 1");
  ASSERT_EQ(strict.exit_code, 0) << strict.err;
  EXPECT_EQ(nlohmann::json::parse(strict.out)["shadows"][0]["both"], 2);
}

TEST_F(ShadowCli, ACrashingShadowFailsNoItem) {
  // hostile.segfault crashes its worker on any item starting with "attack".
  std::ofstream(dir_ / "items" / "attack.bin") << "attack";
  const std::string items = (dir_ / "items").string();
  ImportBank("plain.db");
  RunResult plain = Vigil("plain.db", "scan " + items);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ImportBank("shadow.db");
  RunResult scan =
      Vigil("shadow.db", "--developer-mode --plugin-dir " + Plugin("hostile-segfault") +
                             " scan --shadow hostile.segfault " + items);
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(Decided("shadow.db"), Decided("plain.db"));
  EXPECT_EQ(Rows("shadow.db",
                 "SELECT count(*) FROM items WHERE status = 'failed' OR "
                 "outcome = 'failed'"),
            std::vector<std::string>{"0"});
  // Its run on the attack item is recorded as a failed shadow run, with the reason.
  const std::vector<std::string> runs =
      Rows("shadow.db",
           "SELECT i.first_path, s.status, coalesce(s.error, '') FROM shadow_results s JOIN "
           "items i ON i.id = s.item_id WHERE s.detector = 'hostile.segfault'");
  ASSERT_EQ(runs.size(), 1u) << "the plugin takes raw bytes only: one item";
  EXPECT_THAT(runs[0], HasSubstr("attack.bin|failed|"));
  EXPECT_GT(runs[0].size(), std::string("attack.bin|failed|").size()) << "a reason";
  RunResult eval = Vigil("shadow.db", "eval shadow --json");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  const nlohmann::json report = nlohmann::json::parse(eval.out);
  EXPECT_EQ(report["shadows"][0]["items"], 1);
  EXPECT_EQ(report["shadows"][0]["shadow_failed"], 1);
  EXPECT_EQ(report["shadows"][0]["compared"], 0);
  EXPECT_TRUE(report["shadows"][0]["agreement"].is_null());
}

TEST_F(ShadowCli, BadShadowsAreRefusedWithOneLine) {
  const std::string items = (dir_ / "items").string();
  RunResult unknown = Vigil("s.db", "scan --shadow acme.nothing " + items);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("--shadow acme.nothing: no such detector loaded"));
  RunResult relied = Vigil("s.db", "scan --shadow vigil.pdq " + items);
  EXPECT_EQ(relied.exit_code, 1);
  EXPECT_THAT(relied.err, HasSubstr("the policy relies on it"));
  RunResult no_store =
      Vigil("s.db", "--developer-mode --plugin-dir " + Plugin("hostile-forge-hash-match") +
                        " scan --no-store --shadow acme.forger " + items);
  EXPECT_EQ(no_store.exit_code, 1);
  EXPECT_THAT(no_store.err, HasSubstr("cannot be used with --no-store"));
  EXPECT_FALSE(fs::exists(dir_ / "s.db") &&
               !Rows("s.db", "SELECT 1 FROM items").empty());  // nothing scanned
  // No shadow results yet: eval shadow says how to get some.
  ASSERT_EQ(Vigil("empty.db", "scan " + items).exit_code, 0);
  RunResult none = Vigil("empty.db", "eval shadow");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("no shadow results in the store: run `vigil scan --shadow"));
}

}  // namespace
}  // namespace vigil::testing
