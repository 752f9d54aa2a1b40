// vPDQ hashing speed on the shared clips (issue 16, "Measure"): decode + RGB + PDQ, one
// thread, at 1 frame per second and at every frame. Counters are per CPU second:
//   frames_hashed  sampled frames hashed per CPU second
//   frames_decoded every frame the decoder produced, per CPU second
//   video_seconds  seconds of video hashed per CPU second
//   build/release/bench/video_bench --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true   (one command line)
#include <benchmark/benchmark.h>

#include <string>

#include "vigil/vpdq/vpdq_hash.h"

namespace {

std::string Clip(const char* name) {
  return std::string(VIGIL_TESTDATA) + "/video/videos/" + name + ".mp4";
}

void HashClip(benchmark::State& state, const char* name, bool every_frame) {
  vigil::video::SamplingOptions sampling;
  sampling.every_frame = every_frame;
  double hashed = 0, decoded = 0, seconds = 0;
  for (auto _ : state) {
    vigil::vpdq::HashStats stats;
    auto h = vigil::vpdq::HashVideoFile(Clip(name), sampling, {}, &stats);
    if (!h.ok()) {
      state.SkipWithError(h.status().message().c_str());
      return;
    }
    hashed += static_cast<double>(h->size());
    decoded += static_cast<double>(stats.decode.frames_decoded);
    seconds += static_cast<double>(stats.decode.frames_decoded) / stats.frame_rate;
  }
  using benchmark::Counter;
  state.counters["frames_hashed"] = Counter(hashed, Counter::kIsRate);
  state.counters["frames_decoded"] = Counter(decoded, Counter::kIsRate);
  state.counters["video_seconds"] = Counter(seconds, Counter::kIsRate);
}

// SD: 480x720 H.264, 22.5 s. HD: 720x1280 and 1280x720 H.264.
BENCHMARK_CAPTURE(HashClip, sd_1fps, "chair-orig-22-sd-bar", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(HashClip, hd_1fps, "pattern-hd-no-bar", false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(HashClip, hd_landscape_1fps, "doorknob-hd-no-bar", false)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(HashClip, sd_every_frame, "chair-orig-22-sd-bar", true)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(HashClip, hd_every_frame, "pattern-hd-no-bar", true)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
