#include "store/store_postgres.h"

#include <iterator>

#include "store/postgres_schema.h"
#include "store/store.h"

namespace vigil::host {
namespace {

// `status` with `prefix` before its message, keeping what kind of failure it is.
Status Prefixed(const Status& status, const std::string& prefix) {
  const std::string message = prefix + status.message();
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(message);
    case Status::Code::kUnsupported:
      return Status::Unsupported(message);
    case Status::Code::kUnavailable:
      return Status::Unavailable(message);
    default:
      return Status::IoError(message);
  }
}

}  // namespace

StatusOr<std::unique_ptr<PostgresDatabase>> OpenPostgresStore(const std::string& url,
                                                              bool writable) {
  StatusOr<std::unique_ptr<PostgresDatabase>> db = PostgresDatabase::Open(url);
  if (!db.ok()) return db.status();
  if (writable) {
    if (Status s = MigratePostgresSchema(**db); !s.ok()) {
      return Prefixed(s, "cannot open the store " + url + ": ");
    }
    return db;
  }
  StatusOr<int> version = PostgresSchemaVersion(**db);
  if (!version.ok()) return version.status();
  const int expected = static_cast<int>(std::size(kPostgresMigrations));
  if (*version == 0) {
    return Status::NotFound("the database " + url +
                            " is not a Vigil store (no vigil_schema table); nothing was changed");
  }
  if (*version != expected) {
    return Status::Unsupported(
        "the store " + url + " has schema version " + std::to_string(*version) +
        " and this vigil reads version " + std::to_string(expected) +
        (*version < expected ? ": open it writable once as a superuser" : ": upgrade vigil"));
  }
  return db;
}

}  // namespace vigil::host

namespace vigil::host {

StatusOr<std::unique_ptr<Store>> Store::OpenPostgres(const std::string& url, OpenMode mode) {
  const bool read_only = mode == OpenMode::kReadOnly;
  StatusOr<std::unique_ptr<PostgresDatabase>> opened = OpenPostgresStore(url, !read_only);
  if (!opened.ok()) return opened.status();
  StatusOr<std::string> login = (*opened)->SessionUser();
  if (!login.ok()) return login.status();
  StatusOr<int> version = PostgresSchemaVersion(**opened);
  if (!version.ok()) return version.status();
  std::unique_ptr<Store> store(new Store(std::move(opened.value())));
  store->read_only_ = read_only;
  store->schema_version_ = *version;
  store->login_ = *login;
  return store;
}

}  // namespace vigil::host
