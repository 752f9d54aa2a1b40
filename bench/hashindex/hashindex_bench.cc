// PDQ matching, single thread: Vigil's bank index vs FAISS IndexBinaryFlat and
// IndexBinaryMultiHash(256 bits, 16 maps, 16 bits) with nflip=1 (what HMA uses), in one run.
//
// Data sets: 1M and 10M hashes, uniform random and clustered (near-duplicate families of
// 1..64 members within 1..24 bits of their centre, as real banks are). A query is an image's
// 8 dihedral variants: 8 hashes, one match call. One query in ten has a variant within 0..30
// bits of a banked hash; the rest are unrelated images (most scanned items match nothing).
// Threshold 31 (matches at distance <= 31).
//
// Before timing, every engine's answers are compared with brute force on sample queries
// (entry, smallest distance over the variants); a mismatch fails the benchmark.
// After the run a table prints queries/s, the ratios, build time, memory per hash and the
// time to open a saved index. 10M cases are named .../10M: select or skip them with
// --benchmark_filter (e.g. --benchmark_filter='/1M').
#include <benchmark/benchmark.h>
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/index_io.h>
#include <malloc.h>
#include <omp.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/popcount.h"

namespace {

using vigil::hashbank::Bank;
using vigil::hashbank::PdqHit;
using vigil::hashbank::PdqWords;

constexpr int kThreshold = 31;
constexpr int kVariants = 8;
constexpr size_t kQueries = 2048;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

size_t HeapBytes() { return mallinfo2().uordblks + mallinfo2().hblkhd; }

PdqWords RandomPdq(std::mt19937_64& rng) {
  PdqWords w;
  for (uint64_t& x : w.w) x = rng();
  return w;
}

PdqWords Flip(PdqWords h, int count, std::mt19937_64& rng) {
  for (int i = 0; i < count; ++i) {
    const unsigned bit = static_cast<unsigned>(rng() % 256);
    h.w[bit / 64] ^= uint64_t{1} << (bit % 64);  // may repeat a bit: distance <= count
  }
  return h;
}

// FAISS wants bytes; Vigil's words hold the same 256 bits. Distances do not depend on order.
void ToBytes(const PdqWords& w, uint8_t* out) { std::memcpy(out, w.w.data(), 32); }

struct Dataset {
  std::string name;  // "random/1M"
  bool clustered = false;
  size_t n = 0;
  std::vector<PdqWords> hashes;
  std::vector<PdqWords> queries;  // kQueries * kVariants
  std::vector<uint8_t> query_bytes;

  // Vigil
  std::string bank_path;
  std::unique_ptr<Bank> bank;
  double vigil_build_s = 0, vigil_open_s = 0, vigil_open_unchecked_s = 0;
  double vigil_bytes_per_hash = 0, vigil_index_bytes_per_hash = 0;
  // FAISS
  std::unique_ptr<faiss::IndexBinaryMultiHash> multihash;
  std::unique_ptr<faiss::IndexBinaryFlat> flat;
  double mh_build_s = 0, mh_bytes_per_hash = 0, mh_load_s = -1;
  double flat_build_s = 0;
  std::string check;  // identical-results summary

  ~Dataset() {
    bank.reset();
    if (!bank_path.empty()) std::filesystem::remove(bank_path);
  }
};

struct Row {
  double vigil_qps = 0, mh_qps = 0, flat_qps = 0;
  double vigil_build_s = 0, mh_build_s = 0, flat_build_s = 0;
  double vigil_bytes = 0, vigil_index_bytes = 0, mh_bytes = 0;
  double vigil_open_s = 0, vigil_open_unchecked_s = 0, mh_load_s = -1;
  std::string check;
};
std::map<std::string, Row>& Table() {
  static std::map<std::string, Row> table;
  return table;
}

std::string TempDirectory() {
  const char* dir = std::getenv("VIGIL_BENCH_TMP");
  return dir != nullptr ? dir : std::filesystem::temp_directory_path().string();
}

void GenerateData(Dataset& d) {
  std::mt19937_64 rng(d.clustered ? 1234 : 5678);
  d.hashes.reserve(d.n);
  if (!d.clustered) {
    for (size_t i = 0; i < d.n; ++i) d.hashes.push_back(RandomPdq(rng));
  } else {
    while (d.hashes.size() < d.n) {
      const PdqWords centre = RandomPdq(rng);
      const size_t family = 1 + rng() % 64;
      for (size_t i = 0; i < family && d.hashes.size() < d.n; ++i) {
        d.hashes.push_back(i == 0 ? centre : Flip(centre, 1 + static_cast<int>(rng() % 24), rng));
      }
    }
  }
  for (size_t q = 0; q < kQueries; ++q) {
    for (int v = 0; v < kVariants; ++v) {
      if (v == 0 && q % 10 == 0) {
        d.queries.push_back(Flip(d.hashes[rng() % d.n], static_cast<int>(rng() % 31), rng));
      } else {
        d.queries.push_back(RandomPdq(rng));
      }
    }
  }
  d.query_bytes.resize(d.queries.size() * 32);
  for (size_t i = 0; i < d.queries.size(); ++i) ToBytes(d.queries[i], &d.query_bytes[i * 32]);
}

void BuildVigil(Dataset& d) {
  std::vector<vigil::hashbank::Entry> entries(d.n);
  for (size_t i = 0; i < d.n; ++i) {
    entries[i].value.type = vigil::hashbank::SignalType::kPdq;
    vigil::hashbank::PdqWordsToBytes(d.hashes[i], entries[i].value.bytes.data());
  }
  vigil::hashbank::BankBuildOptions options;
  if (const char* k = std::getenv("VIGIL_BENCH_SEGMENTS_PER_WORD"))
    options.segments_per_word = std::atoi(k);
  d.bank_path = TempDirectory() + "/vigil-hashindex-bench-" + std::to_string(::getpid()) + ".vbank";
  const auto start = std::chrono::steady_clock::now();
  const vigil::hashbank::Status s =
      vigil::hashbank::WriteBankFile(d.bank_path, d.name, entries, options);
  d.vigil_build_s = Seconds(start);
  if (!s.ok()) {
    std::fprintf(stderr, "WriteBankFile failed: %s\n", s.message().c_str());
    std::exit(1);
  }
  entries = {};
  vigil::hashbank::OpenOptions unchecked;
  unchecked.verify_checksums = false;
  auto t = std::chrono::steady_clock::now();
  {
    auto opened = Bank::Open(d.bank_path, unchecked);
    d.vigil_open_unchecked_s = Seconds(t);
  }
  // "checked": a full verification (every checksum), as on the first open of a new bank.
  vigil::hashbank::OpenOptions checked;
  checked.verification = vigil::hashbank::BankVerification::kAlways;
  checked.record_verified = false;
  t = std::chrono::steady_clock::now();
  auto bank = Bank::Open(d.bank_path, checked);
  d.vigil_open_s = Seconds(t);
  if (!bank.ok()) {
    std::fprintf(stderr, "Bank::Open failed: %s\n", bank.status().message().c_str());
    std::exit(1);
  }
  d.bank = std::move(bank).value();
  d.vigil_bytes_per_hash = static_cast<double>(d.bank->file_bytes()) / static_cast<double>(d.n);
  d.vigil_index_bytes_per_hash =
      static_cast<double>(d.bank->pdq_index_info().index_bytes) / static_cast<double>(d.n);
}

void BuildFaiss(Dataset& d) {
  std::vector<uint8_t> codes(d.n * 32);
  for (size_t i = 0; i < d.n; ++i) ToBytes(d.hashes[i], &codes[i * 32]);
  size_t heap0 = HeapBytes();
  auto start = std::chrono::steady_clock::now();
  d.multihash = std::make_unique<faiss::IndexBinaryMultiHash>(256, 16, 16);
  d.multihash->nflip = 1;
  d.multihash->add(static_cast<faiss::Index::idx_t>(d.n), codes.data());
  d.mh_build_s = Seconds(start);
  d.mh_bytes_per_hash = static_cast<double>(HeapBytes() - heap0) / static_cast<double>(d.n);
  // Loading a saved MultiHash index rebuilds its maps (the slow open HMA users see).
  const std::string path =
      TempDirectory() + "/faiss-multihash-bench-" + std::to_string(::getpid()) + ".index";
  faiss::write_index_binary(d.multihash.get(), path.c_str());
  start = std::chrono::steady_clock::now();
  std::unique_ptr<faiss::IndexBinary> loaded(faiss::read_index_binary(path.c_str()));
  d.mh_load_s = Seconds(start);
  loaded.reset();
  std::filesystem::remove(path);
  start = std::chrono::steady_clock::now();
  d.flat = std::make_unique<faiss::IndexBinaryFlat>(256);
  d.flat->add(static_cast<faiss::Index::idx_t>(d.n), codes.data());
  d.flat_build_s = Seconds(start);
}

// (entry, smallest distance, first variant reaching it), sorted like Vigil's QueryPdq.
std::vector<PdqHit> FaissQuery(const faiss::IndexBinary& index, const uint8_t* variants) {
  faiss::RangeSearchResult result(kVariants);
  // FAISS keeps distances strictly below the radius.
  index.range_search(kVariants, variants, kThreshold + 1, &result);
  std::vector<PdqHit> hits;
  for (int v = 0; v < kVariants; ++v) {
    for (size_t j = result.lims[v]; j < result.lims[v + 1]; ++j) {
      hits.push_back({static_cast<uint32_t>(result.labels[j]),
                      static_cast<uint16_t>(result.distances[j]), static_cast<uint8_t>(v)});
    }
  }
  std::sort(hits.begin(), hits.end(), [](const PdqHit& a, const PdqHit& b) {
    if (a.entry != b.entry) return a.entry < b.entry;
    if (a.distance != b.distance) return a.distance < b.distance;
    return a.variant < b.variant;
  });
  hits.erase(std::unique(hits.begin(), hits.end(),
                         [](const PdqHit& a, const PdqHit& b) { return a.entry == b.entry; }),
             hits.end());
  std::sort(hits.begin(), hits.end(), [](const PdqHit& a, const PdqHit& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.entry < b.entry;
  });
  return hits;
}

// VIGIL_BENCH_SKIP_FAISS=1: Vigil only, checked against brute force (for tuning the layout).
bool SkipFaiss() { return std::getenv("VIGIL_BENCH_SKIP_FAISS") != nullptr; }

void CheckIdentical(Dataset& d) {
  // Brute force is the reference; Flat at 10M is slow, so fewer sample queries there.
  const size_t samples = d.n > 2000000 ? 16 : 100;
  size_t total_hits = 0, mismatches = 0;
  for (size_t q = 0; q < samples; ++q) {
    const size_t at = (q * 37) % kQueries;
    auto vigil = d.bank->QueryPdq(&d.queries[at * kVariants], kVariants, kThreshold);
    auto brute = d.bank->QueryPdqBruteForce(&d.queries[at * kVariants], kVariants, kThreshold);
    const std::vector<PdqHit> mh =
        SkipFaiss() ? brute.value() : FaissQuery(*d.multihash, &d.query_bytes[at * kVariants * 32]);
    const std::vector<PdqHit> flat =
        SkipFaiss() ? brute.value() : FaissQuery(*d.flat, &d.query_bytes[at * kVariants * 32]);
    if (!vigil.ok() || !brute.ok() || vigil.value() != brute.value() || mh != brute.value() ||
        flat != brute.value()) {
      ++mismatches;
    }
    total_hits += brute.ok() ? brute->size() : 0;
  }
  d.check = std::to_string(samples) + " queries, " + std::to_string(total_hits) + " matches, " +
            (mismatches == 0 ? "identical" : std::to_string(mismatches) + " MISMATCHED");
  if (mismatches != 0) {
    std::fprintf(stderr, "%s: results differ between engines (%s)\n", d.name.c_str(),
                 d.check.c_str());
    std::exit(1);
  }
}

// One data set in memory at a time (10M needs a few GB).
Dataset& Data(bool clustered, size_t n) {
  static std::unique_ptr<Dataset> current;
  const std::string name = std::string(clustered ? "clustered/" : "random/") +
                           (n >= 1000000 ? std::to_string(n / 1000000) + "M" : std::to_string(n));
  if (!current || current->name != name) {
    current.reset();
    current = std::make_unique<Dataset>();
    current->name = name;
    current->clustered = clustered;
    current->n = n;
    GenerateData(*current);
    BuildVigil(*current);
    if (!SkipFaiss()) BuildFaiss(*current);
    CheckIdentical(*current);
    Row& row = Table()[name];
    row.vigil_build_s = current->vigil_build_s;
    row.mh_build_s = current->mh_build_s;
    row.flat_build_s = current->flat_build_s;
    row.vigil_bytes = current->vigil_bytes_per_hash;
    row.vigil_index_bytes = current->vigil_index_bytes_per_hash;
    row.mh_bytes = current->mh_bytes_per_hash;
    row.vigil_open_s = current->vigil_open_s;
    row.vigil_open_unchecked_s = current->vigil_open_unchecked_s;
    row.mh_load_s = current->mh_load_s;
    row.check = current->check;
  }
  return *current;
}

enum class Engine { kVigil, kMultiHash, kFlat };

void RunQueries(benchmark::State& state, Engine engine, bool clustered, size_t n) {
  Dataset& d = Data(clustered, n);
  size_t q = 0, matches = 0;
  // CPU time of this thread: the machine may be shared, and each engine runs on one thread.
  const double start = ThreadCpuSeconds();
  for (auto _ : state) {
    const size_t at = q++ % kQueries;
    if (engine == Engine::kVigil) {
      auto hits = d.bank->QueryPdq(&d.queries[at * kVariants], kVariants, kThreshold);
      matches += hits->size();
    } else {
      const faiss::IndexBinary& index = engine == Engine::kMultiHash
                                            ? static_cast<const faiss::IndexBinary&>(*d.multihash)
                                            : static_cast<const faiss::IndexBinary&>(*d.flat);
      matches += FaissQuery(index, &d.query_bytes[at * kVariants * 32]).size();
    }
  }
  const double qps = static_cast<double>(state.iterations()) / (ThreadCpuSeconds() - start);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["matches/query"] =
      static_cast<double>(matches) / static_cast<double>(state.iterations());
  Row& row = Table()[d.name];
  (engine == Engine::kVigil       ? row.vigil_qps
   : engine == Engine::kMultiHash ? row.mh_qps
                                  : row.flat_qps) = qps;
}

void PrintTable() {
  std::printf(
      "\nPDQ matching, threshold %d, %d dihedral variants per query, 1 thread, queries/s in thread "
      "CPU time, popcount path %s\n",
      kThreshold, kVariants,
      std::string(vigil::hashbank::PopcountPathName(vigil::hashbank::ActivePopcountPath()))
          .c_str());
  std::printf(
      "| data set | Vigil q/s | FAISS MultiHash q/s | FAISS Flat q/s | Vigil / MultiHash | Vigil / "
      "Flat | build s (Vigil / MH / Flat) | bytes per hash (Vigil file, of which index / MH heap) "
      "| open s (Vigil checked / unchecked / MH read_index) | results |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& [name, r] : Table()) {
    std::printf(
        "| %s | %.0f | %.1f | %.2f | %.1fx | %.0fx | %.2f / %.2f / %.2f | %.0f, %.0f / %.0f | %.3f "
        "/ %.3f / %.2f | %s |\n",
        name.c_str(), r.vigil_qps, r.mh_qps, r.flat_qps,
        r.mh_qps > 0 ? r.vigil_qps / r.mh_qps : 0.0,
        r.flat_qps > 0 ? r.vigil_qps / r.flat_qps : 0.0, r.vigil_build_s, r.mh_build_s,
        r.flat_build_s, r.vigil_bytes, r.vigil_index_bytes, r.mh_bytes, r.vigil_open_s,
        r.vigil_open_unchecked_s, r.mh_load_s, r.check.c_str());
  }
}

void Register() {
  for (size_t n : {size_t{1000000}, size_t{10000000}}) {
    for (bool clustered : {false, true}) {
      const std::string suffix =
          std::string(clustered ? "clustered/" : "random/") + std::to_string(n / 1000000) + "M";
      const bool big = n >= 10000000;
      benchmark::RegisterBenchmark(
          ("Vigil/" + suffix).c_str(),
          [=](benchmark::State& s) { RunQueries(s, Engine::kVigil, clustered, n); })
          ->Unit(benchmark::kMicrosecond)
          ->MinTime(1.0);
      benchmark::RegisterBenchmark(
          ("FaissMultiHash/" + suffix).c_str(),
          [=](benchmark::State& s) { RunQueries(s, Engine::kMultiHash, clustered, n); })
          ->Unit(benchmark::kMicrosecond)
          ->MinTime(1.0);
      benchmark::RegisterBenchmark(
          ("FaissFlat/" + suffix).c_str(),
          [=](benchmark::State& s) { RunQueries(s, Engine::kFlat, clustered, n); })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(big ? 4 : 20);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  omp_set_num_threads(1);  // single thread for every engine
  Register();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  PrintTable();
  return 0;
}
