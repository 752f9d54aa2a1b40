#include "eval/video_robustness.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>
#include <numeric>
#include <thread>

#include "eval/video_transforms.h"
#include "vigil/pdq/pdq.h"
#include "vigil/vpdq/frame_hasher.h"
#include "vigil/vpdq/vpdq.h"
#include "vigil/vpdq/vpdq_hash.h"

namespace vigil::eval {
namespace {

struct Work {
  const VideoTransformSpec* spec;
  TransformStrength strength;
};

// The reference's step for N frames per second: every int(frame_rate / N)-th frame.
int64_t SamplingStep(double frame_rate, double frames_per_second) {
  if (frames_per_second <= 0) return 1;
  return std::max<int64_t>(1, static_cast<int64_t>(frame_rate / frames_per_second));
}

video::SamplingOptions Sampling(const VideoRobustnessOptions& options) {
  video::SamplingOptions sampling;
  sampling.every_frame = options.frames_per_second <= 0;
  if (!sampling.every_frame) sampling.frames_per_second = options.frames_per_second;
  return sampling;
}

// The original's frame shown at `seconds`: the nearest hashed frame, if it is within half
// the interval between hashed frames (else the copy's frame has no counterpart). A moment
// halfway between two frames takes the later one, as VideoReencoder picks its source frames
// (the float timestamps of the reference format blur exact ties, hence the margin).
const vpdq::FrameHash* FrameAt(const std::vector<vpdq::FrameHash>& frames, double seconds,
                               double tolerance) {
  auto after =
      std::lower_bound(frames.begin(), frames.end(), seconds,
                       [](const vpdq::FrameHash& f, double t) { return f.timestamp_seconds < t; });
  const vpdq::FrameHash* later = after == frames.end() ? nullptr : &*after;
  const vpdq::FrameHash* earlier = after == frames.begin() ? nullptr : &*(after - 1);
  const double later_gap = later ? later->timestamp_seconds - seconds : 1e300;
  const double earlier_gap = earlier ? seconds - earlier->timestamp_seconds : 1e300;
  constexpr double kTie = 1e-4;
  const vpdq::FrameHash* best = later_gap <= earlier_gap + kTie ? later : earlier;
  const double gap = best == later ? later_gap : earlier_gap;
  return best != nullptr && gap <= tolerance ? best : nullptr;
}

// Hashes the copy and compares it with the original, frame by frame and as a whole.
void Compare(const std::vector<uint8_t>& copy, const std::vector<vpdq::FrameHash>& original,
             double original_interval, const VideoRobustnessOptions& options,
             VideoEditResult& edit) {
  auto decoder = video::VideoDecoder::OpenMemory(copy.data(), copy.size(), options.limits);
  if (!decoder.ok()) {
    edit.error = "reading the copy: " + decoder.status().message();
    return;
  }
  edit.width = (*decoder)->info().width;
  edit.height = (*decoder)->info().height;
  auto frames = vpdq::HashVideo(**decoder, Sampling(options));
  if (!frames.ok()) {
    edit.error = "hashing the copy: " + frames.status().message();
    return;
  }
  if (frames->empty()) {
    edit.error = "the copy has no frames";
    return;
  }
  edit.frames = static_cast<int>(frames->size());
  const double tolerance = original_interval / 2 + 1e-4;
  for (const vpdq::FrameHash& frame : *frames) {
    const bool good = frame.quality >= options.min_quality;
    if (!good) ++edit.low_quality;
    const vpdq::FrameHash* at = FrameAt(original, frame.timestamp_seconds, tolerance);
    if (at == nullptr || at->quality < options.min_quality) continue;
    const int distance = pdq::HammingDistance(frame.hash, at->hash);
    edit.distances.push_back(distance);
    if (good && distance <= options.max_distance) ++edit.frames_within;
  }
  vpdq::MatchOptions match;
  match.max_distance = options.max_distance;
  match.min_quality = options.min_quality;
  auto result = vpdq::MatchVideos(*frames, original, match);
  if (!result.ok()) {
    edit.error = "matching: " + result.status().message();
    return;
  }
  edit.query_matched_percent = result->query_matched_percent;
  edit.compared_matched_percent = result->compared_matched_percent;
  edit.matched =
      result->query_frames_compared > 0 && result->query_matched_percent >= options.match_percent;
}

// Decodes the original once: its sampled frames are hashed (as `vigil video hash`) and every
// frame goes to each copy's encoder; then each copy is read back, hashed and compared.
VideoResult StudyVideo(const std::string& path, const std::vector<Work>& work,
                       const VideoRobustnessOptions& options) {
  VideoResult result;
  result.path = path;
  std::error_code ec;
  result.bytes = std::filesystem::file_size(path, ec);
  auto decoder = video::VideoDecoder::OpenFile(path, options.limits);
  if (!decoder.ok()) {
    result.error = decoder.status().message();
    return result;
  }
  const video::VideoInfo& info = (*decoder)->info();
  result.width = info.width;
  result.height = info.height;
  result.frame_rate = info.frame_rate;

  std::vector<std::unique_ptr<VideoReencoder>> encoders(work.size());
  result.edits.resize(work.size());
  for (size_t w = 0; w < work.size(); ++w) {
    VideoEditResult& edit = result.edits[w];
    edit.transform = work[w].spec->name;
    edit.strength = work[w].strength.label;
    edit.value = work[w].strength.value;
    auto encoder = VideoReencoder::Create(edit.transform, edit.value, info.width, info.height,
                                          info.frame_rate);
    if (encoder.ok()) {
      encoders[w] = std::move(encoder.value());
    } else {
      edit.error = encoder.status().message();
    }
  }

  vpdq::FrameHasher hasher(info.frame_rate);  // as vigil_vpdq
  const int64_t step = SamplingStep(info.frame_rate, options.frames_per_second);
  std::vector<vpdq::FrameHash> original;
  video::SamplingOptions every;
  every.every_frame = true;
  Status decoded = (*decoder)->ForEachFrame(every, [&](const video::VideoFrame& frame) -> Status {
    if (frame.frame_number % step == 0) {
      auto h = hasher.Hash(frame.rgb, frame.width, frame.height, frame.stride, frame.frame_number,
                           frame.timestamp_seconds);
      if (!h.ok()) return h.status();
      original.push_back(*h);
    }
    for (size_t w = 0; w < encoders.size(); ++w) {
      if (!encoders[w]) continue;
      if (Status s = encoders[w]->AddFrame(frame); !s.ok()) {
        result.edits[w].error = "re-encoding: " + s.message();
        encoders[w].reset();
      }
    }
    return Status::Ok();
  });
  if (!decoded.ok()) {
    result.error = decoded.message();
    result.edits.clear();
    return result;
  }
  if (original.empty()) {
    result.error = "no frames decoded";
    result.edits.clear();
    return result;
  }
  result.frames = static_cast<int>(original.size());
  for (const vpdq::FrameHash& f : original) {
    if (f.quality < options.min_quality) ++result.low_quality;
  }
  const double interval = static_cast<double>(step) / info.frame_rate;
  for (size_t w = 0; w < encoders.size(); ++w) {
    if (!encoders[w]) continue;
    auto copy = encoders[w]->Finish();
    encoders[w].reset();
    if (!copy.ok()) {
      result.edits[w].error = "re-encoding: " + copy.status().message();
      continue;
    }
    result.edits[w].bytes = copy->size();
    Compare(*copy, original, interval, options, result.edits[w]);
  }
  return result;
}

}  // namespace

StatusOr<VideoRobustnessStudy> RunVideoRobustnessStudy(const std::vector<std::string>& videos,
                                                       const VideoRobustnessOptions& options) {
  if (options.max_distance < 0 || options.max_distance > 256) {
    return Status::InvalidArgument("the distance must be 0..256");
  }
  if (options.min_quality < 0 || options.min_quality > 100) {
    return Status::InvalidArgument("the quality must be 0..100");
  }
  if (!(options.match_percent >= 0 && options.match_percent <= 100)) {
    return Status::InvalidArgument("the match percent must be 0..100");
  }
  if (!(options.frames_per_second >= 0) || !std::isfinite(options.frames_per_second)) {
    return Status::InvalidArgument("the frames per second must be positive (0: every frame)");
  }
  std::vector<const VideoTransformSpec*> specs;
  if (options.transforms.empty()) {
    for (const VideoTransformSpec& spec : VideoTransforms()) specs.push_back(&spec);
  } else {
    for (const std::string& name : options.transforms) {
      const VideoTransformSpec* spec = FindVideoTransform(name);
      if (!spec) {
        std::string known;
        for (const VideoTransformSpec& s : VideoTransforms()) {
          known += (known.empty() ? "" : ", ") + s.name;
        }
        return Status::InvalidArgument("unknown video transform '" + name + "' (known: " + known +
                                       ")");
      }
      if (std::find(specs.begin(), specs.end(), spec) == specs.end()) specs.push_back(spec);
    }
  }
  std::vector<Work> work;
  for (const VideoTransformSpec* spec : specs) {
    for (const TransformStrength& s : options.small ? spec->small : spec->full) {
      work.push_back({spec, s});
    }
  }

  VideoRobustnessStudy study;
  study.videos.resize(videos.size());
  std::atomic<size_t> next{0};
  std::mutex progress_mutex;
  size_t done = 0;
  auto run = [&] {
    for (size_t i; (i = next.fetch_add(1)) < videos.size();) {
      study.videos[i] = StudyVideo(videos[i], work, options);
      std::lock_guard<std::mutex> lock(progress_mutex);
      ++done;
      if (options.progress) options.progress(done, videos.size());
    }
  };
  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                         : std::max(1u, std::thread::hardware_concurrency());
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(videos.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run);
  run();
  for (std::thread& t : pool) t.join();

  for (size_t w = 0; w < work.size(); ++w) {
    VideoStrengthSummary s;
    s.transform = work[w].spec->name;
    s.strength = work[w].strength.label;
    s.value = work[w].strength.value;
    uint64_t copy_bytes = 0, original_bytes = 0;
    double query_percent = 0;
    for (const VideoResult& video : study.videos) {
      if (!video.error.empty()) continue;
      const VideoEditResult& edit = video.edits[w];
      if (!edit.error.empty()) {
        ++s.failed;
        continue;
      }
      ++s.videos;
      if (edit.matched) ++s.matched;
      s.frames += static_cast<int64_t>(edit.distances.size());
      s.frames_within += edit.frames_within;
      s.low_quality += edit.low_quality;
      query_percent += edit.query_matched_percent;
      copy_bytes += edit.bytes;
      original_bytes += video.bytes;
      s.distances.insert(s.distances.end(), edit.distances.begin(), edit.distances.end());
    }
    if (s.videos > 0) {
      s.match_rate = static_cast<double>(s.matched) / s.videos;
      s.mean_query_matched_percent = query_percent / s.videos;
      if (original_bytes > 0) s.bytes_ratio = static_cast<double>(copy_bytes) / original_bytes;
    }
    if (s.frames > 0) s.frame_match_rate = static_cast<double>(s.frames_within) / s.frames;
    static_cast<DistanceSummary&>(s) = SummariseDistances(s.distances);
    study.summaries.push_back(std::move(s));
  }
  return study;
}

}  // namespace vigil::eval
