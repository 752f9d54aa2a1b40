// Evidence that the `vigil` command must not lose or falsify (issue 18, items 6-9, 11):
// an export that could not be written is an error and is not audited; unreadable
// folders in a scanned tree are failed items; numeric limits refuse negative and absurd
// values; a truncated JPEG is a failed item; names with control characters print escaped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using vigil::testing::RunResult;
using vigil::testing::Slurp;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

size_t NewlineCount(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

class CliEvidenceTest : public vigil::testing::CliFixture {
 protected:
  RunResult Vigil(const std::string& args) {
    return Run(CliFixture::Vigil() + " --store " + Store() + " " + args);
  }
  // A store where every bridge-mods image is an auto-actioned, so decided, item.
  void ScanDecidedItems() {
    const std::string list = std::string(VIGIL_SOURCE_DIR) + "/samples/lists/demo.te.csv";
    ASSERT_EQ(Vigil("lists import --type pdq --format te-csv --bank te " + list).exit_code, 0);
    RunResult scan = Vigil("scan " + (images_ / "bridge-mods").string());
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
  }
  int ExportAudits() {
    RunResult count =
        Run("sqlite3 " + Store() + " \"SELECT count(*) FROM audit_log WHERE action = 'export'\"");
    EXPECT_EQ(count.exit_code, 0) << count.err;
    return std::stoi(count.out);
  }
  // The command line as nobody (65534) when the suite runs as root, whom permission bits
  // do not stop; as is otherwise.
  std::string Unprivileged(const std::string& command) const {
    if (::geteuid() != 0) return command;
    return "setpriv --reuid=65534 --regid=65534 --clear-groups " + command;
  }
  // A folder anyone may write (for the store of an unprivileged run).
  fs::path OpenFolder(const std::string& name) {
    const fs::path dir = dir_ / name;
    fs::create_directories(dir);
    fs::permissions(dir_, fs::perms(0755));
    fs::permissions(dir, fs::perms(0777));
    return dir;
  }

  fs::path images_ = fs::path(VIGIL_TESTDATA) / "pdq" / "images-and-lists";
};

// [SECTION] Item 6: export write errors

TEST_F(CliEvidenceTest, ExportToAFullDeviceFailsAndIsNotAudited) {
  ScanDecidedItems();
  const int before = ExportAudits();
  RunResult full = Vigil("export --out /dev/full");
  EXPECT_EQ(full.exit_code, 1) << full.err;
  EXPECT_THAT(full.err, HasSubstr("vigil: cannot write /dev/full: No space left on device"));
  EXPECT_THAT(full.err, Not(HasSubstr("decided items")));
  EXPECT_EQ(NewlineCount(full.err), 1u) << full.err;
  // Standard output on a full disk, in both formats.
  for (const char* format : {"jsonl", "csv"}) {
    RunResult piped = Run("(" + CliFixture::Vigil() + " --store " + Store() + " export --format " +
                          format + " >/dev/full)");
    EXPECT_EQ(piped.exit_code, 1) << format;
    EXPECT_THAT(piped.err, HasSubstr("cannot write stdout: No space left on device")) << format;
  }
  EXPECT_EQ(ExportAudits(), before) << "a failed export was audited as done";

  // The same export to a file works, and is audited once.
  RunResult good = Vigil("export --out " + (dir_ / "decided.jsonl").string());
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_THAT(good.err, HasSubstr("exported 12 decided items"));
  EXPECT_EQ(Lines(Slurp(dir_ / "decided.jsonl")).size(), 12u);
  EXPECT_EQ(ExportAudits(), before + 1);
}

TEST_F(CliEvidenceTest, ExportToAnUnwritableTargetFailsAndLeavesTheOldFile) {
  ScanDecidedItems();
  const fs::path locked = OpenFolder("locked");
  const fs::path target = locked / "export.csv";
  std::ofstream(target) << "an earlier export\n";
  fs::permissions(target, fs::perms(0666));
  fs::permissions(Store(), fs::perms(0666));
  fs::permissions(dir_, fs::perms(0777));    // the store's folder: its -wal and -shm files
  fs::permissions(locked, fs::perms(0555));  // no new files (nor renames) in here
  const int before = ExportAudits();
  RunResult r = Run(Unprivileged(CliFixture::Vigil() + " --store " + Store() +
                                 " export --format csv --out " + target.string()));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("vigil: cannot write " + target.string() + ": Permission denied"));
  EXPECT_EQ(NewlineCount(r.err), 1u) << r.err;
  EXPECT_EQ(Slurp(target), "an earlier export\n") << "the old file was changed";
  EXPECT_EQ(std::distance(fs::directory_iterator(locked), fs::directory_iterator()), 1)
      << "a temporary file was left behind";
  EXPECT_EQ(ExportAudits(), before);

  // A folder cannot be the target either; a missing folder names the reason.
  RunResult folder = Vigil("export --out " + dir_.string());
  EXPECT_EQ(folder.exit_code, 1);
  EXPECT_THAT(folder.err, HasSubstr("a folder"));
  RunResult missing = Vigil("export --out " + (dir_ / "nope" / "x.jsonl").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("No such file or directory"));
  EXPECT_EQ(ExportAudits(), before);
}

TEST_F(CliEvidenceTest, ExportReplacesAFileWholeAndLeavesNoTemporaryFile) {
  ScanDecidedItems();
  const fs::path target = dir_ / "exports" / "decided.csv";
  fs::create_directories(target.parent_path());
  std::ofstream(target) << std::string(100000, 'x');  // longer than the export
  RunResult r = Vigil("export --format csv --out " + target.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = Slurp(target);
  EXPECT_EQ(text.find('x' + std::string(50, 'x')), std::string::npos) << "old bytes remain";
  EXPECT_EQ(Lines(text).size(), 13u);  // the header and 12 items
  EXPECT_EQ(std::distance(fs::directory_iterator(target.parent_path()), fs::directory_iterator()),
            1)
      << "a temporary file was left behind";
}

// [SECTION] Item 7: unreadable folders and files

TEST_F(CliEvidenceTest, UnreadableFoldersAndFilesAreFailedItemsInTheSummary) {
  const fs::path tree = OpenFolder("tree");
  fs::create_directories(tree / "locked" / "deeper");
  fs::copy_file(images_ / "misc-images" / "wee.jpg", tree / "readable.jpg");
  fs::copy_file(images_ / "misc-images" / "small.jpg", tree / "locked" / "evidence.jpg");
  fs::copy_file(images_ / "misc-images" / "c.png", tree / "locked" / "deeper" / "more.png");
  fs::copy_file(images_ / "misc-images" / "c.png", tree / "sealed.png");
  fs::permissions(tree / "readable.jpg", fs::perms(0644));
  fs::permissions(tree / "sealed.png", fs::perms(0));  // a file nobody may read
  fs::permissions(tree / "locked", fs::perms(0));      // a folder nobody may list
  const fs::path store_dir = OpenFolder("store");
  const std::string scan =
      CliFixture::Vigil() + " --store " + (store_dir / "s.db").string() + " scan " + tree.string();
  RunResult human = Run(Unprivileged(scan));
  // --rescan: the same scan again would skip readable.jpg as already scanned (issue 12).
  RunResult json = Run(Unprivileged(scan + " --json --rescan"));
  fs::permissions(tree / "locked", fs::perms(0755));
  ASSERT_EQ(human.exit_code, 0) << human.err;
  // Human output: each unreadable entry is a failed line with its reason; the summary
  // counts them.
  EXPECT_THAT(human.out, HasSubstr((tree / "locked").string() +
                                   ": failed (cannot read folder: Permission denied)"));
  EXPECT_THAT(human.out, HasSubstr((tree / "sealed.png").string() + ": failed ("));
  EXPECT_THAT(human.err, HasSubstr("scanned 3 items with"));
  EXPECT_THAT(human.err, HasSubstr(": 2 failed,"));
  // JSON: the same items, failed, with the reason.
  ASSERT_EQ(json.exit_code, 0) << json.err;
  std::map<std::string, nlohmann::json> items;
  for (const std::string& line : Lines(json.out)) {
    auto j = nlohmann::json::parse(line);
    items[j["item"].get<std::string>()] = j;
  }
  ASSERT_EQ(items.size(), 3u) << json.out;
  EXPECT_EQ(items[(tree / "readable.jpg").string()]["status"], "ok");
  const auto& locked = items[(tree / "locked").string()];
  EXPECT_EQ(locked["status"], "failed");
  EXPECT_THAT(locked["error"].get<std::string>(), HasSubstr("Permission denied"));
  const auto& sealed = items[(tree / "sealed.png").string()];
  EXPECT_EQ(sealed["status"], "failed");
  EXPECT_THAT(sealed["error"].get<std::string>(), HasSubstr("ermission denied"));
}

// [SECTION] Item 8: numeric limits

TEST_F(CliEvidenceTest, NegativeAndAbsurdLimitsAreRefusedWithTheRange) {
  std::ofstream(dir_ / "a.txt") << "a";
  const std::string target = (dir_ / "a.txt").string();
  struct Case {
    std::string args;
    const char* range;
  } cases[] = {
      {"scan --max-pixels -1 " + target, "not in range 1 to 900000000"},
      {"scan --max-pixels 0 " + target, "not in range 1 to 900000000"},
      {"scan --max-pixels 18446744073709551615 " + target, "not in range 1 to 900000000"},
      {"scan --max-pixels 900000001 " + target, "not in range 1 to 900000000"},
      {"scan --threads -1 " + target, "not in range 0 to 256"},
      {"scan --threads 100000 " + target, "not in range 0 to 256"},
      {"scan --deadline-ms -5 " + target, "not in range 1 to 3600000"},
      {"scan --deadline-ms 0 " + target, "not in range 1 to 3600000"},
      {"scan --deadline-ms 99999999999 " + target, "not in range 1 to 3600000"},
      {"queue show --limit -1", "not in range 1 to 100000"},
      {"queue show --limit 0", "not in range 1 to 100000"},
      {"lists import --type md5 --format plain --bank b --severity -1 " + target,
       "not in range 0 to 5"},
      {"lists import --type md5 --format plain --bank b --severity 6 " + target,
       "not in range 0 to 5"},
  };
  for (const Case& c : cases) {
    RunResult r = Vigil(c.args);
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_THAT(r.err, HasSubstr(c.range)) << c.args << "\n" << r.err;
    EXPECT_THAT(r.out, Not(HasSubstr("scanned"))) << c.args;
  }
  EXPECT_FALSE(fs::exists(Store())) << "a refused command touched the store";
  // The limit still applies at its smallest: a 1-pixel budget fails every image.
  RunResult tiny = Vigil("scan --json --no-store --max-pixels 1 " +
                         (images_ / "misc-images" / "wee.jpg").string());
  ASSERT_EQ(tiny.exit_code, 0) << tiny.err;
  auto j = nlohmann::json::parse(Lines(tiny.out).at(0));
  EXPECT_EQ(j["status"], "failed");
  EXPECT_THAT(j["error"].get<std::string>(), HasSubstr("max_pixels"));
}

// [SECTION] Item 9: a JPEG cut short with an EOI appended

TEST_F(CliEvidenceTest, TruncatedJpegWithAnEoiIsAFailedItem) {
  std::ifstream in(images_ / "bridge-mods" / "aaa-orig.jpg", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 1000u);
  std::ofstream(dir_ / "cut.jpg", std::ios::binary)
      << bytes.substr(0, bytes.size() * 3 / 10) << "\xff\xd9";
  RunResult r = Vigil("scan --json --no-store " + (dir_ / "cut.jpg").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(Lines(r.out).at(0));
  EXPECT_EQ(j["status"], "failed") << r.out;
  EXPECT_THAT(j.value("error", ""), HasSubstr("truncated JPEG")) << r.out;
}

// [SECTION] Item 11: names with control characters in human output

TEST_F(CliEvidenceTest, NamesWithNewlinesAndEscapesPrintOnOneEscapedLine) {
  const fs::path folder = dir_ / "in";
  fs::create_directories(folder);
  // A corrupt PNG (so the item fails and is printed) whose name forges a summary line
  // and clears the screen.
  const std::string name =
      "x\n\x1b[2Jvigil: scanned 0 items with 0 detectors on 1 threads: 0 failed\r\t\xc2\x9b.png";
  std::ofstream(folder / name, std::ios::binary) << "\x89PNG\r\n\x1a\n" << std::string(40, '\0');
  fs::copy_file(images_ / "misc-images" / "wee.jpg", folder / "plain.jpg");
  RunResult scan = Vigil("scan " + folder.string());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  const std::string escaped = (folder / "x").string() +
                              "\\x0a\\x1b[2Jvigil: scanned 0 items with 0 detectors on 1 "
                              "threads: 0 failed\\x0d\\x09\\xc2\\x9b.png";
  EXPECT_EQ(Lines(scan.out).size(), 1u) << scan.out;  // the failed item only
  EXPECT_THAT(scan.out, HasSubstr(escaped + ": failed"));
  EXPECT_EQ(scan.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(scan.out.find('\r'), std::string::npos);
  // stderr: the real summary, once, and no forged one at the start of a line.
  EXPECT_EQ(scan.err.find("\nvigil: scanned 0"), std::string::npos) << scan.err;
  EXPECT_THAT(scan.err, HasSubstr("vigil: scanned 2 items"));

  // queue show: the failed item is queued; its path and reason print escaped, one
  // paragraph of three lines.
  RunResult queue = Vigil("queue show");
  ASSERT_EQ(queue.exit_code, 0) << queue.err;
  EXPECT_THAT(queue.out, HasSubstr("  " + escaped + "\n  Why: "));
  EXPECT_EQ(queue.out.find('\x1b'), std::string::npos);
  EXPECT_EQ(Lines(queue.out).size(), 3u) << queue.out;

  // JSON stays JSON: the name is kept exactly, escaped by JSON itself.
  RunResult json = Vigil("scan --json --no-store " + folder.string());
  ASSERT_EQ(json.exit_code, 0);
  auto lines = Lines(json.out);
  ASSERT_EQ(lines.size(), 2u);
  std::vector<std::string> items;
  for (const std::string& line : lines) items.push_back(nlohmann::json::parse(line)["item"]);
  EXPECT_THAT(items, ::testing::UnorderedElementsAre((folder / name).string(),
                                                     (folder / "plain.jpg").string()));
}

TEST_F(CliEvidenceTest, OneLineErrorsEscapeTheNamesTheyQuote) {
  RunResult r =
      Vigil("scan --policy '" + (dir_ / "no\npolicy\x1b[31m.toml").string() + "' " + dir_.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(NewlineCount(r.err), 1u) << r.err;
  EXPECT_THAT(r.err, HasSubstr("no\\x0apolicy\\x1b[31m.toml"));
}

}  // namespace
