// The routes of `vigil serve` (issue 14 item 3), for the HTTP layer (http_api.h) to run.
// Handlers call the same library code as the CLI (store/, the PDQ and decode libraries);
// none holds moderation logic of its own. docs/api.md describes each route and
// docs/openapi.json lists them (a test checks the two against each other).
#ifndef VIGIL_HOST_SERVICE_VIGIL_API_H_
#define VIGIL_HOST_SERVICE_VIGIL_API_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "service/http_api.h"
#include "service/spool_sink.h"
#include "service/submission_sink.h"
#include "store/db/database.h"
#include "url_lists.h"

namespace vigil::service {

class BankLibrary;  // service/bank_routes.h

// Requests by route and status, a latency histogram, submissions accepted and failed:
// GET /metrics in Prometheus' text format. [thread-safe]
class ServiceMetrics : public RequestObserver {
 public:
  void Observe(const std::string& route, int status, double seconds) override;
  void SubmissionAccepted() { accepted_.fetch_add(1); }
  void SubmissionFailed() { failed_.fetch_add(1); }
  // `spooled`: submissions waiting in the spool (-1: not a spool sink).
  std::string Render(int64_t spooled) const;

 private:
  static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,   0.25,   0.5,   1,    2.5,   10};
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, int64_t> requests_;
  int64_t bucket_counts_[sizeof(kBuckets) / sizeof(kBuckets[0])] = {};
  int64_t observed_ = 0;
  double seconds_sum_ = 0;
  std::atomic<int64_t> accepted_{0};
  std::atomic<int64_t> failed_{0};
};

// What the handlers use. Pointers may be null only in the route-list test.
struct ApiDeps {
  host::Database* db = nullptr;  // the store, used under db_mutex
  std::mutex* db_mutex = nullptr;
  SubmissionSink* sink = nullptr;
  SpoolSink* spool = nullptr;  // the sink when it is the spool (GET /v1/items/{id}); or null
  ServiceMetrics* metrics = nullptr;
  uint64_t max_item_bytes = 50ull << 20;
  std::atomic<bool>* ready = nullptr;  // /readyz: start-up done, not stopping
  // The URL lists of the lists folder, opened once at start (immutable while served).
  const std::vector<urldetect::NamedList>* url_lists = nullptr;
  // The hash banks of the lists folder, reloaded when it changes (service/bank_routes.h).
  BankLibrary* banks = nullptr;
};

// URLs one POST /v1/urls/check may carry.
inline constexpr size_t kMaxUrlsPerCheck = 1000;

// Adds every route of the API to `router`.
void AddVigilRoutes(Router& router, const ApiDeps& deps);

// The OpenAPI 3 document (docs/openapi.json, compiled in).
const std::string& OpenApiDocument();

}  // namespace vigil::service

#endif  // VIGIL_HOST_SERVICE_VIGIL_API_H_
