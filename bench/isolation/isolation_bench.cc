// One analyze() round trip in process vs through a vigil-worker (socketpair frames,
// protobuf request/reply, sealed memfd for images), with the ABI bench's C echo plugin
// so the numbers are the isolation overhead, not detector work.
//   bench/vigil_isolation_bench   (from the release build directory)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "isolation/plugin_trust.h"
#include "isolation/worker_analyzer.h"
#include "loader/plugin_library.h"
#include "vigil/v1/item.pb.h"

namespace {

using vigil::host::Analyzer;

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "vigil_isolation_bench: %s\n", why.c_str());
  std::exit(1);
}

struct Item {
  std::string bytes;
  std::string metadata;
  std::vector<uint8_t> pixels;
  vigil_image_view_t image{};
  vigil_item_view_t view{};

  // A small item (64 bytes) or a 1600x1004 RGB image with its 1600x1004 pixels.
  explicit Item(bool with_image) {
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
      pixels.assign(static_cast<size_t>(stride) * height, 0);
      for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 31);
      image = {sizeof(image), width, height, stride, VIGIL_PIXEL_RGB8, 1, pixels.data()};
      view.image = &image;
    }
  }
};

std::unique_ptr<Analyzer> InProcess() {
  auto library = vigil::host::PluginLibrary::Open(VIGIL_BENCH_PLUGIN);
  if (!library.ok()) Die(library.status().message());
  auto instance = library.value()->Detectors()[0].Create({});
  if (!instance.ok()) Die(instance.status().message());
  return std::move(instance).value();
}

std::unique_ptr<Analyzer> OutOfProcess() {
  namespace iso = vigil::isolation;
  auto plugin = iso::OpenVerifiedPlugin(VIGIL_BENCH_PLUGIN, iso::TrustStore(), {false, true});
  if (!plugin.ok()) Die(plugin.status().message());
  vigil::v1::DetectorInfo info;
  info.set_id("bench.echo-c");
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
void BM_ImageOutOfProcess(benchmark::State& state) {
  auto analyzer = OutOfProcess();
  Item item(true);
  Run(state, *analyzer, item);
}
BENCHMARK(BM_SmallInProcess);
BENCHMARK(BM_SmallOutOfProcess);
BENCHMARK(BM_ImageInProcess)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ImageOutOfProcess)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
