// One sync of one exchange (issue 15 item 1; docs/exchanges.md): pages from the stored
// checkpoint until the exchange has nothing more, each applied to the exchange's bank and
// then recorded, in this order:
//
//   1. fetch the page after the checkpoint (retries inside the client);
//   2. merge its upserts and deletions into the bank file: the new bank is written to a
//      temp file, fsynced and renamed over the old one (UpdateBankFile), so a reader sees
//      the old bank or the new one, never half;
//   3. save the page's checkpoint in the store (one transaction).
//
// A crash between 2 and 3 fetches the same page again on the next run; applying a page
// twice gives the bank it gave once (records are replaced by identity, deletions are
// idempotent), so a sync killed at any point and run again ends with the bank an
// uninterrupted sync makes. A page that fails (unreachable, malformed) stops the sync with
// last_error set and the checkpoint where it was. A sync that fetched `max_pages` pages
// without the exchange saying it is done stops with an error (a server that pages forever).
// One sync per bank at a time (an flock on <bank>.exchange-lock).
#ifndef VIGIL_HOST_EXCHANGE_EXCHANGE_SYNC_H_
#define VIGIL_HOST_EXCHANGE_EXCHANGE_SYNC_H_

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "exchange/exchange_client.h"
#include "store/db/database.h"
#include "store/exchanges.h"

namespace vigil::exchange {

struct SyncOptions {
  int max_pages = 10000;
  std::function<int64_t()> now_unix;  // default: the clock
  // Called after each page was applied and its checkpoint saved (progress output).
  std::function<void(int page, const ExchangePage&, size_t entries)> on_page;
};

struct SyncReport {
  int pages = 0;
  size_t added = 0, updated = 0, deleted = 0;
  size_t bad_records = 0;  // records of the pages the importer could not use (listed nowhere
                           // else: the count says how many)
  size_t entries = 0;      // in the bank afterwards
  bool complete = false;
};

StatusOr<SyncReport> SyncExchange(host::Database& db, const host::Exchange& exchange,
                                  ExchangeClient& client, const std::string& bank_path,
                                  const SyncOptions& options = {});

}  // namespace vigil::exchange

#endif  // VIGIL_HOST_EXCHANGE_EXCHANGE_SYNC_H_
