// Finding and naming bank entries, shared by `vigil lists` (cli/lists_command.cc,
// cli/bank_holds_command.cc) and the API's bank routes (service/bank_routes.h), so a hold
// made through either names an entry the same way.
#ifndef VIGIL_HOST_STORE_BANK_ENTRIES_H_
#define VIGIL_HOST_STORE_BANK_ENTRIES_H_

#include <string>

#include "core/status.h"

namespace vigil::host {

// A name `vigil lists import` accepts for a bank or URL list: 1..100 of letters, digits,
// '-', '_', '.', not starting with '.'.
bool IsValidListName(const std::string& name);

// The entry text as a hold records it: `entry` itself when it is an entry id as matches
// report it (the external id, else the entry's index), or the hash value in lower case.
// NotFound when there is no such bank (listing the banks there are) or no such entry;
// InvalidArgument when the bank file cannot be used.
StatusOr<std::string> FindBankEntry(const std::string& data_dir, const std::string& bank_name,
                                    const std::string& entry);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_BANK_ENTRIES_H_
