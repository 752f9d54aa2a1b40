// What the host grants the vigil.python bridge (issue 17, item 2; docs/python.md).
//
// The bridge (lib/vigil/python/vigil-python.so) reads which detector.py to run from
// $VIGIL_PYTHON_DETECTOR when it initialises, inside a vigil-worker. Workers start in a
// scratch folder with a minimal environment and may read only the folders the host names,
// so the host passes that variable on as an absolute path and lets the bridge's workers
// (and theirs only) read the detector's folder.
#ifndef VIGIL_HOST_ISOLATION_PYTHON_DETECTOR_H_
#define VIGIL_HOST_ISOLATION_PYTHON_DETECTOR_H_

#include <filesystem>
#include <string>
#include <vector>

namespace vigil::isolation {

inline constexpr char kPythonDetectorEnv[] = "VIGIL_PYTHON_DETECTOR";
inline constexpr char kPythonBridgeFile[] = "vigil-python.so";

// "VIGIL_PYTHON_DETECTOR=<absolute path>" for a worker's environment, from the host's
// (relative paths are taken from the host's working directory); empty when unset.
std::string PythonDetectorWorkerEnv();

// The folder of $VIGIL_PYTHON_DETECTOR when `plugin` is the bridge (by file name) and the
// variable is set; else nothing.
std::vector<std::filesystem::path> PythonBridgeReads(const std::filesystem::path& plugin);

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_PYTHON_DETECTOR_H_
