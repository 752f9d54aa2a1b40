// vigil_vpdq without video: the reference per-frame format (written byte for byte as the
// reference writes it, parsed strictly) and matching (distance inclusive, quality filter,
// dedupe of repeated frames, both shares, time ranges), on hashes made in the test.
#include "vigil/vpdq/vpdq.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace vigil::vpdq {
namespace {

pdq::Hash256 RandomHash(uint32_t seed) {
  std::mt19937 rng(seed);
  pdq::Hash256 h;
  for (auto& w : h.words) w = static_cast<uint16_t>(rng());
  return h;
}

pdq::Hash256 AtDistance(pdq::Hash256 h, int bits) {
  for (int k = 0; k < bits; ++k) h.FlipBit(k * 7 % 256);
  return h;
}

FrameHash Frame(int64_t n, const pdq::Hash256& h, int quality = 100, double fps = 1.0) {
  FrameHash f;
  f.frame_number = n;
  f.quality = quality;
  f.hash = h;
  f.timestamp_seconds = static_cast<double>(n) / fps;
  return f;
}

TEST(VpdqFormatTest, ReferenceFileReadsAndWritesBackByteForByte) {
  std::string path = std::string(VIGIL_TESTDATA) + "/video/vpdq-hashes/chair-19-sd-bar.txt";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "the shared video conformance data is missing: " << path;
  std::string text(std::istreambuf_iterator<char>(in), {});
  auto frames = ParseFrameHashes(text);
  ASSERT_TRUE(frames.ok()) << frames.status().message();
  ASSERT_EQ(frames->size(), 564u);
  EXPECT_EQ((*frames)[1].frame_number, 1);
  EXPECT_EQ((*frames)[1].quality, 100);
  EXPECT_EQ((*frames)[1].hash.ToHex(),
            "c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c");
  EXPECT_NEAR((*frames)[1].timestamp_seconds, 0.033, 1e-9);
  EXPECT_EQ(FormatFrameHashes(*frames), text);
}

TEST(VpdqFormatTest, AcceptsCrlfAndAMissingFinalNewline) {
  std::string hex(64, 'a');
  auto a = ParseFrameHashes("0,100," + hex + ",0.000\r\n5,40," + hex + ",0.167");
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[1].frame_number, 5);
  EXPECT_EQ((*a)[1].quality, 40);
}

TEST(VpdqFormatTest, RejectsEachMalformedLineWithItsNumber) {
  std::string hex(64, 'f');
  std::string good = "0,100," + hex + ",0.000\n";
  struct Case {
    std::string text;
    std::string expect;
  };
  const Case cases[] = {
      {"", "no frames"},
      {good + "\n", "line 2: empty line"},
      {good + "1,100," + hex + "\n", "line 2: expected"},
      {good + "1,100," + hex + ",0.1,extra\n", "line 2: more than 4"},
      {good + "-1,100," + hex + ",0.1\n", "line 2: frame number"},
      {good + "1,101," + hex + ",0.1\n", "line 2: quality \"101\" not in 0..100"},
      {good + "1, 99," + hex + ",0.1\n", "line 2: quality"},
      {good + "1,99," + hex.substr(1) + ",0.1\n", "line 2: PDQ hash"},
      {good + "1,99," + std::string(63, 'f') + "g,0.1\n", "line 2: PDQ hash"},
      {good + "1,99," + hex + ",abc\n", "line 2: timestamp"},
      {good + "1,99," + hex + ",1e9\n", "line 2: timestamp"},
      {good + "1,99," + hex + ",-0.5\n", "line 2: timestamp"},
      {good + "0,99," + hex + ",0.1\n", "line 2: frame 0 does not follow frame 0"},
  };
  for (const Case& c : cases) {
    auto r = ParseFrameHashes(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << "got: " << r.status().message() << "\nwanted: " << c.expect;
  }
}

TEST(VpdqFormatTest, MissingFileIsAnIoError) {
  auto r = ReadFrameHashesFile("/nonexistent/vigil.vpdq.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kIoError);
}

TEST(VpdqMatchTest, DistanceIsInclusiveAndConfigurable) {
  pdq::Hash256 base = RandomHash(1);
  std::vector<FrameHash> q = {Frame(0, base)};
  std::vector<FrameHash> at31 = {Frame(0, AtDistance(base, 31))};
  std::vector<FrameHash> at32 = {Frame(0, AtDistance(base, 32))};
  ASSERT_EQ(pdq::HammingDistance(base, at31[0].hash), 31);
  ASSERT_EQ(pdq::HammingDistance(base, at32[0].hash), 32);
  EXPECT_DOUBLE_EQ(MatchVideos(q, at31)->query_matched_percent, 100.0);
  EXPECT_DOUBLE_EQ(MatchVideos(q, at32)->query_matched_percent, 0.0);
  MatchOptions strict;
  strict.max_distance = 30;  // the C++ reference tool's "< 31"
  EXPECT_DOUBLE_EQ(MatchVideos(q, at31, strict)->query_matched_percent, 0.0);
}

TEST(VpdqMatchTest, LowQualityFramesAreNotCompared) {
  pdq::Hash256 a = RandomHash(2), b = RandomHash(3);
  std::vector<FrameHash> q = {Frame(0, a), Frame(1, b, 49)};
  std::vector<FrameHash> c = {Frame(0, a), Frame(1, b, 100)};
  auto m = MatchVideos(q, c);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->query_frames_compared, 1u);
  EXPECT_DOUBLE_EQ(m->query_matched_percent, 100.0);
  EXPECT_DOUBLE_EQ(m->compared_matched_percent, 50.0);  // b has nothing to match in q
  MatchOptions any;
  any.min_quality = 0;
  EXPECT_DOUBLE_EQ(MatchVideos(q, c, any)->compared_matched_percent, 100.0);

  std::vector<FrameHash> dark = {Frame(0, a, 10)};
  auto none = MatchVideos(dark, c);
  ASSERT_TRUE(none.ok());
  EXPECT_DOUBLE_EQ(none->query_matched_percent, 0.0);
  EXPECT_DOUBLE_EQ(none->compared_matched_percent, 0.0);
}

TEST(VpdqMatchTest, RepeatedFramesCountOnceWhenDeduping) {
  pdq::Hash256 a = RandomHash(4), b = RandomHash(5);
  std::vector<FrameHash> q = {Frame(0, a), Frame(1, a), Frame(2, a), Frame(3, b)};
  std::vector<FrameHash> c = {Frame(0, a)};
  auto deduped = MatchVideos(q, c);
  ASSERT_TRUE(deduped.ok());
  EXPECT_EQ(deduped->query_frames_compared, 2u);
  EXPECT_DOUBLE_EQ(deduped->query_matched_percent, 50.0);
  MatchOptions every;
  every.dedupe = false;
  auto all = MatchVideos(q, c, every);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->query_frames_compared, 4u);
  EXPECT_DOUBLE_EQ(all->query_matched_percent, 75.0);
  // The ranges cover the repeated frames either way.
  ASSERT_EQ(deduped->query_ranges.size(), 1u);
  EXPECT_DOUBLE_EQ(deduped->query_ranges[0].start_seconds, 0.0);
  EXPECT_DOUBLE_EQ(deduped->query_ranges[0].end_seconds, 2.0);
}

// A 10-frame query at 1 frame/s whose seconds 2-5 and 8-9 are frames of the compared video
// (at its seconds 20-23 and 40-41): two ranges in each video.
TEST(VpdqMatchTest, TimeRangesInBothVideos) {
  std::vector<FrameHash> compared;
  for (int i = 0; i < 60; ++i) compared.push_back(Frame(i, RandomHash(100 + i)));
  std::vector<FrameHash> query;
  for (int i = 0; i < 10; ++i) {
    pdq::Hash256 h = RandomHash(1000 + i);  // unrelated
    if (i >= 2 && i <= 5) h = AtDistance(compared[18 + i].hash, 5);
    if (i >= 8) h = AtDistance(compared[32 + i].hash, 5);
    query.push_back(Frame(i, h));
  }
  auto m = MatchVideos(query, compared);
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(m->query_matched_percent, 60.0);
  EXPECT_DOUBLE_EQ(m->compared_matched_percent, 100.0 * 6 / 60);
  ASSERT_EQ(m->query_ranges.size(), 2u);
  EXPECT_DOUBLE_EQ(m->query_ranges[0].start_seconds, 2.0);
  EXPECT_DOUBLE_EQ(m->query_ranges[0].end_seconds, 5.0);
  EXPECT_DOUBLE_EQ(m->query_ranges[1].start_seconds, 8.0);
  EXPECT_DOUBLE_EQ(m->query_ranges[1].end_seconds, 9.0);
  ASSERT_EQ(m->compared_ranges.size(), 2u);
  EXPECT_DOUBLE_EQ(m->compared_ranges[0].start_seconds, 20.0);
  EXPECT_DOUBLE_EQ(m->compared_ranges[0].end_seconds, 23.0);
  EXPECT_DOUBLE_EQ(m->compared_ranges[1].start_seconds, 40.0);
  EXPECT_DOUBLE_EQ(m->compared_ranges[1].end_seconds, 41.0);
  MatchOptions wide;
  wide.range_gap_seconds = 3.0;  // 5 -> 8 is within 3 s: one range
  EXPECT_EQ(MatchVideos(query, compared, wide)->query_ranges.size(), 1u);
}

TEST(VpdqMatchTest, RejectsOptionsOutOfRange) {
  std::vector<FrameHash> v = {Frame(0, RandomHash(9))};
  MatchOptions o;
  o.max_distance = 257;
  EXPECT_EQ(MatchVideos(v, v, o).status().code(), Status::Code::kInvalidArgument);
  o = {};
  o.min_quality = -1;
  EXPECT_EQ(MatchVideos(v, v, o).status().code(), Status::Code::kInvalidArgument);
  o = {};
  o.range_gap_seconds = -1;
  EXPECT_EQ(MatchVideos(v, v, o).status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace vigil::vpdq
