// Issue 14 item 3: the webhook outbox in the store. Endpoints (name, URL, signing secret,
// event filter), events written in the transaction of what caused them (so an event exists
// if and only if its cause committed), and deliveries (one per event and endpoint, made by
// a trigger when the event is written) that a deliverer leases, sends and records.
// The sending itself is service/webhook_dispatcher.h; docs/webhooks.md describes it all.
#ifndef VIGIL_HOST_STORE_WEBHOOK_OUTBOX_H_
#define VIGIL_HOST_STORE_WEBHOOK_OUTBOX_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"
#include "store/media_vault.h"
#include "store/store.h"

namespace vigil::host {

// The event types Vigil sends.
inline constexpr const char* kWebhookItemAutoAction = "item.auto_action";
inline constexpr const char* kWebhookItemDecided = "item.decided";
inline constexpr const char* kWebhookItemMatched = "item.matched";
bool IsWebhookEventType(const std::string& type);

struct WebhookEndpoint {
  std::string name;
  std::string url;
  std::string secret;               // empty when listed without secrets
  std::vector<std::string> events;  // empty: every type
  bool enabled = true;
  std::string created_at;
};

// OK for an absolute http:// or https:// URL with a host; otherwise why not (one line).
Status CheckWebhookUrl(const std::string& url);

// The signing secret at rest. With the store's media key (store/media_vault.h; a team
// store always has one) the secret is sealed with it (XChaCha20-Poly1305, bound to the
// endpoint's name) and stored as "sealed1:" + hex; without, it is stored as given
// (docs/webhooks.md says so). OpenWebhookSecret gives the secret back: a sealed one needs
// the key (a one-line error says so); one moved to another endpoint does not open.
StatusOr<std::string> SealWebhookSecret(const MediaKey& key, const std::string& endpoint,
                                        const std::string& secret);
StatusOr<std::string> OpenWebhookSecret(const MediaKey* key, const std::string& endpoint,
                                        const std::string& stored);

// Adds an endpoint (a name of letters, digits, '-', '_' and '.'; an http(s) URL; a secret
// of at least 16 bytes; known event types). Events written from then on are sent to it.
// With `key`, the secret is sealed with it (above).
Status AddWebhookEndpoint(Database& db, const WebhookEndpoint& endpoint,
                          const MediaKey* key = nullptr);
// Removes an endpoint and its deliveries (the events stay). NotFound when there is none.
Status RemoveWebhookEndpoint(Database& db, const std::string& name);
StatusOr<std::vector<WebhookEndpoint>> ListWebhookEndpoints(Database& db, bool with_secrets);

// Writes an event of `type` about what `cause` names (e.g. "item 42 decision 7"): its
// idempotency key (the Vigil-Event-Id receivers deduplicate on) is derived from type and
// cause, so writing the same cause again writes nothing. `fields` are added to the body
// next to id, type and created_at. REQUIRES: inside the caller's transaction (the outbox
// pattern: the event commits or rolls back with its cause). Never put media bytes or
// reviewer notes in `fields`.
Status EnqueueEvent(Database& db, const std::string& type, const std::string& cause,
                    const nlohmann::ordered_json& fields);
// EnqueueEvent for an item: the body's "item" holds its sha256 (read from the store).
Status EnqueueItemEvent(Database& db, const std::string& type, int64_t item_id,
                        const std::string& cause, nlohmann::ordered_json fields);

// The events of issue 14 item 3, each written by a one-line call in the transaction of its
// cause. item.auto_action: an item recorded with disposition auto-action (Store's item
// recording; once per item, however often it is scanned again).
Status EnqueueAutoActionEvent(Database& db, int64_t item_id, const ItemRecord& record);
// item.decided: a reviewer's decision that settles an item (`state` "decided"; a decision
// that sends it to another round writes nothing). The decision, its round and the item's
// category; never the reviewer's reason.
Status EnqueueDecisionEvent(Database& db, int64_t item_id, const std::string& decision,
                            const std::string& state, int round);
// item.matched: the new matches `vigil rematch` found on an item (detector, detection),
// with the item's outcome after them.
Status EnqueueMatchEvent(Database& db, int64_t item_id,
                         const std::vector<std::pair<std::string, v1::Detection>>& matches,
                         const Outcome& outcome);

// One delivery a deliverer holds the lease of, with what it needs to send it.
struct WebhookDelivery {
  int64_t id = 0;
  std::string endpoint;
  std::string url;
  std::string secret;    // as stored: OpenWebhookSecret gives the secret
  std::string event_id;  // the idempotency key
  std::string type;
  std::string body;
  int64_t attempts = 0;    // before this one
  int64_t created_ms = 0;  // when the event was written (unix ms)
};

// Leases up to `limit` deliveries that are due at `now_ms` (pending, next_at passed, no
// live lease) to `owner` until now_ms + lease_ms, oldest first. On PostgreSQL rows another
// deliverer is leasing at the same moment are skipped (FOR UPDATE SKIP LOCKED), so two
// deliverers never hold the same delivery; SQLite has one writer at a time.
StatusOr<std::vector<WebhookDelivery>> LeaseDueDeliveries(Database& db, const std::string& owner,
                                                          int64_t now_ms, int64_t lease_ms,
                                                          int limit);

// The outcome of one attempt, recorded only while `owner` still holds the lease.
// delivered: state delivered. Otherwise the delivery is tried again at next_at_ms, or when
// `dead` recorded as given up.
struct WebhookAttempt {
  bool delivered = false;
  bool dead = false;
  int http_status = 0;  // 0: no answer
  std::string error;    // why it failed (one line)
  int64_t next_at_ms = 0;
};
Status RecordWebhookAttempt(Database& db, int64_t delivery_id, const std::string& owner,
                            const WebhookAttempt& attempt);

// Per endpoint: how many of its deliveries are pending, delivered and dead, and the last
// error of a pending or dead one.
struct WebhookEndpointStatus {
  std::string name;
  std::string url;
  bool enabled = true;
  int64_t pending = 0;
  int64_t delivered = 0;
  int64_t dead = 0;
  std::string last_error;
};
StatusOr<std::vector<WebhookEndpointStatus>> WebhookStatus(Database& db);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_WEBHOOK_OUTBOX_H_
