#include "cli/queue_item_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/terminal_text.h"
#include "store/near_duplicates.h"
#include "store/review_rounds.h"
#include "store/db/database.h"
#include "store/store.h"

namespace vigil::cli {
namespace {

using Json = nlohmann::ordered_json;

const char* SeverityName(int64_t s) {
  static const char* const kWords[] = {"unspecified", "none", "low", "medium", "high", "critical"};
  return s >= 0 && s <= 5 ? kWords[s] : "unknown";
}

// How a column is read: text, integer, or an integer in thousandths (a real).
enum class Kind { kText, kInt, kMilli };

// Runs `sql` (?1 = the item id) and returns one JSON object per row, keyed by
// the column names given; SQL NULL stays null.
StatusOr<Json> Rows(host::Store& store, const char* sql, int64_t item_id,
                    const std::vector<std::pair<const char*, Kind>>& columns) {
  Json out = Json::array();
  host::Statement rows(store.db(), sql);
  if (!rows.ok()) return rows.Error("reading the item");
  rows.Bind(1, item_id);
  int rc;
  while ((rc = rows.Step()) == host::kRow) {
    Json row = Json::object();
    for (size_t i = 0; i < columns.size(); ++i) {
      const int c = static_cast<int>(i);
      const char* name = columns[i].first;
      if (rows.ColumnType(c) == "null") {
        row[name] = nullptr;
      } else if (columns[i].second == Kind::kInt) {
        row[name] = rows.ColumnInt(c);
      } else if (columns[i].second == Kind::kMilli) {
        row[name] = static_cast<double>(rows.ColumnInt(c)) / 1000.0;
      } else {
        row[name] = rows.ColumnText(c);
      }
    }
    out.push_back(std::move(row));
  }
  if (rc != host::kDone) return rows.Error("reading the item");
  return out;
}

// Everything the store holds about one item, as one JSON object.
StatusOr<Json> LoadEvidence(host::Store& store, int64_t item_id) {
  Json item;
  {
    auto rows = Rows(store,
                     "SELECT i.id, i.sha256, i.size, i.media_kind, i.last_path, i.url, "
                     "i.source, "
                     "i.format, i.width, i.height, i.status, i.error, i.outcome, "
                     "i.outcome_rule, "
                     "i.outcome_reason, q.state, q.priority, q.severity, q.category, "
                     "q.reason, q.round "
                     "FROM items i LEFT JOIN queue q ON q.item_id = i.id WHERE i.id = ?1",
                     item_id, {{"item", Kind::kInt},
                               {"sha256", Kind::kText},
                               {"size", Kind::kInt},
                               {"media_kind", Kind::kText},
                               {"path", Kind::kText},
                               {"url", Kind::kText},
                               {"source", Kind::kText},
                               {"format", Kind::kText},
                               {"width", Kind::kInt},
                               {"height", Kind::kInt},
                               {"status", Kind::kText},
                               {"error", Kind::kText},
                               {"outcome", Kind::kText},
                               {"outcome_rule", Kind::kText},
                               {"outcome_reason", Kind::kText},
                               {"queue_state", Kind::kText},
                               {"priority", Kind::kInt},
                               {"severity", Kind::kInt},
                               {"category", Kind::kText},
                               {"queue_reason", Kind::kText},
                               {"round", Kind::kInt}});
    if (!rows.ok()) return rows.status();
    if (rows.value().empty()) {
      return Status::NotFound("item " + std::to_string(item_id) + " is not in the store");
    }
    item = std::move(rows.value()[0]);
  }
  struct Section {
    const char* key;
    const char* sql;
    std::vector<std::pair<const char*, Kind>> columns;
  };
  // While the item is in a blind second round (or golden), its decisions are not shown:
  // the second reviewer must not see the first (store/review_rounds.h).
  static const std::string kDecisionsSql =
      "SELECT decided_at, reviewer, decision, reason FROM decisions WHERE item_id = ?1 AND " +
      host::DecisionVisibleSql("decisions") + " ORDER BY id";
  const Section sections[] = {
      {"detections",
       "SELECT detector, label, CAST(round(score * 1000) AS INTEGER), "
       "severity, signal_type, "
       "bank, entry_id, category, distance, reason FROM detections WHERE "
       "item_id = ?1 "
       "ORDER BY severity DESC, id",
       {{"detector", Kind::kText},
        {"label", Kind::kText},
        {"score", Kind::kMilli},
        {"severity", Kind::kInt},
        {"signal_type", Kind::kText},
        {"bank", Kind::kText},
        {"entry_id", Kind::kText},
        {"category", Kind::kText},
        {"distance", Kind::kInt},
        {"reason", Kind::kText}}},
      {"signals",
       "SELECT detector, type, value, quality FROM signals WHERE item_id = ?1 "
       "ORDER BY type, value",
       {{"detector", Kind::kText},
        {"type", Kind::kText},
        {"value", Kind::kText},
        {"quality", Kind::kInt}}},
      {"decisions",
       kDecisionsSql.c_str(),
       {{"at", Kind::kText},
        {"reviewer", Kind::kText},
        {"decision", Kind::kText},
        {"reason", Kind::kText}}},
      {"reveals",
       "SELECT started_at, reviewer, duration_ms, CAST(round(x * 1000) AS "
       "INTEGER), "
       "CAST(round(y * 1000) AS INTEGER), CAST(round(w * 1000) AS INTEGER), "
       "CAST(round(h * 1000) AS INTEGER) FROM reveals WHERE item_id = ?1 ORDER "
       "BY id",
       {{"at", Kind::kText},
        {"reviewer", Kind::kText},
        {"duration_ms", Kind::kInt},
        {"x", Kind::kMilli},
        {"y", Kind::kMilli},
        {"w", Kind::kMilli},
        {"h", Kind::kMilli}}},
  };
  for (const Section& section : sections) {
    auto rows = Rows(store, section.sql, item_id, section.columns);
    if (!rows.ok()) return rows.status();
    item[section.key] = std::move(rows.value());
  }
  // What the last scan of it covered (store/scan_ledger.h): every detector's version and
  // the SHA-256 of its plugin and model files, the settings, the policy, the lists, and
  // why the store's earlier record of it was not reused ("rescanned").
  {
    auto rows = Rows(store, "SELECT scanned_at, scanned_with FROM item_scans WHERE item_id = ?1",
                     item_id, {{"at", Kind::kText}, {"with", Kind::kText}});
    if (!rows.ok()) return rows.status();
    Json scanned = nullptr;
    if (!rows.value().empty()) {
      const Json& row = rows.value()[0];
      const std::string text = row["with"].is_string() ? row["with"].get<std::string>() : "";
      Json with = Json::parse(text, nullptr, false);
      scanned = {{"at", row["at"]}, {"with", with.is_object() ? with : Json(text)}};
    }
    item["scanned_with"] = std::move(scanned);
  }
  host::NearDuplicateOptions near_options;
  auto near = host::FindNearDuplicates(store, item_id, near_options);
  if (!near.ok()) return near.status();
  Json dups = Json::array();
  for (const host::NearDuplicate& d : near.value().items) {
    Json row;
    row["item"] = d.item_id;
    row["match"] = d.match;
    row["distance"] = d.distance;
    row["orientation"] = d.orientation.empty() ? Json(nullptr) : Json(d.orientation);
    row["decision"] = d.decision.empty() ? Json(nullptr) : Json(d.decision);
    dups.push_back(std::move(row));
  }
  item["near_duplicates"] = {
      {"pdq_threshold", near_options.pdq_threshold},
      {"orientations_checked", near.value().orientations_checked},
      {"note", near.value().note.empty() ? Json(nullptr) : Json(near.value().note)},
      {"items", std::move(dups)}};
  return item;
}

std::string Text(const Json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return TerminalText(value.get<std::string>());
  return value.dump();
}

// What the item's last scan covered: one line per detector with its version and the
// SHA-256 of its plugin and model files, then the settings, policy and lists.
void PrintScannedWith(const Json& scanned) {
  if (scanned.is_null()) {
    std::printf("Scanned with: not recorded.\n");
    return;
  }
  const Json& with = scanned["with"];
  std::printf("Scanned at %s", Text(scanned["at"]).c_str());
  if (!with.is_object()) {
    std::printf(" with: %s.\n", Text(with).c_str());
    return;
  }
  if (with.contains("rescanned")) std::printf(" (rescanned: %s)", Text(with["rescanned"]).c_str());
  std::printf(" with:\n");
  if (with.contains("detectors") && with["detectors"].is_object()) {
    for (const auto& [id, detector] : with["detectors"].items()) {
      if (!detector.is_object()) {  // recorded before plugins and models were covered
        std::printf("  %s %s.\n", TerminalText(id).c_str(), Text(detector).c_str());
        continue;
      }
      std::string line = "  " + TerminalText(id) + " " + Text(detector.value("version", Json()));
      if (detector.contains("plugin")) line += ", plugin SHA-256 " + Text(detector["plugin"]);
      if (detector.contains("model") && detector["model"].is_object()) {
        for (const auto& [file, digest] : detector["model"].items()) {
          line += ", model " + TerminalText(file) + " SHA-256 " + Text(digest);
        }
      }
      std::printf("%s.\n", line.c_str());
    }
  }
  std::string settings;
  if (with.contains("settings") && with["settings"].is_array()) {
    for (const Json& setting : with["settings"]) {
      settings += (settings.empty() ? "" : ", ") + Text(setting);
    }
  }
  std::printf("  Settings: %s. Policy SHA-256 %s. Lists SHA-256 %s.\n",
              settings.empty() ? "none" : settings.c_str(),
              Text(with.value("policy", Json())).c_str(), Text(with.value("data", Json())).c_str());
}

// The same evidence as plain sentences, one line each, for a terminal or screen
// reader.
void PrintEvidence(const Json& e) {
  std::printf("Item %lld: %s, outcome %s", static_cast<long long>(e["item"].get<int64_t>()),
              Text(e["media_kind"]).c_str(), Text(e["outcome"]).c_str());
  if (!e["queue_state"].is_null()) {
    std::printf(", queue %s, priority %lld, severity %s", Text(e["queue_state"]).c_str(),
                static_cast<long long>(e["priority"].get<int64_t>()),
                SeverityName(e["severity"].get<int64_t>()));
    if (!e["category"].is_null()) std::printf(", category %s", Text(e["category"]).c_str());
  }
  std::printf(".\n");
  std::printf("  Path: %s\n  URL: %s\n  SHA-256: %s\n", Text(e["path"]).c_str(),
              Text(e["url"]).c_str(), Text(e["sha256"]).c_str());
  if (!e["format"].is_null()) {
    std::printf("  Image: %s, %s x %s\n", Text(e["format"]).c_str(), Text(e["width"]).c_str(),
                Text(e["height"]).c_str());
  }
  if (!e["error"].is_null()) std::printf("  Error: %s\n", Text(e["error"]).c_str());
  if (!e["outcome_reason"].is_null()) {
    std::printf("  Why: %s\n", Text(e["outcome_reason"]).c_str());
  }

  std::printf("Detections (%zu):\n", e["detections"].size());
  for (const Json& d : e["detections"]) {
    std::printf("  %s: %s, score %.3f, severity %s", Text(d["detector"]).c_str(),
                Text(d["label"]).c_str(), d["score"].get<double>(),
                SeverityName(d["severity"].get<int64_t>()));
    if (!d["bank"].is_null()) {
      std::printf(", list %s entry %s", Text(d["bank"]).c_str(), Text(d["entry_id"]).c_str());
    }
    if (!d["category"].is_null()) std::printf(", category %s", Text(d["category"]).c_str());
    if (!d["distance"].is_null()) std::printf(", distance %s", Text(d["distance"]).c_str());
    if (!d["reason"].is_null()) std::printf(", %s", Text(d["reason"]).c_str());
    std::printf(".\n");
  }
  std::printf("Signals (%zu):\n", e["signals"].size());
  for (const Json& s : e["signals"]) {
    std::printf("  %s %s\n", Text(s["type"]).c_str(), Text(s["value"]).c_str());
  }
  const Json& near = e["near_duplicates"];
  if (near["orientations_checked"] == 0) {
    std::printf("Near-duplicates (%zu; the item has no PDQ hash: the same digest only):\n",
                near["items"].size());
  } else {
    std::printf(
        "Near-duplicates (%zu; PDQ within %s bits in %s orientations, or the same "
        "digest):\n",
        near["items"].size(), Text(near["pdq_threshold"]).c_str(),
        Text(near["orientations_checked"]).c_str());
  }
  for (const Json& d : near["items"]) {
    const std::string how = d["match"] == "pdq" ? "PDQ distance " + Text(d["distance"]) + " (" +
                                                      Text(d["orientation"]) + ")"
                                                : "same " + Text(d["match"]) + ", distance 0";
    std::printf("  Item %s: %s, %s.\n", Text(d["item"]).c_str(), how.c_str(),
                d["decision"].is_null() ? "undecided" : ("decided " + Text(d["decision"])).c_str());
  }
  if (!near["note"].is_null()) std::printf("  Note: %s.\n", Text(near["note"]).c_str());
  PrintScannedWith(e["scanned_with"]);
  std::printf("Decisions (%zu):\n", e["decisions"].size());
  for (const Json& d : e["decisions"]) {
    std::printf("  %s: %s by %s%s%s.\n", Text(d["at"]).c_str(), Text(d["decision"]).c_str(),
                Text(d["reviewer"]).c_str(), d["reason"].is_null() ? "" : ", ",
                d["reason"].is_null() ? "" : Text(d["reason"]).c_str());
  }
  std::printf("Reveals (%zu):\n", e["reveals"].size());
  for (const Json& r : e["reveals"]) {
    std::printf("  %s: %s, %s ms, region x %.3f y %.3f w %.3f h %.3f.\n", Text(r["at"]).c_str(),
                Text(r["reviewer"]).c_str(), Text(r["duration_ms"]).c_str(),
                r["x"].is_null() ? 0.0 : r["x"].get<double>(),
                r["y"].is_null() ? 0.0 : r["y"].get<double>(),
                r["w"].is_null() ? 0.0 : r["w"].get<double>(),
                r["h"].is_null() ? 0.0 : r["h"].get<double>());
  }
}

int QueueShowItem(const GlobalOptions& global, int64_t item_id, bool json) {
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global, host::OpenMode::kReadOnly);
  if (!store) return 1;
  auto evidence = LoadEvidence(*store, item_id);
  if (!evidence.ok()) {
    PrintError(evidence.status().message());
    return 1;
  }
  if (json) {
    std::printf("%s\n",
                evidence.value().dump(2, ' ', false, Json::error_handler_t::replace).c_str());
  } else {
    PrintEvidence(evidence.value());
  }
  return 0;
}

}  // namespace

void AddQueueItemOptions(CLI::App& show, GlobalOptions& options, std::function<void()> list) {
  static int64_t item_id = 0;
  static bool json = false;
  CLI::Option* item = show.add_option("--item", item_id,
                                      "Show one item's evidence instead of the queue: "
                                      "detections, signals, near-duplicates "
                                      "(PDQ distance in 8 orientations, or the same digest), "
                                      "what scanned it (versions, plugin and model SHA-256; "
                                      "why it was rescanned), URL, decisions and reveals");
  item->type_name("ID");
  show.add_flag("--json", json, "With --item: the same evidence as one JSON object")->needs(item);
  show.callback([&options, item, list = std::move(list)] {
    if (item->count() > 0) {
      options.exit_code = QueueShowItem(options, item_id, json);
    } else {
      list();
    }
  });
}

}  // namespace vigil::cli
