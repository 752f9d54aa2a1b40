// Per-item overhead of the vigil.python bridge (issue 17, item 2; goal < 300 us beyond the
// Python function's own time), against the same logic as a C++ plugin. In process: the
// worker round trip is the same for every plugin (bench/isolation, docs/isolation.md).
//   build/release/bench/vigil_python_bridge_bench
// Counters per item: `own_us` is the Python function's own time (it times itself,
// bench/python/timed_detector.py), `overhead_us` the rest of the round trip (the host's
// sinks and parsing, the GIL, the numpy view, the item dict, the call, the result
// conversion).
#include <Python.h>
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "loader/plugin_library.h"
#include "vigil/v1/item.pb.h"

namespace {

using vigil::host::PluginLibrary;

std::shared_ptr<PluginLibrary> Load(const std::string& path) {
  auto library = PluginLibrary::Open(path);
  if (!library.ok()) {
    std::fprintf(stderr, "%s\n", library.status().message().c_str());
    std::abort();
  }
  return library.value();
}

struct RedImage {
  std::vector<uint8_t> pixels;
  std::string metadata;
  vigil_image_view_t image{};
  vigil_item_view_t view{};
  RedImage(uint32_t width, uint32_t height) : pixels(size_t{width} * height * 3) {
    for (size_t i = 0; i < pixels.size(); i += 3) {
      pixels[i] = 220;
      pixels[i + 1] = static_cast<uint8_t>(i % 40);
      pixels[i + 2] = 20;
    }
    vigil::v1::ItemMetadata m;
    m.set_item_id("bench");
    m.set_size_bytes(pixels.size());
    m.mutable_image()->set_width(width);
    m.mutable_image()->set_height(height);
    metadata = m.SerializeAsString();
    image = {sizeof(image), width, height, width * 3, VIGIL_PIXEL_RGB8, 1, pixels.data()};
    view.struct_size = sizeof(view);
    view.media_kind = VIGIL_MEDIA_IMAGE;
    view.metadata = reinterpret_cast<const uint8_t*>(metadata.data());
    view.metadata_size = metadata.size();
    view.bytes = pixels.data();
    view.bytes_size = pixels.size();
    view.image = &image;
  }
};

// The timed detector's module state (the bridge's interpreter is this process's).
long long PythonSetup(bool noop) {
  PyGILState_STATE gil = PyGILState_Ensure();
  PyObject* modules = PyImport_GetModuleDict();
  PyObject* module = PyDict_GetItemString(modules, "vigil_detector");
  long long own = -1;
  if (module != nullptr) {
    PyObject* own_list = PyObject_GetAttrString(module, "OWN_NS");
    PyObject* noop_list = PyObject_GetAttrString(module, "NOOP");
    if (own_list != nullptr && noop_list != nullptr) {
      own = PyLong_AsLongLong(PyList_GetItem(own_list, 0));
      PyList_SetItem(own_list, 0, PyLong_FromLong(0));
      PyList_SetItem(noop_list, 0, PyBool_FromLong(noop ? 1 : 0));
    }
    Py_XDECREF(own_list);
    Py_XDECREF(noop_list);
  }
  PyErr_Clear();
  PyGILState_Release(gil);
  return own;
}

void BM_Cpp(benchmark::State& state) {
  auto library = Load(std::string(VIGIL_BENCH_PLUGIN_DIR) + "/bench-red-cpp.so");
  auto instance = library->Detectors()[0].Create({});
  RedImage item(static_cast<uint32_t>(state.range(0)), static_cast<uint32_t>(state.range(1)));
  for (auto _ : state) {
    auto outcome = instance.value()->Analyze(item.view);
    if (outcome.result.detections_size() != 1) state.SkipWithError("no detection");
    benchmark::DoNotOptimize(outcome);
  }
}

void BM_Python(benchmark::State& state, bool noop) {
  ::setenv("VIGIL_PYTHON_DETECTOR", VIGIL_BENCH_PY_DETECTOR, 1);
  auto library = Load(VIGIL_BENCH_BRIDGE);
  auto instance = library->Detectors()[0].Create({});
  if (!instance.ok()) {
    state.SkipWithError(instance.status().message().c_str());
    return;
  }
  RedImage item(static_cast<uint32_t>(state.range(0)), static_cast<uint32_t>(state.range(1)));
  PythonSetup(noop);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto outcome = instance.value()->Analyze(item.view);
    if (outcome.result.detections_size() != (noop ? 0 : 1)) state.SkipWithError("wrong result");
    benchmark::DoNotOptimize(outcome);
  }
  const double wall_ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  const double own_ns = static_cast<double>(PythonSetup(false));
  const double n = static_cast<double>(state.iterations());
  state.counters["own_us"] = own_ns / n / 1000.0;
  state.counters["overhead_us"] = (wall_ns - own_ns) / n / 1000.0;
}

BENCHMARK(BM_Cpp)
    ->Args({64, 64})
    ->Args({512, 512})
    ->Args({1600, 1004})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Python, red, false)
    ->Args({64, 64})
    ->Args({512, 512})
    ->Args({1600, 1004})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Python, noop, true)
    ->Args({64, 64})
    ->Args({1600, 1004})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
