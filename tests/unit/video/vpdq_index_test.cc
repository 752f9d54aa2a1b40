// VideoIndex (issue 16 item 2): listed frames in the hash banks' exact PDQ index, only
// candidate videos matched. The answer must equal MatchVideos against every listed video,
// on the shared clips' reference hashes and on random synthetic videos with planted
// near-copies, at several distances and qualities.
#include "vigil/vpdq/vpdq_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace vigil::vpdq {
namespace {

namespace fs = std::filesystem;

pdq::Hash256 RandomHash(std::mt19937& rng) {
  pdq::Hash256 h;
  for (auto& w : h.words) w = static_cast<uint16_t>(rng());
  return h;
}

pdq::Hash256 Flip(pdq::Hash256 h, int bits, std::mt19937& rng) {
  for (int k = 0; k < bits; ++k) h.FlipBit(static_cast<int>(rng() % 256));
  return h;
}

std::vector<FrameHash> RandomVideo(std::mt19937& rng, int frames) {
  std::vector<FrameHash> v;
  for (int i = 0; i < frames; ++i) {
    FrameHash f;
    f.frame_number = i;
    f.quality = static_cast<int>(rng() % 101);
    f.hash = RandomHash(rng);
    f.timestamp_seconds = i / 25.0;
    v.push_back(f);
  }
  return v;
}

// A copy of part of `source` with up to `noise` bits flipped per frame and some repeats.
std::vector<FrameHash> NearCopy(const std::vector<FrameHash>& source, size_t from, size_t count,
                                int noise, std::mt19937& rng) {
  std::vector<FrameHash> v;
  for (size_t i = from; i < from + count && i < source.size(); ++i) {
    FrameHash f = source[i];
    f.frame_number = static_cast<int64_t>(v.size());
    f.timestamp_seconds = static_cast<double>(v.size());
    f.hash = Flip(f.hash, static_cast<int>(rng() % (noise + 1)), rng);
    f.quality = std::max(0, f.quality - static_cast<int>(rng() % 10));
    v.push_back(f);
    if (rng() % 5 == 0) {  // a repeated frame
      f.frame_number = static_cast<int64_t>(v.size());
      v.push_back(f);
    }
  }
  return v;
}

void ExpectSameAnswer(const VideoIndex& index, const std::vector<FrameHash>& query, double percent,
                      const std::string& what) {
  auto indexed = index.Match(query, percent);
  auto brute = index.MatchBruteForce(query, percent);
  ASSERT_TRUE(indexed.ok()) << indexed.status().message();
  ASSERT_TRUE(brute.ok()) << brute.status().message();
  ASSERT_EQ(indexed->size(), brute->size()) << what;
  for (size_t i = 0; i < brute->size(); ++i) {
    const VideoMatch& a = (*indexed)[i];
    const VideoMatch& b = (*brute)[i];
    EXPECT_EQ(a.video, b.video) << what;
    EXPECT_EQ(a.result.query_frames_matched, b.result.query_frames_matched) << what;
    EXPECT_EQ(a.result.compared_frames_matched, b.result.compared_frames_matched) << what;
    EXPECT_EQ(a.result.query_matched_percent, b.result.query_matched_percent) << what;
    EXPECT_EQ(a.result.compared_matched_percent, b.result.compared_matched_percent) << what;
    EXPECT_EQ(a.result.query_ranges.size(), b.result.query_ranges.size()) << what;
  }
}

TEST(VpdqIndexTest, RandomVideosWithPlantedCopiesMatchAsBruteForce) {
  std::mt19937 rng(16);
  std::vector<std::vector<FrameHash>> listed;
  for (int v = 0; v < 150; ++v) {
    listed.push_back(RandomVideo(rng, 20 + static_cast<int>(rng() % 30)));
  }
  // Queries: near-copies of listed videos (noise within and beyond the distance), pieces
  // of two listed videos joined, and unrelated videos.
  std::vector<std::vector<FrameHash>> queries;
  for (int q = 0; q < 20; ++q) {
    const auto& source = listed[rng() % listed.size()];
    queries.push_back(
        NearCopy(source, rng() % 10, 10 + rng() % 40, static_cast<int>(rng() % 40), rng));
  }
  for (int q = 0; q < 6; ++q) {
    auto a = NearCopy(listed[rng() % listed.size()], 0, 15, 20, rng);
    auto b = NearCopy(listed[rng() % listed.size()], 5, 15, 20, rng);
    for (auto& f : b) {
      f.frame_number += static_cast<int64_t>(a.size());
      a.push_back(f);
    }
    queries.push_back(a);
  }
  for (int q = 0; q < 4; ++q) queries.push_back(RandomVideo(rng, 30));
  for (int distance : {0, 16, 31, 40}) {
    for (int quality : {0, 50}) {
      MatchOptions options;
      options.max_distance = distance;
      options.min_quality = quality;
      auto index = VideoIndex::Build(listed, options);
      ASSERT_TRUE(index.ok()) << index.status().message();
      for (size_t q = 0; q < queries.size(); ++q) {
        for (double percent : {1.0, 80.0}) {
          ExpectSameAnswer(**index, queries[q], percent,
                           "distance " + std::to_string(distance) + " quality " +
                               std::to_string(quality) + " query " + std::to_string(q) +
                               " percent " + std::to_string(percent));
        }
      }
    }
  }
}

TEST(VpdqIndexTest, PlantedCopyIsACandidateAndUnrelatedVideosAreNot) {
  std::mt19937 rng(7);
  std::vector<std::vector<FrameHash>> listed;
  for (int v = 0; v < 200; ++v) listed.push_back(RandomVideo(rng, 50));
  for (auto& video : listed) {
    for (auto& f : video) f.quality = 100;
  }
  auto index = VideoIndex::Build(listed);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->indexed_frames(), 200u * 50u);
  EXPECT_GT((*index)->index_bytes(), 200u * 50u * 32u);
  auto query = NearCopy(listed[123], 0, 30, 20, rng);
  for (auto& f : query) f.quality = 100;
  auto candidates = (*index)->Candidates(query);
  // Random 256-bit hashes are ~128 bits apart: only the copied video is near.
  ASSERT_EQ(candidates, std::vector<uint32_t>{123});
  auto matches = (*index)->Match(query, 80);
  ASSERT_TRUE(matches.ok());
  ASSERT_EQ(matches->size(), 1u);
  EXPECT_EQ((*matches)[0].video, 123u);
  EXPECT_DOUBLE_EQ((*matches)[0].result.query_matched_percent, 100.0);
  EXPECT_TRUE((*index)->Candidates(RandomVideo(rng, 40)).empty());
}

TEST(VpdqIndexTest, LowQualityFramesAreNeitherIndexedNorLookedUp) {
  std::mt19937 rng(3);
  auto listed = RandomVideo(rng, 10);
  for (auto& f : listed) f.quality = 40;
  listed[4].quality = 60;
  auto index = VideoIndex::Build({listed});
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->indexed_frames(), 1u);
  auto query = listed;  // the same frames: only frame 4 is comparable on either side
  auto matches = (*index)->Match(query, 100);
  ASSERT_TRUE(matches.ok());
  ASSERT_EQ(matches->size(), 1u);
  EXPECT_EQ((*matches)[0].result.query_frames_compared, 1u);
  for (auto& f : query) f.quality = 10;
  EXPECT_TRUE((*index)->Candidates(query).empty());
  auto none = (*index)->Match(query, 1);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(VpdqIndexTest, ZeroPercentReportsEveryComparableVideoAsBruteForceDoes) {
  std::mt19937 rng(5);
  std::vector<std::vector<FrameHash>> listed = {RandomVideo(rng, 20), RandomVideo(rng, 20)};
  for (auto& v : listed) {
    for (auto& f : v) f.quality = 100;
  }
  auto index = VideoIndex::Build(listed);
  ASSERT_TRUE(index.ok());
  auto query = RandomVideo(rng, 5);
  for (auto& f : query) f.quality = 100;
  ExpectSameAnswer(**index, query, 0, "0%");
  auto all = (*index)->Match(query, 0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

TEST(VpdqIndexTest, BadOptionsAreRefused) {
  MatchOptions far;
  far.max_distance = 257;
  EXPECT_FALSE(VideoIndex::Build({}, far).ok());
  MatchOptions quality;
  quality.min_quality = -1;
  EXPECT_FALSE(VideoIndex::Build({}, quality).ok());
  auto index = VideoIndex::Build({});
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->video_count(), 0u);
  EXPECT_FALSE((*index)->Match({}, 101).ok());
  EXPECT_FALSE((*index)->Match({}, -1).ok());
  auto empty = (*index)->Match({}, 80);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(VpdqIndexTest, SharedClipsMatchAsBruteForce) {
  const fs::path dir = fs::path(VIGIL_TESTDATA) / "video" / "vpdq-hashes";
  ASSERT_TRUE(fs::is_directory(dir)) << "the shared video conformance data is missing: " << dir;
  std::vector<std::vector<FrameHash>> clips;
  std::vector<std::string> names;
  for (const auto& file : fs::directory_iterator(dir)) {
    // The full-size hashes (the -128x128 downsampled ones would only repeat the families).
    if (file.path().extension() != ".txt" ||
        file.path().stem().string().find("128x128") != std::string::npos) {
      continue;
    }
    auto frames = ReadFrameHashesFile(file.path().string());
    ASSERT_TRUE(frames.ok()) << frames.status().message();
    clips.push_back(std::move(frames).value());
    names.push_back(file.path().stem().string());
  }
  ASSERT_GE(clips.size(), 14u);
  for (int distance : {31, 10}) {
    MatchOptions options;
    options.max_distance = distance;
    auto index = VideoIndex::Build(clips, options);
    ASSERT_TRUE(index.ok());
    size_t matched_pairs = 0;
    for (size_t q = 0; q < clips.size(); ++q) {
      ExpectSameAnswer(**index, clips[q], 1.0, names[q]);
      auto m = (*index)->Match(clips[q], 80);
      ASSERT_TRUE(m.ok());
      matched_pairs += m->size();
      bool self = false;
      for (const auto& found : *m) self |= found.video == q;
      EXPECT_TRUE(self) << names[q] << " does not find itself";
    }
    // Not everything matches everything: the families stay apart.
    EXPECT_LT(matched_pairs, clips.size() * clips.size() / 2);
  }
}

}  // namespace
}  // namespace vigil::vpdq
