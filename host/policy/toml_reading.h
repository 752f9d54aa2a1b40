// Strict reading of the policy's TOML: every error names the file, line and column, and
// an unknown key is an error, never a silent default. Shared by the rules and the queues.
#ifndef VIGIL_HOST_POLICY_TOML_READING_H_
#define VIGIL_HOST_POLICY_TOML_READING_H_

#include <toml++/toml.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vigil::host {

// "file:line:column" of a node, for an error message.
std::string Where(const toml::node& node, const std::string& source);

// 1 none .. 5 critical (vigil.v1.Severity) from its name.
StatusOr<int> SeverityFromName(const std::string& name);

// Every key of `table` must be in `allowed`.
Status CheckKeys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                 const std::string& source);

// A list of strings (empty when the key is absent).
StatusOr<std::vector<std::string>> StringList(const toml::table& table, std::string_view key,
                                              const std::string& source);

// A whole number in [low, high], or `fallback` when the key is absent.
StatusOr<int> IntIn(const toml::table& table, std::string_view key, int low, int high,
                    int fallback, const std::string& source);

}  // namespace vigil::host

#endif  // VIGIL_HOST_POLICY_TOML_READING_H_
