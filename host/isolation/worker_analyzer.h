// WorkerAnalyzer: runs one detector (one configuration) in a pool of vigil-workers.
//
// Each call takes an idle worker (or starts one, up to `max_workers`), sends the item
// (bytes and pixels in a sealed memfd), and waits until the detector's deadline: its
// declared CostBudget.max_ms, capped by the host's limit. A worker that hangs is killed,
// one that crashes is reaped; either way the item is retried once on a fresh worker,
// then recorded as failed for this detector with the reason (signal, deadline,
// sandbox violation, out of memory). Each worker failure counts towards quarantine;
// a quarantined plugin's items fail at once, never silently clean.
#ifndef VIGIL_HOST_ISOLATION_WORKER_ANALYZER_H_
#define VIGIL_HOST_ISOLATION_WORKER_ANALYZER_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "isolation/http_egress.h"
#include "isolation/plugin_trust.h"
#include "isolation/quarantine.h"
#include "isolation/worker_process.h"
#include "loader/analyzer.h"
#include "vigil/v1/detector.pb.h"

namespace vigil::isolation {

struct SupervisionOptions {
  WorkerOptions worker;
  std::chrono::milliseconds max_deadline{60000};      // the host's cap on any call
  std::chrono::milliseconds default_deadline{10000};  // when a detector declares none
  int max_workers = 2;                                // per analyzer
  // Performs the plugin's vigil.http/1 requests (null: every request is refused).
  std::shared_ptr<HttpEgress> egress;
};

class WorkerAnalyzer : public host::Analyzer {
 public:
  // Starts the first worker and creates the instance there, so a refused
  // configuration is reported now, as in process.
  static StatusOr<std::unique_ptr<WorkerAnalyzer>> Create(
      std::shared_ptr<const VerifiedPlugin> plugin, const vigil::v1::DetectorInfo& info,
      const vigil::v1::DetectorConfig& config, SupervisionOptions options,
      std::shared_ptr<QuarantineBook> quarantine);
  ~WorkerAnalyzer() override;

  host::AnalyzeOutcome Analyze(const vigil_item_view_t& item) override;
  const std::string& detector_id() const override { return id_; }
  // vigil.frames/1: what the instance asked for in its worker (from create's reply).
  host::FrameWants frame_wants() const override { return frame_wants_; }
  // Holds one worker for the whole video: begin, each frame (its pixels copied into
  // that worker's sealed media buffer, one frame at a time), end.
  StatusOr<std::unique_ptr<host::VideoSession>> BeginVideo(const vigil_item_view_t& item,
                                                           const vigil_video_info_t& info) override;

  std::chrono::milliseconds deadline() const { return deadline_; }
  // Workers started so far (the first included): restarts are this minus the pool.
  int workers_started() const;
  // The pid of one live worker, or -1 (tests use it to check the pool is reused).
  pid_t any_worker_pid() const;

 private:
  WorkerAnalyzer() = default;
  StatusOr<std::unique_ptr<WorkerProcess>> StartWorker();
  StatusOr<std::unique_ptr<WorkerProcess>> Acquire();
  void Release(std::unique_ptr<WorkerProcess> worker);
  std::string PluginName() const;

  std::shared_ptr<const VerifiedPlugin> plugin_;
  std::string id_;
  std::string config_bytes_;
  SupervisionOptions options_;
  std::shared_ptr<QuarantineBook> quarantine_;
  std::chrono::milliseconds deadline_{0};
  EgressCaller caller_;  // who asks when the plugin uses vigil.http/1
  host::FrameWants frame_wants_;
  friend class WorkerVideoSession;

  mutable std::mutex mutex_;
  std::condition_variable idle_cv_;
  std::vector<std::unique_ptr<WorkerProcess>> idle_;
  int live_ = 0;
  int started_ = 0;
};

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_WORKER_ANALYZER_H_
