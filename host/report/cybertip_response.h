// Issue 15 item 3: NCMEC's answers on the CyberTipline reporting API. Every call answers
// an XML document: <reportResponse> (submit, upload, fileinfo, retract, status) or
// <reportDoneResponse> (finish) with a <responseCode> (0: success) and, depending on the
// call, <responseDescription>, <reportId>, <fileId>, <hash> (the MD5 NCMEC computed of an
// uploaded file) and <files><fileId>...</files> (finish). docs/cybertipline.md lists the
// documented codes. The parser reads at most 1 MiB and never throws (fuzzed:
// tests/fuzz/report).
#ifndef VIGIL_HOST_REPORT_CYBERTIP_RESPONSE_H_
#define VIGIL_HOST_REPORT_CYBERTIP_RESPONSE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil::report {

inline constexpr int64_t kResponseSuccess = 0;
inline constexpr int64_t kResponseServerError = 1000;
inline constexpr int64_t kResponseReportDoesNotExist = 5001;
inline constexpr int64_t kResponseReportAlreadyRetracted = 5101;
inline constexpr int64_t kResponseReportAlreadyFinished = 5102;
inline constexpr size_t kMaxResponseBytes = size_t{1} << 20;

struct CybertipResponse {
  std::string root;  // reportResponse or reportDoneResponse
  int64_t response_code = -1;
  std::string description;
  std::string report_id;
  std::string file_id;
  std::string hash;
  std::vector<std::string> file_ids;  // finish: <files><fileId>
};

// The answer, or InvalidArgument saying why it is not one (not XML, another root, no or a
// non-numeric responseCode, a non-numeric reportId, too large).
StatusOr<CybertipResponse> ParseCybertipResponse(std::string_view body);

// The documented meaning of a response code ("unknown response code" otherwise).
std::string DescribeResponseCode(int64_t code);
// Whether a failed answer may succeed later unchanged: the 1xxx server errors.
bool IsRetryableResponseCode(int64_t code);

}  // namespace vigil::report

#endif  // VIGIL_HOST_REPORT_CYBERTIP_RESPONSE_H_
