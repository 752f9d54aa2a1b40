// End-to-end scanning throughput: intake -> decode once -> every detector -> policy ->
// store, on 1 and 2 threads, with where the time goes.
//
//   build/release/bench/vigil_pipeline_bench
//   VIGIL_BENCH_JPEGS=10000 build/release/bench/vigil_pipeline_bench   (the set)
//
// Data sets: the demo corpus (the shared PDQ images) and N generated 1024x768 JPEGs
// (default 1000; cached under build/bench-data). Detectors: every plugin built into
// lib/vigil/plugins, placed as `vigil scan` places them with the build tree's host.toml
// (first-party plugins in process, the signed sample vendor plugins in sandboxed
// workers, items read and decoded into shared memory). Counters per run:
//   items_per_second            end-to-end throughput
//   decode_share, store_share,  fraction of summed thread time in each stage
//   det:<id>_share
//   overhead                    wall time over the ideal (summed stage time / threads) - 1:
//                               what the pipeline itself adds (queues, hand-offs, idling)
#include <benchmark/benchmark.h>
#include <jpeglib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>

#include "isolation/isolation_runtime.h"
#include "loader/plugin_registry.h"
#include "pipeline/pipeline.h"
#include "policy/policy.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using namespace vigil::host;

// A smooth gradient with noise: compresses like a photo, not like flat colour.
void WriteJpeg(const fs::path& path, int width, int height, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> row(static_cast<size_t>(width) * 3);
  FILE* out = std::fopen(path.c_str(), "wb");
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, out);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 85, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  const int phase = static_cast<int>(seed % 255);
  while (cinfo.next_scanline < cinfo.image_height) {
    const int y = static_cast<int>(cinfo.next_scanline);
    for (int x = 0; x < width; ++x) {
      int noise = static_cast<int>(rng() % 24);
      row[3 * x] = static_cast<uint8_t>((x * 255 / width + phase + noise) & 0xff);
      row[3 * x + 1] = static_cast<uint8_t>((y * 255 / height + noise) & 0xff);
      row[3 * x + 2] = static_cast<uint8_t>(((x + y) / 8 + phase) & 0xff);
    }
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::fclose(out);
}

fs::path JpegSet() {
  const char* env = std::getenv("VIGIL_BENCH_JPEGS");
  const int count = env ? std::atoi(env) : 1000;
  fs::path dir = fs::path(VIGIL_BINARY_DIR) / "bench-data" / ("jpeg-1024x768-" + std::to_string(count));
  if (!fs::exists(dir / ".complete")) {
    fs::create_directories(dir);
    std::fprintf(stderr, "generating %d 1024x768 JPEGs in %s ...\n", count, dir.c_str());
    for (int i = 0; i < count; ++i) {
      WriteJpeg(dir / ("img-" + std::to_string(i) + ".jpg"), 1024, 768, static_cast<uint32_t>(i));
    }
    std::fclose(std::fopen((dir / ".complete").c_str(), "w"));
  }
  return dir;
}

// The build tree's isolation runtime, as `vigil scan` would set it up.
std::shared_ptr<vigil::isolation::IsolationRuntime> Isolation() {
  namespace iso = vigil::isolation;
  const fs::path bin = fs::path(VIGIL_BINARY_DIR) / "bin";
  ::setenv("VIGIL_WORKER", (bin / "vigil-worker").c_str(), /*overwrite=*/0);
  auto config = iso::HostConfig::Load(fs::path(VIGIL_BINARY_DIR) / "lib/vigil/host.toml", bin);
  if (!config.ok()) return nullptr;
  auto runtime = iso::IsolationRuntime::Create(config.value(), iso::RuntimeFlags());
  return runtime.ok() ? runtime.value() : nullptr;
}

void RunPipeline(benchmark::State& state, const fs::path& corpus) {
  auto isolation = Isolation();
  if (!isolation) {
    state.SkipWithError("cannot set up the build tree's isolation runtime (lib/vigil/host.toml)");
    return;
  }
  PluginRegistry registry;
  registry.SetFileLoader(isolation->FileLoader());
  registry.Load(VIGIL_PLUGIN_DIR);
  if (registry.detectors().empty()) {
    state.SkipWithError("no plugins built in lib/vigil/plugins");
    return;
  }
  const Policy policy = Policy::Default();
  int64_t items = 0;
  PipelineTimes totals;
  double wall = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::path store_path = fs::temp_directory_path() / ("vigil-bench-" + std::to_string(::getpid()) + ".db");
    fs::remove(store_path);
    auto store = Store::Open(store_path);
    PipelineOptions options;
    options.threads = static_cast<int>(state.range(0));
    options.make_analyzer = isolation->AnalyzerFactory();
    options.limits.media_storage = isolation->MediaStorage();
    const std::set<std::string> first_party = registry.FirstPartyDetectorIds();
    auto pipeline = Pipeline::Create(registry.detectors(), {}, options);
    auto intake = ItemsFromPaths({corpus});
    state.ResumeTiming();
    auto start = std::chrono::steady_clock::now();
    vigil::Status status = pipeline.value()->Run(std::move(intake), [&](ItemRecord& record) {
      record.outcome = policy.Decide(record, first_party);
      auto recorded = store.value()->RecordItem(record);
      return recorded.ok() ? vigil::Status::Ok() : recorded.status();
    });
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!status.ok()) state.SkipWithError(status.message().c_str());
    PipelineTimes t = pipeline.value()->times();
    items += t.items;
    totals.prepare_ns += t.prepare_ns;
    totals.write_ns += t.write_ns;
    for (const auto& [id, ns] : t.detector_ns) totals.detector_ns[id] += ns;
    state.PauseTiming();
    pipeline.value().reset();
    store.value().reset();
    fs::remove(store_path);
    fs::remove(store_path.string() + "-wal");
    fs::remove(store_path.string() + "-shm");
    state.ResumeTiming();
  }
  double work = static_cast<double>(totals.prepare_ns + totals.write_ns);
  for (const auto& [id, ns] : totals.detector_ns) work += static_cast<double>(ns);
  work /= 1e9;
  state.counters["items_per_second"] = benchmark::Counter(static_cast<double>(items) / wall);
  state.counters["decode_share"] = static_cast<double>(totals.prepare_ns) / 1e9 / work;
  state.counters["store_share"] = static_cast<double>(totals.write_ns) / 1e9 / work;
  for (const auto& [id, ns] : totals.detector_ns) {
    state.counters["det:" + id + "_share"] = static_cast<double>(ns) / 1e9 / work;
  }
  state.counters["overhead"] = wall / (work / static_cast<double>(state.range(0))) - 1.0;
}

void BM_DemoCorpus(benchmark::State& state) {
  RunPipeline(state, fs::path(VIGIL_TESTDATA) / "pdq" / "images-and-lists");
}
BENCHMARK(BM_DemoCorpus)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_Jpeg1024x768(benchmark::State& state) { RunPipeline(state, JpegSet()); }
BENCHMARK(BM_Jpeg1024x768)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
