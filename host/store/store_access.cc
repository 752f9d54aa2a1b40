#include "store/store_access.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "store/db/database.h"
#include "store/db/postgres_database.h"

namespace vigil::host {
namespace fs = std::filesystem;

bool StoreIsReadOnly(const fs::path& path) {
  // A team store's rights are the login's, decided by PostgreSQL, not a file mode.
  if (IsPostgresUrl(path.string())) return false;
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  return ::access(path.c_str(), W_OK) != 0 || ::access(dir.c_str(), W_OK) != 0;
}

bool StoreHasPendingWal(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path.string() + "-wal", ec);
  return !ec && size > 0;
}

std::string ImmutableStoreUri(const fs::path& path) {
  // RFC 3986 path: '%', '?' and '#' must be escaped; the rest is taken as written.
  std::string uri = "file:";
  for (char c : fs::absolute(path).string()) {
    if (c == '%' || c == '?' || c == '#') {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      uri += hex;
    } else {
      uri += c;
    }
  }
  return uri + "?immutable=1";
}

Status ReadOnlyStoreError(const fs::path& path) {
  return Status::IoError("the store " + path.string() +
                         " is read-only (no write access to the file or its folder) and this "
                         "command writes to it; `vigil stats`, `vigil queue show`, `vigil "
                         "exposure` and `vigil audit verify` only read");
}

Status RefuseForeignDatabase(Database& db, const fs::path& path) {
  Statement version(db, "PRAGMA user_version");
  if (!version.ok() || version.Step() != kRow) return Status::Ok();  // caller reports
  const int64_t user_version = version.ColumnInt(0);
  Statement objects(db,
                    "SELECT group_concat(name, ', '), count(*), "
                    "sum(type = 'table' AND name IN ('items', 'signals', 'detections', "
                    "'detector_runs')) FROM (SELECT type, name FROM sqlite_master WHERE name "
                    "NOT LIKE 'sqlite_%' ORDER BY name)");
  if (!objects.ok() || objects.Step() != kRow) return Status::Ok();
  const int64_t count = objects.ColumnInt(1);
  const int64_t vigil_tables = objects.ColumnInt(2);
  if (count == 0 && user_version == 0) return Status::Ok();  // empty: becomes a store
  if (vigil_tables == 4 && user_version > 0) return Status::Ok();
  std::string names = objects.ColumnText(0);
  if (names.size() > 120) names = names.substr(0, 117) + "...";
  return Status::InvalidArgument(
      path.string() + " is not a Vigil store: it is another program's SQLite database (" +
      (count ? "tables " + names : "schema version " + std::to_string(user_version)) +
      "); it was left untouched. Name a new file or a Vigil store with --store");
}

}  // namespace vigil::host
