// JSON parsing shared by the JSON importers (internal): depth check first, then nlohmann-json
// without exceptions escaping, errors with a line number.
#ifndef VIGIL_HASHBANK_SRC_JSON_COMMON_H_
#define VIGIL_HASHBANK_SRC_JSON_COMMON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "import_common.h"

namespace vigil::hashbank::internal {

inline Status ParseJsonChecked(std::string_view text, const ImportOptions& options,
                               std::string_view format, const LineIndex& lines,
                               nlohmann::json& out) {
  if (Status s = CheckDocumentSize(text, options, format); !s.ok()) return s;
  // Deep nesting is refused before parsing: it has no legitimate use in these formats and
  // would cost stack and memory in a tree parser.
  if (JsonNestingDepth(text, options.max_json_depth) > options.max_json_depth) {
    return Status::InvalidArgument(std::string(format) + ": JSON nested deeper than " +
                                   std::to_string(options.max_json_depth) + " levels; refused");
  }
  try {
    out = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    const size_t at = e.byte == 0 ? 0 : e.byte - 1;
    return Status::InvalidArgument(std::string(format) + ": not valid JSON at line " +
                                   std::to_string(lines.LineOf(at)) + " (byte " +
                                   std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception& e) {  // e.g. a number out of range
    return Status::InvalidArgument(std::string(format) + ": unreadable JSON (" + e.what() + ")");
  }
  return Status::Ok();
}

// The string at `key`, or "" when absent or not a string.
inline std::string StringAt(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace vigil::hashbank::internal

#endif  // VIGIL_HASHBANK_SRC_JSON_COMMON_H_
