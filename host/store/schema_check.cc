#include "store/schema_check.h"

#include <map>
#include <memory>
#include <utility>

#include "store/schema.h"
#include "store/db/database.h"
#include "store/db/sqlite_database.h"

namespace vigil::host {
namespace {

constexpr int kMigrationCount = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));

// (type, name) -> the CREATE statement SQLite keeps.
using SchemaMap = std::map<std::pair<std::string, std::string>, std::string>;

StatusOr<SchemaMap> ReadSchema(Database &db) {
  Statement rows(db,
                 "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE type IN "
                 "('table', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  if (!rows.ok()) return rows.Error("reading the store's schema");
  SchemaMap schema;
  int rc;
  while ((rc = rows.Step()) == kRow) {
    schema[{rows.ColumnText(0), rows.ColumnText(1)}] = rows.ColumnBytes(2);
  }
  if (rc != kDone) return rows.Error("reading the store's schema");
  return schema;
}

std::string QuoteName(const std::string &name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

struct CloseDb {
  void operator()(sqlite3 *db) const { sqlite3_close(db); }
};

}  // namespace

std::string SchemaDifference::Describe() const {
  switch (kind) {
    case Kind::kMissing:
      return type + " " + name + " is missing";
    case Kind::kAltered:
      return type + " " + name + " was altered (its definition is not the one Vigil created)";
    case Kind::kUnexpected:
      return "unexpected " + type + " " + name + " (not created by Vigil)";
  }
  return type + " " + name;
}

StatusOr<std::vector<SchemaDifference>> CompareSchema(Database &db, int version) {
  if (version < 0 || version > kMigrationCount) {
    return Status::InvalidArgument("no schema is known for version " + std::to_string(version));
  }
  sqlite3 *raw = nullptr;
  if (sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(raw);
    return Status::IoError("cannot build the reference schema: out of memory");
  }
  SqliteDatabase reference(raw, ":memory:");
  for (int v = 0; v < version; ++v) {
    if (Status s = reference.Exec(kMigrations[v]); !s.ok()) {
      return Status::IoError("cannot build the reference schema (migration " +
                             std::to_string(v + 1) + "): " + s.message());
    }
  }
  auto expected = ReadSchema(reference);
  if (!expected.ok()) return expected.status();
  auto actual = ReadSchema(db);
  if (!actual.ok()) return actual.status();

  std::vector<SchemaDifference> differences;
  for (const auto &[key, sql] : expected.value()) {
    SchemaDifference d;
    d.type = key.first;
    d.name = key.second;
    d.expected_sql = sql;
    auto found = actual.value().find(key);
    if (found == actual.value().end()) {
      d.kind = SchemaDifference::Kind::kMissing;
    } else if (found->second != sql) {
      d.kind = SchemaDifference::Kind::kAltered;
    } else {
      continue;
    }
    differences.push_back(std::move(d));
  }
  for (const auto &[key, sql] : actual.value()) {
    if (key.first != "trigger" || expected.value().count(key)) continue;
    SchemaDifference d;
    d.kind = SchemaDifference::Kind::kUnexpected;
    d.type = key.first;
    d.name = key.second;
    differences.push_back(std::move(d));
  }
  return differences;
}

Status RestoreTriggers(Database &db, const std::vector<SchemaDifference> &differences) {
  for (const SchemaDifference &d : differences) {
    if (!d.restorable()) continue;
    std::string sql;
    if (d.kind != SchemaDifference::Kind::kMissing) {
      sql = "DROP TRIGGER IF EXISTS " + QuoteName(d.name) + ";";
    }
    if (d.kind != SchemaDifference::Kind::kUnexpected) sql += d.expected_sql + ";";
    if (Status s = db.Exec(sql); !s.ok()) {
      return Status::IoError("cannot restore " + d.type + " " + d.name + ": " + s.message());
    }
  }
  return Status::Ok();
}

}  // namespace vigil::host
