// Test helpers for vigil_video and vigil_vpdq: a scratch directory, the ffmpeg CLI to make
// benign clips from its test sources at test time, and the shared clips' paths.
#ifndef VIGIL_TESTS_UNIT_VIDEO_VIDEO_TEST_UTIL_H_
#define VIGIL_TESTS_UNIT_VIDEO_VIDEO_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::video::testing {

// A fresh directory under /tmp, removed (with its contents) by the destructor.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

std::vector<uint8_t> ReadFileBytes(const std::string& path);
void WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes);

// Runs `ffmpeg -nostdin -v error -y <args>`; ADD_FAILURE with the command when it fails
// (install ffmpeg with scripts/install-deps.sh).
bool Ffmpeg(const std::string& args);

// ../shared/testdata/video (the build's VIGIL_TESTDATA); the test FAILS when missing.
std::string VideoDir();
// The clip names (without .mp4) in VideoDir()/videos, sorted; never empty when it exists.
std::vector<std::string> SharedClipNames();

}  // namespace vigil::video::testing

#endif  // VIGIL_TESTS_UNIT_VIDEO_VIDEO_TEST_UTIL_H_
