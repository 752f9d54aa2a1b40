// `vigil users add|list|disable|role`: the people of a team store (postgresql://...), for
// its admins. Passwords come from a file or standard input, never from the command line.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/team_users.h"

namespace vigil::cli {
namespace {

// The team store --store names, as the PostgreSQL connection the user commands need.
host::PostgresDatabase* TeamDatabase(host::Store& store) {
  auto* db = dynamic_cast<host::PostgresDatabase*>(&store.db());
  if (db == nullptr) {
    PrintError("users are a team store's logins: name one with --store postgresql://...");
  }
  return db;
}

// The first line of the file (or of standard input for "-"), without its line end.
StatusOr<std::string> ReadPassword(const std::string& from) {
  std::string line;
  if (from == "-") {
    std::getline(std::cin, line);
  } else {
    std::ifstream in(from);
    if (!in) return Status::IoError("cannot read the password file " + from);
    std::getline(in, line);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return Status::InvalidArgument("no password in " + (from == "-" ? std::string("standard input") : from));
  return line;
}

struct UserArgs {
  std::string login;
  std::string role;
  std::string password_file;
  bool json = false;
};

int Run(const GlobalOptions& global, const std::string& action, const UserArgs& args) {
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global);
  if (!store) return 1;
  host::PostgresDatabase* db = TeamDatabase(*store);
  if (db == nullptr) return 2;
  Status done = Status::Ok();
  if (action == "list") {
    auto users = host::ListTeamUsers(*db);
    if (!users.ok()) {
      PrintError(users.status().message());
      return 1;
    }
    if (args.json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const host::TeamUser& u : users.value()) {
        out.push_back({{"login", u.login}, {"roles", u.roles}, {"can_login", u.can_login}});
      }
      std::printf("%s\n", host::JsonText(out).c_str());
      return 0;
    }
    if (users.value().empty()) std::printf("The team store has no users yet (vigil users add).\n");
    for (const host::TeamUser& u : users.value()) {
      std::string roles;
      for (const std::string& r : u.roles) roles += (roles.empty() ? "" : ", ") + r;
      std::printf("%s: %s%s\n", TerminalText(u.login).c_str(), roles.c_str(),
                  u.can_login ? "" : " (disabled)");
    }
    return 0;
  }
  if (action == "add") {
    auto password = ReadPassword(args.password_file);
    if (!password.ok()) {
      PrintError(password.status().message());
      return 2;
    }
    done = host::AddTeamUser(*db, args.login, args.role, password.value());
  } else if (action == "role") {
    done = host::SetTeamUserRole(*db, args.login, args.role);
  } else {
    done = host::DisableTeamUser(*db, args.login);
  }
  if (!done.ok()) {
    PrintError(done.message());
    return 1;
  }
  std::printf("%s: %s\n", TerminalText(args.login).c_str(),
              action == "add"    ? ("added as " + args.role).c_str()
              : action == "role" ? ("now " + args.role).c_str()
                                 : "disabled (cannot log in; their records stay)");
  return 0;
}

}  // namespace

void RegisterUsersCommand(CLI::App& app, GlobalOptions& options) {
  static UserArgs args;
  CLI::App* users = app.add_subcommand(
      "users", "The people of a team store (postgresql://...): logins and their roles (admins)");
  users->require_subcommand(1);
  const std::string roles = "reviewer, senior, admin, auditor or scanner";

  CLI::App* add = users->add_subcommand("add", "Create a login in one role");
  add->add_option("LOGIN", args.login, "Lower-case letters, digits and '_'")->required();
  add->add_option("--role", args.role, roles)->required();
  add->add_option("--password-file", args.password_file,
                  "Read the password (at least 12 characters) from the first line of FILE, or "
                  "- for standard input; it is sent as a SCRAM verifier, never as itself")
      ->type_name("FILE")
      ->required();
  add->callback([&options] { options.exit_code = Run(options, "add", args); });

  CLI::App* list = users->add_subcommand("list", "Every login in a Vigil role");
  list->add_flag("--json", args.json, "One JSON array");
  list->callback([&options] { options.exit_code = Run(options, "list", args); });

  CLI::App* disable = users->add_subcommand("disable", "The login can no longer connect");
  disable->add_option("LOGIN", args.login)->required();
  disable->callback([&options] { options.exit_code = Run(options, "disable", args); });

  CLI::App* role = users->add_subcommand("role", "Make ROLE the login's only Vigil role");
  role->add_option("LOGIN", args.login)->required();
  role->add_option("ROLE", args.role, roles)->required();
  role->callback([&options] { options.exit_code = Run(options, "role", args); });
}

}  // namespace vigil::cli
