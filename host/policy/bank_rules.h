// The policy's [[bank_rules]] (issue 13 item 6): which confirmed decisions add
// the item's hashes to which local bank.
//
//   [[bank_rules]]
//   name = "confirmed-a"            # unique; recorded with every entry it adds
//   decisions = ["A1", "A2"]        # optional: A1, A2, B1, B2 (default: all
//   four) bank = "local-confirmed"        # a local bank: "local-" then
//   letters, digits, - _ .
//
// A scan or rematch records the rules in the store (store/local_banks.h), where
// every reviewer's decision applies them.
#ifndef VIGIL_HOST_POLICY_BANK_RULES_H_
#define VIGIL_HOST_POLICY_BANK_RULES_H_

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "core/status.h"
#include "store/local_banks.h"

namespace vigil::host {

StatusOr<std::vector<BankRule>> ParseBankRules(const toml::table &root, const std::string &source);

}  // namespace vigil::host

#endif  // VIGIL_HOST_POLICY_BANK_RULES_H_
