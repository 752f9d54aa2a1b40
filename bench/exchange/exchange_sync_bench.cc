// Exchange sync (issue 15 item 1, "Measure"): through the same library `vigil exchanges
// sync` uses, against the loopback NCMEC mock (HTTP on 127.0.0.1, Basic auth, XML pages of
// 1,000 records with next links, made on request):
//
//   initial      a feed of N entries (default 1,000,000; one MD5 per record) synced into an
//                empty bank: fetching, parsing, the bank writes and index builds, the
//                checkpoints. Goal < 60 s.
//   incremental  a new window with 1,000 changes (600 new records, 250 reclassified, 150
//                deleted): from the start of the sync until a new value matches in a freshly
//                opened bank and a deleted one no longer does. Goal < 10 s.
//
//   bench/exchange_sync_bench
//   VIGIL_EXCHANGE_BENCH_ENTRIES=100000 bench/exchange_sync_bench   (a quick look)
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "exchange/exchange_client.h"
#include "exchange/exchange_sync.h"
#include "store/exchanges.h"
#include "store/store.h"
#include "tests/exchange/mock_ncmec_server.h"
#include "vigil/hashbank/bank.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
constexpr int kPerPage = 1000;

std::string Md5Of(long record) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016lx%016lx", static_cast<unsigned long>(record) * 2654435761ul,
                static_cast<unsigned long>(record) ^ 0x5bd1e995ul);
  return buf;
}

std::string Record(long record, const char* classification, const std::string& ts) {
  return "<image><member id=\"42\">Bench</member><timestamp>" + ts + "</timestamp><id>r" +
         std::to_string(record) + "</id><classification>" + classification +
         "</classification><fingerprints><md5>" + Md5Of(record) + "</md5></fingerprints></image>\n";
}

std::string Page(const std::string& body, long next_start) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<queryResult xmlns=\"https://hashsharing.ncmec.org/hashsharing/v2\"><images>\n" +
      body + "</images>\n";
  if (next_start > 0) {
    xml += "<paging><next>/v2/entries?from=2020-01-01T00%3A00%3A00.000Z&amp;start=" +
           std::to_string(next_start) + "&amp;size=1000</next></paging>\n";
  }
  return xml + "</queryResult>\n";
}

long PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

}  // namespace

int main() {
  using namespace vigil;
  const char* env = std::getenv("VIGIL_EXCHANGE_BENCH_ENTRIES");
  const long entries = env != nullptr ? std::atol(env) : 1000000;
  const long pages = (entries + kPerPage - 1) / kPerPage;
  const fs::path dir =
      fs::temp_directory_path() / ("vigil-exchange-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto store = host::Store::Open(dir / "store.db");
  if (!store.ok()) {
    std::fprintf(stderr, "store: %s\n", store.status().message().c_str());
    return 1;
  }
  exchange::testing::MockNcmecServer server("bench", "bench-password");
  bool incremental = false;
  server.SetGenerator([&](const std::string& start) -> std::string {
    if (incremental) {  // one page: 600 new, 250 reclassified, 150 deleted
      std::string body;
      for (long i = 0; i < 600; ++i) body += Record(entries + i, "A1", "2021-01-01T00:00:00Z");
      for (long i = 0; i < 250; ++i) body += Record(i * 7, "B2", "2021-01-01T00:00:00Z");
      for (long i = 0; i < 150; ++i) {
        body += "<deletedImage><member id=\"42\">Bench</member><id>r" + std::to_string(i * 11 + 1) +
                "</id><timestamp>2021-01-01T00:00:00Z</timestamp></deletedImage>\n";
      }
      return Page(body, 0);
    }
    const long page = start.empty() ? 0 : (std::atol(start.c_str()) - 1) / kPerPage;
    if (page >= pages) return "";
    std::string body;
    for (long r = page * kPerPage; r < std::min(entries, (page + 1) * kPerPage); ++r) {
      body += Record(r, r % 2 ? "A1" : "B1", "2020-06-01T00:00:00Z");
    }
    return Page(body, page + 1 < pages ? (page + 1) * kPerPage + 1 : 0);
  });

  host::Exchange ex;
  ex.name = "bench";
  ex.kind = "ncmec";
  ex.endpoint = server.base_url();
  ex.bank = "bench";
  ex.created_by = "bench";
  if (Status s = host::AddExchange(store.value()->db(), ex); !s.ok()) return 1;
  exchange::ClientOptions options;
  auto client = exchange::MakeExchangeClient(ex, "bench:bench-password", options);
  if (!client.ok()) return 1;
  const std::string bank_path = (dir / "bench.bank").string();
  exchange::SyncOptions sync;
  sync.max_pages = static_cast<int>(pages) + 10;

  auto t0 = Clock::now();
  auto initial = exchange::SyncExchange(store.value()->db(), ex, *client.value(), bank_path, sync);
  const double initial_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!initial.ok()) {
    std::fprintf(stderr, "initial sync: %s\n", initial.status().message().c_str());
    return 1;
  }
  std::printf(
      "initial sync: %ld entries, %d pages in %.1f s (%zu entries in the bank, %.0f MB "
      "file), peak RSS %ld MB\n",
      entries, initial.value().pages, initial_s, initial.value().entries,
      fs::file_size(bank_path) / 1e6, PeakRssMb());

  incremental = true;
  t0 = Clock::now();
  auto inc = exchange::SyncExchange(store.value()->db(), ex, *client.value(), bank_path, sync);
  if (!inc.ok()) {
    std::fprintf(stderr, "incremental sync: %s\n", inc.status().message().c_str());
    return 1;
  }
  auto bank = hashbank::Bank::Open(bank_path);
  auto added = hashbank::ParseHashValue(hashbank::SignalType::kMd5, Md5Of(entries + 599));
  auto deleted = hashbank::ParseHashValue(hashbank::SignalType::kMd5, Md5Of(1));
  const bool matches = bank.ok() && added.ok() && !bank.value()->MatchExact(added.value())->empty();
  const bool gone = bank.ok() && deleted.ok() && bank.value()->MatchExact(deleted.value())->empty();
  const double inc_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf(
      "incremental sync: 1000 changes (%zu added, %zu updated, %zu deleted), matching "
      "after %.2f s (new value matches: %s, deleted value gone: %s)\n",
      inc.value().added, inc.value().updated, inc.value().deleted, inc_s, matches ? "yes" : "NO",
      gone ? "yes" : "NO");
  store.value().reset();
  fs::remove_all(dir);
  return matches && gone ? 0 : 1;
}
