// Issue 12 through the command, as a user runs it: `vigil scan` run again skips what is
// done and says so (text and --json), --rescan and a changed policy run everything, a
// claimed image that does not decode is failed, paths are real, and `vigil queue show`
// lists the queue by severity, then confidence, then age.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "policy/policy.h"
#include "store/db/database.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using vigil::testing::RunResult;

class CliScanTest : public vigil::testing::CliFixture {
 protected:
  RunResult Vigil(const std::string& args) {
    return Run(CliFixture::Vigil() + " --store " + Store() + " " + args);
  }
  void Write(const std::string& name, const std::string& bytes) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }
  // The --json summary: the stderr line that starts {"summary" (warnings and sanitizer
  // notes may come before or after it).
  static nlohmann::json Summary(const std::string& err) {
    std::istringstream in(err);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("{\"summary\"", 0) == 0) return nlohmann::json::parse(line);
    }
    ADD_FAILURE() << "no JSON summary on stderr:\n" << err;
    return nlohmann::json::object();
  }
  static std::vector<nlohmann::json> JsonLines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }
  std::string Sql(const std::string& sql) {
    auto store = vigil::host::Store::Open(Store(), vigil::host::OpenMode::kReadOnly);
    EXPECT_TRUE(store.ok()) << store.status().message();
    vigil::host::Statement q(store.value()->db(), sql.c_str());
    std::string out;
    while (q.Step() == vigil::host::kRow) out += q.ColumnText(0) + "\n";
    return out;
  }
};

TEST_F(CliScanTest, RunAgainSkipsWhatIsDoneAndRescanRunsEverything) {
  for (int i = 0; i < 5; ++i)
    Write("items/f" + std::to_string(i) + ".bin", "item " + std::to_string(i));
  const std::string items = (dir_ / "items").string();
  RunResult first = Vigil("scan " + items);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("scanned 5 items"));
  EXPECT_THAT(first.err, HasSubstr("0 already scanned"));
  const std::string runs = Sql("SELECT group_concat(detector || ran_at) FROM detector_runs");
  const std::string audit = Sql("SELECT count(*) FROM audit_log");

  RunResult second = Vigil("scan " + items);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("scanned 5 items"));
  EXPECT_THAT(second.err, HasSubstr("5 already scanned"));
  // Nothing ran, so nothing was recorded: the store is as the first scan left it.
  EXPECT_EQ(Sql("SELECT group_concat(detector || ran_at) FROM detector_runs"), runs);
  EXPECT_EQ(Sql("SELECT count(*) FROM audit_log"), audit);

  // --json: one line per item, and the summary as JSON on stderr.
  RunResult json = Vigil("scan --json " + items);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto lines = JsonLines(json.out);
  ASSERT_EQ(lines.size(), 5u) << json.out;
  for (const auto& line : lines) EXPECT_EQ(line["status"], "already-scanned") << line.dump();
  auto summary = Summary(json.err);
  EXPECT_EQ(summary["summary"]["already_scanned"], 5) << json.err;
  EXPECT_EQ(summary["summary"]["items"], 5);

  // --rescan analyses everything again.
  RunResult forced = Vigil("scan --json --rescan " + items);
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  for (const auto& line : JsonLines(forced.out)) EXPECT_EQ(line["status"], "ok") << line.dump();
  EXPECT_EQ(Summary(forced.err)["summary"]["already_scanned"], 0);
  EXPECT_NE(Sql("SELECT count(*) FROM audit_log"), audit);

  // A different policy is a different scan: everything runs again, once.
  std::ofstream(dir_ / "policy.toml") << vigil::host::kDefaultPolicyToml << "\n# stricter\n";
  RunResult edited = Vigil("scan --policy " + (dir_ / "policy.toml").string() + " " + items);
  EXPECT_THAT(edited.err, HasSubstr("0 already scanned"));
  edited = Vigil("scan --policy " + (dir_ / "policy.toml").string() + " " + items);
  EXPECT_THAT(edited.err, HasSubstr("5 already scanned"));

  // What the items were scanned with is recorded.
  EXPECT_THAT(Sql("SELECT scanned_with FROM item_scans LIMIT 1"), HasSubstr("vigil.exact"));
}

TEST_F(CliScanTest, AClaimedImageThatDoesNotDecodeIsFailedNeverClear) {
  Write("in/holiday.jpg", "PK\x03\x04 this is a zip archive, not a photo");
  Write("in/readme.txt", "plain text");
  RunResult scan = Vigil("scan " + (dir_ / "in").string());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;  // the scan completed; the item failed
  EXPECT_THAT(scan.out, HasSubstr("holiday.jpg: failed (declared jpeg by extension (.jpg); "
                                  "not decodable"));
  EXPECT_EQ(scan.out.find("readme.txt"), std::string::npos) << scan.out;
  EXPECT_THAT(scan.err, HasSubstr("1 failed"));
  EXPECT_EQ(Sql("SELECT media_kind || ' ' || status || ' ' || outcome FROM items "
                "WHERE last_path LIKE '%holiday.jpg'"),
            "binary failed failed\n");
  // The exact digests are recorded for it all the same.
  EXPECT_THAT(Sql("SELECT group_concat(type) FROM signals s JOIN items i ON i.id = s.item_id "
                  "WHERE i.last_path LIKE '%holiday.jpg'"),
              HasSubstr("sha256"));
}

TEST_F(CliScanTest, PathsArePrintedAsRealPaths) {
  Write("shared/a.jpg", "not really a jpeg");
  fs::create_directories(dir_ / "scans");
  const std::string real = (fs::canonical(dir_) / "shared" / "a.jpg").string();
  RunResult scan = Vigil("scan --json " + (dir_ / "scans" / ".." / "shared" / "a.jpg").string());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  auto lines = JsonLines(scan.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["item"], real);
  EXPECT_EQ(Sql("SELECT last_path FROM items"), real + "\n");
  RunResult text = Vigil("scan --rescan " + (dir_ / "scans" / ".." / "shared").string());
  EXPECT_THAT(text.out, HasSubstr(real + ": failed"));
  EXPECT_EQ(text.out.find(".."), std::string::npos) << text.out;
}

TEST_F(CliScanTest, QueueShowListsBySeverityThenConfidenceThenAge) {
  {
    auto store = vigil::host::Store::Open(Store());
    ASSERT_TRUE(store.ok()) << store.status().message();
    // name, detector, label, severity, score; added oldest first.
    struct Item {
      const char* name;
      const char* detector;
      const char* label;
      int severity;
      float score;
    };
    const Item items[] = {{"low-hash", "vigil.exact", "hash-match", 2, 1.0f},
                          {"high-weak", "vigil.classifier", "nudity", 4, 0.6f},
                          {"critical-url", "vigil.url", "url-listed", 5, 1.0f},
                          {"high-strong", "vigil.classifier", "nudity", 4, 0.9f},
                          {"low-hash-newer", "vigil.exact", "hash-match", 2, 1.0f}};
    int age = 1000;
    for (const Item& item : items) {
      vigil::host::ItemRecord record;
      record.sha256 = item.name;
      record.path = std::string("/evidence/") + item.name;
      record.media_kind = "image";
      vigil::host::DetectorRun run;
      run.detector = item.detector;
      auto* d = run.result.add_detections();
      d->set_label(item.label);
      d->set_severity(static_cast<vigil::v1::Severity>(item.severity));
      d->set_score(item.score);
      record.runs.push_back(run);
      record.outcome = vigil::host::Policy::Default().Decide(record, {});
      auto id = store.value()->RecordItem(record);
      ASSERT_TRUE(id.ok()) << id.status().message();
      vigil::host::Statement date(store.value()->db(),
                                  "UPDATE queue SET enqueued_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
                                  "'now', ?2) WHERE item_id = ?1");
      date.Bind(1, id.value()).Bind(2, "-" + std::to_string(age) + " seconds");
      ASSERT_EQ(date.Step(), vigil::host::kDone);
      age -= 100;
    }
  }
  RunResult show = Vigil("queue show");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  std::vector<std::string> order;
  std::istringstream in(show.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("  /evidence/", 0) == 0) order.push_back(line.substr(12));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"critical-url", "high-strong", "high-weak", "low-hash",
                                             "low-hash-newer"}))
      << show.out;
}

}  // namespace
