// Database: what the store needs of a SQL database, so that one store serves two backends:
// the embedded SQLite file (one workstation) and PostgreSQL (a team; issue 13).
//
// The store writes one SQL dialect that both accept: `?N` placeholders (PostgreSQL's
// backend turns them into `$N`), `coalesce`, `ON CONFLICT ... DO UPDATE`, `RETURNING`.
// What differs (schema, migrations, locking) lives in the backend and in dialect()
// branches that say why.
#ifndef VIGIL_HOST_STORE_DB_DATABASE_H_
#define VIGIL_HOST_STORE_DB_DATABASE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::host {

enum class Dialect { kSqlite, kPostgres };

// What StatementBackend::Step returns besides an error code (the values are SQLite's,
// so the SQLite backend passes its codes through).
inline constexpr int kRow = 100;
inline constexpr int kDone = 101;

// One prepared statement of a backend. Indexes: parameters from 1, columns from 0.
class StatementBackend {
 public:
  virtual ~StatementBackend() = default;
  virtual bool ok() const = 0;  // false: the statement did not prepare (see ErrorMessage)
  virtual void BindText(int index, std::string_view text) = 0;
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindDouble(int index, double value) = 0;
  virtual void BindNull(int index) = 0;
  // Runs the statement on the first call; each call moves to the next row.
  // kRow, kDone, or another value on an error.
  virtual int Step() = 0;
  // Ready to run again with the same bindings (rebind what changes).
  virtual void Reset() = 0;
  // Rows inserted, updated or deleted by the last run.
  virtual int64_t RowsChanged() = 0;
  virtual int64_t ColumnInt(int column) = 0;
  virtual double ColumnDouble(int column) = 0;
  virtual std::string ColumnText(int column) = 0;  // "" for NULL
  virtual std::string ColumnBytes(int column) = 0;  // exact bytes, NULs included
  // "integer", "real", "text", "blob" or "null": the value's type as stored.
  virtual std::string ColumnType(int column) = 0;
  virtual std::string ErrorMessage() const = 0;
  // Runs a statement whose result nobody reads (Statement::Write). This default runs it at
  // once; a backend may instead send it later together with others.
  virtual Status Write(const std::string& what) {
    if (Step() == kDone) return Status::Ok();
    return Status::IoError(what + ": " + ErrorMessage());
  }
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  virtual std::unique_ptr<StatementBackend> Prepare(std::string_view sql) = 0;
  // One or more statements without parameters or results (DDL, migrations).
  virtual Status Exec(std::string_view sql) = 0;
  // A write transaction. SQLite takes the write lock at once (BEGIN IMMEDIATE) so that
  // two writers wait instead of failing half-way; PostgreSQL locks rows as it goes.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;
  // What a person should see for this store: the file, or the server URL without secrets.
  virtual std::string Describe() const = 0;
};

// A prepared statement that finalises itself; Bind returns *this to chain.
class Statement {
 public:
  Statement(Database& db, std::string_view sql) : backend_(db.Prepare(sql)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return backend_->ok(); }
  Statement& Bind(int index, std::string_view text) {
    backend_->BindText(index, text);
    return *this;
  }
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const std::string& text) {
    return Bind(index, std::string_view(text));
  }
  Statement& Bind(int index, int64_t value) {
    backend_->BindInt(index, value);
    return *this;
  }
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value) {
    backend_->BindDouble(index, value);
    return *this;
  }
  Statement& BindBlob(int index, std::string_view bytes) {
    backend_->BindBlob(index, bytes);
    return *this;
  }
  Statement& BindNull(int index) {
    backend_->BindNull(index);
    return *this;
  }
  int Step() { return backend_->Step(); }
  // Runs a statement that writes and returns nothing anyone reads (no rows, no
  // RowsChanged). Inside a transaction PostgreSQL's backend sends such writes together,
  // without waiting for each answer, at the next statement that reads or at the commit
  // (one round trip instead of one each): an error in it may then be reported there, and
  // fails the transaction as a whole. `what` names the write in that error.
  Status Write(const std::string& what) { return backend_->Write(what); }
  void Reset() { backend_->Reset(); }
  int64_t RowsChanged() { return backend_->RowsChanged(); }
  int64_t ColumnInt(int column) { return backend_->ColumnInt(column); }
  double ColumnDouble(int column) { return backend_->ColumnDouble(column); }
  std::string ColumnText(int column) { return backend_->ColumnText(column); }
  std::string ColumnBytes(int column) { return backend_->ColumnBytes(column); }
  std::string ColumnType(int column) { return backend_->ColumnType(column); }
  Status Error(const std::string& what) const {
    return Status::IoError(what + ": " + backend_->ErrorMessage());
  }

 private:
  std::unique_ptr<StatementBackend> backend_;
};

// A write transaction that rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  ~Transaction() {
    if (open_) db_.Rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Status Begin() {
    Status s = db_.Begin();
    open_ = s.ok();
    return s;
  }
  Status Commit() {
    Status s = db_.Commit();
    if (s.ok()) open_ = false;
    return s;
  }

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_DB_DATABASE_H_
