#include "exchange/http_fetch.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <mutex>
#include <thread>

namespace vigil::exchange {
namespace {

struct Sink {
  std::string* body;
  size_t limit;
  bool too_big = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink->body->size() + n > sink->limit) {
    sink->too_big = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, n);
  return n;
}

std::string HeaderValue(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() + 1) return {};
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return {};
  }
  if (line[name.size()] != ':') return {};
  std::string_view v = line.substr(name.size() + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) {
    v.remove_suffix(1);
  }
  return std::string(v.substr(0, 512));
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  const std::string_view line(data, size * count);
  if (std::string v = HeaderValue(line, "retry-after"); !v.empty()) response->retry_after = v;
  if (std::string v = HeaderValue(line, "etag"); !v.empty()) response->etag = v;
  return size * count;
}

bool Retryable(int status) {
  return status == 0 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

// The URL without its query (which may carry paging state but never secrets; kept short).
std::string ShortUrl(const std::string& url) {
  std::string out = url.substr(0, url.find('?'));
  return out.size() > 200 ? out.substr(0, 200) + "..." : out;
}

}  // namespace

HttpResponse HttpGetOnce(const HttpRequest& request) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  HttpResponse response;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    response.transport_error = "libcurl could not start a request";
    return response;
  }
  curl_slist* headers = nullptr;
  for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  Sink sink{&response.body, request.max_body_bytes};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(request.timeout_ms, 15000)));
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (headers != nullptr) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!request.basic_user.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.basic_user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.basic_password.c_str());
  }
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    response.status = 0;
    response.transport_error =
        sink.too_big
            ? "the answer is larger than " + std::to_string(request.max_body_bytes >> 20) + " MiB"
            : curl_easy_strerror(rc);
    response.body.clear();
  } else {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return response;
}

int64_t RetryAfterSeconds(const std::string& value, int64_t now_unix) {
  if (value.empty()) return -1;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return -1;
    return std::stoll(value);
  }
  const time_t at = curl_getdate(value.c_str(), nullptr);
  if (at < 0) return -1;
  return std::max<int64_t>(0, static_cast<int64_t>(at) - now_unix);
}

StatusOr<HttpResponse> FetchWithRetries(
    const HttpRequest& request, const RetryPolicy& policy, FetchLog* log,
    const std::function<HttpResponse(const HttpRequest&)>& get) {
  const auto sleep = policy.sleep ? policy.sleep : [](int64_t ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  };
  int64_t backoff = std::max<int64_t>(1, policy.first_backoff_ms);
  std::string last;
  const int attempts = std::max(1, policy.max_attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    HttpResponse response = get ? get(request) : HttpGetOnce(request);
    if (log != nullptr) log->attempts = attempt;
    if (response.status >= 200 && response.status < 400) return response;
    last = response.status == 0
               ? "no answer from " + ShortUrl(request.url) + ": " + response.transport_error
               : "HTTP " + std::to_string(response.status) + " from " + ShortUrl(request.url);
    if (response.status == 401 || response.status == 403) {
      return Status::Unavailable(last + " (check the exchange's credentials)");
    }
    if (!Retryable(response.status)) return Status::Unavailable(last);
    if (attempt == attempts) break;
    int64_t wait_ms = backoff;
    if (response.status == 429 || response.status == 503) {
      const int64_t asked = RetryAfterSeconds(response.retry_after, std::time(nullptr));
      if (asked > policy.max_retry_after_s) {
        return Status::Unavailable(
            last + " asking to wait " + std::to_string(asked) + " s (Retry-After), longer than " +
            std::to_string(policy.max_retry_after_s) + " s; the next sync tries again");
      }
      if (asked >= 0) wait_ms = asked * 1000;
    }
    if (log != nullptr) log->waits_ms.push_back(wait_ms);
    sleep(wait_ms);
    backoff = std::min(backoff * 2, std::max<int64_t>(1, policy.max_backoff_ms));
  }
  return Status::Unavailable(last + " (gave up after " + std::to_string(attempts) + " attempts)");
}

}  // namespace vigil::exchange
