#include "policy/queue_routing.h"

#include <algorithm>
#include <set>

#include "policy/toml_reading.h"

namespace vigil::host {
namespace {

constexpr const char* kRoles[] = {"reviewer", "senior", "admin"};

bool Matches(const std::vector<std::string>& allowed, const std::string& value) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

bool AnyDetectionMatches(const QueueRoute& route, const ItemRecord& record) {
  if (route.detectors.empty() && route.labels.empty() && route.categories.empty() &&
      route.banks.empty()) {
    return true;
  }
  for (const DetectorRun& run : record.runs) {
    if (!Matches(route.detectors, run.detector)) continue;
    for (const auto& d : run.result.detections()) {
      const std::string category = d.has_match() ? d.match().category() : "";
      const std::string bank = d.has_match() ? d.match().bank() : "";
      if (Matches(route.labels, d.label()) && Matches(route.categories, category) &&
          Matches(route.banks, bank)) {
        return true;
      }
    }
  }
  return false;
}

StatusOr<std::vector<const toml::table*>> Tables(const toml::table& root, const char* key,
                                                 const std::string& source) {
  std::vector<const toml::table*> out;
  const toml::node* node = root.get(key);
  if (!node) return out;
  const toml::array* array = node->as_array();
  if (!array) {
    return Status::InvalidArgument(Where(*node, source) + ": use [[" + key + "]] tables");
  }
  for (const auto& item : *array) {
    const toml::table* table = item.as_table();
    if (!table) return Status::InvalidArgument(Where(item, source) + ": each of '" + key +
                                               "' must be a table");
    out.push_back(table);
  }
  return out;
}

}  // namespace

StatusOr<QueueRouting> QueueRouting::Parse(const toml::table& root, const std::string& source) {
  QueueRouting routing;
  auto queues = Tables(root, "queues", source);
  if (!queues.ok()) return queues.status();
  std::set<std::string> names;
  for (const toml::table* table : queues.value()) {
    if (Status s = CheckKeys(*table, {"name", "description", "roles"}, source); !s.ok()) return s;
    QueueSpec spec;
    auto name = (*table)["name"].value<std::string>();
    if (!name || !IsValidQueueName(*name)) {
      return Status::InvalidArgument(
          Where(*table, source) +
          ": a queue needs a 'name' of lower-case letters, digits, '.', '_' or '-' (at most "
          "64, starting with a letter or digit)");
    }
    spec.name = *name;
    if (!names.insert(spec.name).second) {
      return Status::InvalidArgument(Where(*table, source) + ": queue '" + spec.name +
                                     "' is defined twice");
    }
    spec.description = (*table)["description"].value<std::string>().value_or("");
    auto roles = StringList(*table, "roles", source);
    if (!roles.ok()) return roles.status();
    spec.roles = roles.value().empty() ? std::vector<std::string>{"reviewer", "senior"}
                                       : roles.value();
    for (const std::string& role : spec.roles) {
      if (std::find(std::begin(kRoles), std::end(kRoles), role) == std::end(kRoles)) {
        return Status::InvalidArgument(Where(*table, source) + ": queue '" + spec.name +
                                       "': unknown role '" + role +
                                       "' (use reviewer, senior or admin)");
      }
    }
    routing.queues_.push_back(std::move(spec));
  }
  if (!names.count(kDefaultQueue)) {
    routing.queues_.push_back(
        {kDefaultQueue, "items no route sends elsewhere", {"reviewer", "senior"}});
  }

  auto routes = Tables(root, "routes", source);
  if (!routes.ok()) return routes.status();
  for (const toml::table* table : routes.value()) {
    if (Status s = CheckKeys(*table, {"name", "queue", "detectors", "labels", "categories",
                                      "banks", "sources", "outcomes", "min_severity"},
                             source);
        !s.ok()) {
      return s;
    }
    QueueRoute route;
    auto name = (*table)["name"].value<std::string>();
    auto queue = (*table)["queue"].value<std::string>();
    if (!name || !queue) {
      return Status::InvalidArgument(Where(*table, source) + ": a route needs 'name' and 'queue'");
    }
    route.name = *name;
    route.queue = *queue;
    if (route.queue != kDefaultQueue && !names.count(route.queue)) {
      return Status::InvalidArgument(Where(*table, source) + ": route '" + route.name +
                                     "' names queue '" + route.queue +
                                     "', which no [[queues]] table defines");
    }
    for (auto [key, target] :
         {std::pair{"detectors", &route.detectors}, std::pair{"labels", &route.labels},
          std::pair{"categories", &route.categories}, std::pair{"banks", &route.banks},
          std::pair{"sources", &route.sources}, std::pair{"outcomes", &route.outcomes}}) {
      auto list = StringList(*table, key, source);
      if (!list.ok()) return list.status();
      *target = list.value();
    }
    for (const std::string& outcome : route.outcomes) {
      if (outcome != "review" && outcome != "failed" && outcome != "auto-action") {
        return Status::InvalidArgument(Where(*table, source) + ": route '" + route.name +
                                       "': unknown outcome '" + outcome +
                                       "' (use review, failed or auto-action)");
      }
    }
    if (const toml::node* severity = table->get("min_severity")) {
      auto text = severity->value<std::string>();
      auto level = text ? SeverityFromName(*text)
                        : StatusOr<int>(Status::InvalidArgument(
                              "'min_severity' must be none, low, medium, high or critical (in "
                              "quotes)"));
      if (!level.ok()) {
        return Status::InvalidArgument(Where(*severity, source) + ": " + level.status().message());
      }
      route.min_severity = level.value();
    }
    routing.routes_.push_back(std::move(route));
  }
  return routing;
}

std::string QueueRouting::Route(const ItemRecord& record, const Outcome& outcome) const {
  for (const QueueRoute& route : routes_) {
    if (outcome.severity < route.min_severity) continue;
    if (!Matches(route.sources, record.source)) continue;
    if (!Matches(route.outcomes, DispositionName(outcome.disposition))) continue;
    if (!AnyDetectionMatches(route, record)) continue;
    return route.queue;
  }
  return kDefaultQueue;
}

}  // namespace vigil::host
