#include "store/store_settings.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include "policy/toml_reading.h"

namespace vigil::host {

StatusOr<StoreSettings> ParseStoreSettings(const std::string &toml_text,
                                           const std::filesystem::path &origin) {
  StoreSettings settings;
  settings.origin = origin.string();
  toml::table root;
  try {
    root = toml::parse(toml_text, origin.string());
  } catch (const toml::parse_error &e) {
    const auto &at = e.source().begin;
    return Status::InvalidArgument(origin.string() + ":" + std::to_string(at.line) + ":" +
                                   std::to_string(at.column) + ": " + std::string(e.description()));
  }
  const toml::node *section = root.get("store");
  if (!section) return settings;
  const toml::table *table = section->as_table();
  if (!table) {
    return Status::InvalidArgument(Where(*section, origin.string()) + ": [store] must be a table");
  }
  if (Status s =
          CheckKeys(*table, {"media_key_file", "keep_media", "retention_days"}, origin.string());
      !s.ok()) {
    return s;
  }
  if (const toml::node *key = table->get("media_key_file")) {
    auto value = key->value<std::string>();
    if (!value || value->empty()) {
      return Status::InvalidArgument(Where(*key, origin.string()) +
                                     ": 'media_key_file' must be a file name");
    }
    std::filesystem::path path(*value);
    if (path.is_relative()) path = origin.parent_path() / path;
    settings.media_key_file = path;
  }
  if (const toml::node *keep = table->get("keep_media")) {
    auto value = keep->is_boolean() ? keep->value<bool>() : std::nullopt;
    if (!value) {
      return Status::InvalidArgument(Where(*keep, origin.string()) +
                                     ": 'keep_media' must be true or false");
    }
    settings.keep_media = *value;
  }
  auto days = IntIn(*table, "retention_days", 1, 36500, kDefaultRetentionDays, origin.string());
  if (!days.ok()) return days.status();
  settings.retention_days = days.value();
  return settings;
}

StatusOr<StoreSettings> LoadStoreSettings(const std::filesystem::path &path) {
  if (path.empty()) return StoreSettings{};
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read the config file " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return ParseStoreSettings(text.str(), path);
}

}  // namespace vigil::host
