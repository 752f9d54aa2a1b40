// Store: the embedded SQLite database (WAL) that holds items, their signals and
// detections, and which detectors ran on them.
//
// One file, nothing to start. The schema is versioned (PRAGMA user_version) and
// migrated forward on open. Every RecordItem(s) is one transaction: a crash leaves either
// the whole item or none of it.
#ifndef VIGIL_HOST_STORE_STORE_H_
#define VIGIL_HOST_STORE_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"
#include "vigil/v1/result.pb.h"

namespace vigil::host {

class MediaKey;
class MediaVault;

// What the policy decided for an item.
enum class Disposition { kClear = 0, kReview = 1, kAutoAction = 2, kFailed = 3 };
// "clear", "review", "auto-action", "failed" (the strings the store keeps).
const char* DispositionName(Disposition disposition);

struct Outcome {
  Disposition disposition = Disposition::kClear;
  int priority = 0;        // the deciding rule's priority: breaks ties (docs/operations.md)
  int severity = 0;        // the highest vigil.v1.Severity among the detections
  double confidence = 0;   // the highest score among the detections of that severity
  int obscure_level = 0;   // where the console starts: 0 none .. 7 strongest
  std::string category;    // of the most severe match, e.g. "A1"
  std::string rule;        // the policy rule that decided
  std::string reason;      // one line for a person
  std::string queue;       // the named queue it goes to (policy routes; "default" when none)
};

// What one detector produced for one item.
struct DetectorRun {
  std::string detector;
  Status status;                     // not ok: failed for this detector (never "clean")
  vigil::v1::AnalysisResult result;  // empty unless status.ok()
  // How many detections the detector returned before the pipeline's caps; more than
  // result.detections_size() when some were dropped (see pipeline/detection_limits.h).
  // 0: not counted (then nothing was dropped).
  int64_t detections_returned = 0;
  // The analyze call's wall time (issue 17: `vigil eval` reports latency per item).
  int64_t elapsed_ns = 0;

  // True when the caps dropped some of this detector's detections.
  bool truncated() const;
  // "detector X returned N detections; kept M" (empty when nothing was dropped).
  std::string TruncationNote() const;
};

// One scanned item, as the store records it.
struct ItemRecord {
  std::string sha256;      // identity: the same bytes are one item wherever they come from
  std::string path;        // where they were seen this time
  uint64_t size = 0;
  std::string media_kind;  // "image", "binary", ...
  Status status;           // the item itself failed (unreadable, ...) when not ok
  std::vector<DetectorRun> runs;
  // Intake metadata (optional).
  std::string url;
  std::string source;
  std::string uploader_id;
  // Set when the item decoded as an image.
  std::string format;
  uint32_t width = 0;
  uint32_t height = 0;
  int orientation = 0;
  Outcome outcome;  // filled in by the policy before the record is stored
  // Issue 12: set by the pipeline when the store already had this item from the same
  // detector set (read and hashed only; no detector ran, nothing to record).
  bool already_scanned = false;
  // What scanned the item (store/scan_ledger.h): a digest of the detector set, versions
  // and settings, and the set itself as JSON. Recorded with the item when not empty.
  std::string scan_key;
  std::string scanned_with;
  std::string scan_run;  // which run recorded it (a run never skips its own duplicates)
  int64_t prepare_ns = 0;  // reading and decoding it (issue 17: `vigil eval`'s latency)
  // Issue 14: the `vigil serve` submission this item answers (store/submissions.h). When
  // set, recording the item finishes the submission in the same transaction, once: a
  // submission finished before records nothing again (a redelivery), and an
  // already_scanned item is recorded as the submission's answer only.
  std::string submission_id;
  // Issue 17 item 5: what `vigil scan --shadow` candidates found (pipeline.h
  // PipelineInstance::shadow). Never in `runs`: the policy, the queue, webhooks and
  // failed() never see them; recorded in shadow_runs (store/shadow_results.h).
  std::vector<DetectorRun> shadow_runs;

  // True when the item or any detector failed.
  bool failed() const;
};

struct StoreCounts {
  int64_t items = 0;
  int64_t failed_items = 0;
  int64_t signals = 0;
  int64_t detections = 0;
};

// Current time as ISO-8601 UTC ("2026-11-29T16:32:00Z"), the store's timestamp format.
std::string NowUtc();

// The queue row and automatic decision for an item's outcome: a review or failed outcome
// queues it (once; a pending row takes the newer order and queue, a decided one stays
// decided); an auto-action records the policy's decision. REQUIRES: inside a write
// transaction (the scan's, or rematch's).
Status QueueOutcome(Database& db, int64_t item_id, const Outcome& outcome,
                    const std::string& now);

enum class OpenMode {
  kReadWrite,  // create if needed, migrate, restore tampered triggers (audited)
  kReadOnly,   // change nothing: report what differs (`vigil audit verify`)
};

class Store {
 public:
  // Opens the store at `path`. Read-write creates it if needed and migrates its schema.
  // Either way the tables and triggers are compared with the expected schema: a
  // read-write open restores missing or altered triggers and drops unexpected ones,
  // recording that in the audit log; both report in schema_warnings().
  static StatusOr<std::unique_ptr<Store>> Open(const std::filesystem::path& path,
                                               OpenMode mode = OpenMode::kReadWrite);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Records one item, its detector runs and its outcome atomically, with an audit entry.
  // Runs replace earlier runs of the same detector on the same item; other detectors'
  // earlier results stay. A review or failed outcome queues the item (once, however
  // often it is scanned); an auto-action outcome records the policy's decision.
  // Returns the item's row id.
  StatusOr<int64_t> RecordItem(const ItemRecord& record);
  // Records several items as RecordItem does, all in one transaction (a scan records its
  // items in batches: one commit, and on a team store far fewer round trips, per batch).
  // Either every item is recorded or none is. Returns their row ids in order.
  StatusOr<std::vector<int64_t>> RecordItems(const std::vector<const ItemRecord*>& records);

  StatusOr<StoreCounts> Counts();
  int schema_version() const { return schema_version_; }
  bool read_only() const { return read_only_; }
  // What the open found wrong with the schema, one line each, for a warning.
  const std::vector<std::string>& schema_warnings() const { return schema_warnings_; }
  // The database behind the store (SQLite or PostgreSQL), for the store's own queries.
  Database& db() { return *db_; }
  // Who the store knows this process as: the PostgreSQL login (session_user) of a team
  // store, the reviewer id of every record it writes; "" for a SQLite store (there the
  // caller names the reviewer).
  const std::string& login() const { return login_; }

  // The user's default store: $XDG_DATA_HOME/vigil/store.db or ~/.local/share/vigil/store.db.
  static std::filesystem::path DefaultPath();

  // Issue 13 item 3: from now on RecordItem keeps the media of each item it queues for
  // review, encrypted with `key` (store/media_vault.h), read from the scanned file and
  // checked against the item's SHA-256, in the same transaction as the queue row; a file
  // that cannot be kept fails the record.
  void KeepMediaOfQueuedItems(const MediaKey& key);

 private:
  explicit Store(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  // A postgresql:// or postgres:// URL (store/store_postgres.cc).
  static StatusOr<std::unique_ptr<Store>> OpenPostgres(const std::string& url, OpenMode mode);
  Status Migrate();
  Status CheckReadOnly(const std::filesystem::path& path);
  // REQUIRES: inside the write transaction of Migrate().
  Status CheckAndRestoreSchema();
  Status RecordOutcome(int64_t item_id, const ItemRecord& record, const std::string& now);
  // One attempt of RecordItems at time `now`; `committing` is set once COMMIT is sent.
  StatusOr<std::vector<int64_t>> RecordItemsOnce(const std::vector<const ItemRecord*>& records,
                                                 const std::string& now, bool& committing);
  // One item's rows, inside the caller's transaction.
  StatusOr<int64_t> RecordItemRows(const ItemRecord& record, const std::string& now);

  std::unique_ptr<Database> db_;
  int schema_version_ = 0;
  bool read_only_ = false;
  std::vector<std::string> schema_warnings_;
  std::string login_;
  std::shared_ptr<MediaVault> media_vault_;  // set by KeepMediaOfQueuedItems
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_STORE_H_
