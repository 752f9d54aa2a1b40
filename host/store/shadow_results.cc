#include "store/shadow_results.h"

#include <nlohmann/json.hpp>

namespace vigil::host {
namespace {

std::string DetectionsJson(const DetectorRun& run) {
  nlohmann::json detections = nlohmann::json::array();
  if (!run.status.ok()) return detections.dump();
  for (const auto& d : run.result.detections()) {
    nlohmann::json one = {{"label", d.label()},
                          {"score", d.score()},
                          {"severity", static_cast<int>(d.severity())},
                          {"reason", d.reason()}};
    if (d.has_match()) {
      one["bank"] = d.match().bank();
      one["entry_id"] = d.match().entry_id();
      one["category"] = d.match().category();
      one["distance"] = d.match().distance();
    }
    detections.push_back(one);
  }
  return detections.dump();
}

// The detections a stored JSON array names (a malformed one: none, and `ok` false).
std::vector<ShadowDetection> ParseDetections(const std::string& detector, const std::string& text,
                                             bool& ok) {
  std::vector<ShadowDetection> out;
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  ok = json.is_array();
  if (!ok) return out;
  for (const auto& d : json) {
    if (!d.is_object() || !d.contains("label") || !d["label"].is_string() || !d.contains("score") ||
        !d["score"].is_number()) {
      ok = false;
      return {};
    }
    ShadowDetection one{detector, d["label"].get<std::string>(), d["score"].get<double>(), ""};
    if (d.contains("category") && d["category"].is_string()) {
      one.category = d["category"].get<std::string>();
    }
    out.push_back(one);
  }
  return out;
}

bool Flagged(const std::vector<ShadowDetection>& detections, double min_score) {
  for (const ShadowDetection& d : detections) {
    if (d.score >= min_score) return true;
  }
  return false;
}

}  // namespace

Status RecordShadowResults(Database& db, const std::vector<const ItemRecord*>& records,
                           const std::map<std::string, std::string>& versions,
                           const std::string& scan_run) {
  Transaction transaction(db);
  if (Status s = transaction.Begin(); !s.ok()) return s;
  const std::string now = NowUtc();
  for (const ItemRecord* record : records) {
    if (record->shadow_runs.empty()) continue;
    Statement find(db, "SELECT id FROM items WHERE sha256 = ?1");
    find.Bind(1, record->sha256);
    const int step = find.Step();
    if (step == kDone) continue;
    if (step != kRow) return find.Error("finding item " + record->sha256);
    const int64_t item_id = find.ColumnInt(0);
    for (const DetectorRun& run : record->shadow_runs) {
      Statement insert(db,
                       "INSERT INTO shadow_results (item_id, detector, version, scan_run, "
                       "status, error, elapsed_ms, detections, ran_at) VALUES "
                       "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
      auto version = versions.find(run.detector);
      insert.Bind(1, item_id)
          .Bind(2, run.detector)
          .Bind(3, version != versions.end() ? version->second : std::string())
          .Bind(4, scan_run)
          .Bind(5, run.status.ok() ? "ok" : "failed");
      if (run.status.ok()) {
        insert.BindNull(6);
      } else {
        insert.Bind(6, run.status.message());
      }
      insert.Bind(7, static_cast<double>(run.elapsed_ns) / 1e6)
          .Bind(8, DetectionsJson(run))
          .Bind(9, now);
      if (Status s = insert.Write("recording a shadow result"); !s.ok()) return s;
    }
  }
  return transaction.Commit();
}

StatusOr<std::vector<ShadowAgreement>> CompareShadowResults(Database& db,
                                                            const std::string& detector,
                                                            double min_score, int examples) {
  std::vector<std::string> ids;
  {
    Statement list(db,
                   "SELECT DISTINCT detector FROM shadow_results WHERE ?1 = '' OR detector = ?1 "
                   "ORDER BY detector");
    list.Bind(1, detector);
    int step;
    while ((step = list.Step()) == kRow) ids.push_back(list.ColumnText(0));
    if (step != kDone) return list.Error("listing shadow detectors");
  }
  std::vector<ShadowAgreement> report;
  for (const std::string& id : ids) {
    ShadowAgreement agreement;
    agreement.detector = id;
    // Its latest run on each item.
    Statement runs(db,
                   "SELECT s.item_id, s.status, s.detections, s.version, i.sha256, i.last_path, "
                   "i.outcome FROM shadow_results s JOIN items i ON i.id = s.item_id "
                   "WHERE s.detector = ?1 AND s.id = (SELECT max(t.id) FROM shadow_results t "
                   "WHERE t.item_id = s.item_id AND t.detector = s.detector) ORDER BY s.item_id");
    runs.Bind(1, id);
    int step;
    while ((step = runs.Step()) == kRow) {
      ++agreement.items;
      agreement.version = runs.ColumnText(3);
      if (runs.ColumnText(1) != "ok") {
        ++agreement.shadow_failed;
        continue;
      }
      bool ok = true;
      ShadowExample item;
      item.shadow = ParseDetections(id, runs.ColumnText(2), ok);
      if (!ok)
        return Status::Corruption("shadow result of " + id + " on item " + runs.ColumnText(4) +
                                  ": its detections are not readable");
      item.sha256 = runs.ColumnText(4);
      item.path = runs.ColumnText(5);
      item.outcome = runs.ColumnText(6);
      Statement production(db,
                           "SELECT detector, label, score, coalesce(category, '') FROM detections "
                           "WHERE item_id = ?1 ORDER BY score DESC, detector, label");
      production.Bind(1, runs.ColumnInt(0));
      int p;
      while ((p = production.Step()) == kRow) {
        item.production.push_back({production.ColumnText(0), production.ColumnText(1),
                                   production.ColumnDouble(2), production.ColumnText(3)});
      }
      if (p != kDone) return production.Error("reading an item's detections");
      const bool by_production = Flagged(item.production, min_score);
      const bool by_shadow = Flagged(item.shadow, min_score);
      if (by_production && by_shadow) {
        ++agreement.both;
      } else if (by_production) {
        ++agreement.only_production;
        if (static_cast<int>(agreement.only_production_examples.size()) < examples) {
          agreement.only_production_examples.push_back(std::move(item));
        }
      } else if (by_shadow) {
        ++agreement.only_shadow;
        if (static_cast<int>(agreement.only_shadow_examples.size()) < examples) {
          agreement.only_shadow_examples.push_back(std::move(item));
        }
      } else {
        ++agreement.neither;
      }
    }
    if (step != kDone) return runs.Error("reading shadow results of " + id);
    report.push_back(std::move(agreement));
  }
  return report;
}

}  // namespace vigil::host
