#include "store/exchanges.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "store/local_banks.h"
#include "store/store.h"

namespace vigil::host {
namespace {

bool PlainName(const std::string& name, size_t max) {
  if (name.empty() || name.size() > max || name[0] == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool EnvName(const std::string& name) {
  if (name.empty() || name.size() > 128 || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// http://127.0.0.1[:port]/..., http://localhost[:port]/..., http://[::1][:port]/...
bool IsLoopbackUrl(const std::string& url) {
  const std::string rest = url.substr(7);
  for (const char* host : {"127.0.0.1", "localhost", "[::1]"}) {
    const std::string h = host;
    if (rest.compare(0, h.size(), h) == 0 &&
        (rest.size() == h.size() || rest[h.size()] == ':' || rest[h.size()] == '/')) {
      return true;
    }
  }
  return false;
}

// https://host/v<version>/<digits>: the Graph API path of a privacy group.
bool ThreatExchangeEndpoint(const std::string& url) {
  if (url.find_first_of("?#") != std::string::npos) return false;
  const size_t host = url.find("://");
  if (host == std::string::npos) return false;
  const size_t path = url.find('/', host + 3);
  if (path == std::string::npos) return false;
  std::string p = url.substr(path);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const size_t slash = p.find('/', 1);
  if (slash == std::string::npos || p.size() < 3 || p[1] != 'v') return false;
  const std::string version = p.substr(2, slash - 2), group = p.substr(slash + 1);
  auto digits = [](const std::string& s, bool dots) {
    return !s.empty() && s.size() <= 24 && std::all_of(s.begin(), s.end(), [dots](char c) {
      return (c >= '0' && c <= '9') || (dots && c == '.');
    });
  };
  return digits(version, true) && digits(group, false);
}

Exchange ReadExchange(Statement& row) {
  Exchange e;
  e.name = row.ColumnText(0);
  e.kind = row.ColumnText(1);
  e.endpoint = row.ColumnText(2);
  e.bank = row.ColumnText(3);
  e.credentials = row.ColumnText(4);
  e.interval_s = row.ColumnInt(5);
  e.enabled = row.ColumnInt(6) != 0;
  e.created_by = row.ColumnText(7);
  e.created_at = row.ColumnText(8);
  e.feedback = row.ColumnInt(9) != 0;
  e.feedback_reason = row.ColumnText(10);
  return e;
}

constexpr char kExchangeColumns[] =
    "SELECT name, kind, endpoint, bank, credentials, interval_s, enabled, created_by, "
    "created_at, feedback, feedback_reason FROM exchanges";

}  // namespace

std::string UtcText(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

bool IsExchangeKind(const std::string& kind) {
  return kind == "ncmec" || kind == "stopncii" || kind == "http" || kind == "folder" ||
         kind == "threatexchange";
}

Status ValidateExchange(const Exchange& e) {
  if (!PlainName(e.name, 64)) {
    return Status::InvalidArgument(
        "exchange names are 1..64 letters, digits, '-', '_' and '.' (not starting with '.')");
  }
  if (!IsExchangeKind(e.kind)) {
    return Status::InvalidArgument("unknown exchange kind '" + e.kind +
                                   "': use ncmec, stopncii, threatexchange, http or folder");
  }
  if (e.kind == "folder") {
    if (e.endpoint.empty() || e.endpoint[0] != '/') {
      return Status::InvalidArgument("a folder exchange's endpoint is an absolute folder path");
    }
  } else if (e.endpoint.rfind("http://", 0) != 0 && e.endpoint.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("the endpoint of a " + e.kind +
                                   " exchange is an http:// or https:// URL");
  }
  if ((e.kind == "ncmec" || e.kind == "stopncii" || e.kind == "threatexchange") &&
      e.endpoint.rfind("http://", 0) == 0 && !IsLoopbackUrl(e.endpoint)) {
    return Status::InvalidArgument("the " + e.kind +
                                   " endpoint must be https:// (its credentials would travel in "
                                   "clear text); plain http:// only to 127.0.0.1 or localhost");
  }
  if (e.endpoint.size() > 2048 ||
      e.endpoint.find_first_of(std::string("\r\n\0 ", 4)) != std::string::npos) {
    return Status::InvalidArgument("the endpoint holds spaces or control characters");
  }
  if (e.kind == "threatexchange" && !ThreatExchangeEndpoint(e.endpoint)) {
    return Status::InvalidArgument(
        "a threatexchange endpoint is the Graph API URL of a privacy group, "
        "https://graph.facebook.com/v<version>/<privacy group id> (no query)");
  }
  if (!PlainName(e.bank, 100) || IsLocalBankName(e.bank)) {
    return Status::InvalidArgument(
        "an exchange's bank name is letters, digits, '-', '_' and '.', at most 100, and not "
        "a local- bank (those hold decisions)");
  }
  if (!e.credentials.empty()) {
    if (e.credentials.rfind("file:/", 0) == 0) {
      // an absolute path
    } else if (e.credentials.rfind("env:", 0) == 0) {
      if (!EnvName(e.credentials.substr(4))) {
        return Status::InvalidArgument("credentials env:NAME needs an environment variable name");
      }
    } else {
      return Status::InvalidArgument(
          "credentials are a reference: file:/ABSOLUTE/PATH or env:NAME, never the secret");
    }
  }
  if (e.interval_s <= 0) return Status::InvalidArgument("the interval is at least 1 second");
  if (e.feedback && e.kind != "ncmec" && e.kind != "stopncii") {
    return Status::InvalidArgument("feedback is sent to ncmec and stopncii exchanges only");
  }
  if (!e.feedback_reason.empty() && e.kind != "ncmec") {
    return Status::InvalidArgument(
        "--feedback-negative-reason is for ncmec exchanges (a StopNCII not-illegal decision "
        "sends NotBlocked, which carries no reason)");
  }
  if (!e.feedback_reason.empty()) {
    const bool guid_form =
        e.feedback_reason.size() == 36 &&
        std::all_of(e.feedback_reason.begin(), e.feedback_reason.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) || c == '-';
        });
    if (!e.feedback || !guid_form) {
      return Status::InvalidArgument(
          "--feedback-negative-reason is the GUID of an NCMEC feedback reason, with --feedback");
    }
  }
  return Status::Ok();
}

Status AddExchange(Database& db, const Exchange& e) {
  if (Status s = ValidateExchange(e); !s.ok()) return s;
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    Statement taken(db, "SELECT name, bank FROM exchanges WHERE name = ?1 OR bank = ?2");
    taken.Bind(1, e.name).Bind(2, e.bank);
    const int rc = taken.Step();
    if (rc == kRow) {
      if (taken.ColumnText(0) == e.name) {
        return Status::InvalidArgument("an exchange named '" + e.name +
                                       "' exists already (remove it first)");
      }
      return Status::InvalidArgument("bank " + e.bank + " is fed by exchange '" +
                                     taken.ColumnText(0) + "' already");
    }
    if (rc != kDone) return taken.Error("reading exchanges");
  }
  Statement insert(db,
                   "INSERT INTO exchanges (name, kind, endpoint, bank, credentials, interval_s, "
                   "enabled, created_by, created_at, feedback, feedback_reason) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  insert.Bind(1, e.name)
      .Bind(2, e.kind)
      .Bind(3, e.endpoint)
      .Bind(4, e.bank)
      .Bind(5, e.credentials)
      .Bind(6, e.interval_s)
      .Bind(7, e.enabled ? 1 : 0)
      .Bind(8, e.created_by)
      .Bind(9, e.created_at.empty() ? NowUtc() : e.created_at)
      .Bind(10, e.feedback ? 1 : 0)
      .Bind(11, e.feedback_reason);
  if (insert.Step() != kDone) return insert.Error("adding exchange " + e.name);
  if (insert.RowsChanged() == 0) {
    return Status::Unavailable("exchange " + e.name +
                               " was not added: only an admin configures exchanges");
  }
  return tx.Commit();
}

Status RemoveExchange(Database& db, const std::string& name) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement state(db, "DELETE FROM exchange_state WHERE name = ?1");
  state.Bind(1, name);
  if (state.Step() != kDone) return state.Error("removing the state of exchange " + name);
  Statement remove(db, "DELETE FROM exchanges WHERE name = ?1");
  remove.Bind(1, name);
  if (remove.Step() != kDone) return remove.Error("removing exchange " + name);
  if (remove.RowsChanged() == 0) return Status::NotFound("no exchange named '" + name + "'");
  return tx.Commit();
}

StatusOr<std::vector<Exchange>> ListExchanges(Database& db) {
  Statement rows(db, std::string(kExchangeColumns) + " ORDER BY name");
  std::vector<Exchange> out;
  int rc;
  while ((rc = rows.Step()) == kRow) out.push_back(ReadExchange(rows));
  if (rc != kDone) return rows.Error("reading exchanges");
  return out;
}

StatusOr<std::optional<Exchange>> FindExchange(Database& db, const std::string& name) {
  Statement row(db, std::string(kExchangeColumns) + " WHERE name = ?1");
  row.Bind(1, name);
  const int rc = row.Step();
  if (rc == kRow) return std::optional<Exchange>(ReadExchange(row));
  if (rc != kDone) return row.Error("reading exchange " + name);
  return std::optional<Exchange>();
}

StatusOr<ExchangeState> ExchangeStateOf(Database& db, const std::string& name) {
  Statement row(db,
                "SELECT checkpoint, last_success, last_success_unix, last_error, last_error_at, "
                "entries, pages, updated_at FROM exchange_state WHERE name = ?1");
  row.Bind(1, name);
  ExchangeState s;
  const int rc = row.Step();
  if (rc == kRow) {
    s.checkpoint = row.ColumnText(0);
    s.last_success = row.ColumnText(1);
    s.last_success_unix = row.ColumnInt(2);
    s.last_error = row.ColumnText(3);
    s.last_error_at = row.ColumnText(4);
    s.entries = row.ColumnInt(5);
    s.pages = row.ColumnInt(6);
    s.updated_at = row.ColumnText(7);
  } else if (rc != kDone) {
    return row.Error("reading the state of exchange " + name);
  }
  return s;
}

namespace {

// Makes sure the exchange has a state row (INSERT ... ON CONFLICT DO NOTHING: both dialects).
Status EnsureStateRow(Database& db, const std::string& name) {
  Statement insert(db,
                   "INSERT INTO exchange_state (name) SELECT name FROM exchanges WHERE name = ?1 "
                   "ON CONFLICT (name) DO NOTHING");
  insert.Bind(1, name);
  if (insert.Step() != kDone) return insert.Error("recording the state of exchange " + name);
  return Status::Ok();
}

}  // namespace

Status SaveExchangeCheckpoint(Database& db, const std::string& name, const std::string& checkpoint,
                              int64_t entries, int64_t pages, bool complete, int64_t now_unix) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  if (Status s = EnsureStateRow(db, name); !s.ok()) return s;
  const std::string now = UtcText(now_unix);
  Statement update(db, complete ? "UPDATE exchange_state SET checkpoint = ?2, entries = ?3, "
                                  "pages = 0, last_error = '', last_error_at = '', "
                                  "last_success = ?4, last_success_unix = ?5, updated_at = ?4 "
                                  "WHERE name = ?1"
                                : "UPDATE exchange_state SET checkpoint = ?2, entries = ?3, "
                                  "pages = ?6, last_error = '', last_error_at = '', "
                                  "updated_at = ?4 WHERE name = ?1");
  update.Bind(1, name).Bind(2, checkpoint).Bind(3, entries).Bind(4, now);
  if (complete) {
    update.Bind(5, now_unix);
  } else {
    update.Bind(6, pages);
  }
  if (update.Step() != kDone) return update.Error("saving the checkpoint of exchange " + name);
  if (update.RowsChanged() == 0) {
    return Status::NotFound("no exchange named '" + name +
                            "' (or this login may not write its state)");
  }
  return tx.Commit();
}

Status RecordExchangeError(Database& db, const std::string& name, const std::string& error,
                           int64_t now_unix) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  if (Status s = EnsureStateRow(db, name); !s.ok()) return s;
  const std::string now = UtcText(now_unix);
  Statement update(db,
                   "UPDATE exchange_state SET last_error = ?2, last_error_at = ?3, "
                   "updated_at = ?3 WHERE name = ?1");
  update.Bind(1, name).Bind(2, error.substr(0, 2000)).Bind(3, now);
  if (update.Step() != kDone) return update.Error("recording the error of exchange " + name);
  if (update.RowsChanged() == 0) return Status::NotFound("no exchange named '" + name + "'");
  return tx.Commit();
}

}  // namespace vigil::host
