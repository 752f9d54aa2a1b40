// Moving a workstation store to the team store (issue 13, item 9): `vigil store
// migrate
// --from store.db --to postgresql://...`.
//
// Every table of the SQLite store is copied row for row (ids, times, actors and
// hashes as they are) into an EMPTY PostgreSQL store, in ONE transaction: a
// failure anywhere (a refused row, a lost connection, a check below) rolls the
// whole copy back and leaves the target empty, so a failed migration is simply
// run again. Before anything is copied the source's audit chain must verify (a
// tampered workstation store is refused, not carried over). Before the commit
// the copy is checked: every table's row count equals the source's, the audit
// chain verifies on the target and its head hash equals the source's.
//
// The audit log's rows are kept exactly: the team store's chain trigger
// (postgres_schema.h, migration 2) would give each inserted entry a new seq,
// time, actor (the migrating login) and hash. The copy therefore disables that
// one trigger inside its own transaction (ALTER TABLE ... DISABLE TRIGGER,
// which only the tables' owner or a superuser may do, and which other sessions
// cannot observe: the ALTER holds the table's lock until the commit, by when
// the trigger is enabled again). Hence: migrating needs a PostgreSQL superuser,
// as creating the store does. Identity columns (items.id, decisions.id, ...)
// are moved past the copied ids, so new rows continue after them; the next
// audit entry chains onto the copied head.
//
// Tables are discovered, not listed: each SQLite table must exist on the target
// with every one of its columns (else the migration refuses: something would be
// lost), and the target's own tables (vigil_schema, ...) are left as they are.
#ifndef VIGIL_HOST_STORE_STORE_MIGRATE_H_
#define VIGIL_HOST_STORE_STORE_MIGRATE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace vigil::host {

struct MigrateReport {
  // (table, rows copied) in the order copied; the same count was read back on
  // the target.
  std::vector<std::pair<std::string, int64_t>> tables;
  int64_t rows = 0;          // all tables
  int64_t audit_entries = 0; // as the target's verification counted them
  std::string
      head_hash; // the chain's head, equal on both ("" when the log is empty)
};

// Called during the copy: (table, rows copied so far, rows in the table).
using MigrateProgress =
    std::function<void(const std::string &, int64_t, int64_t)>;

// Copies `source` (a SQLite store) into `target` (a PostgreSQL store, opened
// read-write by a superuser so that its schema is current) and verifies the
// copy as described above. Refuses, changing nothing, when the target holds any
// row in a table the copy would fill, when the source's chain does not verify,
// or when a source table or column has no place on the target. `progress` (may
// be empty) is called every `progress_every` rows.
StatusOr<MigrateReport> MigrateStore(Store &source, Store &target,
                                     const MigrateProgress &progress = {},
                                     int64_t progress_every = 50000);

} // namespace vigil::host

#endif // VIGIL_HOST_STORE_STORE_MIGRATE_H_
