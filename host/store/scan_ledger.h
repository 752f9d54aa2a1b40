// Scan ledger: which detector set scanned each item, so that the same scan run again
// (after a crash, kill -9 or Ctrl-C at 90%) reads and hashes each file and skips the
// ones the store already has, instead of decoding and analysing everything again.
//
// The detector set is an identity, not a list of names: every loaded detector's id and
// version, the --set settings, the policy's text and the state of the detector data
// folder (hash banks, URL lists). Any change in any of them is a different set, and every
// item is scanned again. Items whose last scan failed are always scanned again (a
// failure may be passing: a deadline, a worker that crashed).
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
  std::vector<std::string> settings;            // DETECTOR.KEY=VALUE, as given
  std::string policy_text;                      // the policy in force
  std::string data_state;                       // see DataFolderState

  // A SHA-256 over all of the above (the store's item_scans.scan_key).
  std::string Key() const;
  // {"detectors": {"vigil.exact": "1.0.0", ...}, "settings": [...], "policy": <sha256>,
  //  "data": <sha256>}: what an item was scanned with, for a person.
  std::string Describe() const;
};

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
  static StatusOr<std::unique_ptr<ScanLedger>> Open(const std::filesystem::path& store_path,
                                                    std::string scan_key);
  ~ScanLedger();
  ScanLedger(const ScanLedger&) = delete;
  ScanLedger& operator=(const ScanLedger&) = delete;

  // True when the store has the item, its last scan did not fail, and it was made with
  // this scan key by an earlier run. A lookup error counts as "not scanned" (the item is analysed).
  bool AlreadyScanned(const std::string& sha256);
  // This run's id: record it with each item (ItemRecord::scan_run). An item recorded by
  // this very run is not "already scanned" for it.
  const std::string& run() const { return run_; }

 private:
  ScanLedger(std::unique_ptr<Database> db, std::string key)
      : db_(std::move(db)), key_(std::move(key)) {}
  std::unique_ptr<Database> db_;
  std::string key_;
  std::string run_;
  std::mutex mutex_;
  std::unique_ptr<Statement> lookup_;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_SCAN_LEDGER_H_
