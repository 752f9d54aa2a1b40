// vigil.python: runs a researcher's Python detector (detector.py) through the plugin ABI
// (issue 17, item 2; docs/python.md, "Python detectors").
//
// The bridge embeds CPython. At init() it imports the file named by
// $VIGIL_PYTHON_DETECTOR and calls its describe(), which gives the detector's id, version
// and labels: the bridge offers exactly that one detector. Per item it calls
// analyze(image, item) with `image` a read-only numpy VIEW of the host's decoded pixels
// (no copy: in a worker these are the host's shared memory) and `item` a small dict, and
// turns the returned dicts into a vigil.v1.AnalysisResult. A Python exception, or a
// result of the wrong shape, fails the item with one line saying why.
//
// The bridge is not first-party: the host runs it in vigil-worker processes, so the
// import, describe() and every analyze() run under the worker's sandbox (Landlock and the
// load filter before init; the analyze filter after create, from which point no file can
// be opened, which is why everything is imported at init).
//
// Threads: every call takes the GIL, so concurrent analyze calls are serialised there;
// the detector is marked VIGIL_DETECTOR_SERIAL so the host does not queue them on one
// instance for nothing.
#include <Python.h>
#include <dlfcn.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/plugin.h"
#include "vigil/v1/detector.pb.h"
#include "vigil/v1/item.pb.h"
#include "vigil/v1/result.pb.h"

namespace py = pybind11;

namespace {

constexpr char kEnvDetector[] = "VIGIL_PYTHON_DETECTOR";

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

void WriteText(const vigil_sink_t* sink, std::string_view text) {
  if (sink != nullptr && sink->write != nullptr) sink->write(sink, text.data(), text.size());
}

// One line: newlines and other controls become spaces (the host escapes the rest).
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// The traceback's last line ("ZeroDivisionError: division by zero"), with where it was
// raised in the detector when that is known (", line 12 in analyze"). Needs the GIL.
std::string DescribePythonError(py::error_already_set& e) {
  std::string text;
  try {
    text = py::str(e.type().attr("__name__")).cast<std::string>();
    const std::string value = py::str(e.value()).cast<std::string>();
    if (!value.empty()) text += ": " + value;
    py::object tb = e.trace();
    py::object last = py::none();
    // The innermost frame of the detector's own code: not importlib's frozen frames.
    while (!tb.is_none()) {
      const std::string file =
          py::str(tb.attr("tb_frame").attr("f_code").attr("co_filename")).cast<std::string>();
      if (file.rfind("<frozen ", 0) != 0) last = tb;
      tb = tb.attr("tb_next");
    }
    if (!last.is_none()) {
      py::object code = last.attr("tb_frame").attr("f_code");
      const std::string file = py::str(code.attr("co_filename")).cast<std::string>();
      const size_t slash = file.rfind('/');
      text += " (" + (slash == std::string::npos ? file : file.substr(slash + 1)) + ", line " +
              py::str(last.attr("tb_lineno")).cast<std::string>() + ", in " +
              py::str(code.attr("co_name")).cast<std::string>() + ")";
    }
  } catch (...) {
    PyErr_Clear();
    text = "a Python exception that could not be described";
  }
  e.restore();
  PyErr_Clear();
  return OneLine(text);
}

// Thrown inside the bridge with the status and the one-line reason.
struct BridgeError {
  vigil_status_t status;
  std::string message;
};

struct Bridge {
  std::string path;  // detector.py as given
  std::string id;
  std::string info;  // serialized vigil.v1.DetectorInfo
  std::set<std::string> labels;
  py::object module;
  py::object analyze;
  vigil_detector_t table{};
};

Bridge* g_bridge = nullptr;

std::string TypeName(py::handle value) {
  return py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>();
}

// describe() -> {"id": str, "version": str, optional "description", "vendor", "labels",
// "max_ms"}; anything else is refused so that a typo is not silently ignored.
void ReadDescription(Bridge& bridge, py::handle described) {
  const std::string where = bridge.path + ": describe()";
  if (!py::isinstance<py::dict>(described)) {
    throw BridgeError{VIGIL_ERR_CONFIG, where + " must return a dict, not " + TypeName(described)};
  }
  py::dict d = py::reinterpret_borrow<py::dict>(described);
  static const std::set<std::string> kKnown = {"id",     "version", "description",
                                               "vendor", "labels",  "max_ms"};
  for (auto [key, value] : d) {
    if (!py::isinstance<py::str>(key) || kKnown.count(key.cast<std::string>()) == 0) {
      throw BridgeError{VIGIL_ERR_CONFIG,
                        where + ": unknown key " + OneLine(py::repr(key).cast<std::string>()) +
                            " (known: id, version, description, vendor, labels, max_ms)"};
    }
  }
  auto text = [&](const char* key, bool required) -> std::string {
    if (!d.contains(key)) {
      if (required) throw BridgeError{VIGIL_ERR_CONFIG, where + ": '" + key + "' is missing"};
      return "";
    }
    py::handle value = d[key];
    if (!py::isinstance<py::str>(value)) {
      throw BridgeError{VIGIL_ERR_CONFIG,
                        where + ": '" + key + "' must be a str, not " + TypeName(value)};
    }
    return value.cast<std::string>();
  };
  vigil::v1::DetectorInfo info;
  bridge.id = text("id", true);
  info.set_id(bridge.id);
  info.set_version(text("version", true));
  const std::string vendor = text("vendor", false);
  info.set_vendor(vendor.empty() ? "Python detector" : vendor);
  std::string description = text("description", false);
  const size_t slash = bridge.path.rfind('/');
  if (description.empty()) {
    description = "Python detector " +
                  (slash == std::string::npos ? bridge.path : bridge.path.substr(slash + 1));
  }
  info.set_description(description);
  info.set_kind(vigil::v1::DETECTOR_KIND_CLASSIFIER);
  info.add_accepted_media(vigil::v1::MEDIA_KIND_IMAGE);
  if (d.contains("labels")) {
    py::handle labels = d["labels"];
    if (!py::isinstance<py::list>(labels) && !py::isinstance<py::tuple>(labels)) {
      throw BridgeError{VIGIL_ERR_CONFIG,
                        where + ": 'labels' must be a list of str, not " + TypeName(labels)};
    }
    for (py::handle label : labels) {
      if (!py::isinstance<py::str>(label)) {
        throw BridgeError{VIGIL_ERR_CONFIG,
                          where + ": 'labels' must be a list of str, found a " + TypeName(label)};
      }
      bridge.labels.insert(label.cast<std::string>());
      info.add_labels(label.cast<std::string>());
    }
  }
  if (d.contains("max_ms")) {
    py::handle max_ms = d["max_ms"];
    if (!py::isinstance<py::int_>(max_ms) || py::isinstance<py::bool_>(max_ms) ||
        max_ms.cast<long long>() < 1 || max_ms.cast<long long>() > 3600000) {
      throw BridgeError{VIGIL_ERR_CONFIG,
                        where + ": 'max_ms' must be a whole number of milliseconds, 1..3600000"};
    }
    info.mutable_cost()->set_max_ms(static_cast<uint32_t>(max_ms.cast<long long>()));
  }
  bridge.info = info.SerializeAsString();
}

vigil::v1::Severity ParseSeverity(const std::string& text, const std::string& where) {
  if (text == "none") return vigil::v1::SEVERITY_NONE;
  if (text == "low") return vigil::v1::SEVERITY_LOW;
  if (text == "medium") return vigil::v1::SEVERITY_MEDIUM;
  if (text == "high") return vigil::v1::SEVERITY_HIGH;
  if (text == "critical") return vigil::v1::SEVERITY_CRITICAL;
  throw BridgeError{VIGIL_ERR_INTERNAL,
                    where + ": 'severity' must be none, low, medium, high or critical, not '" +
                        OneLine(text) + "'"};
}

// analyze() returns None, or a list (or tuple) of dicts:
//   {"label": str, "score": float 0..1, optional "severity": str, "reason": str}.
void ReadDetections(const Bridge& bridge, py::handle returned, vigil::v1::AnalysisResult& result) {
  if (returned.is_none()) return;
  if (!py::isinstance<py::list>(returned) && !py::isinstance<py::tuple>(returned)) {
    throw BridgeError{VIGIL_ERR_INTERNAL,
                      "analyze() must return a list of dicts (or None), not " + TypeName(returned)};
  }
  size_t index = 0;
  for (py::handle entry : returned) {
    const std::string where = "analyze() detection " + std::to_string(index++);
    if (!py::isinstance<py::dict>(entry)) {
      throw BridgeError{VIGIL_ERR_INTERNAL, where + " must be a dict, not " + TypeName(entry)};
    }
    py::dict d = py::reinterpret_borrow<py::dict>(entry);
    for (auto [key, value] : d) {
      const std::string name = py::isinstance<py::str>(key) ? key.cast<std::string>() : "";
      if (name != "label" && name != "score" && name != "severity" && name != "reason") {
        throw BridgeError{VIGIL_ERR_INTERNAL, where + ": unknown key " +
                                                  OneLine(py::repr(key).cast<std::string>()) +
                                                  " (known: label, score, severity, reason)"};
      }
    }
    auto text = [&](const char* key, bool required) -> std::string {
      if (!d.contains(key)) {
        if (required) throw BridgeError{VIGIL_ERR_INTERNAL, where + ": '" + key + "' is missing"};
        return "";
      }
      py::handle value = d[key];
      if (!py::isinstance<py::str>(value)) {
        throw BridgeError{VIGIL_ERR_INTERNAL,
                          where + ": '" + key + "' must be a str, not " + TypeName(value)};
      }
      return value.cast<std::string>();
    };
    vigil::v1::Detection* detection = result.add_detections();
    detection->set_detector(bridge.id);
    const std::string label = text("label", true);
    if (label.empty()) throw BridgeError{VIGIL_ERR_INTERNAL, where + ": 'label' is empty"};
    if (!bridge.labels.empty() && bridge.labels.count(label) == 0) {
      throw BridgeError{VIGIL_ERR_INTERNAL, where + ": label '" + OneLine(label) +
                                                "' is not one of the labels describe() declared"};
    }
    detection->set_label(label);
    if (!d.contains("score")) throw BridgeError{VIGIL_ERR_INTERNAL, where + ": 'score' is missing"};
    py::handle score = d["score"];
    // Python floats and ints, and numpy's scalars (which convert through __float__).
    if (py::isinstance<py::bool_>(score) || py::isinstance<py::str>(score) ||
        !PyNumber_Check(score.ptr())) {
      throw BridgeError{VIGIL_ERR_INTERNAL,
                        where + ": 'score' must be a number from 0 to 1, not " + TypeName(score)};
    }
    const double value = PyFloat_AsDouble(score.ptr());
    if (PyErr_Occurred() != nullptr) throw py::error_already_set();
    if (!std::isfinite(value) || value < 0.0 || value > 1.0) {
      throw BridgeError{VIGIL_ERR_INTERNAL, where + ": 'score' must be from 0 to 1, not " +
                                                OneLine(py::repr(score).cast<std::string>())};
    }
    detection->set_score(value);
    const std::string severity = text("severity", false);
    detection->set_severity(severity.empty() ? vigil::v1::SEVERITY_MEDIUM
                                             : ParseSeverity(severity, where));
    detection->set_reason(text("reason", false));
  }
}

// The item as the detector sees it: a small dict.
py::dict ItemDict(const vigil_item_view_t* item) {
  vigil::v1::ItemMetadata metadata;
  if (item->metadata_size > 0 &&
      !metadata.ParseFromArray(item->metadata, static_cast<int>(item->metadata_size))) {
    throw BridgeError{VIGIL_ERR_INVALID_ARGUMENT, "item metadata is not a vigil.v1.ItemMetadata"};
  }
  py::dict d;
  d["id"] = metadata.item_id();
  d["media_kind"] = "image";
  d["size"] =
      metadata.size_bytes() != 0 ? metadata.size_bytes() : static_cast<uint64_t>(item->bytes_size);
  d["source"] = metadata.source();
  d["media_type"] = metadata.media_type();
  d["format"] = metadata.image().format();
  d["width"] = item->image->width;
  d["height"] = item->image->height;
  d["orientation"] = item->image->orientation;
  return d;
}

vigil_status_t Describe(const vigil_detector_t*, const vigil_sink_t* out) {
  if (g_bridge == nullptr || out == nullptr) return VIGIL_ERR_INVALID_ARGUMENT;
  return out->write(out, g_bridge->info.data(), g_bridge->info.size());
}

// The detector has no parameters of its own (the file is the configuration); a config
// that does not parse, or that sets any parameter, is refused.
vigil_status_t Create(const vigil_detector_t*, const vigil_host_t*, const uint8_t* config,
                      size_t config_size, void** instance, const vigil_sink_t* err) {
  if (instance == nullptr || g_bridge == nullptr) return VIGIL_ERR_INVALID_ARGUMENT;
  *instance = nullptr;
  vigil::v1::DetectorConfig parsed;
  if (config_size > 0 && !parsed.ParseFromArray(config, static_cast<int>(config_size))) {
    WriteText(err, g_bridge->id + ": configuration is not a valid vigil.v1.DetectorConfig");
    return VIGIL_ERR_CONFIG;
  }
  if (!parsed.params().empty()) {
    WriteText(err, g_bridge->id + ": unknown parameter '" + parsed.params().begin()->first +
                       "' (a Python detector takes none: its file is its configuration)");
    return VIGIL_ERR_CONFIG;
  }
  *instance = g_bridge;
  return VIGIL_OK;
}

void Destroy(void*) {}

vigil_status_t Analyze(void* instance, const vigil_item_view_t* item, const vigil_sink_t* out,
                       const vigil_sink_t* err) {
  if (instance == nullptr || item == nullptr || out == nullptr) return VIGIL_ERR_INVALID_ARGUMENT;
  const Bridge& bridge = *static_cast<Bridge*>(instance);
  const vigil_image_view_t* image = item->image;
  if (item->media_kind != VIGIL_MEDIA_IMAGE || image == nullptr) {
    WriteText(err, "a Python detector analyses decoded images only");
    return VIGIL_ERR_UNSUPPORTED;
  }
  size_t channels = 0;
  switch (image->pixel_format) {
    case VIGIL_PIXEL_GRAY8:
      channels = 1;
      break;
    case VIGIL_PIXEL_RGB8:
      channels = 3;
      break;
    case VIGIL_PIXEL_RGBA8:
      channels = 4;
      break;
    default:
      WriteText(err, "unknown pixel format " + std::to_string(image->pixel_format));
      return VIGIL_ERR_INVALID_ARGUMENT;
  }
  if (image->pixels == nullptr || image->width == 0 || image->height == 0 ||
      image->stride < image->width * channels) {
    WriteText(err, "malformed image view");
    return VIGIL_ERR_INVALID_ARGUMENT;
  }
  py::gil_scoped_acquire gil;
  try {
    std::string serialized;
    {
      // The pixels as a read-only numpy view: (height, width, channels) uint8 with the
      // host's row stride, or (height, width) for gray; no byte is copied. Its base is a
      // capsule that owns nothing, so that the bridge can see whether the detector kept
      // the view (or a view of it) past the call, which it must not: the pixels are the
      // host's and are reused for the next item.
      py::capsule base(static_cast<const void*>(image->pixels), "vigil.pixels", nullptr);
      std::vector<py::ssize_t> shape = {image->height, image->width};
      std::vector<py::ssize_t> strides = {image->stride, static_cast<py::ssize_t>(channels)};
      if (channels > 1) {
        shape.push_back(static_cast<py::ssize_t>(channels));
        strides.push_back(1);
      }
      py::array pixels(py::dtype::of<uint8_t>(), shape, strides, image->pixels, base);
      py::detail::array_proxy(pixels.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
      py::dict item_dict = ItemDict(item);
      py::object returned = bridge.analyze(pixels, item_dict);
      vigil::v1::AnalysisResult result;
      ReadDetections(bridge, returned, result);
      returned = py::none();
      item_dict = py::dict();
      // Ours (`base`, `pixels`) plus the array's reference to its base: anything more is
      // the detector keeping the pixels.
      if (Py_REFCNT(pixels.ptr()) > 1 || Py_REFCNT(base.ptr()) > 2) {
        throw BridgeError{VIGIL_ERR_INTERNAL,
                          "analyze() kept a reference to the image after returning; the pixels "
                          "are the host's and are reused: keep image.copy() instead"};
      }
      if (!result.SerializeToString(&serialized)) {
        throw BridgeError{VIGIL_ERR_INTERNAL, "could not serialize the result"};
      }
    }
    if (serialized.empty()) return VIGIL_OK;
    return out->write(out, serialized.data(), serialized.size());
  } catch (py::error_already_set& e) {
    WriteText(err, DescribePythonError(e));
    return VIGIL_ERR_INTERNAL;
  } catch (const BridgeError& e) {
    WriteText(err, e.message);
    return e.status;
  } catch (const std::exception& e) {
    PyErr_Clear();
    WriteText(err, OneLine(e.what()));
    return VIGIL_ERR_INTERNAL;
  }
}

const void* GetExtension(void*, const char*) { return nullptr; }

vigil_status_t Negotiate(uint32_t host_major, uint32_t host_max_minor, uint32_t* chosen_minor) {
  if (chosen_minor == nullptr || host_major != VIGIL_ABI_MAJOR) return VIGIL_ERR_ABI;
  (void)host_max_minor;
  *chosen_minor = 0;  // everything used here is ABI 1.0
  return VIGIL_OK;
}

// libpython is loaded with the bridge, RTLD_LOCAL like every plugin; the C extensions
// Python imports (numpy's) do not link libpython and expect its symbols to be global.
// Promote the already loaded library to RTLD_GLOBAL (RTLD_NOLOAD: nothing is opened).
bool PromoteLibpython(std::string& why) {
  Dl_info where{};
  if (::dladdr(reinterpret_cast<void*>(&Py_IsInitialized), &where) == 0 ||
      where.dli_fname == nullptr) {
    why = "cannot find the Python library the bridge was loaded with";
    return false;
  }
  if (::dlopen(where.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD) == nullptr) {
    const char* error = ::dlerror();
    why = std::string("cannot make the Python library's symbols global: ") +
          (error != nullptr ? error : "unknown error");
    return false;
  }
  return true;
}

bool StartInterpreter(std::string& why) {
  if (Py_IsInitialized() != 0) return true;  // a second load of the bridge in one process
  if (kAddressSanitizer) {
    // Every Python object from malloc instead of pymalloc's mmap'ed arenas, so that
    // AddressSanitizer checks them and LeakSanitizer sees what the interpreter still
    // holds (it does not scan those arenas, and would report all of it as leaked).
    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    preconfig.allocator = PYMEM_ALLOCATOR_MALLOC;
    PyStatus pre = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(pre) != 0) {
      why = std::string("cannot start Python: ") +
            (pre.err_msg != nullptr ? pre.err_msg : "unknown error");
      return false;
    }
  }
  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);  // no PYTHON* variables, no user site, no cwd on path
  config.install_signal_handlers = 0;    // SIGINT and friends stay the host's
  config.write_bytecode = 0;             // nothing is written (the sandbox forbids it anyway)
  config.site_import = 1;                // Debian's dist-packages (numpy)
  PyStatus status = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(status) != 0) {
    why = std::string("cannot start Python: ") +
          (status.err_msg != nullptr ? status.err_msg : "unknown error");
    return false;
  }
  PyEval_SaveThread();  // the GIL is taken per call
  return true;
}

vigil_status_t Init(const vigil_host_t*, const vigil_sink_t* err) {
  const char* path = std::getenv(kEnvDetector);
  if (path == nullptr || *path == '\0') {
    WriteText(err, std::string("no Python detector: set ") + kEnvDetector +
                       " to the path of a detector.py (docs/python.md)");
    return VIGIL_ERR_CONFIG;
  }
  std::string why;
  if (!PromoteLibpython(why) || !StartInterpreter(why)) {
    WriteText(err, why);
    return VIGIL_ERR_INTERNAL;
  }
  py::gil_scoped_acquire gil;  // before `bridge`, whose Python objects die with the GIL held
  auto bridge = std::make_unique<Bridge>();
  bridge->path = path;
  try {
    py::module_ sys = py::module_::import("sys");
    py::module_ os_path = py::module_::import("os.path");
    const std::string absolute = os_path.attr("abspath")(path).cast<std::string>();
    if (!os_path.attr("isfile")(absolute).cast<bool>()) {
      throw BridgeError{VIGIL_ERR_CONFIG, bridge->path + ": no such file (" + kEnvDetector + ")"};
    }
    // Helpers beside detector.py import as usual; numpy is imported now, while files
    // can still be opened (nothing can be once the worker analyses).
    py::list sys_path = sys.attr("path");
    sys_path.insert(0, os_path.attr("dirname")(absolute));
    py::module_::import("numpy");
    py::module_ util = py::module_::import("importlib.util");
    py::object spec = util.attr("spec_from_file_location")("vigil_detector", absolute);
    if (spec.is_none()) {
      throw BridgeError{VIGIL_ERR_CONFIG, bridge->path + ": not a Python source file"};
    }
    bridge->module = util.attr("module_from_spec")(spec);
    sys.attr("modules")["vigil_detector"] = bridge->module;
    spec.attr("loader").attr("exec_module")(bridge->module);
    for (const char* name : {"describe", "analyze"}) {
      if (!py::hasattr(bridge->module, name) ||
          !PyCallable_Check(bridge->module.attr(name).ptr())) {
        throw BridgeError{VIGIL_ERR_CONFIG, bridge->path + ": defines no function " + name + "()"};
      }
    }
    ReadDescription(*bridge, bridge->module.attr("describe")());
    bridge->analyze = bridge->module.attr("analyze");
  } catch (py::error_already_set& e) {
    WriteText(err, bridge->path + ": " + DescribePythonError(e));
    bridge->module = py::object();
    bridge->analyze = py::object();
    return VIGIL_ERR_CONFIG;
  } catch (const BridgeError& e) {
    WriteText(err, e.message);
    bridge->module = py::object();
    bridge->analyze = py::object();
    return e.status;
  }
  bridge->table = {sizeof(vigil_detector_t),
                   0,
                   bridge->id.c_str(),
                   VIGIL_DETECTOR_SERIAL,
                   &Describe,
                   &Create,
                   &Destroy,
                   &Analyze,
                   &GetExtension};
  g_bridge = bridge.release();
  return VIGIL_OK;
}

// The interpreter stays: CPython and numpy cannot be started twice in one process, and a
// process that loads the bridge again (the conformance kit does) reuses it.
void Deinit() {
  if (g_bridge == nullptr) return;
  {
    py::gil_scoped_acquire gil;
    g_bridge->analyze = py::object();
    g_bridge->module = py::object();
    py::module_::import("sys").attr("modules").attr("pop")("vigil_detector", py::none());
  }
  delete g_bridge;
  g_bridge = nullptr;
}

uint32_t DetectorCount() { return g_bridge != nullptr ? 1 : 0; }

const vigil_detector_t* GetDetector(uint32_t index) {
  return index == 0 && g_bridge != nullptr ? &g_bridge->table : nullptr;
}

}  // namespace

extern "C" VIGIL_EXPORT const vigil_plugin_entry_t vigil_entry_v1 = {
    sizeof(vigil_plugin_entry_t),
    0,
    {VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, VIGIL_ABI_PATCH},
    &Negotiate,
    &Init,
    &Deinit,
    &DetectorCount,
    &GetDetector};
