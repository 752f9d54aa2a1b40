#include "policy/toml_reading.h"

#include <algorithm>
#include <optional>

namespace vigil::host {

std::string Where(const toml::node& node, const std::string& source) {
  const auto& at = node.source().begin;
  return source + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

StatusOr<int> SeverityFromName(const std::string& name) {
  static const char* const kNames[] = {"unspecified", "none", "low", "medium", "high",
                                       "critical"};
  for (int i = 0; i < 6; ++i) {
    if (name == kNames[i]) return i;
  }
  return Status::InvalidArgument("unknown severity '" + name +
                                 "' (use none, low, medium, high or critical)");
}

// Reads a table strictly: every key must be in `allowed`.
Status CheckKeys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                 const std::string& source) {
  for (const auto& [key, node] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      return Status::InvalidArgument(Where(node, source) + ": unknown key '" +
                                     std::string(key.str()) + "'");
    }
  }
  return Status::Ok();
}

StatusOr<std::vector<std::string>> StringList(const toml::table& table, std::string_view key,
                                              const std::string& source) {
  std::vector<std::string> out;
  const toml::node* node = table.get(key);
  if (!node) return out;
  const toml::array* array = node->as_array();
  if (!array) {
    return Status::InvalidArgument(Where(*node, source) + ": '" + std::string(key) +
                                   "' must be a list of strings");
  }
  for (const auto& item : *array) {
    auto value = item.value<std::string>();
    if (!value) {
      return Status::InvalidArgument(Where(item, source) + ": '" + std::string(key) +
                                     "' must be a list of strings");
    }
    out.push_back(*value);
  }
  return out;
}

StatusOr<int> IntIn(const toml::table& table, std::string_view key, int low, int high,
                    int fallback, const std::string& source) {
  const toml::node* node = table.get(key);
  if (!node) return fallback;
  auto value = node->is_integer() ? node->value<int64_t>() : std::nullopt;
  if (!value || *value < low || *value > high) {
    return Status::InvalidArgument(Where(*node, source) + ": '" + std::string(key) +
                                   "' must be a whole number from " + std::to_string(low) +
                                   " to " + std::to_string(high));
  }
  return static_cast<int>(*value);
}

}  // namespace vigil::host
