// Signed bundles (issue 15 item 4): `vigil export --sign KEY --out DIR` makes a folder whose
// manifest lists the export's SHA-256 and the audit chain head, signed with Ed25519;
// `vigil bundle verify` checks it offline and fails on any change: one byte of a file,
// the manifest, a file added or removed, another signer, a store whose chain differs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using vigil::testing::RunResult;
using vigil::testing::Slurp;

class CliBundleTest : public vigil::testing::CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_EQ(Run(CliFixture::Vigil() + " plugins keygen --out " + (dir_ / "keys").string())
                  .exit_code,
              0);
    ASSERT_EQ(Run(CliFixture::Vigil() + " plugins keygen --out " + (dir_ / "other").string())
                  .exit_code,
              0);
    const std::string list = std::string(VIGIL_SOURCE_DIR) + "/samples/lists/demo.te.csv";
    ASSERT_EQ(Vigil("lists import --type pdq --format te-csv --bank te " + list).exit_code, 0);
    RunResult scan = Vigil("scan " + (fs::path(VIGIL_TESTDATA) / "pdq" / "images-and-lists" /
                                      "bridge-mods")
                                         .string());
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
  }
  RunResult Vigil(const std::string& args) {
    return Run(CliFixture::Vigil() + " --store " + Store() + " " + args);
  }
  std::string Key() const { return (dir_ / "keys" / "vigil-signing.key").string(); }
  std::string Pub() const { return (dir_ / "keys" / "vigil-signing.pub").string(); }
  fs::path Bundle() const { return dir_ / "bundle"; }
  RunResult MakeBundle() { return Vigil("export --sign " + Key() + " --out " + Bundle().string()); }
  RunResult Verify(const std::string& extra = "") {
    return Vigil("bundle verify " + Bundle().string() + " --key " + Pub() + " " + extra);
  }
  void FlipByte(const fs::path& file, size_t offset) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x01));
  }
};

TEST_F(CliBundleTest, SignedExportVerifiesAndNamesTheAuditHead) {
  RunResult made = MakeBundle();
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_THAT(made.err, HasSubstr("signed bundle"));
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(Bundle())) {
    names.insert(entry.path().filename().string());
  }
  EXPECT_EQ(names, (std::set<std::string>{"decisions.jsonl", "manifest.json", "manifest.sig"}));
  EXPECT_FALSE(Slurp(Bundle() / "decisions.jsonl").empty());
  // The manifest's head is the store's newest entry: the export's own, which names the
  // file's hash.
  auto manifest = nlohmann::json::parse(Slurp(Bundle() / "manifest.json"));
  RunResult head = Run("sqlite3 " + Store() +
                       " \"SELECT seq || ' ' || hash || ' ' || details FROM audit_log ORDER BY "
                       "seq DESC LIMIT 1\"");
  ASSERT_EQ(head.exit_code, 0);
  EXPECT_THAT(head.out, HasSubstr(std::to_string(manifest["audit_head"]["seq"].get<int64_t>()) +
                                  " " + manifest["audit_head"]["hash"].get<std::string>()));
  EXPECT_THAT(head.out, HasSubstr(manifest["files"][0]["sha256"].get<std::string>()));

  RunResult ok = Verify("--with-store");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("OK: "));
  // Without --key it still checks, and says the signer was not compared.
  RunResult keyless = Vigil("bundle verify " + Bundle().string());
  EXPECT_EQ(keyless.exit_code, 0) << keyless.out;
  EXPECT_THAT(keyless.out, HasSubstr("no --key"));
}

TEST_F(CliBundleTest, OneChangedByteOfTheExportFails) {
  ASSERT_EQ(MakeBundle().exit_code, 0);
  FlipByte(Bundle() / "decisions.jsonl", 10);
  RunResult bad = Verify();
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("BROKEN  decisions.jsonl changed"));
  EXPECT_THAT(bad.out, HasSubstr("FAILED"));
}

TEST_F(CliBundleTest, AChangedManifestFails) {
  ASSERT_EQ(MakeBundle().exit_code, 0);
  // Rewrite the manifest to match a changed file: the signature no longer does.
  FlipByte(Bundle() / "decisions.jsonl", 10);
  auto manifest = nlohmann::json::parse(Slurp(Bundle() / "manifest.json"));
  RunResult sum = Run("sha256sum " + (Bundle() / "decisions.jsonl").string());
  manifest["files"][0]["sha256"] = sum.out.substr(0, 64);
  std::ofstream(Bundle() / "manifest.json") << manifest.dump(2) << "\n";
  RunResult bad = Verify();
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("signature does not match"));
  // One flipped byte of the manifest alone, too.
  ASSERT_EQ(Run("rm -rf " + Bundle().string()).exit_code, 0);
  ASSERT_EQ(MakeBundle().exit_code, 0);
  FlipByte(Bundle() / "manifest.json", 40);
  EXPECT_EQ(Verify().exit_code, 1);
}

TEST_F(CliBundleTest, AddedOrMissingFilesAndAnotherSignerFail) {
  ASSERT_EQ(MakeBundle().exit_code, 0);
  std::ofstream(Bundle() / "extra.txt") << "slipped in\n";
  RunResult added = Verify();
  EXPECT_EQ(added.exit_code, 1);
  EXPECT_THAT(added.out, HasSubstr("extra.txt is not in the manifest"));
  fs::remove(Bundle() / "extra.txt");
  fs::remove(Bundle() / "decisions.jsonl");
  RunResult missing = Verify();
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.out, HasSubstr("decisions.jsonl"));

  ASSERT_EQ(Run("rm -rf " + Bundle().string()).exit_code, 0);
  ASSERT_EQ(MakeBundle().exit_code, 0);
  RunResult other = Vigil("bundle verify " + Bundle().string() + " --key " +
                          (dir_ / "other" / "vigil-signing.pub").string());
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.out, HasSubstr("not by the expected key"));
  fs::remove(Bundle() / "manifest.sig");
  EXPECT_EQ(Verify().exit_code, 1);
}

TEST_F(CliBundleTest, AStoreWhoseChainDiffersFails) {
  ASSERT_EQ(MakeBundle().exit_code, 0);
  // Another store: no entry with that head.
  const std::string other = (dir_ / "other.db").string();
  RunResult scanned = Run(CliFixture::Vigil() + " --store " + other + " scan " +
                          (fs::path(VIGIL_TESTDATA) / "pdq" / "images-and-lists" /
                           "bridge-mods")
                              .string());
  ASSERT_EQ(scanned.exit_code, 0) << scanned.err;
  RunResult bad = Run(CliFixture::Vigil() + " --store " + other + " bundle verify " +
                      Bundle().string() + " --key " + Pub() + " --with-store");
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_THAT(bad.out, HasSubstr("store's audit"));
}

TEST_F(CliBundleTest, RefusesWhatItCannotDoCleanly) {
  RunResult no_out = Vigil("export --sign " + Key());
  EXPECT_EQ(no_out.exit_code, 1);
  EXPECT_THAT(no_out.err, HasSubstr("--out DIR"));
  fs::create_directories(Bundle());
  RunResult exists = MakeBundle();
  EXPECT_EQ(exists.exit_code, 1);
  EXPECT_THAT(exists.err, HasSubstr("exists"));
  RunResult bad_key = Vigil("export --sign " + Pub() + " --out " + (dir_ / "b2").string());
  EXPECT_EQ(bad_key.exit_code, 1);
  EXPECT_THAT(bad_key.err, HasSubstr("not a vigil signing key"));
  EXPECT_FALSE(fs::exists(dir_ / "b2"));
  // No half-made folders are left beside the destination.
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_THAT(entry.path().filename().string(), ::testing::Not(HasSubstr("vigil-bundle")));
  }
  RunResult nothing = Vigil("bundle verify " + (dir_ / "nope").string());
  EXPECT_EQ(nothing.exit_code, 2);
  // Hostile manifests: a name that leaves the folder, malformed JSON, a huge file list.
  fs::create_directories(dir_ / "hostile");
  std::ofstream(dir_ / "hostile" / "manifest.json")
      << R"({"format":"vigil.bundle/1","signer":"00","files":[{"name":"../store.db",)"
      << R"("size":1,"sha256":"x"}]})";
  std::ofstream(dir_ / "hostile" / "manifest.sig") << "00\n";
  RunResult escape = Vigil("bundle verify " + (dir_ / "hostile").string());
  EXPECT_EQ(escape.exit_code, 1);
  EXPECT_THAT(escape.out, HasSubstr("not a plain, unique file name"));
  std::ofstream(dir_ / "hostile" / "manifest.json") << "{\"format\": ";
  RunResult malformed = Vigil("bundle verify " + (dir_ / "hostile").string());
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_THAT(malformed.out, HasSubstr("not a vigil.bundle/1 manifest"));
  {
    std::ofstream huge(dir_ / "hostile" / "manifest.json");
    huge << "[";
    for (int i = 0; i < 3'000'000; ++i) huge << "0,0,0,0,0,";
    huge << "0]";
  }
  RunResult too_big = Vigil("bundle verify " + (dir_ / "hostile").string());
  EXPECT_EQ(too_big.exit_code, 1);
  EXPECT_THAT(too_big.out, HasSubstr("too large"));
}

}  // namespace
