// Video entries from the field's formats (issue 16 item 2): pytx/HMA vPDQ signal text (the
// current list form and the older object form), HMA lines, ThreatExchange CSV rows and the
// reference per-frame file; bad input of each, and applying imports to a bank's folder.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "vigil/vpdq/video_list_import.h"
#include "vigil/vpdq/video_list_store.h"
#include "vigil/vpdq/vpdq_signal.h"

namespace vigil::vpdq {
namespace {

namespace fs = std::filesystem;

const std::string kHexA = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const std::string kHexB = "30a10efd71cc3d429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af";

// pytx's vpdq_to_json of two frames (json.dumps, "{:.3}" timestamps).
const std::string kSignal = "[\"" + kHexA + ",100,0.0\", \"" + kHexB + ",42,1.23e+03\"]";

TEST(VpdqSignalTest, ReadsPytxListForm) {
  auto frames = ParseVpdqSignal(kSignal);
  ASSERT_TRUE(frames.ok()) << frames.status().message();
  ASSERT_EQ(frames->size(), 2u);
  EXPECT_EQ((*frames)[0].hash.ToHex(), kHexA);
  EXPECT_EQ((*frames)[0].quality, 100);
  EXPECT_EQ((*frames)[0].frame_number, 0);
  EXPECT_EQ((*frames)[1].hash.ToHex(), kHexB);
  EXPECT_EQ((*frames)[1].quality, 42);
  EXPECT_EQ((*frames)[1].frame_number, 1);
  EXPECT_DOUBLE_EQ((*frames)[1].timestamp_seconds, 1230.0);
}

TEST(VpdqSignalTest, WritesWhatPytxWritesAndReadsItBack) {
  std::vector<FrameHash> frames(3);
  frames[0].hash = *pdq::Hash256::FromHex(kHexA);
  frames[0].quality = 100;
  frames[0].timestamp_seconds = 1.0;
  frames[1].hash = *pdq::Hash256::FromHex(kHexB);
  frames[1].quality = 7;
  frames[1].timestamp_seconds = 0.033;
  frames[2] = frames[0];
  frames[2].timestamp_seconds = 1234.5;
  const std::string text = FormatVpdqSignal(frames);
  // Python: f"{1.0:.3}" == "1.0", f"{0.033:.3}" == "0.033", f"{1234.5:.3}" == "1.23e+03".
  EXPECT_EQ(text, "[\"" + kHexA + ",100,1.0\", \"" + kHexB + ",7,0.033\", \"" + kHexA +
                      ",100,1.23e+03\"]");
  auto back = ParseVpdqSignal(text);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[1].hash, frames[1].hash);
  EXPECT_EQ((*back)[2].frame_number, 2);
}

TEST(VpdqSignalTest, ReadsTheOlderObjectFormWithHexOrWords) {
  // OLD_json_to_vpdq: frame number -> {quality, hash, timestamp}; keys in any order.
  const std::string hex = "{\"30\": {\"quality\": 90, \"hash\": \"" + kHexB +
                          "\", \"timestamp\": 1.0}, \"0\": {\"quality\": 100, \"hash\": \"" +
                          kHexA + "\", \"timestamp\": 0.0}}";
  auto frames = ParseVpdqSignal(hex);
  ASSERT_TRUE(frames.ok()) << frames.status().message();
  ASSERT_EQ(frames->size(), 2u);
  EXPECT_EQ((*frames)[0].frame_number, 0);
  EXPECT_EQ((*frames)[0].hash.ToHex(), kHexA);
  EXPECT_EQ((*frames)[1].frame_number, 30);
  EXPECT_EQ((*frames)[1].quality, 90);
  // pytx's test_hash.txt spells the hash as Hash256's 16 words, w[0] the low bits.
  const std::string words =
      "{\"0\": {\"quality\": 100, \"hash\": {\"w\": [64596, 32820, 28068, 11427, 34520, 65353, "
      "6205, 28646, 57607, 4082, 27039, 14395, 53857, 52056, 9913, 58409]}, \"timestamp\": 0.0}}";
  auto w = ParseVpdqSignal(words);
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_EQ((*w)[0].hash.words[0], 64596);
  EXPECT_EQ((*w)[0].hash.words[15], 58409);
  EXPECT_EQ((*w)[0].hash.ToHex().substr(0, 4), "e429");  // 58409 = 0xe429, printed first
}

TEST(VpdqSignalTest, RefusesBadSignalsWithTheFrame) {
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"", "not JSON"},
      {"[]", "no frames"},
      {"{}", "no frames"},
      {"not json", "not JSON"},
      {"42", "neither a list"},
      {"[[[[[\"x\"]]]]]", "nested deeper"},
      {"[1]", "frame 0: not a string"},
      {"[\"" + kHexA + ",100\"]", "frame 0: expected"},
      {"[\"" + kHexA + ",100,0.0,5\"]", "frame 0: expected"},
      {"[\"" + kHexA + ",100,0.0\", \"" + kHexA.substr(1) + ",1,0.0\"]", "frame 1: PDQ hash"},
      {"[\"" + std::string(64, 'g') + ",100,0.0\"]", "PDQ hash"},
      {"[\"" + kHexA + ",101,0.0\"]", "quality \"101\" not in 0..100"},
      {"[\"" + kHexA + ",-1,0.0\"]", "quality"},
      {"[\"" + kHexA + ", 50,0.0\"]", "quality"},
      {"[\"" + kHexA + ",50,-1.0\"]", "timestamp"},
      {"[\"" + kHexA + ",50,nan\"]", "timestamp"},
      {"[\"" + kHexA + ",50,1e999\"]", "timestamp"},
      {"[\"" + kHexA + ",50,\"]", "timestamp"},
      {"{\"x\": {}}", "frame number \"x\""},
      {"{\"0\": {\"quality\": 100, \"timestamp\": 0}}", "hash missing"},
      {"{\"0\": {\"quality\": 100, \"hash\": {\"w\": [1]}, \"timestamp\": 0}}", "hash missing"},
      {"{\"0\": {\"quality\": 100, \"hash\": {\"w\": [70000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}, "
       "\"timestamp\": 0}}",
       "hash word 0"},
      {"{\"0\": {\"quality\": 200, \"hash\": \"" + kHexA + "\", \"timestamp\": 0}}", "quality"},
      {"{\"0\": 5}", "not an object"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseVpdqSignal(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_NE(parsed.status().message().find(c.message), std::string::npos)
        << c.text << " -> " << parsed.status().message();
  }
}

TEST(VpdqSignalTest, RefusesMoreFramesThanAVideoMayHave) {
  std::string text = "[";
  for (size_t i = 0; i <= kMaxSignalFrames; ++i) text += i ? ",\"\"" : "\"\"";
  text += "]";
  auto parsed = ParseVpdqSignal(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("more than"), std::string::npos);
}

TEST(VideoListImportTest, HmaLinesGiveOneVideoEachAndSkipOtherTypes) {
  const std::string text =
      "# exported by HMA\n"
      "vpdq " +
      kSignal +
      "\r\n"
      "\n"
      "pdq " +
      kHexA +
      "\n"
      "vpdq [\"" +
      kHexA +
      ",100,0.0\"]\n"
      "vpdq [\"oops\"]\n"
      "nospace\n";
  auto imported = ParseVideoList(VideoListFormat::kHmaVpdq, text, "");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  ASSERT_EQ(imported->entries.size(), 2u);
  EXPECT_EQ(imported->entries[0].frames.size(), 2u);
  EXPECT_EQ(imported->entries[0].id.substr(0, 5), "vpdq-");
  EXPECT_EQ(imported->entries[0].id.size(), 21u);
  EXPECT_NE(imported->entries[0].id, imported->entries[1].id);
  // The same frames always get the same id.
  EXPECT_EQ(imported->entries[0].id, VideoEntryIdFor(imported->entries[0].frames));
  ASSERT_EQ(imported->problems.size(), 3u);
  EXPECT_TRUE(imported->problems[0].ignored);
  EXPECT_EQ(imported->problems[0].line, 4u);
  EXPECT_FALSE(imported->problems[1].ignored);
  EXPECT_EQ(imported->problems[1].ToString().substr(0, 7), "line 6:");
  EXPECT_EQ(imported->problems[2].line, 7u);
  EXPECT_EQ(imported->error_count(), 2u);
}

// A CSV field holding a signal: quoted, its quotes doubled (RFC 4180).
std::string CsvQuoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

TEST(VideoListImportTest, ThreatExchangeCsvRowsWithIdsDeletionsAndOtherTypes) {
  const std::string text =
      "\xEF\xBB\xBFid,td_raw_indicator,td_indicator_type,td_subjective_tags,should_delete\r\n" +
      std::string("1001,") + CsvQuoted(kSignal) + ",HASH_VIDEO_VPDQ,\"A1,test\",false\r\n" +
      "1002," + kHexA + ",HASH_PDQ,,\r\n" + "1003," + CsvQuoted("[\"bad\"]") + ",VIDEO_VPDQ,,\r\n" +
      "1004,,vpdq,,true\r\n" + "1005," + CsvQuoted("[\"" + kHexB + ",100,0.0\"]") +
      ",vpdq,,maybe\r\n" + "bad id!," + CsvQuoted(kSignal) + ",vpdq,,\r\n";
  auto imported = ParseVideoList(VideoListFormat::kTeCsvVpdq, text, "");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  ASSERT_EQ(imported->entries.size(), 1u);
  EXPECT_EQ(imported->entries[0].id, "1001");
  EXPECT_EQ(imported->entries[0].frames.size(), 2u);
  EXPECT_EQ(imported->deletions, std::vector<std::string>{"1004"});
  ASSERT_EQ(imported->problems.size(), 4u);
  EXPECT_TRUE(imported->problems[0].ignored);  // HASH_PDQ
  EXPECT_EQ(imported->problems[0].line, 3u);
  EXPECT_EQ(imported->problems[1].line, 4u);  // the bad signal
  EXPECT_NE(imported->problems[2].message.find("should_delete"), std::string::npos);
  EXPECT_NE(imported->problems[3].message.find("cannot name a video entry"), std::string::npos);
}

TEST(VideoListImportTest, ThreatExchangeCsvWithoutTypeColumnAndMultilineField) {
  // Without a type column every row is a vPDQ signal; a quoted field may span lines.
  const std::string text = "hash\n\"[\"\"" + kHexA + ",100,0.0\"\",\n \"\"" + kHexB +
                           ",100,1.0\"\"]\"\n" + CsvQuoted("[\"" + kHexB + ",1,0.0\"]") + "\n";
  auto imported = ParseVideoList(VideoListFormat::kTeCsvVpdq, text, "");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  ASSERT_EQ(imported->entries.size(), 2u);
  EXPECT_EQ(imported->entries[0].frames.size(), 2u);
  EXPECT_TRUE(imported->problems.empty());
}

TEST(VideoListImportTest, ThreatExchangeCsvStructuralErrors) {
  auto no_hash = ParseVideoList(VideoListFormat::kTeCsvVpdq, "id,type\n1,vpdq\n", "");
  ASSERT_FALSE(no_hash.ok());
  EXPECT_NE(no_hash.status().message().find("no hash column"), std::string::npos);
  auto unclosed = ParseVideoList(VideoListFormat::kTeCsvVpdq, "hash\n\"[\"\"abc\n\n", "");
  ASSERT_TRUE(unclosed.ok());
  ASSERT_EQ(unclosed->problems.size(), 1u);
  EXPECT_NE(unclosed->problems[0].message.find("not closed"), std::string::npos);
  auto after_quote = ParseVideoList(VideoListFormat::kTeCsvVpdq, "hash\n\"[]\"x\n", "");
  ASSERT_TRUE(after_quote.ok());
  ASSERT_EQ(after_quote->problems.size(), 1u);
  EXPECT_TRUE(after_quote->entries.empty());
  auto empty = ParseVideoList(VideoListFormat::kTeCsvVpdq, "", "");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->entries.empty());
}

TEST(VideoListImportTest, PerFrameFileIsOneVideoNamedByTheFile) {
  const std::string path =
      std::string(VIGIL_TESTDATA) + "/video/vpdq-hashes/doorknob-hd-no-bar.txt";
  ASSERT_TRUE(fs::exists(path)) << "the shared video conformance data is missing: " << path;
  auto imported = ReadVideoListFile(VideoListFormat::kFrames, path);
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  ASSERT_EQ(imported->entries.size(), 1u);
  EXPECT_EQ(imported->entries[0].id, "doorknob-hd-no-bar");
  EXPECT_GT(imported->entries[0].frames.size(), 100u);
  auto bad = ParseVideoList(VideoListFormat::kFrames, "0,100,zz,0.0\n", "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 1"), std::string::npos);
  auto bad_name = ParseVideoList(VideoListFormat::kFrames, "0,100," + kHexA + ",0.000\n", "a b");
  ASSERT_FALSE(bad_name.ok());
  EXPECT_FALSE(ReadVideoListFile(VideoListFormat::kFrames, "/nonexistent/x.vpdq").ok());
}

TEST(VideoListImportTest, FormatNamesAndIds) {
  for (auto f :
       {VideoListFormat::kFrames, VideoListFormat::kHmaVpdq, VideoListFormat::kTeCsvVpdq}) {
    EXPECT_EQ(ParseVideoListFormat(VideoListFormatName(f)), f);
  }
  EXPECT_FALSE(ParseVideoListFormat("hma").has_value());
  EXPECT_TRUE(IsValidVideoEntryId("chair-orig_22.v2"));
  EXPECT_FALSE(IsValidVideoEntryId(""));
  EXPECT_FALSE(IsValidVideoEntryId(".hidden"));
  EXPECT_FALSE(IsValidVideoEntryId("../x"));
  EXPECT_FALSE(IsValidVideoEntryId(std::string(101, 'a')));
}

class VideoListStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vpdq_store_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static VideoEntry Entry(const std::string& id, const std::string& hex) {
    VideoEntry e;
    e.id = id;
    e.frames.resize(1);
    e.frames[0].hash = *pdq::Hash256::FromHex(hex);
    e.frames[0].quality = 100;
    return e;
  }
  std::vector<std::string> Files() const {
    std::vector<std::string> out;
    for (const auto& f : fs::directory_iterator(dir_)) out.push_back(f.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path dir_;
};

TEST_F(VideoListStoreTest, MergeUpdatesDeletesAndReplaceKeepsOnlyTheImport) {
  VideoListImport first;
  first.entries = {Entry("a", kHexA), Entry("b", kHexB)};
  auto s1 = ApplyVideoList(dir_.string(), first, false);
  ASSERT_TRUE(s1.ok()) << s1.status().message();
  EXPECT_EQ(s1->added, 2u);
  EXPECT_EQ(s1->now, 2u);
  EXPECT_EQ(Files(), (std::vector<std::string>{"a.vpdq", "b.vpdq"}));
  auto a = ReadFrameHashesFile((dir_ / "a.vpdq").string());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)[0].hash.ToHex(), kHexA);

  VideoListImport second;
  second.entries = {Entry("a", kHexA), Entry("b", kHexA), Entry("c", kHexB)};
  second.deletions = {"a"};
  auto s2 = ApplyVideoList(dir_.string(), second, false);
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(s2->added, 1u);
  EXPECT_EQ(s2->updated, 1u);
  EXPECT_EQ(s2->deleted, 1u);
  EXPECT_EQ(s2->now, 2u);
  EXPECT_EQ(Files(), (std::vector<std::string>{"b.vpdq", "c.vpdq"}));

  VideoListImport third;
  third.entries = {Entry("c", kHexB), Entry("d", kHexA)};
  auto s3 = ApplyVideoList(dir_.string(), third, true);
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(s3->unchanged, 1u);
  EXPECT_EQ(s3->added, 1u);
  EXPECT_EQ(s3->deleted, 1u);
  EXPECT_EQ(Files(), (std::vector<std::string>{"c.vpdq", "d.vpdq"}));

  VideoListImport hostile;
  hostile.entries = {Entry("../escape", kHexA)};
  EXPECT_FALSE(ApplyVideoList(dir_.string(), hostile, false).ok());
  EXPECT_FALSE(fs::exists(dir_.parent_path() / "escape.vpdq"));
}

}  // namespace
}  // namespace vigil::vpdq
