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
#include "vigil/hashbank/compact_import.h"
#include "vigil/hashbank/entry.h"
#include "vigil/hashbank/status.h"

namespace vigil::hashbank {

// What an import changed, comparing the bank before and after. An entry is identified by
// (source, external id, value), or (source, value) when it has no external id.
struct ApplyStats {
  size_t added = 0;      // entries that were not in the bank before
  size_t updated = 0;    // entries that were, with other metadata (category, severity)
  size_t unchanged = 0;  // entries kept as they were: not mentioned, or re-imported so (these
                         // keep the date they were first added)
  size_t deleted = 0;    // entries of the bank before that are gone (deletions, records that
                         // lost a fingerprint, everything not re-imported under kReplace)
  size_t total = 0;      // entries in the bank afterwards
};

enum class UpdateMode {
  kMerge,    // apply the import to the bank's entries (add, update, delete by id
             // or value)
  kReplace,  // the bank holds exactly the import's entries afterwards
};

// Applies `import` to `entries` in place (kMerge semantics) and returns what changed.
ApplyStats ApplyImport(std::vector<Entry>& entries, const ImportResult& import);

// Opens the bank at `path` (an absent file is an empty bank named `bank_name`), applies the
// import and writes the result atomically. A failure anywhere leaves the file unchanged.
Result<ApplyStats> UpdateBankFile(const std::string& path, std::string_view bank_name,
                                  const ImportResult& import, UpdateMode mode = UpdateMode::kMerge,
                                  const BankBuildOptions& options = {});
Result<ApplyStats> UpdateBankFile(const std::string& path, std::string_view bank_name,
                                  ImportResult&& import, UpdateMode mode = UpdateMode::kMerge,
                                  const BankBuildOptions& options = {});
// The same from a compact import (what `vigil lists import` uses). The old bank stays mapped and is
// read one entry at a time; the merge holds 16 bytes per import operation and per removed old entry
// plus a bit per entry, and the bank file is built from the surviving old entries and the import's
// compact records directly. The import and the old mapping are released before the index is built.
// `import` is consumed (its dates of re-added unchanged entries are set to the old ones).
Result<ApplyStats> UpdateBankFile(const std::string& path, std::string_view bank_name,
                                  CompactImport&& import, UpdateMode mode = UpdateMode::kMerge,
                                  const BankBuildOptions& options = {});

}  // namespace vigil::hashbank

#endif  // VIGIL_HASHBANK_BANK_UPDATE_H_
