// Statement: a prepared SQLite statement that finalises itself.
#ifndef VIGIL_HOST_STORE_SQLITE_STATEMENT_H_
#define VIGIL_HOST_STORE_SQLITE_STATEMENT_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::host {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& Bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& Bind(int index, double value) {
    sqlite3_bind_double(stmt_, index, value);
    return *this;
  }
  Statement& BindNull(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  int64_t ColumnInt(int column) { return sqlite3_column_int64(stmt_, column); }
  std::string ColumnText(int column) {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text ? reinterpret_cast<const char*>(text) : "";
  }
  // The column's exact bytes (a text with a NUL inside is not cut short).
  std::string ColumnBytes(int column) {
    const void* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return data ? std::string(static_cast<const char*>(data), static_cast<size_t>(size)) : "";
  }
  // "integer", "real", "text", "blob" or "null": how SQLite stored the value.
  std::string ColumnType(int column) {
    switch (sqlite3_column_type(stmt_, column)) {
      case SQLITE_INTEGER:
        return "integer";
      case SQLITE_FLOAT:
        return "real";
      case SQLITE_TEXT:
        return "text";
      case SQLITE_BLOB:
        return "blob";
      default:
        return "null";
    }
  }
  Status Error(const std::string& what) const {
    return Status::IoError(what + ": " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_SQLITE_STATEMENT_H_
