// The store: schema migration, atomic item records, dedupe by content, refusal of files
// that are not stores. Records and migration run on both stores (StoreBothTest, issue 13
// item 1); WAL, file locks, foreign files, PRAGMA user_version and paths stay SQLite-only.
#include "store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "store/db/database.h"
#include "store/db/sqlite_database.h"
#include "store_backend.h"
#include "store/schema.h"
#include "store/store.h"

namespace vigil::host {
namespace {

namespace fs = std::filesystem;

ItemRecord Item(const std::string& sha, const std::string& path) {
  ItemRecord record;
  record.sha256 = sha;
  record.path = path;
  record.size = 3;
  record.media_kind = "binary";
  DetectorRun run;
  run.detector = "vigil.exact";
  auto* signal = run.result.add_signals();
  signal->set_type("md5");
  signal->set_value("900150983cd24fb0d6963f7d28e17f72");
  record.runs.push_back(run);
  return record;
}

int64_t CountIn(Store& store, const char* sql) {
  Statement q(store.db(), sql);
  EXPECT_TRUE(q.ok());
  EXPECT_EQ(q.Step(), host::kRow);
  return q.ColumnInt(0);
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-store-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(StoreTest, CreatesAndMigratesInWalMode) {
  auto store = Store::Open(dir_ / "nested" / "store.db");
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(store.value()->schema_version(), static_cast<int>(std::size(kMigrations)));
  Statement mode(store.value()->db(), "PRAGMA journal_mode");
  ASSERT_EQ(mode.Step(), host::kRow);
  EXPECT_EQ(mode.ColumnText(0), "wal");
}

TEST_F(StoreTest, OpenWaitsForAnotherProcessCreatingTheStore) {
  // Another connection holds the brand-new file locked (as a second `vigil scan` does
  // while it creates the store); switching to WAL must wait for it, not fail.
  const fs::path path = dir_ / "store.db";
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  // (The scratch table goes in the locked transaction: another program's table left in
  // the file would make it a database Vigil refuses to adopt.)
  ASSERT_EQ(sqlite3_exec(other, "CREATE TABLE x(y); BEGIN EXCLUSIVE; DROP TABLE x;", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  std::thread release([other] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  });
  auto store = Store::Open(path);
  release.join();
  sqlite3_close(other);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(store.value()->schema_version(), static_cast<int>(std::size(kMigrations)));
}

TEST_F(StoreTest, RefusesAFileThatIsNotAStore) {
  fs::path path = dir_ / "notes.txt";
  std::ofstream(path) << std::string(4096, 'x');
  auto store = Store::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), ::testing::HasSubstr("is not a usable Vigil store"));
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, std::string(4096, 'x')) << "the file must be left as it was";
}

TEST_F(StoreTest, RefusesAStoreFromANewerVigil) {
  {
    auto store = Store::Open(dir_ / "store.db");
    ASSERT_TRUE(store.ok());
    ASSERT_EQ(sqlite3_exec(vigil::host::SqliteHandle(store.value()->db()),
                           "PRAGMA user_version=999", nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  auto reopened = Store::Open(dir_ / "store.db");
  ASSERT_FALSE(reopened.ok());
  EXPECT_THAT(reopened.status().message(), ::testing::HasSubstr("newer than this vigil knows"));
}

TEST_F(StoreTest, ReportsAnUnwritableLocation) {
  auto store = Store::Open("/proc/vigil-cannot-be-here/store.db");
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), ::testing::HasSubstr("cannot"));
}

// The same on SQLite and PostgreSQL.
class StoreBothTest : public StoreBackendTest {};

TEST_P(StoreBothTest, MigratesFromEmptyAndReopensCurrent) {
  EXPECT_EQ(store_->schema_version(), LatestSchemaVersion());
  EXPECT_EQ(store_->db().dialect(), postgres() ? Dialect::kPostgres : Dialect::kSqlite);
  EXPECT_EQ(store_->Counts().value().items, 0);
  Reopen();
  EXPECT_EQ(store_->schema_version(), LatestSchemaVersion());
  EXPECT_TRUE(store_->schema_warnings().empty())
      << ::testing::PrintToString(store_->schema_warnings());
  Reopen(OpenMode::kReadOnly);
  EXPECT_TRUE(store_->read_only());
  EXPECT_EQ(store_->schema_version(), LatestSchemaVersion());
  EXPECT_EQ(store_->Counts().value().items, 0);
}

TEST_P(StoreBothTest, SameBytesAreOneItemAndRunsAreReplaced) {
  Store& store = *store_;
  auto first = store.RecordItem(Item("aa", "/a/one.jpg"));
  auto second = store.RecordItem(Item("aa", "/b/copy.jpg"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.value(), second.value());
  EXPECT_EQ(CountIn(store, "SELECT count(*) FROM items"), 1);
  EXPECT_EQ(CountIn(store, "SELECT count(*) FROM signals"), 1);
  Statement paths(store.db(), "SELECT first_path || '|' || last_path FROM items");
  ASSERT_EQ(paths.Step(), host::kRow);
  EXPECT_EQ(paths.ColumnText(0), "/a/one.jpg|/b/copy.jpg");
}

TEST_P(StoreBothTest, DetectorFailureMarksTheItemFailedNeverClean) {
  ItemRecord record = Item("bb", "/x");
  DetectorRun failed;
  failed.detector = "acme.broken";
  failed.status = Status::PluginError("detector acme.broken failed: boom");
  record.runs.push_back(failed);
  ASSERT_TRUE(store_->RecordItem(record).ok());
  Statement row(store_->db(), "SELECT status, error FROM items");
  ASSERT_EQ(row.Step(), host::kRow);
  EXPECT_EQ(row.ColumnText(0), "failed");
  EXPECT_THAT(row.ColumnText(1), ::testing::HasSubstr("boom"));
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts.value().failed_items, 1);
}

VIGIL_ON_BOTH_STORES(StoreBothTest);

}  // namespace
}  // namespace vigil::host
