// The per-call cost of a bank: Bank::Open + one PDQ query, as `vigil match` and every worker
// that loads the hash plugin pay it. "full" verifies every checksum and index entry on each
// open (what every open did before issue 12, BankVerification::kAlways); "marker" is the
// default open of an unchanged, already verified bank (header, section table and section
// sizes only, docs/hash-banks.md); "query" is the query alone on an open bank.
//
//   build/release/bench/bank_open_bench                      # 1M entries (136 MB bank)
//   VIGIL_BENCH_BANK_ENTRIES=100000 build/release/bench/bank_open_bench
//
// Data: uniform random PDQ hashes (benign: random bits), one query that matches nothing.
// The bank file is written to $TMPDIR once per run and removed at exit.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "vigil/hashbank/bank.h"

namespace {

using vigil::hashbank::Bank;
using vigil::hashbank::BankVerification;
using vigil::hashbank::OpenOptions;
using vigil::hashbank::PdqWords;

struct Fixture {
  std::string dir;
  std::string path;
  PdqWords query{};
  Fixture() {
    size_t n = 1000000;
    if (const char* env = std::getenv("VIGIL_BENCH_BANK_ENTRIES"))
      n = std::strtoull(env, nullptr, 10);
    const char* tmp = std::getenv("TMPDIR");
    dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/vigil-bank-open-bench-" +
          std::to_string(::getpid());
    std::string mkdir = "mkdir -p '" + dir + "'";
    if (std::system(mkdir.c_str()) != 0) std::abort();
    path = dir + "/bench.bank";
    std::mt19937_64 rng(12);
    std::vector<vigil::hashbank::Entry> entries(n);
    for (auto& e : entries) {
      e.value.type = vigil::hashbank::SignalType::kPdq;
      for (auto& b : e.value.bytes) b = static_cast<uint8_t>(rng());
      e.source = "bench";
    }
    if (!vigil::hashbank::WriteBankFile(path, "bench", entries).ok()) std::abort();
    for (auto& w : query.w) w = rng();
    // Verify once and record the marker (the racy window is for files changed just now).
    OpenOptions record;
    record.racy_window_ns = 0;
    if (!Bank::Open(path, record).ok()) std::abort();
    if (Bank::Open(path).value()->fully_verified()) {
      std::fprintf(stderr, "bank_open_bench: the verified marker was not recorded\n");
      std::abort();
    }
  }
  ~Fixture() {
    std::string rm = "rm -rf '" + dir + "'";
    if (std::system(rm.c_str()) != 0) std::fprintf(stderr, "could not remove %s\n", dir.c_str());
  }
};

Fixture& Data() {
  static Fixture fixture;
  return fixture;
}

void OpenAndMatch(benchmark::State& state, BankVerification verification) {
  Fixture& f = Data();
  OpenOptions options;
  options.verification = verification;
  options.record_verified = false;
  for (auto _ : state) {
    auto bank = Bank::Open(f.path, options);
    if (!bank.ok()) {
      state.SkipWithError(bank.status().message().c_str());
      return;
    }
    auto hits = bank.value()->QueryPdq(&f.query, 1);
    benchmark::DoNotOptimize(hits);
  }
  state.counters["file_MB"] = static_cast<double>(Bank::Open(f.path).value()->file_bytes()) / 1e6;
}

void BM_OpenAndMatch_Full(benchmark::State& state) {
  OpenAndMatch(state, BankVerification::kAlways);
}
void BM_OpenAndMatch_Marker(benchmark::State& state) {
  OpenAndMatch(state, BankVerification::kIfChanged);
}
void BM_QueryOnly(benchmark::State& state) {
  Fixture& f = Data();
  auto bank = Bank::Open(f.path);
  for (auto _ : state) {
    auto hits = bank.value()->QueryPdq(&f.query, 1);
    benchmark::DoNotOptimize(hits);
  }
}

BENCHMARK(BM_OpenAndMatch_Full)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_OpenAndMatch_Marker)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_QueryOnly)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
