#include "store/bank_entries.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "bank_set.h"
#include "vigil/hashbank/bank.h"

namespace vigil::host {

bool IsValidListName(const std::string& name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return name[0] != '.';
}

StatusOr<std::string> FindBankEntry(const std::string& data_dir, const std::string& bank_name,
                                    const std::string& entry) {
  const std::vector<std::string> names = hashdetect::BankSet::Names(data_dir);
  if (std::find(names.begin(), names.end(), bank_name) == names.end()) {
    std::string known;
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    return Status::NotFound("no bank named '" + bank_name + "' in " +
                            hashdetect::BankDirectory(data_dir) +
                            "; banks: " + (known.empty() ? "none" : known));
  }
  auto bank = hashbank::Bank::Open(hashdetect::BankPath(data_dir, bank_name));
  if (!bank.ok()) {
    return Status::InvalidArgument("bank " + bank_name +
                                   " cannot be used: " + bank.status().message());
  }
  std::string value = entry;
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < bank.value()->size(); ++i) {
    const hashbank::Entry e = bank.value()->entry(static_cast<uint32_t>(i));
    const std::string id = e.external_id.empty() ? std::to_string(i) : e.external_id;
    if (id == entry) return entry;
    if (e.value.ToHex() == value) return value;
  }
  return Status::NotFound("bank " + bank_name + " has no entry '" + entry +
                          "' (give an entry id as `vigil match` reports it, or a hash value)");
}

}  // namespace vigil::host
