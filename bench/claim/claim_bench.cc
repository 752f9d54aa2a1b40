// Claim latency with 4 and 32 concurrent reviewers (issue 13, "Measure"): on the team store
// (a throw-away PostgreSQL 15 this driver starts with scripts/postgres.sh and removes at the
// end; each reviewer its own login and connection) and on SQLite beside it (each reviewer
// its own connection to one file). Each reviewer thread claims the next item
// (ReviewQueue::Claim, what the console and `vigil queue claim` call), looks at it for a
// think time, and decides it, over and over; only the claims are timed. Prints p50/p99/max
// per backend, reviewer count and think time.
//
// Two ways to work: back to back (think 0: every reviewer claims the moment they decided,
// `--claims` in all; this measures the store's throughput, and with more reviewers than
// cores each claim waits for the others') and paced (think T ms: each look lasts an
// exponentially distributed time with mean T, for `--seconds`; people take seconds to a
// minute per item, so T = 500 is already many times faster than a real team).
//
//   claim_bench [--backend both|postgres|sqlite] [--reviewers 4,32] [--think-ms 0,500]
//               [--claims N] [--seconds S] [--items N]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "store/db/database.h"
#include "store/review_queue.h"
#include "store/store.h"

namespace {

namespace fs = std::filesystem;
using vigil::host::ReviewQueue;
using vigil::host::Store;

struct Options {
  std::string backend = "both";
  std::vector<int> reviewers = {4, 32};
  std::vector<int> think_ms = {0, 500};
  int claims = 3200;  // per back-to-back run, split between the reviewers
  int seconds = 20;   // per paced run
  int items = 6000;   // seeded per run (more than the claims: the queue never runs dry)
};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "claim_bench: %s\n", message.c_str());
  std::exit(1);
}

// The throw-away server: started in the constructor, stopped and removed in the destructor.
class PostgresServer {
 public:
  explicit PostgresServer(const fs::path& dir) : state_(dir / "postgres.env") {
    if (Script("start") != 0) Die("scripts/postgres.sh start failed");
    std::ifstream in(state_);
    for (std::string line; std::getline(in, line);) {
      const size_t eq = line.find('=');
      if (eq != std::string::npos) state_values_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    if (state_values_["VIGIL_PG_PORT"].empty()) Die("no state in " + state_.string());
    std::ifstream admin(state_values_["PGPASSFILE"]);
    std::getline(admin, pgpass_text_);
    pgpass_text_ += "\n";
    pgpass_ = dir / "pgpass";
    WritePgpass();
    setenv("PGPASSFILE", pgpass_.c_str(), 1);
  }
  ~PostgresServer() { Script("stop"); }

  std::string Url(const std::string& user, const std::string& db) {
    return "postgresql://" + user + "@127.0.0.1:" + state_values_["VIGIL_PG_PORT"] + "/" + db;
  }
  void AddPassword(const std::string& login, const std::string& password) {
    pgpass_text_ +=
        "127.0.0.1:" + state_values_["VIGIL_PG_PORT"] + ":*:" + login + ":" + password + "\n";
    WritePgpass();
  }

 private:
  int Script(const std::string& command) {
    const std::string line = "VIGIL_PG_STATE='" + state_.string() +
                             "' bash '" VIGIL_SOURCE_DIR "/scripts/postgres.sh' " + command +
                             " >/dev/null";
    return std::system(line.c_str());
  }
  void WritePgpass() {
    {
      std::ofstream out(pgpass_, std::ios::trunc);
      out << pgpass_text_;
    }
    fs::permissions(pgpass_, fs::perms::owner_read | fs::perms::owner_write);
  }
  fs::path state_;
  fs::path pgpass_;
  std::string pgpass_text_;
  std::map<std::string, std::string> state_values_;
};

void Exec(vigil::host::Database& db, const std::string& sql) {
  vigil::host::Statement statement(db, sql);
  const int rc = statement.Step();
  if (rc != vigil::host::kDone && rc != vigil::host::kRow) {
    Die(statement.Error("running " + sql.substr(0, 60)).message());
  }
}

// `items` items in review, severities 1..5, in the default queue (SQL for both backends).
void Seed(Store& store, int items) {
  const std::string cte =
      "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g "
      "WHERE x < " +
      std::to_string(items) + ") ";
  Exec(store.db(), cte +
                       "INSERT INTO items (id, sha256, size, media_kind, first_path, last_path, "
                       "first_seen, last_scanned, status, outcome) SELECT x, 'bench-' || x, 100, "
                       "'image', '/bench', '/bench', '2026-12-01T00:00:00Z', "
                       "'2026-12-01T00:00:00Z', 'ok', 'review' FROM g");
  Exec(store.db(), cte +
                       "INSERT INTO queue (item_id, state, priority, severity, obscure_level, "
                       "enqueued_at, updated_at) SELECT x, 'pending', 10, 1 + x % 5, 5, "
                       "'2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z' FROM g");
  if (store.db().dialect() == vigil::host::Dialect::kPostgres) Exec(store.db(), "ANALYZE");
}

struct RunResult {
  std::vector<double> ms;  // one per claim
  int errors = 0;
  std::string first_error;
  double seconds = 0;
  double first_claim_max_ms = 0;  // the slowest session's first (untimed) claim
};

// `reviewers` threads, each with the store `open(i)` gives it, claim and decide
// `per_reviewer` items each back to back (think_ms 0), or for `seconds` with a think time
// of mean `think_ms` between each claim and its decision.
template <typename OpenFn>
RunResult Work(int reviewers, int per_reviewer, int think_ms, int seconds, OpenFn open,
               const std::vector<std::string>& names) {
  RunResult result;
  std::vector<std::vector<double>> times(reviewers);
  std::vector<std::string> errors(reviewers);
  std::vector<int> error_counts(reviewers, 0);
  std::vector<double> first_claim_ms(reviewers, 0);
  std::vector<std::unique_ptr<Store>> stores(reviewers);
  for (int r = 0; r < reviewers; ++r) stores[r] = open(r);  // connections first: untimed
  std::atomic<int> ready{0};
  const auto start = std::chrono::steady_clock::now();
  const auto stop = start + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int r = 0; r < reviewers; ++r) {
    threads.emplace_back([&, r] {
      ReviewQueue queue(*stores[r]);
      vigil::host::ClaimOptions options;
      std::mt19937 random(static_cast<unsigned>(r + 1));
      std::exponential_distribution<double> look(think_ms > 0 ? 1.0 / think_ms : 1.0);
      // A new session's first claim plans its statements and fills the server's caches
      // for this connection (tens of ms): one untimed claim and release first, as a
      // console does once when it opens; its time is reported apart.
      const auto w0 = std::chrono::steady_clock::now();
      auto first = queue.Claim(names[r], options);
      first_claim_ms[r] =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - w0).count();
      if (first.ok() && first.value()) (void)queue.Release(first.value()->item_id, names[r]);
      ++ready;
      while (ready.load() < reviewers) std::this_thread::yield();
      for (int i = 0; think_ms > 0 ? std::chrono::steady_clock::now() < stop : i < per_reviewer;
           ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        auto claimed = queue.Claim(names[r], options);
        const auto t1 = std::chrono::steady_clock::now();
        if (!claimed.ok() || !claimed.value()) {
          if (errors[r].empty()) {
            errors[r] = claimed.ok() ? "nothing to claim" : claimed.status().message();
          }
          ++error_counts[r];
          continue;
        }
        times[r].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        if (think_ms > 0) {
          std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(look(random)));
        }
        vigil::Status decided = queue.Decide(claimed.value()->item_id, names[r], "A1", "");
        if (!decided.ok()) {
          if (errors[r].empty()) errors[r] = decided.message();
          ++error_counts[r];
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int r = 0; r < reviewers; ++r) {
    result.ms.insert(result.ms.end(), times[r].begin(), times[r].end());
    result.errors += error_counts[r];
    if (result.first_error.empty()) result.first_error = errors[r];
  }
  std::sort(result.ms.begin(), result.ms.end());
  result.first_claim_max_ms = *std::max_element(first_claim_ms.begin(), first_claim_ms.end());
  return result;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

void Report(const char* backend, int reviewers, int think_ms, const RunResult& r) {
  std::printf(
      "%-10s reviewers=%-3d think=%4d ms claims=%-5zu p50=%7.2f ms  p99=%7.2f ms  max=%7.2f ms  "
      "%6.0f claims+decisions/s  first claim <= %.0f ms  errors=%d%s%s\n",
      backend, reviewers, think_ms, r.ms.size(), Percentile(r.ms, 0.50), Percentile(r.ms, 0.99),
      r.ms.empty() ? 0.0 : r.ms.back(), static_cast<double>(r.ms.size()) / r.seconds,
      r.first_claim_max_ms, r.errors,
      r.first_error.empty() ? "" : " first: ", r.first_error.c_str());
  std::fflush(stdout);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--backend") {
      o.backend = value();
      if (o.backend != "both" && o.backend != "postgres" && o.backend != "sqlite") {
        Die("--backend takes both, postgres or sqlite");
      }
    } else if (arg == "--reviewers") {
      o.reviewers.clear();
      std::stringstream list(value());
      for (std::string n; std::getline(list, n, ',');) {
        const int r = std::atoi(n.c_str());
        if (r < 1 || r > 64) Die("--reviewers takes counts from 1 to 64, e.g. 4,32");
        o.reviewers.push_back(r);
      }
    } else if (arg == "--think-ms") {
      o.think_ms.clear();
      std::stringstream list(value());
      for (std::string n; std::getline(list, n, ',');) {
        const int t = std::atoi(n.c_str());
        if (t < 0 || t > 60000) Die("--think-ms takes times from 0 to 60000, e.g. 0,500");
        o.think_ms.push_back(t);
      }
    } else if (arg == "--seconds") {
      o.seconds = std::atoi(value().c_str());
      if (o.seconds < 1) Die("--seconds must be 1 or more");
    } else if (arg == "--claims") {
      o.claims = std::atoi(value().c_str());
    } else if (arg == "--items") {
      o.items = std::atoi(value().c_str());
    } else {
      Die("unknown option " + arg +
          " (--backend both|postgres|sqlite, --reviewers 4,32, --think-ms 0,500, --claims N, "
          "--seconds S, --items N)");
    }
  }
  if (o.claims < 1 || o.items < o.claims)
    Die("--claims must be 1 or more and --items at least as many");
  return o;
}

// Every (think time, reviewer count) run, back-to-back runs first.
std::vector<std::pair<int, int>> Runs(const Options& options) {
  std::vector<std::pair<int, int>> runs;
  for (int think_ms : options.think_ms) {
    for (int reviewers : options.reviewers) runs.emplace_back(think_ms, reviewers);
  }
  return runs;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = Parse(argc, argv);
  char dir_template[] = "/tmp/vigil-claim-bench.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) Die("cannot make a scratch folder");
  const fs::path dir = dir_template;
  std::printf(
      "claim latency: reviewers claim, look and decide; back to back (think 0) %d claims per "
      "run, paced runs %d s; %d items seeded per run\n",
      options.claims, options.seconds, options.items);
  if (options.backend != "postgres") {
    for (const auto& [think_ms, reviewers] : Runs(options)) {
      const fs::path file =
          dir / ("bench-" + std::to_string(reviewers) + "-" + std::to_string(think_ms) + ".db");
      {
        auto store = Store::Open(file);
        if (!store.ok()) Die(store.status().message());
        Seed(*store.value(), options.items);
      }
      std::vector<std::string> names;
      for (int r = 0; r < reviewers; ++r) names.push_back("rev" + std::to_string(r));
      RunResult result = Work(
          reviewers, options.claims / reviewers, think_ms, options.seconds,
          [&](int) {
            auto store = Store::Open(file);
            if (!store.ok()) Die(store.status().message());
            return std::move(store).value();
          },
          names);
      Report("sqlite", reviewers, think_ms, result);
    }
  }
  if (options.backend != "sqlite") {
    PostgresServer server(dir);
    for (const auto& [think_ms, reviewers] : Runs(options)) {
      const std::string db = "bench_" + std::to_string(reviewers) + "_" + std::to_string(think_ms);
      {
        auto cluster = Store::Open(server.Url("postgres", "postgres"));
        if (!cluster.ok()) Die(cluster.status().message());
        Exec(cluster.value()->db(), "CREATE DATABASE " + db);
      }
      auto admin = Store::Open(server.Url("postgres", db));  // migrates
      if (!admin.ok()) Die(admin.status().message());
      std::vector<std::string> names;
      for (int r = 0; r < reviewers; ++r) {
        const std::string login = db + "_rev" + std::to_string(r);
        const std::string password = "pw" + std::to_string(getpid()) + "x" + std::to_string(r);
        Exec(admin.value()->db(), "CREATE ROLE " + login + " LOGIN PASSWORD '" + password + "'");
        Exec(admin.value()->db(), "GRANT vigil_reviewer TO " + login);
        server.AddPassword(login, password);
        names.push_back(login);
      }
      Seed(*admin.value(), options.items);
      RunResult result = Work(
          reviewers, options.claims / reviewers, think_ms, options.seconds,
          [&](int r) {
            auto store = Store::Open(server.Url(names[r], db));
            if (!store.ok()) Die(store.status().message());
            return std::move(store).value();
          },
          names);
      Report("postgresql", reviewers, think_ms, result);
    }
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return 0;
}
