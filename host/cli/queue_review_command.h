// Second review's companions (issue 13 item 5): golden items, agreement and QA.
//   vigil queue golden add ID --answer DECISION | golden list [--json] | golden
//   remove ID vigil queue agreement [--json] vigil queue qa list [--all]
//   [--json] | qa verdict ID --agree|--disagree --reason TEXT
// Each takes --reviewer ID like the other queue commands (a team store: the
// login). On a team store the database decides who may: golden items are an
// admin's, QA verdicts a senior's; agreement needs the golden answers (admins
// and auditors).
#ifndef VIGIL_HOST_CLI_QUEUE_REVIEW_COMMAND_H_
#define VIGIL_HOST_CLI_QUEUE_REVIEW_COMMAND_H_

#include "cli/commands.h"

namespace vigil::cli {

// Adds golden, agreement and qa under `vigil queue`.
void AddQueueReviewCommands(CLI::App &queue, GlobalOptions &options);

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_QUEUE_REVIEW_COMMAND_H_
