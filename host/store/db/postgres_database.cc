#include "store/db/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

namespace vigil::host {
namespace {

// What an error says when the connection went away; IsConnectionError looks for
// it.
constexpr std::string_view kConnectionLost = "(connection lost";

// Type OIDs (pg_type.dat) of the columns the store reads.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// What StatementBackend::Step returns on an error (SQLite's SQLITE_ERROR).
constexpr int kStepError = 1;

std::string OneLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char &c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A bytea value in the server's text output (`\x` and hex digits) as its bytes.
std::string DecodeBytea(const char *text, size_t length) {
  if (length < 2 || text[0] != '\\' || text[1] != 'x') return std::string(text, length);
  std::string out;
  out.reserve((length - 2) / 2);
  for (size_t i = 2; i + 1 < length; i += 2) {
    const int high = HexDigit(text[i]);
    const int low = HexDigit(text[i + 1]);
    if (high < 0 || low < 0) break;
    out += static_cast<char>(high * 16 + low);
  }
  return out;
}

// Skips a `$tag$ ... $tag$` string starting at `i` (sql[i] == '$'); returns the
// index after it, or `i` when this `$` does not open a dollar quote.
size_t SkipDollarQuote(std::string_view sql, size_t i) {
  size_t j = i + 1;
  while (j < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) {
    if (j == i + 1 && std::isdigit(static_cast<unsigned char>(sql[j]))) return i;  // $1
    ++j;
  }
  if (j >= sql.size() || sql[j] != '$') return i;
  const std::string_view tag = sql.substr(i, j - i + 1);
  const size_t end = sql.find(tag, j + 1);
  return end == std::string_view::npos ? sql.size() : end + tag.size();
}

// The parameter arrays libpq takes, pointing into `query`.
struct ParameterArrays {
  explicit ParameterArrays(const PgQuery &query)
      : values(query.params.size()), lengths(query.params.size()), formats(query.params.size()) {
    for (size_t i = 0; i < query.params.size(); ++i) {
      values[i] = query.params[i] ? query.params[i]->data() : nullptr;
      lengths[i] = query.params[i] ? static_cast<int>(query.params[i]->size()) : 0;
      formats[i] = query.types[i] == kByteaOid ? 1 : 0;  // bytes as they are; the rest as text
    }
  }
  int count() const { return static_cast<int>(values.size()); }
  std::vector<const char *> values;
  std::vector<int> lengths;
  std::vector<int> formats;
};

class PostgresStatement final : public StatementBackend {
 public:
  PostgresStatement(PostgresDatabase &db, std::string_view sql) : db_(db) {
    int max_index = 0;
    sql_ = TranslatePlaceholders(sql, &max_index, &used_);
    params_.resize(static_cast<size_t>(max_index));
    types_.assign(static_cast<size_t>(max_index), 0);
  }
  ~PostgresStatement() override { Clear(); }

  // The SQL is prepared on the connection when it first runs: errors in it are
  // reported by Step (or Write).
  bool ok() const override { return true; }
  void BindText(int index, std::string_view text) override { Set(index, std::string(text)); }
  void BindBlob(int index, std::string_view bytes) override {
    Set(index, std::string(bytes), kByteaOid);
  }
  void BindInt(int index, int64_t value) override { Set(index, std::to_string(value), kInt8Oid); }
  void BindDouble(int index, double value) override {
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", value);
    Set(index, text, kFloat8Oid);
  }
  void BindNull(int index) override { Set(index, std::nullopt); }

  int Step() override {
    if (!bind_error_.empty()) {
      error_ = bind_error_;
      return kStepError;
    }
    if (result_ == nullptr) {
      if (std::string why = db_.EnsureConnected(); !why.empty()) {
        error_ = why;
        return kStepError;
      }
      PgQuery query;
      if (!MakeQuery("", &query)) return kStepError;
      if (db_.has_deferred_writes()) {
        // The writes kept for later go first, in the order they were made, in the same
        // round trip as this statement.
        PGresult *result = nullptr;
        if (Status flushed = db_.FlushWrites(/*commit=*/false, &query, &result); !flushed.ok()) {
          if (result != nullptr) PQclear(result);
          error_ = flushed.message();
          return kStepError;
        }
        result_ = result;
      } else {
        result_ = db_.Run(query);
      }
      const ExecStatusType status = PQresultStatus(result_);
      if (status == PGRES_COMMAND_OK) {
        changed_ = std::atoll(PQcmdTuples(result_));
        return kDone;
      }
      if (status != PGRES_TUPLES_OK) {
        error_ = db_.FailureMessage(result_);
        Clear();
        return kStepError;
      }
      // INSERT ... RETURNING counts the rows it wrote; a SELECT changes none (PQcmdTuples
      // would count the rows it read).
      const bool select = std::string_view(PQcmdStatus(result_)).rfind("SELECT", 0) == 0;
      changed_ = select ? 0 : std::atoll(PQcmdTuples(result_));
      row_ = -1;
    }
    if (PQresultStatus(result_) != PGRES_TUPLES_OK) return kDone;
    ++row_;
    return row_ < PQntuples(result_) ? kRow : kDone;
  }

  void Reset() override { Clear(); }
  int64_t RowsChanged() override { return changed_; }

  Status Write(const std::string &what) override {
    if (!db_.in_transaction() || !bind_error_.empty()) return StatementBackend::Write(what);
    PgQuery query;
    if (!MakeQuery(what, &query)) return Status::IoError(what + ": " + error_);
    db_.Defer(std::move(query));
    return Status::Ok();
  }

  int64_t ColumnInt(int column) override {
    if (Null(column)) return 0;
    const char *text = PQgetvalue(result_, row_, column);
    if (PQftype(result_, column) == kBoolOid) return text[0] == 't' ? 1 : 0;
    if (IsReal(column)) return static_cast<int64_t>(std::strtod(text, nullptr));
    return std::strtoll(text, nullptr, 10);
  }
  double ColumnDouble(int column) override {
    if (Null(column)) return 0;
    return std::strtod(PQgetvalue(result_, row_, column), nullptr);
  }
  std::string ColumnText(int column) override { return ColumnBytes(column); }
  std::string ColumnBytes(int column) override {
    if (Null(column)) return "";
    const char *text = PQgetvalue(result_, row_, column);
    const size_t length = static_cast<size_t>(PQgetlength(result_, row_, column));
    if (PQftype(result_, column) == kByteaOid) return DecodeBytea(text, length);
    return std::string(text, length);
  }
  std::string ColumnType(int column) override {
    if (Null(column)) return "null";
    switch (PQftype(result_, column)) {
      case kBoolOid:
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid:
      case kOidOid:
        return "integer";
      case kFloat4Oid:
      case kFloat8Oid:
      case kNumericOid:
        return "real";
      case kByteaOid:
        return "blob";
      default:
        return "text";
    }
  }
  std::string ErrorMessage() const override { return error_; }

 private:
  // Text goes with type 0 (the server infers it from the statement, as SQLite's
  // untyped parameters); integers and reals say so, so that `SELECT ?1` into a
  // BIGINT column or
  // `?1 + 1` is not taken for text.
  bool Set(int index, std::optional<std::string> value, Oid type = 0) {
    if (index < 1 || static_cast<size_t>(index) > params_.size()) {
      bind_error_ = "parameter " + std::to_string(index) + " is out of range (the statement has " +
                    std::to_string(params_.size()) + ")";
      return false;
    }
    params_[static_cast<size_t>(index - 1)] = std::move(value);
    types_[static_cast<size_t>(index - 1)] = type;
    return true;
  }
  bool Null(int column) const {
    return result_ == nullptr || row_ < 0 || row_ >= PQntuples(result_) || column < 0 ||
           column >= PQnfields(result_) || PQgetisnull(result_, row_, column);
  }
  bool IsReal(int column) const {
    const Oid type = PQftype(result_, column);
    return type == kFloat4Oid || type == kFloat8Oid || type == kNumericOid;
  }
  // The statement as it will be sent: prepared on this connection once (the server parses
  // and plans it once, not at every run) unless the connection has prepared its fill.
  bool MakeQuery(const std::string &what, PgQuery *query) {
    for (size_t i = 0; i < params_.size(); ++i) {
      // A number SQLite lets a statement skip (?2 without ?1) still counts;
      // it needs a type, or the server cannot infer one.
      if (!used_[i] && types_[i] == 0) types_[i] = kTextOid;
    }
    query->sql = sql_;
    query->params = params_;
    query->types.assign(types_.begin(), types_.end());
    query->what = what;
    std::string why;
    query->name = db_.PreparedName(sql_, query->types, &why);
    if (!why.empty()) {
      error_ = why;
      return false;
    }
    return true;
  }
  void Clear() {
    if (result_ != nullptr) PQclear(result_);
    result_ = nullptr;
    row_ = -1;
  }

  PostgresDatabase &db_;
  std::string sql_;
  std::vector<std::optional<std::string>> params_;
  std::vector<Oid> types_;
  std::vector<bool> used_;
  std::string bind_error_;
  std::string error_;
  PGresult *result_ = nullptr;
  int row_ = -1;
  int64_t changed_ = 0;
};

void IgnoreNotice(void *, const char *) {}

}  // namespace

bool IsPostgresUrl(std::string_view url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::string TranslatePlaceholders(std::string_view sql, int *max_index, std::vector<bool> *used) {
  std::string out;
  std::vector<bool> seen;
  out.reserve(sql.size() + 8);
  int largest = 0;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    size_t end = i + 1;
    if (c == '\'' || c == '"') {
      // A string literal or a quoted identifier; a doubled quote stays inside.
      // E'..' strings also escape with a backslash.
      const bool backslash = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
      end = i + 1;
      while (end < sql.size()) {
        if (backslash && sql[end] == '\\') {
          end += 2;
          continue;
        }
        if (sql[end] == c) {
          if (end + 1 < sql.size() && sql[end + 1] == c) {
            end += 2;
            continue;
          }
          ++end;
          break;
        }
        ++end;
      }
    } else if (c == '-' && next == '-') {
      end = sql.find('\n', i);
      end = end == std::string_view::npos ? sql.size() : end;
    } else if (c == '/' && next == '*') {
      int depth = 1;  // PostgreSQL's block comments nest
      end = i + 2;
      while (end < sql.size() && depth > 0) {
        if (sql.compare(end, 2, "/*") == 0) {
          ++depth;
          end += 2;
        } else if (sql.compare(end, 2, "*/") == 0) {
          --depth;
          end += 2;
        } else {
          ++end;
        }
      }
    } else if (c == '$') {
      end = SkipDollarQuote(sql, i);
      if (end == i) end = i + 1;
    } else if (c == '?') {
      size_t digits = i + 1;
      while (digits < sql.size() && std::isdigit(static_cast<unsigned char>(sql[digits]))) {
        ++digits;
      }
      // PostgreSQL takes at most 65535 parameters: a larger (or zero) number is passed on
      // as written, for the server to refuse, and counts for nothing here (no overflow,
      // no table the size of a hostile number).
      constexpr long long kMaxParameters = 65535;
      long long index = 0;
      if (digits > i + 1) {
        for (size_t d = i + 1; d < digits && index <= kMaxParameters; ++d) {
          index = index * 10 + (sql[d] - '0');
        }
      } else {
        index = largest + 1;
      }
      if (index >= 1 && index <= kMaxParameters) {
        largest = std::max(largest, static_cast<int>(index));
        if (seen.size() < static_cast<size_t>(index)) seen.resize(static_cast<size_t>(index));
        seen[static_cast<size_t>(index - 1)] = true;
      }
      out += '$';
      out += index <= kMaxParameters || digits == i + 1
                 ? std::to_string(index)
                 : std::string(sql.substr(i + 1, digits - i - 1));
      i = digits;
      continue;
    }
    out.append(sql.substr(i, end - i));
    i = end;
  }
  if (max_index != nullptr) *max_index = largest;
  if (used != nullptr) {
    seen.resize(static_cast<size_t>(largest));
    *used = std::move(seen);
  }
  return out;
}

bool IsConnectionError(const Status &status) {
  return !status.ok() && (status.code() == Status::Code::kUnavailable ||
                          status.message().find(kConnectionLost) != std::string::npos);
}

StatusOr<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Open(const std::string &url) {
  if (!IsPostgresUrl(url)) {
    return Status::InvalidArgument(
        "'" + url + "' is not a PostgreSQL URL (postgresql://[user@]host[:port]/db)");
  }
  char *parse_error = nullptr;
  PQconninfoOption *options = PQconninfoParse(url.c_str(), &parse_error);
  if (options == nullptr) {
    std::string why = parse_error ? OneLine(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return Status::InvalidArgument("cannot read the store URL: " + why);
  }
  bool has_password = false;
  for (PQconninfoOption *o = options; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr) has_password = true;
  }
  PQconninfoFree(options);
  if (has_password) {
    return Status::InvalidArgument(
        "the store URL carries a password; leave it out and put it in "
        "~/.pgpass, the file "
        "PGPASSFILE names, or PGPASSWORD (credentials never go on the command "
        "line)");
  }
  const char *keywords[] = {"dbname", "application_name", "client_encoding", nullptr};
  const char *values[] = {url.c_str(), "vigil", "UTF8", nullptr};
  PGconn *conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Resource("cannot connect to " + url + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot connect to " + url + ": " + why);
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<PostgresDatabase>(new PostgresDatabase(conn, url));
}

PostgresDatabase::~PostgresDatabase() { PQfinish(conn_); }

std::unique_ptr<StatementBackend> PostgresDatabase::Prepare(std::string_view sql) {
  return std::make_unique<PostgresStatement>(*this, sql);
}

std::string PostgresDatabase::PreparedName(const std::string &sql,
                                           const std::vector<unsigned int> &types,
                                           std::string *why) {
  std::string key;
  for (unsigned int type : types) key += std::to_string(type) + ",";
  key += '\n';
  key += sql;
  if (auto found = prepared_.find(key); found != prepared_.end()) return found->second;
  if (prepared_.size() >= kMaxPrepared) return "";
  std::string name = "vigil_" + std::to_string(++next_prepared_);
  PGresult *result = PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(types.size()),
                               reinterpret_cast<const Oid *>(types.data()));
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    *why = FailureMessage(result);
    PQclear(result);
    return "";
  }
  PQclear(result);
  prepared_.emplace(std::move(key), name);
  return name;
}

PGresult *PostgresDatabase::Run(const PgQuery &query) {
  const ParameterArrays p(query);
  if (!query.name.empty()) {
    return PQexecPrepared(conn_, query.name.c_str(), p.count(), p.values.data(), p.lengths.data(),
                          p.formats.data(), 0);
  }
  return PQexecParams(conn_, query.sql.c_str(), p.count(),
                      reinterpret_cast<const Oid *>(query.types.data()), p.values.data(),
                      p.lengths.data(), p.formats.data(), 0);
}

Status PostgresDatabase::FlushWrites(bool commit, const PgQuery *then, PGresult **then_result) {
  if (deferred_.empty() && !commit && then == nullptr) return Status::Ok();
  std::vector<PgQuery> writes = std::move(deferred_);
  deferred_.clear();
  if (PQenterPipelineMode(conn_) != 1) {
    return Status::IoError("cannot send the store's writes: " + FailureMessage(nullptr));
  }
  // Send everything, then one sync; the server answers each in order and skips the rest of
  // the pipeline after an error (PGRES_PIPELINE_ABORTED).
  size_t sent = 0;
  bool send_failed = false;
  for (const PgQuery &query : writes) {
    const ParameterArrays p(query);
    const int ok = query.name.empty()
                       ? PQsendQueryParams(conn_, query.sql.c_str(), p.count(),
                                           reinterpret_cast<const Oid *>(query.types.data()),
                                           p.values.data(), p.lengths.data(), p.formats.data(), 0)
                       : PQsendQueryPrepared(conn_, query.name.c_str(), p.count(), p.values.data(),
                                             p.lengths.data(), p.formats.data(), 0);
    if (ok != 1) {
      send_failed = true;
      break;
    }
    ++sent;
  }
  bool then_sent = false;
  if (!send_failed && then != nullptr) {
    const ParameterArrays p(*then);
    then_sent = then->name.empty()
                    ? PQsendQueryParams(conn_, then->sql.c_str(), p.count(),
                                        reinterpret_cast<const Oid *>(then->types.data()),
                                        p.values.data(), p.lengths.data(), p.formats.data(), 0)
                    : PQsendQueryPrepared(conn_, then->name.c_str(), p.count(), p.values.data(),
                                          p.lengths.data(), p.formats.data(), 0);
    then_sent = then_sent == 1;
    send_failed = !then_sent;
  }
  bool commit_sent = false;
  if (!send_failed && commit) {
    commit_sent = PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    send_failed = !commit_sent;
  }
  std::string first_error;
  if (send_failed) first_error = "cannot send the store's writes: " + FailureMessage(nullptr);
  const bool synced = PQpipelineSync(conn_) == 1;
  if (!synced && first_error.empty()) {
    first_error = "cannot send the store's writes: " + FailureMessage(nullptr);
  }
  // One answer per statement sent (its results, then NULL), then the sync's: the writes,
  // then `then` (its result goes to the caller) or the COMMIT.
  const size_t answers = sent + (then_sent ? 1 : 0) + (commit_sent ? 1 : 0);
  bool rolled_back = false;
  for (size_t i = 0; i < answers && PQstatus(conn_) == CONNECTION_OK; ++i) {
    while (PGresult *result = PQgetResult(conn_)) {
      const ExecStatusType status = PQresultStatus(result);
      if (i == sent && then_sent) {
        if (*then_result == nullptr) {
          *then_result = result;
        } else {
          PQclear(result);
        }
        continue;
      }
      if (status == PGRES_FATAL_ERROR && first_error.empty()) {
        first_error = (i < sent ? writes[i].what : std::string("cannot commit to the store")) +
                      ": " + FailureMessage(result);
      } else if (i == sent && status == PGRES_COMMAND_OK &&
                 std::string_view(PQcmdStatus(result)) == "ROLLBACK") {
        rolled_back = true;  // COMMIT of a transaction an earlier error aborted
      }
      PQclear(result);
    }
  }
  // Up to and including the sync's answer (two NULLs in a row: nothing more is coming).
  for (int nulls = 0; synced && nulls < 2 && PQstatus(conn_) == CONNECTION_OK;) {
    PGresult *result = PQgetResult(conn_);
    if (result == nullptr) {
      ++nulls;
      continue;
    }
    nulls = 0;
    const bool sync = PQresultStatus(result) == PGRES_PIPELINE_SYNC;
    PQclear(result);
    if (sync) break;
  }
  if (PQstatus(conn_) == CONNECTION_OK && PQexitPipelineMode(conn_) != 1) {
    // Answers left unread: the connection cannot be used as it is; start a new one.
    if (first_error.empty())
      first_error = "cannot read the store's answers: " + FailureMessage(nullptr);
    Reconnect();
    return Status::IoError(first_error + " (connection lost: it was reopened)");
  }
  if (first_error.empty() && PQstatus(conn_) != CONNECTION_OK) {
    first_error = "cannot send the store's writes: " + FailureMessage(nullptr);
  }
  if (first_error.empty() && rolled_back) {
    first_error =
        "cannot commit to the store: the transaction was rolled back after an error in it";
  }
  if (!first_error.empty()) return Status::IoError(first_error);
  return Status::Ok();
}

bool PostgresDatabase::Reconnect() {
  prepared_.clear();  // a new session has prepared nothing
  deferred_.clear();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  in_transaction_ = false;
  return true;
}

std::string PostgresDatabase::EnsureConnected() {
  if (PQstatus(conn_) == CONNECTION_OK) return "";
  if (in_transaction_) {
    return "the connection to " + url_ +
           " was lost during a transaction (connection lost: it is reopened at "
           "the next "
           "transaction)";
  }
  if (Reconnect()) return "";
  return "cannot reconnect to " + url_ + ": " + OneLine(PQerrorMessage(conn_)) +
         " (connection lost)";
}

std::string PostgresDatabase::FailureMessage(const PGresult *result) {
  const char *primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char *sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = OneLine(primary ? primary : PQerrorMessage(conn_));
  if (message.empty()) message = "the server did not answer";
  if (sqlstate != nullptr) message += std::string(" [") + sqlstate + "]";
  const bool lost_state = sqlstate != nullptr && (std::string_view(sqlstate).rfind("08", 0) == 0 ||
                                                  std::string_view(sqlstate).rfind("57P", 0) == 0);
  if (PQstatus(conn_) != CONNECTION_OK || lost_state) {
    message += " (connection lost: it is reopened at the next transaction)";
  }
  return message;
}

Status PostgresDatabase::Run(const char *sql, const char *what) {
  PGresult *result = PQexec(conn_, sql);
  const ExecStatusType status = PQresultStatus(result);
  Status out = Status::Ok();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    out = Status::IoError(std::string(what) + ": " + FailureMessage(result));
  }
  PQclear(result);
  return out;
}

Status PostgresDatabase::Exec(std::string_view sql) {
  if (std::string why = EnsureConnected(); !why.empty()) return Status::Unavailable(why);
  if (Status flushed = FlushWrites(/*commit=*/false); !flushed.ok()) return flushed;
  // DDL may change what a prepared statement returns ("cached plan must not change result
  // type"): prepare afresh after it.
  prepared_.clear();
  // The simple query protocol: several statements in one string, no parameters.
  const std::string text(sql);
  PGresult *result = PQexec(conn_, text.c_str());
  Status out = Status::Ok();
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    out = Status::IoError(FailureMessage(result));
  }
  PQclear(result);
  return out;
}

Status PostgresDatabase::Begin() {
  if (PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) == PQTRANS_UNKNOWN) {
    // The connection went away (a server restart): reopen it once; the caller's
    // transaction starts afresh on the new connection.
    in_transaction_ = false;
    if (!Reconnect()) {
      return Status::Unavailable("cannot start a store transaction: " + url_ + " is unreachable: " +
                                 OneLine(PQerrorMessage(conn_)) + " (connection lost)");
    }
  }
  Status s = Run("BEGIN", "cannot start a store transaction");
  if (!s.ok() && PQstatus(conn_) != CONNECTION_OK) {
    // The server went away since the last statement and BEGIN found out:
    // nothing was in progress, so reopen the connection once and begin there.
    if (!Reconnect()) {
      return Status::Unavailable("cannot start a store transaction: " + url_ + " is unreachable: " +
                                 OneLine(PQerrorMessage(conn_)) + " (connection lost)");
    }
    s = Run("BEGIN", "cannot start a store transaction");
  }
  in_transaction_ = s.ok();
  return s;
}

Status PostgresDatabase::Commit() {
  if (!deferred_.empty()) {
    // The writes and the COMMIT in one round trip.
    Status s = FlushWrites(/*commit=*/true);
    if (!s.ok() && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
    in_transaction_ = false;
    return s;
  }
  PGresult *result = PQexec(conn_, "COMMIT");
  Status out = Status::Ok();
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    out = Status::IoError("cannot commit to the store: " + FailureMessage(result));
  } else if (std::string_view(PQcmdStatus(result)) == "ROLLBACK") {
    // COMMIT of a transaction that an error aborted: the server rolled it back.
    out = Status::IoError(
        "cannot commit to the store: the transaction was "
        "rolled back after an error in it");
  }
  PQclear(result);
  in_transaction_ = false;
  return out;
}

void PostgresDatabase::Rollback() {
  in_transaction_ = false;
  deferred_.clear();  // never sent: nothing to undo
  if (PQstatus(conn_) != CONNECTION_OK) return;
  PQclear(PQexec(conn_, "ROLLBACK"));
}

StatusOr<std::string> PostgresDatabase::SessionUser() {
  Statement query(*this, "SELECT session_user");
  if (query.Step() != kRow) return query.Error("reading the login");
  return query.ColumnText(0);
}

}  // namespace vigil::host
