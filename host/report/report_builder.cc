#include "report/report_builder.h"

#include <openssl/evp.h>

#include <map>

namespace vigil::report {

std::string Md5Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

StatusOr<std::string> ReadStoredItem(host::Database& db, host::MediaVault* vault, int64_t item_id,
                                     const std::string& actor) {
  host::Statement row(db, "SELECT sha256, first_path FROM items WHERE id = ?1");
  row.Bind(1, item_id);
  const int rc = row.Step();
  if (rc == host::kDone) return Status::NotFound("no item " + std::to_string(item_id));
  if (rc != host::kRow) return row.Error("reading item " + std::to_string(item_id));
  const std::string sha256 = row.ColumnText(0);
  const std::string path = row.ColumnText(1);
  if (vault != nullptr) {
    auto fetched = vault->Fetch(item_id, actor);
    if (fetched.ok() || fetched.status().code() != Status::Code::kNotFound) return fetched;
  }
  return host::ReadItemFile(path, sha256);
}

StatusOr<BuildResult> BuildReports(host::Database& db, const BuildOptions& options) {
  if (Status s = CheckReporter(options.reporter); !s.ok()) return s;
  if (!options.read_bytes) return Status::InvalidArgument("no way to read the items' bytes");
  auto files = host::ListReportableFiles(db, options.item_ids);
  if (!files.ok()) return files.status();
  BuildResult result;
  // Group key -> files, in item order.
  std::map<std::string, std::vector<host::ReportableFile>> groups;
  std::string incident_key = "incident:";
  for (const host::ReportableFile& f : files.value()) {
    if (f.open_report != 0) {
      if (!options.item_ids.empty()) {
        return Status::InvalidArgument("item " + std::to_string(f.item_id) +
                                       " is already in CyberTipline report " +
                                       std::to_string(f.open_report));
      }
      continue;  // reported already
    }
    if (!f.uploader_id.empty()) {
      groups["uploader:" + f.uploader_id].push_back(f);
    } else if (!options.item_ids.empty()) {
      incident_key += (incident_key.back() == ':' ? "" : ",") + std::to_string(f.item_id);
      groups[""].push_back(f);
    } else {
      result.notes.push_back("item " + std::to_string(f.item_id) +
                             " has no uploader: report it as an incident with --items");
    }
  }
  if (groups.count("")) {
    groups[incident_key] = std::move(groups[""]);
    groups.erase("");
  }
  auto until = host::DaysAfter(options.now, kPreservationDays);
  if (!until.ok()) return until.status();
  for (const auto& [key, members] : groups) {
    ReportDocument doc;
    doc.reporter = options.reporter;
    doc.incident_date_time = members.front().upload_time;
    for (const host::ReportableFile& f : members) {
      if (f.upload_time < doc.incident_date_time) doc.incident_date_time = f.upload_time;
    }
    if (key.rfind("uploader:", 0) == 0) {
      doc.uploader_id = members.front().uploader_id;
      doc.esp_service = members.front().source;
    }
    doc.additional_info =
        std::to_string(members.size()) + " file(s) reviewed in Vigil (" + key + ")";
    const std::string xml = BuildReportXml(doc);
    if (Status s = ValidateReportXml(xml); !s.ok()) {
      return Status::InvalidArgument("the report for " + key +
                                     " does not validate: " + s.message());
    }
    std::vector<host::NewReportFile> rows;
    for (const host::ReportableFile& f : members) {
      auto bytes = options.read_bytes(f);
      if (!bytes.ok()) {
        return Status::IoError("item " + std::to_string(f.item_id) + ": " +
                               bytes.status().message());
      }
      rows.push_back({f.item_id, f.original_name, f.sha256, Md5Hex(bytes.value()), f.upload_time,
                      f.viewed_by_esp, f.decision});
    }
    auto id = host::CreateCyberReport(db, key, xml, rows, options.where_kept, until.value(),
                                      options.actor, options.now);
    if (!id.ok()) return id.status();
    result.report_ids.push_back(id.value());
  }
  return result;
}

}  // namespace vigil::report
