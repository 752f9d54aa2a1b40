// HTTP GET for the exchange clients (issue 15 item 1): libcurl, one request at a time, with
// retries. What is retried: a connection that failed or dropped mid-response, HTTP 429, 500,
// 502, 503 and 504. Backoff doubles from `first_backoff_ms` up to `max_backoff_ms`; a 429 or
// 503 with Retry-After (seconds or an HTTP date) waits what the server asked instead, unless
// that is longer than `max_retry_after_s` (then the fetch fails and says so: the next sync
// tries again). Other statuses (401, 403, 404, ...) fail at once with a one-line message.
#ifndef VIGIL_HOST_EXCHANGE_HTTP_FETCH_H_
#define VIGIL_HOST_EXCHANGE_HTTP_FETCH_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::exchange {

struct HttpRequest {
  std::string url;
  std::string method = "GET";  // or PUT / POST with `body` (the feedback calls)
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  std::string basic_user;            // HTTP Basic authentication when not empty
  std::string basic_password;
  int64_t timeout_ms = 60000;
  size_t max_body_bytes = size_t{512} << 20;  // a larger answer is an error
};

struct HttpResponse {
  int status = 0;               // 0: no HTTP answer (transport error)
  std::string transport_error;  // set when status == 0
  std::string body;
  std::string retry_after;  // the Retry-After header, verbatim
  std::string etag;
};

// One request (its method and body), no retries. Returns a response (status 0 with transport_error
// on a failed or dropped connection); never throws.
HttpResponse HttpGetOnce(const HttpRequest& request);

struct RetryPolicy {
  int max_attempts = 5;
  int64_t first_backoff_ms = 500;
  int64_t max_backoff_ms = 30000;
  int64_t max_retry_after_s = 600;
  // Waits; tests pass one that records the waits and returns at once.
  std::function<void(int64_t ms)> sleep;
};

// What a fetch did, for status output and tests.
struct FetchLog {
  int attempts = 0;
  std::vector<int64_t> waits_ms;  // each wait before a retry
};

// GET with retries as described above. `get` defaults to HttpGetOnce (tests may inject).
// Returns the final response with status 200..399; any other outcome is an error saying
// what happened on the last attempt.
StatusOr<HttpResponse> FetchWithRetries(
    const HttpRequest& request, const RetryPolicy& policy, FetchLog* log = nullptr,
    const std::function<HttpResponse(const HttpRequest&)>& get = nullptr);

// Seconds a Retry-After value asks for (delta-seconds or an HTTP date relative to
// `now_unix`); -1 when it is absent or unreadable.
int64_t RetryAfterSeconds(const std::string& value, int64_t now_unix);

}  // namespace vigil::exchange

#endif  // VIGIL_HOST_EXCHANGE_HTTP_FETCH_H_
