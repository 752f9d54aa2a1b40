// What `vigil audit verify` checks of a PostgreSQL store's protections, besides the chain:
// the PostgreSQL counterpart of the SQLite store's trigger comparison (store/schema_check.h).
// The triggers that keep the audit chain and make history append-only exist and are
// enabled, and row-level security is enabled and forced on every table that has it.
#ifndef VIGIL_HOST_STORE_POSTGRES_SCHEMA_CHECK_H_
#define VIGIL_HOST_STORE_POSTGRES_SCHEMA_CHECK_H_

#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

// One line per problem ("trigger audit_log_chain on audit_log is disabled"); empty: intact.
StatusOr<std::vector<std::string>> CheckPostgresProtections(Database& db);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_POSTGRES_SCHEMA_CHECK_H_
