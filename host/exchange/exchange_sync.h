// One sync of one exchange (issue 15 item 1; docs/exchanges.md): pages from the stored
// checkpoint until the exchange has nothing more, applied to the exchange's bank and then
// recorded, in this order:
//
//   1. fetch pages after the checkpoint (retries inside the client), a batch of them
//      (SyncOptions::batch_ops);
//   2. merge their upserts and deletions into the bank file: the new bank is written to a
//      temp file, fsynced and renamed over the old one (UpdateBankFile), so a reader sees
//      the old bank or the new one, never half;
//   3. save the last page's checkpoint in the store (one transaction).
//
// A crash before 3 fetches the same pages again on the next run; applying pages twice
// gives the bank they gave once (records are replaced by identity, deletions are
// idempotent), so a sync killed at any point and run again ends with the bank an
// uninterrupted sync makes. A page that fails (unreachable, malformed) stops the sync with
// last_error set; the pages fetched before it are applied first, and the checkpoint is the
// one after them, never past a page not in the bank. A sync that fetched `max_pages` pages
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
  // Pages are applied to the bank in batches, not one bank write per page: once the pages
  // fetched since the last write hold this many changes (entries and deletions), when the
  // exchange is done, before a failure is reported, and before a page that touches a record
  // (or a value deleted by value) a pending page touches (applied together, they would not
  // give the bank applying them one after the other gives). 1: a write per page.
  size_t batch_ops = 200000;
  std::function<int64_t()> now_unix;  // default: the clock
  // Called after each page was fetched (`entries`: the bank's count at its last write).
  std::function<void(int page, const ExchangePage&, size_t entries)> on_page;
  // Called after pages were applied to the bank and their checkpoint saved.
  std::function<void(int pages, const std::string& checkpoint, size_t entries)> on_applied;
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
