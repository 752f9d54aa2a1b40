#include "store/store_migrate.h"

#include <algorithm>
#include <map>
#include <set>

#include "store/audit_log.h"
#include "store/db/database.h"

namespace vigil::host {
namespace {

// Rows per INSERT statement (one round trip each), bounded by PostgreSQL's
// 65535 parameters.
constexpr int64_t kRowsPerInsert = 500;
constexpr int64_t kMaxParameters = 60000;

// Table and column names come from the two schemas Vigil made; anything else is
// refused rather than quoted, as no Vigil schema has one.
bool PlainName(const std::string &name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

struct Table {
  std::string name;
  std::vector<std::string> columns; // the source's, in its order
  int64_t rows = 0;                 // in the source's snapshot
};

// The SQLite store's tables in the order they were created (a table is created
// after the tables it references), with items first and the audit log last.
StatusOr<std::vector<Table>> SourceTables(Database &db) {
  std::vector<Table> tables;
  Statement names(db,
                  "SELECT name FROM sqlite_master WHERE type = 'table' "
                  "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid");
  int rc;
  while (names.ok() && (rc = names.Step()) == kRow)
    tables.push_back({names.ColumnText(0), {}, 0});
  if (!names.ok() || rc != kDone)
    return names.Error("listing the source's tables");
  std::stable_partition(tables.begin(), tables.end(),
                        [](const Table &t) { return t.name == "items"; });
  std::stable_partition(tables.begin(), tables.end(),
                        [](const Table &t) { return t.name != "audit_log"; });
  for (Table &table : tables) {
    if (!PlainName(table.name)) {
      return Status::Unsupported(
          "the source has a table named '" + table.name +
          "', which no Vigil store has; nothing was copied");
    }
    Statement columns(db,
                      "SELECT name FROM pragma_table_info(?1) ORDER BY cid");
    columns.Bind(1, table.name);
    while (columns.ok() && (rc = columns.Step()) == kRow) {
      table.columns.push_back(columns.ColumnText(0));
      if (!PlainName(table.columns.back())) {
        return Status::Unsupported(
            "the source's table " + table.name + " has a column named '" +
            table.columns.back() + "'; nothing was copied");
      }
    }
    if (!columns.ok() || rc != kDone)
      return columns.Error("reading the columns of " + table.name);
    Statement count(db, "SELECT count(*) FROM " + table.name);
    if (!count.ok() || count.Step() != kRow)
      return count.Error("counting " + table.name);
    table.rows = count.ColumnInt(0);
  }
  return tables;
}

// The target's columns of `table` (empty: no such table).
StatusOr<std::set<std::string>> TargetColumns(Database &db,
                                              const std::string &table) {
  std::set<std::string> out;
  Statement columns(
      db, "SELECT column_name FROM information_schema.columns "
          "WHERE table_schema = current_schema() AND table_name = ?1");
  columns.Bind(1, table);
  int rc;
  while ((rc = columns.Step()) == kRow)
    out.insert(columns.ColumnText(0));
  if (rc != kDone)
    return columns.Error("reading the team store's columns of " + table);
  return out;
}

StatusOr<int64_t> CountRows(Database &db, const std::string &table) {
  Statement count(db, "SELECT count(*) FROM " + table);
  if (count.Step() != kRow)
    return count.Error("counting " + table);
  return count.ColumnInt(0);
}

// Copies one table's rows in the source's rowid order (ids kept), many rows per
// INSERT.
Status CopyTable(Database &from, Database &to, const Table &table,
                 const MigrateProgress &progress, int64_t progress_every) {
  const int64_t width = static_cast<int64_t>(table.columns.size());
  const int64_t per_insert =
      std::max<int64_t>(1, std::min(kRowsPerInsert, kMaxParameters / width));
  std::string column_list;
  for (const std::string &c : table.columns)
    column_list += (column_list.empty() ? "" : ", ") + c;
  auto insert_sql = [&](int64_t rows) {
    std::string sql =
        "INSERT INTO " + table.name + " (" + column_list + ") VALUES ";
    for (int64_t r = 0; r < rows; ++r) {
      sql += r ? ", (" : "(";
      for (int64_t c = 0; c < width; ++c) {
        sql += (c ? ", ?" : "?") + std::to_string(r * width + c + 1);
      }
      sql += ")";
    }
    return sql;
  };
  const std::string full_sql = insert_sql(per_insert);

  Statement rows(from, "SELECT " + column_list + " FROM " + table.name +
                           " ORDER BY rowid");
  if (!rows.ok())
    return rows.Error("reading " + table.name);
  // One batch's values: (type, bytes) per cell, bound when the batch is full.
  std::vector<std::pair<std::string, std::string>> cells;
  int64_t copied = 0, next_report = progress_every;
  auto flush = [&]() -> Status {
    const int64_t batch = static_cast<int64_t>(cells.size()) / width;
    if (batch == 0)
      return Status::Ok();
    Statement insert(to, batch == per_insert ? full_sql : insert_sql(batch));
    for (size_t i = 0; i < cells.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      const auto &[type, bytes] = cells[i];
      if (type == "null") {
        insert.BindNull(index);
      } else if (type == "integer") {
        insert.Bind(index, static_cast<int64_t>(std::stoll(bytes)));
      } else if (type == "real") {
        insert.Bind(index, std::stod(bytes));
      } else if (type == "blob") {
        insert.BindBlob(index, bytes);
      } else {
        insert.Bind(index, bytes);
      }
    }
    if (insert.Step() != kDone)
      return insert.Error("copying " + table.name);
    copied += batch;
    cells.clear();
    if (progress && progress_every > 0 && copied >= next_report) {
      progress(table.name, copied, table.rows);
      next_report = copied + progress_every;
    }
    return Status::Ok();
  };
  int rc;
  while ((rc = rows.Step()) == kRow) {
    for (int64_t c = 0; c < width; ++c) {
      const int column = static_cast<int>(c);
      std::string type = rows.ColumnType(column);
      std::string bytes;
      if (type == "integer") {
        bytes = std::to_string(rows.ColumnInt(column));
      } else if (type == "real") {
        char text[40];
        std::snprintf(text, sizeof text, "%.17g", rows.ColumnDouble(column));
        bytes = text;
      } else if (type != "null") {
        bytes = rows.ColumnBytes(column);
      }
      cells.emplace_back(std::move(type), std::move(bytes));
    }
    if (static_cast<int64_t>(cells.size()) == per_insert * width) {
      if (Status s = flush(); !s.ok())
        return s;
    }
  }
  if (rc != kDone)
    return rows.Error("reading " + table.name);
  return flush();
}

// The enabled user triggers of `table` on the target (the chain trigger among
// them).
StatusOr<std::vector<std::string>> EnabledTriggers(Database &db,
                                                   const std::string &table) {
  std::vector<std::string> out;
  Statement triggers(
      db,
      "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
      "WHERE c.relname = ?1 AND c.relnamespace = (SELECT oid FROM pg_namespace "
      "WHERE nspname = current_schema()) "
      "AND NOT t.tgisinternal AND t.tgenabled <> 'D' ORDER BY t.tgname");
  triggers.Bind(1, table);
  int rc;
  while ((rc = triggers.Step()) == kRow)
    out.push_back(triggers.ColumnText(0));
  if (rc != kDone)
    return triggers.Error("reading the triggers of " + table);
  return out;
}

// Moves `table`'s identity columns past the copied ids.
Status AdvanceIdentities(Database &db, const std::string &table) {
  Statement columns(
      db,
      "SELECT column_name FROM information_schema.columns WHERE table_schema = "
      "current_schema() AND table_name = ?1 AND is_identity = 'YES'");
  columns.Bind(1, table);
  std::vector<std::string> identities;
  int rc;
  while ((rc = columns.Step()) == kRow)
    identities.push_back(columns.ColumnText(0));
  if (rc != kDone)
    return columns.Error("reading the identity columns of " + table);
  for (const std::string &column : identities) {
    if (!PlainName(column))
      continue;
    Statement advance(
        db,
        "SELECT setval(pg_get_serial_sequence(?1, ?2), coalesce((SELECT max(" +
            column + ") FROM " + table + "), 0) + 1, false)");
    advance.Bind(1, table).Bind(2, column);
    if (advance.Step() != kRow)
      return advance.Error("moving " + table + "." + column);
  }
  return Status::Ok();
}

// Rolls the source's read snapshot back however the migration ends.
class ReadSnapshot {
public:
  explicit ReadSnapshot(Database &db) : db_(db) {}
  ~ReadSnapshot() {
    if (open_)
      (void)db_.Exec("ROLLBACK");
  }
  Status Begin() {
    Status s = db_.Exec("BEGIN DEFERRED");
    open_ = s.ok();
    return s;
  }

private:
  Database &db_;
  bool open_ = false;
};

} // namespace

StatusOr<MigrateReport> MigrateStore(Store &source, Store &target,
                                     const MigrateProgress &progress,
                                     int64_t progress_every) {
  Database &from = source.db();
  Database &to = target.db();
  if (from.dialect() != Dialect::kSqlite) {
    return Status::InvalidArgument(
        "--from names a workstation store (a SQLite file), not " +
        from.Describe());
  }
  if (to.dialect() != Dialect::kPostgres) {
    return Status::InvalidArgument(
        "--to names a team store (postgresql://...), not " + to.Describe());
  }
  {
    Statement super(
        to, "SELECT rolsuper FROM pg_roles WHERE rolname = session_user");
    if (super.Step() != kRow)
      return super.Error("reading the login's attributes");
    if (super.ColumnInt(0) == 0) {
      return Status::InvalidArgument(
          "migrating into " + to.Describe() +
          " needs a PostgreSQL superuser (the login " + target.login() +
          " is not one): the copy keeps the audit log's own actors and hashes, "
          "which the chain trigger lets only the tables' owner suspend");
    }
  }

  // One consistent view of the source (a scan writing to it meanwhile is not
  // half-copied).
  ReadSnapshot snapshot(from);
  if (Status s = snapshot.Begin(); !s.ok())
    return s;
  auto source_audit = VerifyAudit(from);
  if (!source_audit.ok())
    return source_audit.status();
  if (!source_audit->problems.empty()) {
    return Status::Corruption(
        "the source store does not verify (" +
        std::to_string(source_audit->problems.size()) +
        " problems; the first: " + source_audit->problems.front() +
        "); see `vigil audit verify --store " + from.Describe() +
        "`; nothing was copied");
  }
  auto tables = SourceTables(from);
  if (!tables.ok())
    return tables.status();

  Transaction tx(to);
  if (Status s = tx.Begin(); !s.ok())
    return s;
  // Everything is checked before the first row moves.
  for (const Table &table : *tables) {
    auto columns = TargetColumns(to, table.name);
    if (!columns.ok())
      return columns.status();
    if (columns->empty()) {
      return Status::Unsupported(
          "the team store has no table " + table.name +
          " (the source's schema is newer than this vigil's team "
          "store); nothing was copied");
    }
    for (const std::string &column : table.columns) {
      if (!columns->count(column)) {
        return Status::Unsupported("the team store's table " + table.name +
                                   " has no column " + column +
                                   "; nothing was copied");
      }
    }
    Statement any(to, "SELECT EXISTS (SELECT 1 FROM " + table.name + ")");
    if (any.Step() != kRow)
      return any.Error("reading " + table.name);
    if (any.ColumnInt(0) != 0) {
      return Status::InvalidArgument(
          "the team store " + to.Describe() + " is not empty (its table " +
          table.name +
          " has rows): a store is migrated into an empty one only; "
          "nothing was copied");
    }
  }

  MigrateReport report;
  for (const Table &table : *tables) {
    auto triggers = EnabledTriggers(to, table.name);
    if (!triggers.ok())
      return triggers.status();
    // The copy is history as it was written: no trigger rewrites (the chain) or
    // refuses it.
    for (const std::string &trigger : *triggers) {
      if (Status s = to.Exec("ALTER TABLE " + table.name + " DISABLE TRIGGER " +
                             trigger);
          !s.ok()) {
        return s;
      }
    }
    if (Status s = CopyTable(from, to, table, progress, progress_every);
        !s.ok())
      return s;
    for (const std::string &trigger : *triggers) {
      if (Status s = to.Exec("ALTER TABLE " + table.name + " ENABLE TRIGGER " +
                             trigger);
          !s.ok()) {
        return s;
      }
    }
    if (Status s = AdvanceIdentities(to, table.name); !s.ok())
      return s;
    auto copied = CountRows(to, table.name);
    if (!copied.ok())
      return copied.status();
    if (*copied != table.rows) {
      return Status::Internal(
          "the team store's " + table.name + " has " + std::to_string(*copied) +
          " rows after the copy, the source " + std::to_string(table.rows) +
          "; nothing was copied");
    }
    if (progress)
      progress(table.name, table.rows, table.rows);
    report.tables.emplace_back(table.name, table.rows);
    report.rows += table.rows;
  }

  // The copy's own proof, before it commits: the chain verifies on the team
  // store (its triggers, row-level security and accounting included) and ends
  // where the source's does.
  auto target_audit = VerifyAudit(to);
  if (!target_audit.ok())
    return target_audit.status();
  if (!target_audit->problems.empty()) {
    return Status::Corruption("the copy does not verify on the team store (" +
                              target_audit->problems.front() +
                              "); nothing was copied");
  }
  if (target_audit->head_hash != source_audit->head_hash ||
      target_audit->entries != source_audit->entries) {
    return Status::Corruption(
        "the copied audit chain ends at " + target_audit->head_hash +
        " after " + std::to_string(target_audit->entries) +
        " entries, the source's at " + source_audit->head_hash + " after " +
        std::to_string(source_audit->entries) + "; nothing was copied");
  }
  if (Status s = tx.Commit(); !s.ok())
    return s;
  report.audit_entries = target_audit->entries;
  report.head_hash = target_audit->head_hash;
  return report;
}

} // namespace vigil::host
