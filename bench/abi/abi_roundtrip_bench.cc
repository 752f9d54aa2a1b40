// Host -> plugin -> host round trip of one analyze() call with a small message: the
// host's item view, the plugin's result written to a host sink, and the host parsing it.
//   bench/vigil_abi_bench   (from the release build directory)
#include <benchmark/benchmark.h>

#include <string>

#include "loader/plugin_library.h"
#include "loader/result_sink.h"
#include "vigil/v1/item.pb.h"

namespace {

using vigil::host::PluginLibrary;

std::shared_ptr<PluginLibrary> Load(const char* file) {
  auto library = PluginLibrary::Open(std::string(VIGIL_BENCH_PLUGIN_DIR) + "/" + file);
  if (!library.ok()) {
    std::fprintf(stderr, "%s\n", library.status().message().c_str());
    std::abort();
  }
  return library.value();
}

struct SmallItem {
  std::string bytes = std::string(64, 'x');
  std::string metadata;
  vigil_item_view_t view{};
  SmallItem() {
    vigil::v1::ItemMetadata m;
    m.set_item_id("bench");
    metadata = m.SerializeAsString();
    view.struct_size = sizeof(view);
    view.media_kind = VIGIL_MEDIA_BINARY;
    view.metadata = reinterpret_cast<const uint8_t*>(metadata.data());
    view.metadata_size = metadata.size();
    view.bytes = reinterpret_cast<const uint8_t*>(bytes.data());
    view.bytes_size = bytes.size();
  }
};

// Full host path: DetectorInstance::Analyze (sinks, exception guard, parse into
// vigil.v1.AnalysisResult).
void BM_AnalyzeRoundTrip(benchmark::State& state, const char* file) {
  auto library = Load(file);
  auto instance = library->Detectors()[0].Create({});
  SmallItem item;
  for (auto _ : state) {
    auto outcome = instance.value()->Analyze(item.view);
    benchmark::DoNotOptimize(outcome);
  }
}
BENCHMARK_CAPTURE(BM_AnalyzeRoundTrip, c_plugin, "bench-echo-c.so");
BENCHMARK_CAPTURE(BM_AnalyzeRoundTrip, cpp_helper_plugin, "bench-echo-cpp.so");

// Only the C call and the sink write, no parsing: the floor of the ABI itself.
void BM_RawCall(benchmark::State& state) {
  auto library = Load("bench-echo-c.so");
  const vigil_detector_t* table = library->entry().get_detector(0);
  void* instance = nullptr;
  vigil::host::BufferSink err(1024);
  table->create(table, nullptr, nullptr, 0, &instance, err.sink());
  vigil::host::BufferSink out(1 << 20);
  SmallItem item;
  for (auto _ : state) {
    out.Clear();
    benchmark::DoNotOptimize(table->analyze(instance, &item.view, out.sink(), err.sink()));
  }
  table->destroy(instance);
}
BENCHMARK(BM_RawCall);

}  // namespace

BENCHMARK_MAIN();
