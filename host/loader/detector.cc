#include "loader/detector.h"

#include <exception>

#include "loader/host_services.h"
#include "loader/plugin_library.h"
#include "loader/result_sink.h"

namespace vigil::host {
namespace {

std::string ErrorText(const BufferSink& err) {
  if (err.data().empty()) return "(the plugin gave no reason)";
  return err.data();
}

}  // namespace

Detector::Detector(std::shared_ptr<PluginLibrary> library, const vigil_detector_t* table,
                   vigil::v1::DetectorInfo info)
    : library_(std::move(library)), table_(table), info_(std::move(info)) {}

Detector::Detector(vigil::v1::DetectorInfo info, uint64_t flags, std::filesystem::path plugin_path)
    : table_(nullptr), info_(std::move(info)), flags_(flags),
      plugin_path_(std::move(plugin_path)) {}

const std::filesystem::path& Detector::plugin_path() const {
  return library_ != nullptr ? library_->path() : plugin_path_;
}

bool Detector::Accepts(uint32_t media_kind) const {
  for (int kind : info_.accepted_media()) {
    if (static_cast<uint32_t>(kind) == media_kind) return true;
  }
  return false;
}

StatusOr<std::unique_ptr<DetectorInstance>> Detector::Create(
    const vigil::v1::DetectorConfig& config) const {
  std::string bytes;
  if (!config.SerializeToString(&bytes)) {
    return Status::InvalidArgument("could not serialize the configuration for " + id());
  }
  return CreateFromBytes(bytes);
}

StatusOr<std::unique_ptr<DetectorInstance>> Detector::CreateFromBytes(
    const std::string& config_bytes) const {
  if (library_ == nullptr) {
    return Status::InvalidArgument("detector " + id() + " runs in a worker process; its "
                                   "instances are made by the isolation layer");
  }
  BufferSink err(kMaxErrorBytes);
  void* instance = nullptr;
  vigil_status_t status = VIGIL_ERR_INTERNAL;
  try {
    status = table_->create(table_, HostServices(),
                            reinterpret_cast<const uint8_t*>(config_bytes.data()),
                            config_bytes.size(), &instance, err.sink());
  } catch (...) {
    return Status::PluginError("detector " + id() +
                               ": create() threw a C++ exception across the ABI (a plugin "
                               "bug; report it to its vendor)");
  }
  if (status != VIGIL_OK) {
    if (instance != nullptr) table_->destroy(instance);
    return Status::PluginError("detector " + id() + " refused its configuration (" +
                               StatusName(status) + "): " + ErrorText(err));
  }
  if (instance == nullptr) {
    return Status::PluginError("detector " + id() +
                               ": create() returned VIGIL_OK but no instance (a plugin bug)");
  }
  return std::unique_ptr<DetectorInstance>(
      new DetectorInstance(library_, table_, instance, id()));
}

DetectorInstance::DetectorInstance(std::shared_ptr<PluginLibrary> library,
                                   const vigil_detector_t* table, void* instance,
                                   std::string id)
    : library_(std::move(library)),
      table_(table),
      instance_(instance),
      id_(std::move(id)),
      serial_((table->flags & VIGIL_DETECTOR_SERIAL) != 0) {
  if (table_->get_extension != nullptr) {
    try {
      auto* batch = static_cast<const vigil_batch_ext_t*>(table_->get_extension(instance_, VIGIL_EXT_BATCH));
      // Use it only when it is large enough to hold the 1.0 fields.
      if (batch != nullptr && batch->struct_size >= sizeof(vigil_batch_ext_t) &&
          batch->analyze_batch != nullptr) {
        batch_ = batch;
      }
    } catch (...) {
      batch_ = nullptr;  // a plugin that throws here simply gets single calls
    }
    QueryFrames();
  }
}

DetectorInstance::~DetectorInstance() {
  try {
    table_->destroy(instance_);
  } catch (...) {
    // A destroy() that throws leaks the instance; nothing better can be done here.
  }
}

namespace {

// Turns what a plugin wrote for one item into an outcome.
AnalyzeOutcome OutcomeFromSinks(const std::string& id, vigil_status_t status, const BufferSink& out,
                                const BufferSink& err) {
  AnalyzeOutcome outcome;
  if (out.overflowed()) {
    outcome.status = Status::Resource("detector " + id + " tried to write more than " +
                                      std::to_string(out.capacity()) +
                                      " bytes of results; the item is marked failed");
    return outcome;
  }
  if (status != VIGIL_OK) {
    outcome.status = Status::PluginError("detector " + id + " failed (" + StatusName(status) +
                                         "): " + ErrorText(err));
    return outcome;
  }
  outcome.raw = out.data();
  if (!outcome.result.ParseFromString(outcome.raw)) {
    outcome.status = Status::Corruption(
        "detector " + id + " returned " + std::to_string(outcome.raw.size()) +
        " bytes that are not a vigil.v1.AnalysisResult (a plugin bug)");
    outcome.result.Clear();
    return outcome;
  }
  for (auto& detection : *outcome.result.mutable_detections()) {
    // The host, not the plugin, vouches for which detector spoke.
    detection.set_detector(id);
  }
  return outcome;
}

}  // namespace

std::vector<AnalyzeOutcome> DetectorInstance::AnalyzeBatch(
    const std::vector<const vigil_item_view_t*>& items) {
  std::vector<AnalyzeOutcome> outcomes;
  if (batch_ == nullptr || items.empty()) {
    for (const vigil_item_view_t* item : items) outcomes.push_back(Analyze(*item));
    return outcomes;
  }
  std::vector<std::unique_ptr<BufferSink>> outs, errs;
  std::vector<const vigil_sink_t*> out_views, err_views;
  for (size_t i = 0; i < items.size(); ++i) {
    outs.push_back(std::make_unique<BufferSink>(kMaxResultBytes));
    errs.push_back(std::make_unique<BufferSink>(kMaxErrorBytes));
    out_views.push_back(outs.back()->sink());
    err_views.push_back(errs.back()->sink());
  }
  std::vector<vigil_status_t> statuses(items.size(), VIGIL_ERR_INTERNAL);
  {
    std::unique_lock<std::mutex> lock(serial_mutex_, std::defer_lock);
    if (serial_) lock.lock();
    try {
      batch_->analyze_batch(instance_, items.data(), static_cast<uint32_t>(items.size()),
                            out_views.data(), err_views.data(), statuses.data());
    } catch (...) {
      for (size_t i = 0; i < items.size(); ++i) {
        AnalyzeOutcome failed;
        failed.status = Status::PluginError("detector " + id_ +
                                            ": analyze_batch() threw a C++ exception across the ABI");
        outcomes.push_back(std::move(failed));
      }
      return outcomes;
    }
  }
  for (size_t i = 0; i < items.size(); ++i) {
    outcomes.push_back(OutcomeFromSinks(id_, statuses[i], *outs[i], *errs[i]));
  }
  return outcomes;
}

AnalyzeOutcome DetectorInstance::Analyze(const vigil_item_view_t& item) {
  AnalyzeOutcome outcome;
  BufferSink out(kMaxResultBytes);
  BufferSink err(kMaxErrorBytes);
  vigil_status_t status = VIGIL_ERR_INTERNAL;
  {
    std::unique_lock<std::mutex> lock(serial_mutex_, std::defer_lock);
    if (serial_) lock.lock();
    try {
      status = table_->analyze(instance_, &item, out.sink(), err.sink());
    } catch (const std::exception& e) {
      outcome.status = Status::PluginError(
          "detector " + id_ + ": analyze() threw a C++ exception across the ABI (" +
          e.what() + "); a plugin bug, report it to its vendor");
      return outcome;
    } catch (...) {
      outcome.status = Status::PluginError(
          "detector " + id_ +
          ": analyze() threw a C++ exception across the ABI; a plugin bug, report it to its "
          "vendor");
      return outcome;
    }
  }
  return OutcomeFromSinks(id_, status, out, err);
}

}  // namespace vigil::host
