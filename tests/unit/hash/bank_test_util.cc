#include "bank_test_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vigil::hashbank::testing {

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

std::string ReadTestData(const std::string& relative) {
  const std::string path = std::string(VIGIL_TESTDATA) + "/" + relative;
  if (!std::filesystem::exists(path)) {
    ADD_FAILURE() << "shared test data missing: " << path
                  << " (the tests need ../shared/testdata beside the checkout)";
    return {};
  }
  return ReadFileBytes(path);
}

std::string ReadSourceFile(const std::string& relative) {
  return ReadFileBytes(std::string(VIGIL_SOURCE_DIR) + "/" + relative);
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "vigil-hashbank-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> TempDir::List() const {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(path_))
    names.push_back(e.path().filename().string());
  return names;
}

PdqWords RandomPdq(std::mt19937_64& rng) {
  PdqWords w;
  for (uint64_t& x : w.w) x = rng();
  return w;
}

PdqWords FlipBits(const PdqWords& h, int count, std::mt19937_64& rng) {
  PdqWords out = h;
  std::vector<int> bits(256);
  for (int i = 0; i < 256; ++i) bits[i] = i;
  for (int i = 0; i < count; ++i) {
    const int j = i + static_cast<int>(rng() % static_cast<uint64_t>(256 - i));
    std::swap(bits[i], bits[j]);
    out.w[bits[i] / 64] ^= uint64_t{1} << (bits[i] % 64);
  }
  return out;
}

Entry PdqEntry(const PdqWords& words, const std::string& id) {
  Entry e;
  e.value.type = SignalType::kPdq;
  PdqWordsToBytes(words, e.value.bytes.data());
  e.source = "test";
  e.external_id = id;
  return e;
}

std::vector<PdqWords> RandomHashes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<PdqWords> out(n);
  for (PdqWords& h : out) h = RandomPdq(rng);
  return out;
}

std::vector<PdqWords> ClusteredHashes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<PdqWords> out;
  out.reserve(n);
  while (out.size() < n) {
    const PdqWords centre = RandomPdq(rng);
    const size_t family = 1 + rng() % 64;
    for (size_t i = 0; i < family && out.size() < n; ++i) {
      out.push_back(i == 0 ? centre : FlipBits(centre, 1 + static_cast<int>(rng() % 24), rng));
    }
  }
  return out;
}

}  // namespace vigil::hashbank::testing
