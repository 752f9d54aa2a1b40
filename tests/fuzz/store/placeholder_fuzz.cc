// Fuzzes TranslatePlaceholders with arbitrary SQL text (unterminated quotes, nested
// comments, dollar tags, huge parameter numbers). Checked: no crash or sanitizer report;
// `used` has one flag per parameter up to the largest; every named parameter is within
// PostgreSQL's limit (65535); and text without '?' comes back unchanged. (Translating the
// output again is not checked: a "$N" written next to a '$' can open a dollar quote that
// the SQLite-dialect input did not have, which only nonsense SQL does.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "store/db/postgres_database.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string sql(reinterpret_cast<const char*>(data), size);
  int max_index = -1;
  std::vector<bool> used;
  const std::string out = vigil::host::TranslatePlaceholders(sql, &max_index, &used);
  if (max_index < 0 || used.size() != static_cast<size_t>(max_index)) std::abort();
  if (max_index > 0 && !used[static_cast<size_t>(max_index) - 1]) std::abort();
  if (max_index > 65535) std::abort();
  if (sql.find('?') == std::string::npos && (out != sql || max_index != 0)) std::abort();
  return 0;
}
