#include "store/rematch.h"

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <tuple>
#include <unordered_set>

#include "bank_set.h"
#include "scan/scan_json.h"
#include "store/audit_log.h"
#include "store/db/database.h"

namespace vigil::host {
namespace {

constexpr const char* kRematchTypes = "('pdq', 'md5', 'sha1', 'sha256')";

struct Hit {
  std::string detector;     // the detector that stored the signal
  std::string signal_type;  // "pdq", "md5", ...
  hashbank::Match match;
};

std::string EntryId(const hashbank::Match& m) {
  // As BankSet::AddDetections records it.
  return m.entry.external_id.empty() ? std::to_string(m.entry_index) : m.entry.external_id;
}

// One pass over the stored signals: each value against each bank that holds its type.
Status MatchSignals(Database& db, const std::vector<const hashbank::Bank*>& banks,
                    const RematchOptions& options,
                    std::set<std::tuple<int64_t, std::string, std::string>>& known,
                    std::map<int64_t, std::vector<Hit>>& hits, RematchReport& report) {
  std::string in;
  for (hashbank::SignalType type : hashbank::kAllSignalTypes) {
    bool held = false;
    for (const hashbank::Bank* bank : banks) held = held || bank->count(type) > 0;
    if (held)
      in += std::string(in.empty() ? "" : ", ") + "'" +
            std::string(hashbank::SignalTypeName(type)) + "'";
  }
  if (in.empty()) return Status::Ok();  // the banks hold nothing to match
  // One sequential pass over the table (SQLite: NOT INDEXED, since through the value
  // index each row would be a random read; memory-mapped rather than copied page by page).
  const bool sqlite = db.dialect() == Dialect::kSqlite;
  if (sqlite) (void)db.Exec("PRAGMA mmap_size = 1073741824");
  const std::string sql = std::string("SELECT item_id, detector, type, value, quality FROM signals") +
                          (sqlite ? " NOT INDEXED" : "") + " WHERE type IN (" + in + ")";
  Statement stmt(db, sql);
  if (!stmt.ok()) return stmt.Error("reading the stored signals");
  int rc;
  std::vector<bool> seen;  // by item id: items_checked counts each item once
  std::unordered_set<int64_t> sparse;
  while ((rc = stmt.Step()) == kRow) {
    ++report.signals_checked;
    const int64_t item_id = stmt.ColumnInt(0);
    if (item_id >= 0 && item_id < (int64_t{1} << 28)) {  // row ids: dense from 1
      if (static_cast<uint64_t>(item_id) >= seen.size()) seen.resize(item_id * 2 + 1024);
      if (!seen[item_id]) {
        seen[item_id] = true;
        ++report.items_checked;
      }
    } else if (sparse.insert(item_id).second) {
      ++report.items_checked;
    }
    const auto type = hashbank::ParseSignalType(stmt.ColumnText(2));
    if (!type) continue;
    const std::string value = stmt.ColumnText(3);
    std::vector<hashbank::Match> matches;
    if (*type == hashbank::SignalType::kPdq) {
      // As vigil.pdq: a hash below the quality floor is reported, never matched.
      if (stmt.ColumnType(4) != "null" && stmt.ColumnInt(4) < options.pdq_min_quality) {
        continue;
      }
      auto words = hashbank::ParsePdqHex(value);
      if (!words.ok()) continue;  // not a PDQ hash: nothing a bank could match
      for (const hashbank::Bank* bank : banks) {
        if (bank->count(*type) == 0) continue;
        auto found = bank->MatchPdq(&words.value(), 1, options.pdq_threshold);
        if (!found.ok()) return Status::IoError(bank->name() + ": " + found.status().message());
        matches.insert(matches.end(), found.value().begin(), found.value().end());
      }
    } else {
      auto parsed = hashbank::ParseHashValue(*type, value);
      if (!parsed.ok()) continue;
      for (const hashbank::Bank* bank : banks) {
        if (bank->count(*type) == 0) continue;
        auto found = bank->MatchExact(parsed.value());
        if (!found.ok()) return Status::IoError(bank->name() + ": " + found.status().message());
        matches.insert(matches.end(), found.value().begin(), found.value().end());
      }
    }
    for (hashbank::Match& m : matches) {
      if (options.entries_since_unix != 0 && m.entry.added_unix < options.entries_since_unix) {
        continue;
      }
      if (!known.insert({item_id, m.bank, EntryId(m)}).second) continue;  // recorded before
      ++report.new_matches;
      hits[item_id].push_back(Hit{stmt.ColumnText(1),
                                  std::string(hashbank::SignalTypeName(*type)), std::move(m)});
    }
  }
  if (rc != kDone) return stmt.Error("reading the stored signals");
  return Status::Ok();
}

// The item as a scan would hand it to the policy: its stored detections and detector
// runs (a failed run stays failed), plus the new hits. Returns the record and the new
// detections, per detector.
Status LoadRecord(Database& db, int64_t item_id, const std::vector<Hit>& item_hits,
                  ItemRecord& record, std::vector<std::pair<std::string, v1::Detection>>& added) {
  Statement item(db,
                 "SELECT sha256, last_path, status, coalesce(error, '') FROM items WHERE id = ?1");
  item.Bind(1, item_id);
  if (!item.ok() || item.Step() != kRow)
    return item.Error("reading item " + std::to_string(item_id));
  record.sha256 = item.ColumnText(0);
  record.path = item.ColumnText(1);
  const bool item_failed = item.ColumnText(2) == "failed";
  const std::string item_error = item.ColumnText(3);

  // The runs in the order the scan recorded them (the policy's ties go to the first).
  std::vector<DetectorRun> runs;
  auto run_of = [&runs](const std::string& detector) -> DetectorRun& {
    for (DetectorRun& run : runs) {
      if (run.detector == detector) return run;
    }
    runs.emplace_back();
    runs.back().detector = detector;
    return runs.back();
  };
  Statement run_rows(db,
                     "SELECT detector, status, coalesce(error, '') FROM detector_runs WHERE "
                     "item_id = ?1 ORDER BY rowid");
  run_rows.Bind(1, item_id);
  bool any_run_failed = false;
  while (run_rows.ok() && run_rows.Step() == kRow) {
    DetectorRun& run = run_of(run_rows.ColumnText(0));
    if (run_rows.ColumnText(1) == "failed") {
      run.status = Status::IoError(run_rows.ColumnText(2));
      any_run_failed = true;
    }
  }
  if (item_failed && !any_run_failed) {
    record.status = Status::IoError(item_error.empty() ? "failed" : item_error);
  }
  Statement det(db,
                "SELECT detector, label, score, severity, coalesce(signal_type, ''), "
                "coalesce(bank, ''), coalesce(entry_id, ''), coalesce(category, ''), "
                "coalesce(distance, 0), coalesce(dihedral, 0), coalesce(reason, '') "
                "FROM detections WHERE item_id = ?1 ORDER BY id");
  det.Bind(1, item_id);
  while (det.ok() && det.Step() == kRow) {
    DetectorRun& run = run_of(det.ColumnText(0));
    v1::Detection* d = run.result.add_detections();
    d->set_label(det.ColumnText(1));
    const std::string score = det.ColumnText(2);  // REAL, as SQLite writes it
    d->set_score(score.empty() ? 0.0 : std::strtod(score.c_str(), nullptr));
    d->set_severity(static_cast<v1::Severity>(det.ColumnInt(3)));
    d->set_signal_type(det.ColumnText(4));
    if (!det.ColumnText(5).empty()) {
      d->mutable_match()->set_bank(det.ColumnText(5));
      d->mutable_match()->set_entry_id(det.ColumnText(6));
      d->mutable_match()->set_category(det.ColumnText(7));
      d->mutable_match()->set_distance(static_cast<int32_t>(det.ColumnInt(8)));
      d->mutable_match()->set_dihedral(static_cast<int32_t>(det.ColumnInt(9)));
    }
    d->set_reason(det.ColumnText(10));
  }
  for (const Hit& hit : item_hits) {
    v1::AnalysisResult one;
    hashdetect::BankSet::AddDetections({hit.match}, hit.signal_type, one);
    DetectorRun& run = run_of(hit.detector);
    *run.result.add_detections() = one.detections(0);
    added.emplace_back(hit.detector, one.detections(0));
  }
  record.runs = std::move(runs);
  return Status::Ok();
}

Status InsertDetection(Database& db, int64_t item_id, const std::string& detector,
                       const v1::Detection& d) {
  Statement insert(db,
                   "INSERT INTO detections (item_id, detector, label, score, severity, "
                   "signal_type, bank, entry_id, category, distance, dihedral, reason) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  insert.Bind(1, item_id)
      .Bind(2, detector)
      .Bind(3, d.label())
      .Bind(4, d.score())
      .Bind(5, static_cast<int64_t>(d.severity()))
      .Bind(6, d.signal_type())
      .Bind(7, d.match().bank())
      .Bind(8, d.match().entry_id())
      .Bind(9, d.match().category())
      .Bind(10, static_cast<int64_t>(d.match().distance()))
      .Bind(11, static_cast<int64_t>(d.match().dihedral()))
      .Bind(12, d.reason());
  if (insert.Step() != kDone) return insert.Error("recording a rematched detection");
  return Status::Ok();
}

// The item's outcome, queue row and automatic decision, as Store::RecordItem records a
// scan's (store.cc, RecordOutcome): a decided item stays decided.
Status RecordOutcome(Database& db, int64_t item_id, const Outcome& outcome, const std::string& now,
                     bool& was_decided) {
  Statement update(db,
                   "UPDATE items SET outcome = ?2, outcome_rule = ?3, outcome_reason = ?4 "
                   "WHERE id = ?1");
  update.Bind(1, item_id)
      .Bind(2, DispositionName(outcome.disposition))
      .Bind(3, outcome.rule)
      .Bind(4, outcome.reason);
  if (update.Step() != kDone) return update.Error("recording an item's outcome");
  Statement state(db, "SELECT state FROM queue WHERE item_id = ?1");
  state.Bind(1, item_id);
  was_decided = state.ok() && state.Step() == kRow && state.ColumnText(0) == "decided";
  const bool to_queue =
      outcome.disposition == Disposition::kReview || outcome.disposition == Disposition::kFailed;
  const bool auto_action = outcome.disposition == Disposition::kAutoAction;
  if (!to_queue && !auto_action) return Status::Ok();
  Statement queue(db,
                  "INSERT INTO queue (item_id, state, priority, severity, obscure_level, "
                  "category, reason, enqueued_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, "
                  "?6, ?7, ?8, ?8) ON CONFLICT(item_id) DO UPDATE SET "
                  "priority = excluded.priority, severity = excluded.severity, "
                  "obscure_level = excluded.obscure_level, category = excluded.category, "
                  "reason = excluded.reason, updated_at = excluded.updated_at, "
                  "state = CASE WHEN queue.state = 'decided' THEN 'decided' "
                  "ELSE excluded.state END");
  queue.Bind(1, item_id)
      .Bind(2, auto_action ? "decided" : "pending")
      .Bind(3, static_cast<int64_t>(outcome.priority))
      .Bind(4, static_cast<int64_t>(outcome.severity))
      .Bind(5, static_cast<int64_t>(outcome.obscure_level));
  if (outcome.category.empty())
    queue.BindNull(6);
  else
    queue.Bind(6, outcome.category);
  queue.Bind(7, outcome.reason).Bind(8, now);
  if (queue.Step() != kDone) return queue.Error("queueing an item");
  if (auto_action) {
    Statement decided(db,
                      "INSERT INTO decisions (item_id, reviewer, decision, reason, decided_at) "
                      "SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM decisions "
                      "WHERE item_id = ?1)");
    decided.Bind(1, item_id)
        .Bind(2, "policy:" + outcome.rule)
        .Bind(3, outcome.category.empty() ? "auto-action" : outcome.category)
        .Bind(4, outcome.reason)
        .Bind(5, now);
    if (decided.Step() != kDone) return decided.Error("recording an automatic decision");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<RematchReport> Rematch(Store& store, const std::vector<const hashbank::Bank*>& banks,
                                const Policy& policy, const RematchOptions& options) {
  Database& db = store.db();
  RematchReport report;
  {
    Statement any(db, (std::string("SELECT EXISTS (SELECT 1 FROM signals WHERE type IN ") +
                       kRematchTypes + ")")
                          .c_str());
    if (!any.ok() || any.Step() != kRow) return any.Error("reading stored signals");
    report.store_has_signals = any.ColumnInt(0) != 0;
  }
  // Hits recorded before (by a scan or an earlier rematch) are not recorded twice.
  std::set<std::tuple<int64_t, std::string, std::string>> known;
  {
    Statement rows(db,
                   "SELECT item_id, bank, entry_id FROM detections WHERE label = 'hash-match' "
                   "AND bank IS NOT NULL AND entry_id IS NOT NULL");
    int rc;
    while (rows.ok() && (rc = rows.Step()) == kRow) {
      known.insert({rows.ColumnInt(0), rows.ColumnText(1), rows.ColumnText(2)});
    }
    if (!rows.ok()) return rows.Error("reading recorded matches");
  }
  std::map<int64_t, std::vector<Hit>> hits;
  if (Status s = MatchSignals(db, banks, options, known, hits, report); !s.ok()) return s;
  if (hits.empty()) return report;

  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  const std::string now = NowUtc();
  for (const auto& [item_id, item_hits] : hits) {
    ItemRecord record;
    std::vector<std::pair<std::string, v1::Detection>> added;
    if (Status s = LoadRecord(db, item_id, item_hits, record, added); !s.ok()) return s;
    const Outcome outcome = policy.Decide(record, options.first_party);
    nlohmann::json matches = nlohmann::json::array();
    for (const auto& [detector, d] : added) {
      if (Status s = InsertDetection(db, item_id, detector, d); !s.ok()) return s;
      matches.push_back({{"detector", detector},
                         {"signal_type", d.signal_type()},
                         {"bank", d.match().bank()},
                         {"entry_id", d.match().entry_id()},
                         {"distance", d.match().distance()}});
    }
    bool was_decided = false;
    if (Status s = RecordOutcome(db, item_id, outcome, now, was_decided); !s.ok()) return s;
    ++report.items_matched;
    if (!was_decided && (outcome.disposition == Disposition::kReview ||
                         outcome.disposition == Disposition::kFailed)) {
      ++report.queued;
    }
    if (!was_decided && outcome.disposition == Disposition::kAutoAction) ++report.auto_actioned;
    nlohmann::json details = {{"sha256", record.sha256},
                              {"path", record.path},
                              {"outcome", DispositionName(outcome.disposition)},
                              {"rule", outcome.rule},
                              {"priority", outcome.priority},
                              {"severity", outcome.severity},
                              {"matches", matches}};
    if (!outcome.category.empty()) details["category"] = outcome.category;
    if (Status s =
            AppendAudit(db, {"rematch", kRematchAuditAction, item_id, JsonText(details)}, now);
        !s.ok()) {
      return s;
    }
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  return report;
}

}  // namespace vigil::host
