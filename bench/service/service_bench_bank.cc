// Writes a bank of COUNT random PDQ hashes for bench/service/run.sh, streamed into the bank
// writer (no Entry per value), and QUERIES query hashes, one hex per line: alternately a
// bank entry with `near` bits flipped (a hit at that distance) and a fresh random hash (a
// miss, as most uploads are).
//
//   service_bench_bank BANK_FILE COUNT QUERIES_FILE QUERIES [NEAR_BITS=8]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bank_writer.h"
#include "vigil/hashbank/signal.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s BANK_FILE COUNT QUERIES_FILE QUERIES [NEAR_BITS=8]\n", argv[0]);
    return 2;
  }
  const std::string bank_path = argv[1];
  const size_t count = std::strtoull(argv[2], nullptr, 10);
  const std::string queries_path = argv[3];
  const size_t queries = std::strtoull(argv[4], nullptr, 10);
  const int near_bits = argc > 5 ? std::atoi(argv[5]) : 8;
  if (count == 0 || queries == 0 || near_bits < 0 || near_bits > 64) {
    std::fprintf(stderr, "COUNT and QUERIES must be positive, NEAR_BITS 0..64\n");
    return 2;
  }
  using vigil::hashbank::PdqWords;
  // Every count/(queries/2)-th entry is kept to make a near query from.
  const size_t near_wanted = (queries + 1) / 2;
  const size_t stride = std::max<size_t>(1, count / near_wanted);
  std::vector<PdqWords> kept;
  const auto start = std::chrono::steady_clock::now();
  size_t type_counts[5] = {0, count, 0, 0, 0};
  vigil::Status written = vigil::hashbank::internal::WriteBankFileFrom(
      bank_path, "bench-pdq", count,
      [&](const vigil::hashbank::internal::EntrySink& sink) {
        std::mt19937_64 rng(20261207);
        uint8_t bytes[32];
        for (size_t i = 0; i < count; ++i) {
          PdqWords w;
          for (auto& word : w.w) word = rng();
          if (i % stride == 0 && kept.size() < near_wanted) kept.push_back(w);
          vigil::hashbank::PdqWordsToBytes(w, bytes);
          vigil::hashbank::internal::EntryRef e;
          e.type = vigil::hashbank::SignalType::kPdq;
          e.bytes = bytes;
          e.severity = 4;
          e.added_unix = 1765000000;
          e.source = "bench";
          e.category = "bench";
          sink(e);
        }
      },
      {}, type_counts, {});
  if (!written.ok()) {
    std::fprintf(stderr, "cannot write %s: %s\n", bank_path.c_str(), written.message().c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::ofstream out(queries_path);
  std::mt19937_64 rng(7);
  for (size_t i = 0; i < queries; ++i) {
    PdqWords w;
    if (i % 2 == 0 && !kept.empty()) {
      w = kept[(i / 2) % kept.size()];
      for (int b = 0; b < near_bits; ++b) w.w[b % 4] ^= uint64_t{1} << (b * 7 % 64);
    } else {
      for (auto& word : w.w) word = rng();
    }
    out << vigil::hashbank::PdqHex(w) << "\n";
  }
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", queries_path.c_str());
    return 1;
  }
  std::printf("service_bench_bank: %zu entries written to %s in %.1f s; %zu queries in %s\n", count,
              bank_path.c_str(), seconds, queries, queries_path.c_str());
  return 0;
}
