// The people of a team store (issue 13): each is a PostgreSQL login in one of Vigil's
// group roles. `vigil users` manages them; the database enforces what each role may do
// (postgres_schema.h). Only a login allowed to create roles (a superuser, or an admin made
// by `users add --role admin`, which has CREATEROLE) can change them: the database refuses
// anyone else.
#ifndef VIGIL_HOST_STORE_TEAM_USERS_H_
#define VIGIL_HOST_STORE_TEAM_USERS_H_

#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/postgres_database.h"

namespace vigil::host {

struct TeamUser {
  std::string login;
  std::vector<std::string> roles;  // "reviewer", "senior", "admin", "auditor", "scanner"
  bool can_login = true;           // false: disabled
};

// The roles `vigil users` grants, by their short names.
const std::vector<std::string>& TeamRoleNames();

// A login name Vigil creates: lower-case letters, digits and '_', starting with a letter
// or '_', at most 63 bytes (PostgreSQL's limit), so it never needs quoting.
bool IsValidLoginName(const std::string& login);

// Creates `login` with the password (sent as a SCRAM-SHA-256 verifier computed here, so
// the password itself never reaches the server or its logs) in the group role `role`.
Status AddTeamUser(PostgresDatabase& db, const std::string& login, const std::string& role,
                   const std::string& password);
// Makes `role` the login's only Vigil role.
Status SetTeamUserRole(PostgresDatabase& db, const std::string& login, const std::string& role);
// The login can no longer connect; its records stay (they name it).
Status DisableTeamUser(PostgresDatabase& db, const std::string& login);
// Every login in a Vigil group role, by name.
StatusOr<std::vector<TeamUser>> ListTeamUsers(PostgresDatabase& db);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_TEAM_USERS_H_
