// Scanner: turns paths into items, runs every accepting detector on each, and records
// the outcome. One item at a time for now; the parallel pipeline builds on this.
#ifndef VIGIL_HOST_SCAN_SCANNER_H_
#define VIGIL_HOST_SCAN_SCANNER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "loader/detector.h"
#include "store/store.h"

namespace vigil::host {

struct ScanLimits {
  uint64_t max_file_bytes = 1ull << 30;  // larger files fail with a clear reason
};

// A path given on the command line, expanded: every regular file below a directory
// (recursive, sorted so runs are reproducible), or the path itself.
struct ExpandedPaths {
  std::vector<std::filesystem::path> files;
  std::vector<ItemRecord> failures;  // paths that do not exist or cannot be listed
};
ExpandedPaths ExpandPaths(const std::vector<std::filesystem::path>& paths);

class Scanner {
 public:
  // Creates one instance of every detector (default configuration).
  static StatusOr<std::unique_ptr<Scanner>> Create(const std::vector<Detector>& detectors,
                                                   ScanLimits limits = {});

  // Reads and analyses one file. Never throws; failures are in the record.
  ItemRecord ScanFile(const std::filesystem::path& path);
  // Analyses bytes that did not come from a file (tests, stdin).
  ItemRecord ScanBytes(const std::string& label, const std::string& bytes);

 private:
  Scanner() = default;
  std::vector<std::unique_ptr<DetectorInstance>> instances_;
  std::vector<const Detector*> detectors_;
  std::vector<Detector> detector_handles_;
  ScanLimits limits_;
};

// Lower-case hex SHA-256 of `bytes` (OpenSSL).
std::string Sha256Hex(const std::string& bytes);

}  // namespace vigil::host

#endif  // VIGIL_HOST_SCAN_SCANNER_H_
