// Issue 18 items 10 and 12 through the `vigil` command: a plugin flooding an item with
// 150,000 detections (in process and in a worker), and `vigil audit verify` on a store
// whose triggers or audit log were changed by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.h"

namespace vigil::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class StoreIntegrityCli : public CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    fs::create_directories(dir_ / "items");
    std::ofstream(dir_ / "items" / "item.bin") << "any bytes will do";
  }

  // `vigil` with the shipped plugins only; extra global flags first.
  RunResult Vigil(const std::string& args) {
    return Run("env -u VIGIL_PLUGIN_PATH " + CliFixture::Vigil() + " --store " + Store() + " " +
               args);
  }

  // Runs SQL on the store as someone with the file would (the sqlite3 shell).
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(Store().c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  int64_t Count(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(Store().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      n = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }
};

// [SECTION] item 12: detections per item are capped, and the cap is on record.

class FloodCli : public StoreIntegrityCli, public ::testing::WithParamInterface<const char*> {
 protected:
  std::string Flood() const {
    const fs::path plugin = fs::path(VIGIL_TEST_PLUGIN_DIR) / "hostile" / "hostile-flood.so";
    EXPECT_TRUE(fs::exists(plugin)) << "missing " << plugin << ": build vigil_hostile_plugins";
    return "--developer-mode " + std::string(GetParam()) + " --plugin-dir " + plugin.string();
  }
};

TEST_P(FloodCli, DetectionsAreCappedAndTheTruncationRecorded) {
  RunResult scan = Vigil(Flood() + " scan --json " + (dir_ / "items").string());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  nlohmann::json line = nlohmann::json::parse(scan.out, nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << scan.out.substr(0, 2000);
  int flood = 0, severe = 0;
  for (const auto& d : line["detections"]) {
    if (d["detector"] != "hostile.flood") continue;
    ++flood;
    severe += d["label"] == "flood-severe";
  }
  EXPECT_EQ(flood, 256);
  EXPECT_EQ(severe, 3) << "the three severe detections come last; the cap keeps them";
  EXPECT_EQ(line["detections_truncated"]["hostile.flood"]["returned"], 150000);
  EXPECT_EQ(line["detections_truncated"]["hostile.flood"]["kept"], 256);

  EXPECT_EQ(Count("SELECT count(*) FROM detections WHERE detector = 'hostile.flood'"), 256);
  RunResult stats = Vigil("stats --json");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  nlohmann::json json = nlohmann::json::parse(stats.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << stats.out;
  EXPECT_EQ(json["truncated_detections"]["hostile.flood"],
            nlohmann::json({{"items", 1}, {"returned", 150000}, {"kept", 256}}));
  EXPECT_EQ(json["by_detector"]["hostile.flood flood-severe"], 3);
  EXPECT_FALSE(json["by_outcome"].contains("clear")) << json.dump();

  RunResult text = Vigil("stats");
  EXPECT_THAT(text.out, HasSubstr("returned 150000 detections; kept 256"));
  RunResult queue = Vigil("queue show");
  EXPECT_THAT(queue.out, HasSubstr("detector hostile.flood returned 150000 detections; kept 256"));
  EXPECT_EQ(Vigil("audit verify").exit_code, 0);
}

TEST_P(FloodCli, TheCapsAreConfigurable) {
  RunResult scan =
      Vigil(Flood() + " scan --json --max-detections-per-detector 10 " + (dir_ / "items").string());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  nlohmann::json line = nlohmann::json::parse(scan.out, nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << scan.out.substr(0, 2000);
  EXPECT_EQ(line["detections_truncated"]["hostile.flood"]["kept"], 10);
  EXPECT_EQ(Count("SELECT count(*) FROM detections WHERE label = 'flood-severe'"), 3);
  EXPECT_EQ(Count("SELECT detections_returned FROM detector_runs WHERE detector = "
                  "'hostile.flood'"),
            150000);
}

INSTANTIATE_TEST_SUITE_P(InProcessAndWorker, FloodCli, ::testing::Values("--in-process", ""),
                         [](const auto& info) {
                           return std::string(info.index == 0 ? "InProcess" : "Worker");
                         });

TEST_F(StoreIntegrityCli, NonsenseDetectionLimitsAreRefused) {
  for (const char* flags : {"--max-detections-per-detector 0", "--max-detections-per-detector -1",
                            "--max-detections-per-item 0",
                            "--max-detections-per-detector 2000 --max-detections-per-item 1000"}) {
    RunResult scan = Vigil(std::string("scan ") + flags + " " + (dir_ / "items").string());
    EXPECT_NE(scan.exit_code, 0) << flags;
    EXPECT_THAT(scan.err, HasSubstr("detection")) << flags << ": " << scan.err;
    EXPECT_FALSE(fs::exists(Store())) << flags << ": nothing is scanned";
  }
}

// [SECTION] item 10: verify covers the triggers, the schema and the log's coverage.

TEST_F(StoreIntegrityCli, ADroppedTriggerFailsVerifyIsRestoredAndStaysVisible) {
  ASSERT_EQ(Vigil("scan " + (dir_ / "items").string()).exit_code, 0);
  RunResult clean = Vigil("audit verify");
  ASSERT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  Sql("DROP TRIGGER audit_log_no_delete");

  RunResult verify = Vigil("audit verify");
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_THAT(verify.out, HasSubstr("BROKEN  the store's trigger audit_log_no_delete is missing"));
  EXPECT_THAT(verify.out, HasSubstr("FAILED"));
  EXPECT_EQ(Count("SELECT count(*) FROM sqlite_master WHERE name = 'audit_log_no_delete'"), 0)
      << "verify opens the store read-only";

  RunResult stats = Vigil("stats");  // any writable open
  EXPECT_EQ(stats.exit_code, 0);
  EXPECT_THAT(stats.err, HasSubstr("warning: the store's trigger audit_log_no_delete is missing: "
                                   "restored, and recorded in the audit log"));
  EXPECT_EQ(Count("SELECT count(*) FROM sqlite_master WHERE name = 'audit_log_no_delete'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'store.schema_restored'"), 1);

  RunResult after = Vigil("audit verify");
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_THAT(after.out, HasSubstr("BROKEN  entry 2 ("));
  EXPECT_THAT(after.out, HasSubstr("changed by hand (trigger audit_log_no_delete is missing)"));
  EXPECT_THAT(after.out, Not(HasSubstr("BROKEN  the store's trigger")));
}

TEST_F(StoreIntegrityCli, AnEmptiedAuditLogFailsAndExpectHeadStillWorks) {
  ASSERT_EQ(Vigil("scan " + (dir_ / "items").string()).exit_code, 0);
  RunResult verify = Vigil("audit verify");
  ASSERT_EQ(verify.exit_code, 0) << verify.out;
  const size_t at = verify.out.find("head ");
  ASSERT_NE(at, std::string::npos) << verify.out;
  const std::string head = verify.out.substr(at + 5, 64);
  EXPECT_EQ(Vigil("audit verify --expect-head " + head).exit_code, 0);
  RunResult other = Vigil("audit verify --expect-head " + std::string(64, 'a'));
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.out, HasSubstr("not the expected"));

  // Emptied by hand, with the triggers put back so the schema looks untouched.
  Sql("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log; "
      "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log\n"
      "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END");
  RunResult emptied = Vigil("audit verify");
  EXPECT_EQ(emptied.exit_code, 1);
  EXPECT_THAT(emptied.out, HasSubstr("BROKEN  item 1 has no 'item.scanned' audit entry"));
  EXPECT_THAT(emptied.out, HasSubstr("FAILED: 0 entries"));
  EXPECT_THAT(emptied.out, Not(HasSubstr("trigger")));
}

TEST_F(StoreIntegrityCli, ARetypedItemIdFailsVerify) {
  ASSERT_EQ(Vigil("scan " + (dir_ / "items").string()).exit_code, 0);
  Sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET item_id = '1abc' WHERE seq = 1; "
      "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log\n"
      "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END");
  RunResult verify = Vigil("audit verify");
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_THAT(verify.out, HasSubstr("BROKEN  entry 1: item_id is stored as text ('1abc')"));
}

}  // namespace
}  // namespace vigil::testing
