// ONNX Runtime backend through the C API (the headers shipped without the C++ wrapper).
// libonnxruntime.so.1 is opened with dlopen at Load time rather than linked: the only
// symbol needed is OrtGetApiBase, everything else comes through the OrtApi table, and a
// machine without the library still loads the classifier and falls back to OpenCV DNN.
#include "inference_backend.h"

#if VIGIL_CLASSIFIER_HAVE_ORT

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "onnxruntime_c_api.h"

namespace vigil::classifier {
namespace {

// The process-wide runtime: the opened library, its API table and one OrtEnv (ORT wants
// one environment per process). Never unloaded: sessions may live until exit.
struct OrtRuntime {
  void* library = nullptr;
  const OrtApi* api = nullptr;
  OrtEnv* env = nullptr;
  std::string version;
  std::string path;  // as opened (canonical when it names a file)
};

// The canonical path when `path` names an existing file, else `path` (a bare soname).
std::string Canonical(const std::string& path) {
  std::error_code ec;
  auto canonical = std::filesystem::canonical(path, ec);
  return ec ? path : canonical.string();
}

// Turns an OrtStatus into a Status and releases it.
Status Check(const OrtApi* api, OrtStatus* status, const char* what) {
  if (status == nullptr) return Status::Ok();
  std::string message = std::string("onnxruntime ") + what + ": " + api->GetErrorMessage(status);
  api->ReleaseStatus(status);
  return Status::Internal(message);
}

// <dir of the .so or executable holding this code>/libonnxruntime.so.1, so that an
// installed plugin finds the library packaged next to it.
std::string BesideThisModule() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&BesideThisModule), &info) == 0 ||
      info.dli_fname == nullptr) {
    return "";
  }
  std::error_code ec;
  auto dir = std::filesystem::path(info.dli_fname).parent_path();
  auto candidate = dir / "libonnxruntime.so.1";
  return std::filesystem::exists(candidate, ec) ? candidate.string() : "";
}

// Vigil's private lib dir beside the running program: <bin>/../lib/vigil/onnxruntime, where
// the build tree stages ONNX Runtime and an install (or the .deb) puts it. This is how a
// worker finds it: there the plugin is a memfd, so neither "beside this module" nor the
// plugin's RUNPATH ($ORIGIN/../onnxruntime) can name a real folder. The host lets the
// worker read that folder (HostConfig::onnxruntime_dir).
std::string InPrivateLibDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  auto candidate =
      exe.parent_path() / ".." / "lib" / "vigil" / "onnxruntime" / "libonnxruntime.so.1";
  return std::filesystem::exists(candidate, ec) ? candidate.lexically_normal().string() : "";
}

StatusOr<const OrtRuntime*> LoadRuntime(const std::string& requested) {
  static std::mutex mutex;
  static OrtRuntime runtime;      // guarded by mutex until api is set, then read-only
  std::lock_guard<std::mutex> lock(mutex);
  if (runtime.api != nullptr) {
    // One ORT per process: a different explicit library cannot be loaded beside it.
    if (requested.empty() || Canonical(requested) == runtime.path) return &runtime;
    return Status::Unavailable("ONNX Runtime is already loaded from " + runtime.path +
                               " in this process; cannot also load " + requested);
  }

  std::vector<std::string> candidates;
  if (!requested.empty()) {
    candidates.push_back(requested);
  } else {
    if (const char* env = std::getenv("VIGIL_ONNXRUNTIME_LIBRARY"); env && *env) {
      candidates.push_back(env);
    }
    if (std::string beside = BesideThisModule(); !beside.empty()) candidates.push_back(beside);
    if (std::string private_dir = InPrivateLibDir(); !private_dir.empty()) {
      candidates.push_back(private_dir);
    }
    // Last the soname: the installed plugin's RUNPATH names $ORIGIN/../onnxruntime. No
    // build-tree path is compiled in: test programs in build/<preset>/tests find the copy
    // the build tree stages in build/<preset>/lib/vigil/onnxruntime like an install.
    candidates.push_back("libonnxruntime.so.1");
  }
  std::string tried;
  std::string loaded_path;
  void* handle = nullptr;
  for (const auto& path : candidates) {
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle) {
      loaded_path = Canonical(path);
      break;
    }
    const char* err = dlerror();
    tried += "\n  " + path + ": " + (err ? err : "unknown error");
  }
  if (!handle) {
    return Status::Unavailable("ONNX Runtime library not found (run scripts/fetch-onnxruntime.sh"
                               " or set VIGIL_ONNXRUNTIME_LIBRARY); tried:" + tried);
  }
  using GetApiBaseFn = const OrtApiBase* (*)();
  auto get_api_base = reinterpret_cast<GetApiBaseFn>(dlsym(handle, "OrtGetApiBase"));
  if (!get_api_base) {
    dlclose(handle);
    return Status::Unavailable("the ONNX Runtime library has no OrtGetApiBase symbol");
  }
  const OrtApiBase* base = get_api_base();
  const OrtApi* api = base->GetApi(ORT_API_VERSION);
  if (!api) {
    std::string version = base->GetVersionString();
    dlclose(handle);
    return Status::Unavailable("ONNX Runtime " + version + " does not provide C API version " +
                               std::to_string(ORT_API_VERSION) + " (built against newer headers)");
  }
  OrtEnv* env = nullptr;
  Status st = Check(api, api->CreateEnv(ORT_LOGGING_LEVEL_ERROR, "vigil-classifier", &env),
                    "CreateEnv");
  if (!st.ok()) return st;  // library stays open: ORT may have started threads
  runtime.library = handle;
  runtime.path = loaded_path;
  runtime.env = env;
  runtime.version = base->GetVersionString();
  runtime.api = api;
  return &runtime;
}

class OrtBackend final : public InferenceBackend {
 public:
  OrtBackend(const OrtRuntime* rt, const BackendConfig& config)
      : rt_(rt),
        api_(rt->api),
        input_name_(config.input_name),
        output_name_(config.output_name),
        image_shape_(config.image_shape),
        num_outputs_(config.num_outputs),
        name_("onnxruntime " + rt->version) {}

  OrtBackend(const OrtBackend&) = delete;  // owns C handles
  OrtBackend& operator=(const OrtBackend&) = delete;

  ~OrtBackend() override {
    if (session_) api_->ReleaseSession(session_);
    if (memory_info_) api_->ReleaseMemoryInfo(memory_info_);
  }

  Status Init(const BackendConfig& config) {
    OrtSessionOptions* options = nullptr;
    Status st = Check(api_, api_->CreateSessionOptions(&options), "CreateSessionOptions");
    if (!st.ok()) return st;
    st = Configure(options, config.threads);
    if (st.ok()) {
      st = Check(api_,
                 api_->CreateSessionFromArray(rt_->env, config.model_bytes->data(),
                                              config.model_bytes->size(), options, &session_),
                 "CreateSession");
    }
    api_->ReleaseSessionOptions(options);
    if (!st.ok()) return st;
    return Check(api_, api_->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault,
                                                 &memory_info_),
                 "CreateCpuMemoryInfo");
  }

  BackendKind kind() const override { return BackendKind::kOnnxRuntime; }
  std::string_view name() const override { return name_; }

  Status Run(const float* input, int batch, std::vector<float>* output) const override {
    std::vector<int64_t> shape = {batch};
    shape.insert(shape.end(), image_shape_.begin(), image_shape_.end());
    size_t count = static_cast<size_t>(batch);
    for (int64_t d : image_shape_) count *= static_cast<size_t>(d);
    OrtValue* in = nullptr;
    // ORT does not write inputs; the C API takes a non-const pointer regardless.
    Status st = Check(api_,
                      api_->CreateTensorWithDataAsOrtValue(
                          memory_info_, const_cast<float*>(input), count * sizeof(float),
                          shape.data(), shape.size(), ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &in),
                      "CreateTensor");
    if (!st.ok()) return st;
    const char* in_names[] = {input_name_.c_str()};
    const char* out_names[] = {output_name_.c_str()};
    OrtValue* out = nullptr;
    st = Check(api_, api_->Run(session_, nullptr, in_names, &in, 1, out_names, 1, &out), "Run");
    api_->ReleaseValue(in);
    if (!st.ok()) return st;
    st = CopyOutput(out, batch, output);
    api_->ReleaseValue(out);
    return st;
  }

 private:
  Status Configure(OrtSessionOptions* options, int threads) {
    Status st = Check(api_, api_->SetIntraOpNumThreads(options, threads), "SetIntraOpNumThreads");
    if (st.ok()) st = Check(api_, api_->SetInterOpNumThreads(options, 1), "SetInterOpNumThreads");
    if (st.ok()) {
      st = Check(api_, api_->SetSessionGraphOptimizationLevel(options, ORT_ENABLE_ALL),
                 "SetSessionGraphOptimizationLevel");
    }
    if (st.ok()) {
      // ORT's worker threads otherwise spin on their cores after each run, taking CPU
      // from the host's decoders and other detectors on the same workstation.
      st = Check(api_, api_->AddSessionConfigEntry(options, "session.intra_op.allow_spinning",
                                                   "0"),
                 "AddSessionConfigEntry");
    }
    return st;
  }

  Status CopyOutput(OrtValue* out, int batch, std::vector<float>* output) const {
    OrtTensorTypeAndShapeInfo* info = nullptr;
    Status st = Check(api_, api_->GetTensorTypeAndShape(out, &info), "GetTensorTypeAndShape");
    if (!st.ok()) return st;
    size_t count = 0;
    ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    st = Check(api_, api_->GetTensorShapeElementCount(info, &count), "GetTensorShapeElementCount");
    if (st.ok()) st = Check(api_, api_->GetTensorElementType(info, &type), "GetTensorElementType");
    api_->ReleaseTensorTypeAndShapeInfo(info);
    if (!st.ok()) return st;
    const size_t expected = static_cast<size_t>(batch) * static_cast<size_t>(num_outputs_);
    if (type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || count != expected) {
      return Status::Internal("onnxruntime returned " + std::to_string(count) +
                              " values for output '" + output_name_ + "', expected " +
                              std::to_string(expected) + " floats");
    }
    float* data = nullptr;
    st = Check(api_, api_->GetTensorMutableData(out, reinterpret_cast<void**>(&data)),
               "GetTensorMutableData");
    if (!st.ok()) return st;
    output->assign(data, data + count);
    return Status::Ok();
  }

  const OrtRuntime* rt_;
  const OrtApi* api_;
  std::string input_name_, output_name_;
  std::vector<int64_t> image_shape_;
  int num_outputs_;
  std::string name_;
  OrtSession* session_ = nullptr;      // owned; Run is thread-safe on one session
  OrtMemoryInfo* memory_info_ = nullptr;  // owned
};

}  // namespace

StatusOr<std::unique_ptr<InferenceBackend>> CreateOrtBackend(const BackendConfig& config) {
  auto rt = LoadRuntime(config.onnxruntime_library);
  if (!rt.ok()) return rt.status();
  auto backend = std::make_unique<OrtBackend>(rt.value(), config);
  Status st = backend->Init(config);
  if (!st.ok()) return st;
  return std::unique_ptr<InferenceBackend>(std::move(backend));
}

}  // namespace vigil::classifier

#else  // !VIGIL_CLASSIFIER_HAVE_ORT

namespace vigil::classifier {

StatusOr<std::unique_ptr<InferenceBackend>> CreateOrtBackend(const BackendConfig&) {
  return Status::Unavailable(
      "this build has no ONNX Runtime backend: its headers were not found at configure time "
      "(run scripts/fetch-onnxruntime.sh, then re-run cmake)");
}

}  // namespace vigil::classifier

#endif  // VIGIL_CLASSIFIER_HAVE_ORT
