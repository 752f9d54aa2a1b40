// One analyze() round trip in process vs through a vigil-worker (socketpair frames,
// protobuf request/reply, sealed memfds for bytes and pixels):
//   Small*, Image*   the ABI bench's C echo plugin, so the numbers are the isolation
//                    overhead alone, not detector work. ImageOutOfProcess/shared has the
//                    image in the host's shared regions (what `vigil scan` does);
//                    /copied has it on the heap (copied into the worker's buffer).
//   Pdq*             vigil.pdq hashing a 1600x1004 image: the overhead on real work;
//                    the `overhead` counter of PdqOutOfProcess is against the
//                    in-process run measured just before it, in the same process.
//   build/release/bench/vigil_isolation_bench   (from the repository root)
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "isolation/plugin_trust.h"
#include "isolation/shared_media_pool.h"
#include "isolation/worker_analyzer.h"
#include "loader/plugin_library.h"
#include "vigil/v1/item.pb.h"

namespace {

using vigil::host::Analyzer;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "vigil_isolation_bench: %s\n", why.c_str());
  std::exit(1);
}

vigil::isolation::SharedMediaPool& Pool() {
  static vigil::isolation::SharedMediaPool pool;
  return pool;
}

struct Item {
  std::string bytes;
  std::string metadata;
  std::vector<uint8_t> pixels;
  std::shared_ptr<vigil::isolation::SharedRegion> shared_pixels;
  vigil_image_view_t image{};
  vigil_item_view_t view{};

  // A small item (64 bytes) or a 1600x1004 RGB image, its pixels on the heap or in a
  // shared region (as the pipeline decodes them).
  explicit Item(bool with_image, bool shared = false) {
    vigil::v1::ItemMetadata m;
    m.set_item_id("bench");
    metadata = m.SerializeAsString();
    view.struct_size = sizeof(view);
    view.media_kind = with_image ? VIGIL_MEDIA_IMAGE : VIGIL_MEDIA_BINARY;
    view.metadata = reinterpret_cast<const uint8_t*>(metadata.data());
    view.metadata_size = metadata.size();
    bytes.assign(64, 'x');
    view.bytes = reinterpret_cast<const uint8_t*>(bytes.data());
    view.bytes_size = bytes.size();
    if (with_image) {
      const uint32_t width = 1600, height = 1004, stride = width * 3;
      const size_t size = static_cast<size_t>(stride) * height;
      uint8_t* data = nullptr;
      if (shared) {
        auto region = Pool().Acquire(size);
        if (!region.ok()) Die(region.status().message());
        shared_pixels = std::move(region).value();
        data = shared_pixels->data();
      } else {
        pixels.assign(size, 0);
        data = pixels.data();
      }
      // A smooth pattern with some texture: PDQ's quality stays realistic.
      for (uint32_t y = 0; y < height; ++y) {
        for (uint32_t x = 0; x < stride; ++x) {
          data[static_cast<size_t>(y) * stride + x] =
              static_cast<uint8_t>((x / 3 + y) / 8 + ((x * 7 + y * 13) & 15));
        }
      }
      image = {sizeof(image), width, height, stride, VIGIL_PIXEL_RGB8, 1, data};
      view.image = &image;
    }
  }
};

std::unique_ptr<Analyzer> InProcess(const char* path = VIGIL_BENCH_PLUGIN) {
  auto library = vigil::host::PluginLibrary::Open(path);
  if (!library.ok()) Die(library.status().message());
  auto instance = library.value()->Detectors()[0].Create({});
  if (!instance.ok()) Die(instance.status().message());
  return std::move(instance).value();
}

std::unique_ptr<Analyzer> OutOfProcess(const char* path = VIGIL_BENCH_PLUGIN,
                                       const char* id = "bench.echo-c") {
  namespace iso = vigil::isolation;
  auto plugin = iso::OpenVerifiedPlugin(path, iso::TrustStore(), {false, true});
  if (!plugin.ok()) Die(plugin.status().message());
  vigil::v1::DetectorInfo info;
  info.set_id(id);
  iso::SupervisionOptions options;
  options.worker.worker_exe = VIGIL_WORKER_PATH;
  options.max_workers = 1;
  auto analyzer =
      iso::WorkerAnalyzer::Create(std::make_shared<iso::VerifiedPlugin>(std::move(plugin).value()),
                                  info, vigil::v1::DetectorConfig(), options, nullptr);
  if (!analyzer.ok()) Die(analyzer.status().message());
  return std::move(analyzer).value();
}

void Run(benchmark::State& state, Analyzer& analyzer, const Item& item) {
  for (auto _ : state) {
    auto outcome = analyzer.Analyze(item.view);
    if (!outcome.status.ok()) {
      state.SkipWithError(outcome.status.message().c_str());
      break;
    }
    benchmark::DoNotOptimize(outcome);
  }
}

void BM_SmallInProcess(benchmark::State& state) {
  auto analyzer = InProcess();
  Item item(false);
  Run(state, *analyzer, item);
}
void BM_SmallOutOfProcess(benchmark::State& state) {
  auto analyzer = OutOfProcess();
  Item item(false);
  Run(state, *analyzer, item);
}
void BM_ImageInProcess(benchmark::State& state) {
  auto analyzer = InProcess();
  Item item(true);
  Run(state, *analyzer, item);
}
void BM_ImageOutOfProcess(benchmark::State& state, bool shared) {
  auto analyzer = OutOfProcess();
  Item item(true, shared);
  Run(state, *analyzer, item);
}

// Seconds per call of the last in-process PDQ run, for the out-of-process row's ratio.
double& InProcessPdqSeconds() {
  static double seconds = 0;
  return seconds;
}

void BM_PdqInProcess(benchmark::State& state) {
  auto analyzer = InProcess(VIGIL_PDQ_PLUGIN);
  Item item(true, true);
  const auto start = std::chrono::steady_clock::now();
  Run(state, *analyzer, item);
  InProcessPdqSeconds() =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
      static_cast<double>(state.iterations());
}

void BM_PdqOutOfProcess(benchmark::State& state) {
  auto analyzer = OutOfProcess(VIGIL_PDQ_PLUGIN, "vigil.pdq");
  Item item(true, true);
  const auto start = std::chrono::steady_clock::now();
  Run(state, *analyzer, item);
  const double per_call =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
      static_cast<double>(state.iterations());
  if (InProcessPdqSeconds() > 0) {
    state.counters["overhead_pct"] = 100.0 * (per_call / InProcessPdqSeconds() - 1.0);
  }
}

BENCHMARK(BM_SmallInProcess);
BENCHMARK(BM_SmallOutOfProcess);
BENCHMARK(BM_ImageInProcess)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ImageOutOfProcess, shared, true)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ImageOutOfProcess, copied, false)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PdqInProcess)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_PdqOutOfProcess)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
