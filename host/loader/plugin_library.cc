#include "loader/plugin_library.h"

#include <dlfcn.h>

#include <system_error>
#include <unordered_set>

#include "loader/host_services.h"
#include "loader/result_sink.h"

namespace vigil::host {
namespace {

// The fields of each struct as of ABI 1.0: a plugin may send a larger struct (a newer
// minor), never a smaller one.
constexpr uint32_t kEntrySizeV1_0 = sizeof(vigil_plugin_entry_t);
constexpr uint32_t kDetectorSizeV1_0 = sizeof(vigil_detector_t);

std::string Where(const std::filesystem::path& path) { return "plugin " + path.string(); }

}  // namespace

const char* StatusName(vigil_status_t status) {
  switch (status) {
    case VIGIL_OK: return "VIGIL_OK";
    case VIGIL_ERR_INVALID_ARGUMENT: return "VIGIL_ERR_INVALID_ARGUMENT";
    case VIGIL_ERR_UNSUPPORTED: return "VIGIL_ERR_UNSUPPORTED";
    case VIGIL_ERR_CONFIG: return "VIGIL_ERR_CONFIG";
    case VIGIL_ERR_BAD_INPUT: return "VIGIL_ERR_BAD_INPUT";
    case VIGIL_ERR_INTERNAL: return "VIGIL_ERR_INTERNAL";
    case VIGIL_ERR_CANCELLED: return "VIGIL_ERR_CANCELLED";
    case VIGIL_ERR_RESOURCE: return "VIGIL_ERR_RESOURCE";
    case VIGIL_ERR_ABI: return "VIGIL_ERR_ABI";
    default: return "unknown status";
  }
}

StatusOr<std::shared_ptr<PluginLibrary>> PluginLibrary::Open(
    const std::filesystem::path& path, const std::filesystem::path& shown_as) {
  std::shared_ptr<PluginLibrary> library(new PluginLibrary());
  Status status = library->Load(path, shown_as);
  if (!status.ok()) return status;
  return library;
}

std::vector<Detector> PluginLibrary::Detectors() {
  std::vector<Detector> detectors;
  for (const auto& [table, info] : tables_) detectors.emplace_back(shared_from_this(), table, info);
  return detectors;
}

PluginLibrary::~PluginLibrary() {
  if (initialised_ && entry_->deinit != nullptr) {
    try {
      entry_->deinit();
    } catch (...) {
      // Nothing to do: the library is unloaded next either way.
    }
  }
}

Status PluginLibrary::Load(const std::filesystem::path& load_path,
                           const std::filesystem::path& shown_as) {
  path_ = shown_as.empty() ? load_path : shown_as;
  const std::filesystem::path& path = path_;  // what messages name
  std::error_code exists_error;
  if (!std::filesystem::is_regular_file(load_path, exists_error)) {
    return Status::NotFound(Where(path) + ": no such file");
  }
  boost::dll::fs::error_code ec;
  dlerror();  // clear, so the text read below is this load's
  library_.load(load_path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local,
                ec);
  if (ec) {
    const char* why = dlerror();
    return Status::PluginError(Where(path) + ": cannot be loaded as a shared library (" +
                               (why ? why : ec.message()) + ")");
  }
  if (!library_.has(VIGIL_ENTRY_SYMBOL)) {
    for (int major = 2; major <= 9; ++major) {
      std::string symbol = "vigil_entry_v" + std::to_string(major);
      if (library_.has(symbol)) {
        return Status::AbiMismatch(Where(path) + " was built for Vigil ABI " +
                                   std::to_string(major) + " (exports " + symbol +
                                   "); this host speaks ABI " +
                                   std::to_string(VIGIL_ABI_MAJOR) +
                                   ". Use a host of that major version, or ask the vendor "
                                   "for a build against ABI " +
                                   std::to_string(VIGIL_ABI_MAJOR));
      }
    }
    return Status::PluginError(Where(path) +
                               " is not a Vigil plugin: it does not export vigil_entry_v1 "
                               "(build it with vigil_add_plugin() and VIGIL_PLUGIN/"
                               "vigil_entry_v1)");
  }
  entry_ = &library_.get<const vigil_plugin_entry_t>(VIGIL_ENTRY_SYMBOL);

  if (entry_->struct_size < kEntrySizeV1_0) {
    return Status::PluginError(Where(path) + ": vigil_entry_v1.struct_size is " +
                               std::to_string(entry_->struct_size) + ", smaller than ABI 1.0's " +
                               std::to_string(kEntrySizeV1_0) + " (a malformed entry)");
  }
  if (entry_->abi.major != VIGIL_ABI_MAJOR) {
    return Status::AbiMismatch(Where(path) + " declares Vigil ABI " +
                               std::to_string(entry_->abi.major) + "." +
                               std::to_string(entry_->abi.minor) + "; this host speaks ABI " +
                               std::to_string(VIGIL_ABI_MAJOR) + "." +
                               std::to_string(VIGIL_ABI_MINOR));
  }
  if (!entry_->negotiate || !entry_->init || !entry_->deinit || !entry_->detector_count ||
      !entry_->get_detector) {
    return Status::PluginError(Where(path) +
                               ": vigil_entry_v1 has a NULL function pointer (a malformed "
                               "entry; every 1.0 function is required)");
  }

  uint32_t chosen = 0;
  vigil_status_t negotiated = VIGIL_ERR_INTERNAL;
  try {
    negotiated = entry_->negotiate(VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, &chosen);
  } catch (...) {
    return Status::PluginError(Where(path) + ": negotiate() threw a C++ exception");
  }
  if (negotiated != VIGIL_OK) {
    if (chosen > VIGIL_ABI_MINOR) {
      return Status::AbiMismatch(Where(path) + " needs ABI " +
                                 std::to_string(VIGIL_ABI_MAJOR) + "." +
                                 std::to_string(chosen) + ", this host speaks " +
                                 std::to_string(VIGIL_ABI_MAJOR) + "." +
                                 std::to_string(VIGIL_ABI_MINOR) +
                                 ": upgrade Vigil, or use a build of the plugin for this host");
    }
    return Status::AbiMismatch(Where(path) + " refused ABI " +
                               std::to_string(VIGIL_ABI_MAJOR) + "." +
                               std::to_string(VIGIL_ABI_MINOR) + " (" + StatusName(negotiated) +
                               ")");
  }
  if (chosen > VIGIL_ABI_MINOR) {
    return Status::AbiMismatch(Where(path) + " chose ABI minor " + std::to_string(chosen) +
                               ", newer than this host's " + std::to_string(VIGIL_ABI_MINOR) +
                               " (a plugin bug in negotiate())");
  }
  chosen_minor_ = chosen;

  BufferSink err(kMaxErrorBytes);
  vigil_status_t init_status = VIGIL_ERR_INTERNAL;
  try {
    init_status = entry_->init(HostServices(), err.sink());
  } catch (...) {
    return Status::PluginError(Where(path) + ": init() threw a C++ exception");
  }
  if (init_status != VIGIL_OK) {
    return Status::PluginError(Where(path) + ": init() failed (" + StatusName(init_status) +
                               "): " + (err.data().empty() ? "no reason given" : err.data()));
  }
  initialised_ = true;
  return ReadDetectors();
}

Status PluginLibrary::ReadDetectors() {
  uint32_t count = entry_->detector_count();
  if (count == 0) {
    return Status::PluginError(Where(path_) + " offers no detectors (detector_count() is 0)");
  }
  if (count > 1024) {
    return Status::PluginError(Where(path_) + ": detector_count() is " +
                               std::to_string(count) + ", more than the limit of 1024");
  }
  std::unordered_set<std::string> ids;
  for (uint32_t i = 0; i < count; ++i) {
    std::string which = Where(path_) + ": detector #" + std::to_string(i);
    const vigil_detector_t* table = entry_->get_detector(i);
    if (table == nullptr) {
      return Status::PluginError(which + ": get_detector() returned NULL although "
                                 "detector_count() is " + std::to_string(count));
    }
    if (table->struct_size < kDetectorSizeV1_0) {
      return Status::PluginError(which + ": struct_size " + std::to_string(table->struct_size) +
                                 " is smaller than ABI 1.0's " +
                                 std::to_string(kDetectorSizeV1_0) + " (a malformed table)");
    }
    if (table->id == nullptr || table->id[0] == '\0') {
      return Status::PluginError(which + " has no id");
    }
    std::string id = table->id;
    if (!table->describe || !table->create || !table->destroy || !table->analyze) {
      return Status::PluginError(which + " (" + id +
                                 ") has a NULL function pointer; describe, create, destroy "
                                 "and analyze are required");
    }
    if (!ids.insert(id).second) {
      return Status::PluginError(Where(path_) + " offers detector id '" + id + "' twice");
    }
    BufferSink out(kMaxDescribeBytes);
    vigil_status_t described = VIGIL_ERR_INTERNAL;
    try {
      described = table->describe(table, out.sink());
    } catch (...) {
      return Status::PluginError(which + " (" + id + "): describe() threw a C++ exception");
    }
    vigil::v1::DetectorInfo info;
    if (described != VIGIL_OK) {
      return Status::PluginError(which + " (" + id + "): describe() failed (" +
                                 StatusName(described) + ")");
    }
    if (!info.ParseFromString(out.data())) {
      return Status::PluginError(which + " (" + id +
                                 "): describe() output is not a vigil.v1.DetectorInfo");
    }
    if (info.id() != id) {
      return Status::PluginError(which + ": describe() says id '" + info.id() +
                                 "' but the table says '" + id + "'");
    }
    tables_.emplace_back(table, std::move(info));
  }
  return Status::Ok();
}

}  // namespace vigil::host
