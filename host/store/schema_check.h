// Schema check: compares a store's tables and triggers (sqlite_master) with
// what the migrations create, so that a dropped or rewritten append-only
// trigger, or a table rebuilt by hand, is seen at open and by `vigil audit
// verify`.
//
// Rationale: the triggers are the audit log's first line (the hash chain is the
// proof), and anyone with the file can drop them with the sqlite3 shell. The
// expected schema is not a hand-kept copy: it is what kMigrations[0..version)
// produce in an in-memory database, so a new migration never needs a second
// edit here.
#ifndef VIGIL_HOST_STORE_SCHEMA_CHECK_H_
#define VIGIL_HOST_STORE_SCHEMA_CHECK_H_

#include "store/db/database.h"

#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::host {

struct SchemaDifference {
  enum class Kind { kMissing, kAltered, kUnexpected };
  Kind kind = Kind::kMissing;
  std::string type;  // "table" or "trigger"
  std::string name;
  std::string expected_sql;  // empty for kUnexpected
  // True for triggers: they hold no data, so a writable open can put them back.
  bool restorable() const { return type == "trigger"; }
  // One line for a person, e.g. "trigger audit_log_no_update is missing".
  std::string Describe() const;
};

// The differences between `db` (at schema `version`) and a fresh store at that
// version: missing or altered tables, missing, altered or unexpected triggers.
// Extra tables, views and indexes hold no rule over the evidence and are not
// reported.
StatusOr<std::vector<SchemaDifference>> CompareSchema(Database &db, int version);

// Puts every restorable difference right (drops unexpected and altered
// triggers, creates the expected ones). REQUIRES: inside a write transaction on
// `db`.
Status RestoreTriggers(Database &db, const std::vector<SchemaDifference> &differences);

// The audit action a writable open records when it restored triggers.
inline constexpr char kSchemaRestoredAction[] = "store.schema_restored";

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_SCHEMA_CHECK_H_
