// Opening the team store (issue 13): what Store::Open does for a postgresql:// or
// postgres:// URL, before the store's own work. The SQLite path stays in store.cc.
#ifndef VIGIL_HOST_STORE_STORE_POSTGRES_H_
#define VIGIL_HOST_STORE_STORE_POSTGRES_H_

#include <memory>
#include <string>

#include "core/status.h"
#include "store/db/postgres_database.h"

namespace vigil::host {

// Connects to `url` (no password in it: see PostgresDatabase::Open). Writable: creates or
// migrates the schema (a superuser's job when it is not current; any login opens a current
// store). Read-only (`vigil audit verify`, an auditor): changes nothing and refuses a
// database that has no current Vigil schema.
StatusOr<std::unique_ptr<PostgresDatabase>> OpenPostgresStore(const std::string& url,
                                                              bool writable);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_STORE_POSTGRES_H_
