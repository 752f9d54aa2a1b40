// Rematch (retro-hunt): the PDQ and digest signals the store kept for past items,
// matched against hash banks without the media (which may be gone), and the new hits
// recorded through the policy as a scan would record them.
//
// Costs (docs/performance.md, "Rematch"): one sequential pass per signal type over the
// signals_by_value_item index (no table rows read; no query per item); digests looked up
// in each bank's hash table; PDQ hashes matched pair-wise with multi-index hashing, the
// smaller side querying an index of the larger: with --since only the entries added since
// then query an index built once over the stored hashes, so a rematch after a small import
// costs the new entries, not the bank; the queries run on `threads` threads. Then the few
// matched items' signal rows are read back (detector, quality; ordered by the signals' key,
// as a PostgreSQL table has no insertion order) and one transaction records the items that
// gained a match. Runs on both backends. Only the original orientation's PDQ
// hash is stored, so a rematch matches that one, not the 7 rotated and mirrored variants a
// scan also tries.
#ifndef VIGIL_HOST_STORE_REMATCH_H_
#define VIGIL_HOST_STORE_REMATCH_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "policy/policy.h"
#include "store/store.h"
#include "vigil/hashbank/bank.h"

namespace vigil::host {

struct RematchOptions {
  int pdq_threshold = hashbank::kDefaultPdqThreshold;  // as vigil.pdq's `threshold`
  int pdq_min_quality = 50;                            // as vigil.pdq's `min_quality`
  // Only bank entries added at or after this time (seconds since the epoch, UTC); 0: all.
  int64_t entries_since_unix = 0;
  // Detectors trusted to act automatically (the policy's first-party rule).
  std::set<std::string> first_party;
  // Threads for the PDQ matching.
  int threads = 2;
  // Which side of the PDQ matching gets indexed; kAuto: the larger (the smaller queries).
  // The others are for tests and benchmarks: the answer is the same either way.
  enum class PdqStrategy { kAuto, kIndexStored, kQueryBanks };
  PdqStrategy pdq_strategy = PdqStrategy::kAuto;
  // Issue 13 item 6: a match this returns true for is not recorded (a disabled entry).
  std::function<bool(const hashbank::Match&)> skip_match;
};

struct RematchReport {
  bool store_has_signals = false;  // any PDQ or digest signal at all
  int64_t items_checked = 0;       // items with a signal of a type the banks hold
  int64_t signals_checked = 0;
  int64_t new_matches = 0;    // (item, bank, entry) pairs not recorded before
  int64_t items_matched = 0;  // items that gained at least one match
  int64_t queued = 0;         // of those, queued for review (review or failed)
  int64_t auto_actioned = 0;  // of those, decided by the policy
};

// Matches every stored signal against `banks` and records each new hit: a detection
// (label "hash-match", the detector that stored the signal), the item's outcome as
// `policy` decides it from all its detections, the queue row or the automatic decision,
// and an "item.rematched" audit entry per item. A hit already recorded for the item
// (same bank and entry id) is not recorded again, so a second run adds nothing.
StatusOr<RematchReport> Rematch(Store& store, const std::vector<const hashbank::Bank*>& banks,
                                const Policy& policy, const RematchOptions& options);

// The audit action of a rematch's record (audit verify accounts for its automatic
// decisions as for a scan's).
inline constexpr char kRematchAuditAction[] = "item.rematched";

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_REMATCH_H_
