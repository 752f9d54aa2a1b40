// Scan ledger: which detector set scanned each item, so that the same scan run again
// (after a crash, kill -9 or Ctrl-C at 90%) reads and hashes each file and skips the
// ones the store already has, instead of decoding and analysing everything again.
//
// The detector set is an identity, not a list of names: every loaded detector's id,
// version, the SHA-256 of its plugin file and of every model file the host verifies or
// resolves for it, the --set settings, the policy's text and the state of the detector
// data folder (hash banks, URL lists). Any change in any of them is a different set, and
// every item is scanned again: a vendor replacing its model or plugin binary without a
// new version is caught by the digests. Items whose last scan failed are always scanned
// again (a failure may be passing: a deadline, a worker that crashed).
#ifndef VIGIL_HOST_STORE_SCAN_LEDGER_H_
#define VIGIL_HOST_STORE_SCAN_LEDGER_H_

#include "store/db/database.h"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace vigil::host {

struct DetectorSet {
  std::map<std::string, std::string> versions;  // detector id -> version
  std::map<std::string, std::string> plugins;   // detector id -> SHA-256 of its plugin file
  // detector id -> {model file name -> SHA-256}: e.g. a classifier's manifest and model.
  std::map<std::string, std::map<std::string, std::string>> models;
  std::vector<std::string> settings;  // DETECTOR.KEY=VALUE, as given
  std::string policy_text;            // the policy in force
  std::string data_state;             // see DataFolderState

  // A SHA-256 over all of the above (the store's item_scans.scan_key).
  std::string Key() const;
  // What an item was scanned with, for a person (the store's item_scans.scanned_with):
  //   {"detectors": {"vigil.classifier": {"version": "1.0.0", "plugin": <sha256>,
  //                  "model": {"manifest.json": <sha256>, "model.onnx": <sha256>}}, ...},
  //    "settings": [...], "policy": <sha256>, "data": <sha256>}
  // plus "rescanned": `rescanned` when not empty (why the store's earlier record of the
  // item was not reused: see RescanReason).
  std::string Describe(const std::string& rescanned = "") const;
};

// Why an item recorded with `before` (an earlier Describe()) is analysed again under
// `now` (this run's Describe()), in words: "model changed (vigil.classifier)", "plugin
// changed (acme.nudity)", "version changed (...)", "detectors added (...)", "detectors
// removed (...)", "settings changed", "policy changed", "lists changed", joined by ", ";
// "recorded without plugin and model digests" for a record made before they were
// covered; "scan key changed" when the texts do not say more.
std::string RescanReason(const std::string& before, const std::string& now);

// Names, sizes and modification times of every list file below `folder` (sorted):
// changes when a list is imported, replaced or removed, not when a bank's verified
// marker is rewritten or an import leaves a temporary file. Empty when the folder
// does not exist.
std::string DataFolderState(const std::filesystem::path& folder);

// Records what scanned an item (REQUIRES: inside Store::RecordItem's transaction).
// Does nothing when record.scan_key is empty.
Status RecordScannedWith(Database& db, int64_t item_id, const ItemRecord& record,
                         const std::string& now);

// Looks items up on its own read-only connection (safe from any thread while the store
// writes on its own).
class ScanLedger {
 public:
  // `scanned_with` (this run's DetectorSet::Describe()) words the rescan reasons.
  static StatusOr<std::unique_ptr<ScanLedger>> Open(const std::filesystem::path& store_path,
                                                    std::string scan_key,
                                                    std::string scanned_with = "");
  ~ScanLedger();
  ScanLedger(const ScanLedger&) = delete;
  ScanLedger& operator=(const ScanLedger&) = delete;

  // True when the store has the item, its last scan did not fail, and it was made with
  // this scan key by an earlier run (never after ForceRescan()). A lookup error counts as
  // "not scanned" (the item is analysed). When the store has the item from an earlier
  // run but it is analysed again, the reason is kept for TakeRescanReason.
  bool AlreadyScanned(const std::string& sha256);
  // --rescan: nothing is already scanned; an item the store has from this same detector
  // set is rescanned because of "--rescan".
  void ForceRescan() { force_ = true; }
  // Why the item with this SHA-256, which the store had from an earlier run, is analysed
  // again ("failed before", "--rescan" or a RescanReason); empty when it is new to the
  // store. Given once per AlreadyScanned lookup that found the reason (the same bytes
  // twice in a tree are both rescanned, for the same reason).
  std::string TakeRescanReason(const std::string& sha256);
  // This run's id: record it with each item (ItemRecord::scan_run). An item recorded by
  // this very run is not "already scanned" for it.
  const std::string& run() const { return run_; }

 private:
  ScanLedger(std::unique_ptr<Database> db, std::string key, std::string scanned_with)
      : db_(std::move(db)), key_(std::move(key)), scanned_with_(std::move(scanned_with)) {}
  std::unique_ptr<Database> db_;
  std::string key_;
  std::string scanned_with_;
  std::string run_;
  bool force_ = false;
  std::mutex mutex_;
  struct Pending {
    std::string reason;
    int items = 0;  // lookups that found it, not yet taken
  };
  std::map<std::string, Pending> reasons_;            // by item SHA-256, until taken
  std::map<std::string, std::string> reason_by_key_;  // an earlier scan key -> its reason
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_SCAN_LEDGER_H_
