// Issue 15 item 3: CyberTipline reports built from decided items (docs/cybertipline.md).
//
// The files: items whose settling decision reports (A1, A2, B1, B2) and that no report
// (not retracted) holds yet, or exactly the items given. Grouping: one report per uploader
// (the item's or its submission's uploader id); items with no uploader form one report per
// explicit item list (an incident), and without a list they are skipped with a note.
// Per file, what the store knows: the original name and upload time (the submission's, else
// the scanned path's last part and when it was first seen), MD5 (of the bytes, read once
// here) and SHA-256, the decision as industry classification, and fileViewedByEsp: true
// only when the reveal log shows a person revealed the item.
//
// Each report's XML is built, validated and stored with its files as a draft, with a
// preservation record per file for a year (store/cyber_reports.h).
#ifndef VIGIL_HOST_REPORT_REPORT_BUILDER_H_
#define VIGIL_HOST_REPORT_REPORT_BUILDER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "report/report_xml.h"
#include "store/cyber_reports.h"
#include "store/db/database.h"
#include "store/media_vault.h"

namespace vigil::report {

// Days a preservation record keeps an item: NCMEC asks the reporter to preserve a
// report's contents for a year (18 U.S.C. 2258A(h) as amended by the REPORT Act); one more
// day covers the hours between the record and the report's finish.
inline constexpr int kPreservationDays = 366;

struct BuildOptions {
  std::vector<int64_t> item_ids;  // empty: every reportable item not yet reported
  Reporter reporter;
  std::string where_kept = "the Vigil store (media and rows)";
  std::string actor;
  std::string now;  // ISO-8601 UTC
  // The item's bytes (for the MD5); the CLI reads the store's copy or the scanned file.
  std::function<StatusOr<std::string>(const host::ReportableFile&)> read_bytes;
};

struct BuildResult {
  std::vector<int64_t> report_ids;
  std::vector<std::string> notes;  // what was left out and why
};

StatusOr<BuildResult> BuildReports(host::Database& db, const BuildOptions& options);

// The bytes of a stored item, checked against its SHA-256: the store's copy when `vault` is
// given and holds it (decrypted, checked and logged as fetched by `actor`), else the file it
// was scanned from. A stored copy that fails its checks is an error, never a reason to read
// the file instead.
StatusOr<std::string> ReadStoredItem(host::Database& db, host::MediaVault* vault, int64_t item_id,
                                     const std::string& actor);

// Lowercase hex MD5 of `bytes`.
std::string Md5Hex(const std::string& bytes);

}  // namespace vigil::report

#endif  // VIGIL_HOST_REPORT_REPORT_BUILDER_H_
