#include "scan/scanner.h"

#include <openssl/evp.h>

#include <algorithm>
#include <fstream>

#include "scan/media_sniff.h"
#include "vigil/v1/item.pb.h"

namespace vigil::host {
namespace fs = std::filesystem;
namespace {

ItemRecord FailedPath(const fs::path& path, Status status) {
  ItemRecord record;
  record.path = path.string();
  record.media_kind = "unknown";
  record.status = std::move(status);
  return record;
}

}  // namespace

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kDigits[digest[i] >> 4]);
    hex.push_back(kDigits[digest[i] & 0xf]);
  }
  return hex;
}

ExpandedPaths ExpandPaths(const std::vector<fs::path>& paths) {
  ExpandedPaths out;
  for (const fs::path& path : paths) {
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      out.failures.push_back(FailedPath(path, Status::NotFound("no such file or directory")));
      continue;
    }
    if (fs::is_directory(status)) {
      std::vector<fs::path> found;
      fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec)) found.push_back(it->path());
      }
      if (ec) {
        out.failures.push_back(FailedPath(path, Status::IoError("cannot list: " + ec.message())));
      }
      std::sort(found.begin(), found.end());
      out.files.insert(out.files.end(), found.begin(), found.end());
    } else {
      out.files.push_back(path);
    }
  }
  return out;
}

StatusOr<std::unique_ptr<Scanner>> Scanner::Create(const std::vector<Detector>& detectors,
                                                   ScanLimits limits) {
  std::unique_ptr<Scanner> scanner(new Scanner());
  scanner->limits_ = limits;
  scanner->detector_handles_ = detectors;
  for (const Detector& detector : scanner->detector_handles_) {
    auto instance = detector.Create(vigil::v1::DetectorConfig());
    if (!instance.ok()) return instance.status();
    scanner->instances_.push_back(std::move(instance).value());
    scanner->detectors_.push_back(&detector);
  }
  return scanner;
}

ItemRecord Scanner::ScanFile(const fs::path& path) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) return FailedPath(path, Status::IoError("cannot read: " + ec.message()));
  if (size > limits_.max_file_bytes) {
    return FailedPath(path, Status::Resource("file is " + std::to_string(size) +
                                             " bytes, over the limit of " +
                                             std::to_string(limits_.max_file_bytes)));
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes(size, '\0');
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size))) {
    return FailedPath(path, Status::IoError("cannot read the whole file"));
  }
  return ScanBytes(path.string(), bytes);
}

ItemRecord Scanner::ScanBytes(const std::string& label, const std::string& bytes) {
  ItemRecord record;
  record.path = label;
  record.size = bytes.size();
  record.sha256 = Sha256Hex(bytes);
  const uint32_t media_kind = SniffMediaKind(bytes);
  record.media_kind = MediaKindName(media_kind);

  vigil::v1::ItemMetadata metadata;
  metadata.set_item_id(record.sha256);
  metadata.set_path(label);
  metadata.set_size_bytes(bytes.size());
  metadata.set_media_kind(static_cast<vigil::v1::MediaKind>(media_kind));
  const std::string metadata_bytes = metadata.SerializeAsString();

  vigil_item_view_t view{};
  view.struct_size = sizeof(view);
  view.media_kind = media_kind;
  view.metadata = reinterpret_cast<const uint8_t*>(metadata_bytes.data());
  view.metadata_size = metadata_bytes.size();
  view.bytes = reinterpret_cast<const uint8_t*>(bytes.data());
  view.bytes_size = bytes.size();
  view.image = nullptr;

  for (size_t i = 0; i < instances_.size(); ++i) {
    if (!detectors_[i]->Accepts(media_kind)) continue;
    AnalyzeOutcome outcome = instances_[i]->Analyze(view);
    DetectorRun run;
    run.detector = detectors_[i]->id();
    run.status = outcome.status;
    if (outcome.status.ok()) run.result = std::move(outcome.result);
    record.runs.push_back(std::move(run));
  }
  return record;
}

}  // namespace vigil::host
