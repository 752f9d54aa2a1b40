#include "cli/reviewer_identity.h"

#include <cstdlib>

#include "core/terminal_text.h"

namespace vigil::cli {

StatusOr<std::string> ReviewerId(host::Store& store, const std::string& flag) {
  // A team store: the reviewer is the database login, never what a flag says.
  if (const std::string login = store.login(); !login.empty()) {
    if (!flag.empty() && flag != login) {
      return Status::InvalidArgument("on a team store the reviewer is your database login (" +
                                     TerminalText(login) + "), not --reviewer " +
                                     TerminalText(flag));
    }
    return login;
  }
  std::string id = flag;
  std::string from = "--reviewer";
  if (id.empty()) {
    const char* user = std::getenv("USER");
    if (user == nullptr || *user == '\0') {
      return Status::InvalidArgument("who is reviewing? pass --reviewer ID or set $USER");
    }
    id = user;
    from = "$USER";
  }
  if (id.size() > 128) {
    return Status::InvalidArgument(from + " must be 1 to 128 characters, not " +
                                   std::to_string(id.size()));
  }
  // What a terminal would show as-is: no controls, direction marks, backslashes or
  // invalid UTF-8, so that the id reads the same in the audit log and on every screen.
  if (TerminalText(id) != id) {
    return Status::InvalidArgument(from +
                                   " must be printable text (no control characters, "
                                   "direction marks, backslashes or invalid UTF-8): " +
                                   TerminalText(id));
  }
  if (id.rfind("policy:", 0) == 0) {
    return Status::InvalidArgument(from +
                                   " must not start with 'policy:' (the policy's own "
                                   "automatic decisions are recorded under that name)");
  }
  // A SQLite store has no logins: the id is what the person says (see the header).
  return id;
}

}  // namespace vigil::cli
