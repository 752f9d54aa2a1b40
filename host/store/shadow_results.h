// Shadow results (issue 17 item 5): what candidate detectors run by `vigil scan --shadow`
// found beside the production ones, on the same decoded pixels. Recorded here and read
// only by `vigil eval shadow`: the policy, the queue and webhooks never see them.
#ifndef VIGIL_HOST_STORE_SHADOW_RESULTS_H_
#define VIGIL_HOST_STORE_SHADOW_RESULTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"
#include "store/store.h"

namespace vigil::host {

// Records every shadow run of the records (ItemRecord::shadow_runs), one row each, in one
// transaction. The items must be in the store already (Store::RecordItems); a record the
// store does not have is skipped. `versions`: detector id -> plugin version.
Status RecordShadowResults(Database& db, const std::vector<const ItemRecord*>& records,
                           const std::map<std::string, std::string>& versions,
                           const std::string& scan_run);

// One detection, as `vigil eval shadow` shows it.
struct ShadowDetection {
  std::string detector;
  std::string label;
  double score = 0;
  std::string category;
};

// One item where production and the shadow disagree.
struct ShadowExample {
  std::string sha256;
  std::string path;
  std::string outcome;  // production's (items.outcome)
  std::vector<ShadowDetection> production;
  std::vector<ShadowDetection> shadow;
};

// One shadow detector against production, over the items it ran on (its latest run per
// item). "Flagged": at least one detection scoring >= min_score.
struct ShadowAgreement {
  std::string detector;
  std::string version;        // of its latest run
  int64_t items = 0;          // items with a shadow run
  int64_t shadow_failed = 0;  // its latest run failed (not compared)
  int64_t both = 0;
  int64_t only_production = 0;
  int64_t only_shadow = 0;
  int64_t neither = 0;
  std::vector<ShadowExample> only_production_examples;  // up to `examples` each
  std::vector<ShadowExample> only_shadow_examples;
  int64_t compared() const { return both + only_production + only_shadow + neither; }
};

// Every shadow detector in the store (or only `detector`), by id.
StatusOr<std::vector<ShadowAgreement>> CompareShadowResults(Database& db,
                                                            const std::string& detector,
                                                            double min_score, int examples);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_SHADOW_RESULTS_H_
