// Who is working the queue: the reviewer id recorded with every claim, decision and audit
// entry made from the command line. One function, so that every command asks the same
// way and a team store can answer differently.
#ifndef VIGIL_HOST_CLI_REVIEWER_IDENTITY_H_
#define VIGIL_HOST_CLI_REVIEWER_IDENTITY_H_

#include <string>

#include "core/status.h"
#include "store/store.h"

namespace vigil::cli {

// The reviewer id for `store`. A SQLite store (one workstation) takes `flag`
// (--reviewer), else $USER, as the console does. (A team store will return the
// database login and refuse a `flag` that differs: issue 13.)
// An id is 1 to 128 bytes of printable UTF-8 (what TerminalText leaves as it is: no
// controls, direction marks or backslashes) and does not start with "policy:" (the store's name for
// the policy's own automatic decisions); otherwise InvalidArgument saying which rule it breaks.
StatusOr<std::string> ReviewerId(host::Store& store, const std::string& flag);

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_REVIEWER_IDENTITY_H_
