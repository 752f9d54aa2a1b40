#include "report/cybertip_response.h"

#include <cstring>
#include <pugixml.hpp>

namespace vigil::report {
namespace {

std::string Trimmed(const char* text) {
  std::string s = text;
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

StatusOr<CybertipResponse> ParseCybertipResponse(std::string_view body) {
  if (body.size() > kMaxResponseBytes) {
    return Status::InvalidArgument("the answer is larger than 1 MiB");
  }
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(body.data(), body.size());
  if (!parsed) {
    return Status::InvalidArgument(std::string("the answer is not XML (") + parsed.description() +
                                   ")");
  }
  pugi::xml_node root = doc.document_element();
  CybertipResponse out;
  out.root = root.name();
  if (out.root != "reportResponse" && out.root != "reportDoneResponse") {
    return Status::InvalidArgument("the answer's root is <" + out.root +
                                   ">, not <reportResponse> or <reportDoneResponse>");
  }
  if (!root.child("responseCode")) return Status::InvalidArgument("the answer has no responseCode");
  const std::string code = Trimmed(root.child("responseCode").text().get());
  if (!AllDigits(code)) {
    return Status::InvalidArgument("the answer's responseCode '" + code.substr(0, 40) +
                                   "' is not a number");
  }
  out.response_code = std::stoll(code);
  out.description = Trimmed(root.child("responseDescription").text().get());
  if (root.child("reportId")) {
    out.report_id = Trimmed(root.child("reportId").text().get());
    if (!AllDigits(out.report_id)) {
      return Status::InvalidArgument("the answer's reportId '" + out.report_id.substr(0, 40) +
                                     "' is not a number");
    }
  }
  out.file_id = Trimmed(root.child("fileId").text().get());
  out.hash = Trimmed(root.child("hash").text().get());
  for (pugi::xml_node f : root.child("files").children("fileId")) {
    out.file_ids.push_back(Trimmed(f.text().get()));
  }
  return out;
}

std::string DescribeResponseCode(int64_t code) {
  switch (code) {
    case 0:
      return "success";
    case 1000:
      return "server error";
    case 1100:
      return "save failed";
    case 1110:
      return "upload failed";
    case 1111:
      return "file upload failed";
    case 1210:
      return "resource not found";
    case 1300:
      return "update failed";
    case 2000:
      return "authentication required";
    case 3000:
      return "user is not authorized to perform this action";
    case 3100:
      return "user does not have authorization to make submissions";
    case 3300:
      return "user does not have authorization to make updates";
    case 4000:
      return "invalid request";
    case 4100:
      return "validation failed";
    case 4110:
      return "malformed XML submittal";
    case 4200:
      return "malformed file submittal";
    case 5001:
      return "report does not exist";
    case 5002:
      return "file does not exist";
    case 5101:
      return "report already retracted";
    case 5102:
      return "report already finished";
    default:
      return "unknown response code";
  }
}

bool IsRetryableResponseCode(int64_t code) { return code >= 1000 && code < 2000; }

}  // namespace vigil::report
