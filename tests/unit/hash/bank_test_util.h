// Helpers shared by the hash bank tests.
#ifndef VIGIL_TESTS_UNIT_HASH_BANK_TEST_UTIL_H_
#define VIGIL_TESTS_UNIT_HASH_BANK_TEST_UTIL_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "vigil/hashbank/entry.h"
#include "vigil/hashbank/signal.h"

namespace vigil::hashbank::testing {

// Reads a file under VIGIL_TESTDATA; fails the test (ADD_FAILURE) when missing.
std::string ReadTestData(const std::string& relative);
// Reads a file under VIGIL_SOURCE_DIR.
std::string ReadSourceFile(const std::string& relative);
std::string ReadFileBytes(const std::string& path);
void WriteFileBytes(const std::string& path, const std::string& bytes);

// A fresh empty directory for one test, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  std::vector<std::string> List() const;

 private:
  std::string path_;
};

PdqWords RandomPdq(std::mt19937_64& rng);
PdqWords FlipBits(const PdqWords& h, int count, std::mt19937_64& rng);
Entry PdqEntry(const PdqWords& words, const std::string& id = "");
// n uniform random hashes.
std::vector<PdqWords> RandomHashes(size_t n, uint64_t seed);
// n hashes in near-duplicate families (family sizes 1..64, members within 1..24 bits of the
// family centre), as real banks are.
std::vector<PdqWords> ClusteredHashes(size_t n, uint64_t seed);

}  // namespace vigil::hashbank::testing

#endif  // VIGIL_TESTS_UNIT_HASH_BANK_TEST_UTIL_H_
