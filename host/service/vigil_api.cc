#include "service/vigil_api.h"

#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "scan/sha256.h"
#include "service/bank_routes.h"
#include "store/audit_log.h"
#include "store/item_result.h"
#include "store/named_queues.h"
#include "store/store.h"
#include "store/submissions.h"
#include "vigil/decode/image_decoder.h"
#include "vigil/pdq/pdq.h"
#include "vigil/url/check.h"

namespace vigil::service {

// [SECTION] Metrics ----------------------------------------------------------------------

void ServiceMetrics::Observe(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
  ++observed_;
  seconds_sum_ += seconds;
  for (size_t i = 0; i < sizeof(kBuckets) / sizeof(kBuckets[0]); ++i) {
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  }
}

std::string ServiceMetrics::Render(int64_t spooled) const {
  std::ostringstream out;
  std::lock_guard<std::mutex> lock(mutex_);
  out << "# HELP vigil_http_requests_total HTTP requests by route pattern and status.\n"
      << "# TYPE vigil_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out << "vigil_http_requests_total{route=\"" << key.first << "\",code=\"" << key.second << "\"} "
        << count << "\n";
  }
  out << "# HELP vigil_http_request_seconds Time from parsed request to response.\n"
      << "# TYPE vigil_http_request_seconds histogram\n";
  for (size_t i = 0; i < sizeof(kBuckets) / sizeof(kBuckets[0]); ++i) {
    out << "vigil_http_request_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << bucket_counts_[i]
        << "\n";
  }
  out << "vigil_http_request_seconds_bucket{le=\"+Inf\"} " << observed_ << "\n"
      << "vigil_http_request_seconds_sum " << seconds_sum_ << "\n"
      << "vigil_http_request_seconds_count " << observed_ << "\n"
      << "# HELP vigil_submissions_accepted_total Submissions made durable (answered 202).\n"
      << "# TYPE vigil_submissions_accepted_total counter\n"
      << "vigil_submissions_accepted_total " << accepted_.load() << "\n"
      << "# HELP vigil_submissions_failed_total Submissions the sink refused (answered 503).\n"
      << "# TYPE vigil_submissions_failed_total counter\n"
      << "vigil_submissions_failed_total " << failed_.load() << "\n";
  if (spooled >= 0) {
    out << "# HELP vigil_spool_pending Submissions in the spool, not yet recorded.\n"
        << "# TYPE vigil_spool_pending gauge\n"
        << "vigil_spool_pending " << spooled << "\n";
  }
  return out.str();
}

namespace {

// [SECTION] Helpers ----------------------------------------------------------------------

std::string Md5Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_md5(), nullptr);
  std::string hex;
  char two[3];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(two, sizeof two, "%02x", digest[i]);
    hex += two;
  }
  return hex;
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Every request that touches media is in the audit log: who (the token), which route,
// the bytes' SHA-256 and size. Error: the request is refused (503), never served unaudited.
Status AuditMedia(const ApiDeps& deps, const HttpRequest& request, const std::string& action,
                  const nlohmann::json& details) {
  if (deps.db == nullptr || deps.db_mutex == nullptr) return Status::Unavailable("no store");
  std::lock_guard<std::mutex> lock(*deps.db_mutex);
  host::Transaction tx(*deps.db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  host::AuditEntry entry;
  entry.actor = "api:" + request.token_name;
  entry.action = action;
  nlohmann::json d = details;
  d["route"] = request.method + " " + request.path;
  entry.details = Dump(d);
  if (Status s = host::AppendAudit(*deps.db, entry, host::NowUtc()); !s.ok()) return s;
  return tx.Commit();
}

// PDQ of an image's bytes: {"hash", "quality"}, or {"error"} when it does not decode.
nlohmann::json PdqOf(const std::string& bytes) {
  auto image = decode::DecodeImage(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!image.ok()) return {{"error", image.status().message()}};
  decode::DecodedImage& decoded = image.value();
  pdq::ImageView view;
  view.pixels = decoded.pixel_data();
  view.size_bytes = decoded.pixel_bytes();
  view.width = decoded.width;
  view.height = decoded.height;
  view.stride = decoded.stride;
  view.format = pdq::PixelFormat::kRgb8;
  thread_local pdq::PdqHasher hasher;
  auto hashed = hasher.Hash(view);
  if (!hashed.ok()) return {{"error", hashed.status().message()}};
  return {{"hash", hashed.value().hash.ToHex()}, {"quality", hashed.value().quality}};
}

// [SECTION] Handlers ---------------------------------------------------------------------

HttpResponse Hash(const ApiDeps& deps, HttpRequest& request) {
  if (request.body.empty()) return JsonError(400, "POST the item's bytes as the body");
  const std::string sha = host::Sha256Hex(request.body);
  if (Status s =
          AuditMedia(deps, request, "api.hash", {{"sha256", sha}, {"size", request.body.size()}});
      !s.ok()) {
    return JsonError(503, "cannot write the audit log: " + s.message());
  }
  nlohmann::json out{{"sha256", sha}, {"md5", Md5Hex(request.body)}, {"size", request.body.size()}};
  nlohmann::json pdq = PdqOf(request.body);
  if (pdq.contains("error")) {
    out["pdq"] = nullptr;
    out["pdq_error"] = pdq["error"];
  } else {
    out["pdq"] = pdq;
  }
  // ?match=1: the signals matched against the hash banks too (one round trip per upload).
  if (("&" + request.query + "&").find("&match=1&") != std::string::npos) {
    if (deps.banks == nullptr) return JsonError(503, "no hash banks to match against");
    const std::string pdq_hex = pdq.contains("hash") ? pdq["hash"].get<std::string>() : "";
    out["matches"] = MatchItemSignals(*deps.banks, pdq_hex, out["md5"].get<std::string>(), sha);
  }
  return JsonResponse(200, Dump(out));
}

HttpResponse SubmitItem(const ApiDeps& deps, HttpRequest& request) {
  if (deps.sink == nullptr) return JsonError(503, "no submission sink");
  Submission s;
  s.id = NewSubmissionId();
  s.received_unix_ms = NowUnixMs();
  s.source = request.Header("x-vigil-source").empty() ? "api" : request.Header("x-vigil-source");
  s.uploader_id = request.Header("x-vigil-uploader");
  const std::string type = request.Header("content-type");
  if (type.rfind("application/json", 0) == 0) {
    // A URL record: recorded and checked against the URL lists; never fetched.
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return JsonError(400,
                       "malformed JSON: send {\"url\": \"https://...\"}, or the item's "
                       "bytes with another Content-Type");
    }
    if (!body.contains("url") || !body["url"].is_string()) {
      return JsonError(400, "a JSON submission is a URL record: {\"url\": \"https://...\"}");
    }
    s.url = body["url"].get<std::string>();
    if (s.url.empty() || s.url.size() > 8192 ||
        (s.url.rfind("http://", 0) != 0 && s.url.rfind("https://", 0) != 0)) {
      return JsonError(400, "url must be an http:// or https:// URL of at most 8192 bytes");
    }
    if (body.contains("uploader_id")) {
      if (!body["uploader_id"].is_string()) return JsonError(400, "uploader_id must be a string");
      s.uploader_id = body["uploader_id"].get<std::string>();
    }
    if (body.contains("name")) {
      if (!body["name"].is_string()) return JsonError(400, "name must be a string");
      s.name = body["name"].get<std::string>();
    }
  } else {
    if (request.body.empty()) {
      return JsonError(400, "POST the item's bytes as the body (or a JSON URL record)");
    }
    s.content_type = type;
    s.name = request.Header("x-vigil-name");
    s.bytes = std::move(request.body);
  }
  if (s.name.size() > 1024 || s.uploader_id.size() > 1024 || s.source.size() > 128) {
    return JsonError(400, "name and uploader are at most 1024 bytes, source 128");
  }
  nlohmann::json audit{{"submission", s.id}, {"size", s.bytes.size()}};
  if (!s.bytes.empty()) audit["sha256"] = host::Sha256Hex(s.bytes);
  if (!s.url.empty()) audit["url"] = s.url;
  if (Status st = AuditMedia(deps, request, "api.submit", audit); !st.ok()) {
    if (deps.metrics) deps.metrics->SubmissionFailed();
    return JsonError(503, "cannot write the audit log: " + st.message());
  }
  if (Status st = deps.sink->Submit(s); !st.ok()) {
    if (deps.metrics) deps.metrics->SubmissionFailed();
    return JsonError(503, "submission not accepted: " + st.message());
  }
  if (deps.metrics) deps.metrics->SubmissionAccepted();
  // The store's row, for GET /v1/items/{id} wherever the submission is scanned. Not what
  // makes it durable (the sink is): when this fails the item is still scanned, and its
  // row is made when it is recorded.
  host::SubmissionRecord row;
  row.id = s.id;
  row.name = s.name;
  row.content_type = s.content_type;
  row.url = s.url;
  row.uploader_id = s.uploader_id;
  row.source = s.source;
  row.size = static_cast<int64_t>(s.bytes.size());
  if (audit.contains("sha256")) row.sha256 = audit["sha256"].get<std::string>();
  {
    std::lock_guard<std::mutex> lock(*deps.db_mutex);
    if (Status st = host::AcceptSubmission(*deps.db, row); !st.ok()) {
      std::fprintf(stderr, "vigil serve: %s accepted, its row not written yet: %s\n", s.id.c_str(),
                   st.message().c_str());
    }
  }
  return JsonResponse(202, Dump({{"id", s.id}, {"status", "accepted"}}));
}

nlohmann::json ResultJson(const host::ItemResult& r) {
  nlohmann::json detections = nlohmann::json::array();
  for (const host::ResultDetection& d : r.detections) {
    nlohmann::json one{
        {"detector", d.detector}, {"label", d.label}, {"score", d.score}, {"severity", d.severity}};
    if (!d.signal_type.empty()) one["signal_type"] = d.signal_type;
    if (!d.bank.empty()) one["bank"] = d.bank;
    if (!d.entry_id.empty()) one["entry_id"] = d.entry_id;
    if (!d.category.empty()) one["category"] = d.category;
    if (d.distance) one["distance"] = *d.distance;
    detections.push_back(std::move(one));
  }
  nlohmann::json out{{"sha256", r.sha256}, {"size", r.size},       {"media_kind", r.media_kind},
                     {"status", r.status}, {"outcome", r.outcome}, {"detections", detections}};
  if (!r.error.empty()) out["error"] = r.error;
  if (!r.rule.empty()) out["rule"] = r.rule;
  if (!r.reason.empty()) out["reason"] = r.reason;
  if (!r.queue_state.empty()) out["review"] = {{"queue", r.queue}, {"state", r.queue_state}};
  if (!r.decision.empty()) out["decision"] = {{"decision", r.decision}, {"at", r.decided_at}};
  return out;
}

HttpResponse ItemStatus(const ApiDeps& deps, HttpRequest& request) {
  const std::string& id = request.params["id"];
  if (!IsSubmissionId(id)) return JsonError(400, "not a submission id: sub- and 32 hex digits");
  std::optional<host::SubmissionRecord> row;
  std::optional<host::ItemResult> result;
  {
    std::lock_guard<std::mutex> lock(*deps.db_mutex);
    auto found = host::FindSubmission(*deps.db, id);
    if (!found.ok()) return JsonError(503, "cannot read the store: " + found.status().message());
    row = found.value();
    if (row && row->status == "done" && row->item_id > 0) {
      auto read = host::ReadItemResult(*deps.db, row->item_id);
      if (!read.ok()) return JsonError(503, "cannot read the store: " + read.status().message());
      result = read.value();
    }
  }
  if (!row) {
    // Spooled before its row was written (or the row could not be written).
    if (deps.spool != nullptr && deps.spool->IsPending(id)) {
      return JsonResponse(200, Dump({{"id", id}, {"status", "accepted"}}));
    }
    return JsonError(404, "no submission " + id);
  }
  nlohmann::json out{{"id", id}, {"status", row->status}, {"received_at", row->received_at}};
  if (!row->finished_at.empty()) out["finished_at"] = row->finished_at;
  if (!row->reason.empty()) out["reason"] = row->reason;
  if (result) out["result"] = ResultJson(*result);
  return JsonResponse(200, Dump(out));
}

// A batch of URLs: each canonicalised and looked up in every URL list (the vigil.url
// detector's code). Never fetched.
HttpResponse CheckUrls(const ApiDeps& deps, HttpRequest& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("urls") ||
      !body["urls"].is_array()) {
    return JsonError(400, "send {\"urls\": [\"https://...\", ...]}");
  }
  if (body["urls"].size() > kMaxUrlsPerCheck) {
    return JsonError(400, "at most " + std::to_string(kMaxUrlsPerCheck) + " URLs per request");
  }
  std::vector<const url::Blocklist*> lists;
  std::vector<std::string> names;
  if (deps.url_lists != nullptr) {
    for (const auto& named : *deps.url_lists) {
      lists.push_back(&named.list);
      names.push_back(named.name);
    }
  }
  url::UrlChecker checker(lists);
  nlohmann::json results = nlohmann::json::array();
  for (const auto& item : body["urls"]) {
    if (!item.is_string()) return JsonError(400, "every entry of urls must be a string");
    const std::string text = item.get<std::string>();
    url::CheckReport report = checker.CheckToReport(text);
    nlohmann::json r{{"url", text}};
    if (!report.status.ok()) {
      r["verdict"] = "invalid";
      r["error"] = report.status.message();
    } else {
      r["canonical"] = report.canonical_url;
      r["verdict"] = report.hits.empty() ? "clear" : "match";
      nlohmann::json hits = nlohmann::json::array();
      for (const auto& hit : report.hits) {
        hits.push_back({{"list", names[hit.list_index]},
                        {"expression", hit.expression},
                        {"kind", url::EntryKindName(hit.kind)},
                        {"severity", hit.severity},
                        {"source", hit.source},
                        {"category", hit.category},
                        {"entry_id", hit.entry_id}});
      }
      r["hits"] = hits;
    }
    results.push_back(r);
  }
  return JsonResponse(200, Dump({{"results", results}}));
}

// What `vigil queues` shows: each named queue's counts and who works it.
HttpResponse QueueStats(const ApiDeps& deps, HttpRequest&) {
  if (deps.db == nullptr || deps.db_mutex == nullptr) return JsonError(503, "no store");
  StatusOr<std::vector<host::QueueSummary>> queues = Status::Unavailable("not read");
  {
    std::lock_guard<std::mutex> lock(*deps.db_mutex);
    queues = host::ListQueues(*deps.db);
  }
  if (!queues.ok()) return JsonError(503, "cannot read the queues: " + queues.status().message());
  nlohmann::json list = nlohmann::json::array();
  int64_t pending = 0, claimed = 0;
  for (const host::QueueSummary& q : queues.value()) {
    list.push_back({{"name", q.spec.name},
                    {"description", q.spec.description},
                    {"roles", q.spec.roles},
                    {"defined", q.defined},
                    {"pending", q.pending},
                    {"claimed", q.claimed},
                    {"decided", q.decided}});
    pending += q.pending;
    claimed += q.claimed;
  }
  return JsonResponse(
      200, Dump({{"queues", list}, {"pending_total", pending}, {"claimed_total", claimed}}));
}

// Items waiting per review queue, as GET /v1/queues/stats counts them ("" without a store).
std::string QueueDepthMetrics(const ApiDeps& deps) {
  if (deps.db == nullptr || deps.db_mutex == nullptr) return "";
  StatusOr<std::vector<host::QueueSummary>> queues = Status::Unavailable("not read");
  {
    std::lock_guard<std::mutex> lock(*deps.db_mutex);
    queues = host::ListQueues(*deps.db);
  }
  if (!queues.ok()) return "";
  std::ostringstream out;
  out << "# HELP vigil_queue_pending Items waiting in each review queue (not claimed).\n"
      << "# TYPE vigil_queue_pending gauge\n";
  for (const host::QueueSummary& q : queues.value()) {
    out << "vigil_queue_pending{queue=\"" << q.spec.name << "\"} " << q.pending << "\n";
  }
  return out.str();
}

}  // namespace

void AddVigilRoutes(Router& router, const ApiDeps& deps) {
  router.Add({"GET",
              "/healthz",
              {},
              kSmallBodyLimit,
              [](HttpRequest&) { return JsonResponse(200, R"({"status":"ok"})"); },
              "The process is up"});
  router.Add({"GET",
              "/readyz",
              {},
              kSmallBodyLimit,
              [deps](HttpRequest&) {
                bool store = false;
                if (deps.db != nullptr && deps.db_mutex != nullptr) {
                  std::lock_guard<std::mutex> lock(*deps.db_mutex);
                  host::Statement ping(*deps.db, "SELECT 1");
                  store = ping.ok() && ping.Step() == host::kRow;
                }
                bool sink = deps.sink != nullptr;
                bool started = deps.ready != nullptr && deps.ready->load();
                nlohmann::json out{{"store", store}, {"sink", sink}, {"started", started}};
                // A bank that fails to reload: the previous set serves (still ready), and why.
                if (deps.banks != nullptr && !deps.banks->load_error().empty()) {
                  out["banks_error"] = deps.banks->load_error();
                }
                return JsonResponse(store && sink && started ? 200 : 503, Dump(out));
              },
              "Store reachable, sink ready, not stopping"});
  router.Add({"GET",
              "/metrics",
              {},
              kSmallBodyLimit,
              [deps](HttpRequest&) {
                HttpResponse r;
                r.content_type = "text/plain; version=0.0.4";
                int64_t spooled =
                    deps.spool ? static_cast<int64_t>(deps.spool->Pending().size()) : -1;
                r.body = deps.metrics ? deps.metrics->Render(spooled) : "";
                if (deps.banks != nullptr) r.body += RenderBankMetrics(*deps.banks);
                r.body += QueueDepthMetrics(deps);
                return r;
              },
              "Prometheus metrics"});
  router.Add({"GET",
              "/openapi.json",
              {},
              kSmallBodyLimit,
              [](HttpRequest&) { return JsonResponse(200, OpenApiDocument()); },
              "This API's OpenAPI 3 document"});
  router.Add({"POST",
              "/v1/hash",
              {"match"},
              deps.max_item_bytes,
              [deps](HttpRequest& r) { return Hash(deps, r); },
              "Signals of an item's bytes"});
  router.Add({"POST",
              "/v1/items",
              {"submit"},
              deps.max_item_bytes,
              [deps](HttpRequest& r) { return SubmitItem(deps, r); },
              "Submit an item (bytes or a URL record)"});
  router.Add({"GET",
              "/v1/items/{id}",
              {"submit"},
              kSmallBodyLimit,
              [deps](HttpRequest& r) { return ItemStatus(deps, r); },
              "A submission's status"});
  router.Add({"POST",
              "/v1/urls/check",
              {"match"},
              kSmallBodyLimit,
              [deps](HttpRequest& r) { return CheckUrls(deps, r); },
              "Canonical form and verdict of a batch of URLs"});
  router.Add({"GET",
              "/v1/queues/stats",
              {"match", "admin"},
              kSmallBodyLimit,
              [deps](HttpRequest& r) { return QueueStats(deps, r); },
              "The review queues' counts (as vigil queues)"});
  AddBankRoutes(router, deps);  // POST /v1/match, /v1/banks...
}

}  // namespace vigil::service
