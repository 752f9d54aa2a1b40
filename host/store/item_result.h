// What a platform is told about an item it submitted (GET /v1/items/{id}, issue 14): the
// policy's outcome, what each detector found, where the item is in review and the latest
// decision. Read-only; names no reviewer.
#ifndef VIGIL_HOST_STORE_ITEM_RESULT_H_
#define VIGIL_HOST_STORE_ITEM_RESULT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

struct ResultDetection {
  std::string detector;
  std::string label;
  double score = 0;
  int severity = 0;
  std::string signal_type;  // what matched (pdq, sha256, url, ...); empty for a classifier
  std::string bank;
  std::string entry_id;
  std::string category;
  std::optional<int64_t> distance;
};

struct ItemResult {
  int64_t item_id = 0;
  std::string sha256;
  int64_t size = 0;
  std::string media_kind;
  std::string status;  // "ok" or "failed"
  std::string error;   // why it (or a detector) failed
  std::string outcome;  // "clear", "review", "auto-action", "failed"
  std::string rule;     // the policy rule that decided
  std::string reason;
  std::string queue;        // the named queue; empty when not queued
  std::string queue_state;  // "pending", "claimed", "decided"; empty when not queued
  std::string decision;     // the latest decision; empty when none
  std::string decided_at;
  std::vector<ResultDetection> detections;
};

// The item with this row id; nullopt when the store has none.
StatusOr<std::optional<ItemResult>> ReadItemResult(Database& db, int64_t item_id);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_ITEM_RESULT_H_
