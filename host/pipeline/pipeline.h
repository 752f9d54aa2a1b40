// Pipeline: the scanning engine. Items are read and decoded once on a worker thread,
// then every detector that accepts the item runs as its own task, in parallel, on the
// same pool; when the last one finishes the item goes to a single writer (the caller's
// callback: policy, store, output) in completion order.
//
// Memory stays bounded whatever the input size: at most `max_in_flight` items are read
// or being analysed at once, and an item's bytes and pixels are freed as soon as its
// detectors are done. Cancellation (Ctrl-C) stops taking new items; items in flight
// finish and are written, so the store is consistent and a re-run continues.
#ifndef VIGIL_HOST_PIPELINE_PIPELINE_H_
#define VIGIL_HOST_PIPELINE_PIPELINE_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "intake/intake.h"
#include "loader/analyzer.h"
#include "loader/detector.h"
#include "pipeline/detection_limits.h"
#include "pipeline/prepared_item.h"
#include "vigil/video/video_decoder.h"

namespace vigil::host {

// Makes the analyzer that runs one detector: in process by default; the isolation layer
// supplies one that runs it in a worker process.
using AnalyzerFactory = std::function<StatusOr<std::unique_ptr<Analyzer>>(
    const Detector& detector, const vigil::v1::DetectorConfig& config)>;

struct PipelineOptions {
  AnalyzerFactory make_analyzer;    // empty: Detector::Create (in process)
  int threads = 0;                  // 0: one per hardware thread
  size_t max_in_flight = 0;         // 0: 2 x threads
  std::chrono::milliseconds detector_deadline{60000};  // per analyze call
  PrepareLimits limits;
  DetectionLimits detections;       // detections kept per detector and per item
  // vigil.frames/1: limits on a video decoded for the detectors that take frames.
  video::VideoLimits video_limits;
  // Says whether the store already has an item (by SHA-256) from this very detector set:
  // such items are read and hashed only, and written with already_scanned set. Called
  // on worker threads. Empty: every item is analysed.
  PreparedItem::AlreadyScanned already_scanned;
};

// Where the time went, summed over all items (nanoseconds of thread time).
struct PipelineTimes {
  int64_t prepare_ns = 0;                       // read + hash + decode
  std::map<std::string, int64_t> detector_ns;   // per detector id
  int64_t write_ns = 0;                         // the writer callback (policy + store + output)
  int64_t items = 0;
};

// One instance the pipeline runs (issue 17 items 3 and 5): a detector with its own config,
// the id its runs carry (`vigil eval --compare`: "vigil.pdq[threshold=16]", the same plugin
// twice with two configs) and whether it is a shadow (`vigil scan --shadow`): a shadow's
// runs go to ItemRecord::shadow_runs, never to `runs`, and its detections never count
// against the per-item cap of the production ones.
struct PipelineInstance {
  explicit PipelineInstance(Detector d) : detector(std::move(d)) {}
  Detector detector;
  vigil::v1::DetectorConfig config;
  std::string run_id;  // empty: the detector's id
  bool shadow = false;
};

class Pipeline {
 public:
  // Creates one instance of each detector with `configs[id]` (default when absent).
  static StatusOr<std::unique_ptr<Pipeline>> Create(
      const std::vector<Detector>& detectors,
      const std::map<std::string, vigil::v1::DetectorConfig>& configs, PipelineOptions options);
  // Creates the given instances (run ids must be distinct).
  static StatusOr<std::unique_ptr<Pipeline>> Create(std::vector<PipelineInstance> instances,
                                                    PipelineOptions options);
  ~Pipeline();

  // Called on one thread, in completion order. A non-ok Status stops the run (the
  // items in flight are still finished, not written) and Run returns it.
  using Writer = std::function<Status(ItemRecord&)>;

  // Runs every item through. Returns Cancelled when interrupted (what was written
  // stays written).
  Status Run(std::vector<IntakeItem> items, const Writer& write);

  PipelineTimes times() const;
  int threads() const { return threads_; }

 private:
  struct Job;
  class ThreadPool;
  Pipeline() = default;
  void RunDetector(const std::shared_ptr<Job>& job, size_t detector_index);
  // Decodes a video item once and lends its frames to the job's frame detectors.
  void RunVideoFrames(const std::shared_ptr<Job>& job);
  void Finish(const std::shared_ptr<Job>& job);

  std::vector<Detector> detectors_;
  std::vector<std::string> run_ids_;  // per instance: the id its runs carry
  std::vector<bool> shadow_;          // per instance: a shadow (PipelineInstance::shadow)
  std::vector<std::unique_ptr<Analyzer>> instances_;
  PipelineOptions options_;
  int threads_ = 1;
  std::unique_ptr<ThreadPool> pool_;

  // Shared with the workers during Run.
  struct Shared;
  std::unique_ptr<Shared> shared_;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_PIPELINE_PIPELINE_H_
