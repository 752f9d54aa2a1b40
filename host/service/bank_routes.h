// Hash matching and the hash banks over HTTP (issue 14 item 1; docs/api.md):
//
//   POST   /v1/match                         (match) a batch of PDQ / md5 / sha1 / sha256
//                                            signals against every bank of the lists folder
//   GET    /v1/banks                         (admin) the banks: kind, entries, disabled entries
//   POST   /v1/banks/{name}/entries          (admin) add entries to an imported bank
//   DELETE /v1/banks/{name}/entries/{entry}  (admin) disable an entry until a date (a hold, as
//                                            `vigil lists disable`)
//   POST   /v1/banks/import                  (admin) a list file in a `vigil lists import`
//                                            format, merged into (or replacing) a bank
//
// The banks are a hashdetect::BankSet (the same code `vigil match` and the hash detectors
// match with, disabled entries included) held by a BankLibrary: opened at start, reopened
// when a bank file or the disabled-entries file changes (a poll of the folder every second)
// and at once after a change made through these routes. A request matches against the set
// it took when it started; a reload that fails (a damaged bank) keeps the old set and says
// why on /readyz and in the log.
#ifndef VIGIL_HOST_SERVICE_BANK_ROUTES_H_
#define VIGIL_HOST_SERVICE_BANK_ROUTES_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "bank_set.h"
#include "core/status.h"
#include "service/http_api.h"
#include "service/vigil_api.h"

namespace vigil::service {

// Signals one POST /v1/match may carry (more: 413).
inline constexpr size_t kMaxSignalsPerMatch = 1000;
// The largest PDQ threshold a request may ask for (the default is the banks' 31). Past ~64
// nearly every entry of a big bank is a candidate: a request would scan the bank.
inline constexpr int kMaxApiPdqThreshold = 64;
// Matches reported per signal at most (nearest first; "truncated": true says more exist).
inline constexpr size_t kMaxMatchesPerSignal = 100;
// Entries one POST /v1/banks/{name}/entries may add.
inline constexpr size_t kMaxEntriesPerAdd = 10000;

// The bank set in use, swapped whole when the folder changes. [thread-safe]
class BankLibrary {
 public:
  // Opens the banks of `data_dir` (the lists folder). Error: a bank that cannot be used or
  // a malformed disabled-entries file, named.
  static StatusOr<std::unique_ptr<BankLibrary>> Open(const std::string& data_dir);
  ~BankLibrary();
  BankLibrary(const BankLibrary&) = delete;
  BankLibrary& operator=(const BankLibrary&) = delete;

  const std::string& data_dir() const { return data_dir_; }
  // The set to match a request against; it stays valid while held, whatever reloads.
  std::shared_ptr<const hashdetect::BankSet> Current() const;

  // Reopens the set now. Error: the set in use stays, load_error() says why.
  Status Reload();
  // Reloads when the folder differs from the last load or attempt (each *.bank file's and
  // the disabled-entries file's name, size, mtime and inode). True when it reloaded.
  bool ReloadIfChanged();
  // "" when the set in use is the folder's, else why the last reload failed.
  std::string load_error() const;
  int64_t reloads() const;

  // Calls ReloadIfChanged every `period` on a thread of its own, until StopWatching (or
  // the destructor). With a refresh (SetRefresh), runs it first every `refresh_every`-th time.
  void StartWatching(std::chrono::milliseconds period);
  // What brings the folder up to date with the store before a poll (serve: the store's
  // local banks and holds, store/bank_materialise.h, so decisions and holds made on other
  // machines of a team store reach this server). Returns "" or why not (logged when it
  // changes). REQUIRES: before StartWatching.
  void SetRefresh(std::function<std::string()> refresh, int refresh_every);
  void StopWatching();

  // Held by writers of the folder (the bank routes), so two changes never race for a file.
  std::mutex& write_mutex() { return write_mutex_; }

 private:
  explicit BankLibrary(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  std::string Fingerprint() const;

  const std::string data_dir_;
  mutable std::mutex current_mutex_;  // guards current_, error_, reloads_
  std::shared_ptr<const hashdetect::BankSet> current_;
  std::string error_;
  int64_t reloads_ = 0;
  std::mutex reload_mutex_;  // one reload at a time; guards tried_
  std::string tried_;        // the fingerprint last loaded or tried
  std::mutex write_mutex_;
  std::mutex watch_mutex_;
  std::condition_variable watch_wake_;
  bool watch_stop_ = false;
  std::thread watcher_;
  std::function<std::string()> refresh_;
  int refresh_every_ = 1;
};

// Adds the routes above to `router` (AddVigilRoutes calls it). deps.banks may be null only
// in the route-list test: the routes then answer 503.
void AddBankRoutes(Router& router, const ApiDeps& deps);

// POST /v1/hash?match=1: the item's signals (a PDQ when it has one, md5, sha256; "" for
// none) matched as POST /v1/match matches them, at the default threshold: one result each
// ({"type", "value", "matches"[, "truncated"]}).
nlohmann::json MatchItemSignals(const BankLibrary& banks, const std::string& pdq_hex,
                                const std::string& md5_hex, const std::string& sha256_hex);

// Prometheus lines for the banks: entries per bank, reloads, whether the last one failed.
std::string RenderBankMetrics(const BankLibrary& banks);

}  // namespace vigil::service

#endif  // VIGIL_HOST_SERVICE_BANK_ROUTES_H_
