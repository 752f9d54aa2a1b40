// Applying an import to an existing URL list.
//
// Identity: an entry is (kind, expression or its SHA-256, source). An imported entry with
// the identity of a stored one replaces it (its metadata is updated); new identities are
// added. The URL list formats carry no deletions, so a merge never removes an entry; a
// replace keeps exactly the imported entries (whatever the list held is deleted).
#ifndef VIGIL_URL_LIST_MERGE_H_
#define VIGIL_URL_LIST_MERGE_H_

#include <cstddef>

#include "vigil/url/blocklist.h"
#include "vigil/url/status.h"

namespace vigil::url {

struct ListMergeStats {
  size_t added = 0;      // identities the list did not hold
  size_t updated = 0;    // held, with other metadata
  size_t unchanged = 0;  // held before and after as they were (re-imported so, or kept)
  size_t deleted = 0;    // held before, gone afterwards (replace only)
  size_t total = 0;      // entries afterwards
};

// Fills `out` (an empty builder of the imported list's format) with the result of applying
// `imported` to `existing` (nullptr: no list yet). With `replace`, `out` holds the imported
// entries only. A plain list and a hashed import (or the reverse) do not merge: InvalidArgument.
Result<ListMergeStats> MergeLists(const Blocklist* existing, const BlocklistBuilder& imported,
                                  bool replace, BlocklistBuilder* out);

}  // namespace vigil::url

#endif  // VIGIL_URL_LIST_MERGE_H_
