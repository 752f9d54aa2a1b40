// One box (issue 14 item 4): `vigil serve`'s scan loop. It takes the submissions the spool
// holds (service/spool_sink.h), oldest first, in batches, runs them through a ScanSession
// (the same set-up and recording as `vigil scan`) and removes each spooled file only once
// its submission is recorded. A crash anywhere leaves the file, and the next round (after
// a restart too) records it; recording a finished submission again records nothing
// (store/submissions.h), so nothing is lost and nothing is recorded twice.
#ifndef VIGIL_HOST_CLI_SPOOL_SCAN_LOOP_H_
#define VIGIL_HOST_CLI_SPOOL_SCAN_LOOP_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "cli/scan_session.h"
#include "core/status.h"
#include "service/background_loops.h"
#include "service/spool_sink.h"

namespace vigil::cli {

struct SpoolScanOptions {
  size_t batch = 64;  // submissions per round
  uint64_t batch_bytes = 256ull << 20;  // and their bytes at most (one larger goes alone)
  // How long an empty spool is waited on before it is looked at again (a Submit wakes the
  // loop at once; this catches files another process left).
  std::chrono::milliseconds idle{1000};
  // The pause after a round that could not record (the store is down, the disk is full).
  std::chrono::milliseconds retry{2000};
};

// Where the loop's scan session comes from. The plugins read the hash banks when they
// load, so when the banks change (a `vigil lists import`, POST /v1/banks/..., an exchange
// sync) the session is opened again between two rounds: what the server scans matches
// what POST /v1/match matches.
struct ScanSessionSource {
  std::function<StatusOr<std::unique_ptr<ScanSession>>()> open;
  // A number that changes when the banks do (empty: never re-open).
  std::function<int64_t()> banks_generation;
};

class SpoolScanLoop {
 public:
  // `work_dir` holds a copy of each submission's bytes while its batch runs (created if
  // needed; emptied at the first round: only one loop may use it).
  SpoolScanLoop(ScanSessionSource source, service::SpoolSink& spool, std::filesystem::path work_dir,
                SpoolScanOptions options = {});
  ~SpoolScanLoop();

  // Opens the first session (before serving, so that a plugin or policy that cannot load
  // stops the server at start). The error says why (empty: printed already).
  Status Start();

  // One round: up to options.batch spooled submissions scanned and recorded. How many were
  // finished (recorded, or failed because their file is damaged); an error leaves the rest
  // spooled for the next round.
  StatusOr<size_t> RunOnce();
  // Rounds until `stop`; each error goes to `on_error` and is retried after a pause.
  void Run(const service::StopSignal& stop, const std::function<void(const Status&)>& on_error);

  int64_t recorded() const { return recorded_.load(); }
  int64_t failed() const { return failed_.load(); }
  int64_t sessions_opened() const { return sessions_opened_.load(); }

 private:
  // Re-opens the session when the banks changed since it was opened.
  Status RefreshSession();

  ScanSessionSource source_;
  std::unique_ptr<ScanSession> session_;
  int64_t session_banks_ = 0;  // banks_generation() when session_ was opened
  service::SpoolSink& spool_;
  std::filesystem::path work_dir_;
  SpoolScanOptions options_;
  bool work_dir_ready_ = false;  // emptied of a previous process's copies
  std::atomic<int64_t> recorded_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> sessions_opened_{0};
};

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_SPOOL_SCAN_LOOP_H_
