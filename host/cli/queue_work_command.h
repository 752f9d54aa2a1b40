// The headless queue API (issue 13, item 8): scripts and tests work the review queue
// without the console.
//   vigil queue claim [--json] [--lease SECONDS] [--max-severity N] [--item ID | --count N]
//   vigil queue decide ID DECISION [--reason TEXT] [--json]
//   vigil queue decide --from FILE [--json]      (JSON lines: item, decision, reason)
//   vigil queue release ID [--json]
//   vigil queue reopen ID --reason TEXT [--json]
// Each takes --reviewer ID (default $USER; cli/reviewer_identity.h). Exit status: 0 done,
// 1 error, 3 nothing to claim, 4 the item is not (or no longer) held by this reviewer.
// With --json a command that succeeds prints one JSON object per line (one per item with
// --count or --from; docs/operations.md lists the keys); a failure prints one line on
// stderr and nothing on stdout.
#ifndef VIGIL_HOST_CLI_QUEUE_WORK_COMMAND_H_
#define VIGIL_HOST_CLI_QUEUE_WORK_COMMAND_H_

#include "cli/commands.h"

namespace vigil::cli {

// Exit statuses besides 0 and 1.
inline constexpr int kExitNothingToClaim = 3;
inline constexpr int kExitNotHeld = 4;

// Adds claim, decide, release and reopen under `vigil queue`.
void AddQueueWorkCommands(CLI::App& queue, GlobalOptions& options);

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_QUEUE_WORK_COMMAND_H_
