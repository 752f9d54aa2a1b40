#include <sqlite3.h>
// Rematch (issue 12, item 7): how long `vigil rematch` takes for a store of 1M items,
// each with the four signals a scan keeps (pdq, md5, sha1, sha256), against a bank.
//
// The store and the bank are synthetic and random (no images): 1M stored items; a bank
// of N random PDQ hashes and N random MD5s, 100 of the PDQ entries planted within
// distance 20 of a stored item's hash and 100 MD5 entries equal to stored digests, so
// that the pass finds and records 200 new matches on its first run. The store is built
// once per process (in $TMPDIR, removed at exit) and the measured time is the whole
// host::Rematch call: reading every stored signal, matching it with the bank's index,
// and recording the hits through the default policy in one transaction.
//
//   bench/rematch_bench [--benchmark_filter=...]
//   VIGIL_REMATCH_ITEMS=100000 bench/rematch_bench   (a smaller store, for a quick look)
//   VIGIL_REMATCH_THREADS=1 bench/rematch_bench      (one thread for the PDQ matching)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "store/rematch.h"
#include "store/db/sqlite_database.h"
#include "store/store.h"
#include "vigil/hashbank/bank.h"

namespace {

namespace fs = std::filesystem;
using vigil::hashbank::HashValue;
using vigil::hashbank::SignalType;

std::string Hex(std::mt19937_64& rng, size_t bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (size_t i = 0; i < bytes; i += 8) {
    uint64_t word = rng();
    for (size_t j = 0; j < 16 && out.size() < bytes * 2; ++j) {
      out += kDigits[word & 15];
      word >>= 4;
    }
  }
  return out;
}

// Flips `bits` distinct bits of a 64-digit PDQ hex value.
std::string Flip(const std::string& hex, int bits, std::mt19937_64& rng) {
  std::string out = hex;
  std::vector<int> positions(256);
  for (int i = 0; i < 256; ++i) positions[i] = i;
  std::shuffle(positions.begin(), positions.end(), rng);
  for (int b = 0; b < bits; ++b) {
    const int digit = positions[b] / 4;
    const int bit = positions[b] % 4;
    int v = std::stoi(std::string(1, out[digit]), nullptr, 16) ^ (1 << bit);
    out[digit] = "0123456789abcdef"[v];
  }
  return out;
}

constexpr int64_t kRecent = 1000;             // entries per type in the "recent" import
constexpr int64_t kRecentSince = 1796083200;  // 2026-12-01T00:00:00Z

// One store per process; one bank per size (and per recent/not), named for it, so that
// each bank's first run finds its planted entries as new matches.
struct Fixture {
  fs::path dir;
  std::string store_path;
  std::map<std::pair<int64_t, bool>, std::unique_ptr<vigil::hashbank::Bank>> banks;
  std::vector<std::string> planted_pdq, planted_md5;
  int64_t items = 0;

  static Fixture& Get() {
    static std::unique_ptr<Fixture> fixture = Build();
    return *fixture;
  }

  const vigil::hashbank::Bank& BankOf(int64_t bank_entries, bool recent) {
    auto& bank = banks[{bank_entries, recent}];
    if (!bank) bank = MakeBank(bank_entries, recent);
    return *bank;
  }

  // Where the rows go: the SQLite store through prepared statements, or the team store
  // through multi-row INSERTs (the values are hex digits, numbers and plain paths).
  struct Rows {
    virtual ~Rows() = default;
    virtual void Item(int64_t id, const std::string &sha256, const std::string &path) = 0;
    virtual void Run(int64_t id, const char *detector) = 0;
    virtual void Signal(int64_t id, const char *detector, const char *type,
                        const std::string &value, int quality) = 0;
  };

  struct SqliteRows final : Rows {
    struct Stmt {
      sqlite3_stmt *s = nullptr;
      Stmt(sqlite3 *db, const char *sql) {
        if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) std::abort();
      }
      ~Stmt() { sqlite3_finalize(s); }
      void Run(int64_t id, const std::string &a, const std::string &b = "",
               const std::string &c = "", int quality = -1) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, a.data(), static_cast<int>(a.size()), SQLITE_TRANSIENT);
        if (!b.empty())
          sqlite3_bind_text(s, 3, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
        if (!c.empty())
          sqlite3_bind_text(s, 4, c.data(), static_cast<int>(c.size()), SQLITE_TRANSIENT);
        if (quality >= 0)
          sqlite3_bind_int(s, 5, quality);
        else if (!c.empty())
          sqlite3_bind_null(s, 5);
        if (sqlite3_step(s) != SQLITE_DONE) std::abort();
        sqlite3_reset(s);
      }
    };
    explicit SqliteRows(sqlite3 *db)
        : item(db,
               "INSERT INTO items (id, sha256, size, media_kind, "
               "first_path, last_path, "
               "first_seen, last_scanned, status, outcome) VALUES (?1, ?2, "
               "1000, 'image', ?3, "
               "?3, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', 'ok', "
               "'clear')"),
          signal(db,
                 "INSERT INTO signals (item_id, detector, type, value, "
                 "quality) VALUES (?1, ?2, "
                 "?3, ?4, ?5)"),
          run(db,
              "INSERT INTO detector_runs (item_id, detector, status, "
              "ran_at) VALUES (?1, ?2, "
              "'ok', '2026-12-01T00:00:00Z')") {}
    void Item(int64_t id, const std::string &sha256, const std::string &path) override {
      item.Run(id, sha256, path);
    }
    void Run(int64_t id, const char *detector) override { run.Run(id, detector); }
    void Signal(int64_t id, const char *detector, const char *type, const std::string &value,
                int quality) override {
      signal.Run(id, detector, type, value, quality);
    }
    Stmt item, signal, run;
  };

  struct PostgresRows final : Rows {
    explicit PostgresRows(vigil::host::Database &db) : db(db) {}
    ~PostgresRows() override { Flush(); }
    void Item(int64_t id, const std::string &sha256, const std::string &path) override {
      Add(items, "(" + std::to_string(id) + ", '" + sha256 + "', 1000, 'image', '" + path + "', '" +
                     path +
                     "', '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', 'ok', "
                     "'clear')");
    }
    void Run(int64_t id, const char *detector) override {
      Add(runs, "(" + std::to_string(id) + ", '" + detector + "', 'ok', '2026-12-01T00:00:00Z')");
    }
    void Signal(int64_t id, const char *detector, const char *type, const std::string &value,
                int quality) override {
      Add(signals, "(" + std::to_string(id) + ", '" + detector + "', '" + type + "', '" + value +
                       "', " + (quality >= 0 ? std::to_string(quality) : "NULL") + ")");
    }
    void Add(std::vector<std::string> &rows, std::string row) {
      rows.push_back(std::move(row));
      if (rows.size() >= 2000) Flush();
    }
    void Flush() {  // items first: the others refer to them
      Send(
          "INSERT INTO items (id, sha256, size, media_kind, first_path, "
          "last_path, first_seen, "
          "last_scanned, status, outcome) VALUES ",
          items);
      Send(
          "INSERT INTO detector_runs (item_id, detector, status, ran_at) "
          "VALUES ",
          runs);
      Send(
          "INSERT INTO signals (item_id, detector, type, value, quality) "
          "VALUES ",
          signals);
    }
    void Send(const std::string &head, std::vector<std::string> &rows) {
      if (rows.empty()) return;
      std::string sql = head;
      for (size_t i = 0; i < rows.size(); ++i) sql += (i ? ", " : "") + rows[i];
      rows.clear();
      if (vigil::Status s = db.Exec(sql); !s.ok()) {
        std::fprintf(stderr, "rematch_bench: seeding the team store: %s\n", s.message().c_str());
        std::abort();
      }
    }
    vigil::host::Database &db;
    std::vector<std::string> items, runs, signals;
  };

  static std::unique_ptr<Fixture> Build() {
    auto f = std::make_unique<Fixture>();
    const char *env = std::getenv("VIGIL_REMATCH_ITEMS");
    f->items = env ? std::atoll(env) : 1'000'000;
    f->dir = fs::temp_directory_path() / ("vigil-rematch-bench-" + std::to_string(::getpid()));
    fs::remove_all(f->dir);
    fs::create_directories(f->dir);
    // VIGIL_REMATCH_STORE: an empty team store's URL (bench/rematch/postgres.sh makes one).
    const char *team_store = std::getenv("VIGIL_REMATCH_STORE");
    f->store_path = team_store ? team_store : (f->dir / "store.db").string();
    std::mt19937_64 rng(12);
    auto &planted_pdq = f->planted_pdq;
    auto &planted_md5 = f->planted_md5;
    {
      auto store = vigil::host::Store::Open(f->store_path);
      if (!store.ok()) {
        std::fprintf(stderr, "rematch_bench: %s\n", store.status().message().c_str());
        std::abort();
      }
      vigil::host::Database &database = store.value()->db();
      const bool sqlite = database.dialect() == vigil::host::Dialect::kSqlite;
      sqlite3 *db = sqlite ? vigil::host::SqliteHandle(database) : nullptr;
      // Building 1M items' rows is not what is measured: a large page cache, and the
      // value index built once at the end (sorted) instead of row by row.
      const char *drop_index = "DROP INDEX signals_by_value_item";
      if (sqlite) {
        sqlite3_exec(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576;", nullptr, nullptr,
                     nullptr);
      }
      if (!database.Exec(drop_index).ok()) std::abort();
      vigil::host::Transaction tx(database);
      if (!tx.Begin().ok()) std::abort();
      std::unique_ptr<Rows> rows;
      if (sqlite) {
        rows = std::make_unique<SqliteRows>(db);
      } else {
        rows = std::make_unique<PostgresRows>(database);
      }
      const int64_t every = std::max<int64_t>(1, f->items / 100);
      for (int64_t id = 1; id <= f->items; ++id) {
        const std::string sha256 = Hex(rng, 32);
        rows->Item(id, sha256, "/synthetic/" + std::to_string(id) + ".jpg");
        rows->Run(id, "vigil.pdq");
        rows->Run(id, "vigil.exact");
        const std::string pdq = Hex(rng, 32);
        const std::string md5 = Hex(rng, 16);
        rows->Signal(id, "vigil.pdq", "pdq", pdq, 100);
        rows->Signal(id, "vigil.exact", "md5", md5, -1);
        rows->Signal(id, "vigil.exact", "sha1", Hex(rng, 20), -1);
        rows->Signal(id, "vigil.exact", "sha256", sha256, -1);
        if (id % every == 0) {
          planted_pdq.push_back(Flip(pdq, 20, rng));
          planted_md5.push_back(md5);
        }
      }
      rows.reset();  // the last rows
      if (!database
               .Exec("CREATE INDEX signals_by_value_item ON signals(type, "
                     "value, item_id)")
               .ok()) {
        std::abort();
      }
      if (!tx.Commit().ok()) std::abort();
      if (!sqlite && !database.Exec("ANALYZE").ok()) std::abort();
    }
    return f;
  }

  // With `recent`, the last kRecent entries of each type (the planted ones among them) were
  // added on 2026-12-01 and the rest a year before: a small import into a large bank, which
  // `--since 2026-12-01` (kRecentSince) rematches alone.
  std::unique_ptr<vigil::hashbank::Bank> MakeBank(int64_t bank_entries, bool recent) {
    std::mt19937_64 rng(static_cast<uint64_t>(bank_entries));
    std::vector<vigil::hashbank::Entry> entries;
    auto add = [&entries](SignalType type, const std::string& hex, int64_t added) {
      vigil::hashbank::Entry e;
      e.value = vigil::hashbank::ParseHashValue(type, hex).value();
      e.source = "bench";
      e.category = "B2";
      e.severity = 3;
      e.added_unix = added;
      entries.push_back(e);
    };
    const int64_t first_planted = recent ? bank_entries - kRecent : 0;
    for (int64_t i = 0; i < bank_entries; ++i) {
      const int64_t p = i - first_planted;
      const bool planted = p >= 0 && p < static_cast<int64_t>(planted_pdq.size());
      const int64_t added = recent && i >= bank_entries - kRecent ? kRecentSince : 1764979200;
      add(SignalType::kPdq, planted ? planted_pdq[p] : Hex(rng, 32), added);
      add(SignalType::kMd5, planted ? planted_md5[p] : Hex(rng, 16), added);
    }
    const std::string name = "bench-" + std::to_string(bank_entries) + (recent ? "-recent" : "");
    const std::string bank_path = (dir / (name + ".bank")).string();
    if (!vigil::hashbank::WriteBankFile(bank_path, name, entries).ok()) std::abort();
    auto bank = vigil::hashbank::Bank::Open(bank_path);
    if (!bank.ok()) std::abort();
    return std::move(bank).value();
  }

  ~Fixture() { fs::remove_all(dir); }
};

// The first run over a store finds the planted matches and records them; the runs after
// it do the same reading and matching and find nothing new. Arguments: bank entries per
// type; 1: the bank's last 1,000 entries per type are recent and the rematch is `--since`
// their date; the PDQ strategy (0 auto, 1 index the stored hashes, 2 query the bank's
// index), to compare the two directions. Time is wall-clock; CPU is the process's (both
// threads).
void BM_Rematch(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  const bool since = state.range(1) != 0;
  const vigil::hashbank::Bank& bank = f.BankOf(state.range(0), since);
  vigil::host::RematchOptions options;
  options.first_party = {"vigil.pdq", "vigil.exact"};
  options.entries_since_unix = since ? kRecentSince : 0;
  options.pdq_strategy = static_cast<vigil::host::RematchOptions::PdqStrategy>(state.range(2));
  if (const char* threads = std::getenv("VIGIL_REMATCH_THREADS")) {
    options.threads = std::atoi(threads);
  }
  const vigil::host::Policy policy = vigil::host::Policy::Default();
  int64_t new_matches = 0, checked = 0, signals = 0;
  for (auto _ : state) {
    auto store = vigil::host::Store::Open(f.store_path);
    if (!store.ok()) state.SkipWithError(store.status().message().c_str());
    auto report = vigil::host::Rematch(*store.value(), {&bank}, policy, options);
    if (!report.ok()) {
      state.SkipWithError(report.status().message().c_str());
      break;
    }
    new_matches += report.value().new_matches;
    checked = report.value().items_checked;
    signals = report.value().signals_checked;
  }
  state.counters["items"] = static_cast<double>(checked);
  state.counters["signals"] = static_cast<double>(signals);
  state.counters["new_matches"] = static_cast<double>(new_matches);
  state.counters["bank_entries"] = static_cast<double>(bank.size());
}
BENCHMARK(BM_Rematch)
    ->ArgNames({"per_type", "since", "strategy"})
    ->Args({10'000, 0, 0})
    ->Args({100'000, 0, 0})
    ->Args({10'000, 1, 0})
    ->Args({100'000, 1, 0})
    ->Args({100'000, 0, 1})
    ->Args({100'000, 0, 2})
    ->Iterations(3)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kSecond);

}  // namespace

BENCHMARK_MAIN();
