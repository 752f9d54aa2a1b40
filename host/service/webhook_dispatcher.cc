#include "service/webhook_dispatcher.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "service/webhook_signature.h"

namespace vigil::service {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The answer's body is not read (only its status counts), nor kept.
size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

std::string DefaultOwner(std::mt19937_64& random) {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag;
  uint64_t bits = random();
  for (int i = 0; i < 12; ++i, bits >>= 4) tag += kHex[bits & 0xf];
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + tag;
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(host::Database& db, WebhookOptions options)
    : db_(db), options_(std::move(options)), random_(std::random_device{}()) {
  InitCurlOnce();
  if (options_.owner.empty()) options_.owner = DefaultOwner(random_);
  options_.batch = std::max(1, options_.batch);
}

host::WebhookAttempt WebhookDispatcher::Send(const host::WebhookDelivery& delivery) {
  host::WebhookAttempt attempt;
  auto secret = host::OpenWebhookSecret(options_.secret_key ? &*options_.secret_key : nullptr,
                                        delivery.endpoint, delivery.secret);
  if (!secret.ok()) {
    attempt.error = secret.status().message();  // not sent: it could not be signed
    return attempt;
  }
  const int64_t timestamp = NowMs() / 1000;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    attempt.error = "could not start an HTTP request";
    return attempt;
  }
  curl_slist* headers = nullptr;
  const std::string lines[] = {
      "Content-Type: application/json",
      "User-Agent: vigil-webhooks/1",
      "Vigil-Event-Id: " + delivery.event_id,
      "Vigil-Event-Type: " + delivery.type,
      "Vigil-Timestamp: " + std::to_string(timestamp),
      "Vigil-Signature: " + SignWebhook(secret.value(), timestamp, delivery.body),
      "Expect:",  // no 100-continue round trip
  };
  for (const std::string& line : lines) headers = curl_slist_append(headers, line.c_str());
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_URL, delivery.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, delivery.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(delivery.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  attempt.http_status = static_cast<int>(status);
  if (rc == CURLE_OK && status >= 200 && status < 300) {
    attempt.delivered = true;
    return attempt;
  }
  attempt.error = rc != CURLE_OK ? (error[0] != '\0' ? std::string(error) : curl_easy_strerror(rc))
                                 : "HTTP " + std::to_string(status);
  return attempt;
}

StatusOr<DeliverReport> WebhookDispatcher::DeliverDue() {
  DeliverReport report;
  // Only what is due when the pass starts: a delivery that fails in it is due again later
  // (next_at after the start), so a pass ends even with no backoff.
  const int64_t start = NowMs();
  for (;;) {
    auto leased = host::LeaseDueDeliveries(db_, options_.owner, start, options_.lease.count(),
                                           options_.batch);
    if (!leased.ok()) return leased.status();
    if (leased->empty()) break;
    for (const host::WebhookDelivery& delivery : leased.value()) {
      host::WebhookAttempt attempt = Send(delivery);
      ++report.attempted;
      const int64_t now = NowMs();
      if (!attempt.delivered) {
        const int64_t age = now - delivery.created_ms;
        if (age >= options_.give_up_after.count()) {
          attempt.dead = true;
          attempt.error +=
              " (gave up after " + std::to_string(delivery.attempts + 1) + " attempts)";
        } else {
          // 2^(attempts) times the first backoff, capped, less a random part of up to half.
          const int shift = static_cast<int>(std::min<int64_t>(delivery.attempts, 40));
          const double grown = static_cast<double>(options_.first_backoff.count()) *
                               static_cast<double>(int64_t{1} << shift);
          const int64_t base = static_cast<int64_t>(
              std::min(grown, static_cast<double>(options_.max_backoff.count())));
          const int64_t jitter =
              base >= 2 ? static_cast<int64_t>(random_() % static_cast<uint64_t>(base / 2 + 1)) : 0;
          attempt.next_at_ms = std::max(now + base - jitter, start + 1);
        }
      }
      Status recorded = host::RecordWebhookAttempt(db_, delivery.id, options_.owner, attempt);
      if (recorded.code() == Status::Code::kUnavailable) {
        ++report.lost_leases;
        continue;
      }
      if (!recorded.ok()) return recorded;
      if (attempt.delivered)
        ++report.delivered;
      else if (attempt.dead)
        ++report.dead;
      else
        ++report.failed;
    }
  }
  return report;
}

void WebhookDispatcher::Run(const std::atomic<bool>& stop,
                            const std::function<void(const Status&)>& on_error) {
  while (!stop.load()) {
    auto report = DeliverDue();
    if (!report.ok() && on_error) on_error(report.status());
    if (report.ok() && report->attempted > 0) continue;
    // Nothing was due (or the store failed): pause, in short steps so a stop is prompt.
    const auto until = std::chrono::steady_clock::now() + options_.idle_pause;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace vigil::service
