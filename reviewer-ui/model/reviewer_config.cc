#include "model/reviewer_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

namespace vigil::review {
namespace {

constexpr const char* kSeverityNames[] = {"unspecified", "none", "low", "medium", "high",
                                          "critical"};

std::string Fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string Where(const toml::node& node, const std::string& origin) {
  const auto& at = node.source().begin;
  return origin + ":" + std::to_string(at.line) + ":" + std::to_string(at.column);
}

Status Bad(const toml::node& node, const std::string& origin, const std::string& key,
           const std::string& expected) {
  return Status::InvalidArgument(Where(node, origin) + ": '" + key + "' must be " + expected);
}

Status Number(const toml::node& node, const std::string& origin, const std::string& key,
              double low, double high, double* out) {
  std::optional<double> value = node.value<double>();  // integers convert too
  if (!value || !(*value >= low && *value <= high)) {
    return Bad(node, origin, key, "a number from " + Fmt(low) + " to " + Fmt(high));
  }
  *out = *value;
  return Status::Ok();
}

Status Integer(const toml::node& node, const std::string& origin, const std::string& key,
               int64_t low, int64_t high, int* out) {
  std::optional<int64_t> value = node.is_integer() ? node.value<int64_t>() : std::nullopt;
  if (!value || *value < low || *value > high) {
    return Bad(node, origin, key,
               "a whole number from " + std::to_string(low) + " to " + std::to_string(high));
  }
  *out = static_cast<int>(*value);
  return Status::Ok();
}

Status Boolean(const toml::node& node, const std::string& origin, const std::string& key,
               bool* out) {
  if (!node.is_boolean()) return Bad(node, origin, key, "true or false");
  *out = *node.value<bool>();
  return Status::Ok();
}

Status Text(const toml::node& node, const std::string& origin, const std::string& key,
            std::string* out) {
  if (!node.is_string()) return Bad(node, origin, key, "a string");
  *out = *node.value<std::string>();
  return Status::Ok();
}

// Budgets: [reviewer.budget] critical = { seconds = 120, items = 200 }, ...
Status ReadBudgets(const toml::table& table, const std::string& origin,
                   std::array<SeverityBudget, kMaxSeverity + 1>* budgets) {
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    int severity = -1;
    for (int i = 1; i <= kMaxSeverity; ++i) {
      if (name == kSeverityNames[i]) severity = i;
    }
    if (severity < 0) {
      return Status::InvalidArgument(Where(node, origin) + ": unknown severity '" + name +
                                     "' in budget (use none, low, medium, high or critical)");
    }
    const toml::table* entry = node.as_table();
    if (!entry) return Bad(node, origin, "budget." + name, "a table { seconds = N, items = N }");
    for (const auto& [field, value] : *entry) {
      const std::string f(field.str());
      const std::string full = "budget." + name + "." + f;
      if (f == "seconds") {
        if (Status s = Number(value, origin, full, 0, 86400, &(*budgets)[severity].seconds_unobscured);
            !s.ok()) {
          return s;
        }
      } else if (f == "items") {
        if (Status s = Integer(value, origin, full, 0, 1000000, &(*budgets)[severity].items); !s.ok()) {
          return s;
        }
      } else {
        return Status::InvalidArgument(Where(value, origin) + ": unknown key '" + full +
                                       "' (use seconds or items)");
      }
    }
  }
  return Status::Ok();
}

// Reads every known key of one [reviewer] or [reviewer.overrides.ID] table into `out`.
Status ReadSettings(const toml::table& table, const std::string& origin, bool allow_overrides,
                    ReviewerSettings* out) {
  for (const auto& [key, node] : table) {
    const std::string k(key.str());
    Status s;
    double d = 0;
    std::string text;
    if (k == "reveal_timeout_seconds") {
      s = Number(node, origin, k, 0.5, 30, &out->reveal_timeout_seconds);
    } else if (k == "reveal_region") {
      s = Number(node, origin, k, 0.05, 1.0, &d);
      out->reveal_region = static_cast<float>(d);
    } else if (k == "reveal_on_hover") {
      s = Boolean(node, origin, k, &out->reveal_on_hover);
    } else if (k == "min_obscure_level") {
      s = Integer(node, origin, k, kMinObscureLevel, kMaxObscureLevel, &out->min_obscure_level);
    } else if (k == "obscure_style") {
      s = Text(node, origin, k, &text);
      if (s.ok() && !ParseObscureStyle(text, &out->obscure_style)) {
        s = Bad(node, origin, k, "\"blur\" or \"pixelate\"");
      }
    } else if (k == "colour") {
      s = Text(node, origin, k, &text);
      if (s.ok() && !ParseColourMode(text, &out->colour)) {
        s = Bad(node, origin, k, "\"colour\", \"greyscale\" or \"sepia\"");
      }
    } else if (k == "session_limit_minutes") {
      s = Number(node, origin, k, 1, 480, &out->session_limit_minutes);
    } else if (k == "break_minutes") {
      s = Number(node, origin, k, 0, 240, &out->break_minutes);
    } else if (k == "interleave") {
      s = Boolean(node, origin, k, &out->interleave);
    } else if (k == "severe_from") {
      s = Integer(node, origin, k, 1, kMaxSeverity, &out->severe_from);
    } else if (k == "checkin") {
      s = Boolean(node, origin, k, &out->checkin);
    } else if (k == "order" && allow_overrides) {
      s = Text(node, origin, k, &text);
      if (s.ok() && text == "priority") out->order = host::QueueOrder::kPriority;
      else if (s.ok() && text == "oldest-first") out->order = host::QueueOrder::kOldestFirst;
      else if (s.ok()) s = Bad(node, origin, k, "\"priority\" or \"oldest-first\"");
    } else if (k == "lease_seconds" && allow_overrides) {
      s = Integer(node, origin, k, 30, 86400, &out->lease_seconds);
    } else if (k == "developer_mode" && allow_overrides) {
      s = Boolean(node, origin, k, &out->developer_mode);
    } else if (k == "reasons" && allow_overrides) {
      const toml::array* list = node.as_array();
      if (!list) {
        s = Bad(node, origin, k, "a list of strings");
      } else {
        out->reasons.clear();
        for (const auto& item : *list) {
          if (!item.is_string()) return Bad(item, origin, k, "a list of strings");
          out->reasons.push_back(*item.value<std::string>());
        }
      }
    } else if (k == "budget") {
      const toml::table* budget = node.as_table();
      s = budget ? ReadBudgets(*budget, origin, &out->budgets)
                 : Bad(node, origin, k, "a table of severities");
    } else if (k == "overrides" && allow_overrides) {
      if (!node.is_table()) s = Bad(node, origin, k, "a table of reviewer ids");
    } else {
      s = Status::InvalidArgument(Where(node, origin) + ": unknown key '" + k + "' in " +
                                  (allow_overrides ? "[reviewer]" : "a reviewer override"));
    }
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// A reviewer's own setting may only be more protective than the org's.
void ClampToOrg(const ReviewerSettings& org, ReviewerSettings* mine,
                std::vector<std::string>* clamped) {
  auto note = [clamped](const std::string& what) { clamped->push_back(what); };
  if (mine->reveal_timeout_seconds > org.reveal_timeout_seconds) {
    mine->reveal_timeout_seconds = org.reveal_timeout_seconds;
    note("reveal_timeout_seconds (org maximum " + Fmt(org.reveal_timeout_seconds) + ")");
  }
  if (mine->reveal_region > org.reveal_region) {
    mine->reveal_region = org.reveal_region;
    note("reveal_region (org maximum " + Fmt(org.reveal_region) + ")");
  }
  if (mine->min_obscure_level < org.min_obscure_level) {
    mine->min_obscure_level = org.min_obscure_level;
    note("min_obscure_level (org minimum " + std::to_string(org.min_obscure_level) + ")");
  }
  if (mine->session_limit_minutes > org.session_limit_minutes) {
    mine->session_limit_minutes = org.session_limit_minutes;
    note("session_limit_minutes (org maximum " + Fmt(org.session_limit_minutes) + ")");
  }
  if (mine->break_minutes < org.break_minutes) {
    mine->break_minutes = org.break_minutes;
    note("break_minutes (org minimum " + Fmt(org.break_minutes) + ")");
  }
  if (org.interleave && !mine->interleave) {
    mine->interleave = true;
    note("interleave (the org requires it)");
  }
  if (mine->severe_from > org.severe_from) {
    mine->severe_from = org.severe_from;
    note("severe_from (org maximum " + std::to_string(org.severe_from) + ")");
  }
  for (int s = 0; s <= kMaxSeverity; ++s) {
    const SeverityBudget& o = org.budgets[s];
    SeverityBudget& m = mine->budgets[s];
    if (o.seconds_unobscured >= 0 &&
        (m.seconds_unobscured < 0 || m.seconds_unobscured > o.seconds_unobscured)) {
      if (m.seconds_unobscured >= 0) {
        note(std::string("budget.") + kSeverityNames[s] + ".seconds (org maximum " +
             Fmt(o.seconds_unobscured) + ")");
      }
      m.seconds_unobscured = o.seconds_unobscured;
    }
    if (o.items >= 0 && (m.items < 0 || m.items > o.items)) {
      if (m.items >= 0) {
        note(std::string("budget.") + kSeverityNames[s] + ".items (org maximum " +
             std::to_string(o.items) + ")");
      }
      m.items = o.items;
    }
  }
}

}  // namespace

const char* SeverityName(int severity) {
  return severity >= 0 && severity <= kMaxSeverity ? kSeverityNames[severity] : "unknown";
}

ReviewerSettings DefaultReviewerSettings() {
  ReviewerSettings s;
  s.budgets[5] = {120, 150};
  s.budgets[4] = {300, 300};
  s.budgets[3] = {900, -1};
  s.reasons = {"benign: no person depicted", "benign: adult, not sexual",
               "duplicate of an item already decided", "needs a second opinion",
               "outside my competence: legal review"};
  return s;
}

StatusOr<ReviewerConfig> ParseReviewerConfig(const std::string& toml_text,
                                             const std::string& reviewer,
                                             const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    return Status::InvalidArgument(origin + ":" + std::to_string(at.line) + ":" +
                                   std::to_string(at.column) + ": " +
                                   std::string(e.description()));
  }
  ReviewerConfig config;
  config.settings = DefaultReviewerSettings();
  // Other top-level sections belong to other parts of the org config.
  const toml::node* section = root.get("reviewer");
  if (!section) return config;
  const toml::table* table = section->as_table();
  if (!table) return Bad(*section, origin, "reviewer", "a table");
  if (Status s = ReadSettings(*table, origin, true, &config.settings); !s.ok()) return s;
  const ReviewerSettings org = config.settings;

  const toml::table* overrides = (*table)["overrides"].as_table();
  if (overrides) {
    // Every override is validated, not only the chosen reviewer's: a typo surfaces early.
    for (const auto& [id, node] : *overrides) {
      const toml::table* mine = node.as_table();
      if (!mine) return Bad(node, origin, "overrides." + std::string(id.str()), "a table");
      ReviewerSettings personal = org;
      if (Status s = ReadSettings(*mine, origin, false, &personal); !s.ok()) return s;
      if (id.str() == reviewer) {
        ClampToOrg(org, &personal, &config.clamped);
        config.settings = personal;
      }
    }
  }
  return config;
}

StatusOr<ReviewerConfig> LoadReviewerConfig(const std::string& path, const std::string& reviewer) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read the config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseReviewerConfig(text.str(), reviewer, path);
}

}  // namespace vigil::review
