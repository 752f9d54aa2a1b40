#include "store/postgres_schema.h"

#include <iterator>
#include <string>

namespace vigil::host {
namespace {

constexpr int kPostgresSchemaVersion = static_cast<int>(std::size(kPostgresMigrations));

// The version recorded in vigil_schema; 0 when the table does not exist yet.
StatusOr<int> ReadVersion(Database &db) {
  Statement exists(db, "SELECT to_regclass('vigil_schema') IS NOT NULL");
  if (exists.Step() != kRow) return exists.Error("reading the store's schema version");
  if (exists.ColumnInt(0) == 0) return 0;
  Statement version(db, "SELECT coalesce(max(version), 0) FROM vigil_schema");
  if (version.Step() != kRow) return version.Error("reading the store's schema version");
  return static_cast<int>(version.ColumnInt(0));
}

}  // namespace

StatusOr<int> PostgresSchemaVersion(Database &db) { return ReadVersion(db); }

Status MigratePostgresSchema(Database &db) {
  StatusOr<int> current = ReadVersion(db);
  if (!current.ok()) return current.status();
  if (*current == kPostgresSchemaVersion) return Status::Ok();  // any login may open it
  if (*current > kPostgresSchemaVersion) {
    return Status::Unsupported("the store's schema is version " + std::to_string(*current) +
                               ", newer than this vigil knows (" +
                               std::to_string(kPostgresSchemaVersion) + "): upgrade vigil");
  }
  {
    Statement super(db, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
    if (super.Step() != kRow) return super.Error("checking who migrates the store");
    if (super.ColumnInt(0) == 0) {
      return Status::InvalidArgument(
          "the store's schema is at version " + std::to_string(*current) + " of " +
          std::to_string(kPostgresSchemaVersion) +
          "; it is created or updated by a PostgreSQL superuser (it makes "
          "cluster roles and "
          "SECURITY DEFINER triggers): open it once as one");
    }
  }
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  // Two openers at once: the second waits here, then finds the schema current.
  {
    Statement lock(db, "SELECT pg_advisory_xact_lock(?1)");
    lock.Bind(1, static_cast<int64_t>(kPostgresMigrationLock));
    if (lock.Step() != kRow) return lock.Error("locking the store's schema");
  }
  if (Status s = db.Exec("CREATE TABLE IF NOT EXISTS vigil_schema (version integer NOT NULL)");
      !s.ok()) {
    return Status::IoError("creating the schema version table: " + s.message());
  }
  StatusOr<int> locked = ReadVersion(db);
  if (!locked.ok()) return locked.status();
  for (int version = *locked + 1; version <= kPostgresSchemaVersion; ++version) {
    if (Status s = db.Exec(kPostgresMigrations[version - 1]); !s.ok()) {
      return Status::IoError("migrating the store to schema version " + std::to_string(version) +
                             ": " + s.message());
    }
    Statement record(db, "INSERT INTO vigil_schema (version) VALUES (?1)");
    record.Bind(1, version);
    if (record.Step() != kDone) return record.Error("recording the schema version");
  }
  return tx.Commit();
}

}  // namespace vigil::host
