#include "store/webhook_outbox.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <sstream>

#include "scan/scan_json.h"
#include "scan/sha256.h"
#include "store/store.h"

namespace vigil::host {
namespace {

std::string JoinEvents(const std::vector<std::string>& events) {
  std::string joined;
  for (const std::string& e : events) joined += (joined.empty() ? "" : ",") + e;
  return joined;
}

std::vector<std::string> SplitEvents(const std::string& joined) {
  std::vector<std::string> events;
  std::stringstream in(joined);
  std::string e;
  while (std::getline(in, e, ',')) {
    if (!e.empty()) events.push_back(e);
  }
  return events;
}

bool IsValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool IsWebhookEventType(const std::string& type) {
  return type == kWebhookItemAutoAction || type == kWebhookItemDecided ||
         type == kWebhookItemMatched;
}

Status CheckWebhookUrl(const std::string& url) {
  std::string lower = url.substr(0, 8);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t rest = 0;
  if (lower.rfind("http://", 0) == 0) {
    rest = 7;
  } else if (lower.rfind("https://", 0) == 0) {
    rest = 8;
  } else {
    return Status::InvalidArgument("a webhook URL must start with http:// or https://");
  }
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) {
      return Status::InvalidArgument("a webhook URL may not contain spaces or control characters");
    }
  }
  const size_t end = url.find_first_of("/?#", rest);
  std::string authority =
      url.substr(rest, end == std::string::npos ? std::string::npos : end - rest);
  if (const size_t at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  if (authority.empty() || authority[0] == ':') {
    return Status::InvalidArgument("a webhook URL needs a host: " + url);
  }
  return Status::Ok();
}

namespace {

constexpr char kSealedPrefix[] = "sealed1:";

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xf];
  }
  return out;
}

}  // namespace

StatusOr<std::string> SealWebhookSecret(const MediaKey& key, const std::string& endpoint,
                                        const std::string& secret) {
  if (sodium_init() < 0) return Status::Internal("libsodium did not start");
  std::string out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + secret.size() +
                      crypto_aead_xchacha20poly1305_ietf_ABYTES,
                  '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long sealed_size = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &sealed_size,
      reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
      reinterpret_cast<const unsigned char*>(endpoint.data()), endpoint.size(), nullptr, nonce,
      key.data());
  return kSealedPrefix + Hex(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                                        static_cast<size_t>(sealed_size));
}

StatusOr<std::string> OpenWebhookSecret(const MediaKey* key, const std::string& endpoint,
                                        const std::string& stored) {
  if (stored.rfind(kSealedPrefix, 0) != 0) return stored;
  if (key == nullptr) {
    return Status::InvalidArgument("the secret of webhook endpoint " + endpoint +
                                   " is sealed with the store's media key: name the key file "
                                   "([store] media_key_file in --config or $VIGIL_CONFIG)");
  }
  if (sodium_init() < 0) return Status::Internal("libsodium did not start");
  const std::string hex = stored.substr(sizeof(kSealedPrefix) - 1);
  std::string bytes(hex.size() / 2, '\0');
  size_t size = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), hex.data(),
                     hex.size(), nullptr, &size, nullptr) != 0 ||
      size < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                 crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return Status::Corruption("the sealed secret of webhook endpoint " + endpoint +
                              " is malformed");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t sealed = size - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string secret(sealed, '\0');
  unsigned long long secret_size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(secret.data()), &secret_size, nullptr,
          nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, sealed,
          reinterpret_cast<const unsigned char*>(endpoint.data()), endpoint.size(), nonce,
          key->data()) != 0) {
    return Status::Corruption("the sealed secret of webhook endpoint " + endpoint +
                              " does not open with this media key (another key, or not this "
                              "endpoint's)");
  }
  secret.resize(static_cast<size_t>(secret_size));
  return secret;
}

Status AddWebhookEndpoint(Database& db, const WebhookEndpoint& endpoint, const MediaKey* key) {
  if (!IsValidName(endpoint.name)) {
    return Status::InvalidArgument(
        "a webhook endpoint name is 1 to 64 letters, digits, '-', "
        "'_' or '.': '" +
        endpoint.name + "' is not");
  }
  if (Status s = CheckWebhookUrl(endpoint.url); !s.ok()) return s;
  if (endpoint.secret.size() < 16) {
    return Status::InvalidArgument("a webhook secret must be at least 16 bytes long");
  }
  for (const std::string& type : endpoint.events) {
    if (!IsWebhookEventType(type)) {
      return Status::InvalidArgument("unknown webhook event '" + type + "' (use " +
                                     kWebhookItemAutoAction + ", " + kWebhookItemDecided + " or " +
                                     kWebhookItemMatched + ")");
    }
  }
  std::string stored = endpoint.secret;
  if (key != nullptr) {
    auto sealed = SealWebhookSecret(*key, endpoint.name, endpoint.secret);
    if (!sealed.ok()) return sealed.status();
    stored = sealed.value();
  }
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    Statement exists(db, "SELECT 1 FROM webhook_endpoints WHERE name = ?1");
    exists.Bind(1, endpoint.name);
    const int rc = exists.Step();
    if (rc == kRow) {
      return Status::InvalidArgument("a webhook endpoint named '" + endpoint.name +
                                     "' exists already (remove it first)");
    }
    if (rc != kDone) return exists.Error("reading webhook endpoints");
  }
  Statement insert(db,
                   "INSERT INTO webhook_endpoints (name, url, secret, events, enabled, "
                   "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.Bind(1, endpoint.name)
      .Bind(2, endpoint.url)
      .Bind(3, stored)
      .Bind(4, JoinEvents(endpoint.events))
      .Bind(5, endpoint.enabled ? 1 : 0)
      .Bind(6, NowUtc());
  if (insert.Step() != kDone) return insert.Error("adding webhook endpoint " + endpoint.name);
  if (insert.RowsChanged() == 0) {  // a team store's row-level security: admins only
    return Status::Unavailable("webhook endpoint " + endpoint.name +
                               " was not added: only an admin manages webhooks");
  }
  return tx.Commit();
}

Status RemoveWebhookEndpoint(Database& db, const std::string& name) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement remove(db, "DELETE FROM webhook_endpoints WHERE name = ?1");
  remove.Bind(1, name);
  if (remove.Step() != kDone) return remove.Error("removing webhook endpoint " + name);
  if (remove.RowsChanged() == 0) {
    return Status::NotFound("no webhook endpoint named '" + name + "'");
  }
  return tx.Commit();
}

StatusOr<std::vector<WebhookEndpoint>> ListWebhookEndpoints(Database& db, bool with_secrets) {
  Statement rows(db, with_secrets ? "SELECT name, url, events, enabled, created_at, secret "
                                    "FROM webhook_endpoints ORDER BY name"
                                  : "SELECT name, url, events, enabled, created_at "
                                    "FROM webhook_endpoints ORDER BY name");
  std::vector<WebhookEndpoint> endpoints;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    WebhookEndpoint e;
    e.name = rows.ColumnText(0);
    e.url = rows.ColumnText(1);
    e.events = SplitEvents(rows.ColumnText(2));
    e.enabled = rows.ColumnInt(3) != 0;
    e.created_at = rows.ColumnText(4);
    if (with_secrets) e.secret = rows.ColumnText(5);
    endpoints.push_back(std::move(e));
  }
  if (rc != kDone) return rows.Error("reading webhook endpoints");
  return endpoints;
}

Status EnqueueEvent(Database& db, const std::string& type, const std::string& cause,
                    const nlohmann::ordered_json& fields) {
  if (!IsWebhookEventType(type)) return Status::InvalidArgument("unknown webhook event " + type);
  const std::string key = "evt_" + Sha256Hex(type + "\n" + cause).substr(0, 32);
  const std::string now = NowUtc();
  nlohmann::ordered_json body = {{"id", key}, {"type", type}, {"created_at", now}};
  for (const auto& [name, value] : fields.items()) body[name] = value;
  // A cause written again (an item recorded twice, a redelivered submission) writes
  // nothing: the key is the cause's. On PostgreSQL through the schema's function, as those
  // who cause events may not read them (which ON CONFLICT needs).
  if (db.dialect() == Dialect::kPostgres) {
    Statement call(db,
                   "SELECT vigil_webhook_event(?1::text, ?2::text, ?3::text, ?4::bigint, "
                   "?5::text)");
    call.Bind(1, type).Bind(2, key).Bind(3, now).Bind(4, NowMs()).Bind(5, JsonText(body));
    if (call.Step() != kRow) return call.Error("writing webhook event " + type);
    return Status::Ok();
  }
  Statement insert(db,
                   "INSERT INTO webhook_events (type, idempotency_key, created_at, created_ms, "
                   "body) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (idempotency_key) DO NOTHING");
  insert.Bind(1, type).Bind(2, key).Bind(3, now).Bind(4, NowMs()).Bind(5, JsonText(body));
  return insert.Write("writing webhook event " + type);
}

Status EnqueueItemEvent(Database& db, const std::string& type, int64_t item_id,
                        const std::string& cause, nlohmann::ordered_json fields) {
  Statement item(db, "SELECT sha256 FROM items WHERE id = ?1");
  item.Bind(1, item_id);
  if (item.Step() != kRow) return item.Error("reading item " + std::to_string(item_id));
  nlohmann::ordered_json all = {{"item", {{"sha256", item.ColumnText(0)}}}};
  for (const auto& [name, value] : fields.items()) all[name] = value;
  return EnqueueEvent(db, type, cause, all);
}

namespace {

nlohmann::ordered_json MatchJson(const v1::Detection& d) {
  nlohmann::ordered_json m = {{"bank", d.match().bank()}, {"entry_id", d.match().entry_id()}};
  if (!d.match().category().empty()) m["category"] = d.match().category();
  if (!d.signal_type().empty()) m["signal_type"] = d.signal_type();
  m["distance"] = d.match().distance();
  return m;
}

}  // namespace

Status EnqueueAutoActionEvent(Database& db, int64_t item_id, const ItemRecord& record) {
  if (record.outcome.disposition != Disposition::kAutoAction) return Status::Ok();
  nlohmann::ordered_json item = {{"sha256", record.sha256}};
  if (!record.media_kind.empty()) item["media_kind"] = record.media_kind;
  // An item a platform submitted (vigil serve, the fleet): its submission id, and one event
  // per submission (the same bytes submitted twice are two answers owed).
  if (!record.submission_id.empty()) item["submission_id"] = record.submission_id;
  nlohmann::ordered_json matches = nlohmann::ordered_json::array();
  for (const DetectorRun& run : record.runs) {
    for (const auto& d : run.result.detections()) {
      if (d.has_match()) matches.push_back(MatchJson(d));
    }
  }
  nlohmann::ordered_json fields = {{"item", item}, {"disposition", "auto-action"}};
  if (!record.outcome.category.empty()) fields["category"] = record.outcome.category;
  fields["rule"] = record.outcome.rule;
  fields["matches"] = matches;
  std::string cause = "item " + std::to_string(item_id) + " auto-action";
  if (!record.submission_id.empty()) cause += " submission " + record.submission_id;
  return EnqueueEvent(db, kWebhookItemAutoAction, cause, fields);
}

Status EnqueueDecisionEvent(Database& db, int64_t item_id, const std::string& decision,
                            const std::string& state, int round) {
  if (state != "decided") return Status::Ok();
  int64_t decision_id = 0;
  std::string category;
  {
    // The decision just recorded (the caller's, in this transaction) names the cause: a
    // reopened item decided again is a new event.
    Statement last(db,
                   "SELECT (SELECT max(id) FROM decisions WHERE item_id = ?1), "
                   "(SELECT coalesce(category, '') FROM queue WHERE item_id = ?1)");
    last.Bind(1, item_id);
    if (last.Step() != kRow) return last.Error("reading the decision of an item");
    decision_id = last.ColumnInt(0);
    category = last.ColumnText(1);
  }
  nlohmann::ordered_json fields = {{"decision", decision}, {"round", round}};
  if (!category.empty()) fields["category"] = category;
  return EnqueueItemEvent(
      db, kWebhookItemDecided, item_id,
      "item " + std::to_string(item_id) + " decision " + std::to_string(decision_id), fields);
}

Status EnqueueMatchEvent(Database& db, int64_t item_id,
                         const std::vector<std::pair<std::string, v1::Detection>>& matches,
                         const Outcome& outcome) {
  if (matches.empty()) return Status::Ok();
  std::string cause = "item " + std::to_string(item_id) + " matched";
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& [detector, d] : matches) {
    cause += " " + d.match().bank() + "/" + d.match().entry_id();
    list.push_back(MatchJson(d));
  }
  nlohmann::ordered_json fields = {{"disposition", DispositionName(outcome.disposition)}};
  if (!outcome.category.empty()) fields["category"] = outcome.category;
  fields["matches"] = list;
  return EnqueueItemEvent(db, kWebhookItemMatched, item_id, cause, fields);
}

StatusOr<std::vector<WebhookDelivery>> LeaseDueDeliveries(Database& db, const std::string& owner,
                                                          int64_t now_ms, int64_t lease_ms,
                                                          int limit) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  // PostgreSQL: rows another deliverer is leasing right now are skipped, and a row leased
  // and committed meanwhile is checked again after its lock (READ COMMITTED), so it is not
  // leased twice. SQLite: BEGIN IMMEDIATE already serialises writers.
  const std::string lock = db.dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
  {
    Statement lease(db,
                    "UPDATE webhook_deliveries SET lease_owner = ?1, lease_expires = ?2 "
                    "WHERE id IN (SELECT id FROM webhook_deliveries WHERE state = 'pending' "
                    "AND next_at <= ?3 AND (lease_expires IS NULL OR lease_expires < ?3) "
                    "ORDER BY next_at, id LIMIT ?4" +
                        lock + ")");
    lease.Bind(1, owner).Bind(2, now_ms + lease_ms).Bind(3, now_ms).Bind(4, limit);
    if (lease.Step() != kDone) return lease.Error("leasing webhook deliveries");
  }
  std::vector<WebhookDelivery> leased;
  {
    Statement rows(db,
                   "SELECT d.id, d.endpoint, e.url, e.secret, ev.idempotency_key, ev.type, "
                   "ev.body, d.attempts, ev.created_ms FROM webhook_deliveries d "
                   "JOIN webhook_events ev ON ev.id = d.event_id "
                   "JOIN webhook_endpoints e ON e.name = d.endpoint "
                   "WHERE d.lease_owner = ?1 AND d.lease_expires = ?2 AND d.state = 'pending' "
                   "ORDER BY d.next_at, d.id");
    rows.Bind(1, owner).Bind(2, now_ms + lease_ms);
    int rc;
    while ((rc = rows.Step()) == kRow) {
      WebhookDelivery d;
      d.id = rows.ColumnInt(0);
      d.endpoint = rows.ColumnText(1);
      d.url = rows.ColumnText(2);
      d.secret = rows.ColumnText(3);
      d.event_id = rows.ColumnText(4);
      d.type = rows.ColumnText(5);
      d.body = rows.ColumnText(6);
      d.attempts = rows.ColumnInt(7);
      d.created_ms = rows.ColumnInt(8);
      leased.push_back(std::move(d));
    }
    if (rc != kDone) return rows.Error("reading leased webhook deliveries");
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  return leased;
}

Status RecordWebhookAttempt(Database& db, int64_t delivery_id, const std::string& owner,
                            const WebhookAttempt& attempt) {
  Statement update(db,
                   "UPDATE webhook_deliveries SET attempts = attempts + 1, state = ?3, "
                   "next_at = ?4, last_status = ?5, last_error = ?6, delivered_at = ?7, "
                   "lease_owner = NULL, lease_expires = NULL "
                   "WHERE id = ?1 AND lease_owner = ?2 AND state = 'pending'");
  update.Bind(1, delivery_id)
      .Bind(2, owner)
      .Bind(3, attempt.delivered ? "delivered"
               : attempt.dead    ? "dead"
                                 : "pending")
      .Bind(4, attempt.next_at_ms);
  if (attempt.http_status != 0)
    update.Bind(5, attempt.http_status);
  else
    update.BindNull(5);
  if (attempt.delivered || attempt.error.empty())
    update.BindNull(6);
  else
    update.Bind(6, attempt.error);
  if (attempt.delivered)
    update.Bind(7, NowUtc());
  else
    update.BindNull(7);
  if (update.Step() != kDone) {
    return update.Error("recording webhook delivery " + std::to_string(delivery_id));
  }
  if (update.RowsChanged() == 0) {
    return Status::Unavailable("webhook delivery " + std::to_string(delivery_id) +
                               " is no longer leased by this deliverer (its lease ran out)");
  }
  return Status::Ok();
}

StatusOr<std::vector<WebhookEndpointStatus>> WebhookStatus(Database& db) {
  Statement rows(db,
                 "SELECT e.name, e.url, e.enabled, "
                 "(SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint = e.name AND "
                 "d.state = 'pending'), "
                 "(SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint = e.name AND "
                 "d.state = 'delivered'), "
                 "(SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint = e.name AND "
                 "d.state = 'dead'), "
                 "coalesce((SELECT d.last_error FROM webhook_deliveries d WHERE "
                 "d.endpoint = e.name AND d.state <> 'delivered' AND d.last_error IS NOT NULL "
                 "ORDER BY d.id DESC LIMIT 1), '') "
                 "FROM webhook_endpoints e ORDER BY e.name");
  std::vector<WebhookEndpointStatus> out;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    WebhookEndpointStatus s;
    s.name = rows.ColumnText(0);
    s.url = rows.ColumnText(1);
    s.enabled = rows.ColumnInt(2) != 0;
    s.pending = rows.ColumnInt(3);
    s.delivered = rows.ColumnInt(4);
    s.dead = rows.ColumnInt(5);
    s.last_error = rows.ColumnText(6);
    out.push_back(std::move(s));
  }
  if (rc != kDone) return rows.Error("reading webhook status");
  return out;
}

}  // namespace vigil::host
