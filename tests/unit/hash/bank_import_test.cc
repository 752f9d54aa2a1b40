// Importers: the real NCMEC and StopNCII samples, the sample lists in samples/lists, and
// malformed, truncated and hostile input in every format.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "bank_test_util.h"
#include "vigil/hashbank/bank_update.h"
#include "vigil/hashbank/importers.h"

namespace vigil::hashbank {
namespace {

using ::testing::HasSubstr;
using testing::ReadSourceFile;
using testing::ReadTestData;

constexpr char kBridgePdq[] = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";

ImportOptions Refuse() {
  ImportOptions o;
  o.policy = BadRecordPolicy::kRefuse;
  return o;
}

std::vector<std::string> Hexes(const ImportResult& r) {
  std::vector<std::string> out;
  for (const Entry& e : r.entries)
    out.push_back(std::string(SignalTypeName(e.value.type)) + ":" + e.value.ToHex());
  return out;
}

const ImportProblem* FirstError(const ImportResult& r) {
  for (const ImportProblem& p : r.problems) {
    if (p.kind == ImportProblem::Kind::kError) return &p;
  }
  return nullptr;
}

// [SECTION] NCMEC XML, real samples

TEST(NcmecXmlTest, EntriesXmlImportsFingerprintsCategoriesAndDeletions) {
  const std::string xml = ReadTestData("formats/ncmec/entries_xml.xml");
  Result<ImportResult> r = ImportNcmecXml(xml, Refuse());
  ASSERT_TRUE(r.ok()) << r.status().message();
  // image1: md5 + sha1 (pdna ignored); video1: md5 + sha1.
  EXPECT_THAT(Hexes(r.value()),
              ::testing::ElementsAre("md5:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
                                     "sha1:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
                                     "md5:b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1",
                                     "sha1:b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"));
  const Entry& first = r->entries[0];
  EXPECT_EQ(first.category, "A1");
  EXPECT_EQ(first.severity, 5);
  EXPECT_EQ(first.source, "ncmec");
  EXPECT_EQ(first.external_id, "42-image1");
  EXPECT_EQ(first.added_unix, 1508857200);  // 2017-10-24T15:00:00Z
  EXPECT_EQ(r->entries[2].category, "");    // video1 has no classification
  ASSERT_EQ(r->deletions.size(), 2u);
  EXPECT_EQ(r->deletions[0].external_id, "43-image4");
  EXPECT_EQ(r->deletions[1].external_id, "42-video4");
  // The PhotoDNA fingerprint is reported as ignored, with its line.
  ASSERT_EQ(r->error_count(), 0u);
  ASSERT_GE(r->ignored_count(), 1u);
  EXPECT_EQ(r->problems[0].line, 12u);
  EXPECT_THAT(r->problems[0].message, HasSubstr("pdna"));
}

TEST(NcmecXmlTest, EveryEntriesSampleImportsWithoutErrors) {
  for (const char* name :
       {"entries_xml.xml", "entries_xml2.xml", "entries_xml3.xml", "entries_xml4.xml",
        "entries_large_fingerprints.xml", "entries_no_data_xml.xml"}) {
    Result<ImportResult> r =
        ImportNcmecXml(ReadTestData(std::string("formats/ncmec/") + name), Refuse());
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().message();
  }
  Result<ImportResult> large =
      ImportNcmecXml(ReadTestData("formats/ncmec/entries_large_fingerprints.xml"), Refuse());
  ASSERT_TRUE(large.ok());
  ASSERT_EQ(large->entries.size(), 1u);  // the md5; tmk-pdqf and videntifier are ignored
  EXPECT_EQ(large->entries[0].category, "A2");
  EXPECT_EQ(large->ignored_count(), 2u);
  Result<ImportResult> none =
      ImportNcmecXml(ReadTestData("formats/ncmec/entries_no_data_xml.xml"), Refuse());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->entries.empty());
}

TEST(NcmecXmlTest, OtherEndpointDocumentsAreRefusedAsNotEntries) {
  for (const char* name :
       {"status_xml.xml", "affirmative_feedback_xml.xml", "negative_feedback_xml.xml",
        "feedback_reasons_xml.xml", "update_feedback_result_xml.xml"}) {
    Result<ImportResult> r =
        ImportNcmecXml(ReadTestData(std::string("formats/ncmec/") + name), ImportOptions{});
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_THAT(r.status().message(), HasSubstr("not an entries document")) << name;
  }
}

TEST(NcmecXmlTest, BadFingerprintRejectsTheWholeRecordWithItsLine) {
  std::string xml = ReadTestData("formats/ncmec/entries_xml.xml");
  const size_t at = xml.find("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1</md5>");
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, 2, "zz");
  Result<ImportResult> skip = ImportNcmecXml(xml, ImportOptions{});
  ASSERT_TRUE(skip.ok());
  EXPECT_THAT(Hexes(skip.value()),
              ::testing::ElementsAre("md5:b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1",
                                     "sha1:b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1"));
  const ImportProblem* err = FirstError(skip.value());
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->line, 10u);
  EXPECT_EQ(err->record, 1u);
  Result<ImportResult> refused = ImportNcmecXml(xml, Refuse());
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("line 10"));
  EXPECT_THAT(refused.status().message(), HasSubstr("nothing was imported"));
}

TEST(NcmecXmlTest, TruncatedAndMalformedXmlIsRefusedWithALine) {
  const std::string xml = ReadTestData("formats/ncmec/entries_xml.xml");
  for (size_t cut : {size_t{0}, size_t{10}, xml.size() / 3, xml.size() / 2, xml.size() - 20}) {
    Result<ImportResult> r = ImportNcmecXml(xml.substr(0, cut), ImportOptions{});
    EXPECT_FALSE(r.ok()) << "cut at " << cut;
  }
  Result<ImportResult> r =
      ImportNcmecXml("<queryResult>\n<images>\n<image></images>", ImportOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("line 3"));
}

TEST(NcmecXmlTest, EntityExpansionAndExternalEntitiesAreNotFollowed) {
  std::string bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE queryResult [\n <!ENTITY lol \"lol\">\n";
  for (int i = 1; i < 10; ++i) {
    bomb += " <!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j)
      bomb += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    bomb += "\">\n";
  }
  bomb +=
      " <!ENTITY ext SYSTEM \"file:///etc/passwd\">\n]>\n"
      "<queryResult><images><image><id>x</id><fingerprints><md5>&lol9;</md5><sha1>&ext;</sha1>"
      "</fingerprints></image></images></queryResult>";
  Result<ImportResult> r = ImportNcmecXml(bomb, ImportOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->entries.empty());
  const ImportProblem* err = FirstError(r.value());
  ASSERT_NE(err, nullptr);
  EXPECT_THAT(err->message, HasSubstr("&lol9;"));  // left literal, not expanded
  for (const ImportProblem& p : r->problems)
    EXPECT_THAT(p.message, ::testing::Not(HasSubstr("root:")));
}

TEST(NcmecXmlTest, DeepNestingDoesNotCrash) {
  std::string deep = "<queryResult><images>";
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  for (int i = 0; i < 100000; ++i) deep += "</a>";
  deep += "</images></queryResult>";
  Result<ImportResult> r = ImportNcmecXml(deep, ImportOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->entries.empty());
  EXPECT_GE(r->ignored_count(), 1u);
}

// [SECTION] StopNCII JSON, real samples

TEST(StopNciiJsonTest, FetchHashesPagesImport) {
  Result<ImportResult> one =
      ImportStopNciiJson(ReadTestData("formats/stopncii/fetch_hashes_1.json"), Refuse());
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_THAT(Hexes(one.value()),
              ::testing::ElementsAre(
                  "pdq:9def0b7dafa86a1c90f2abd78e79ceb25ec3d1a4b3d4bc7a4354baf7717ea038"));
  EXPECT_EQ(one->entries[0].source, "stopncii");
  EXPECT_EQ(one->entries[0].category, "NCII");
  EXPECT_EQ(one->entries[0].added_unix, 1625175071);
  Result<ImportResult> two =
      ImportStopNciiJson(ReadTestData("formats/stopncii/fetch_hashes_2.json"), Refuse());
  ASSERT_TRUE(two.ok()) << two.status().message();
  EXPECT_EQ(two->entries.size(), 2u);
}

// Issue 15 item 2: a StopNCII entry's external id is its hash value, so a detection's entry_id
// names the hash StopNCII's feedback is about; a value mentioned twice in one document keeps
// only the later snapshot (as a later document's mention would replace it).
TEST(StopNciiJsonTest, EntriesCarryTheirHashValueAsIdAndALaterMentionReplacesAnEarlierOne) {
  Result<ImportResult> one =
      ImportStopNciiJson(ReadTestData("formats/stopncii/fetch_hashes_1.json"), Refuse());
  ASSERT_TRUE(one.ok()) << one.status().message();
  ASSERT_EQ(one->entries.size(), 1u);
  EXPECT_EQ(one->entries[0].external_id,
            "9def0b7dafa86a1c90f2abd78e79ceb25ec3d1a4b3d4bc7a4354baf7717ea038");
  EXPECT_TRUE(one->deletions.empty());

  const std::string record = R"({"hashValue": " )" + std::string(kBridgePdq) +
                             R"( ", "signalType": "ImagePDQ", "hashStatus": "Active", )";
  const std::string json = R"({"hashRecords": [)" + record + R"("lastModtimestamp": 100},)" +
                           record + R"("lastModtimestamp": 200}]})";
  Result<ImportResult> twice = ImportStopNciiJson(json, Refuse());
  ASSERT_TRUE(twice.ok()) << twice.status().message();
  std::vector<Entry> bank;
  ApplyImport(bank, twice.value());
  ASSERT_EQ(bank.size(), 1u);
  EXPECT_EQ(bank[0].external_id, kBridgePdq);  // trimmed
  EXPECT_EQ(bank[0].added_unix, 200);
  // Synced again (a later page): still one entry, replaced.
  ApplyImport(bank, twice.value());
  EXPECT_EQ(bank.size(), 1u);
}

TEST(StopNciiJsonTest, UnknownEnumsAreRejectedByDefaultAndMappedOnRequest) {
  const std::string json = ReadTestData("formats/stopncii/fetch_hashes_error_enum_3.json");
  Result<ImportResult> skip = ImportStopNciiJson(json, ImportOptions{});
  ASSERT_TRUE(skip.ok());
  EXPECT_EQ(skip->entries.size(), 1u);  // as pytx: only the record with known enums
  EXPECT_EQ(skip->error_count(), 2u);
  const ImportProblem* err = FirstError(skip.value());
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->record, 2u);
  EXPECT_EQ(err->line, 26u);
  EXPECT_THAT(err->message, HasSubstr("RandomFeedbackValue"));
  Result<ImportResult> refused = ImportStopNciiJson(json, Refuse());
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("2 bad records"));
  ImportOptions map;
  map.unknown_enums = UnknownEnumPolicy::kMapAndWarn;
  map.policy = BadRecordPolicy::kRefuse;
  Result<ImportResult> mapped = ImportStopNciiJson(json, map);
  ASSERT_TRUE(mapped.ok()) << mapped.status().message();
  EXPECT_EQ(mapped->entries.size(), 3u);
  EXPECT_EQ(mapped->ignored_count(), 2u);
}

TEST(StopNciiJsonTest, WithdrawnHashesBecomeDeletionsAndOtherSignalsAreIgnored) {
  const std::string json =
      R"({"hashRecords": [
    {"hashValue": ")" +
      std::string(kBridgePdq) +
      R"(", "signalType": "ImagePDQ", "hashStatus": "Withdrawn", "caseNumbers": []},
    {"hashValue": "abc", "signalType": "VideoTMK", "hashStatus": "Active"},
    {"hashValue": "abc", "signalType": "Hologram", "hashStatus": "Active"},
    {"hashValue": "abc", "signalType": "ImagePDQ", "hashStatus": "Active", "caseNumbers": ["not-a-mapping"]}
  ]})";
  Result<ImportResult> r = ImportStopNciiJson(json, ImportOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->deletions.size(), 1u);
  EXPECT_TRUE(r->deletions[0].has_value);
  EXPECT_EQ(r->deletions[0].value.ToHex(), kBridgePdq);
  EXPECT_EQ(r->ignored_count(), 1u);
  EXPECT_EQ(r->error_count(), 2u);
}

TEST(StopNciiJsonTest, HostileJsonIsRefused) {
  std::string deep(100000, '[');
  Result<ImportResult> r = ImportStopNciiJson(deep, ImportOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("nested deeper"));
  const std::string json = ReadTestData("formats/stopncii/fetch_hashes_2.json");
  Result<ImportResult> truncated =
      ImportStopNciiJson(json.substr(0, json.size() / 2), ImportOptions{});
  ASSERT_FALSE(truncated.ok());
  EXPECT_THAT(truncated.status().message(), HasSubstr("line "));
  EXPECT_FALSE(ImportStopNciiJson("[]", ImportOptions{}).ok());
  EXPECT_FALSE(ImportStopNciiJson("{\"hashRecords\": 5}", ImportOptions{}).ok());
  EXPECT_FALSE(ImportStopNciiJson("", ImportOptions{}).ok());
  ImportOptions small;
  small.max_document_bytes = 100;
  EXPECT_THAT(ImportStopNciiJson(json, small).status().message(), HasSubstr("limit"));
}

// [SECTION] HMA / pytx local file

TEST(HmaTest, TypedLinesUntypedLinesCommentsAndCrlf) {
  const std::string text = std::string("# comment\r\npdq ") + kBridgePdq +
                           "\r\n\r\nmd5 d35c785545392755e7e4164457657269\n" + kBridgePdq + "\n";
  Result<ImportResult> untyped = ImportHma(text, ImportOptions{});
  ASSERT_TRUE(untyped.ok());
  EXPECT_EQ(untyped->entries.size(), 2u);
  ASSERT_EQ(untyped->error_count(), 1u);
  EXPECT_EQ(untyped->problems[0].line, 5u);
  EXPECT_THAT(untyped->problems[0].message, HasSubstr("no signal type"));
  ImportOptions typed;
  typed.signal_type = SignalType::kPdq;
  typed.policy = BadRecordPolicy::kRefuse;
  Result<ImportResult> r = ImportHma(text, typed);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->entries.size(), 2u);  // the md5 line is skipped as another type
  EXPECT_EQ(r->ignored_count(), 1u);
}

TEST(HmaTest, BadLinesAreReportedWithLineNumbers) {
  const std::string huge(1 << 20, 'f');
  const std::string text = std::string("pdq ") + kBridgePdq + "\n" +        // 1 ok
                           "pdq " + std::string(63, 'a') + "\n" +           // 2 short
                           "sha1 " + std::string(40, 'x') + "\n" +          // 3 not hex
                           "photodna 1234\n" +                              // 4 unknown type
                           "pdq " + huge + "\n" +                           // 5 huge
                           "md5 d35c785545392755e7e4164457657269 extra\n";  // 6 extra field
  Result<ImportResult> r = ImportHma(text, ImportOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->entries.size(), 1u);
  ASSERT_EQ(r->error_count(), 5u);
  std::vector<size_t> lines;
  for (const ImportProblem& p : r->problems) lines.push_back(p.line);
  EXPECT_THAT(lines, ::testing::ElementsAre(2, 3, 4, 5, 6));
  EXPECT_THAT(r->problems[1].message, HasSubstr("non-hex character 'x'"));
  EXPECT_LT(r->problems[3].message.size(), 200u);  // the huge value is not echoed back
  Result<ImportResult> refused = ImportHma(text, Refuse());
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("line 2"));
}

TEST(HmaTest, ProblemListIsBoundedForHostileInput) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "pdq nothex\n";
  ImportOptions o;
  o.max_reported_problems = 100;
  Result<ImportResult> r = ImportHma(text, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->problems.size(), 101u);
  EXPECT_THAT(r->problems.back().message, HasSubstr("4900 more errors"));
}

// [SECTION] ThreatExchange CSV

TEST(TeCsvTest, UiExportColumnsTagsSeverityAndQuotedFields) {
  const std::string csv =
      "td_raw_indicator,td_indicator_type,td_subjective_tags,td_severity,td_description,id,added_"
      "on\n" +
      std::string(kBridgePdq) +
      ",HASH_PDQ,\"pwny;A2\",SEVERE,\"a \"\"quoted\"\",\nmultiline "
      "description\",123,2020-07-01T18:31:15+0000\n" +
      "d35c785545392755e7e4164457657269,HASH_MD5,testing,INFO,plain,124,\n";
  Result<ImportResult> r = ImportTeCsv(csv, Refuse());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->entries.size(), 2u);
  EXPECT_EQ(r->entries[0].category, "A2");
  EXPECT_EQ(r->entries[0].severity, 4);
  EXPECT_EQ(r->entries[0].external_id, "123");
  EXPECT_EQ(r->entries[0].added_unix, 1593628275);
  EXPECT_EQ(r->entries[1].category, "testing");
  EXPECT_EQ(r->entries[1].severity, 1);
}

TEST(TeCsvTest, ShouldDeleteRowsBecomeDeletions) {
  const std::string csv = "id,indicator,type,should_delete\n1," + std::string(kBridgePdq) +
                          ",HASH_PDQ,false\n2," + kBridgePdq + ",HASH_PDQ,true\n3,,HASH_PDQ,true\n";
  Result<ImportResult> r = ImportTeCsv(csv, Refuse());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->entries.size(), 1u);
  ASSERT_EQ(r->deletions.size(), 2u);
  EXPECT_TRUE(r->deletions[0].has_value);
  EXPECT_EQ(r->deletions[1].external_id, "3");
  ASSERT_EQ(r->ops.size(), 3u);
  EXPECT_EQ(r->ops[1].kind, ImportOp::Kind::kDelete);
}

TEST(TeCsvTest, MalformedRowsNameTheirStartingLine) {
  const std::string csv = "hash,type,should_delete\n" + std::string(kBridgePdq) +
                          ",HASH_PDQ,false\n" +                            // line 2 ok
                          "abc,HASH_PDQ,false\n" +                         // line 3 short
                          std::string(kBridgePdq) + ",HASH_PDQ\n" +        // line 4 field count
                          std::string(kBridgePdq) + ",URI,false\n" +       // line 5 type
                          std::string(kBridgePdq) + ",HASH_PDQ,maybe\n" +  // line 6 bool
                          "\"unterminated," + kBridgePdq + ",HASH_PDQ,false\n";  // line 7 quote
  Result<ImportResult> r = ImportTeCsv(csv, ImportOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->entries.size(), 1u);
  std::vector<size_t> lines;
  for (const ImportProblem& p : r->problems) lines.push_back(p.line);
  EXPECT_THAT(lines, ::testing::ElementsAre(3, 4, 5, 6, 7));
  EXPECT_FALSE(ImportTeCsv(csv, Refuse()).ok());
}

TEST(TeCsvTest, HeaderWithoutHashColumnIsRefused) {
  EXPECT_THAT(ImportTeCsv("a,b\n1,2\n", ImportOptions{}).status().message(),
              HasSubstr("no hash column"));
  EXPECT_FALSE(ImportTeCsv("", ImportOptions{}).ok());
  EXPECT_THAT(ImportTeCsv("hash\nabc\n", ImportOptions{}).status().message(),
              HasSubstr("no type column"));
}

// [SECTION] VICS JSON subset

TEST(VicsJsonTest, ValueArrayAndNestedMedia) {
  const std::string json = R"({"odata.metadata": "x", "value": [
      {"MediaID": 7, "Category": 1, "MD5": "D35C785545392755E7E4164457657269", "Extra": {"a": [1]}},
      {"CaseID": 1, "Media": [{"MediaID": "m8", "Category": "B1", "SHA1": "ea45d7166b30f98aac6af52f952193ce3083cb4c"}]},
      {"MediaID": 9, "MD5": "nothex"},
      {"MediaID": 10}
  ]})";
  Result<ImportResult> r = ImportVicsJson(json, ImportOptions{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->entries.size(), 2u);
  EXPECT_EQ(r->entries[0].category, "VICS 1");
  EXPECT_EQ(r->entries[0].external_id, "7");
  EXPECT_EQ(r->entries[1].category, "B1");
  EXPECT_EQ(r->entries[1].severity, 4);
  ASSERT_EQ(r->error_count(), 2u);
  EXPECT_EQ(r->problems[0].line, 4u);
  EXPECT_EQ(r->problems[1].line, 5u);
  EXPECT_FALSE(ImportVicsJson(json, Refuse()).ok());
  EXPECT_FALSE(ImportVicsJson(R"({"values": []})", ImportOptions{}).ok());
}

// [SECTION] the sample lists in samples/lists

TEST(SampleListsTest, EverySampleImportsWithoutErrorsAndHoldsTheBridgeHashes) {
  struct Sample {
    const char* file;
    ImportFormat format;
    size_t entries;
  } samples[] = {{"demo.hma.txt", ImportFormat::kHma, 4},
                 {"demo.te.csv", ImportFormat::kTeCsv, 3},
                 {"demo.ncmec.xml", ImportFormat::kNcmecXml, 4},
                 {"demo.stopncii.json", ImportFormat::kStopNciiJson, 2},
                 {"demo.vics.json", ImportFormat::kVicsJson, 5}};
  for (const Sample& s : samples) {
    const std::string text = ReadSourceFile(std::string("samples/lists/") + s.file);
    EXPECT_NE(text.find("TEST DATA"), std::string::npos) << s.file << " must say it is test data";
    Result<ImportResult> r = ImportDocument(s.format, text, Refuse());
    ASSERT_TRUE(r.ok()) << s.file << ": " << r.status().message();
    EXPECT_EQ(r->entries.size(), s.entries) << s.file;
    EXPECT_EQ(r->error_count(), 0u) << s.file;
  }
}

}  // namespace
}  // namespace vigil::hashbank

namespace vigil::hashbank {
namespace {

TEST(ImportFileTest, ReadsFilesAndRefusesWhatIsNotARegularFileOrTooLarge) {
  const std::string samples = std::string(VIGIL_SOURCE_DIR) + "/samples/lists/";
  Result<ImportResult> ok = ImportFile(ImportFormat::kNcmecXml, samples + "demo.ncmec.xml", {});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->entries.size(), 4u);
  EXPECT_EQ(ok->deletions.size(), 1u);
  Result<ImportResult> missing = ImportFile(ImportFormat::kHma, samples + "absent.txt", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(ImportFile(ImportFormat::kHma, samples, {}).ok());  // a directory
  ImportOptions small;
  small.max_document_bytes = 16;
  Result<ImportResult> big = ImportFile(ImportFormat::kHma, samples + "demo.hma.txt", small);
  ASSERT_FALSE(big.ok());
  EXPECT_THAT(big.status().message(), ::testing::HasSubstr("limit"));
  EXPECT_EQ(ParseImportFormat("te-csv"), ImportFormat::kTeCsv);
  EXPECT_EQ(ParseImportFormat("csv"), std::nullopt);
  for (ImportFormat f : {ImportFormat::kHma, ImportFormat::kTeCsv, ImportFormat::kNcmecXml,
                         ImportFormat::kStopNciiJson, ImportFormat::kVicsJson}) {
    EXPECT_EQ(ParseImportFormat(ImportFormatName(f)), f);
  }
}

}  // namespace
}  // namespace vigil::hashbank
