// Fuzzes what the CyberTipline sender reads from outside: an answer of NCMEC's reporting API
// (ParseCybertipResponse), and the structural validators run on the XML Vigil sends (given
// any document). Invariants: no crash, no leak, no undefined behaviour; an accepted answer
// has a numeric responseCode and a reportId that is empty or digits; a document a validator
// accepts is accepted again (the validators are pure).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "report/cybertip_response.h"
#include "report/report_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil::report;
  const std::string body(reinterpret_cast<const char*>(data), size);
  auto answer = ParseCybertipResponse(body);
  if (answer.ok()) {
    if (answer.value().response_code < 0) std::abort();
    if (answer.value().report_id.find_first_not_of("0123456789") != std::string::npos) {
      std::abort();
    }
    (void)DescribeResponseCode(answer.value().response_code);
  }
  if (ValidateReportXml(body).ok() && !ValidateReportXml(body).ok()) std::abort();
  if (ValidateFileDetailsXml(body).ok() && !ValidateFileDetailsXml(body).ok()) std::abort();
  return 0;
}
