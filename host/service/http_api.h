// The transport-free half of `vigil serve` (issue 14 item 1): requests and responses as
// plain values, the router, bearer-token auth with scopes and per-token rate limits, and
// Dispatch, which turns one parsed request into one response. The socket half
// (http_server.h) reads with Boost.Beast and calls Dispatch; the fuzz target and the unit
// tests call it directly.
//
// Index:
//   [SECTION] Request and response
//   [SECTION] Router
//   [SECTION] Auth and rate limits
//   [SECTION] Dispatch
#ifndef VIGIL_HOST_SERVICE_HTTP_API_H_
#define VIGIL_HOST_SERVICE_HTTP_API_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigil::service {

// [SECTION] Request and response ---------------------------------------------------------

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // the target without its query, percent-escapes left as sent
  std::string query;   // after '?', may be empty
  std::map<std::string, std::string> headers;  // names in lower case
  std::map<std::string, std::string> params;   // the route's {name} parts (decoded)
  std::string body;
  std::string token_name;  // set by Dispatch once the bearer token is accepted

  // The header's value, or "" when absent. `name` in lower case.
  std::string Header(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones (Retry-After)
};

// {"error": message, "code": status}: every error the server answers.
HttpResponse JsonError(int status, const std::string& message);
// A JSON body (already serialised) with this status.
HttpResponse JsonResponse(int status, std::string body);

// [SECTION] Router -----------------------------------------------------------------------

using Handler = std::function<HttpResponse(HttpRequest&)>;

// The body a route takes by default: small JSON.
inline constexpr uint64_t kSmallBodyLimit = 1u << 20;  // 1 MiB

struct Route {
  std::string method;
  std::string pattern;  // "/v1/items/{id}": a {name} matches one non-empty path segment
  // Any one of these scopes admits the caller; empty: the route is open (no token).
  std::vector<std::string> scopes;
  uint64_t body_limit = kSmallBodyLimit;  // larger bodies are answered 413 unread
  Handler handler;
  std::string summary;  // one line, for the route list and error messages
};

class Router {
 public:
  void Add(Route route);
  // The route for this method and path (its {params} filled in), or nullptr; then
  // `path_known` says whether another method would have matched (405 rather than 404).
  const Route* Match(std::string_view method, std::string_view path,
                     std::map<std::string, std::string>* params, bool* path_known) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Percent-decoding of one path segment; nullopt when an escape is malformed.
std::optional<std::string> PercentDecode(std::string_view text);

// [SECTION] Auth and rate limits ---------------------------------------------------------

// Who a bearer token belongs to.
struct Principal {
  std::string name;
  std::set<std::string> scopes;  // "submit", "match", "admin"
  double rate_per_s = 0;         // requests per second; 0: unlimited
};

// Looks tokens up (the store's api_tokens through a short cache, see token_auth.h).
// [thread-safe]
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The token's owner, or nullopt for an unknown or revoked token.
  virtual std::optional<Principal> Authenticate(std::string_view token) = 0;
};

// A token bucket per token name: `rate_per_s` refill, a burst of max(1, rate) requests.
// [thread-safe]
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // 0 when the request may go now, else the whole seconds to wait (>= 1).
  int Take(const std::string& name, double rate_per_s, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// What Dispatch reports of each request, for /metrics.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // `route`: the route's pattern, or "unmatched". [thread-safe]
  virtual void Observe(const std::string& route, int status, double seconds) = 0;
};

// [SECTION] Dispatch ---------------------------------------------------------------------

struct DispatchContext {
  const Router* router = nullptr;
  Authenticator* auth = nullptr;  // nullptr: every scoped route answers 401
  RateLimiter* limiter = nullptr;
  RequestObserver* observer = nullptr;
};

// Routes the request, checks the bearer token (401 missing/unknown/revoked, 403 wrong
// scope, 429 over the token's rate, with Retry-After), runs the handler. A handler that
// throws answers 500 with a one-line error; the server keeps serving.
HttpResponse Dispatch(const DispatchContext& context, HttpRequest& request);

}  // namespace vigil::service

#endif  // VIGIL_HOST_SERVICE_HTTP_API_H_
