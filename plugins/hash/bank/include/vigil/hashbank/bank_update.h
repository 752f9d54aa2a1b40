// Applying imports to banks: additions, updates and deletions.
//
// Identity: an entry that carries an external id belongs to the record (source, external id);
// an import that mentions a record replaces all of that record's entries (so an NCMEC entry
// whose classification changed from A1 to A2 is updated, and one that lost a fingerprint loses
// it). Entries without an external id are identified by (source, value). Deletions remove a
// record, or every entry with a value (ThreatExchange should_delete rows without an id).
// Operations apply in document order.
#ifndef VIGIL_HASHBANK_BANK_UPDATE_H_
#define VIGIL_HASHBANK_BANK_UPDATE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/hashbank/bank.h"
#include "vigil/hashbank/entry.h"
#include "vigil/hashbank/status.h"

namespace vigil::hashbank {

struct ApplyStats {
  size_t added = 0;     // entries the import wrote (new or re-imported)
  size_t replaced = 0;  // existing entries superseded by a re-imported record or value
  size_t deleted = 0;   // entries removed by deletions
  size_t total = 0;     // entries in the bank afterwards
};

ApplyStats ApplyImport(std::vector<Entry>& entries, const ImportResult& import);

// Opens the bank at `path` (an absent file is an empty bank named `bank_name`), applies the
// import and writes the result atomically. A failure anywhere leaves the file unchanged.
Result<ApplyStats> UpdateBankFile(const std::string& path, std::string_view bank_name,
                                  const ImportResult& import, const BankBuildOptions& options = {});

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_BANK_UPDATE_H_
