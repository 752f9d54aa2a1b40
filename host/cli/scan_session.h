// ScanSession: what `vigil scan` sets up once (plugins, policy, store, ledger, pipeline)
// and how it records what the pipeline finishes (in batches, one transaction each), as
// an object that outlives one list of items: `vigil scan` runs it once, `vigil serve`'s
// scan loop and the fleet's `vigil worker` (issue 14) run it for each batch they take.
//
// Items that carry a submission id (IntakeItem::submission_id) finish their submission
// in the item's own transaction, once (store/submissions.h); one whose bytes could not be
// read at all fails its submission with the reason.
#ifndef VIGIL_HOST_CLI_SCAN_SESSION_H_
#define VIGIL_HOST_CLI_SCAN_SESSION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/status.h"
#include "intake/intake.h"
#include "loader/plugin_registry.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"
#include "store/scan_ledger.h"
#include "store/store.h"

namespace vigil::cli {

struct ScanSessionOptions {
  std::string policy;      // policy file; empty: the built-in policy
  bool no_store = false;   // record nothing (vigil scan --no-store)
  bool rescan = false;     // analyse items the store has from the same detector set
  int threads = 0;
  int deadline_ms = 60000;
  uint64_t max_pixels = 100'000'000;
  int max_detections_per_detector = 256;
  int max_detections_per_item = 1024;
  // Issue 17 item 5: loaded detectors run as shadows (vigil scan --shadow ID): on the same
  // decoded pixels as the production ones, their results recorded in shadow_results only
  // (store/shadow_results.h), never seen by the policy, the queue or webhooks; a shadow
  // that fails or crashes never fails the item.
  std::vector<std::string> shadow;
};

class ScanSession {
 public:
  // Loads everything; the error says why nothing can be scanned (empty message: the
  // reason was printed already). Warnings (a plugin that did not load, schema notes) go
  // to stderr.
  static StatusOr<std::unique_ptr<ScanSession>> Open(GlobalOptions& global,
                                                     const ScanSessionOptions& options);
  ~ScanSession();

  // Called once per item, in the order analysed, after its batch is in the store (or at
  // once with no store). The record carries the policy's outcome.
  using Recorded = std::function<void(host::ItemRecord& record)>;

  // Runs the items through and records them. Cancelled when interrupted (what was
  // analysed is recorded); another error stops the run (a batch that could not be
  // recorded: its items were not passed to `recorded`).
  Status Run(std::vector<host::IntakeItem> items, const Recorded& recorded);

  host::Store* store() { return store_.get(); }
  size_t detector_count() const { return production_.size(); }
  size_t shadow_count() const { return options_.shadow.size(); }
  int threads() const { return pipeline_->threads(); }
  // Items the store had from another detector set, analysed again, by reason.
  int64_t rescanned() const { return rescanned_; }
  const std::map<std::string, int64_t>& rescanned_because() const { return rescanned_because_; }

 private:
  ScanSession() = default;
  Status Flush(std::vector<host::ItemRecord>& batch, const Recorded& recorded);

  ScanSessionOptions options_;
  host::PluginRegistry registry_;
  std::vector<host::Detector> production_;              // the registry's detectors but the shadows
  std::map<std::string, std::string> shadow_versions_;  // shadow id -> its version
  bool shadow_store_warned_ = false;
  host::Policy policy_ = host::Policy::Default();
  std::set<std::string> first_party_;
  std::unique_ptr<host::Store> store_;
  std::unique_ptr<host::ScanLedger> ledger_;
  std::string scan_run_;
  std::string scan_key_;
  std::string scanned_with_;
  host::DetectorSet detector_set_;
  std::unique_ptr<host::Pipeline> pipeline_;
  int64_t rescanned_ = 0;
  std::map<std::string, int64_t> rescanned_because_;
};

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_SCAN_SESSION_H_
