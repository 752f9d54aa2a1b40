#include "store/store.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "scan/scan_json.h"
#include "store/audit_log.h"
#include "store/db/database.h"
#include "store/db/postgres_database.h"
#include "store/db/sqlite_database.h"
#include "store/media_vault.h"
#include "store/named_queues.h"
#include "store/scan_ledger.h"
#include "store/schema.h"
#include "store/schema_check.h"
#include "store/store_access.h"
#include "store/submissions.h"
#include "store/time_ranges.h"
#include "store/webhook_outbox.h"

namespace vigil::host {
namespace fs = std::filesystem;
const char* DispositionName(Disposition disposition) {
  switch (disposition) {
    case Disposition::kClear: return "clear";
    case Disposition::kReview: return "review";
    case Disposition::kAutoAction: return "auto-action";
    case Disposition::kFailed: return "failed";
  }
  return "clear";
}

bool ItemRecord::failed() const {
  if (!status.ok()) return true;
  for (const DetectorRun& run : runs) {
    if (!run.status.ok()) return true;
  }
  return false;
}

bool DetectorRun::truncated() const {
  return detections_returned > static_cast<int64_t>(result.detections_size());
}

std::string DetectorRun::TruncationNote() const {
  if (!truncated()) return "";
  return "detector " + detector + " returned " + std::to_string(detections_returned) +
         " detections; kept " + std::to_string(result.detections_size());
}

std::string NowUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

namespace {

constexpr int kSchemaVersion = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

}  // namespace

fs::path Store::DefaultPath() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "vigil" / "store.db";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : ".") / ".local" / "share" / "vigil" / "store.db";
}

StatusOr<std::unique_ptr<Store>> Store::Open(const fs::path& path, OpenMode mode) {
  if (IsPostgresUrl(path.string())) return OpenPostgres(path.string(), mode);  // issue 13
  const bool read_only = mode == OpenMode::kReadOnly;
  std::error_code ec;
  if (!read_only && path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) {
    return Status::IoError("cannot create the folder for the store " + path.string() + ": " +
                           ec.message());
  }
  // A store this process cannot write (an auditor's copy, a read-only folder): writing
  // commands say so; reading ones open it immutable, since SQLite cannot make the -shm
  // file there (unless a write-ahead log holds changes the file does not have yet).
  std::error_code exists_ec;
  const bool exists = fs::exists(path, exists_ec);
  if (!read_only && exists && StoreIsReadOnly(path)) return ReadOnlyStoreError(path);
  const bool immutable =
      read_only && exists && StoreIsReadOnly(path) && !StoreHasPendingWal(path);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      immutable ? ImmutableStoreUri(path).c_str() : path.c_str(), &db,
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
          SQLITE_OPEN_FULLMUTEX | (immutable ? SQLITE_OPEN_URI : 0),
      nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IoError("cannot open the store " + path.string() + ": " + why);
  }
  std::unique_ptr<Store> store(new Store(std::make_unique<SqliteDatabase>(db, path.string())));
  store->read_only_ = read_only;
  sqlite3_busy_timeout(db, 10000);
  // Another program's database is refused before anything (WAL mode, tables) is written.
  if (Status s = RefuseForeignDatabase(store->db(), path); !s.ok()) return s;
  if (read_only) {
    if (Status s = store->CheckReadOnly(path); !s.ok()) return s;
    return store;
  }
  // A file that is not a SQLite database fails here, with SQLite's own words. Switching
  // to WAL needs a moment of exclusive access that the busy timeout does not wait for,
  // so a second process opening the store while the first creates it retries.
  Status pragmas;
  for (int attempt = 0; attempt < 500; ++attempt) {
    pragmas = store->db_->Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; "
                          "PRAGMA synchronous=NORMAL;");
    const int code = sqlite3_errcode(db) & 0xff;
    if (pragmas.ok() || (code != SQLITE_BUSY && code != SQLITE_LOCKED)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!pragmas.ok()) {
    return Status::Corruption("the store " + path.string() +
                              " is not a usable Vigil store: " + pragmas.message());
  }
  if (Status s = store->Migrate(); !s.ok()) return s;
  return store;
}

Store::~Store() = default;

Status Store::Migrate() {
  Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  int current = 0;
  {
    // Finalised before the migrations run: SQLite refuses to drop an index or table
    // while a statement of the same connection is still open ("table is locked").
    Statement version(*db_, "PRAGMA user_version");
    if (!version.ok() || version.Step() != kRow) {
      return version.Error("reading schema version");
    }
    current = static_cast<int>(version.ColumnInt(0));
  }
  if (current > kSchemaVersion) {
    return Status::InvalidArgument("the store has schema version " + std::to_string(current) +
                                   ", newer than this vigil knows (" +
                                   std::to_string(kSchemaVersion) + "): upgrade vigil");
  }
  for (int v = current; v < kSchemaVersion; ++v) {
    if (Status s = db_->Exec(kMigrations[v]); !s.ok()) {
      return Status::IoError("store migration to version " + std::to_string(v + 1) +
                             " failed: " + s.message());
    }
  }
  std::string set_version = "PRAGMA user_version=" + std::to_string(kSchemaVersion);
  if (Status s = db_->Exec(set_version); !s.ok()) return s;
  if (Status s = CheckAndRestoreSchema(); !s.ok()) return s;
  if (Status s = tx.Commit(); !s.ok()) return s;
  schema_version_ = kSchemaVersion;
  return Status::Ok();
}

Status Store::CheckAndRestoreSchema() {
  auto differences = CompareSchema(*db_, kSchemaVersion);
  if (!differences.ok()) return differences.status();
  nlohmann::json restored = nlohmann::json::array();
  for (const SchemaDifference& d : differences.value()) {
    if (d.restorable()) {
      restored.push_back(d.Describe());
      schema_warnings_.push_back("the store's " + d.Describe() +
                                 ": restored, and recorded in the audit log");
    } else {
      schema_warnings_.push_back("the store's " + d.Describe() +
                                 "; `vigil audit verify` fails until it is explained");
    }
  }
  if (restored.empty()) return Status::Ok();
  if (Status s = RestoreTriggers(*db_, differences.value()); !s.ok()) return s;
  // The repair is itself evidence: someone changed the store's rules by hand.
  nlohmann::json details = {{"restored", restored}};
  return AppendAudit(*db_, {"vigil", kSchemaRestoredAction, 0, JsonText(details)}, NowUtc());
}

Status Store::CheckReadOnly(const fs::path& path) {
  // A file that is not a SQLite database fails here, with SQLite's own words.
  Statement version(*db_, "PRAGMA user_version");
  if (!version.ok() || version.Step() != kRow) {
    return Status::Corruption("the store " + path.string() +
                              " is not a usable Vigil store: " + sqlite3_errmsg(SqliteHandle(*db_)));
  }
  const int current = static_cast<int>(version.ColumnInt(0));
  if (current > kSchemaVersion) {
    return Status::InvalidArgument("the store " + path.string() + " has schema version " +
                                   std::to_string(current) + ", newer than this vigil knows (" +
                                   std::to_string(kSchemaVersion) + "): upgrade vigil");
  }
  if (current == 0) {
    return Status::Corruption("the store " + path.string() +
                              " is not a Vigil store (it has no schema)");
  }
  auto differences = CompareSchema(*db_, current);
  if (!differences.ok()) return differences.status();
  for (const SchemaDifference& d : differences.value()) {
    schema_warnings_.push_back("the store's " + d.Describe() +
                               (d.restorable() ? " (a writable open restores it)" : ""));
  }
  schema_version_ = current;
  return Status::Ok();
}

namespace {

// A deadlock or serialization failure (SQLSTATE 40P01, 40001): the transaction was
// rolled back whole and may be run again.
bool IsLockConflict(const Status& status) {
  return status.message().find("[40P01]") != std::string::npos ||
         status.message().find("[40001]") != std::string::npos;
}

}  // namespace

StatusOr<int64_t> Store::RecordItem(const ItemRecord& record) {
  auto ids = RecordItems({&record});
  if (!ids.ok()) return ids.status();
  return ids.value().front();
}

StatusOr<std::vector<int64_t>> Store::RecordItems(const std::vector<const ItemRecord*>& records) {
  if (records.empty()) return std::vector<int64_t>();
  bool committing = false;
  if (db_->dialect() != Dialect::kPostgres) return RecordItemsOnce(records, NowUtc(), committing);
  // A team store: a server restart (or a dropped connection) while items are being
  // recorded rolls their transaction back; they are recorded again once the server
  // answers, waiting up to kPatience with a growing pause. Only a connection lost during
  // COMMIT leaves it unknown whether they landed: then the store is asked (the last item
  // with its path and this attempt's time, which no later record of the batch overwrote:
  // the transaction landed whole or not at all) before they are recorded again, so
  // nothing is doubled (store_retry in docs/operations.md).
  constexpr auto kPatience = std::chrono::seconds(60);
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  auto pause = std::chrono::milliseconds(100);
  for (;;) {
    const std::string now = NowUtc();
    committing = false;
    auto recorded = RecordItemsOnce(records, now, committing);
    // Two recorders locking the same rows in another order (fleet workers finishing the
    // same submissions, scans of overlapping items): the server aborts one transaction
    // whole, which is then simply recorded again.
    if (!recorded.ok() && IsLockConflict(recorded.status()) &&
        std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5 + std::rand() % 50));
      continue;
    }
    if (recorded.ok() || !IsConnectionError(recorded.status())) return recorded;
    for (;;) {
      if (std::chrono::steady_clock::now() > give_up) {
        return Status::Unavailable(recorded.status().message() + " (gave up after " +
                                   std::to_string(kPatience.count()) + " s of retrying)");
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(2000));
      if (!committing) break;
      // Did the COMMIT land before the connection went? A read opens a new connection.
      // A submission's record is asked by its finishing time (an already scanned item
      // changes no item row); recording the batch again is harmless for submissions (each
      // is finished once), which the server and the fleet batch alone.
      const ItemRecord& last = *records.back();
      Statement landed(*db_, last.submission_id.empty()
                                 ? "SELECT id FROM items WHERE last_scanned = ?1 AND "
                                   "sha256 = ?2 AND last_path = ?3"
                                 : "SELECT id FROM submissions WHERE finished_at = ?1 AND id = ?2");
      landed.Bind(1, now);
      if (last.submission_id.empty()) {
        landed.Bind(2, last.sha256).Bind(3, last.path);
      } else {
        landed.Bind(2, last.submission_id);
      }
      const int rc = landed.Step();
      if (rc == kRow) {
        std::vector<int64_t> ids;  // it did: read every item's id
        for (const ItemRecord* record : records) {
          Statement id(*db_, "SELECT id FROM items WHERE sha256 = ?1");
          id.Bind(1, record->sha256);
          if (id.Step() != kRow) return id.Error("reading a recorded item");
          ids.push_back(id.ColumnInt(0));
        }
        return ids;
      }
      if (rc == kDone) break;  // it did not: record them again
      // No answer yet: wait and ask again.
    }
  }
}

StatusOr<std::vector<int64_t>> Store::RecordItemsOnce(const std::vector<const ItemRecord*>& records,
                                                      const std::string& now, bool& committing) {
  Transaction tx(*db_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  std::vector<int64_t> ids;
  ids.reserve(records.size());
  for (const ItemRecord* record : records) {
    auto id = RecordItemRows(*record, now);
    if (!id.ok()) return id.status();
    ids.push_back(id.value());
  }
  committing = true;
  if (Status s = tx.Commit(); !s.ok()) return s;
  return ids;
}

StatusOr<int64_t> Store::RecordItemRows(const ItemRecord& record, const std::string& now) {
  if (!record.submission_id.empty()) {
    SubmissionRecord submission;
    submission.id = record.submission_id;
    submission.sha256 = record.sha256;
    submission.size = static_cast<int64_t>(record.size);
    submission.url = record.url;
    submission.uploader_id = record.uploader_id;
    submission.source = record.source;
    auto claimed = ClaimSubmissionDone(*db_, submission, now);
    if (!claimed.ok()) return claimed.status();
    // Finished before (a redelivery): nothing is recorded twice.
    if (!claimed.value()) return SubmissionItem(*db_, record.submission_id);
    if (record.already_scanned) {  // the store has the item: it is the answer
      Statement known(*db_, "SELECT id FROM items WHERE sha256 = ?1");
      known.Bind(1, record.sha256);
      if (known.Step() != kRow) return known.Error("reading item " + record.sha256);
      const int64_t known_id = known.ColumnInt(0);
      if (Status s = SetSubmissionItem(*db_, record.submission_id, known_id); !s.ok()) return s;
      return known_id;
    }
  }
  int64_t item_id = 0;
  {  // scoped: the RETURNING statement must be finalised before COMMIT
  Statement upsert(*db_,
                   "INSERT INTO items (sha256, size, media_kind, first_path, last_path, "
                   "first_seen, last_scanned, status, error, url, source, uploader_id, format, "
                   "width, height, orientation, outcome, outcome_rule, outcome_reason) "
                   "VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                   // items.: PostgreSQL finds a bare column name in DO UPDATE ambiguous
                   // (the row, or the EXCLUDED one); SQLite accepts both spellings.
                   "?14, ?15, ?16, ?17) ON CONFLICT(sha256) DO UPDATE SET last_path = ?4, "
                   "last_scanned = ?5, media_kind = ?3, status = ?6, error = ?7, "
                   "url = coalesce(?8, items.url), source = coalesce(?9, items.source), "
                   "uploader_id = coalesce(?10, items.uploader_id), format = ?11, width = ?12, "
                   "height = ?13, orientation = ?14, outcome = ?15, outcome_rule = ?16, "
                   "outcome_reason = ?17 RETURNING id");
  if (!upsert.ok()) return upsert.Error("preparing item insert");
  upsert.Bind(1, record.sha256)
      .Bind(2, static_cast<int64_t>(record.size))
      .Bind(3, record.media_kind)
      .Bind(4, record.path)
      .Bind(5, now);
  bool failed = !record.status.ok();
  for (const DetectorRun& run : record.runs) failed = failed || !run.status.ok();
  upsert.Bind(6, failed ? "failed" : "ok");
  std::string error = record.status.message();
  for (const DetectorRun& run : record.runs) {
    if (!run.status.ok()) error += (error.empty() ? "" : "; ") + run.status.message();
  }
  if (error.empty()) upsert.BindNull(7); else upsert.Bind(7, error);
  auto bind_optional = [&upsert](int index, const std::string& text) {
    if (text.empty()) upsert.BindNull(index); else upsert.Bind(index, text);
  };
  bind_optional(8, record.url);
  bind_optional(9, record.source);
  bind_optional(10, record.uploader_id);
  bind_optional(11, record.format);
  if (record.width) {
    upsert.Bind(12, static_cast<int64_t>(record.width))
        .Bind(13, static_cast<int64_t>(record.height))
        .Bind(14, static_cast<int64_t>(record.orientation));
  } else {
    upsert.BindNull(12).BindNull(13).BindNull(14);
  }
  upsert.Bind(15, DispositionName(record.outcome.disposition));
  bind_optional(16, record.outcome.rule);
  bind_optional(17, record.outcome.reason);
  if (upsert.Step() != kRow) return upsert.Error("recording item " + record.path);
  item_id = upsert.ColumnInt(0);
  }

  for (const DetectorRun& run : record.runs) {
    Statement clear_signals(*db_, "DELETE FROM signals WHERE item_id = ?1 AND detector = ?2");
    Statement clear_detections(*db_,
                               "DELETE FROM detections WHERE item_id = ?1 AND detector = ?2");
    clear_signals.Bind(1, item_id).Bind(2, run.detector);
    clear_detections.Bind(1, item_id).Bind(2, run.detector);
    if (Status s = clear_signals.Write("clearing signals"); !s.ok()) return s;
    if (Status s = clear_detections.Write("clearing detections"); !s.ok()) return s;

    Statement run_row(*db_,
                      "INSERT INTO detector_runs (item_id, detector, status, error, ran_at, "
                      "detections_returned, detections_kept) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                      "?7) ON CONFLICT(item_id, detector) DO UPDATE SET status = ?3, "
                      "error = ?4, ran_at = ?5, detections_returned = ?6, detections_kept = ?7");
    run_row.Bind(1, item_id).Bind(2, run.detector).Bind(3, run.status.ok() ? "ok" : "failed");
    if (run.status.ok()) run_row.BindNull(4); else run_row.Bind(4, run.status.message());
    run_row.Bind(5, now);
    const int64_t kept = run.result.detections_size();
    run_row.Bind(6, std::max(run.detections_returned, kept)).Bind(7, kept);
    if (Status s = run_row.Write("recording a detector run"); !s.ok()) return s;

    for (const auto& signal : run.result.signals()) {
      Statement insert(*db_,
                       "INSERT INTO signals (item_id, detector, type, value, quality) VALUES "
                       "(?1, ?2, ?3, ?4, ?5) ON CONFLICT(item_id, detector, type, value) DO "
                       "UPDATE SET quality = excluded.quality");
      insert.Bind(1, item_id).Bind(2, run.detector).Bind(3, signal.type()).Bind(4, signal.value());
      if (signal.has_quality()) insert.Bind(5, static_cast<int64_t>(signal.quality()));
      else insert.BindNull(5);
      if (Status s = insert.Write("recording a signal"); !s.ok()) return s;
    }
    for (const auto& d : run.result.detections()) {
      Statement insert(*db_,
                       "INSERT INTO detections (item_id, detector, label, score, severity, "
                       "signal_type, bank, entry_id, category, distance, dihedral, reason, "
                       "item_ranges, match_ranges) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
      insert.Bind(1, item_id).Bind(2, run.detector).Bind(3, d.label()).Bind(4, d.score())
          .Bind(5, static_cast<int64_t>(d.severity())).Bind(6, d.signal_type());
      if (d.has_match()) {
        insert.Bind(7, d.match().bank()).Bind(8, d.match().entry_id())
            .Bind(9, d.match().category()).Bind(10, static_cast<int64_t>(d.match().distance()))
            .Bind(11, static_cast<int64_t>(d.match().dihedral()));
      } else {
        insert.BindNull(7).BindNull(8).BindNull(9).BindNull(10).BindNull(11);
      }
      insert.Bind(12, d.reason());
      insert.Bind(13, FormatTimeRanges(d.item_ranges()))
          .Bind(14, FormatTimeRanges(d.match().ranges()));
      if (Status s = insert.Write("recording a detection"); !s.ok()) return s;
    }
  }
  if (Status s = RecordOutcome(item_id, record, now); !s.ok()) return s;
  if (Status s = RecordScannedWith(*db_, item_id, record, now); !s.ok()) return s;
  if (!record.submission_id.empty()) {
    if (Status s = SetSubmissionItem(*db_, record.submission_id, item_id); !s.ok()) return s;
  }
  if (Status s = EnqueueAutoActionEvent(*db_, item_id, record); !s.ok()) return s;  // issue 14
  return item_id;
}

Status QueueOutcome(Database& db, int64_t item_id, const Outcome& outcome, const std::string& now) {
  const bool to_queue = outcome.disposition == Disposition::kReview ||
                        outcome.disposition == Disposition::kFailed;
  const bool auto_action = outcome.disposition == Disposition::kAutoAction;
  if (to_queue || auto_action) {
    // One queue row per item, however often it is scanned. A decided item stays decided;
    // a pending one takes the newer priority and obscuring.
    Statement queue(db,
                    "INSERT INTO queue (item_id, state, priority, severity, obscure_level, "
                    "category, reason, enqueued_at, updated_at, confidence, queue_name) VALUES "
                    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10) ON CONFLICT(item_id) DO "
                    "UPDATE SET queue_name = CASE WHEN queue.state = 'pending' THEN "
                    "excluded.queue_name ELSE queue.queue_name END, "
                    "priority = excluded.priority, severity = excluded.severity, "
                    "confidence = excluded.confidence, "
                    "obscure_level = excluded.obscure_level, category = excluded.category, "
                    "reason = excluded.reason, updated_at = excluded.updated_at, "
                    "state = CASE WHEN queue.state = 'decided' THEN 'decided' "
                    "ELSE excluded.state END");
    queue.Bind(1, item_id).Bind(2, auto_action ? "decided" : "pending")
        .Bind(3, static_cast<int64_t>(outcome.priority))
        .Bind(4, static_cast<int64_t>(outcome.severity))
        .Bind(5, static_cast<int64_t>(outcome.obscure_level));
    if (outcome.category.empty()) queue.BindNull(6); else queue.Bind(6, outcome.category);
    queue.Bind(7, outcome.reason).Bind(8, now).Bind(9, outcome.confidence)
        .Bind(10, outcome.queue.empty() ? std::string(kDefaultQueue) : outcome.queue);
    if (Status s = queue.Write("queueing an item"); !s.ok()) return s;
    if (auto_action) {
      Statement decided(db,
                        "INSERT INTO decisions (item_id, reviewer, decision, reason, decided_at) "
                        "SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM decisions "
                        "WHERE item_id = ?1)");
      decided.Bind(1, item_id).Bind(2, "policy:" + outcome.rule)
          .Bind(3, outcome.category.empty() ? "auto-action" : outcome.category)
          .Bind(4, outcome.reason).Bind(5, now);
      if (Status s = decided.Write("recording an automatic decision"); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status Store::RecordOutcome(int64_t item_id, const ItemRecord& record, const std::string& now) {
  const Outcome& outcome = record.outcome;
  if (Status s = QueueOutcome(*db_, item_id, outcome, now); !s.ok()) return s;
  // Issue 13 item 3: the bytes of an item queued for review; a bare URL record (a
  // manifest's URL with no file) has none to keep.
  if (media_vault_ && outcome.disposition == Disposition::kReview && record.media_kind != "url") {
    if (Status s = KeepQueuedMedia(*db_, *media_vault_, item_id, record.path, record.sha256);
        !s.ok()) {
      return s;
    }
  }
  nlohmann::json details = {{"sha256", record.sha256},
                            {"path", record.path},
                            {"outcome", DispositionName(outcome.disposition)},
                            {"rule", outcome.rule},
                            {"priority", outcome.priority},
                            {"severity", outcome.severity}};
  if (!outcome.category.empty()) details["category"] = outcome.category;
  return AppendAudit(*db_, {"scanner", "item.scanned", item_id, JsonText(details)}, now);
}

void Store::KeepMediaOfQueuedItems(const MediaKey& key) {
  media_vault_ = std::make_shared<MediaVault>(*db_, key);
}

StatusOr<StoreCounts> Store::Counts() {
  StoreCounts counts;
  Statement query(*db_,
                  "SELECT (SELECT count(*) FROM items), "
                  "(SELECT count(*) FROM items WHERE status = 'failed'), "
                  "(SELECT count(*) FROM signals), (SELECT count(*) FROM detections)");
  if (!query.ok() || query.Step() != kRow) return query.Error("counting");
  counts.items = query.ColumnInt(0);
  counts.failed_items = query.ColumnInt(1);
  counts.signals = query.ColumnInt(2);
  counts.detections = query.ColumnInt(3);
  return counts;
}

}  // namespace vigil::host
