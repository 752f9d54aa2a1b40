#include "report/report_sender.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "report/report_builder.h"
#include "report/report_xml.h"

namespace vigil::report {
namespace {

// The audit details of one call: what was called, the HTTP status and NCMEC's answer.
std::string Details(const std::string& call, const CallOutcome& o,
                    const nlohmann::ordered_json& extra = nlohmann::ordered_json::object()) {
  nlohmann::ordered_json d;
  d["call"] = call;
  d["http"] = o.http_status;
  if (o.parsed) {
    d["responseCode"] = o.response.response_code;
    if (!o.response.description.empty()) d["responseDescription"] = o.response.description;
    if (!o.response.report_id.empty()) d["reportId"] = o.response.report_id;
    if (!o.response.file_id.empty()) d["fileId"] = o.response.file_id;
    if (!o.response.hash.empty()) d["hash"] = o.response.hash;
    if (!o.response.file_ids.empty()) d["files"] = o.response.file_ids;
  }
  if (!o.ok) d["error"] = o.error;
  for (auto& [k, v] : extra.items()) d[k] = v;
  return d.dump();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class Attempt {
 public:
  Attempt(host::Database& db, CybertipClient& client, const host::CyberReport& report,
          const SendOptions& options)
      : db_(db), client_(client), report_(report), options_(options) {}

  Status Run() {
    const std::string& state = report_.state;
    if (state != "queued" && state != "submitting" && state != "failed") {
      return Status::InvalidArgument("CyberTipline report " + std::to_string(report_.id) + " is " +
                                     state + ", not queued for sending");
    }
    if (report_.ncmec_report_id.empty()) {
      if (Status s = ValidateReportXml(report_.report_xml); !s.ok()) {
        return Fail("the report XML does not validate: " + s.message(), false,
                    R"({"call":"submit","error":"not sent: the XML does not validate"})");
      }
      const CallOutcome o = client_.Submit(report_.report_xml);
      if (!o.ok) return Fail(o.error, o.retryable, Details("submit", o));
      if (o.response.report_id.empty()) {
        return Fail("/submit: the answer has no reportId", true, Details("submit", o));
      }
      if (Status s = host::RecordReportOpened(db_, report_.id, o.response.report_id,
                                              Details("submit", o), options_.actor, options_.now());
          !s.ok()) {
        return s;
      }
      report_.ncmec_report_id = o.response.report_id;
    }
    for (host::CyberReportFile& f : report_.files) {
      if (f.state != "pending") continue;
      auto bytes = options_.read_bytes(f);
      if (!bytes.ok()) {
        return Fail("item " + std::to_string(f.item_id) + ": " + bytes.status().message(), false,
                    R"({"call":"upload","error":"the item's bytes cannot be read"})");
      }
      if (Md5Hex(bytes.value()) != f.md5) {
        return Fail("item " + std::to_string(f.item_id) + ": its bytes are not the reported ones",
                    false, R"({"call":"upload","error":"the item's bytes changed"})");
      }
      const CallOutcome o = client_.Upload(report_.ncmec_report_id, f.original_name, bytes.value());
      const nlohmann::ordered_json which = {{"item", f.item_id}};
      if (!o.ok) return FailCall("upload", o, which);
      if (o.response.file_id.empty()) {
        return Fail("/upload: the answer has no fileId", true, Details("upload", o, which));
      }
      if (!o.response.hash.empty() && Lower(o.response.hash) != f.md5) {
        return Fail("/upload: NCMEC received other bytes for item " + std::to_string(f.item_id) +
                        " (MD5 " + o.response.hash + ")",
                    true, Details("upload", o, which));
      }
      if (Status s =
              host::RecordFileUploaded(db_, report_.id, f.id, o.response.file_id,
                                       Details("upload", o, which), options_.actor, options_.now());
          !s.ok()) {
        return s;
      }
      f.state = "uploaded";
      f.ncmec_file_id = o.response.file_id;
    }
    for (host::CyberReportFile& f : report_.files) {
      if (f.state != "uploaded") continue;
      FileDetailsDocument d;
      d.report_id = report_.ncmec_report_id;
      d.file_id = f.ncmec_file_id;
      d.original_name = f.original_name;
      d.viewed_by_esp = f.viewed_by_esp;
      d.classification = f.classification;
      d.md5 = f.md5;
      d.sha256 = f.sha256;
      d.upload_time = f.upload_time;
      const std::string xml = BuildFileDetailsXml(d);
      const nlohmann::ordered_json which = {
          {"item", f.item_id}, {"fileId", f.ncmec_file_id}, {"fileViewedByEsp", f.viewed_by_esp}};
      if (Status s = ValidateFileDetailsXml(xml); !s.ok()) {
        return Fail("the file details of item " + std::to_string(f.item_id) +
                        " do not validate: " + s.message(),
                    false, R"({"call":"fileinfo","error":"not sent: the XML does not validate"})");
      }
      const CallOutcome o = client_.FileInfo(xml);
      if (!o.ok) return FailCall("fileinfo", o, which);
      if (Status s = host::RecordFileDescribed(db_, report_.id, f.id, Details("fileinfo", o, which),
                                               options_.actor, options_.now());
          !s.ok()) {
        return s;
      }
      f.state = "described";
    }
    const CallOutcome o = client_.Finish(report_.ncmec_report_id);
    const bool already =
        !o.ok && o.parsed && o.response.response_code == kResponseReportAlreadyFinished;
    if (!o.ok && !already) return FailCall("finish", o);
    const std::string now = options_.now();
    auto until = host::DaysAfter(now, kPreservationDays);
    if (!until.ok()) return until.status();
    return host::RecordReportFinished(db_, report_.id, options_.where_kept, until.value(),
                                      Details("finish", o), options_.actor, now);
  }

 private:
  // A failed call: NCMEC no longer knowing the unfinished report starts it over.
  Status FailCall(const std::string& call, const CallOutcome& o,
                  const nlohmann::ordered_json& extra = nlohmann::ordered_json::object()) {
    if (o.parsed && o.response.response_code == kResponseReportDoesNotExist) {
      if (Status s = host::RecordReportRestart(db_, report_.id, Details(call, o, extra),
                                               options_.actor, options_.now());
          !s.ok()) {
        return s;
      }
      return Fail(o.error + ": NCMEC no longer has the unfinished report; it is opened again", true,
                  R"({"note":"restarted"})");
    }
    return Fail(o.error, o.retryable, Details(call, o, extra));
  }

  Status Fail(const std::string& error, bool retryable, const std::string& details) {
    const int64_t attempts = report_.attempts + 1;
    int64_t next = 0;
    if (retryable && attempts < options_.max_attempts) {
      int64_t wait = options_.first_backoff_ms;
      for (int64_t i = 1; i < attempts && wait < options_.max_backoff_ms; ++i) wait *= 2;
      next = options_.now_ms + std::min(wait, options_.max_backoff_ms);
    }
    if (Status s = host::RecordReportFailure(db_, report_.id, error, next, details, options_.actor,
                                             options_.now());
        !s.ok()) {
      return s;
    }
    std::string message = "CyberTipline report " + std::to_string(report_.id) + ": " + error;
    message += next != 0
                   ? "; tried again in " + std::to_string((next - options_.now_ms) / 1000) + " s"
                   : "; not tried again until queued (vigil reports submit " +
                         std::to_string(report_.id) + ")";
    return Status::Unavailable(message);
  }

  host::Database& db_;
  CybertipClient& client_;
  host::CyberReport report_;
  const SendOptions& options_;
};

}  // namespace

Status SendReport(host::Database& db, CybertipClient& client, int64_t id,
                  const SendOptions& options) {
  auto report = host::GetCyberReport(db, id);
  if (!report.ok()) return report.status();
  Attempt attempt(db, client, report.value(), options);
  return attempt.Run();
}

StatusOr<SendSummary> SendDueReports(host::Database& db, CybertipClient& client,
                                     const SendOptions& options) {
  auto due = host::DueCyberReports(db, options.now_ms);
  if (!due.ok()) return due.status();
  SendSummary summary;
  for (int64_t id : due.value()) {
    const Status s = SendReport(db, client, id, options);
    if (s.ok()) {
      summary.submitted.push_back(id);
    } else {
      summary.failed.emplace_back(id, s.message());
    }
  }
  return summary;
}

Status RetractReport(host::Database& db, CybertipClient* client, int64_t id,
                     const SendOptions& options) {
  auto report = host::GetCyberReport(db, id);
  if (!report.ok()) return report.status();
  const host::CyberReport& r = report.value();
  const std::string name = "CyberTipline report " + std::to_string(id);
  if (r.state == "retracted") return Status::InvalidArgument(name + " is already retracted");
  if (r.state == "submitted") {
    return Status::InvalidArgument(name + " was finished at NCMEC (report " + r.ncmec_report_id +
                                   "): a finished report cannot be retracted through the API");
  }
  if (r.ncmec_report_id.empty()) {
    return host::RecordReportRetracted(db, id, R"({"call":"none","note":"never opened at NCMEC"})",
                                       options.actor, options.now());
  }
  if (client == nullptr) {
    return Status::InvalidArgument(name + " is open at NCMEC: retracting it needs the endpoint");
  }
  const CallOutcome o = client->Retract(r.ncmec_report_id);
  const bool already =
      !o.ok && o.parsed && o.response.response_code == kResponseReportAlreadyRetracted;
  if (!o.ok && !already) {
    (void)host::AuditReportCall(db, id, Details("retract", o), options.actor, options.now());
    return Status::Unavailable(name + ": " + o.error);
  }
  return host::RecordReportRetracted(db, id, Details("retract", o), options.actor, options.now());
}

}  // namespace vigil::report
