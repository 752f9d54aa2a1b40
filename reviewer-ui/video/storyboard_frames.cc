#include "video/storyboard_frames.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace vigil::review {
namespace {

// The stored ranges have 3 decimals: a frame at 6.0333 s is inside "6.033-...".
constexpr double kEpsilon = 0.0006;

// `count` indices spread evenly over [0, n), first and last included when count > 1.
std::vector<int64_t> Spread(int64_t n, int64_t count) {
  std::vector<int64_t> out;
  if (n <= 0 || count <= 0) return out;
  if (count >= n) {
    for (int64_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  if (count == 1) return {n / 2};
  for (int64_t i = 0; i < count; ++i) {
    out.push_back(
        static_cast<int64_t>(std::llround(static_cast<double>(i) * (n - 1) / (count - 1))));
  }
  return out;
}

}  // namespace

FrameChoice ChooseStoryboardFrames(double frame_rate, int64_t total_frames,
                                   const StoryboardRequest& request) {
  FrameChoice choice;
  if (!(frame_rate > 0) || !std::isfinite(frame_rate)) {
    choice.note = "the video does not say its frame rate";
    return choice;
  }
  const double fps = request.frames_per_second > 0 && std::isfinite(request.frames_per_second)
                         ? request.frames_per_second
                         : 1.0;
  const int64_t step = std::max<int64_t>(1, static_cast<int64_t>(frame_rate / fps));
  // Sampled frame k is frame k * step.
  const int64_t sampled = total_frames > 0 ? (total_frames + step - 1) / step : 0;
  auto time_of = [&](int64_t k) { return static_cast<double>(k * step) / frame_rate; };

  // Sampled frames in the ranges; a range narrower than a step gets its nearest sample.
  std::set<int64_t> in_ranges;
  constexpr size_t kMaxListed = 100000;  // a 27-hour range at 1 fps: plenty, and bounded
  for (const host::TimeSpan& span : request.matched) {
    if (in_ranges.size() >= kMaxListed) break;
    const double first = std::ceil((span.start_seconds - kEpsilon) * frame_rate / step);
    const double last = std::floor((span.end_seconds + kEpsilon) * frame_rate / step);
    int64_t from = static_cast<int64_t>(std::max(0.0, first));
    int64_t to = static_cast<int64_t>(std::max(-1.0, std::min(last, 1e12)));
    if (sampled > 0) to = std::min(to, sampled - 1);
    if (from > to) {
      const double middle = (span.start_seconds + span.end_seconds) / 2;
      int64_t nearest = static_cast<int64_t>(std::llround(middle * frame_rate / step));
      if (sampled > 0) nearest = std::min(nearest, sampled - 1);
      from = to = std::max<int64_t>(0, nearest);
    }
    // However long the range, only what the cap can show is ever listed.
    for (int64_t k = from; k <= to && in_ranges.size() < kMaxListed; ++k) in_ranges.insert(k);
  }
  choice.matched_available = static_cast<int>(in_ranges.size());

  int extra = std::clamp(request.extra_frames, 0, kMaxStoryboardTiles);
  if (in_ranges.empty() && extra == 0) extra = kUnmatchedStoryboardFrames;
  if (sampled == 0 && extra > 0) {
    choice.note = "the video does not say its length, so no evenly spaced frames";
    extra = 0;
  }
  const int matched_cap = kMaxStoryboardTiles - std::min<int>(extra, kMaxStoryboardTiles - 1);

  std::set<int64_t> chosen;
  const std::vector<int64_t> ordered(in_ranges.begin(), in_ranges.end());
  for (int64_t index : Spread(static_cast<int64_t>(ordered.size()), matched_cap)) {
    chosen.insert(ordered[static_cast<size_t>(index)]);
  }
  if (static_cast<int>(ordered.size()) > matched_cap) {
    choice.note = std::to_string(matched_cap) + " of " + std::to_string(ordered.size()) +
                  " matched frames shown, evenly spread";
  }
  const std::set<int64_t> matched_chosen = chosen;
  // Evenly over the sampled frames not already shown, so a matched frame never takes an
  // extra one's place.
  const int64_t others = sampled - static_cast<int64_t>(matched_chosen.size());
  for (int64_t index : Spread(std::max<int64_t>(0, others), extra)) {
    if (static_cast<int>(chosen.size()) >= kMaxStoryboardTiles) break;
    int64_t k = index;
    for (int64_t taken : matched_chosen) {  // ascending: skip past each one shown
      if (taken <= k) ++k;
    }
    chosen.insert(k);
  }
  for (int64_t k : chosen) {
    choice.frames.push_back({k * step, time_of(k), matched_chosen.count(k) > 0});
  }
  return choice;
}

}  // namespace vigil::review
