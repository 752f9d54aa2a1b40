#include "isolation/python_detector.h"

#include <cstdlib>
#include <system_error>

namespace vigil::isolation {
namespace fs = std::filesystem;
namespace {

fs::path DetectorFile() {
  const char* value = std::getenv(kPythonDetectorEnv);
  if (value == nullptr || *value == '\0') return {};
  std::error_code ec;
  fs::path absolute = fs::absolute(value, ec);
  return ec ? fs::path(value) : absolute.lexically_normal();
}

}  // namespace

std::string PythonDetectorWorkerEnv() {
  const fs::path file = DetectorFile();
  return file.empty() ? std::string() : std::string(kPythonDetectorEnv) + "=" + file.string();
}

std::vector<fs::path> PythonBridgeReads(const fs::path& plugin) {
  const fs::path file = DetectorFile();
  if (file.empty() || plugin.filename() != kPythonBridgeFile) return {};
  std::error_code ec;
  // The real folder: Landlock rules follow the path as resolved.
  fs::path folder = fs::weakly_canonical(file, ec).parent_path();
  if (ec || folder.empty()) folder = file.parent_path();
  return {folder};
}

}  // namespace vigil::isolation
