// Issue 15 item 3: the XML documents Vigil sends to NCMEC's CyberTipline reporting API
// (docs/cybertipline.md says where each fact comes from): the report opened by POST /submit
// and the file details sent by POST /fileinfo, written with pugixml in the documented
// element order, and a structural validator run on every document before it is sent.
//
// The validator is not the XSD (NCMEC serves it to registered reporters only, at
// <base>/xsd; none is kept in the repository): it checks the root element, that every child
// is a documented element in the documented order and count, the required elements and the
// values Vigil fills in (incident types, booleans, ISO-8601 times, hash types, the industry
// classification).
#ifndef VIGIL_HOST_REPORT_REPORT_XML_H_
#define VIGIL_HOST_REPORT_REPORT_XML_H_

#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::report {

inline constexpr const char* kIncidentChildPornography =
    "Child Pornography (possession, manufacture, and distribution)";

// The person at the reporting company NCMEC may contact.
struct Reporter {
  std::string first_name;
  std::string last_name;
  std::string email;
};
// OK when the reporter has a first and last name and an e-mail address that looks like one.
Status CheckReporter(const Reporter& reporter);

struct ReportDocument {
  std::string incident_type = kIncidentChildPornography;
  std::string incident_date_time;  // ISO-8601 UTC: the earliest upload of the files
  Reporter reporter;
  std::string uploader_id;  // personOrUserReported/espIdentifier; "" leaves it out
  std::string esp_service;  // personOrUserReported/espService (the item's source); optional
  std::string additional_info;
};
std::string BuildReportXml(const ReportDocument& report);

struct FileDetailsDocument {
  std::string report_id;  // NCMEC's
  std::string file_id;    // NCMEC's
  std::string original_name;
  std::string location;  // the URL the file was at; "" leaves it out
  bool viewed_by_esp = false;
  std::string classification;  // A1, A2, B1, B2
  std::string md5;             // lowercase hex
  std::string sha256;          // lowercase hex, sent as a details name/value pair
  std::string upload_time;     // sent as additional information
};
std::string BuildFileDetailsXml(const FileDetailsDocument& details);

// The structural checks above; InvalidArgument naming the first problem.
Status ValidateReportXml(const std::string& xml);
Status ValidateFileDetailsXml(const std::string& xml);

}  // namespace vigil::report

#endif  // VIGIL_HOST_REPORT_REPORT_XML_H_
