// Issue 15 item 3: the report and file details XML (documented order and required elements,
// validated before sending) and the parser of NCMEC's answers.
#include "report/report_xml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/cybertip_client.h"
#include "report/cybertip_response.h"

namespace vigil::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ReportDocument Report() {
  ReportDocument r;
  r.incident_date_time = "2026-12-01T10:00:00Z";
  r.reporter = {"Sam", "Reporter", "sam@example.org"};
  r.uploader_id = "user-7";
  r.esp_service = "upload-api";
  r.additional_info = "3 file(s)";
  return r;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(ReportXmlTest, BuiltReportFollowsTheDocumentedOrderAndValidates) {
  const std::string xml = BuildReportXml(Report());
  ASSERT_TRUE(ValidateReportXml(xml).ok()) << ValidateReportXml(xml).message() << xml;
  EXPECT_THAT(xml,
              HasSubstr("xsi:noNamespaceSchemaLocation=\"https://report.cybertip.org/ispws/xsd\""));
  const size_t summary = xml.find("<incidentSummary>");
  const size_t reporter = xml.find("<reporter>");
  const size_t reported = xml.find("<personOrUserReported>");
  const size_t info = xml.find("<additionalInfo>");
  EXPECT_LT(summary, reporter);
  EXPECT_LT(reporter, reported);
  EXPECT_LT(reported, info);
  EXPECT_THAT(xml, HasSubstr("<incidentType>Child Pornography (possession, manufacture, and "
                             "distribution)</incidentType>"));
}

TEST(ReportXmlTest, ValidatorRefusesWhatTheDocumentationDoesNotAllow) {
  const std::string xml = BuildReportXml(Report());
  // The reporter before the summary: out of order.
  const std::string summary =
      xml.substr(xml.find("<incidentSummary>"),
                 xml.find("</incidentSummary>") + 18 - xml.find("<incidentSummary>"));
  std::string reordered = Replace(xml, summary, "");
  reordered = Replace(reordered, "</report>", summary + "</report>");
  EXPECT_THAT(ValidateReportXml(reordered).message(), HasSubstr("out of the documented order"));
  EXPECT_THAT(ValidateReportXml(Replace(xml, "<additionalInfo>", "<comment>")).message(),
              HasSubstr("not well-formed"));
  EXPECT_THAT(
      ValidateReportXml(Replace(xml, "<additionalInfo>3 file(s)</additionalInfo>", "<extra/>"))
          .message(),
      HasSubstr("<extra> is not a documented element of <report>"));
  EXPECT_THAT(ValidateReportXml(Replace(xml, "2026-12-01T10:00:00Z", "yesterday")).message(),
              HasSubstr("not an ISO-8601 time"));
  EXPECT_THAT(ValidateReportXml(Replace(xml, "Child Pornography", "Something")).message(),
              HasSubstr("not a documented incident type"));
  EXPECT_THAT(ValidateReportXml(Replace(xml, "sam@example.org", "sam")).message(),
              HasSubstr("e-mail"));
  EXPECT_THAT(ValidateReportXml("<fileDetails/>").message(), HasSubstr("not <report>"));
  EXPECT_THAT(ValidateReportXml("<report><reporter/>").message(), HasSubstr("not well-formed"));
  EXPECT_THAT(
      ValidateReportXml("<report><reporter><reportingPerson/></reporter></report>").message(),
      HasSubstr("lacks the required <incidentSummary>"));
}

TEST(ReportXmlTest, FileDetailsCarryViewedByEspAndHashesInOrder) {
  FileDetailsDocument d;
  d.report_id = "4564654";
  d.file_id = "b0754af766b426f2928a02c651ed4b99";
  d.original_name = "a & b.jpg";
  d.viewed_by_esp = false;
  d.classification = "A1";
  d.md5 = "e86fdc2283aff4179685f2a918a769eb";
  d.sha256 = std::string(64, 'a');
  d.upload_time = "2026-12-01T10:00:00Z";
  const std::string xml = BuildFileDetailsXml(d);
  ASSERT_TRUE(ValidateFileDetailsXml(xml).ok()) << ValidateFileDetailsXml(xml).message();
  EXPECT_THAT(xml, HasSubstr("<fileViewedByEsp>false</fileViewedByEsp>"));
  EXPECT_THAT(xml, HasSubstr("<originalFileName>a &amp; b.jpg</originalFileName>"));
  EXPECT_THAT(xml,
              HasSubstr("<originalFileHash hashType=\"MD5\">e86fdc2283aff4179685f2a918a769eb"));
  EXPECT_LT(xml.find("<reportId>"), xml.find("<fileId>"));
  EXPECT_LT(xml.find("<fileViewedByEsp>"), xml.find("<industryClassification>"));
  EXPECT_LT(xml.find("<originalFileHash"), xml.find("<details"));
  d.viewed_by_esp = true;
  EXPECT_THAT(BuildFileDetailsXml(d), HasSubstr("<fileViewedByEsp>true</fileViewedByEsp>"));

  EXPECT_THAT(ValidateFileDetailsXml(Replace(xml, ">false<", ">maybe<")).message(),
              HasSubstr("not true or false"));
  EXPECT_THAT(ValidateFileDetailsXml(Replace(xml, ">4564654<", ">r1<")).message(),
              HasSubstr("is not a number"));
  EXPECT_THAT(ValidateFileDetailsXml(Replace(xml, ">A1<", ">C3<")).message(),
              HasSubstr("not A1, A2, B1 or B2"));
  EXPECT_THAT(
      ValidateFileDetailsXml(Replace(xml, "e86fdc2283aff4179685f2a918a769eb", "xyz")).message(),
      HasSubstr("not a documented hash"));
  const std::string no_file = Replace(xml, "<fileId>b0754af766b426f2928a02c651ed4b99</fileId>", "");
  EXPECT_THAT(ValidateFileDetailsXml(no_file).message(), HasSubstr("lacks the required <fileId>"));
}

TEST(CybertipResponseTest, ParsesTheDocumentedAnswers) {
  auto submit = ParseCybertipResponse(
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><reportResponse>"
      "<responseCode>0</responseCode><responseDescription>Success</responseDescription>"
      "<reportId>4564654</reportId></reportResponse>");
  ASSERT_TRUE(submit.ok()) << submit.status().message();
  EXPECT_EQ(submit.value().response_code, 0);
  EXPECT_EQ(submit.value().report_id, "4564654");
  auto upload = ParseCybertipResponse(
      "<reportResponse><responseCode>0</responseCode><responseDescription>Success"
      "</responseDescription><reportId>4564654</reportId><fileId>b0754af766b426f2928a02c651ed4b99"
      "</fileId><hash>fafa5efeaf3cbe3b23b2748d13e629a1</hash></reportResponse>");
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ(upload.value().file_id, "b0754af766b426f2928a02c651ed4b99");
  EXPECT_EQ(upload.value().hash, "fafa5efeaf3cbe3b23b2748d13e629a1");
  auto finish = ParseCybertipResponse(
      "<reportDoneResponse><responseCode>0</responseCode><reportId>4564654</reportId><files>"
      "<fileId>f1</fileId><fileId>f2</fileId></files></reportDoneResponse>");
  ASSERT_TRUE(finish.ok());
  EXPECT_THAT(finish.value().file_ids, ElementsAre("f1", "f2"));
  auto finished = ParseCybertipResponse(
      "<reportResponse><responseCode>5102</responseCode><responseDescription>Report already "
      "finished</responseDescription></reportResponse>");
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(finished.value().response_code, kResponseReportAlreadyFinished);
  EXPECT_EQ(DescribeResponseCode(5102), "report already finished");
  EXPECT_TRUE(IsRetryableResponseCode(1000));
  EXPECT_FALSE(IsRetryableResponseCode(4100));
}

TEST(CybertipResponseTest, RefusesWhatIsNotAnAnswer) {
  EXPECT_THAT(ParseCybertipResponse("").status().message(), HasSubstr("not XML"));
  EXPECT_THAT(ParseCybertipResponse("<reportResponse><responseCode>0").status().message(),
              HasSubstr("not XML"));
  EXPECT_THAT(ParseCybertipResponse("<wrongRoot><responseCode>0</responseCode></wrongRoot>")
                  .status()
                  .message(),
              HasSubstr("not <reportResponse>"));
  EXPECT_THAT(ParseCybertipResponse("<reportResponse><reportId>1</reportId></reportResponse>")
                  .status()
                  .message(),
              HasSubstr("no responseCode"));
  EXPECT_THAT(
      ParseCybertipResponse("<reportResponse><responseCode>invalid</responseCode></reportResponse>")
          .status()
          .message(),
      HasSubstr("is not a number"));
  EXPECT_THAT(ParseCybertipResponse("<reportResponse><responseCode>0</responseCode><reportId>x"
                                    "</reportId></reportResponse>")
                  .status()
                  .message(),
              HasSubstr("reportId 'x' is not a number"));
  EXPECT_THAT(ParseCybertipResponse(std::string(kMaxResponseBytes + 1, ' ')).status().message(),
              HasSubstr("larger than 1 MiB"));
}

TEST(CybertipClientTest, EndpointsAreHttpsOrLoopback) {
  EXPECT_TRUE(CheckCybertipBaseUrl(kCybertipProduction).ok());
  EXPECT_TRUE(CheckCybertipBaseUrl(kCybertipTest).ok());
  EXPECT_TRUE(CheckCybertipBaseUrl("http://127.0.0.1:8080/ispws").ok());
  EXPECT_FALSE(CheckCybertipBaseUrl("http://report.cybertip.org/ispws").ok());
  EXPECT_FALSE(CheckCybertipBaseUrl("http://127.0.0.1.evil.example/ispws").ok());
  EXPECT_FALSE(CheckCybertipBaseUrl("ftp://x").ok());
}

}  // namespace
}  // namespace vigil::report
