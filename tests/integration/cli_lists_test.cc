// Hash banks and URL lists end to end through the CLI: every sample format imports and
// matches its benign images (and rotated/mirrored copies made here), URL evasions match,
// failed imports change nothing, and the store's reports and audit work.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using vigil::testing::RunResult;
using vigil::testing::Slurp;

class CliListsTest : public vigil::testing::CliFixture {
 protected:
  // `vigil --store STORE ARGS`.
  RunResult Vigil(const std::string& args) { return Run(CliFixture::Vigil() + " --store " + Store() + " " + args); }
  std::string Sample(const std::string& name) const {
    return std::string(VIGIL_SOURCE_DIR) + "/samples/lists/" + name;
  }
  // The detections `vigil scan --json` reports for one file.
  nlohmann::json Detections(const fs::path& file) {
    RunResult r = Vigil("scan --no-store --json " + file.string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);
    auto j = nlohmann::json::parse(line);
    return j["detections"];
  }
  static bool HasMatch(const nlohmann::json& detections, const std::string& bank,
                       const std::string& signal) {
    for (const auto& d : detections) {
      if (d["label"] == "hash-match" && d["bank"] == bank && d["signal_type"] == signal) return true;
    }
    return false;
  }

  fs::path images_ = fs::path(VIGIL_TESTDATA) / "pdq" / "images-and-lists";
};

TEST_F(CliListsTest, EverySampleFormatImportsAndMatchesItsImages) {
  struct Case {
    const char* file;
    const char* format;
    const char* type;
    const char* image;   // under images-and-lists
  } cases[] = {
      {"demo.hma.txt", "hma", "pdq", "misc-images/c.png"},
      {"demo.hma.txt", "hma", "md5", "bridge-mods/aaa-orig.jpg"},
      {"demo.te.csv", "te-csv", "pdq", "reg-test-input/pen-and-coaster.png"},
      {"demo.te.csv", "te-csv", "sha1", "bridge-mods/aaa-orig.jpg"},
      {"demo.ncmec.xml", "ncmec-xml", "md5", "misc-images/c.png"},
      {"demo.stopncii.json", "stopncii-json", "pdq", "reg-test-input/pen-and-coaster.png"},
      {"demo.vics.json", "vics-json", "pdq", "bridge-mods/aaa-orig.jpg"},
      {"demo.vics.json", "vics-json", "md5", "reg-test-input/pen-and-coaster.png"},
  };
  for (const auto& c : cases) {
    const std::string bank = std::string(c.format) + "-" + c.type;
    RunResult imported = Vigil(std::string("lists import --type ") + c.type + " --format " +
                               c.format + " --bank " + bank + " " + Sample(c.file));
    ASSERT_EQ(imported.exit_code, 0) << c.file << ": " << imported.err;
    EXPECT_THAT(imported.out, HasSubstr("bank " + bank + ":"));
    EXPECT_TRUE(HasMatch(Detections(images_ / c.image), bank, c.type))
        << c.file << " as " << c.type << " should match " << c.image;
  }
}

TEST_F(CliListsTest, RotatedAndMirroredCopiesMatchThePdqEntry) {
  ASSERT_EQ(Vigil("lists import --type pdq --format hma --bank known " + Sample("demo.hma.txt")).exit_code, 0);
  const fs::path original = images_ / "bridge-mods" / "aaa-orig.jpg";
  for (const char* transform : {"-rotate 90", "-rotate 180", "-rotate 270", "-flip", "-flop", "-transpose"}) {
    const fs::path copy = dir_ / "copy.png";
    std::string command = std::string("convert ") + original.string() + " " + transform + " " + copy.string();
    ASSERT_EQ(std::system(command.c_str()), 0) << "ImageMagick is needed (scripts/install-deps.sh)";
    auto detections = Detections(copy);
    ASSERT_TRUE(HasMatch(detections, "known", "pdq")) << transform << ": " << detections.dump();
    for (const auto& d : detections) EXPECT_LE(d["distance"].get<int>(), 31) << transform;
  }
  // An unrelated image does not match.
  EXPECT_FALSE(HasMatch(Detections(images_ / "reg-test-input" / "labelme-subset" / "q0746.jpg"), "known", "pdq"));
}

TEST_F(CliListsTest, FailedImportLeavesTheBankAsItWas) {
  ASSERT_EQ(Vigil("lists import --type pdq --format hma --bank known " + Sample("demo.hma.txt")).exit_code, 0);
  const fs::path bank = dir_ / "lists" / "hash-banks" / "known.bank";
  const std::string before = Slurp(bank);
  ASSERT_FALSE(before.empty());
  std::ofstream(dir_ / "bad.txt") << "pdq 1234\npdq not-hex-at-all\n";
  RunResult strict = Vigil("lists import --type pdq --format hma --bank known --strict " + (dir_ / "bad.txt").string());
  EXPECT_NE(strict.exit_code, 0);
  EXPECT_THAT(strict.err, HasSubstr("line 1"));
  EXPECT_EQ(Slurp(bank), before);
  RunResult wrong_format = Vigil("lists import --type pdq --format ncmec-xml --bank known " + Sample("demo.hma.txt"));
  EXPECT_NE(wrong_format.exit_code, 0);
  EXPECT_EQ(Slurp(bank), before);
  RunResult bad_name = Vigil("lists import --type pdq --format hma --bank ../escape " + Sample("demo.hma.txt"));
  EXPECT_EQ(bad_name.exit_code, 2);
}

TEST_F(CliListsTest, MatchLooksValuesUpWithoutMedia) {
  ASSERT_EQ(Vigil("lists import --type pdq --format te-csv --bank te " + Sample("demo.te.csv")).exit_code, 0);
  RunResult r = Vigil("match --type pdq --json d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b23 nothex");
  EXPECT_EQ(r.exit_code, 1) << "a malformed value is an error";
  std::istringstream in(r.out);
  std::string first, second;
  std::getline(in, first);
  std::getline(in, second);
  auto hit = nlohmann::json::parse(first);
  ASSERT_EQ(hit["matches"].size(), 1u);
  EXPECT_EQ(hit["matches"][0]["bank"], "te");
  EXPECT_EQ(hit["matches"][0]["category"], "A1");
  EXPECT_EQ(hit["matches"][0]["distance"], 1);
  EXPECT_TRUE(nlohmann::json::parse(second).contains("error"));
}

TEST_F(CliListsTest, UrlEvasionsMatchAndLookAlikesDoNot) {
  const std::string list = std::string(VIGIL_SOURCE_DIR) + "/samples/demo/demo-urls.txt";
  ASSERT_EQ(Vigil("lists import --type url --format plain --bank demo " + list).exit_code, 0);
  RunResult r = Vigil(
      "url check --json "
      "'HTTP://GALLERY.Abuse-Demo.TEST/album/42/%70hoto-7.jpg#x' "      // case, escapes, fragment
      "'http://gallery.abuse-demo.test./album//42/./photo-7.jpg' "        // trailing dot, // and /./
      "'http://sub.hosting.demo-listed.invalid/anything' "                 // domain entry covers sub-domains
      "'http://forum.example.com/uploads/private/x/y.png' "                // prefix entry
      "'http://forum.example.com/uploads/public/x.png' "                   // outside the prefix
      "'http://gallery.abuse-demo.test/album/42/' "                        // a URL entry is never widened
      "'http://g\xd0\xb0llery.abuse-demo.test/album/42/photo-7.jpg'");    // Cyrillic a: a look-alike
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::vector<size_t> matches;
  std::string line;
  while (std::getline(in, line)) matches.push_back(nlohmann::json::parse(line)["matches"].size());
  EXPECT_THAT(matches, ::testing::ElementsAre(1, 1, 1, 1, 0, 0, 0));
}

TEST_F(CliListsTest, ScanQueuesAuditsReportsAndExports) {
  ASSERT_EQ(Vigil("lists import --type pdq --format te-csv --bank te " + Sample("demo.te.csv")).exit_code, 0);
  RunResult scan = Vigil("scan " + (images_ / "bridge-mods").string() + " " +
                         (images_ / "reg-test-input" / "pen-and-coaster.png").string());
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  RunResult stats = Vigil("stats --json");
  auto s = nlohmann::json::parse(stats.out);
  EXPECT_GE(s["by_outcome"]["auto-action"].get<int>(), 1) << stats.out;  // the A1 bridge
  EXPECT_EQ(s["by_outcome"]["review"].get<int>(), 1) << stats.out;       // the B2 pen
  RunResult queue = Vigil("queue show");
  EXPECT_THAT(queue.out, HasSubstr("pen-and-coaster.png"));
  EXPECT_THAT(queue.out, HasSubstr("category B2"));
  RunResult exported = Vigil("export --format csv");
  EXPECT_THAT(exported.out, HasSubstr("item_id,sha256,path"));
  EXPECT_THAT(exported.out, HasSubstr("policy:known match, most severe categories"));
  EXPECT_THAT(exported.out, ::testing::Not(HasSubstr("pen-and-coaster.png")))
      << "undecided items are not exported";
  RunResult verify = Vigil("audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("OK:"));
}

TEST_F(CliListsTest, FileNamesThatAreNotUtf8AreScannedAndPrinted) {
  const fs::path odd = dir_ / std::string("caf\xe9-\xff.jpg");
  fs::copy_file(images_ / "misc-images" / "wee.jpg", odd);
  RunResult r = Vigil("scan --json " + dir_.string() + "/caf*");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(j["status"], "ok");
  EXPECT_THAT(j["item"].get<std::string>(), HasSubstr("caf"));
}

}  // namespace
