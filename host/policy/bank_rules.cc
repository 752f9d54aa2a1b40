#include "policy/bank_rules.h"

#include <set>

#include "policy/toml_reading.h"

namespace vigil::host {

StatusOr<std::vector<BankRule>> ParseBankRules(const toml::table &root, const std::string &source) {
  std::vector<BankRule> rules;
  const toml::node *node = root.get("bank_rules");
  if (node == nullptr) return rules;
  const toml::array *array = node->as_array();
  if (array == nullptr) {
    return Status::InvalidArgument(Where(*node, source) + ": use [[bank_rules]] tables");
  }
  std::set<std::string> names;
  for (const auto &item : *array) {
    const toml::table *table = item.as_table();
    if (table == nullptr) {
      return Status::InvalidArgument(Where(item, source) + ": a bank rule must be a table");
    }
    if (Status s = CheckKeys(*table, {"name", "decisions", "bank"}, source); !s.ok()) return s;
    auto name = (*table)["name"].value<std::string>();
    auto bank = (*table)["bank"].value<std::string>();
    if (!name || name->empty() || !bank) {
      return Status::InvalidArgument(Where(item, source) +
                                     ": a bank rule needs 'name' and 'bank' (strings)");
    }
    if (!names.insert(*name).second) {
      return Status::InvalidArgument(Where(item, source) + ": bank rule '" + *name +
                                     "' is named twice");
    }
    if (!IsLocalBankName(*bank)) {
      return Status::InvalidArgument(Where(item, source) + ": bank rule '" + *name +
                                     "': decisions add to local banks only; '" + *bank +
                                     "' must start with 'local-' (then letters, digits, '-', "
                                     "'_', '.')");
    }
    auto decisions = StringList(*table, "decisions", source);
    if (!decisions.ok()) return decisions.status();
    for (const std::string &d : decisions.value()) {
      if (!IsConfirmedDecision(d)) {
        return Status::InvalidArgument(Where(item, source) + ": bank rule '" + *name +
                                       "': decisions are A1, A2, B1 or B2, not '" + d + "'");
      }
    }
    rules.push_back({*name, decisions.value(), *bank});
  }
  return rules;
}

}  // namespace vigil::host
