// VideoIndex: listed frames in the hash banks' exact PDQ multi-index, candidates first.
#include "vigil/vpdq/vpdq_index.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "vigil/hashbank/pdq_index.h"

namespace vigil::vpdq {
namespace {

// The bank layout: word 0 holds the first 16 hex digits (Hash256::words[15] first).
hashbank::PdqWords ToWords(const pdq::Hash256& h) {
  hashbank::PdqWords out;
  for (int w = 0; w < 4; ++w) {
    uint64_t v = 0;
    for (int k = 0; k < 4; ++k) v = (v << 16) | h.words[15 - 4 * w - k];
    out.w[w] = v;
  }
  return out;
}

struct WordsKey {
  size_t operator()(const hashbank::PdqWords& p) const {
    return static_cast<size_t>(p.w[0] ^ (p.w[1] * 0x9e3779b97f4a7c15ull) ^ (p.w[2] >> 7) ^
                               (p.w[3] * 31));
  }
};

// A video's compared frames as index codes: quality >= the threshold, each hash once.
void ComparedCodes(const std::vector<FrameHash>& frames, int min_quality,
                   std::vector<hashbank::PdqWords>& out) {
  out.clear();
  std::unordered_set<hashbank::PdqWords, WordsKey> seen;
  for (const FrameHash& f : frames) {
    if (f.quality < min_quality) continue;
    hashbank::PdqWords w = ToWords(f.hash);
    if (seen.insert(w).second) out.push_back(w);
  }
}

}  // namespace

struct VideoIndex::Impl {
  MatchOptions options;
  std::vector<std::vector<FrameHash>> videos;
  std::unique_ptr<hashbank::PdqIndex> index;
  std::vector<uint32_t> code_video;  // the video of each indexed code
};

VideoIndex::VideoIndex() : impl_(std::make_unique<Impl>()) {}
VideoIndex::~VideoIndex() = default;

StatusOr<std::unique_ptr<VideoIndex>> VideoIndex::Build(std::vector<std::vector<FrameHash>> videos,
                                                        const MatchOptions& options) {
  if (Status s = CheckMatchOptions(options); !s.ok()) return s;
  std::unique_ptr<VideoIndex> index(new VideoIndex());
  Impl& impl = *index->impl_;
  impl.options = options;
  std::vector<hashbank::PdqWords> codes, one;
  for (size_t v = 0; v < videos.size(); ++v) {
    ComparedCodes(videos[v], options.min_quality, one);
    if (codes.size() + one.size() >= UINT32_MAX || v >= UINT32_MAX) {
      return Status::InvalidArgument("more than 2^32 - 1 listed frames to index");
    }
    codes.insert(codes.end(), one.begin(), one.end());
    impl.code_video.insert(impl.code_video.end(), one.size(), static_cast<uint32_t>(v));
  }
  impl.videos = std::move(videos);
  impl.index = std::make_unique<hashbank::PdqIndex>(std::move(codes));
  return index;
}

size_t VideoIndex::video_count() const { return impl_->videos.size(); }
const std::vector<FrameHash>& VideoIndex::video(size_t index) const { return impl_->videos[index]; }
const MatchOptions& VideoIndex::options() const { return impl_->options; }
size_t VideoIndex::indexed_frames() const { return impl_->index->size(); }
size_t VideoIndex::index_bytes() const {
  return impl_->index->memory_bytes() + impl_->code_video.capacity() * sizeof(uint32_t);
}

std::vector<uint32_t> VideoIndex::Candidates(const std::vector<FrameHash>& query) const {
  std::vector<hashbank::PdqWords> codes;
  ComparedCodes(query, impl_->options.min_quality, codes);
  std::vector<uint32_t> videos;
  std::vector<hashbank::PdqIndexHit> hits;
  for (const hashbank::PdqWords& code : codes) {
    impl_->index->Query(code, impl_->options.max_distance, hits);
    for (const auto& hit : hits) videos.push_back(impl_->code_video[hit.index]);
  }
  std::sort(videos.begin(), videos.end());
  videos.erase(std::unique(videos.begin(), videos.end()), videos.end());
  return videos;
}

StatusOr<std::vector<VideoMatch>> VideoIndex::MatchVideosIn(const std::vector<FrameHash>& query,
                                                            const std::vector<uint32_t>& videos,
                                                            double min_query_percent) const {
  std::vector<VideoMatch> out;
  for (uint32_t v : videos) {
    auto matched = MatchVideos(query, impl_->videos[v], impl_->options);
    if (!matched.ok()) return matched.status();
    const MatchResult& m = matched.value();
    if (m.query_frames_compared == 0 || m.query_matched_percent < min_query_percent) continue;
    out.push_back({v, std::move(matched).value()});
  }
  return out;
}

StatusOr<std::vector<VideoMatch>> VideoIndex::Match(const std::vector<FrameHash>& query,
                                                    double min_query_percent) const {
  if (!(min_query_percent >= 0 && min_query_percent <= 100)) {
    return Status::InvalidArgument("the match percent must be in 0..100");
  }
  // At 0% every video with frames to compare matches, hit or not: no shortcut.
  if (min_query_percent <= 0) return MatchBruteForce(query, min_query_percent);
  return MatchVideosIn(query, Candidates(query), min_query_percent);
}

StatusOr<std::vector<VideoMatch>> VideoIndex::MatchBruteForce(const std::vector<FrameHash>& query,
                                                              double min_query_percent) const {
  if (!(min_query_percent >= 0 && min_query_percent <= 100)) {
    return Status::InvalidArgument("the match percent must be in 0..100");
  }
  std::vector<uint32_t> all(impl_->videos.size());
  for (size_t v = 0; v < all.size(); ++v) all[v] = static_cast<uint32_t>(v);
  return MatchVideosIn(query, all, min_query_percent);
}

}  // namespace vigil::vpdq
