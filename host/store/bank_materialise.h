// Bringing the store's banks to matching (issue 13 item 6). The store is the
// source of truth: a team store's decisions are made on reviewers'
// workstations, its scanner reads bank files on another machine. So before
// detectors load, `vigil scan`, `vigil match` and `vigil rematch` write what
// the store holds into the lists folder:
//
//   - each local bank (local_bank_entries) as <lists>/hash-banks/<bank>.bank,
//   rebuilt
//     atomically only when the store holds other entries than the file (a stamp
//     file <bank>.bank.local records which), so the next match honours a
//     decision at once;
//   - the entry holds in force as <lists>/hash-banks/disabled-entries.json,
//   which every
//     BankSet reads (the hash plugins in their workers, `vigil match`, `vigil
//     rematch`).
//
// A bank file named like a local bank that this code did not write (no stamp)
// is never overwritten: an error says so.
#ifndef VIGIL_HOST_STORE_BANK_MATERIALISE_H_
#define VIGIL_HOST_STORE_BANK_MATERIALISE_H_

#include <cstdint>
#include <string>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

struct MaterialiseReport {
  int banks_written = 0;  // local banks rebuilt (0 when the files were current)
  int held_entries = 0;   // holds in force written to the sidecar
};

// Writes the store's local banks and holds into `data_dir` (see above), as of
// `now_unix`.
StatusOr<MaterialiseReport> MaterialiseBanks(Database &db, const std::string &data_dir,
                                             int64_t now_unix);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_BANK_MATERIALISE_H_
