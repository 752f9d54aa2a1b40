// Bearer tokens checked against the store's api_tokens (store/api_tokens.h) through a
// cache with a short time to live: a revoked token stops working within `ttl` (1 s by
// default) without a store read per request. Unknown tokens are cached too (a client
// retrying a bad token does not reach the store), the cache bounded in size.
#ifndef VIGIL_HOST_SERVICE_TOKEN_AUTH_H_
#define VIGIL_HOST_SERVICE_TOKEN_AUTH_H_

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "service/http_api.h"
#include "store/db/database.h"

namespace vigil::service {

class StoreAuthenticator : public Authenticator {
 public:
  using Clock = std::chrono::steady_clock;
  // `db` is used under `db_mutex` (shared with the server's other users of the
  // connection); both outlive this object.
  StoreAuthenticator(host::Database& db, std::mutex& db_mutex,
                     std::chrono::milliseconds ttl = std::chrono::milliseconds(1000));
  std::optional<Principal> Authenticate(std::string_view token) override;
  // Store reads so far (tests: the cache works).
  int64_t lookups() const;

 private:
  struct Cached {
    std::optional<Principal> who;
    Clock::time_point at;
  };
  host::Database& db_;
  std::mutex& db_mutex_;
  const std::chrono::milliseconds ttl_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;  // by the token's SHA-256
  int64_t lookups_ = 0;
};

}  // namespace vigil::service

#endif  // VIGIL_HOST_SERVICE_TOKEN_AUTH_H_
