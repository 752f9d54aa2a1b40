// Issue 13 item 3 through the `vigil` command on a workstation store: `[store] keep_media`
// keeps the media of queued items (the key file's rules are one-line errors), and `vigil
// retention run|hold|release|holds` with --dry-run and --json.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using vigil::testing::RunResult;

class CliRetentionTest : public vigil::testing::CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    fs::create_directories(dir_ / "items");
    item_ = dir_ / "items" / "small.jpg";
    fs::copy_file(testdata_ / "pdq" / "images-and-lists" / "misc-images" / "small.jpg", item_);
    // The item's MD5 in an exact list with a category the default policy sends to review.
    ASSERT_EQ(Run("sh -c 'md5sum " + item_.string() + " | cut -d\\  -f1 > " +
                  (dir_ / "list").string() + "'")
                  .exit_code,
              0);
    ASSERT_EQ(fs::file_size(dir_ / "list"), 33u);
    ASSERT_EQ(Vigil("lists import --type md5 --format plain --bank b --category B1 " +
                    (dir_ / "list").string())
                  .exit_code,
              0);
    WriteKey("media.key", 32, 0600);
    // Any detection goes to a person (the default policy also names the classifier).
    std::ofstream(dir_ / "policy.toml") << "[defaults]\nunmatched = \"review\"\n";
    std::ofstream(dir_ / "org.toml") << "[store]\nmedia_key_file = \"media.key\"\n"
                                        "keep_media = true\nretention_days = 30\n";
  }
  RunResult Vigil(const std::string& args) {
    return Run("USER=sam HOME=" + dir_.string() + " " + CliFixture::Vigil() + " --store " +
               Store() + " " + args);
  }
  std::string Sql(const std::string& sql) {
    RunResult r = Run("sqlite3 " + Store() + " \"" + sql + "\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }
  void WriteKey(const std::string& name, size_t size, mode_t mode) {
    std::ofstream(dir_ / name, std::ios::binary) << std::string(size, 'k');
    ::chmod((dir_ / name).c_str(), mode);
  }
  std::string Config() const { return "--config " + (dir_ / "org.toml").string(); }

  fs::path item_;
};

TEST_F(CliRetentionTest, KeepMediaNeedsAPrivateKeyOfTheRightSize) {
  std::ofstream(dir_ / "nokey.toml") << "[store]\nkeep_media = true\n";
  RunResult no_key = Vigil("scan --policy " + (dir_ / "policy.toml").string() + " --config " +
                           (dir_ / "nokey.toml").string() + " " + item_.string());
  EXPECT_EQ(no_key.exit_code, 1);
  EXPECT_THAT(no_key.err, HasSubstr("keep_media = true keeps the media"));
  ::chmod((dir_ / "media.key").c_str(), 0644);
  RunResult open_key = Vigil("scan --policy " + (dir_ / "policy.toml").string() + " " + Config() +
                             " " + item_.string());
  EXPECT_EQ(open_key.exit_code, 1);
  EXPECT_THAT(open_key.err, HasSubstr("accessible to group or others (mode 0644)"));
  // One line (other lines may be plugin warnings of the build tree).
  EXPECT_THAT(open_key.err, HasSubstr("media.key is accessible to group or others (mode 0644): "
                                      "chmod 600 it\n"));
  WriteKey("media.key", 16, 0600);
  RunResult short_key = Vigil("scan --policy " + (dir_ / "policy.toml").string() + " " + Config() +
                              " " + item_.string());
  EXPECT_EQ(short_key.exit_code, 1);
  EXPECT_THAT(short_key.err, HasSubstr("holds 16 bytes"));
  std::ofstream(dir_ / "bad.toml") << "[store]\nretention = 3\n";
  RunResult bad = Vigil("retention holds --config " + (dir_ / "bad.toml").string());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("unknown key 'retention'"));
  // Without keep_media the workstation store keeps nothing (the console reads the file).
  RunResult plain =
      Vigil("scan --policy " + (dir_ / "policy.toml").string() + " " + item_.string());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(Sql("SELECT count(*) FROM media"), "0");
}

TEST_F(CliRetentionTest, RetentionRunHoldReleaseAndDryRun) {
  RunResult scan = Vigil("scan --policy " + (dir_ / "policy.toml").string() + " " + Config() + " " +
                         item_.string());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  ASSERT_EQ(Sql("SELECT count(*) FROM media"), "1");
  const std::string item = Sql("SELECT item_id FROM media");
  // Not decided: nothing to delete.
  RunResult fresh = Vigil("retention run --json " + Config());
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  auto fresh_json = nlohmann::json::parse(fresh.out, nullptr, false);
  ASSERT_TRUE(fresh_json.is_object()) << fresh.out;
  EXPECT_EQ(fresh_json["retention_days"], 30);
  EXPECT_TRUE(fresh_json["deleted"].empty());
  EXPECT_EQ(fresh_json["kept"], 1);

  // Decided 40 days ago (past the 30 days of the config).
  Sql("UPDATE queue SET state = 'decided' WHERE item_id = " + item +
      "; INSERT INTO decisions (item_id, reviewer, decision, reason, decided_at) VALUES (" + item +
      ", 'alice', 'B1', 'r', strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-40 days'))");
  RunResult hold = Vigil("retention hold " + item + " --until 2099-12-31 --reason 'legal 17'");
  ASSERT_EQ(hold.exit_code, 0) << hold.err;
  RunResult holds = Vigil("retention holds --json");
  ASSERT_EQ(holds.exit_code, 0) << holds.err;
  EXPECT_THAT(holds.out, HasSubstr("\"reason\":\"legal 17\""));
  RunResult held = Vigil("retention run --json " + Config());
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_THAT(held.out, HasSubstr("\"held\":[{\"item\":" + item));
  EXPECT_EQ(Sql("SELECT count(*) FROM media"), "1");
  ASSERT_EQ(Vigil("retention release " + item).exit_code, 0);
  RunResult again = Vigil("retention release " + item);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("has no hold to release"));
  RunResult past = Vigil("retention hold " + item + " --until 2001-01-01 --reason x");
  EXPECT_EQ(past.exit_code, 2);
  EXPECT_THAT(past.err, HasSubstr("in the past"));

  RunResult dry = Vigil("retention run --dry-run " + Config());
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("item " + item + ": would delete its media"));
  EXPECT_THAT(dry.err, HasSubstr("--dry-run: nothing changed"));
  EXPECT_EQ(Sql("SELECT count(*) FROM media"), "1");
  RunResult run = Vigil("retention run " + Config());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("item " + item + ": deleted its media"));
  EXPECT_EQ(Sql("SELECT count(*) FROM media"), "0");
  EXPECT_EQ(Sql("SELECT count(*) FROM items"), "1");
  EXPECT_EQ(Sql("SELECT count(*) FROM signals WHERE item_id = " + item) != "0", true);
  EXPECT_EQ(Sql("SELECT group_concat(DISTINCT actor) FROM audit_log WHERE action = "
                "'media.deleted'"),
            "sam");
  EXPECT_EQ(Sql("SELECT group_concat(action) FROM audit_log WHERE action LIKE 'retention.%' "
                "OR action = 'media.deleted'"),
            "retention.hold,retention.release,media.deleted");
}

}  // namespace
