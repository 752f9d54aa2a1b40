// The append-only, hash-chained audit log.
//
// Each entry carries the SHA-256 of the previous entry's hash and its own fields, so an
// edited, deleted or reordered row breaks the chain and `vigil audit verify` names it.
// SQL triggers refuse UPDATE and DELETE as a first line; the chain is what proves it.
// Removing entries from the end cannot be seen from inside the file: verify prints the
// head hash and count so they can be anchored elsewhere (a ticket, a second system), and
// --expect-head checks against that anchor.
//
// Verification also checks what the chain alone cannot: each column's stored type (a
// value retyped with the same text hashes the same), the store's triggers and tables
// against the schema Vigil created, and that the log accounts for the other tables:
// every item has its "item.scanned" entry, every decision, reveal and exposure record
// its entry, and every such entry its row.
#ifndef VIGIL_HOST_STORE_AUDIT_LOG_H_
#define VIGIL_HOST_STORE_AUDIT_LOG_H_

#include "store/db/database.h"

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace vigil::host {

struct AuditEntry {
  std::string actor;    // "scanner", a reviewer id, "export"
  std::string action;   // "item.scanned", "queue.decided", "reveal", ...
  int64_t item_id = 0;  // 0: not about one item
  std::string details;  // JSON object text
};

struct AuditReport {
  int64_t entries = 0;
  std::string head_hash;              // hash of the last entry ("" when empty)
  std::vector<std::string> problems;  // empty when the chain verifies
};

// Appends one entry. REQUIRES: inside a write transaction on `db` (so the entry commits
// with the change it records).
Status AppendAudit(Database& db, const AuditEntry& entry, const std::string& at);

// Recomputes the whole chain and holds the store against it (see above). Problems name
// the entry or row and why, at most 20 of one kind spelled out.
StatusOr<AuditReport> VerifyAudit(Database& db);

// The chain's genesis "previous hash".
inline const char kAuditGenesis[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_AUDIT_LOG_H_
