// How a store file may be opened: read-only stores (an auditor's copy, a folder without
// write access) and SQLite files that belong to another program.
#ifndef VIGIL_HOST_STORE_STORE_ACCESS_H_
#define VIGIL_HOST_STORE_STORE_ACCESS_H_

#include "store/db/database.h"

#include <filesystem>
#include <string>

#include "core/status.h"

namespace vigil::host {

// True when this process cannot write the store file or its folder (permissions, a
// read-only file system). SQLite in WAL mode needs both: the folder for -wal and -shm.
bool StoreIsReadOnly(const std::filesystem::path& path);

// True when a non-empty write-ahead log (<path>-wal) is beside the store: changes not
// yet copied into the file, which an immutable open would not see.
bool StoreHasPendingWal(const std::filesystem::path& path);

// A "file:" URI naming `path` opened immutable (no locks, no -shm, no -wal): only for a
// store nobody can write.
std::string ImmutableStoreUri(const std::filesystem::path& path);

// The one-line error for a command that writes to a read-only store.
Status ReadOnlyStoreError(const std::filesystem::path& path);

// Ok for an empty database or a Vigil store; an error naming the tables otherwise, so
// that --store pointing at another program's database never gains Vigil's tables.
// A file SQLite cannot read is left to the caller (Ok here).
Status RefuseForeignDatabase(Database& db, const std::filesystem::path& path);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_STORE_ACCESS_H_
