// Issue 13 item 3: the console decodes an item from the store's copy of its media when the
// store keeps it (the scanned file is gone), each fetch audited; a copy that fails its
// checks gives a status, never a picture.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fixture_store.h"
#include "image/png_io.h"
#include "obscure/obscured_cache.h"
#include "scan/sha256.h"
#include "store/media_vault.h"
#include "store/store.h"

namespace vigil::review {
namespace {

class ConsoleMediaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-console-media-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = host::Store::Open(dir_ / "store.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    path_ = (dir_ / "item.png").string();
    ASSERT_TRUE(WritePng(path_, testing::DrawPattern(200, 100, 3)).ok());
    std::ifstream in(path_, std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(in), {});
    host::ItemRecord record;
    record.sha256 = host::Sha256Hex(bytes_);
    record.path = path_;
    record.media_kind = "image";
    record.outcome.disposition = host::Disposition::kReview;
    store_->KeepMediaOfQueuedItems(Key());
    auto id = store_->RecordItem(record);
    ASSERT_TRUE(id.ok()) << id.status().message();
    item_ = id.value();
    std::filesystem::remove(path_);  // the console's workstation does not have it
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  static host::MediaKey Key() {
    std::array<unsigned char, host::kMediaKeyBytes> bytes;
    bytes.fill(0x42);
    return host::MediaKey::FromBytes(bytes);
  }
  int64_t Fetches() {
    host::Statement q(store_->db(),
                      "SELECT count(*) FROM audit_log WHERE action = 'media.fetched'");
    EXPECT_EQ(q.Step(), host::kRow);
    return q.ColumnInt(0);
  }

  std::filesystem::path dir_;
  std::unique_ptr<host::Store> store_;
  std::string path_, bytes_;
  int64_t item_ = 0;
};

TEST_F(ConsoleMediaTest, TheCacheDecodesTheStoresCopyWhenTheFileIsGone) {
  host::MediaVault vault(store_->db(), Key());
  ObscuredCache cache(ObscureSettings{}, 100, 8,
                      [&vault](int64_t item_id, const std::string& path) {
                        return host::ReadItemBytes(&vault, item_id, path, "alice");
                      });
  cache.Get(item_, path_, 5);
  cache.WaitIdle();
  auto ready = cache.Get(item_, path_, 5);
  ASSERT_TRUE(ready.has_value());
  ASSERT_TRUE(ready->status.ok()) << ready->status.message();
  EXPECT_EQ(ready->source->width(), 100);
  EXPECT_EQ(ready->source->height(), 50);
  EXPECT_EQ(Fetches(), 1);

  // Without the store's copy the file is gone: a status, not a picture.
  ObscuredCache files_only(ObscureSettings{});
  files_only.Get(item_, path_, 5);
  files_only.WaitIdle();
  auto missing = files_only.Get(item_, path_, 5);
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->status.ok());
  EXPECT_EQ(missing->source, nullptr);
}

TEST_F(ConsoleMediaTest, ATamperedCopyIsNeverShown) {
  // The file is back at its path, but the store's copy is altered: refused, not replaced
  // by the file.
  std::ofstream(path_, std::ios::binary) << bytes_;
  {
    host::Statement q(
        store_->db(),
        "UPDATE media SET ciphertext = substr(ciphertext, 1, length(ciphertext) - 1)");
    ASSERT_EQ(q.Step(), host::kDone);
  }
  host::MediaVault vault(store_->db(), Key());
  ObscuredCache cache(ObscureSettings{}, 100, 8,
                      [&vault](int64_t item_id, const std::string& path) {
                        return host::ReadItemBytes(&vault, item_id, path, "alice");
                      });
  cache.Get(item_, path_, 5);
  cache.WaitIdle();
  auto refused = cache.Get(item_, path_, 5);
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->status.ok());
  EXPECT_NE(refused->status.message().find("not authentic"), std::string::npos)
      << refused->status.message();
  EXPECT_EQ(refused->source, nullptr);
  EXPECT_EQ(refused->obscured, nullptr);
}

}  // namespace
}  // namespace vigil::review
