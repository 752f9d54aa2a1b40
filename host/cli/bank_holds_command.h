// Issue 13 item 6 on the command line: the store's local banks and entry holds
// brought to the lists folder before matching, and
//   vigil lists disable BANK ENTRY --until DATE --reason TEXT
//   vigil lists enable BANK ENTRY
//   vigil lists disabled [--json]
#ifndef VIGIL_HOST_CLI_BANK_HOLDS_COMMAND_H_
#define VIGIL_HOST_CLI_BANK_HOLDS_COMMAND_H_

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "store/store.h"

namespace vigil::cli {

// Writes the store's local banks and holds into DataDir
// (store/bank_materialise.h); false after printing why not (the caller stops: a
// scan never runs without a bank it should have, nor matches an entry that is
// disabled).
bool SyncBanksFromStore(const GlobalOptions &global, host::Store &store);

// The same for commands that do not otherwise need the store (`vigil match`): a
// store that does not exist yet has nothing to bring (true); one that cannot be
// opened is an error.
bool SyncBanksIfThereIsAStore(const GlobalOptions &global);

// Adds disable, enable and disabled under `vigil lists`.
void AddBankHoldCommands(CLI::App &lists, GlobalOptions &options);

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_BANK_HOLDS_COMMAND_H_
