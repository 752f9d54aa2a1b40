// Issue 13, item 1: one store interface, two backends, the same behaviour. A store test
// written against StoreBackendTest runs twice: on a fresh SQLite file (a scratch folder
// named after the test, removed after) and on a fresh PostgreSQL database on the tests'
// throw-away server (tests/postgres/pg_test_server.h: its own database, dropped after; the
// store opened as the superuser, logins in Vigil's roles made with MakeLogin where a test
// is about roles). Instantiate a suite on both with VIGIL_ON_BOTH_STORES(Suite).
//
// The PostgreSQL instances end in /PostgreSQL and need the server (ctest runs them under
// the `postgres` fixture); the SQLite ones end in /SQLite and need nothing. Without a
// server the PostgreSQL instances FAIL, they never skip.
#ifndef VIGIL_TESTS_UNIT_HOST_STORE_BACKEND_H_
#define VIGIL_TESTS_UNIT_HOST_STORE_BACKEND_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "pg_test_server.h"
#include "store/db/database.h"
#include "store/postgres_schema.h"
#include "store/review_queue.h"
#include "store/schema.h"
#include "store/store.h"
#include "temp_store.h"

namespace vigil::host {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL";
}
// "GetParam() = PostgreSQL" in gtest's output and ctest's test names.
inline void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL");
}

// The fixture is a PgTestServer (so its logins, UrlFor and Connect serve the PostgreSQL
// instances) whose server part is only set up for the PostgreSQL parameter.
class StoreBackendTest : public testing::PgTestServer,
                         public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    // A scratch folder on both: the SQLite file, and whatever files a test scans.
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(test->test_suite_name()) + "-" + test->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = std::filesystem::temp_directory_path() /
           ("vigil-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (postgres()) {
      PgTestServer::SetUp();
      if (HasFatalFailure()) return;
      location_ = url_;
    } else {
      location_ = (dir_ / "store.db").string();
    }
    Reopen();
  }

  void TearDown() override {
    people_.clear();
    store_.reset();
    if (postgres()) PgTestServer::TearDown();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  bool postgres() const { return GetParam() == Backend::kPostgres; }

  // Closes the store and opens it again (a new connection) in `mode`.
  void Reopen(OpenMode mode = OpenMode::kReadWrite) {
    people_.clear();
    store_.reset();
    auto store = Store::Open(location_, mode);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }

  // Another store on the same file or database: another connection, as another process
  // would have.
  std::unique_ptr<Store> OpenAnother(OpenMode mode = OpenMode::kReadWrite) {
    auto store = Store::Open(location_, mode);
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // One person working the store, with their own connection (as their own process would
  // have). On SQLite the reviewer is whatever name the caller passes: `id` is the name.
  // On PostgreSQL the reviewer is the database login (the audit log's actor is set by the
  // database): a person is a login of their own in the group roles `groups`, and `id` is
  // that login.
  struct Person {
    std::string id;
    std::unique_ptr<Store> store;
    std::unique_ptr<ReviewQueue> queue;
  };
  // `name`'s Person, made on first use (the groups of later calls are not looked at).
  // Not thread-safe: make everyone before threads start.
  Person& P(const std::string& name, const std::vector<std::string>& groups = {"vigil_reviewer"}) {
    std::unique_ptr<Person>& person = people_[name];
    if (person != nullptr) return *person;
    person = std::make_unique<Person>();
    person->id = postgres() ? MakeLogin(name, groups) : name;
    auto store = Store::Open(postgres() ? UrlFor(person->id, database_) : location_);
    EXPECT_TRUE(store.ok()) << name << ": " << store.status().message();
    person->store = store.ok() ? std::move(store).value() : OpenAnother();
    person->queue = std::make_unique<ReviewQueue>(*person->store);
    return *person;
  }
  // Shorthands: the reviewer id of `name` and their queue.
  std::string Who(const std::string& name) { return P(name).id; }
  ReviewQueue& QueueOf(const std::string& name) { return *P(name).queue; }

  // The schema version a store migrated from empty has on this backend.
  int LatestSchemaVersion() const {
    return postgres() ? static_cast<int>(std::size(kPostgresMigrations))
                      : static_cast<int>(std::size(kMigrations));
  }

  // Runs SQL as someone who owns the file or the database would, with the append-only
  // guards out of the way and back after (so only the audit chain can tell): on SQLite
  // the triggers are dropped and recreated from their stored text; on PostgreSQL the
  // superuser turns triggers off for its session (session_replication_role = replica).
  void Tamper(const std::string& sql) {
    Status done;
    if (postgres()) {
      done = store_->db().Exec("SET session_replication_role = replica; " + sql +
                               "; SET session_replication_role = DEFAULT");
      if (!done.ok()) (void)store_->db().Exec("SET session_replication_role = DEFAULT");
    } else {
      std::string triggers;
      {
        Statement saved(store_->db(),
                        "SELECT group_concat(sql, '; ') FROM sqlite_master WHERE type = "
                        "'trigger' AND tbl_name = 'audit_log'");
        ASSERT_EQ(saved.Step(), kRow);
        triggers = saved.ColumnText(0);
      }
      done = store_->db().Exec(
          "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS "
          "audit_log_no_delete; " +
          sql + "; " + triggers + ";");
    }
    ASSERT_TRUE(done.ok()) << done.message();
  }

  // Runs one statement that changes rows (test set-up such as back-dating a lease); on
  // PostgreSQL with the queue's transition trigger out of the way, as the database owner
  // could.
  void Exec(const std::string& sql) {
    if (postgres()) {
      Tamper(sql);
      return;
    }
    Statement statement(store_->db(), sql);
    ASSERT_TRUE(statement.ok()) << sql;
    ASSERT_EQ(statement.Step(), kDone) << sql << ": " << statement.Error("run").message();
  }

  // The first column of the first row as a number; -1 when there is none.
  int64_t Count(const std::string& sql) {
    Statement row(store_->db(), sql);
    return row.ok() && row.Step() == kRow ? row.ColumnInt(0) : -1;
  }

  std::filesystem::path dir_;  // scratch; on SQLite the store file is in it
  std::string location_;       // the file or the URL
  std::unique_ptr<Store> store_;
  std::map<std::string, std::unique_ptr<Person>> people_;
};

}  // namespace vigil::host

#define VIGIL_ON_BOTH_STORES(suite)                                                          \
  INSTANTIATE_TEST_SUITE_P(                                                                  \
      Backends, suite,                                                                       \
      ::testing::Values(::vigil::host::Backend::kSqlite, ::vigil::host::Backend::kPostgres), \
      ::vigil::host::BackendName)

#endif  // VIGIL_TESTS_UNIT_HOST_STORE_BACKEND_H_
