#include "store/cyber_reports.h"

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "store/audit_log.h"
#include "store/retention.h"

namespace vigil::host {
namespace {

constexpr char kReportColumns[] =
    "SELECT id, group_key, state, report_xml, ncmec_report_id, created_by, created_at, "
    "updated_at, queued_by, finished_at, retracted_by, retracted_at, last_error, attempts, "
    "next_attempt_ms FROM cybertip_reports";

CyberReport ReadReport(Statement& row) {
  CyberReport r;
  r.id = row.ColumnInt(0);
  r.group_key = row.ColumnText(1);
  r.state = row.ColumnText(2);
  r.report_xml = row.ColumnText(3);
  r.ncmec_report_id = row.ColumnText(4);
  r.created_by = row.ColumnText(5);
  r.created_at = row.ColumnText(6);
  r.updated_at = row.ColumnText(7);
  r.queued_by = row.ColumnText(8);
  r.finished_at = row.ColumnText(9);
  r.retracted_by = row.ColumnText(10);
  r.retracted_at = row.ColumnText(11);
  r.last_error = row.ColumnText(12);
  r.attempts = row.ColumnInt(13);
  r.next_attempt_ms = row.ColumnInt(14);
  return r;
}

// Appends the audit entry of a change to report `id`. `details` is a JSON object (or "").
Status Audit(Database& db, const std::string& action, int64_t id, const std::string& details,
             const std::string& actor, const std::string& now) {
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  if (!details.empty()) {
    body = nlohmann::ordered_json::parse(details, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      body = nlohmann::ordered_json::object();
      body["note"] = details;
    }
  }
  nlohmann::ordered_json entry;
  entry["report"] = id;
  for (auto& [key, value] : body.items()) entry[key] = value;
  return AppendAudit(db, {actor, action, 0, entry.dump()}, now);
}

// The report's state, or NotFound.
StatusOr<std::string> StateOf(Database& db, int64_t id) {
  Statement row(db, "SELECT state FROM cybertip_reports WHERE id = ?1");
  row.Bind(1, id);
  const int rc = row.Step();
  if (rc == kDone) return Status::NotFound("no CyberTipline report " + std::to_string(id));
  if (rc != kRow) return row.Error("reading CyberTipline report " + std::to_string(id));
  return row.ColumnText(0);
}

// One update of report `id` plus its audit entry, in one transaction; the update must
// change exactly one row.
Status UpdateAndAudit(Database& db, int64_t id, const std::string& sql,
                      const std::function<void(Statement&)>& bind, const std::string& action,
                      const std::string& details, const std::string& actor,
                      const std::string& now) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement update(db, sql);
  bind(update);
  if (update.Step() != kDone) return update.Error("recording " + action);
  if (update.RowsChanged() != 1) {
    auto state = StateOf(db, id);
    if (!state.ok()) return state.status();
    return Status::InvalidArgument("CyberTipline report " + std::to_string(id) + " is " +
                                   state.value() + ": " + action + " does not apply");
  }
  if (Status s = Audit(db, action, id, details, actor, now); !s.ok()) return s;
  return tx.Commit();
}

Status InsertPreservations(Database& db, int64_t report_id, const std::vector<int64_t>& items,
                           const std::string& what, const std::string& where_kept,
                           const std::string& until, const std::string& actor,
                           const std::string& now) {
  Statement insert(db,
                   "INSERT INTO cybertip_preservations (report_id, item_id, what, where_kept, "
                   "until, made_by, made_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (int64_t item : items) {
    insert.Reset();
    insert.Bind(1, report_id).Bind(2, item).Bind(3, what).Bind(4, where_kept).Bind(5, until);
    insert.Bind(6, actor).Bind(7, now);
    if (Status s = insert.Write("recording a preservation record"); !s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<std::vector<int64_t>> FileItems(Database& db, int64_t report_id) {
  std::vector<int64_t> items;
  Statement rows(db, "SELECT item_id FROM cybertip_report_files WHERE report_id = ?1 ORDER BY id");
  rows.Bind(1, report_id);
  int rc;
  while ((rc = rows.Step()) == kRow) items.push_back(rows.ColumnInt(0));
  if (rc != kDone) return rows.Error("reading the report's files");
  return items;
}

// Every reportable item, or exactly the wanted ones (ids are integers: safe to inline).
std::string Filter(const std::set<int64_t>& wanted) {
  if (wanted.empty()) {
    return "q.state = 'decided' AND d.decision IN ('A1', 'A2', 'B1', 'B2')";
  }
  std::string in = "i.id IN (";
  for (int64_t id : wanted) in += (in.back() == '(' ? "" : ",") + std::to_string(id);
  return in + ")";
}

}  // namespace

bool IsReportingDecision(const std::string& d) {
  return d == "A1" || d == "A2" || d == "B1" || d == "B2";
}

StatusOr<std::vector<ReportableFile>> ListReportableFiles(Database& db,
                                                          const std::vector<int64_t>& item_ids) {
  // The settling decision is the item's latest one while its queue entry is decided.
  const std::set<int64_t> wanted(item_ids.begin(), item_ids.end());
  Statement rows(
      db,
      std::string(
          "SELECT i.id, i.sha256, i.first_path, i.first_seen, coalesce(i.uploader_id, ''), "
          "coalesce(i.source, ''), coalesce(i.url, ''), coalesce(d.decision, ''), "
          "coalesce(d.decided_at, ''), "
          "CASE WHEN EXISTS (SELECT 1 FROM reveals r WHERE r.item_id = i.id) THEN 1 ELSE 0 END, "
          "coalesce((SELECT s.name FROM submissions s WHERE s.item_id = i.id AND s.name IS NOT "
          "NULL "
          "AND s.name <> '' ORDER BY s.received_at LIMIT 1), ''), "
          "coalesce((SELECT min(s.received_at) FROM submissions s WHERE s.item_id = i.id), ''), "
          "coalesce((SELECT s.uploader_id FROM submissions s WHERE s.item_id = i.id AND "
          "s.uploader_id IS NOT NULL AND s.uploader_id <> '' ORDER BY s.received_at LIMIT 1), ''), "
          "coalesce((SELECT max(f.report_id) FROM cybertip_report_files f JOIN cybertip_reports r "
          "ON r.id = f.report_id WHERE f.item_id = i.id AND r.state <> 'retracted'), 0), "
          "coalesce(q.state, '') "
          "FROM items i LEFT JOIN queue q ON q.item_id = i.id "
          "LEFT JOIN decisions d ON d.id = (SELECT max(d2.id) FROM decisions d2 WHERE d2.item_id = "
          "i.id) ") +
          "WHERE " + Filter(wanted) + " ORDER BY i.id");
  std::map<int64_t, ReportableFile> found;
  std::map<int64_t, std::string> why_not;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    const int64_t id = rows.ColumnInt(0);
    if (!wanted.empty() && wanted.count(id) == 0) continue;
    ReportableFile f;
    f.item_id = id;
    f.sha256 = rows.ColumnText(1);
    f.path = rows.ColumnText(2);
    f.uploader_id = rows.ColumnText(4);
    f.source = rows.ColumnText(5);
    f.url = rows.ColumnText(6);
    f.decision = rows.ColumnText(7);
    f.decided_at = rows.ColumnText(8);
    f.viewed_by_esp = rows.ColumnInt(9) != 0;
    const std::string submitted_name = rows.ColumnText(10);
    f.original_name = !submitted_name.empty() ? submitted_name
                                              : std::filesystem::path(f.path).filename().string();
    const std::string received = rows.ColumnText(11);
    f.upload_time = !received.empty() ? received : rows.ColumnText(3);
    if (f.uploader_id.empty()) f.uploader_id = rows.ColumnText(12);
    f.open_report = rows.ColumnInt(13);
    const std::string queue_state = rows.ColumnText(14);
    if (queue_state != "decided") {
      why_not[id] = queue_state.empty() ? "was never queued for review" : "is not decided";
    } else if (!IsReportingDecision(f.decision)) {
      why_not[id] = "was decided " + f.decision + ", which does not report";
    } else {
      found[id] = f;
    }
  }
  if (rc != kDone) return rows.Error("listing the reportable items");
  std::vector<ReportableFile> out;
  if (wanted.empty()) {
    for (auto& [id, f] : found) out.push_back(f);
    return out;
  }
  for (int64_t id : wanted) {
    if (why_not.count(id)) {
      return Status::InvalidArgument("item " + std::to_string(id) + " " + why_not[id]);
    }
    if (!found.count(id)) return Status::InvalidArgument("no item " + std::to_string(id));
    out.push_back(found[id]);
  }
  return out;
}

StatusOr<int64_t> CreateCyberReport(Database& db, const std::string& group_key,
                                    const std::string& report_xml,
                                    const std::vector<NewReportFile>& files,
                                    const std::string& where_kept,
                                    const std::string& preserve_until, const std::string& actor,
                                    const std::string& now) {
  if (files.empty()) return Status::InvalidArgument("a report needs at least one file");
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement held(db,
                 "SELECT f.report_id FROM cybertip_report_files f JOIN cybertip_reports r ON "
                 "r.id = f.report_id WHERE f.item_id = ?1 AND r.state <> 'retracted'");
  for (const NewReportFile& f : files) {
    held.Reset();
    held.Bind(1, f.item_id);
    const int rc = held.Step();
    if (rc == kRow) {
      return Status::InvalidArgument("item " + std::to_string(f.item_id) +
                                     " is already in CyberTipline report " +
                                     std::to_string(held.ColumnInt(0)));
    }
    if (rc != kDone) return held.Error("reading the reported items");
  }
  int64_t id = 0;
  {  // scoped: the RETURNING statement must be finalised before COMMIT
    Statement insert(db,
                     "INSERT INTO cybertip_reports (group_key, state, report_xml, created_by, "
                     "created_at, updated_at) VALUES (?1, 'draft', ?2, ?3, ?4, ?4) RETURNING id");
    insert.Bind(1, group_key).Bind(2, report_xml).Bind(3, actor).Bind(4, now);
    if (insert.Step() != kRow) return insert.Error("recording the CyberTipline report");
    id = insert.ColumnInt(0);
    if (insert.Step() != kDone) return insert.Error("recording the CyberTipline report");
  }
  Statement file(db,
                 "INSERT INTO cybertip_report_files (report_id, item_id, original_name, sha256, "
                 "md5, upload_time, viewed_by_esp, classification) VALUES (?1, ?2, ?3, ?4, ?5, "
                 "?6, ?7, ?8)");
  std::vector<int64_t> items;
  nlohmann::ordered_json listed = nlohmann::ordered_json::array();
  for (const NewReportFile& f : files) {
    file.Reset();
    file.Bind(1, id).Bind(2, f.item_id).Bind(3, f.original_name).Bind(4, f.sha256);
    file.Bind(5, f.md5).Bind(6, f.upload_time).Bind(7, f.viewed_by_esp ? 1 : 0);
    file.Bind(8, f.classification);
    if (Status s = file.Write("recording a reported file"); !s.ok()) return s;
    items.push_back(f.item_id);
    listed.push_back({{"item", f.item_id},
                      {"sha256", f.sha256},
                      {"fileViewedByEsp", f.viewed_by_esp},
                      {"classification", f.classification}});
  }
  if (Status s = InsertPreservations(db, id, items, "the item's media and store rows", where_kept,
                                     preserve_until, actor, now);
      !s.ok()) {
    return s;
  }
  nlohmann::ordered_json details;
  details["group"] = group_key;
  details["files"] = listed;
  details["preserved_until"] = preserve_until;
  if (Status s = Audit(db, "cybertip.built", id, details.dump(), actor, now); !s.ok()) return s;
  if (Status s = tx.Commit(); !s.ok()) return s;
  return id;
}

StatusOr<std::vector<CyberReport>> ListCyberReports(Database& db, const std::string& state) {
  Statement rows(db,
                 std::string(kReportColumns) + " WHERE (?1 = '' OR state = ?1) ORDER BY id DESC");
  rows.Bind(1, state);
  std::vector<CyberReport> out;
  int rc;
  while ((rc = rows.Step()) == kRow) out.push_back(ReadReport(rows));
  if (rc != kDone) return rows.Error("listing the CyberTipline reports");
  return out;
}

StatusOr<CyberReport> GetCyberReport(Database& db, int64_t id) {
  Statement row(db, std::string(kReportColumns) + " WHERE id = ?1");
  row.Bind(1, id);
  const int rc = row.Step();
  if (rc == kDone) return Status::NotFound("no CyberTipline report " + std::to_string(id));
  if (rc != kRow) return row.Error("reading CyberTipline report " + std::to_string(id));
  CyberReport report = ReadReport(row);
  Statement files(db,
                  "SELECT id, report_id, item_id, original_name, sha256, md5, upload_time, "
                  "viewed_by_esp, classification, state, ncmec_file_id, uploaded_at FROM "
                  "cybertip_report_files WHERE report_id = ?1 ORDER BY id");
  files.Bind(1, id);
  int frc;
  while ((frc = files.Step()) == kRow) {
    CyberReportFile f;
    f.id = files.ColumnInt(0);
    f.report_id = files.ColumnInt(1);
    f.item_id = files.ColumnInt(2);
    f.original_name = files.ColumnText(3);
    f.sha256 = files.ColumnText(4);
    f.md5 = files.ColumnText(5);
    f.upload_time = files.ColumnText(6);
    f.viewed_by_esp = files.ColumnInt(7) != 0;
    f.classification = files.ColumnText(8);
    f.state = files.ColumnText(9);
    f.ncmec_file_id = files.ColumnText(10);
    f.uploaded_at = files.ColumnText(11);
    report.files.push_back(f);
  }
  if (frc != kDone) return files.Error("reading the report's files");
  Statement kept(db,
                 "SELECT id, report_id, item_id, what, where_kept, until, made_by, made_at FROM "
                 "cybertip_preservations WHERE report_id = ?1 ORDER BY id");
  kept.Bind(1, id);
  while ((frc = kept.Step()) == kRow) {
    report.preservations.push_back({kept.ColumnInt(0), kept.ColumnInt(1), kept.ColumnInt(2),
                                    kept.ColumnText(3), kept.ColumnText(4), kept.ColumnText(5),
                                    kept.ColumnText(6), kept.ColumnText(7)});
  }
  if (frc != kDone) return kept.Error("reading the report's preservation records");
  return report;
}

Status QueueCyberReport(Database& db, int64_t id, const std::string& actor, const std::string& now,
                        int64_t now_ms) {
  return UpdateAndAudit(
      db, id,
      "UPDATE cybertip_reports SET state = CASE WHEN ncmec_report_id = '' THEN 'queued' ELSE "
      "'submitting' END, attempts = 0, next_attempt_ms = ?2, queued_by = ?3, updated_at = ?4 "
      "WHERE id = ?1 AND state IN ('draft', 'failed')",
      [&](Statement& s) { s.Bind(1, id).Bind(2, now_ms).Bind(3, actor).Bind(4, now); },
      "cybertip.queued", "", actor, now);
}

StatusOr<std::vector<int64_t>> DueCyberReports(Database& db, int64_t now_ms) {
  Statement rows(db,
                 "SELECT id FROM cybertip_reports WHERE state IN ('queued', 'submitting', "
                 "'failed') AND next_attempt_ms > 0 AND next_attempt_ms <= ?1 ORDER BY id");
  rows.Bind(1, now_ms);
  std::vector<int64_t> out;
  int rc;
  while ((rc = rows.Step()) == kRow) out.push_back(rows.ColumnInt(0));
  if (rc != kDone) return rows.Error("listing the due CyberTipline reports");
  return out;
}

Status RecordReportOpened(Database& db, int64_t id, const std::string& ncmec_report_id,
                          const std::string& details, const std::string& actor,
                          const std::string& now) {
  return UpdateAndAudit(
      db, id,
      "UPDATE cybertip_reports SET state = 'submitting', ncmec_report_id = ?2, updated_at = ?3 "
      "WHERE id = ?1 AND state IN ('queued', 'failed') AND ncmec_report_id = ''",
      [&](Statement& s) { s.Bind(1, id).Bind(2, ncmec_report_id).Bind(3, now); }, "cybertip.opened",
      details, actor, now);
}

Status RecordFileUploaded(Database& db, int64_t report_id, int64_t file_row,
                          const std::string& ncmec_file_id, const std::string& details,
                          const std::string& actor, const std::string& now) {
  return UpdateAndAudit(
      db, report_id,
      "UPDATE cybertip_report_files SET state = 'uploaded', ncmec_file_id = ?3, uploaded_at = ?4 "
      "WHERE id = ?2 AND report_id = ?1 AND state = 'pending'",
      [&](Statement& s) {
        s.Bind(1, report_id).Bind(2, file_row).Bind(3, ncmec_file_id).Bind(4, now);
      },
      "cybertip.uploaded", details, actor, now);
}

Status RecordFileDescribed(Database& db, int64_t report_id, int64_t file_row,
                           const std::string& details, const std::string& actor,
                           const std::string& now) {
  return UpdateAndAudit(
      db, report_id,
      "UPDATE cybertip_report_files SET state = 'described' WHERE id = ?2 AND report_id = ?1 "
      "AND state = 'uploaded'",
      [&](Statement& s) { s.Bind(1, report_id).Bind(2, file_row); }, "cybertip.described", details,
      actor, now);
}

Status RecordReportFinished(Database& db, int64_t id, const std::string& where_kept,
                            const std::string& preserve_until, const std::string& details,
                            const std::string& actor, const std::string& now) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement update(db,
                   "UPDATE cybertip_reports SET state = 'submitted', finished_at = ?2, "
                   "updated_at = ?2, last_error = '', next_attempt_ms = 0 WHERE id = ?1 AND "
                   "state IN ('submitting', 'failed') AND ncmec_report_id <> ''");
  update.Bind(1, id).Bind(2, now);
  if (update.Step() != kDone) return update.Error("recording the finished report");
  if (update.RowsChanged() != 1) {
    return Status::InvalidArgument("CyberTipline report " + std::to_string(id) +
                                   " was not being submitted");
  }
  auto items = FileItems(db, id);
  if (!items.ok()) return items.status();
  if (Status s = InsertPreservations(db, id, items.value(),
                                     "the item's media and store rows (report finished at NCMEC)",
                                     where_kept, preserve_until, actor, now);
      !s.ok()) {
    return s;
  }
  if (Status s = Audit(db, "cybertip.finished", id, details, actor, now); !s.ok()) return s;
  return tx.Commit();
}

Status RecordReportFailure(Database& db, int64_t id, const std::string& error,
                           int64_t next_attempt_ms, const std::string& details,
                           const std::string& actor, const std::string& now) {
  return UpdateAndAudit(
      db, id,
      "UPDATE cybertip_reports SET state = 'failed', attempts = attempts + 1, last_error = ?2, "
      "next_attempt_ms = ?3, updated_at = ?4 WHERE id = ?1 AND state IN ('queued', "
      "'submitting', 'failed')",
      [&](Statement& s) { s.Bind(1, id).Bind(2, error).Bind(3, next_attempt_ms).Bind(4, now); },
      "cybertip.failed", details, actor, now);
}

Status RecordReportRestart(Database& db, int64_t id, const std::string& details,
                           const std::string& actor, const std::string& now) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement report(db,
                   "UPDATE cybertip_reports SET ncmec_report_id = '', updated_at = ?2 WHERE id = "
                   "?1 AND state IN ('submitting', 'failed')");
  report.Bind(1, id).Bind(2, now);
  if (report.Step() != kDone) return report.Error("restarting the report");
  if (report.RowsChanged() != 1) {
    return Status::InvalidArgument("CyberTipline report " + std::to_string(id) +
                                   " was not being submitted");
  }
  Statement files(db,
                  "UPDATE cybertip_report_files SET state = 'pending', ncmec_file_id = '', "
                  "uploaded_at = '' WHERE report_id = ?1");
  files.Bind(1, id);
  if (Status s = files.Write("restarting the report's files"); !s.ok()) return s;
  if (Status s = Audit(db, "cybertip.restarted", id, details, actor, now); !s.ok()) return s;
  return tx.Commit();
}

Status RecordReportRetracted(Database& db, int64_t id, const std::string& details,
                             const std::string& actor, const std::string& now) {
  return UpdateAndAudit(
      db, id,
      "UPDATE cybertip_reports SET state = 'retracted', retracted_by = ?2, retracted_at = ?3, "
      "updated_at = ?3, next_attempt_ms = 0 WHERE id = ?1 AND state <> 'retracted' AND state "
      "<> 'submitted'",
      [&](Statement& s) { s.Bind(1, id).Bind(2, actor).Bind(3, now); }, "cybertip.retracted",
      details, actor, now);
}

Status AuditReportCall(Database& db, int64_t id, const std::string& details,
                       const std::string& actor, const std::string& now) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  if (Status s = Audit(db, "cybertip.call", id, details, actor, now); !s.ok()) return s;
  return tx.Commit();
}

StatusOr<std::string> DaysAfter(const std::string& now, int days) { return DaysBefore(now, -days); }

}  // namespace vigil::host
