// Issue 13 item 6 through the command: a confirmed decision puts the item's
// hashes in a local bank and the next `vigil match` / `vigil scan` / `vigil
// rematch` matches them (a resized copy too) with no import; `vigil lists
// disable|enable|disabled` hold a noisy entry until a date; bad input is
// refused with one line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using vigil::testing::RunResult;

class CliLocalBanksTest : public vigil::testing::CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    if (HasFatalFailure()) return;
    std::ofstream policy(dir_ / "policy.toml");
    policy << "[defaults]\nunmatched = \"review\"\n"
              "[[rules]]\nname = \"hash match\"\nlabels = [\"hash-match\"]\n"
              "outcome = \"review\"\npriority = 500\n"
              "[[bank_rules]]\nname = \"confirmed-a1\"\ndecisions = [\"A1\"]\n"
              "bank = \"local-confirmed\"\n";
  }
  // `USER=admin1 vigil ARGS --store STORE` (the workstation's person, for
  // holds).
  RunResult Vigil(const std::string &args) {
    return Run("USER=admin1 " + CliFixture::Vigil() + " " + args + " --store " + Store());
  }
  std::string Image(const std::string &name) const {
    return (testdata_ / "pdq" / "images-and-lists" / "bridge-mods" / name).string();
  }
  std::string Policy() const { return " --policy " + (dir_ / "policy.toml").string(); }
  // The value of the `type` signal of an image, from a scan that keeps no
  // record.
  std::string Signal(const std::string &image, const std::string &type) {
    RunResult r = Run(CliFixture::Vigil() + " scan --no-store --json " + image + Policy());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto line = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
    if (line.is_object()) {
      for (const auto &s : line["signals"]) {
        if (s["type"] == type) return s["value"].get<std::string>();
      }
    }
    ADD_FAILURE() << "no " << type << " signal: " << r.out;
    return "";
  }
  // The banks and entry ids `vigil match` reports for one value.
  std::set<std::string> Matches(const std::string &type, const std::string &value) {
    RunResult r = Vigil("match --json --type " + type + " " + value);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> out;
    const auto line = nlohmann::json::parse(r.out, nullptr, false);
    if (!line.is_object()) return out;
    for (const auto &m : line["matches"]) {
      out.insert(m["bank"].get<std::string>() + " " + m["entry_id"].get<std::string>());
    }
    return out;
  }
  std::string Scalar(const std::string &sql) {
    sqlite3 *db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(Store().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_stmt *stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  // Seeds the store: a bank with the original image's md5 (B2), so that a scan
  // of it is queued, then the scan; returns the item id.
  std::string QueueTheOriginal() {
    {
      std::ofstream seed(dir_ / "seed.txt");
      seed << "md5 " << Signal(Image("aaa-orig.jpg"), "md5") << "\n";
    }
    RunResult imported = Vigil("lists import --format hma --bank seed --category B2 " +
                               (dir_ / "seed.txt").string());
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
    RunResult scanned = Vigil("scan " + Image("aaa-orig.jpg") + Policy());
    EXPECT_EQ(scanned.exit_code, 0) << scanned.err;
    RunResult claimed = Vigil("queue claim --json --reviewer ann");
    EXPECT_EQ(claimed.exit_code, 0) << claimed.err;
    const auto item = nlohmann::json::parse(claimed.out, nullptr, false);
    return item.is_object() ? std::to_string(item.value("item", 0)) : "0";
  }
};

TEST_F(CliLocalBanksTest, ADecisionReachesMatchingAtOnceAndAHoldStopsItUntilItsDate) {
  const std::string pdq = Signal(Image("aaa-orig.jpg"), "pdq");
  const std::string resized = Signal(Image("shrink-a-lot.jpg"), "pdq");
  ASSERT_NE(pdq, resized);
  const std::string item = QueueTheOriginal();
  EXPECT_TRUE(Matches("pdq", pdq).empty()) << "nothing matches the PDQ hash before";

  // The policy's rule: an A1 decision adds the item's hashes to
  // local-confirmed.
  RunResult decided = Vigil("queue decide " + item + " A1 --reason 'confirmed' --reviewer ann");
  ASSERT_EQ(decided.exit_code, 0) << decided.err;
  const std::string decision = Scalar("SELECT max(id) FROM decisions");
  const std::string entry = "local-confirmed decision-" + decision;
  // The next match, with no import: the same image and a resized copy within
  // PDQ distance.
  EXPECT_EQ(Matches("pdq", pdq), std::set<std::string>{entry});
  EXPECT_EQ(Matches("pdq", resized), std::set<std::string>{entry});
  // The next scan of the resized copy (a hash plugin in its worker) finds it
  // too.
  RunResult scan = Vigil("scan --json " + Image("shrink-a-lot.jpg") + Policy());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_THAT(scan.out,
              HasSubstr("\"bank\":\"local-confirmed\",\"entry_id\":\"decision-" + decision + "\""));
  // Who, when, why: the store's row and the audit log.
  EXPECT_EQ(Scalar("SELECT added_by || ' ' || rule || ' ' || reason || ' ' || "
                   "item_id || ' ' || "
                   "decision_id FROM local_bank_entries WHERE type = 'pdq'"),
            "ann confirmed-a1 confirmed " + item + " " + decision);
  EXPECT_EQ(Scalar("SELECT count(*) FROM audit_log WHERE action = 'bank.entries_added'"), "1");

  // Disabled until a date: no match from the next command on; listed with who
  // and why.
  RunResult disabled = Vigil("lists disable local-confirmed decision-" + decision +
                             " --until 2099-01-01 --reason 'matches a stock photo'");
  ASSERT_EQ(disabled.exit_code, 0) << disabled.err;
  EXPECT_TRUE(Matches("pdq", pdq).empty());
  RunResult rescan = Vigil("scan --json --rescan " + Image("shrink-a-lot.jpg") + Policy());
  ASSERT_EQ(rescan.exit_code, 0) << rescan.err;
  EXPECT_THAT(rescan.out, Not(HasSubstr("local-confirmed")));
  RunResult listed = Vigil("lists disabled");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("bank local-confirmed entry decision-" + decision +
                                    ": disabled until 2099-01-01T00:00:00Z by admin1"));
  EXPECT_THAT(listed.out, HasSubstr("matches a stock photo"));

  // Enabled: it matches again at once.
  RunResult enabled = Vigil("lists enable local-confirmed decision-" + decision);
  ASSERT_EQ(enabled.exit_code, 0) << enabled.err;
  EXPECT_EQ(Matches("pdq", pdq), std::set<std::string>{entry});
  EXPECT_THAT(Vigil("lists disabled").out, HasSubstr("No bank entry is disabled"));

  // An imported bank's entry, by value in any case: held, then its date passes
  // (the store's clock moved on: the hold is written as if made long ago, until
  // a past date), and it matches again with no one acting.
  const std::string md5 = Signal(Image("aaa-orig.jpg"), "md5");
  std::string upper = md5;
  for (char &c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_EQ(Vigil("lists disable seed " + upper + " --until 2099-01-01 --reason dup").exit_code, 0);
  EXPECT_EQ(Matches("md5", md5), (std::set<std::string>{entry}));
  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open(Store().c_str(), &db), SQLITE_OK);
  const std::string old_hold =
      "INSERT INTO bank_entry_holds (bank, entry, "
      "action, until_unix, reason, actor, at) "
      "VALUES ('seed', '" +
      md5 +
      "', 'disable', 1000, 'old hold', 'admin1', "
      "'1970-01-01T00:00:00Z')";
  ASSERT_EQ(sqlite3_exec(db, old_hold.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(Matches("md5", md5), (std::set<std::string>{entry, "seed 0"}));

  RunResult verify = Vigil("audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(CliLocalBanksTest, RematchHonoursDecisionsAndHolds) {
  // An item scanned before any bank knew it, then a decision adds it: rematch
  // of the store finds the resized copy scanned earlier.
  ASSERT_EQ(Vigil("scan " + Image("shrink-a-lot.jpg") + Policy()).exit_code, 0);
  const std::string item = QueueTheOriginal();
  ASSERT_EQ(Vigil("queue decide " + item + " A1 --reviewer ann").exit_code, 0);
  const std::string decision = Scalar("SELECT max(id) FROM decisions");
  ASSERT_EQ(Vigil("lists disable local-confirmed decision-" + decision +
                  " --until 2099-01-01 --reason hold")
                .exit_code,
            0);
  RunResult held = Vigil("rematch --json --bank local-confirmed" + Policy());
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_THAT(held.out, HasSubstr("\"new_matches\":0"));
  ASSERT_EQ(Vigil("lists enable local-confirmed decision-" + decision).exit_code, 0);
  RunResult found = Vigil("rematch --json --bank local-confirmed" + Policy());
  ASSERT_EQ(found.exit_code, 0) << found.err;
  // The original (its own item) and the resized copy scanned before.
  EXPECT_THAT(found.out, HasSubstr("\"new_matches\":2"));
}

TEST_F(CliLocalBanksTest, BadInputIsRefusedWithOneLineAndChangesNothing) {
  const std::string item = QueueTheOriginal();
  RunResult not_local = Vigil("queue decide " + item + " A1 --add-to-bank seed --reviewer ann");
  EXPECT_EQ(not_local.exit_code, 1);
  EXPECT_THAT(not_local.err, HasSubstr("must start with 'local-'"));
  RunResult cleared = Vigil("queue decide " + item +
                            " not-illegal --reason benign --add-to-bank local-x --reviewer ann");
  EXPECT_EQ(cleared.exit_code, 1);
  EXPECT_THAT(cleared.err, HasSubstr("only a confirmed decision"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM decisions"), "0");
  // Explicitly, on a decision the rule does not name.
  RunResult manual =
      Vigil("queue decide " + item + " B1 --add-to-bank local-manual --reviewer ann --json");
  ASSERT_EQ(manual.exit_code, 0) << manual.err;
  EXPECT_THAT(manual.out, HasSubstr("\"added_to_banks\":[\"local-manual\"]"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM local_bank_entries WHERE bank = "
                   "'local-manual' AND "
                   "rule = '' AND category = 'B1'"),
            "4");  // PDQ, MD5, SHA-1, SHA-256

  const auto refused = [&](const std::string &args, int code, const std::string &says) {
    RunResult r = Vigil(args);
    EXPECT_EQ(r.exit_code, code) << args << "\n" << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(says)) << args;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  };
  refused("lists disable nobank 0 --until 2099-01-01 --reason r", 1, "no bank named 'nobank'");
  refused("lists disable seed nope --until 2099-01-01 --reason r", 1, "has no entry 'nope'");
  refused("lists disable seed 0 --until 2099-02-30 --reason r", 2, "--until takes a UTC date");
  refused("lists disable seed 0 --until tomorrow --reason r", 2, "--until takes a UTC date");
  refused("lists disable seed 0 --until 2020-01-01 --reason r", 2, "has passed");
  refused("lists disable seed 0 --until 2099-01-01 --reason ' '", 2, "a reason is required");
  RunResult no_reason = Vigil("lists disable seed 0 --until 2099-01-01");
  EXPECT_NE(no_reason.exit_code, 0);
  EXPECT_THAT(no_reason.err, HasSubstr("--reason is required"));
  refused("lists enable seed 0", 1, "is not disabled");
  refused("lists import --format hma --type md5 --bank local-mine " + (dir_ / "seed.txt").string(),
          2, "local-* banks hold what confirmed decisions add");
  EXPECT_EQ(Scalar("SELECT count(*) FROM bank_entry_holds"), "0");
  EXPECT_FALSE(fs::exists(dir_ / "lists" / "hash-banks" / "local-mine.bank"));
}

}  // namespace
