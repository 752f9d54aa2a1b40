#include "store/scan_ledger.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "scan/scan_json.h"
#include "scan/sha256.h"
#include "store/db/database.h"
#include "store/db/sqlite_database.h"

namespace vigil::host {
namespace fs = std::filesystem;

std::string DetectorSet::Key() const {
  nlohmann::json key = {{"detectors", versions},
                        {"settings", settings},
                        {"policy", Sha256Hex(policy_text)},
                        {"data", Sha256Hex(data_state)}};
  return Sha256Hex(key.dump());
}

std::string DetectorSet::Describe() const {
  nlohmann::ordered_json out = {{"detectors", versions},
                                {"settings", settings},
                                {"policy", Sha256Hex(policy_text)},
                                {"data", Sha256Hex(data_state)}};
  return JsonText(out);
}

std::string DataFolderState(const fs::path& folder) {
  std::vector<std::string> lines;
  std::error_code ec;
  fs::recursive_directory_iterator it(folder, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code entry_ec;
    if (!it->is_regular_file(entry_ec)) continue;
    // Not list content: a bank's verified marker (rewritten when a reader checks it
    // again) and the temporary files of imports in progress or dead.
    const std::string name = it->path().filename().string();
    if (name.size() > 9 && name.compare(name.size() - 9, 9, ".verified") == 0) continue;
    if (name.find(".tmp-") != std::string::npos ||
        (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0)) {
      continue;
    }
    const auto size = it->file_size(entry_ec);
    const auto mtime = it->last_write_time(entry_ec);
    lines.push_back(it->path().lexically_relative(folder).string() + "\t" + std::to_string(size) +
                    "\t" + std::to_string(mtime.time_since_epoch().count()));
  }
  std::sort(lines.begin(), lines.end());
  std::string state;
  for (const std::string& line : lines) state += line + "\n";
  return state;
}

Status RecordScannedWith(Database& db, int64_t item_id, const ItemRecord& record,
                         const std::string& now) {
  if (record.scan_key.empty()) return Status::Ok();
  Statement insert(db,
                   "INSERT INTO item_scans (item_id, scan_key, scanned_with, scanned_at, "
                   "scan_run) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(item_id) DO UPDATE SET "
                   "scan_key = ?2, scanned_with = ?3, scanned_at = ?4, scan_run = ?5");
  insert.Bind(1, item_id)
      .Bind(2, record.scan_key)
      .Bind(3, record.scanned_with)
      .Bind(4, now)
      .Bind(5, record.scan_run);
  if (insert.Step() != kDone) return insert.Error("recording the detector set of an item");
  return Status::Ok();
}

StatusOr<std::unique_ptr<ScanLedger>> ScanLedger::Open(const fs::path& store_path,
                                                       std::string scan_key) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(store_path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IoError("cannot open the store " + store_path.string() + ": " + why);
  }
  sqlite3_busy_timeout(db, 10000);
  std::unique_ptr<ScanLedger> ledger(new ScanLedger(
      std::make_unique<SqliteDatabase>(db, store_path.string()), std::move(scan_key)));
  // A new id per run: what this run records is not "already scanned" for itself (the
  // same bytes twice in one tree are both analysed and printed, as before).
  std::random_device random;
  ledger->run_ = Sha256Hex(
      std::to_string(random()) + std::to_string(random()) + ":" + std::to_string(::getpid()) + ":" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  ledger->lookup_ = std::make_unique<Statement>(
      *ledger->db_,
      "SELECT 1 FROM items i JOIN item_scans s ON s.item_id = i.id "
      "WHERE i.sha256 = ?1 AND i.status = 'ok' AND s.scan_key = ?2 AND s.scan_run != ?3");
  if (!ledger->lookup_->ok()) return ledger->lookup_->Error("cannot read the store's scan ledger");
  return ledger;
}

ScanLedger::~ScanLedger() = default;

bool ScanLedger::AlreadyScanned(const std::string& sha256) {
  std::lock_guard<std::mutex> lock(mutex_);
  lookup_->Reset();
  lookup_->Bind(1, sha256).Bind(2, key_).Bind(3, run_);
  const bool found = lookup_->Step() == kRow;
  lookup_->Reset();
  return found;
}

}  // namespace vigil::host
