// Issue 17 item 1: a store's items, detections, decisions and reveals as plain
// records (column name -> value), for readers outside the host such as the
// Python package `vigil` (python/): `pandas.DataFrame(records)` takes them as
// they are. Read-only; portable SQL.
#ifndef VIGIL_HOST_STORE_STORE_RECORDS_H_
#define VIGIL_HOST_STORE_STORE_RECORDS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

// NULL, an integer, a real or text (the column's value as the database holds
// it).
using RecordValue = std::variant<std::monostate, int64_t, double, std::string>;
// One row: (column, value) in the order of RecordColumns().
using Record = std::vector<std::pair<std::string, RecordValue>>;

enum class RecordTable { kItems, kDetections, kDecisions, kReveals };

// "items", "detections", "decisions", "reveals".
const char* RecordTableName(RecordTable table);
// The columns a table's records carry, in order.
const std::vector<std::string>& RecordColumns(RecordTable table);

// Every row of the table, ordered by id (item_id for no id). Errors carry the
// database's message and name the table.
StatusOr<std::vector<Record>> ReadRecords(Database& db, RecordTable table);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_STORE_RECORDS_H_
