// Issue 15 item 3: CyberTipline reports in the store (SQLite migration 15, PostgreSQL 13).
//
// A report groups the decided files of one uploader (or one incident: an explicit list of
// items) for NCMEC's CyberTipline reporting API. The store keeps:
//   - the report: its XML as built and validated (never changed afterwards), its state,
//     NCMEC's report id once the report is opened, and the persistent send queue (attempts,
//     the next attempt, the last error);
//   - one row per file: what the store knows of it (original name, MD5 and SHA-256, upload
//     time, the decision's industry classification, fileViewedByEsp from the reveal log)
//     and, as each call lands, NCMEC's file id and how far it got (pending, uploaded,
//     described), so a send that stopped half-way resumes without uploading a file twice;
//   - preservation records (report, item, what is kept, where, until when: at least a year)
//     that `vigil retention run` honours (store/retention.cc).
//
// States: draft (built, not queued) -> queued -> submitting (NCMEC has a report id) ->
// submitted (finished). failed: the last attempt failed; next_attempt_ms > 0 means the queue
// tries again then, 0 that it gave up (a person queues it again). retracted: cancelled at
// NCMEC (or never sent); final.
//
// Every change appends an audit entry ("cybertip.*") in its own transaction, with the
// details the caller gives (the call made, NCMEC's answer, its report and file ids).
// On a team store only seniors and admins may create, queue, send and retract (the
// database refuses others); `actor` must then be the login.
#ifndef VIGIL_HOST_STORE_CYBER_REPORTS_H_
#define VIGIL_HOST_STORE_CYBER_REPORTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

// The decisions that report: the industry categories A1, A2, B1 and B2.
bool IsReportingDecision(const std::string& decision);

// A decided item that may be reported, with what the store knows of it.
struct ReportableFile {
  int64_t item_id = 0;
  std::string sha256;
  std::string path;           // where the scanner saw it first (items.first_path)
  std::string original_name;  // the submission's file name, else the path's last part
  std::string upload_time;    // the submission's arrival, else when the item was first seen
  std::string uploader_id;    // the item's (or its submission's) uploader; "" when unknown
  std::string source;
  std::string url;
  std::string decision;  // the settling decision (A1, A2, B1, B2)
  std::string decided_at;
  bool viewed_by_esp = false;  // a person revealed it (the reveal log has a row)
  int64_t open_report = 0;     // a report (not retracted) that already holds it; 0: none
};

// The decided items whose settling decision reports, oldest first. `item_ids` empty: every
// such item; otherwise exactly these, and an item that does not exist, is not decided or
// whose decision does not report is an InvalidArgument naming it.
StatusOr<std::vector<ReportableFile>> ListReportableFiles(Database& db,
                                                          const std::vector<int64_t>& item_ids);

struct CyberReportFile {
  int64_t id = 0;
  int64_t report_id = 0;
  int64_t item_id = 0;
  std::string original_name;
  std::string sha256;
  std::string md5;
  std::string upload_time;
  bool viewed_by_esp = false;
  std::string classification;
  std::string state;  // pending, uploaded, described
  std::string ncmec_file_id;
  std::string uploaded_at;
};

struct Preservation {
  int64_t id = 0;
  int64_t report_id = 0;
  int64_t item_id = 0;
  std::string what;
  std::string where_kept;
  std::string until;  // ISO-8601 UTC
  std::string made_by;
  std::string made_at;
};

struct CyberReport {
  int64_t id = 0;
  std::string group_key;  // "uploader:<id>" or "incident:<item ids>"
  std::string state;
  std::string report_xml;
  std::string ncmec_report_id;
  std::string created_by;
  std::string created_at;
  std::string updated_at;
  std::string queued_by;
  std::string finished_at;
  std::string retracted_by;
  std::string retracted_at;
  std::string last_error;
  int64_t attempts = 0;
  int64_t next_attempt_ms = 0;
  std::vector<CyberReportFile> files;       // GetCyberReport only
  std::vector<Preservation> preservations;  // GetCyberReport only
};

struct NewReportFile {
  int64_t item_id = 0;
  std::string original_name;
  std::string sha256;
  std::string md5;
  std::string upload_time;
  bool viewed_by_esp = false;
  std::string classification;
};

// Creates a draft report with its files and, per file, a preservation record of the item's
// media and rows at `where_kept` until `preserve_until`; audit "cybertip.built". A file
// already in a report that is not retracted is an InvalidArgument naming both.
StatusOr<int64_t> CreateCyberReport(Database& db, const std::string& group_key,
                                    const std::string& report_xml,
                                    const std::vector<NewReportFile>& files,
                                    const std::string& where_kept,
                                    const std::string& preserve_until, const std::string& actor,
                                    const std::string& now);

// Reports in `state` ("" for all), newest first, without files.
StatusOr<std::vector<CyberReport>> ListCyberReports(Database& db, const std::string& state);
// One report with its files and preservation records; NotFound when there is none.
StatusOr<CyberReport> GetCyberReport(Database& db, int64_t id);

// Puts a draft or failed report in the send queue, due at `now_ms` (attempts start again);
// audit "cybertip.queued". A report in any other state is an InvalidArgument saying which.
Status QueueCyberReport(Database& db, int64_t id, const std::string& actor, const std::string& now,
                        int64_t now_ms);
// Ids of the reports the queue should try at `now_ms` (queued, submitting or failed with a
// next attempt due), oldest first.
StatusOr<std::vector<int64_t>> DueCyberReports(Database& db, int64_t now_ms);

// The steps of a send, each with its audit entry (`details`: a JSON object with the call,
// the HTTP status and NCMEC's answer). Opened: NCMEC gave `ncmec_report_id` (submitting).
Status RecordReportOpened(Database& db, int64_t id, const std::string& ncmec_report_id,
                          const std::string& details, const std::string& actor,
                          const std::string& now);
Status RecordFileUploaded(Database& db, int64_t report_id, int64_t file_row,
                          const std::string& ncmec_file_id, const std::string& details,
                          const std::string& actor, const std::string& now);
Status RecordFileDescribed(Database& db, int64_t report_id, int64_t file_row,
                           const std::string& details, const std::string& actor,
                           const std::string& now);
// Finished at NCMEC: submitted, and a preservation record per file until `preserve_until`
// (a year from now at least: the request to preserve begins with the finished report).
Status RecordReportFinished(Database& db, int64_t id, const std::string& where_kept,
                            const std::string& preserve_until, const std::string& details,
                            const std::string& actor, const std::string& now);
// A failed attempt: attempts + 1, state failed, the error kept; tried again at
// `next_attempt_ms` (0: given up until queued again).
Status RecordReportFailure(Database& db, int64_t id, const std::string& error,
                           int64_t next_attempt_ms, const std::string& details,
                           const std::string& actor, const std::string& now);
// NCMEC no longer knows the unfinished report (it cancels one left unfinished): NCMEC's ids
// are forgotten and every file is pending again, so the next attempt opens a new report.
Status RecordReportRestart(Database& db, int64_t id, const std::string& details,
                           const std::string& actor, const std::string& now);
// Retracted (final); audit "cybertip.retracted".
Status RecordReportRetracted(Database& db, int64_t id, const std::string& details,
                             const std::string& actor, const std::string& now);

// An audit entry "cybertip.call" about report `id` with nothing else changed (a call whose
// answer changes no state, e.g. a refused retraction).
Status AuditReportCall(Database& db, int64_t id, const std::string& details,
                       const std::string& actor, const std::string& now);

// `now` (ISO-8601 UTC) plus `days`, the same form; InvalidArgument for a malformed `now`.
StatusOr<std::string> DaysAfter(const std::string& now, int days);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_CYBER_REPORTS_H_
