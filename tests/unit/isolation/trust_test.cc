// Signed plugins: every way a signature check must fail, and the swap after the check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "isolation/plugin_trust.h"
#include "loader/plugin_library.h"

namespace vigil::isolation {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

class Trust : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-trust-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "plugins");
    const fs::path source = fs::path(VIGIL_TEST_PLUGIN_DIR) / "test-ok.so";
    ASSERT_TRUE(fs::exists(source)) << "missing " << source << ": build vigil_test_plugins";
    plugin_ = dir_ / "plugins" / "vendor.so";
    fs::copy_file(source, plugin_);
    ASSERT_TRUE(GenerateSigningKey(dir_ / "key-a").ok());
    ASSERT_TRUE(GenerateSigningKey(dir_ / "key-b").ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  Status Sign(const std::string& key) {
    return SignPlugin(plugin_, dir_ / key / "vigil-signing.key", "1.0", {{"test.ok", "0.0.1"}});
  }
  void TrustKey(const std::string& key, bool revoke = false) {
    ASSERT_TRUE(TrustStore::AddKey(dir_ / "store", dir_ / key / "vigil-signing.pub", revoke).ok());
  }
  StatusOr<VerifiedPlugin> Open(bool developer = false) {
    auto store = TrustStore::Load(dir_ / "store");
    EXPECT_TRUE(store.ok());
    return OpenVerifiedPlugin(plugin_, store.value(), {developer, false});
  }

  fs::path dir_;
  fs::path plugin_;
};

TEST_F(Trust, SignedByATrustedKeyLoads) {
  ASSERT_TRUE(Sign("key-a").ok());
  TrustKey("key-a");
  auto opened = Open();
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(opened->state, TrustState::kSigned);
  EXPECT_EQ(opened->sha256.size(), 64u);
  auto library = host::PluginLibrary::Open(opened->LoadPath());
  ASSERT_TRUE(library.ok()) << library.status().message();
  EXPECT_EQ(library.value()->Detectors()[0].id(), "test.ok");
}

TEST_F(Trust, UnsignedIsRefused) {
  TrustKey("key-a");
  auto opened = Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("unsigned"));
}

TEST_F(Trust, TamperedPluginIsRefused) {
  ASSERT_TRUE(Sign("key-a").ok());
  TrustKey("key-a");
  { std::ofstream(plugin_, std::ios::app) << "x"; }
  auto opened = Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("changed after signing"));
}

TEST_F(Trust, TamperedManifestIsRefused) {
  ASSERT_TRUE(Sign("key-a").ok());
  TrustKey("key-a");
  std::string text;
  {
    std::ifstream in(ManifestPath(plugin_));
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t at = text.find("0.0.1");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 5, "9.9.9");
  { std::ofstream(ManifestPath(plugin_), std::ios::trunc) << text; }
  auto opened = Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("does not match the manifest"));
}

TEST_F(Trust, WrongKeyIsRefused) {
  ASSERT_TRUE(Sign("key-a").ok());
  TrustKey("key-b");
  auto opened = Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("not in the trust store"));
}

TEST_F(Trust, RevokedKeyIsRefused) {
  ASSERT_TRUE(Sign("key-a").ok());
  TrustKey("key-a");
  TrustKey("key-a", /*revoke=*/true);
  auto opened = Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("revoked"));
}

TEST_F(Trust, GarbageSignatureIsRefused) {
  ASSERT_TRUE(Sign("key-a").ok());
  TrustKey("key-a");
  { std::ofstream(SignaturePath(plugin_), std::ios::trunc) << "zz"; }
  auto opened = Open();
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("malformed"));
}

TEST_F(Trust, DeveloperModeLoadsButSaysSo) {
  auto opened = Open(/*developer=*/true);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->state, TrustState::kDeveloper);
  EXPECT_THAT(opened->problem, HasSubstr("unsigned"));
}

TEST_F(Trust, SwappingTheFileAfterTheCheckChangesNothing) {
  ASSERT_TRUE(Sign("key-a").ok());
  TrustKey("key-a");
  auto opened = Open();
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  const fs::path other = fs::path(VIGIL_TEST_PLUGIN_DIR) / "hostile" / "hostile-segfault.so";
  ASSERT_TRUE(fs::exists(other));
  // A rewrite in place: the same inode now holds another plugin.
  {
    std::ifstream in(other, std::ios::binary);
    std::ofstream out(plugin_, std::ios::binary | std::ios::trunc);
    out << in.rdbuf();
  }
  auto rewritten = host::PluginLibrary::Open(opened->LoadPath(), plugin_);
  ASSERT_TRUE(rewritten.ok()) << rewritten.status().message();
  EXPECT_EQ(rewritten.value()->Detectors()[0].id(), "test.ok");
  rewritten = Status::NotFound("unloaded");
  // A new file renamed over the path.
  fs::copy_file(other, dir_ / "swap.so");
  fs::rename(dir_ / "swap.so", plugin_);
  auto library = host::PluginLibrary::Open(opened->LoadPath(), plugin_);
  ASSERT_TRUE(library.ok()) << library.status().message();
  EXPECT_EQ(library.value()->Detectors()[0].id(), "test.ok");
  // And the file as it is now fails the check.
  EXPECT_FALSE(Open().ok());
}

TEST_F(Trust, KeysAreNeverOverwritten) {
  EXPECT_FALSE(GenerateSigningKey(dir_ / "key-a").ok());
  EXPECT_EQ(fs::status(dir_ / "key-a" / "vigil-signing.key").permissions() & fs::perms::others_read,
            fs::perms::none);
}

TEST_F(Trust, MalformedTrustStoreKeyIsAnError) {
  fs::create_directories(dir_ / "store");
  { std::ofstream(dir_ / "store" / "bad.pub") << "not a key"; }
  EXPECT_FALSE(TrustStore::Load(dir_ / "store").ok());
}

}  // namespace
}  // namespace vigil::isolation
