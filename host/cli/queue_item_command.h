// `vigil queue show --item ID [--json]`: one item's evidence as text
// (detections, signals, near-duplicates with their distances, URL, decisions,
// reveals), the accessible equivalent of the console's evidence panel.
#ifndef VIGIL_HOST_CLI_QUEUE_ITEM_COMMAND_H_
#define VIGIL_HOST_CLI_QUEUE_ITEM_COMMAND_H_

#include <functional>

#include "cli/commands.h"

namespace vigil::cli {

// Adds --item and --json to `vigil queue show`. The command runs `list` (the
// queue listing) without --item, the item view with it.
void AddQueueItemOptions(CLI::App& show, GlobalOptions& options, std::function<void()> list);

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_QUEUE_ITEM_COMMAND_H_
