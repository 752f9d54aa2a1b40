#include "store/scan_ledger.h"

#include "store/db/postgres_database.h"
#include "store/db/sqlite_database.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "scan/scan_json.h"
#include "scan/sha256.h"
#include "store/db/database.h"

namespace vigil::host {
namespace fs = std::filesystem;

namespace {

using Json = nlohmann::ordered_json;

// The detector set as JSON; the key and the record for a person are both made from it.
Json SetJson(const DetectorSet& set) {
  Json detectors = Json::object();
  for (const auto& [id, version] : set.versions) {
    Json detector = {{"version", version}};
    if (auto plugin = set.plugins.find(id); plugin != set.plugins.end()) {
      detector["plugin"] = plugin->second;
    }
    if (auto model = set.models.find(id); model != set.models.end()) {
      detector["model"] = model->second;
    }
    detectors[id] = std::move(detector);
  }
  return {{"detectors", std::move(detectors)},
          {"settings", set.settings},
          {"policy", Sha256Hex(set.policy_text)},
          {"data", Sha256Hex(set.data_state)}};
}

// The store's last scan of an item: its status and, when recorded, the detector set.
constexpr char kLookup[] =
    "SELECT i.status, s.scan_key, s.scanned_with, s.scan_run FROM items i "
    "LEFT JOIN item_scans s ON s.item_id = i.id WHERE i.sha256 = ?1";

// obj[key], or null when obj is not an object or has no such key.
const nlohmann::json& Get(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

}  // namespace

std::string DetectorSet::Key() const {
  // Versions, digests and settings are untrusted text: JsonText never throws on bad UTF-8.
  return Sha256Hex(JsonText(SetJson(*this)));
}

std::string DetectorSet::Describe(const std::string& rescanned) const {
  Json out = SetJson(*this);
  if (!rescanned.empty()) out["rescanned"] = rescanned;
  return JsonText(out);
}

std::string RescanReason(const std::string& before, const std::string& now) {
  const nlohmann::json old = nlohmann::json::parse(before, nullptr, false);
  const nlohmann::json cur = nlohmann::json::parse(now, nullptr, false);
  if (!old.is_object() || !cur.is_object()) return "scan key changed";
  const nlohmann::json& old_detectors = Get(old, "detectors");
  const nlohmann::json& cur_detectors = Get(cur, "detectors");
  std::vector<std::string> added, removed, version, plugin, model;
  bool without_digests = false;
  if (cur_detectors.is_object()) {
    for (const auto& [id, detector] : cur_detectors.items()) {
      if (!old_detectors.is_object() || !old_detectors.contains(id)) {
        added.push_back(id);
        continue;
      }
      const nlohmann::json& was = old_detectors[id];
      // Records made before plugins and models were covered: "id": "version".
      const nlohmann::json& old_version = was.is_string() ? was : Get(was, "version");
      if (old_version != Get(detector, "version")) {
        version.push_back(id);
        if (was.is_string()) continue;
      } else if (was.is_string()) {
        without_digests = true;
        continue;
      } else if (Get(was, "plugin") != Get(detector, "plugin")) {
        plugin.push_back(id);
      }
      if (Get(was, "model") != Get(detector, "model")) model.push_back(id);
    }
  }
  if (old_detectors.is_object()) {
    for (const auto& [id, detector] : old_detectors.items()) {
      if (!cur_detectors.is_object() || !cur_detectors.contains(id)) removed.push_back(id);
    }
  }
  std::vector<std::string> reasons;
  if (!added.empty()) reasons.push_back("detectors added (" + Join(added) + ")");
  if (!removed.empty()) reasons.push_back("detectors removed (" + Join(removed) + ")");
  if (!version.empty()) reasons.push_back("version changed (" + Join(version) + ")");
  if (!plugin.empty()) reasons.push_back("plugin changed (" + Join(plugin) + ")");
  if (!model.empty()) reasons.push_back("model changed (" + Join(model) + ")");
  if (Get(old, "settings") != Get(cur, "settings")) reasons.push_back("settings changed");
  if (Get(old, "policy") != Get(cur, "policy")) reasons.push_back("policy changed");
  if (Get(old, "data") != Get(cur, "data")) reasons.push_back("lists changed");
  if (without_digests) reasons.push_back("recorded without plugin and model digests");
  return reasons.empty() ? "scan key changed" : Join(reasons);
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
  return insert.Write("recording the detector set of an item");
}

StatusOr<std::unique_ptr<ScanLedger>> ScanLedger::Open(const fs::path& store_path,
                                                       std::string scan_key,
                                                       std::string scanned_with) {
  // Its own connection, so that look-ups run beside the store's writes.
  std::unique_ptr<Database> connection;
  if (IsPostgresUrl(store_path.string())) {
    auto opened = PostgresDatabase::Open(store_path.string());
    if (!opened.ok()) return opened.status();
    connection = std::move(opened).value();
  } else {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(store_path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
      std::string why = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return Status::IoError("cannot open the store " + store_path.string() + ": " + why);
    }
    sqlite3_busy_timeout(db, 10000);
    connection = std::make_unique<SqliteDatabase>(db, store_path.string());
  }
  std::unique_ptr<ScanLedger> ledger(
      new ScanLedger(std::move(connection), std::move(scan_key), std::move(scanned_with)));
  // A new id per run: what this run records is not "already scanned" for itself (the
  // same bytes twice in one tree are both analysed and printed, as before).
  std::random_device random;
  ledger->run_ = Sha256Hex(
      std::to_string(random()) + std::to_string(random()) + ":" + std::to_string(::getpid()) + ":" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  // Run once, not only prepared: a PostgreSQL statement meets its tables when it runs.
  if (Statement check(*ledger->db_, kLookup); !check.ok()) {
    return check.Error("cannot read the store's scan ledger");
  } else if (const int rc = check.Bind(1, std::string()).Step(); rc != kRow && rc != kDone) {
    return check.Error("cannot read the store's scan ledger");
  }
  return ledger;
}

ScanLedger::~ScanLedger() = default;

bool ScanLedger::AlreadyScanned(const std::string& sha256) {
  std::lock_guard<std::mutex> lock(mutex_);
  Statement lookup(*db_, kLookup);
  if (!lookup.ok()) return false;
  lookup.Bind(1, sha256);
  if (lookup.Step() != kRow) return false;  // new to the store
  const bool recorded = lookup.ColumnType(1) != "null";
  std::string reason;
  if (recorded && lookup.ColumnText(3) == run_) {
    // Its twin (the same bytes elsewhere in the tree), recorded earlier in this run: it
    // is analysed too, and rescanned for the same reason as the twin, if it was.
    const nlohmann::json twin = nlohmann::json::parse(lookup.ColumnText(2), nullptr, false);
    const nlohmann::json& why = Get(twin, "rescanned");
    if (!why.is_string() || why.get<std::string>().empty()) return false;
    reason = why.get<std::string>();
  } else if (lookup.ColumnText(0) != "ok") {
    reason = "failed before";
  } else if (!recorded) {
    reason = "recorded without a detector set";
  } else if (const std::string key = lookup.ColumnText(1); key == key_) {
    if (!force_) return true;
    reason = "--rescan";
  } else {
    auto known = reason_by_key_.find(key);
    if (known == reason_by_key_.end()) {
      known = reason_by_key_.emplace(key, RescanReason(lookup.ColumnText(2), scanned_with_)).first;
    }
    reason = known->second;
  }
  Pending& pending = reasons_[sha256];
  pending.reason = std::move(reason);
  ++pending.items;
  return false;
}

std::string ScanLedger::TakeRescanReason(const std::string& sha256) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = reasons_.find(sha256);
  if (it == reasons_.end()) return "";
  std::string reason = it->second.reason;
  if (--it->second.items == 0) reasons_.erase(it);
  return reason;
}

}  // namespace vigil::host
