#include "pipeline/video_frames.h"

#include <cmath>
#include <memory>
#include <numeric>

#include "loader/host_services.h"

namespace vigil::host {

int64_t FrameStep(const FrameWants& wants, double frame_rate) {
  if (wants.every_frame || !(wants.frames_per_second > 0)) return 1;
  const double frames = (1.0 / wants.frames_per_second) * frame_rate;
  return frames >= 1 ? static_cast<int64_t>(std::min(frames, 1e15)) : 1;
}

std::vector<AnalyzeOutcome> LendVideoFrames(const vigil_item_view_t& item,
                                            const std::vector<Analyzer*>& analyzers,
                                            const video::VideoLimits& limits,
                                            std::chrono::milliseconds call_deadline,
                                            VideoLendStats* stats) {
  const size_t n = analyzers.size();
  std::vector<AnalyzeOutcome> outcomes(n);
  if (stats != nullptr) stats->frames_lent.assign(n, 0);
  std::vector<bool> active(n, false);
  for (size_t i = 0; i < n; ++i) {
    const FrameWants wants = analyzers[i]->frame_wants();
    if (!wants.wanted) {
      outcomes[i].status = Status::InvalidArgument("detector " + analyzers[i]->detector_id() +
                                                   " does not take frames");
    } else if (!wants.error.ok()) {
      outcomes[i].status = wants.error;
    } else {
      active[i] = true;
    }
  }
  auto fail_active = [&](const Status& status) {
    for (size_t i = 0; i < n; ++i) {
      if (!active[i]) continue;
      outcomes[i].status = status;
      active[i] = false;
    }
  };
  auto opened = video::VideoDecoder::OpenMemory(
      item.bytes, item.bytes != nullptr ? item.bytes_size : 0, limits);
  if (!opened.ok()) {
    fail_active(opened.status());
    return outcomes;
  }
  video::VideoDecoder& decoder = *opened.value();
  const video::VideoInfo& info = decoder.info();
  vigil_video_info_t video_info{};
  video_info.struct_size = sizeof(video_info);
  video_info.width = info.width;
  video_info.height = info.height;
  video_info.frame_rate = info.frame_rate;
  video_info.duration_seconds = info.duration_seconds;
  video_info.declared_frames = info.declared_frames;

  auto with_deadline = [&](auto&& call) {
    SetThreadDeadline(std::chrono::steady_clock::now() + call_deadline);
    auto result = call();
    SetThreadDeadline({});
    return result;
  };

  std::vector<std::unique_ptr<VideoSession>> sessions(n);
  std::vector<int64_t> steps(n, 1);
  std::vector<bool> failed(n, false);  // a frame call failed: no more frames for it
  int64_t step = 0;                    // gcd of the active steps
  for (size_t i = 0; i < n; ++i) {
    if (!active[i]) continue;
    auto begun = with_deadline([&] { return analyzers[i]->BeginVideo(item, video_info); });
    if (!begun.ok()) {
      outcomes[i].status = begun.status();
      active[i] = false;
      continue;
    }
    sessions[i] = std::move(begun).value();
    steps[i] = FrameStep(analyzers[i]->frame_wants(), info.frame_rate);
    step = std::gcd(step, steps[i]);
  }
  if (step == 0) return outcomes;  // nobody left to lend to

  video::SamplingOptions sampling;
  if (step == 1) {
    sampling.every_frame = true;
  } else {
    // The decoder's step is int(frame_rate / fps): half a step more lands on `step`.
    sampling.frames_per_second = info.frame_rate / (static_cast<double>(step) + 0.5);
  }
  int64_t sampled = 0;
  video::DecodeStats decode_stats;
  Status decoded = decoder.ForEachFrame(
      sampling,
      [&](const video::VideoFrame& frame) -> Status {
        if (CancelRequested()) return Status::Cancelled("the scan was interrupted");
        ++sampled;
        vigil_frame_view_t view{};
        view.struct_size = sizeof(view);
        view.frame_number = frame.frame_number;
        view.timestamp_seconds = frame.timestamp_seconds;
        view.image.struct_size = sizeof(view.image);
        view.image.width = frame.width;
        view.image.height = frame.height;
        view.image.stride = static_cast<uint32_t>(frame.stride);
        view.image.pixel_format = VIGIL_PIXEL_RGB8;
        view.image.orientation = 1;
        view.image.pixels = frame.rgb;
        bool anyone = false;
        for (size_t i = 0; i < n; ++i) {
          if (!active[i] || failed[i]) continue;
          if (frame.frame_number % steps[i] == 0) {
            Status s = with_deadline([&] { return sessions[i]->Frame(view); });
            if (stats != nullptr) ++stats->frames_lent[i];
            if (!s.ok()) {
              failed[i] = true;
              continue;
            }
          }
          anyone = true;
        }
        // Every frame detector failed: decoding further would serve nobody.
        if (!anyone) return Status::Cancelled("every frame detector failed");
        return Status::Ok();
      },
      &decode_stats);
  if (stats != nullptr) {
    stats->frames_decoded = decode_stats.frames_decoded;
    stats->frames_sampled = sampled;
  }
  for (size_t i = 0; i < n; ++i) {
    if (!active[i]) continue;
    // A detector that failed reports its own failure (End keeps it first).
    outcomes[i] = with_deadline([&] { return sessions[i]->End(decoded); });
    sessions[i].reset();
  }
  return outcomes;
}

}  // namespace vigil::host
