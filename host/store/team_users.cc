#include "store/team_users.h"

#include <libpq-fe.h>

#include <algorithm>

namespace vigil::host {
namespace {

StatusOr<std::string> GroupRole(const std::string& role) {
  const auto& names = TeamRoleNames();
  if (std::find(names.begin(), names.end(), role) == names.end()) {
    return Status::InvalidArgument("unknown role '" + role +
                                   "' (use reviewer, senior, admin, auditor or scanner)");
  }
  return "vigil_" + role;
}

Status CheckLogin(const std::string& login) {
  if (IsValidLoginName(login)) return Status::Ok();
  return Status::InvalidArgument("'" + login +
                                 "' is not a login name Vigil creates: lower-case letters, "
                                 "digits and '_', starting with a letter or '_', at most 63");
}

// Runs `sql` in one transaction with the others of a change.
Status InTransaction(PostgresDatabase& db, const std::vector<std::string>& statements) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  for (const std::string& sql : statements) {
    if (Status s = db.Exec(sql); !s.ok()) return s;
  }
  return tx.Commit();
}

}  // namespace

const std::vector<std::string>& TeamRoleNames() {
  static const std::vector<std::string> kNames = {"reviewer", "senior", "admin", "auditor",
                                                  "scanner"};
  return kNames;
}

bool IsValidLoginName(const std::string& login) {
  if (login.empty() || login.size() > 63) return false;
  for (size_t i = 0; i < login.size(); ++i) {
    const char c = login[i];
    const bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return login.rfind("pg_", 0) != 0 && login.rfind("vigil_", 0) != 0;  // reserved prefixes
}

Status AddTeamUser(PostgresDatabase& db, const std::string& login, const std::string& role,
                   const std::string& password) {
  if (Status s = CheckLogin(login); !s.ok()) return s;
  auto group = GroupRole(role);
  if (!group.ok()) return group.status();
  if (password.size() < 12) {
    return Status::InvalidArgument("the password must be at least 12 characters");
  }
  if (std::string why = db.EnsureConnected(); !why.empty()) return Status::Unavailable(why);
  char* verifier = PQencryptPasswordConn(db.raw(), password.c_str(), login.c_str(),
                                         "scram-sha-256");
  if (verifier == nullptr) {
    return Status::IoError(std::string("cannot compute the password verifier: ") +
                           PQerrorMessage(db.raw()));
  }
  const std::string scram = verifier;
  PQfreemem(verifier);
  // The verifier is base64 and '$', ':' only: nothing to escape in a literal.
  if (scram.find('\'') != std::string::npos) return Status::IoError("unexpected verifier");
  // An admin manages users, which needs CREATEROLE on the login itself (PostgreSQL
  // does not inherit role attributes through group membership).
  const std::string attributes = role == "admin" ? " CREATEROLE" : "";
  return InTransaction(db, {"CREATE ROLE " + login + " LOGIN" + attributes + " PASSWORD '" +
                                scram + "'",
                            "GRANT " + group.value() + " TO " + login});
}

Status SetTeamUserRole(PostgresDatabase& db, const std::string& login, const std::string& role) {
  if (Status s = CheckLogin(login); !s.ok()) return s;
  auto group = GroupRole(role);
  if (!group.ok()) return group.status();
  std::vector<std::string> statements;
  for (const std::string& other : TeamRoleNames()) {
    if (other != role) statements.push_back("REVOKE vigil_" + other + " FROM " + login);
  }
  statements.push_back("GRANT " + group.value() + " TO " + login);
  statements.push_back("ALTER ROLE " + login + (role == "admin" ? " CREATEROLE" : " NOCREATEROLE"));
  return InTransaction(db, statements);
}

Status DisableTeamUser(PostgresDatabase& db, const std::string& login) {
  if (Status s = CheckLogin(login); !s.ok()) return s;
  return InTransaction(db, {"ALTER ROLE " + login + " NOLOGIN"});
}

StatusOr<std::vector<TeamUser>> ListTeamUsers(PostgresDatabase& db) {
  Statement rows(db,
                 "SELECT u.rolname, substr(g.rolname, 7), u.rolcanlogin FROM pg_roles u "
                 "JOIN pg_auth_members m ON m.member = u.oid JOIN pg_roles g ON g.oid = m.roleid "
                 "WHERE g.rolname IN ('vigil_reviewer', 'vigil_senior', 'vigil_admin', "
                 "'vigil_auditor', 'vigil_scanner') AND u.rolname NOT LIKE 'vigil\\_%' "
                 "ORDER BY u.rolname, g.rolname");
  std::vector<TeamUser> users;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    const std::string login = rows.ColumnText(0);
    if (users.empty() || users.back().login != login) {
      users.push_back({login, {}, rows.ColumnText(2) == "t"});
    }
    users.back().roles.push_back(rows.ColumnText(1));
  }
  if (rc != kDone) return rows.Error("listing the team's users");
  return users;
}

}  // namespace vigil::host
