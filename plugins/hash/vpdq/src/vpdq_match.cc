// Matching two vPDQ hashes: shares of matched frames each way, and where they are.
#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "vigil/vpdq/vpdq.h"

namespace vigil::vpdq {
namespace {

struct HashKey {
  size_t operator()(const pdq::Hash256& h) const {
    size_t v = 0;
    for (uint16_t w : h.words) v = v * 1000003u ^ w;
    return v;
  }
};

// The frames that are compared: first occurrences (when deduping) at or above the quality.
std::vector<const FrameHash*> Candidates(const std::vector<FrameHash>& frames,
                                         const MatchOptions& options) {
  std::vector<const FrameHash*> out;
  std::unordered_set<pdq::Hash256, HashKey> seen;
  for (const FrameHash& f : frames) {
    if (options.dedupe && !seen.insert(f.hash).second) continue;
    if (f.quality < options.min_quality) continue;
    out.push_back(&f);
  }
  return out;
}

// Marks which of `from` lie within the distance of any of `to`; returns how many.
size_t MatchInto(const std::vector<const FrameHash*>& from, const std::vector<const FrameHash*>& to,
                 int max_distance, std::unordered_set<pdq::Hash256, HashKey>* matched) {
  size_t count = 0;
  for (const FrameHash* a : from) {
    for (const FrameHash* b : to) {
      if (pdq::HammingDistance(a->hash, b->hash) <= max_distance) {
        ++count;
        matched->insert(a->hash);
        break;
      }
    }
  }
  return count;
}

// Every frame (repeated ones too) at or above the quality whose hash matched, grouped.
std::vector<TimeRange> Ranges(const std::vector<FrameHash>& frames,
                              const std::unordered_set<pdq::Hash256, HashKey>& matched,
                              const MatchOptions& options) {
  std::vector<TimeRange> ranges;
  for (const FrameHash& f : frames) {
    if (f.quality < options.min_quality || matched.count(f.hash) == 0) continue;
    if (!ranges.empty() &&
        f.timestamp_seconds - ranges.back().end_seconds <= options.range_gap_seconds) {
      ranges.back().end_seconds = std::max(ranges.back().end_seconds, f.timestamp_seconds);
    } else {
      ranges.push_back({f.timestamp_seconds, f.timestamp_seconds});
    }
  }
  return ranges;
}

}  // namespace

Status CheckMatchOptions(const MatchOptions& options) {
  if (options.max_distance < 0 || options.max_distance > pdq::Hash256::kBits) {
    return Status::InvalidArgument("the distance must be in 0..256, not " +
                                   std::to_string(options.max_distance));
  }
  if (options.min_quality < 0 || options.min_quality > 100) {
    return Status::InvalidArgument("the quality must be in 0..100, not " +
                                   std::to_string(options.min_quality));
  }
  if (!(options.range_gap_seconds >= 0) || !std::isfinite(options.range_gap_seconds)) {
    return Status::InvalidArgument("the range gap must be a non-negative number of seconds");
  }
  return Status::Ok();
}

StatusOr<MatchResult> MatchVideos(const std::vector<FrameHash>& query,
                                  const std::vector<FrameHash>& compared,
                                  const MatchOptions& options) {
  if (Status s = CheckMatchOptions(options); !s.ok()) return s;
  MatchResult result;
  auto q = Candidates(query, options);
  auto c = Candidates(compared, options);
  result.query_frames_compared = q.size();
  result.compared_frames_compared = c.size();
  if (q.empty() || c.empty()) return result;
  std::unordered_set<pdq::Hash256, HashKey> q_matched, c_matched;
  result.query_frames_matched = MatchInto(q, c, options.max_distance, &q_matched);
  result.compared_frames_matched = MatchInto(c, q, options.max_distance, &c_matched);
  result.query_matched_percent =
      100.0 * static_cast<double>(result.query_frames_matched) / static_cast<double>(q.size());
  result.compared_matched_percent =
      100.0 * static_cast<double>(result.compared_frames_matched) / static_cast<double>(c.size());
  result.query_ranges = Ranges(query, q_matched, options);
  result.compared_ranges = Ranges(compared, c_matched, options);
  return result;
}

}  // namespace vigil::vpdq
