// IsolationRuntime: the host's policy for running plugins, and the glue the CLI uses.
//
// Which plugins run where (docs/isolation.md):
//   - first-party: file names (or shell patterns such as "vigil-*.so") listed under
//     [plugins] first_party in the host config, and only inside the plugins directory
//     installed beside the binary. They load in
//     process, trusted like the binary itself.
//   - every other plugin must carry a valid signature by a key in the trust store
//     (unless developer mode), and runs in vigil-worker processes; the host never
//     dlopens it. describe() output comes from a worker.
//   - --in-process loads every plugin in process (debugging); signatures are still
//     checked, and the checked bytes (a sealed memfd) are what gets loaded.
//   - a first-party detector given a model file that is not shipped with Vigil (not
//     under <exe>/../lib/vigil/models) runs in workers like vendor code: the model is
//     untrusted input. The model and its manifest must be signed (UseModel); their
//     verified copies are what the detector loads.
//
// The host config is TOML: $VIGIL_HOST_CONFIG, else <exe>/../lib/vigil/host.toml.
//   [plugins]    first_party = ["vigil-exact.so", ...]
//   [trust]      keys = "DIR" (relative to the config file), developer_mode = false
//   [isolation]  max_deadline_ms, default_deadline_ms, workers_per_detector,
//                memory_mb, cpu_seconds, quarantine_failures, quarantine_minutes
//   [egress]     allowed_origins = ["https://host:port", ...], ca_file (relative to the
//                config file), max_request_bytes, max_response_bytes, timeout_ms
#ifndef VIGIL_HOST_ISOLATION_ISOLATION_RUNTIME_H_
#define VIGIL_HOST_ISOLATION_ISOLATION_RUNTIME_H_

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/status.h"
#include "isolation/http_egress.h"
#include "isolation/plugin_trust.h"
#include "isolation/quarantine.h"
#include "isolation/shared_media_pool.h"
#include "isolation/worker_analyzer.h"
#include "loader/plugin_registry.h"
#include "pipeline/pipeline.h"

namespace vigil::isolation {

struct HostConfig {
  std::filesystem::path plugins_dir;  // where first-party plugins live
  std::filesystem::path models_dir;   // the models shipped with Vigil (plugins_dir/../models)
  std::filesystem::path onnxruntime_dir;  // ONNX Runtime, private (plugins_dir/../onnxruntime)
  std::set<std::string> first_party;  // file names or patterns inside plugins_dir
  std::filesystem::path trust_dir;    // the trust store
  bool developer_mode = false;
  SupervisionOptions supervision;
  QuarantineRule quarantine;
  EgressConfig egress;  // [egress]: outbound HTTPS for plugins (vigil.http/1)

  // A missing file gives the defaults: nothing first-party, the trust store at
  // $XDG_CONFIG_HOME/vigil/trusted-keys (or ~/.config/vigil/trusted-keys).
  static StatusOr<HostConfig> Load(const std::filesystem::path& file,
                                   const std::filesystem::path& exe_dir);
  static std::filesystem::path DefaultFile(const std::filesystem::path& exe_dir);
};

struct RuntimeFlags {
  bool in_process = false;                // --in-process
  bool developer_mode = false;            // --developer-mode (or the config's)
  bool wait_for_debugger = false;         // --wait-for-debugger
  std::filesystem::path quarantine_file;  // empty: quarantine kept in memory
};

// Starts a worker for `plugin` (already opened) and reads what it offers.
StatusOr<host::LoadedPlugin> DescribeInWorker(std::shared_ptr<VerifiedPlugin> plugin,
                                              const WorkerOptions& options);

// Asks a sandboxed worker what the plugin at `path` offers, without checking its
// signature and without loading it here (what `vigil plugins sign` needs).
StatusOr<host::LoadedPlugin> DescribeUntrustedPlugin(const std::filesystem::path& path,
                                                     const WorkerOptions& options);

class IsolationRuntime : public std::enable_shared_from_this<IsolationRuntime> {
 public:
  static StatusOr<std::shared_ptr<IsolationRuntime>> Create(HostConfig config,
                                                            const RuntimeFlags& flags);

  // For PluginRegistry::SetFileLoader and PipelineOptions::make_analyzer.
  host::PluginFileLoader FileLoader();
  host::AnalyzerFactory AnalyzerFactory();
  // Shared memory for items' bytes and pixels (PrepareLimits::media_storage), so that
  // workers get them as descriptors instead of copies.
  decode::PixelStorageFactory MediaStorage() { return media_pool_.Factory(); }

  bool developer_mode() const { return developer_mode_; }
  const HostConfig& config() const { return config_; }
  const std::shared_ptr<QuarantineBook>& quarantine() const { return quarantine_; }
  bool IsFirstParty(const std::filesystem::path& canonical) const;
  // Plugins' vigil.http/1 requests, in workers and in process.
  const std::shared_ptr<HttpEgress>& egress() const { return egress_; }
  // Where every outbound request is recorded (the scan wires the store's audit log).
  void SetEgressAudit(std::shared_ptr<EgressAudit> audit) { egress_->SetAudit(std::move(audit)); }

  // Tells the runtime which model file (a classifier manifest naming its .onnx beside
  // it) `detector_id` will load. Call before loading plugins. A shipped model (under
  // config().models_dir) changes nothing. Any other model is verified (both files
  // signed, unless developer mode) and copied; the detector's plugin then runs in
  // workers, loading the copy (VerifiedModel). A refused model refuses the plugin that
  // offers the detector, with this Status's reason.
  Status UseModel(const std::string& detector_id, const std::filesystem::path& manifest);
  // The verified copy of the model `detector_id` must load, or empty (shipped/none).
  std::filesystem::path VerifiedModel(const std::string& detector_id) const;
  // The first refusal of a model given to UseModel, or Ok.
  Status ModelStatus() const;
  // What decides a scan's results beyond a detector's version (the scan key: see
  // store/scan_ledger.h), defined in detector_digests.cc. Each file is hashed at most once
  // per runtime. The SHA-256 of the plugin file `canonical` as loaded: the digest taken
  // when its bytes were verified, or (a first-party plugin loaded from its file) hashed
  // on the first call.
  StatusOr<std::string> PluginDigest(const std::filesystem::path& canonical);
  // The SHA-256 of each model file `detector_id` was given through UseModel, by file
  // name: a verified model's manifest and model (the digests of the verification), or a
  // shipped model's, hashed on the first call. Empty when it was given none.
  StatusOr<std::map<std::string, std::string>> ModelDigests(const std::string& detector_id);
  ~IsolationRuntime();

 private:
  IsolationRuntime() = default;
  struct ModelPlacement {
    std::filesystem::path original;  // the manifest as given
    std::filesystem::path copy;      // its verified copy (the .onnx beside it)
    std::vector<std::filesystem::path> read_paths;
    std::string trust;  // "signed by ...", or why developer mode let it through
    Status refused;     // not ok: the model was refused
    std::map<std::string, std::string> digests;  // file name -> SHA-256, as verified
  };
  const ModelPlacement* ModelFor(const std::vector<host::Detector>& detectors) const;
  StatusOr<host::LoadedPlugin> LoadWithUntrustedModel(const std::filesystem::path& canonical,
                                                      const ModelPlacement& model);
  std::map<std::string, ModelPlacement> models_;  // by detector id
  std::filesystem::path models_copy_dir_;         // removed with the runtime
  // Models shipped with Vigil given to UseModel (by detector id; loaded as they are), and
  // the digests of files hashed for PluginDigest/ModelDigests (by path).
  std::map<std::string, std::filesystem::path> shipped_models_;
  std::map<std::filesystem::path, std::string> file_digests_;
  // Extra readable paths for a plugin's workers (by canonical plugin path).
  std::map<std::filesystem::path, std::vector<std::filesystem::path>> read_paths_;
  SharedMediaPool media_pool_;
  StatusOr<host::LoadedPlugin> Load(const std::filesystem::path& canonical);
  // `extra_reads`: further folders this plugin's worker may read (PythonBridgeReads).
  StatusOr<host::LoadedPlugin> DescribeInWorker(
      std::shared_ptr<VerifiedPlugin> plugin,
      const std::vector<std::filesystem::path>& extra_reads = {});

  HostConfig config_;
  RuntimeFlags flags_;
  bool developer_mode_ = false;
  TrustStore trust_;
  std::shared_ptr<QuarantineBook> quarantine_;
  std::shared_ptr<HttpEgress> egress_;
  std::mutex mutex_;
  std::map<std::filesystem::path, std::shared_ptr<VerifiedPlugin>> verified_;
};

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_ISOLATION_RUNTIME_H_
