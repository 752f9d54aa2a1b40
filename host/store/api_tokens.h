// The bearer tokens of `vigil serve` (issue 14 item 2): `vigil tokens create|list|revoke`
// and the server's lookups. A token is "vgl_" + 64 hex digits (32 random bytes from
// OpenSSL's RAND_bytes), shown once at creation; the store keeps only its SHA-256.
// Tokens are revoked, never deleted or edited (triggers on both backends; on PostgreSQL
// only vigil_admin creates and revokes, see migration 10).
#ifndef VIGIL_HOST_STORE_API_TOKENS_H_
#define VIGIL_HOST_STORE_API_TOKENS_H_

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

inline constexpr const char* kApiScopes[] = {"submit", "match", "admin"};
inline constexpr const char kApiTokenPrefix[] = "vgl_";

struct ApiToken {
  std::string name;
  std::vector<std::string> scopes;  // a subset of kApiScopes, in that order
  double rate_per_s = 0;            // 0: unlimited
  std::string created_by;
  std::string created_at;
  std::string revoked_by;  // "" while the token is live
  std::string revoked_at;
};

// Splits "submit,match" into scopes, each checked against kApiScopes; an unknown one,
// an empty list or a repeat is an error naming it.
StatusOr<std::vector<std::string>> ParseApiScopes(const std::string& text);

// Creates a token and returns its secret (the only time it exists in clear). `name`:
// 1-64 of [A-Za-z0-9._-], unique among all tokens ever made. Writes an audit entry
// "token.created" in the same transaction.
StatusOr<std::string> CreateApiToken(Database& db, const std::string& name,
                                     const std::vector<std::string>& scopes, double rate_per_s,
                                     const std::string& by);

// Every token, live and revoked, by name.
StatusOr<std::vector<ApiToken>> ListApiTokens(Database& db);

// Revokes a live token (audit entry "token.revoked"); NotFound for an unknown name,
// InvalidArgument for one already revoked.
Status RevokeApiToken(Database& db, const std::string& name, const std::string& by);

// The live token whose secret is `token`, or nullopt (unknown, revoked, or not a token).
// The stored hash is compared with the token's in constant time (CRYPTO_memcmp).
StatusOr<std::optional<ApiToken>> FindLiveApiToken(Database& db, const std::string& token);

// The SHA-256 (hex) the store keeps for a token.
std::string ApiTokenHash(const std::string& token);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_API_TOKENS_H_
