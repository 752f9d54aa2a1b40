// `vigil queues`: the named queues the policy defined (and any that still hold items),
// with their pending, claimed and decided counts and the roles that may work them.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/named_queues.h"

namespace vigil::cli {
namespace {

int ListQueues(const GlobalOptions& global, bool json) {
  auto store = OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/true);
  if (!store) return 1;
  auto queues = host::ListQueues(store->db());
  if (!queues.ok()) {
    PrintError(queues.status().message());
    return 1;
  }
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const host::QueueSummary& q : queues.value()) {
      out.push_back({{"name", q.spec.name},
                     {"description", q.spec.description},
                     {"roles", q.spec.roles},
                     {"defined", q.defined},
                     {"pending", q.pending},
                     {"claimed", q.claimed},
                     {"decided", q.decided}});
    }
    std::printf("%s\n", host::JsonText(out).c_str());
    return 0;
  }
  if (queues.value().empty()) {
    std::printf("The store has no queues yet: `vigil scan` records the policy's queues.\n");
  }
  for (const host::QueueSummary& q : queues.value()) {
    std::printf("%s: %lld pending, %lld claimed, %lld decided; worked by %s%s\n",
                TerminalText(q.spec.name).c_str(), static_cast<long long>(q.pending),
                static_cast<long long>(q.claimed), static_cast<long long>(q.decided),
                q.spec.roles.empty() ? "-" : TerminalText(host::JoinRoles(q.spec.roles)).c_str(),
                q.defined ? "" : " (no policy defines it now)");
    if (!q.spec.description.empty()) {
      std::printf("  %s\n", TerminalText(q.spec.description).c_str());
    }
  }
  return 0;
}

}  // namespace

void RegisterQueuesCommand(CLI::App& app, GlobalOptions& options) {
  static bool json = false;
  CLI::App* queues = app.add_subcommand(
      "queues", "The named queues (the policy's [[queues]]): counts and who may work each");
  queues->add_flag("--json", json, "One JSON array");
  queues->callback([&options] { options.exit_code = ListQueues(options, json); });
}

}  // namespace vigil::cli
