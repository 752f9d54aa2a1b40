// `vigil video hash|match` (issue 16): the reference per-frame format on stdout, sampling
// flags, JSON, one-line errors for bad videos and bad flags, matching with both shares and
// time ranges, and a re-encoded 10-second excerpt found in the full clip at its seconds.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_runner.h"

namespace vigil::testing {
namespace {

class CliVideoTest : public CliFixture {
 protected:
  std::string Clip(const std::string& name) const {
    return (testdata_ / "video" / "videos" / (name + ".mp4")).string();
  }
  std::string Reference(const std::string& name) const {
    return (testdata_ / "video" / "vpdq-hashes" / (name + ".txt")).string();
  }
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

int HexDistance(const std::string& a, const std::string& b) {
  int d = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    d += __builtin_popcount(std::stoi(a.substr(i, 1), nullptr, 16) ^
                            std::stoi(b.substr(i, 1), nullptr, 16));
  }
  return d;
}

TEST_F(CliVideoTest, HashEveryFramePrintsTheReferenceFormat) {
  auto r = Run(Vigil() + " video hash --every-frame " + Clip("pattern-sd-grey-bar"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto ours = Lines(r.out);
  auto theirs = Lines(Slurp(Reference("pattern-sd-grey-bar")));
  ASSERT_EQ(ours.size(), theirs.size());
  ASSERT_EQ(ours.size(), 206u);
  for (size_t i = 0; i < ours.size(); ++i) {
    // frame,quality,hex,timestamp: the frame number and timestamp text are the reference's;
    // the hash is within the reference's regression tolerance.
    auto a = ours[i], b = theirs[i];
    ASSERT_EQ(std::count(a.begin(), a.end(), ','), 3) << a;
    EXPECT_EQ(a.substr(0, a.find(',')), b.substr(0, b.find(',')));
    EXPECT_EQ(a.substr(a.rfind(',')), b.substr(b.rfind(',')));
    std::string ha = a.substr(a.find(',', a.find(',') + 1) + 1, 64);
    std::string hb = b.substr(b.find(',', b.find(',') + 1) + 1, 64);
    EXPECT_LT(HexDistance(ha, hb), 10) << "line " << i + 1;
  }
}

TEST_F(CliVideoTest, HashSamplesOneFramePerSecondByDefault) {
  auto r = Run(Vigil() + " video hash " + Clip("doorknob-hd-no-bar"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u);  // 120 frames at 30 frames/s: 0, 30, 60, 90
  EXPECT_EQ(lines[1].substr(0, 3), "30,");
  EXPECT_EQ(lines[1].substr(lines[1].rfind(',')), ",1.000");
  auto two = Run(Vigil() + " video hash --fps 2 " + Clip("doorknob-hd-no-bar"));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(Lines(two.out).size(), 8u);
}

TEST_F(CliVideoTest, HashJson) {
  auto r = Run(Vigil() + " video hash --json " + Clip("doorknob-hd-no-bar"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["width"], 1280);
  EXPECT_EQ(j["height"], 720);
  EXPECT_EQ(j["frame_rate"], 30.0);
  EXPECT_EQ(j["sampling"]["every_frame"], false);
  EXPECT_EQ(j["frames_decoded"], 120);
  ASSERT_EQ(j["frames"].size(), 4u);
  EXPECT_EQ(j["frames"][3]["frame_number"], 90);
  EXPECT_EQ(j["frames"][3]["timestamp_seconds"], 3.0);
  EXPECT_EQ(j["frames"][3]["pdq"].get<std::string>().size(), 64u);
}

TEST_F(CliVideoTest, BadVideosAndFlagsAreOneLineErrors) {
  std::ofstream(dir_ / "empty.mp4").close();
  std::string whole = Slurp(Clip("chair-19-sd-bar"));
  ASSERT_GT(whole.size(), 100000u);
  std::ofstream(dir_ / "cut.mp4", std::ios::binary) << whole.substr(0, 100000);
  struct Case {
    std::string args;
    std::string expect;
  };
  const Case cases[] = {
      {"video hash " + (dir_ / "empty.mp4").string(), "0 bytes"},
      {"video hash " + (dir_ / "cut.mp4").string(), "truncated"},
      {"video hash " + (dir_ / "missing.mp4").string(), "cannot open"},
      {"video hash " + Reference("doorknob-hd-no-bar"), "vPDQ text"},
      {"video hash --fps 0 " + Clip("doorknob-hd-no-bar"), "--fps"},
      {"video hash --fps 2 --every-frame " + Clip("doorknob-hd-no-bar"), "excludes"},
      {"video match --distance 257 " + Clip("doorknob-hd-no-bar") + " " +
           Clip("doorknob-hd-no-bar"),
       "--distance"},
      {"video match " + Clip("doorknob-hd-no-bar") + " " + (dir_ / "empty.mp4").string(),
       "0 bytes"},
  };
  for (const Case& c : cases) {
    auto r = Run(Vigil() + " " + c.args);
    EXPECT_NE(r.exit_code, 0) << c.args;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << c.args;
  }
}

TEST_F(CliVideoTest, MatchPrintsBothSharesAndRanges) {
  auto r = Run(Vigil() + " video match --json " + Clip("chair-19-sd-bar") + " " +
               Clip("chair-20-sd-bar"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["query"]["matched_percent"].get<double>(), 95.0);
  EXPECT_GE(j["compared"]["matched_percent"].get<double>(), 80.0);
  EXPECT_EQ(j["matched"], true);
  ASSERT_EQ(j["query"]["ranges"].size(), 1u);
  ASSERT_EQ(j["compared"]["ranges"].size(), 1u);
  // chair-19 is chair-20 without its first 1.6 s.
  EXPECT_NEAR(j["compared"]["ranges"][0]["start_seconds"].get<double>(), 1.6, 0.2);
  EXPECT_NEAR(j["query"]["ranges"][0]["start_seconds"].get<double>(), 0.0, 0.2);

  auto text = Run(Vigil() + " video match " + Clip("chair-19-sd-bar") + " " +
                  Reference("doorknob-hd-no-bar"));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  auto lines = Lines(text.out);
  ASSERT_EQ(lines.size(), 3u) << text.out;
  EXPECT_EQ(lines[0].substr(lines[0].size() - 26), "of 561 frames match (0.0%)") << lines[0];
  EXPECT_EQ(lines[2].rfind("no match", 0), 0u) << lines[2];

  auto loose = Run(Vigil() + " video match --json --distance 256 --quality 0 " +
                   Reference("doorknob-hd-no-bar") + " " + Reference("pattern-hd-no-bar"));
  ASSERT_EQ(loose.exit_code, 0) << loose.err;
  EXPECT_EQ(nlohmann::json::parse(loose.out)["query"]["matched_percent"], 100.0);
}

// Issue 16 item 3, on the CLI: a 10-second excerpt (seconds 6-16) of a listed clip,
// re-encoded smaller and at another quality, matches it and says which seconds it is.
TEST_F(CliVideoTest, ReencodedTenSecondExcerptMatchesAtItsSeconds) {
  std::string excerpt = (dir_ / "excerpt.mp4").string();
  auto made = Run("ffmpeg -nostdin -v error -y -ss 6 -t 10 -i " + Clip("chair-orig-22-sd-bar") +
                  " -vf scale=320:-2 -c:v libx264 -crf 30 -preset veryfast -an " + excerpt);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto r = Run(Vigil() + " video match --json " + excerpt + " " + Clip("chair-orig-22-sd-bar"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["query"]["matched_percent"].get<double>(), 80.0) << r.out;
  EXPECT_EQ(j["matched"], true);
  ASSERT_GE(j["compared"]["ranges"].size(), 1u) << r.out;
  double start = j["compared"]["ranges"][0]["start_seconds"];
  double end = j["compared"]["ranges"].back()["end_seconds"];
  EXPECT_NEAR(start, 6.0, 1.0) << r.out;
  EXPECT_NEAR(end, 16.0, 1.0) << r.out;
}

// `vigil scan` (issue 16 items 1-3): vigil.vpdq gets the frames the host decodes once
// (vigil.frames/1) and matches the listed video; a re-encoded excerpt is flagged with
// the listed video's seconds, the doorknob clip is not, a truncated video is failed.
TEST_F(CliVideoTest, ScanFlagsAReencodedExcerptOfAListedVideoWithItsSeconds) {
  const auto in = dir_ / "in";
  const auto lists = dir_ / "video-lists" / "demo";
  std::filesystem::create_directories(in);
  std::filesystem::create_directories(lists);
  std::filesystem::copy_file(Reference("chair-orig-22-sd-bar"), lists / "chair-orig.vpdq");
  auto made = Run("ffmpeg -nostdin -v error -y -ss 6 -t 10 -i " + Clip("chair-orig-22-sd-bar") +
                  " -vf scale=320:-2 -c:v libx264 -crf 30 -preset veryfast -an " +
                  (in / "excerpt.mp4").string());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::filesystem::copy_file(Clip("doorknob-hd-no-bar"), in / "doorknob.mp4");
  std::string cut = Slurp(Clip("chair-19-sd-bar"));
  cut.resize(cut.size() / 2);
  std::ofstream(in / "cut.mp4", std::ios::binary) << cut;
  std::ofstream(dir_ / "policy.toml") << "[defaults]\nunmatched = \"review\"\n";
  // The store's lists/ folder is DATA_DIR: the listed videos sit in lists/video-lists.
  std::filesystem::create_directories(dir_ / "lists");
  std::filesystem::rename(dir_ / "video-lists", dir_ / "lists" / "video-lists");
  auto r = Run(Vigil() + " --store " + Store() + " scan --json --policy " +
               (dir_ / "policy.toml").string() + " " + in.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, nlohmann::json> by_name;
  for (const std::string& line : Lines(r.out)) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("item")) {
      by_name[std::filesystem::path(j["item"].get<std::string>()).filename().string()] = j;
    }
  }
  ASSERT_EQ(by_name.size(), 3u) << r.out;
  std::string reason;
  nlohmann::json item_ranges;
  for (const auto& d : by_name["excerpt.mp4"]["detections"]) {
    if (d["detector"] == "vigil.vpdq") {
      reason = d["reason"];
      item_ranges = d.value("item_ranges", nlohmann::json());
    }
  }
  // The ranges as data too (issue 16 item 4): this video's seconds 0-9.
  ASSERT_TRUE(item_ranges.is_array()) << r.out;
  ASSERT_EQ(item_ranges.size(), 1u) << item_ranges;
  EXPECT_DOUBLE_EQ(item_ranges[0][0].get<double>(), 0.0);
  EXPECT_NEAR(item_ranges[0][1].get<double>(), 9.0, 1e-3);
  EXPECT_NE(reason.find("demo/chair-orig"), std::string::npos) << r.out;
  EXPECT_NE(reason.find("the listed video at 6.0"), std::string::npos) << reason;
  for (const auto& d : by_name["doorknob.mp4"]["detections"]) {
    EXPECT_NE(d["detector"], "vigil.vpdq") << d;
  }
  EXPECT_EQ(by_name["doorknob.mp4"]["status"], "ok") << by_name["doorknob.mp4"];
  EXPECT_EQ(by_name["cut.mp4"]["status"], "failed") << by_name["cut.mp4"];
  EXPECT_NE(
      by_name["cut.mp4"]["detector_errors"]["vigil.vpdq"].get<std::string>().find("truncated"),
      std::string::npos)
      << by_name["cut.mp4"];
}

// The reference per-frame file as pytx's vPDQ signal text: ["hex,quality,timestamp", ...].
std::string SignalOf(const std::string& per_frame_text) {
  std::string out = "[";
  for (const std::string& line : Lines(per_frame_text)) {
    std::vector<std::string> f;
    std::stringstream in(line);
    for (std::string field; std::getline(in, field, ',');) f.push_back(field);
    if (f.size() != 4) continue;
    if (out.size() > 1) out += ", ";
    out += "\"" + f[2] + "," + f[1] + "," + f[3] + "\"";
  }
  return out + "]";
}

std::string CsvQuoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

TEST_F(CliVideoTest, ListsImportVideoFormatsIntoABankThatScansMatch) {
  const auto lists = dir_ / "lists";
  const auto in = dir_ / "in";
  std::filesystem::create_directories(in);
  const std::string store = " --store " + Store() + " ";
  // The reference per-frame file: one video named by the file.
  auto frames = Run(Vigil() + store + "lists import --format vpdq --bank demo " +
                    Reference("chair-orig-22-sd-bar"));
  ASSERT_EQ(frames.exit_code, 0) << frames.err;
  EXPECT_NE(frames.out.find("bank demo: 1 videos added"), std::string::npos) << frames.out;
  EXPECT_TRUE(
      std::filesystem::exists(lists / "video-lists" / "demo" / "chair-orig-22-sd-bar.vpdq"));
  // pytx/HMA lines, a pdq line among them (ignored, counted).
  std::ofstream(dir_ / "hma.txt") << "vpdq " << SignalOf(Slurp(Reference("pattern-sd-grey-bar")))
                                  << "\npdq " << std::string(64, 'a') << "\n";
  auto hma = Run(Vigil() + store + "lists import --format hma-vpdq --bank demo " +
                 (dir_ / "hma.txt").string());
  ASSERT_EQ(hma.exit_code, 0) << hma.err;
  EXPECT_NE(hma.out.find("1 videos added"), std::string::npos) << hma.out;
  EXPECT_NE(hma.out.find("2 videos now"), std::string::npos) << hma.out;
  EXPECT_NE(hma.out.find("1 records of other types ignored"), std::string::npos) << hma.out;
  // ThreatExchange CSV: the doorknob under its id, and a deletion of an unknown id.
  std::ofstream(dir_ / "te.csv") << "id,td_raw_indicator,td_indicator_type,should_delete\n"
                                 << "te-1001,"
                                 << CsvQuoted(SignalOf(Slurp(Reference("doorknob-hd-no-bar"))))
                                 << ",HASH_VIDEO_VPDQ,false\nte-9,,HASH_VIDEO_VPDQ,true\n";
  auto te = Run(Vigil() + store + "lists import --format te-csv-vpdq --bank demo " +
                (dir_ / "te.csv").string());
  ASSERT_EQ(te.exit_code, 0) << te.err;
  EXPECT_TRUE(std::filesystem::exists(lists / "video-lists" / "demo" / "te-1001.vpdq"));
  EXPECT_NE(te.out.find("3 videos now"), std::string::npos) << te.out;
  auto shown = Run(Vigil() + store + "lists show");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("video bank demo"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("3 videos (vpdq)"), std::string::npos) << shown.out;

  // Bad input: refused with the line, nothing written; flags that do not apply refused.
  std::ofstream(dir_ / "bad.csv") << "id,hash\nx,\"[\"\"nope\"\"]\"\n";
  auto bad = Run(Vigil() + store + "lists import --format te-csv-vpdq --bank other " +
                 (dir_ / "bad.csv").string());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("line 2: frame 0"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("every record"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(lists / "video-lists" / "other"));
  auto flags = Run(Vigil() + store + "lists import --format vpdq --category A1 --bank demo " +
                   Reference("doorknob-hd-no-bar"));
  EXPECT_EQ(flags.exit_code, 2);
  EXPECT_NE(flags.err.find("do not apply"), std::string::npos) << flags.err;

  // A scan matches the imported entries through vigil.vpdq's index.
  std::filesystem::copy_file(Clip("chair-19-sd-bar"), in / "chair.mp4");
  std::filesystem::copy_file(Clip("pattern-sd-grey-bar"), in / "pattern.mp4");
  std::ofstream(dir_ / "policy.toml") << "[defaults]\nunmatched = \"review\"\n";
  auto r = Run(Vigil() + store + "scan --json --policy " + (dir_ / "policy.toml").string() + " " +
               in.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::vector<std::string>> entries;
  for (const std::string& line : Lines(r.out)) {
    auto j = nlohmann::json::parse(line);
    if (!j.contains("item")) continue;
    auto name = std::filesystem::path(j["item"].get<std::string>()).filename().string();
    for (const auto& d : j["detections"]) {
      if (d["detector"] == "vigil.vpdq") entries[name].push_back(d["reason"]);
    }
  }
  ASSERT_EQ(entries["chair.mp4"].size(), 1u) << r.out;
  EXPECT_NE(entries["chair.mp4"][0].find("demo/chair-orig-22-sd-bar"), std::string::npos);
  ASSERT_EQ(entries["pattern.mp4"].size(), 1u) << r.out;
  EXPECT_NE(entries["pattern.mp4"][0].find("demo/vpdq-"), std::string::npos);
}

}  // namespace
}  // namespace vigil::testing
