// vigil store migrate --from store.db --to postgresql://... [--json]
//
// Moves a workstation store to the team store (issue 13, item 9): every table
// copied, the audit chain exactly as it is, in one transaction, then verified
// (store/store_migrate.h).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/db/postgres_database.h"
#include "store/store.h"
#include "store/store_migrate.h"

namespace vigil::cli {
namespace {

struct MigrateArgs {
  std::string from;
  std::string to;
  bool json = false;
};

int Migrate(const GlobalOptions &global, const MigrateArgs &args) {
  if (host::IsPostgresUrl(args.from)) {
    PrintError("--from names the workstation's store file (a SQLite store), "
               "not a server URL");
    return 2;
  }
  if (!host::IsPostgresUrl(args.to)) {
    PrintError("--to names the team store as "
               "postgresql://USER@HOST:PORT/DATABASE, not '" +
               args.to + "'");
    return 2;
  }
  GlobalOptions from_options = global;
  from_options.store = args.from;
  // Read-only: the source is left exactly as it was (its schema warnings are
  // reported by the verification the migration starts with).
  std::unique_ptr<host::Store> source =
      OpenStoreOrSay(from_options, host::OpenMode::kReadOnly);
  if (!source)
    return 1;
  GlobalOptions to_options = global;
  to_options.store = args.to;
  std::unique_ptr<host::Store> target = OpenStoreOrSay(to_options);
  if (!target)
    return 1;

  // Progress for large stores: a line per 50,000 rows and per table, on stderr.
  constexpr int64_t kEvery = 50000;
  auto progress = [](const std::string &table, int64_t copied, int64_t total) {
    if (total < kEvery)
      return;
    std::fprintf(stderr, "vigil: migrate: %s %lld/%lld rows\n", table.c_str(),
                 static_cast<long long>(copied), static_cast<long long>(total));
  };
  auto report = host::MigrateStore(*source, *target, progress, kEvery);
  if (!report.ok()) {
    PrintError("store migrate: " + report.status().message());
    return 1;
  }
  const host::MigrateReport &r = report.value();
  if (args.json) {
    nlohmann::ordered_json tables = nlohmann::ordered_json::object();
    for (const auto &[name, rows] : r.tables)
      tables[name] = rows;
    nlohmann::ordered_json out = {{"from", source->db().Describe()},
                                  {"to", target->db().Describe()},
                                  {"tables", tables},
                                  {"rows", r.rows},
                                  {"audit_entries", r.audit_entries},
                                  {"head", r.head_hash},
                                  {"verified", true}};
    std::cout << host::JsonText(out) << "\n";
    return 0;
  }
  std::printf("Copied %s to %s: %lld rows\n",
              TerminalText(source->db().Describe()).c_str(),
              TerminalText(target->db().Describe()).c_str(),
              static_cast<long long>(r.rows));
  for (const auto &[name, rows] : r.tables) {
    std::printf("  %-16s %lld\n", name.c_str(), static_cast<long long>(rows));
  }
  std::printf("Verified: every table's rows counted on both; the audit chain "
              "verifies on the "
              "team store: %lld entries, head %s (the source's head)\n",
              static_cast<long long>(r.audit_entries),
              r.head_hash.empty() ? "(empty)" : r.head_hash.c_str());
  return 0;
}

} // namespace

void RegisterStoreMigrateCommand(CLI::App &app, GlobalOptions &options) {
  static MigrateArgs args;
  CLI::App *store = app.add_subcommand("store", "Whole-store operations");
  store->require_subcommand(1);
  CLI::App *migrate = store->add_subcommand(
      "migrate", "Copy a workstation store (SQLite) into an EMPTY team store "
                 "(PostgreSQL): every item, "
                 "signal, detection, run, queue entry, decision, exposure and "
                 "reveal record, and the "
                 "audit log with its hash chain exactly as it is, in one "
                 "transaction; then verify (rows "
                 "counted on both, the chain verifies on the team store and "
                 "ends at the source's head). "
                 "Refuses a non-empty target or a source whose chain does not "
                 "verify. Needs a PostgreSQL "
                 "superuser (the copy keeps the log's actors and hashes). Exit "
                 "1 on failure, nothing "
                 "copied");
  migrate->add_option("--from", args.from, "The workstation's store file")
      ->required()
      ->type_name("FILE");
  migrate
      ->add_option("--to", args.to,
                   "The team store, postgresql://USER@HOST:PORT/DATABASE")
      ->required()
      ->type_name("URL");
  migrate->add_flag("--json", args.json,
                    "One JSON object: tables, rows, audit_entries, head");
  migrate->callback([&options] { options.exit_code = Migrate(options, args); });
}

} // namespace vigil::cli
