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

// [SECTION] issue 12: imports that import nothing or not everything, merges, bad input,
// killed imports, verification

// An NCMEC page with MD5 + SHA-1 + PDQ on one record (TEST DATA: hashes of the benign shared
// bridge image). On main this failed with "--type is required".
TEST_F(CliListsTest, NcmecImportWithoutTypeTakesEveryFingerprintOnOneEntry) {
  std::ofstream(dir_ / "page.xml")
      << "<?xml version=\"1.0\"?>\n"
         "<queryResult xmlns=\"https://hashsharing.ncmec.org/hashsharing/v2\">\n"
         "  <images count=\"1\" maxTimestamp=\"2026-11-29T12:00:00Z\">\n"
         "    <image>\n"
         "      <member id=\"7\">Vigil test data</member>\n"
         "      <timestamp>2026-11-29T12:00:00Z</timestamp>\n"
         "      <id>all-three</id>\n"
         "      <classification>A1</classification>\n"
         "      <fingerprints>\n"
         "        <md5>d35c785545392755e7e4164457657269</md5>\n"
         "        <sha1>ea45d7166b30f98aac6af52f952193ce3083cb4c</sha1>\n"
         "        <pdq>d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22</pdq>\n"
         "      </fingerprints>\n"
         "    </image>\n"
         "  </images>\n"
         "</queryResult>\n";
  RunResult imported =
      Vigil("lists import --format ncmec-xml --bank ncmec " + (dir_ / "page.xml").string());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("bank ncmec: 3 added"));
  RunResult shown = Vigil("lists show");
  EXPECT_THAT(shown.out, HasSubstr("(pdq 1, md5 1, sha1 1, sha256 0)"));
  for (const char* query :
       {"md5 d35c785545392755e7e4164457657269", "sha1 ea45d7166b30f98aac6af52f952193ce3083cb4c",
        "pdq d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b23"}) {
    const std::string q = query;
    RunResult m =
        Vigil("match --json --type " + q.substr(0, q.find(' ')) + " " + q.substr(q.find(' ') + 1));
    ASSERT_EQ(m.exit_code, 0) << m.err;
    auto hit = nlohmann::json::parse(m.out.substr(0, m.out.find('\n')));
    ASSERT_EQ(hit["matches"].size(), 1u) << query;
    EXPECT_EQ(hit["matches"][0]["entry_id"], "7-all-three") << query;
    EXPECT_EQ(hit["matches"][0]["category"], "A1") << query;
  }
  // --type is a filter: only the PDQ value, into another bank.
  RunResult filtered = Vigil("lists import --type pdq --format ncmec-xml --bank only-pdq " +
                             (dir_ / "page.xml").string());
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_THAT(filtered.out, HasSubstr("1 added"));
  EXPECT_THAT(filtered.out, HasSubstr("(md5 1, sha1 1)"));
  // "plain" holds bare values: the type cannot be guessed.
  RunResult plain = Vigil("lists import --format plain --bank p " + Sample("demo.hma.txt"));
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_THAT(plain.err, HasSubstr("--type"));
}

// A type filter that leaves nothing of a non-empty file fails and names the types the file
// holds (on main: "0 added ... 1 values of other types ignored", exit 0, an empty bank).
TEST_F(CliListsTest, AnImportThatImportsNothingFailsAndNamesTheTypesTheFileHolds) {
  RunResult r = Vigil("lists import --type md5 --format stopncii-json --bank s " +
                      (testdata_ / "formats" / "stopncii" / "fetch_hashes_1.json").string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr("holds no md5 values, only pdq 1"));
  EXPECT_FALSE(fs::exists(dir_ / "lists" / "hash-banks" / "s.bank"));
}

// Every record bad: exit 1, no bank created, an existing bank untouched (on main: exit 0 and
// an empty bank). The same for URL lists.
TEST_F(CliListsTest, AnImportWhoseEveryRecordIsBadFailsAndLeavesNoBank) {
  std::ofstream(dir_ / "bad.txt") << "pdq 1234\nmd5 not-hex\nsha9 00\n";
  const fs::path bank = dir_ / "lists" / "hash-banks" / "b.bank";
  RunResult r = Vigil("lists import --format hma --bank b " + (dir_ / "bad.txt").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("line 3"));
  EXPECT_THAT(r.err, HasSubstr("every record"));
  EXPECT_FALSE(fs::exists(bank));
  ASSERT_EQ(Vigil("lists import --format hma --bank b " + Sample("demo.hma.txt")).exit_code, 0);
  const std::string before = Slurp(bank);
  EXPECT_EQ(Vigil("lists import --format hma --bank b " + (dir_ / "bad.txt").string()).exit_code,
            1);
  EXPECT_EQ(Slurp(bank), before);

  std::ofstream(dir_ / "bad-domains.txt") << "bad host.test\n" << std::string(70, 'x') << ".test\n";
  RunResult urls =
      Vigil("lists import --format domains --bank d " + (dir_ / "bad-domains.txt").string());
  EXPECT_EQ(urls.exit_code, 1);
  EXPECT_THAT(urls.err, HasSubstr("line 1"));
  EXPECT_THAT(urls.err, HasSubstr("line 2"));
  EXPECT_FALSE(fs::exists(dir_ / "lists" / "url-lists" / "d.ulist"));
}

// The default is a merge; --replace keeps only the file's entries. Both say what changed.
TEST_F(CliListsTest, ImportsMergeByDefaultAndReplaceOnRequest) {
  std::ofstream(dir_ / "one.txt") << "a.example.test\tid=A\nb.example.test\tid=B\n";
  std::ofstream(dir_ / "two.txt") << "b.example.test\tid=B\tseverity=5\n*.c.example.test\tid=C\n";
  const std::string import = "lists import --format domains --bank feed ";
  ASSERT_EQ(Vigil(import + (dir_ / "one.txt").string()).exit_code, 0);
  RunResult merged = Vigil(import + (dir_ / "two.txt").string());
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_THAT(merged.out, HasSubstr("1 added, 1 updated, 0 deleted, 1 unchanged; 3 entries now"));
  RunResult check = Vigil("url check http://a.example.test/ http://www.c.example.test/x");
  EXPECT_THAT(check.out, HasSubstr("http://a.example.test/: LISTED"));
  EXPECT_THAT(check.out, HasSubstr("www.c.example.test/x: LISTED"));
  RunResult replaced = Vigil(import + "--replace " + (dir_ / "two.txt").string());
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_THAT(replaced.out, HasSubstr("0 added, 0 updated, 1 deleted, 2 unchanged; 2 entries now"));
  EXPECT_THAT(Vigil("url check http://a.example.test/").out, HasSubstr("not listed"));

  // Hash banks: NCMEC pages update and delete by entry id, other entries stay.
  ASSERT_EQ(Vigil("lists import --format hma --bank n " + Sample("demo.hma.txt")).exit_code, 0);
  const fs::path ncmec = testdata_ / "formats" / "ncmec";
  ASSERT_EQ(
      Vigil("lists import --format ncmec-xml --bank n " + (ncmec / "entries_xml3.xml").string())
          .exit_code,
      0);
  RunResult page4 =
      Vigil("lists import --format ncmec-xml --bank n " + (ncmec / "entries_xml4.xml").string());
  ASSERT_EQ(page4.exit_code, 0) << page4.err;
  EXPECT_THAT(page4.out,
              HasSubstr("bank n: 0 added, 1 updated, 1 deleted, 4 unchanged; 5 entries now"));
}

// A killed import's temporary file is removed by the next import; one a live import is
// writing is not. (On main the file stayed for good.)
TEST_F(CliListsTest, TheNextImportRemovesTheTemporaryFileOfAKilledImport) {
  const fs::path banks = dir_ / "lists" / "hash-banks";
  fs::create_directories(banks);
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a writer that is gone
  const fs::path stale = banks / ("known.bank.tmp-" + std::to_string(child) + "-Ab12Cd");
  std::ofstream(stale) << "half a bank";
  const fs::path live = banks / ("known.bank.tmp-" + std::to_string(::getpid()) + "-Ef34Gh");
  std::ofstream(live) << "being written";
  RunResult r = Vigil("lists import --format hma --bank known " + Sample("demo.hma.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("left by an import that did not finish"));
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
}

// A byte flipped in a bank's payload after import: `lists verify` fails and `match` refuses
// the bank with a one-line error (on main `match` aborted with an uncaught exception).
TEST_F(CliListsTest, AFlippedPayloadByteFailsVerifyAndMatchDoesNotUseTheBank) {
  ASSERT_EQ(Vigil("lists import --format te-csv --bank te " + Sample("demo.te.csv")).exit_code, 0);
  RunResult ok = Vigil("lists verify");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("hash bank te: ok, 3 entries"));
  const fs::path bank = dir_ / "lists" / "hash-banks" / "te.bank";
  std::string bytes = Slurp(bank);
  const size_t at = bytes.find("9000000000000002");  // an entry id in the string section
  ASSERT_NE(at, std::string::npos);
  {
    std::fstream f(bank, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at));
    f.put('8');
  }
  RunResult verify = Vigil("lists verify");
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_THAT(verify.out, HasSubstr("hash bank te: DAMAGED"));
  EXPECT_THAT(verify.out, HasSubstr("checksum mismatch"));
  RunResult match =
      Vigil("match --type pdq d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22");
  EXPECT_EQ(match.exit_code, 1);
  EXPECT_THAT(match.err, HasSubstr("cannot be used"));
  EXPECT_THAT(match.out, ::testing::Not(HasSubstr("9000000000000001")));
}

}  // namespace
