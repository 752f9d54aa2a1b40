// Issue 15 item 3: sending CyberTipline reports from the persistent queue
// (docs/cybertipline.md). One attempt runs the documented sequence
//
//   submit (the stored, validated report XML)  -> NCMEC's report id, recorded at once
//   upload each file not uploaded yet          -> its file id, recorded as each one lands
//   fileinfo each uploaded file                -> recorded as described
//   finish                                     -> submitted, preservation records for a year
//
// and resumes where the last attempt stopped: a crash or a dropped connection mid-sequence
// never uploads a file whose file id was recorded, nor opens a second report once NCMEC's
// report id was recorded. Every call and its answer is in the audit log (store/cyber_reports.h).
// A failed attempt is recorded with the error and, when a later attempt may succeed (no
// answer, HTTP 5xx or 429, a malformed answer, a 1xxx responseCode), the next attempt after
// a doubling backoff; otherwise (authentication, validation, ...) the report waits for a
// person (`vigil reports submit ID` queues it again).
#ifndef VIGIL_HOST_REPORT_REPORT_SENDER_H_
#define VIGIL_HOST_REPORT_REPORT_SENDER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "report/cybertip_client.h"
#include "store/cyber_reports.h"
#include "store/db/database.h"

namespace vigil::report {

struct SendOptions {
  std::string actor;
  std::function<std::string()> now;  // ISO-8601 UTC
  int64_t now_ms = 0;                // the queue's clock (unix ms)
  int max_attempts = 8;
  int64_t first_backoff_ms = 60 * 1000;
  int64_t max_backoff_ms = 6 * 3600 * 1000;
  std::string where_kept = "the Vigil store (media and rows)";
  // The file's bytes (the CLI: the store's copy or the scanned file, checked by SHA-256).
  std::function<StatusOr<std::string>(const host::CyberReportFile&)> read_bytes;
};

// One attempt at report `id` (queued, submitting or failed). OK when it was finished;
// otherwise the error, already recorded with the next attempt.
Status SendReport(host::Database& db, CybertipClient& client, int64_t id,
                  const SendOptions& options);

struct SendSummary {
  std::vector<int64_t> submitted;
  std::vector<std::pair<int64_t, std::string>> failed;  // report, why
};
// One attempt at every report due at options.now_ms.
StatusOr<SendSummary> SendDueReports(host::Database& db, CybertipClient& client,
                                     const SendOptions& options);

// Retracts report `id`: one never opened at NCMEC is marked retracted; an open one is
// cancelled with POST /retract first (NCMEC's "already retracted" counts as done). A finished
// report cannot be cancelled through the API (NCMEC documents none): InvalidArgument says so.
// `client` may be null when the report was never opened (no call is made then).
Status RetractReport(host::Database& db, CybertipClient* client, int64_t id,
                     const SendOptions& options);

}  // namespace vigil::report

#endif  // VIGIL_HOST_REPORT_REPORT_SENDER_H_
