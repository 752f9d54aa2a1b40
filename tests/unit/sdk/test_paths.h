// Where tests find built plugins and the shared conformance data.
#ifndef VIGIL_TESTS_TEST_PATHS_H_
#define VIGIL_TESTS_TEST_PATHS_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace vigil::testing {

inline std::filesystem::path TestPlugin(const std::string& name) {
  return std::filesystem::path(VIGIL_TEST_PLUGIN_DIR) / ("test-" + name + ".so");
}
inline std::filesystem::path FirstPartyPlugin(const std::string& file) {
  return std::filesystem::path(VIGIL_PLUGIN_DIR) / file;
}
// The shared testdata; a missing folder fails the calling test loudly, never skips it.
inline std::filesystem::path SharedTestdata(const std::string& sub = "") {
  std::filesystem::path path = std::filesystem::path(VIGIL_TESTDATA) / sub;
  EXPECT_TRUE(std::filesystem::exists(path))
      << "shared test data is missing: " << path
      << " (it must sit beside the checkout as ../shared/testdata)";
  return path;
}

}  // namespace vigil::testing

#endif  // VIGIL_TESTS_TEST_PATHS_H_
