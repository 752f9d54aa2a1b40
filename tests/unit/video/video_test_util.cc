#include "video_test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace vigil::video::testing {

ScratchDir::ScratchDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "vigil-video-XXXXXX").string();
  char* made = mkdtemp(templ.data());
  if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
  dir_ = templ;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::vector<uint8_t> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot read " << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteFileBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) ADD_FAILURE() << "cannot write " << path;
}

bool Ffmpeg(const std::string& args) {
  std::string command = "ffmpeg -nostdin -v error -y " + args;
  int rc = std::system(command.c_str());
  if (rc != 0) ADD_FAILURE() << "failed (" << rc << "): " << command;
  return rc == 0;
}

std::string VideoDir() {
  std::string dir = std::string(VIGIL_TESTDATA) + "/video";
  if (!std::filesystem::is_directory(dir + "/videos")) {
    ADD_FAILURE() << "the shared video conformance data is missing: " << dir
                  << " (../shared/testdata beside the checkout)";
  }
  return dir;
}

std::vector<std::string> SharedClipNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(VideoDir() + "/videos", ec)) {
    if (entry.path().extension() == ".mp4") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) ADD_FAILURE() << "no clips in " << VideoDir() << "/videos";
  return names;
}

}  // namespace vigil::video::testing
