// Issue 14 item 3: the deliverer of the webhook outbox (store/webhook_outbox.h). One pass
// (DeliverDue) leases the deliveries that are due, POSTs each event's JSON body to its
// endpoint, signed (service/webhook_signature.h), and records the answer: a 2xx delivers
// it; anything else (another status, a refused connection, a timeout; redirects are not
// followed) tries again after an exponential backoff with jitter, until the event is older
// than give_up_after, when the delivery is recorded dead. At least once: a receiver may see
// an event twice (a lost answer, a lease that ran out), and deduplicates on Vigil-Event-Id.
// No order between events is promised.
//
// A dispatcher uses its own store connection (give it a Store of its own, not one another
// thread uses); several dispatchers, in one process or on several machines, share the work
// without sending a delivery twice at the same time (leases).
#ifndef VIGIL_HOST_SERVICE_WEBHOOK_DISPATCHER_H_
#define VIGIL_HOST_SERVICE_WEBHOOK_DISPATCHER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "core/status.h"
#include "store/db/database.h"
#include "store/webhook_outbox.h"

namespace vigil::service {

struct WebhookOptions {
  // Backoff after the n-th failed attempt: min(max_backoff, first_backoff * 2^(n-1)), of
  // which a random half is taken off (jitter), so retries of many events spread out.
  std::chrono::milliseconds first_backoff{1000};
  std::chrono::milliseconds max_backoff{10 * 60 * 1000};
  // A delivery still failing when its event is this old is recorded dead.
  std::chrono::milliseconds give_up_after{72LL * 3600 * 1000};
  // One request: connecting and the whole exchange.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{10000};
  // How long a leased delivery is this dispatcher's; longer than a batch of requests.
  std::chrono::milliseconds lease{120000};
  // Run: the pause when nothing was due.
  std::chrono::milliseconds idle_pause{500};
  int batch = 16;  // deliveries leased per pass
  // Who leases (unique per dispatcher); empty: host name, process id and a random part.
  std::string owner;
  // The store's media key, to open secrets sealed with it (store/webhook_outbox.h). A
  // sealed secret without it fails that delivery with a one-line reason.
  std::optional<host::MediaKey> secret_key;
};

struct DeliverReport {
  int attempted = 0;
  int delivered = 0;
  int failed = 0;  // will be tried again
  int dead = 0;
  int lost_leases = 0;  // answers not recorded: the lease had run out
};

class WebhookDispatcher {
 public:
  WebhookDispatcher(host::Database& db, WebhookOptions options);
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  // One pass: every delivery due now, in batches of options.batch. An error is the store's
  // (a failed request is recorded, not returned).
  StatusOr<DeliverReport> DeliverDue();
  // DeliverDue until `stop` is set, pausing idle_pause when nothing was due. A store error
  // is passed to `on_error` (when set) and retried after a pause; returns when stopped.
  void Run(const std::atomic<bool>& stop,
           const std::function<void(const Status&)>& on_error = nullptr);

  const std::string& owner() const { return options_.owner; }

 private:
  // Sends one delivery; what to record.
  host::WebhookAttempt Send(const host::WebhookDelivery& delivery);

  host::Database& db_;
  WebhookOptions options_;
  std::mt19937_64 random_;
};

}  // namespace vigil::service

#endif  // VIGIL_HOST_SERVICE_WEBHOOK_DISPATCHER_H_
