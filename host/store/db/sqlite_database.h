// SqliteDatabase: the embedded backend, one SQLite file (WAL) per store.
#ifndef VIGIL_HOST_STORE_DB_SQLITE_DATABASE_H_
#define VIGIL_HOST_STORE_DB_SQLITE_DATABASE_H_

#include <sqlite3.h>

#include <string>

#include "store/db/database.h"

namespace vigil::host {

class SqliteDatabase final : public Database {
 public:
  // Takes ownership of an open connection; `name` is what Describe() says (the path).
  SqliteDatabase(sqlite3* db, std::string name) : db_(db), name_(std::move(name)) {}
  ~SqliteDatabase() override { sqlite3_close(db_); }
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::unique_ptr<StatementBackend> Prepare(std::string_view sql) override;
  Status Exec(std::string_view sql) override;
  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  std::string Describe() const override { return name_; }

  // For what only SQLite has (PRAGMAs, sqlite_master, error codes).
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_;
  std::string name_;
};

// The SQLite connection behind `db`, or nullptr when it is another backend.
inline sqlite3* SqliteHandle(Database& db) {
  auto* sqlite = dynamic_cast<SqliteDatabase*>(&db);
  return sqlite ? sqlite->raw() : nullptr;
}

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_DB_SQLITE_DATABASE_H_
