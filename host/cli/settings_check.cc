// --set DETECTOR.KEY=VALUE is checked against what the loaded detectors declare, so that
// a typo (`vigil.hash.threshold`) is an error instead of a setting nobody reads.
//
// A detector declares its keys in DetectorInfo.config_schema (JSON Schema of
// DetectorConfig.params): the names under "properties". With "additionalProperties":
// false (the four first-party detectors), any other key is refused here. A detector
// that declares nothing, or allows additional properties, is the judge of its own keys:
// its create() refuses what it does not know (vigil::sdk::RequireKnownParams).
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli/commands.h"

namespace vigil::cli {
namespace {

std::string Join(const std::set<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out.empty() ? "none" : out;
}

}  // namespace

Status CheckSettings(const GlobalOptions& options, const host::PluginRegistry& registry) {
  std::set<std::string> ids;
  for (const auto& detector : registry.detectors()) ids.insert(detector.id());
  for (const std::string& setting : options.settings) {
    // DETECTOR.KEY=VALUE, split at the last dot before '=' (as DetectorConfigs does).
    const size_t eq = setting.find('=');
    const size_t dot = eq == std::string::npos ? std::string::npos : setting.rfind('.', eq);
    if (dot == std::string::npos || dot == 0) {
      return Status::InvalidArgument("--set " + setting + ": expected DETECTOR.KEY=VALUE");
    }
    const std::string id = setting.substr(0, dot);
    const std::string key = setting.substr(dot + 1, eq - dot - 1);
    const host::Detector* detector = nullptr;
    for (const auto& d : registry.detectors()) {
      if (d.id() == id) detector = &d;
    }
    if (detector == nullptr) {
      return Status::InvalidArgument("--set " + setting + ": no detector '" + id +
                                     "' is loaded; loaded detectors: " + Join(ids));
    }
    const std::string& schema_text = detector->info().config_schema();
    if (schema_text.empty()) continue;
    const nlohmann::json schema = nlohmann::json::parse(schema_text, nullptr, false);
    if (schema.is_discarded() || !schema.is_object()) continue;
    const auto extra = schema.find("additionalProperties");
    if (extra == schema.end() || !extra->is_boolean() || extra->get<bool>()) continue;
    std::set<std::string> keys;
    if (const auto props = schema.find("properties"); props != schema.end() && props->is_object()) {
      for (const auto& [name, value] : props->items()) keys.insert(name);
    }
    if (keys.count(key) == 0) {
      return Status::InvalidArgument("--set " + setting + ": detector " + id + " has no setting '" +
                                     key + "'; its settings: " + Join(keys));
    }
  }
  return Status::Ok();
}

}  // namespace vigil::cli
