// Issue 15 item 3: the client of NCMEC's CyberTipline reporting API (docs/cybertipline.md):
// HTTP Basic authentication on every call, over libcurl, one call at a time, no retries of
// its own (the send queue retries: report/report_sender.h).
//
//   POST <base>/submit    the report XML (Content-Type: text/xml)      -> reportResponse
//   POST <base>/upload    multipart/form-data: id=<reportId>, file     -> reportResponse
//   POST <base>/fileinfo  the fileDetails XML (text/xml)               -> reportResponse
//   POST <base>/finish    form: id=<reportId>                          -> reportDoneResponse
//   POST <base>/retract   form: id=<reportId>                          -> reportResponse
//   GET  <base>/status                                                 -> reportResponse
//
// base: https://report.cybertip.org/ispws (production) or https://exttest.cybertip.org/ispws
// (NCMEC's test service); tests use a loopback mock.
#ifndef VIGIL_HOST_REPORT_CYBERTIP_CLIENT_H_
#define VIGIL_HOST_REPORT_CYBERTIP_CLIENT_H_

#include <cstdint>
#include <string>

#include "core/status.h"
#include "report/cybertip_response.h"

namespace vigil::report {

inline constexpr const char* kCybertipProduction = "https://report.cybertip.org/ispws";
inline constexpr const char* kCybertipTest = "https://exttest.cybertip.org/ispws";

// OK for an https:// URL, or an http:// one on the loopback interface (tests); otherwise
// why not.
Status CheckCybertipBaseUrl(const std::string& url);

// What one call came to.
struct CallOutcome {
  bool ok = false;            // HTTP 200 and responseCode 0
  bool retryable = false;     // when !ok: a later attempt may succeed unchanged
  int http_status = 0;        // 0: no HTTP answer
  std::string error;          // when !ok: one line
  CybertipResponse response;  // when the answer parsed
  bool parsed = false;
};

class CybertipClient {
 public:
  // `credentials`: "user:password". REQUIRES: CheckCybertipBaseUrl(base_url).ok().
  CybertipClient(std::string base_url, const std::string& credentials, int64_t timeout_ms = 60000);

  CallOutcome Submit(const std::string& report_xml);
  CallOutcome Upload(const std::string& report_id, const std::string& file_name,
                     const std::string& bytes);
  CallOutcome FileInfo(const std::string& file_details_xml);
  CallOutcome Finish(const std::string& report_id);
  CallOutcome Retract(const std::string& report_id);
  CallOutcome Status();

 private:
  enum class Body { kNone, kXml, kForm, kMultipart };
  CallOutcome Call(const std::string& path, Body kind, const std::string& payload,
                   const std::string& report_id, const std::string& file_name);

  std::string base_url_;
  std::string user_;
  std::string password_;
  int64_t timeout_ms_;
};

}  // namespace vigil::report

#endif  // VIGIL_HOST_REPORT_CYBERTIP_CLIENT_H_
