#include "store/store_records.h"

namespace vigil::host {
namespace {

// Columns present since schema version 2 (every store a current vigil opens has them).
const std::vector<std::string> kItemColumns = {
    "id",        "sha256",      "size",         "media_kind",   "first_path",
    "last_path", "first_seen",  "last_scanned", "status",       "error",
    "url",       "source",      "uploader_id",  "format",       "width",
    "height",    "orientation", "outcome",      "outcome_rule", "outcome_reason"};
const std::vector<std::string> kDetectionColumns = {
    "id",   "item_id",  "detector", "label",    "score",    "severity", "signal_type",
    "bank", "entry_id", "category", "distance", "dihedral", "reason"};
const std::vector<std::string> kDecisionColumns = {"id",       "item_id", "reviewer",
                                                   "decision", "reason",  "decided_at"};
const std::vector<std::string> kRevealColumns = {"id", "reviewer", "item_id",    "x",          "y",
                                                 "w",  "h",        "started_at", "duration_ms"};

std::string SelectSql(RecordTable table) {
  std::string sql = "SELECT ";
  const std::vector<std::string>& columns = RecordColumns(table);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) sql += ", ";
    sql += columns[i];
  }
  sql += " FROM ";
  sql += RecordTableName(table);
  sql += " ORDER BY id";
  return sql;
}

}  // namespace

const char* RecordTableName(RecordTable table) {
  switch (table) {
    case RecordTable::kItems:
      return "items";
    case RecordTable::kDetections:
      return "detections";
    case RecordTable::kDecisions:
      return "decisions";
    case RecordTable::kReveals:
      return "reveals";
  }
  return "items";
}

const std::vector<std::string>& RecordColumns(RecordTable table) {
  switch (table) {
    case RecordTable::kItems:
      return kItemColumns;
    case RecordTable::kDetections:
      return kDetectionColumns;
    case RecordTable::kDecisions:
      return kDecisionColumns;
    case RecordTable::kReveals:
      return kRevealColumns;
  }
  return kItemColumns;
}

StatusOr<std::vector<Record>> ReadRecords(Database& db, RecordTable table) {
  const std::vector<std::string>& columns = RecordColumns(table);
  Statement select(db, SelectSql(table));
  if (!select.ok()) return select.Error(std::string("reading ") + RecordTableName(table));
  std::vector<Record> records;
  for (;;) {
    const int step = select.Step();
    if (step == kDone) break;
    if (step != kRow) return select.Error(std::string("reading ") + RecordTableName(table));
    Record record;
    record.reserve(columns.size());
    for (size_t c = 0; c < columns.size(); ++c) {
      const int column = static_cast<int>(c);
      const std::string type = select.ColumnType(column);
      RecordValue value;
      if (type == "integer") {
        value = select.ColumnInt(column);
      } else if (type == "real") {
        value = select.ColumnDouble(column);
      } else if (type == "text" || type == "blob") {
        value = select.ColumnText(column);
      }
      record.emplace_back(columns[c], std::move(value));
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace vigil::host
