#include "store/db/sqlite_database.h"

namespace vigil::host {
namespace {

class SqliteStatement final : public StatementBackend {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      stmt_ = nullptr;
    }
  }
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  bool ok() const override { return stmt_ != nullptr; }
  void BindText(int index, std::string_view text) override {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void BindBlob(int index, std::string_view bytes) override {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
  }
  void BindInt(int index, int64_t value) override { sqlite3_bind_int64(stmt_, index, value); }
  void BindDouble(int index, double value) override { sqlite3_bind_double(stmt_, index, value); }
  void BindNull(int index) override { sqlite3_bind_null(stmt_, index); }
  int Step() override { return stmt_ ? sqlite3_step(stmt_) : SQLITE_MISUSE; }
  void Reset() override { sqlite3_reset(stmt_); }
  int64_t RowsChanged() override { return sqlite3_changes(db_); }
  int64_t ColumnInt(int column) override { return sqlite3_column_int64(stmt_, column); }
  double ColumnDouble(int column) override { return sqlite3_column_double(stmt_, column); }
  std::string ColumnText(int column) override {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text ? reinterpret_cast<const char*>(text) : "";
  }
  std::string ColumnBytes(int column) override {
    const void* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return data ? std::string(static_cast<const char*>(data), static_cast<size_t>(size)) : "";
  }
  std::string ColumnType(int column) override {
    switch (sqlite3_column_type(stmt_, column)) {
      case SQLITE_INTEGER: return "integer";
      case SQLITE_FLOAT: return "real";
      case SQLITE_TEXT: return "text";
      case SQLITE_BLOB: return "blob";
      default: return "null";
    }
  }
  std::string ErrorMessage() const override { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

std::unique_ptr<StatementBackend> SqliteDatabase::Prepare(std::string_view sql) {
  return std::make_unique<SqliteStatement>(db_, sql);
}

Status SqliteDatabase::Exec(std::string_view sql) {
  const std::string text(sql);
  char* error = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    return Status::IoError(message);
  }
  return Status::Ok();
}

Status SqliteDatabase::Begin() {
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Status::IoError(std::string("cannot start a store transaction: ") +
                           sqlite3_errmsg(db_));
  }
  return Status::Ok();
}

Status SqliteDatabase::Commit() {
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Status::IoError(std::string("cannot commit to the store: ") + sqlite3_errmsg(db_));
  }
  return Status::Ok();
}

void SqliteDatabase::Rollback() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

}  // namespace vigil::host
