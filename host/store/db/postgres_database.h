// PostgresDatabase: the team store's backend (issue 13), PostgreSQL 15 through
// libpq.
//
// Opened from a URL
// `postgresql://[user@]host[:port]/db[?sslmode=..&sslcert=..&sslkey=..]` (or
// `postgres://`). A URL carrying a password is refused: credentials never go on
// a command line; libpq reads ~/.pgpass, PGPASSFILE or PGPASSWORD itself.
//
// The store's SQL uses `?N` placeholders; Prepare() turns them into `$N`
// (TranslatePlaceholders). Text parameters go to the server as text of unknown
// type (the server infers it from the statement), integers as int8 and reals as
// float8 (so `SELECT ?1` into a BIGINT column is not text), blobs as binary
// bytea; results come back as text and are converted on read.
//
// A lost connection (a server restart) fails the statement that noticed it with
// an error that IsConnectionError() recognises; the next Begin() reconnects
// once (so a caller retries the whole transaction), and so does the next
// statement run outside a transaction. One connection: not for use by two
// threads at once.
#ifndef VIGIL_HOST_STORE_DB_POSTGRES_DATABASE_H_
#define VIGIL_HOST_STORE_DB_POSTGRES_DATABASE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/db/database.h"

struct pg_conn;
struct pg_result;

namespace vigil::host {

// Whether `url` names a PostgreSQL store (postgresql:// or postgres://).
bool IsPostgresUrl(std::string_view url);

// The SQL with `?N` as `$N` and each bare `?` as the next number (one more than
// the largest so far, as SQLite numbers them), outside string literals, quoted
// identifiers, dollar quotes and comments. `max_index` (if given) receives the
// largest parameter number, and `used` which of 1..max_index the SQL names
// (used[n - 1]).
std::string TranslatePlaceholders(std::string_view sql, int *max_index = nullptr,
                                  std::vector<bool> *used = nullptr);

// True when `status` failed because the connection to the server was lost (or
// could not be reopened): the transaction did not happen and may be retried as
// a whole.
bool IsConnectionError(const Status &status);

// Runs `transaction` (which begins and commits its own transaction on the
// store) and, when it fails because the connection was lost (a server restart),
// runs it again, at most `attempts` times in all: the failed attempt rolled
// back, so nothing is lost or doubled. Any other error is returned at once.
template <class Body>
Status RetryOnConnectionLoss(Body &&transaction, int attempts = 3) {
  Status status = Status::Ok();
  for (int attempt = 0; attempt < attempts; ++attempt) {
    status = transaction();
    if (!IsConnectionError(status)) return status;
  }
  return status;
}

// One statement as it goes to the server: a prepared statement's name (or "" to send the
// SQL itself), its parameters as text or bytes, and their type OIDs (0: the server infers).
struct PgQuery {
  std::string name;
  std::string sql;
  std::vector<std::optional<std::string>> params;
  std::vector<unsigned int> types;
  std::string what;  // names a deferred write in an error
};

class PostgresDatabase final : public Database {
 public:
  // Connects to `url`. Refuses URLs with a password and ones that are not
  // PostgreSQL URLs.
  static StatusOr<std::unique_ptr<PostgresDatabase>> Open(const std::string &url);
  ~PostgresDatabase() override;
  PostgresDatabase(const PostgresDatabase &) = delete;
  PostgresDatabase &operator=(const PostgresDatabase &) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::unique_ptr<StatementBackend> Prepare(std::string_view sql) override;
  Status Exec(std::string_view sql) override;
  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  std::string Describe() const override { return url_; }

  // The login this connection runs as (SELECT session_user): the reviewer id of
  // a team store.
  StatusOr<std::string> SessionUser();

  // For the statements of this backend: before running one, make sure the
  // connection is usable (reopens a lost one outside a transaction); "" or why
  // not.
  std::string EnsureConnected();
  // Notes a failed command; returns the one-line error (message [SQLSTATE]) and
  // marks a lost connection so that the next Begin() reconnects.
  std::string FailureMessage(const ::pg_result *result);
  ::pg_conn *raw() { return conn_; }
  bool in_transaction() const { return in_transaction_; }

  // The name under which this connection has prepared `sql` with these parameter types,
  // preparing it now if it has not (one round trip, the first time only). "" when the
  // connection keeps no more prepared statements (kMaxPrepared; the SQL is then sent each
  // time). `why` receives the server's error if the SQL does not prepare.
  std::string PreparedName(const std::string &sql, const std::vector<unsigned int> &types,
                           std::string *why);
  // Runs one statement now and returns its result (the caller PQclears it).
  ::pg_result *Run(const PgQuery &query);
  // Keeps a write of the open transaction to send with the next statement that reads or
  // with the COMMIT (Statement::Write).
  void Defer(PgQuery query) { deferred_.push_back(std::move(query)); }
  bool has_deferred_writes() const { return !deferred_.empty(); }
  // Sends the deferred writes, then `then` (a statement whose result the caller reads:
  // `*then_result`, for the caller to PQclear) or COMMIT when `commit`, in one pipeline
  // (libpq's pipeline mode: no wait between them) and reads every answer: the first
  // write's error, named by its write, or Ok.
  Status FlushWrites(bool commit, const PgQuery *then = nullptr,
                     ::pg_result **then_result = nullptr);

 private:
  PostgresDatabase(::pg_conn *conn, std::string url) : conn_(conn), url_(std::move(url)) {}
  Status Run(const char *sql, const char *what);
  bool Reconnect();

  static constexpr size_t kMaxPrepared = 512;

  ::pg_conn *conn_;
  std::string url_;
  bool in_transaction_ = false;
  // Prepared statements of this connection by parameter types and SQL; names are never
  // reused, so a statement forgotten here (after DDL) cannot clash with a new one.
  std::unordered_map<std::string, std::string> prepared_;
  uint64_t next_prepared_ = 0;
  std::vector<PgQuery> deferred_;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_DB_POSTGRES_DATABASE_H_
