// The ELF reader lists a plugin's exports and refuses malformed files without reading
// out of bounds.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <fstream>
#include <iterator>
#include <random>

#include "elf_exports.h"
#include "test_paths.h"

namespace vigil::testkit {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(ElfExportsTest, PluginExportsOnlyItsEntry) {
  auto exports = ReadElfExports(vigil::testing::FirstPartyPlugin("vigil-exact.so"));
  ASSERT_TRUE(exports.ok()) << exports.status().message();
  EXPECT_THAT(exports.value(), ::testing::ElementsAre("vigil_entry_v1"));
}

TEST(ElfExportsTest, SeesExtraExports) {
  auto exports = ReadElfExports(vigil::testing::TestPlugin("extra-export"));
  ASSERT_TRUE(exports.ok());
  EXPECT_THAT(exports.value(), ::testing::Contains("test_helper_symbol"));
}

TEST(ElfExportsTest, RefusesNonElfAndTruncatedFiles) {
  EXPECT_FALSE(ParseElfExports("").ok());
  EXPECT_FALSE(ParseElfExports("not an elf file at all").ok());
  std::string elf = ReadFile(vigil::testing::FirstPartyPlugin("vigil-exact.so"));
  ASSERT_GT(elf.size(), 4096u);
  for (size_t size : {size_t{4}, size_t{64}, size_t{100}, elf.size() / 2, elf.size() - 1}) {
    auto parsed = ParseElfExports(elf.substr(0, size));
    EXPECT_FALSE(parsed.ok()) << "truncated to " << size;
  }
}

TEST(ElfExportsTest, SurvivesCorruptedHeaders) {
  std::string elf = ReadFile(vigil::testing::FirstPartyPlugin("vigil-exact.so"));
  std::mt19937 rng(1);
  for (int round = 0; round < 2000; ++round) {
    std::string copy = elf;
    for (int flips = 0; flips < 4; ++flips) {
      // Corrupt the ELF header or the section headers at the end, where offsets live.
      size_t at = (rng() & 1) ? rng() % 64 : copy.size() - 1 - rng() % 2048;
      copy[at] = static_cast<char>(rng());
    }
    (void)ParseElfExports(copy);  // must return, never crash (ASan checks the reads)
  }
  SUCCEED();
}

}  // namespace
}  // namespace vigil::testkit
