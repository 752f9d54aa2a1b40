// Hash exchanges that sync themselves (issue 15 item 1; docs/exchanges.md). The store
// keeps what an admin configured and, per exchange, the state of its sync:
//
//   exchanges       name, kind (ncmec | stopncii | threatexchange | http | folder), endpoint,
//                   the bank it feeds, a credentials REFERENCE ("file:PATH" or "env:NAME", never
//                   the secret), interval, enabled
//   exchange_state  the checkpoint (opaque text the exchange's client understands), saved
//                   after each page was applied to the bank; last success, last error,
//                   entries in the bank, pages fetched since the last complete sync
//
// A failed page never moves the checkpoint: RecordExchangeError keeps it and says why.
#ifndef VIGIL_HOST_STORE_EXCHANGES_H_
#define VIGIL_HOST_STORE_EXCHANGES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

struct Exchange {
  std::string name;  // 1..64 of letters, digits, '-', '_', '.'
  std::string kind;  // ncmec, stopncii, threatexchange, http, folder
  std::string endpoint;
  std::string bank;         // the bank file it writes; not a local- bank, one exchange per bank
  std::string credentials;  // "" (none), "file:PATH" or "env:NAME"
  int64_t interval_s = 600;
  bool enabled = true;
  std::string created_by;
  std::string created_at;
  // Issue 15 item 2 (store/exchange_feedback.h): decisions on items that matched this
  // exchange's entries queue its feedback (ncmec, stopncii); a negative NCMEC vote needs
  // `feedback_reason` (a reason GUID from the exchange's /v2/feedback/<type>/reasons).
  bool feedback = false;
  std::string feedback_reason;
};

struct ExchangeState {
  std::string checkpoint;  // "" before the first page
  std::string last_success;
  int64_t last_success_unix = 0;
  std::string last_error;  // "" when the last attempt succeeded
  std::string last_error_at;
  int64_t entries = 0;
  int64_t pages = 0;
  std::string updated_at;
};

bool IsExchangeKind(const std::string& kind);
// Checks a configuration before it is stored: name, kind, endpoint (http(s) URL for the
// network kinds, an absolute folder for `folder`), bank name, credentials reference form.
Status ValidateExchange(const Exchange& exchange);

// Adds an exchange (InvalidArgument when it is malformed or the name or bank is taken;
// Unavailable when the store's row-level security refuses: admins only).
Status AddExchange(Database& db, const Exchange& exchange);
// Removes the exchange and its state (NotFound when there is none). The bank file stays.
Status RemoveExchange(Database& db, const std::string& name);
StatusOr<std::vector<Exchange>> ListExchanges(Database& db);
StatusOr<std::optional<Exchange>> FindExchange(Database& db, const std::string& name);

// The exchange's state (all defaults before its first sync).
StatusOr<ExchangeState> ExchangeStateOf(Database& db, const std::string& name);
// After a page was applied: the new checkpoint, the bank's entry count, the pages fetched
// so far in this sync; `complete` (the exchange said there is nothing more) also records
// the success time and resets the page count. Clears last_error.
Status SaveExchangeCheckpoint(Database& db, const std::string& name, const std::string& checkpoint,
                              int64_t entries, int64_t pages, bool complete, int64_t now_unix);
// A failed sync: the message, the checkpoint unchanged.
Status RecordExchangeError(Database& db, const std::string& name, const std::string& error,
                           int64_t now_unix);

// "2026-12-07T18:00:00Z" for a unix time (UTC).
std::string UtcText(int64_t unix_seconds);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_EXCHANGES_H_
