// Fuzzes Bank::Open's structural validation. A valid bank (every signal type, a PDQ family)
// is built once; each input is a list of (offset, byte) patches applied to it, after which
// the header and section-table checksums are recomputed so the damage reaches the checks
// behind them (section checksums are not verified here). Then every entry is read and
// queries run: nothing may read outside the mapping, whatever the patched file says.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "bank_format.h"
#include "checksum.h"
#include "vigil/hashbank/bank.h"

namespace {

using namespace vigil::hashbank;

std::string BaseBank(const std::string& dir) {
  std::vector<Entry> entries;
  std::mt19937_64 rng(1);
  for (int i = 0; i < 300; ++i) {
    Entry e;
    e.value.type = kAllSignalTypes[i % 4];
    for (size_t b = 0; b < e.value.size(); ++b)
      e.value.bytes[b] = static_cast<uint8_t>(i < 100 ? rng() : (i & 7));
    e.category = i % 2 ? "A1" : "x";
    e.external_id = std::to_string(i);
    entries.push_back(e);
  }
  const std::string path = dir + "/base.vbank";
  if (!WriteBankFile(path, "fuzz", entries).ok()) std::abort();
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = "/tmp";
  static const std::string path = dir + "/vigil-bank-fuzz-" + std::to_string(::getpid()) + ".vbank";
  static const std::string base = BaseBank(dir);
  std::string bytes = base;
  // Patches: 4-byte offset (mod size), 1 byte value. A leading byte picks a truncation.
  if (size > 0 && data[0] == 0xff && size >= 5) {
    uint32_t len;
    std::memcpy(&len, data + 1, 4);
    bytes.resize(len % (bytes.size() + 1));
  }
  for (size_t i = 1; i + 5 <= size; i += 5) {
    uint32_t off;
    std::memcpy(&off, data + i, 4);
    if (!bytes.empty()) bytes[off % bytes.size()] = static_cast<char>(data[i + 4]);
  }
  if (bytes.size() >= sizeof(internal::FileHeader)) {
    internal::FileHeader h;
    std::memcpy(&h, bytes.data(), sizeof h);
    const uint64_t table = uint64_t{h.section_count} * sizeof(internal::SectionRecord);
    if (h.section_table_offset <= bytes.size() && table <= bytes.size() - h.section_table_offset) {
      h.section_table_checksum = internal::Checksum64(bytes.data() + h.section_table_offset, table);
    }
    h.header_checksum = internal::Checksum64(&h, offsetof(internal::FileHeader, header_checksum));
    std::memcpy(bytes.data(), &h, sizeof h);
  }
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
  OpenOptions options;
  options.verify_checksums = false;
  Result<std::unique_ptr<Bank>> bank = Bank::Open(path, options);
  if (!bank.ok()) return 0;
  const Bank& b = *bank.value();
  for (size_t i = 0; i < b.size(); ++i) (void)b.MatchExact(b.entry(i).value);
  PdqWords q[8] = {};
  if (b.size() > 0) q[0] = PdqWordsFromBytes(b.entry(0).value.bytes.data());
  for (int v = 1; v < 8; ++v) q[v].w[v % 4] = ~uint64_t{0} >> v;
  (void)b.QueryPdq(q, 8, 31);
  (void)b.QueryPdq(q, 8, 200);
  return 0;
}
