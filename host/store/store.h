// Store: the embedded SQLite database (WAL) that holds items, their signals and
// detections, and which detectors ran on them.
//
// One file, nothing to start. The schema is versioned (PRAGMA user_version) and
// migrated forward on open. Every RecordItem is one transaction: a crash leaves either
// the whole item or none of it.
#ifndef VIGIL_HOST_STORE_STORE_H_
#define VIGIL_HOST_STORE_STORE_H_

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "vigil/v1/result.pb.h"

namespace vigil::host {

// What one detector produced for one item.
struct DetectorRun {
  std::string detector;
  Status status;                     // not ok: failed for this detector (never "clean")
  vigil::v1::AnalysisResult result;  // empty unless status.ok()
};

// One scanned item, as the store records it.
struct ItemRecord {
  std::string sha256;      // identity: the same bytes are one item wherever they come from
  std::string path;        // where they were seen this time
  uint64_t size = 0;
  std::string media_kind;  // "image", "binary", ...
  Status status;           // the item itself failed (unreadable, ...) when not ok
  std::vector<DetectorRun> runs;
};

struct StoreCounts {
  int64_t items = 0;
  int64_t failed_items = 0;
  int64_t signals = 0;
  int64_t detections = 0;
};

class Store {
 public:
  // Opens (creating if needed) the store at `path` and migrates its schema.
  static StatusOr<std::unique_ptr<Store>> Open(const std::filesystem::path& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Records one item and its detector runs atomically. Runs replace earlier runs of the
  // same detector on the same item; other detectors' earlier results stay.
  // Returns the item's row id.
  StatusOr<int64_t> RecordItem(const ItemRecord& record);

  StatusOr<StoreCounts> Counts();
  int schema_version() const { return schema_version_; }
  sqlite3* handle() { return db_; }

  // The user's default store: $XDG_DATA_HOME/vigil/store.db or ~/.local/share/vigil/store.db.
  static std::filesystem::path DefaultPath();

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  Status Migrate();
  Status Exec(const char* sql);

  sqlite3* db_;
  int schema_version_ = 0;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_STORE_H_
