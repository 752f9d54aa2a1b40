#include "store/api_tokens.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scan/sha256.h"
#include "store/audit_log.h"
#include "store/store.h"

namespace vigil::host {
namespace {

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : ",") + s;
  return out;
}

ApiToken FromRow(Statement& row) {
  ApiToken token;
  token.name = row.ColumnText(0);
  std::stringstream scopes(row.ColumnText(1));
  for (std::string s; std::getline(scopes, s, ',');) {
    if (!s.empty()) token.scopes.push_back(s);
  }
  token.rate_per_s = row.ColumnDouble(2);
  token.created_by = row.ColumnText(3);
  token.created_at = row.ColumnText(4);
  token.revoked_by = row.ColumnText(5);
  token.revoked_at = row.ColumnText(6);
  return token;
}

constexpr const char* kColumns =
    "name, scopes, rate_per_s, created_by, created_at, revoked_by, revoked_at";

}  // namespace

std::string ApiTokenHash(const std::string& token) { return Sha256Hex(token); }

StatusOr<std::vector<std::string>> ParseApiScopes(const std::string& text) {
  std::vector<std::string> wanted;
  std::stringstream in(text);
  for (std::string s; std::getline(in, s, ',');) {
    s.erase(0, s.find_first_not_of(' '));
    while (!s.empty() && s.back() == ' ') s.pop_back();
    if (s.empty()) continue;
    bool known = std::any_of(std::begin(kApiScopes), std::end(kApiScopes),
                             [&](const char* k) { return s == k; });
    if (!known) {
      return Status::InvalidArgument("unknown scope '" + s + "' (scopes: submit, match, admin)");
    }
    if (std::find(wanted.begin(), wanted.end(), s) != wanted.end()) {
      return Status::InvalidArgument("scope '" + s + "' given twice");
    }
    wanted.push_back(s);
  }
  if (wanted.empty()) return Status::InvalidArgument("a token needs at least one scope");
  std::vector<std::string> ordered;
  for (const char* k : kApiScopes) {
    if (std::find(wanted.begin(), wanted.end(), k) != wanted.end()) ordered.push_back(k);
  }
  return ordered;
}

StatusOr<std::string> CreateApiToken(Database& db, const std::string& name,
                                     const std::vector<std::string>& scopes, double rate_per_s,
                                     const std::string& by) {
  if (!ValidName(name)) {
    return Status::InvalidArgument("token name '" + name +
                                   "' must be 1-64 of letters, digits, '.', '_' or '-'");
  }
  if (scopes.empty()) return Status::InvalidArgument("a token needs at least one scope");
  if (!std::isfinite(rate_per_s) || rate_per_s < 0) {
    return Status::InvalidArgument("--rate must be 0 (unlimited) or a positive number");
  }
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) {
    return Status::Internal("OpenSSL could not make random bytes for a token");
  }
  std::string secret = kApiTokenPrefix;
  char hex[3];
  for (unsigned char b : random) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    secret += hex;
  }
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    Statement exists(db, "SELECT 1 FROM api_tokens WHERE name = ?1");
    exists.Bind(1, name);
    int rc = exists.Step();
    if (rc == kRow) {
      return Status::InvalidArgument("a token named '" + name +
                                     "' exists (names are never reused, even after revoke)");
    }
    if (rc != kDone) return exists.Error("reading api_tokens");
  }
  const std::string at = NowUtc();
  Statement insert(db,
                   "INSERT INTO api_tokens (name, token_sha256, scopes, rate_per_s, created_by, "
                   "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.Bind(1, name).Bind(2, ApiTokenHash(secret)).Bind(3, JoinScopes(scopes));
  insert.Bind(4, rate_per_s).Bind(5, by).Bind(6, at);
  if (insert.Step() != kDone) return insert.Error("creating token " + name);
  AuditEntry entry;
  entry.actor = by;
  entry.action = "token.created";
  entry.details =
      nlohmann::json{{"name", name}, {"scopes", scopes}, {"rate_per_s", rate_per_s}}.dump();
  if (Status s = AppendAudit(db, entry, at); !s.ok()) return s;
  if (Status s = tx.Commit(); !s.ok()) return s;
  return secret;
}

StatusOr<std::vector<ApiToken>> ListApiTokens(Database& db) {
  Statement list(db, std::string("SELECT ") + kColumns + " FROM api_tokens ORDER BY name");
  std::vector<ApiToken> tokens;
  for (;;) {
    int rc = list.Step();
    if (rc == kDone) break;
    if (rc != kRow) return list.Error("listing api_tokens");
    tokens.push_back(FromRow(list));
  }
  return tokens;
}

Status RevokeApiToken(Database& db, const std::string& name, const std::string& by) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement find(db, "SELECT revoked_at FROM api_tokens WHERE name = ?1");
  find.Bind(1, name);
  int rc = find.Step();
  if (rc == kDone) return Status::NotFound("no token named '" + name + "'");
  if (rc != kRow) return find.Error("reading api_tokens");
  if (!find.ColumnText(0).empty()) {
    return Status::InvalidArgument("token '" + name + "' was revoked at " + find.ColumnText(0));
  }
  const std::string at = NowUtc();
  Statement revoke(db,
                   "UPDATE api_tokens SET revoked_by = ?2, revoked_at = ?3 WHERE name = ?1 AND "
                   "revoked_at IS NULL");
  revoke.Bind(1, name).Bind(2, by).Bind(3, at);
  if (revoke.Step() != kDone) return revoke.Error("revoking token " + name);
  AuditEntry entry;
  entry.actor = by;
  entry.action = "token.revoked";
  entry.details = nlohmann::json{{"name", name}}.dump();
  if (Status s = AppendAudit(db, entry, at); !s.ok()) return s;
  return tx.Commit();
}

StatusOr<std::optional<ApiToken>> FindLiveApiToken(Database& db, const std::string& token) {
  if (token.rfind(kApiTokenPrefix, 0) != 0 || token.size() > 256) {
    return std::optional<ApiToken>();
  }
  const std::string hash = ApiTokenHash(token);
  // Looked up by the hash (an index over SHA-256 outputs, which a caller cannot steer
  // byte by byte), then compared in constant time all the same.
  Statement find(db, std::string("SELECT ") + kColumns +
                         ", token_sha256 FROM api_tokens WHERE token_sha256 = ?1");
  find.Bind(1, hash);
  int rc = find.Step();
  if (rc == kDone) return std::optional<ApiToken>();
  if (rc != kRow) return find.Error("reading api_tokens");
  const std::string stored = find.ColumnText(7);
  if (stored.size() != hash.size() || CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) != 0) {
    return std::optional<ApiToken>();
  }
  ApiToken found = FromRow(find);
  if (!found.revoked_at.empty()) return std::optional<ApiToken>();
  return std::optional<ApiToken>(std::move(found));
}

}  // namespace vigil::host
