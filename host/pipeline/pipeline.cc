#include "pipeline/pipeline.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "loader/host_services.h"
#include "pipeline/video_frames.h"

namespace vigil::host {
namespace {

int64_t NanosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start).count();
}

}  // namespace

// A fixed set of worker threads taking tasks from one queue.
class Pipeline::ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Loop(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& worker : workers_) worker.join();
  }
  void Submit(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void Loop() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stopping and drained
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

struct Pipeline::Job {
  IntakeItem intake;
  std::unique_ptr<PreparedItem> item;
  std::vector<size_t> detectors;       // indexes into detectors_ that accept the item
  std::vector<DetectorRun> runs;       // one slot per accepting detector
  std::vector<size_t> frame_slots;     // slots whose detector takes a video's frames
  std::atomic<size_t> remaining{0};
};

struct Pipeline::Shared {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Job>> done;  // finished, waiting for the writer
  size_t in_flight = 0;
  std::atomic<int64_t> prepare_ns{0};
  std::unique_ptr<std::atomic<int64_t>[]> detector_ns;
  int64_t write_ns = 0;
  int64_t items = 0;
};

StatusOr<std::unique_ptr<Pipeline>> Pipeline::Create(
    const std::vector<Detector>& detectors,
    const std::map<std::string, vigil::v1::DetectorConfig>& configs, PipelineOptions options) {
  std::vector<PipelineInstance> instances;
  for (const Detector& detector : detectors) {
    auto it = configs.find(detector.id());
    PipelineInstance instance(detector);
    if (it != configs.end()) instance.config = it->second;
    instances.push_back(std::move(instance));
  }
  return Create(std::move(instances), std::move(options));
}

StatusOr<std::unique_ptr<Pipeline>> Pipeline::Create(std::vector<PipelineInstance> instances,
                                                     PipelineOptions options) {
  if (Status s = options.detections.Validate(); !s.ok()) return s;
  std::unique_ptr<Pipeline> pipeline(new Pipeline());
  pipeline->options_ = options;
  std::set<std::string> run_ids;
  for (PipelineInstance& instance : instances) {
    const std::string run_id = instance.run_id.empty() ? instance.detector.id() : instance.run_id;
    if (!run_ids.insert(run_id).second) {
      return Status::InvalidArgument("detector '" + run_id + "' is named twice");
    }
    pipeline->detectors_.push_back(instance.detector);
    pipeline->run_ids_.push_back(run_id);
    pipeline->shadow_.push_back(instance.shadow);
    const Detector& detector = pipeline->detectors_.back();
    if (options.make_analyzer) {
      auto analyzer = options.make_analyzer(detector, instance.config);
      if (!analyzer.ok()) return analyzer.status();
      pipeline->instances_.push_back(std::move(analyzer).value());
    } else {
      auto created = detector.Create(instance.config);
      if (!created.ok()) return created.status();
      pipeline->instances_.push_back(std::move(created).value());
    }
  }
  int hardware = static_cast<int>(std::thread::hardware_concurrency());
  pipeline->threads_ = options.threads > 0 ? options.threads : std::max(1, hardware);
  if (pipeline->options_.max_in_flight == 0) {
    pipeline->options_.max_in_flight = 2 * static_cast<size_t>(pipeline->threads_);
  }
  pipeline->shared_ = std::make_unique<Shared>();
  pipeline->shared_->detector_ns =
      std::make_unique<std::atomic<int64_t>[]>(pipeline->detectors_.size());
  for (size_t i = 0; i < pipeline->detectors_.size(); ++i) pipeline->shared_->detector_ns[i] = 0;
  pipeline->pool_ = std::make_unique<ThreadPool>(pipeline->threads_);
  return pipeline;
}

Pipeline::~Pipeline() {
  pool_.reset();  // joins the workers before the instances they use go away
}

void Pipeline::RunDetector(const std::shared_ptr<Job>& job, size_t slot) {
  const size_t index = job->detectors[slot];
  const auto deadline = options_.detector_deadline;
  auto start = std::chrono::steady_clock::now();
  SetThreadDeadline(start + deadline);
  AnalyzeOutcome outcome = instances_[index]->Analyze(job->item->view());
  SetThreadDeadline({});
  const int64_t elapsed = NanosSince(start);
  shared_->detector_ns[index] += elapsed;

  DetectorRun& run = job->runs[slot];
  run.detector = run_ids_[index];
  run.status = outcome.status;
  run.elapsed_ns = elapsed;
  if (run.status.ok() && elapsed > std::chrono::duration_cast<std::chrono::nanoseconds>(deadline).count()) {
    // In process a late call cannot be stopped, but its answer is not trusted either:
    // the item is failed for this detector, never silently clean.
    run.status = Status::Resource("detector " + run.detector + " took " +
                                  std::to_string(elapsed / 1000000) +
                                  " ms, over its deadline of " +
                                  std::to_string(deadline.count()) + " ms");
  }
  if (run.status.ok()) {
    run.result = std::move(outcome.result);
    // In process and in a worker alike: the plugin does not decide how much we keep.
    CapDetectorRun(run, options_.detections.per_detector);
  }
  if (job->remaining.fetch_sub(1) == 1) Finish(job);
}

void Pipeline::RunVideoFrames(const std::shared_ptr<Job>& job) {
  std::vector<Analyzer*> analyzers;
  for (size_t slot : job->frame_slots) {
    analyzers.push_back(instances_[job->detectors[slot]].get());
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<AnalyzeOutcome> outcomes = LendVideoFrames(
      job->item->view(), analyzers, options_.video_limits, options_.detector_deadline);
  const int64_t elapsed = NanosSince(start);
  for (size_t k = 0; k < job->frame_slots.size(); ++k) {
    const size_t slot = job->frame_slots[k];
    const size_t index = job->detectors[slot];
    // One decode served them all: the time is shared out evenly.
    shared_->detector_ns[index] += elapsed / static_cast<int64_t>(job->frame_slots.size());
    DetectorRun& run = job->runs[slot];
    run.detector = detectors_[index].id();
    run.status = outcomes[k].status;
    run.elapsed_ns = elapsed;
    if (run.status.ok()) {
      run.result = std::move(outcomes[k].result);
      CapDetectorRun(run, options_.detections.per_detector);
    }
  }
  const size_t count = job->frame_slots.size();
  if (job->remaining.fetch_sub(count) == count) Finish(job);
}

void Pipeline::Finish(const std::shared_ptr<Job>& job) {
  job->item->ReleaseMedia();
  // Shadow runs apart (issue 17 item 5): the policy never sees them, and their
  // detections never push a production detection over the per-item cap.
  std::vector<DetectorRun> runs, shadow_runs;
  for (size_t slot = 0; slot < job->runs.size(); ++slot) {
    (shadow_[job->detectors[slot]] ? shadow_runs : runs).push_back(std::move(job->runs[slot]));
  }
  CapItemDetections(runs, options_.detections.per_item);
  CapItemDetections(shadow_runs, options_.detections.per_item);
  job->item->record().runs = std::move(runs);
  job->item->record().shadow_runs = std::move(shadow_runs);
  job->item->record().prepare_ns = job->item->prepare_ns();
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->done.push_back(job);
  }
  shared_->cv.notify_all();
}

Status Pipeline::Run(std::vector<IntakeItem> items, const Writer& write) {
  Shared& shared = *shared_;
  Status failure;
  bool cancelled = false;
  size_t next = 0;

  auto prepare = [this](std::shared_ptr<Job> job) {
    job->item =
        PreparedItem::Prepare(std::move(job->intake), options_.limits, options_.already_scanned);
    shared_->prepare_ns += job->item->prepare_ns();
    const ItemRecord& record = job->item->record();
    // An item whose bytes could not be read at all, or that the store already has from
    // the same detectors, goes straight to the writer.
    if (!record.sha256.empty() && !record.already_scanned) {
      for (size_t i = 0; i < detectors_.size(); ++i) {
        if (detectors_[i].Accepts(job->item->media_kind())) job->detectors.push_back(i);
      }
    }
    if (job->detectors.empty()) {
      Finish(job);
      return;
    }
    job->runs.resize(job->detectors.size());
    job->remaining = job->detectors.size();
    // vigil.frames/1: a video's frame detectors share one decode (RunVideoFrames);
    // every other detector gets the item as before.
    std::vector<size_t> plain;
    for (size_t slot = 0; slot < job->detectors.size(); ++slot) {
      const bool frames = job->item->media_kind() == VIGIL_MEDIA_VIDEO &&
                          instances_[job->detectors[slot]]->frame_wants().wanted;
      (frames ? job->frame_slots : plain).push_back(slot);
    }
    if (!job->frame_slots.empty()) pool_->Submit([this, job] { RunVideoFrames(job); });
    for (size_t k = 1; k < plain.size(); ++k) {
      pool_->Submit([this, job, slot = plain[k]] { RunDetector(job, slot); });
    }
    if (!plain.empty()) RunDetector(job, plain[0]);  // runs here, saving a hand-off
  };

  std::unique_lock<std::mutex> lock(shared.mutex);
  while (true) {
    // Write everything that is finished (outside the lock: the writer does I/O).
    while (!shared.done.empty()) {
      std::shared_ptr<Job> job = shared.done.front();
      shared.done.pop_front();
      lock.unlock();
      if (failure.ok()) {
        auto start = std::chrono::steady_clock::now();
        failure = write(job->item->record());
        shared.write_ns += NanosSince(start);
        ++shared.items;
      }
      lock.lock();
      --shared.in_flight;
    }
    if (!cancelled && CancelRequested()) cancelled = true;
    const bool feeding = failure.ok() && !cancelled && next < items.size();
    if (!feeding && shared.in_flight == 0) break;
    if (feeding && shared.in_flight < options_.max_in_flight) {
      auto job = std::make_shared<Job>();
      job->intake = std::move(items[next++]);
      ++shared.in_flight;
      lock.unlock();
      pool_->Submit([prepare, job] { prepare(job); });
      lock.lock();
      continue;
    }
    shared.cv.wait_for(lock, std::chrono::milliseconds(100),
                       [&] { return !shared.done.empty(); });
  }
  if (!failure.ok()) return failure;
  if (cancelled) {
    return Status::Cancelled("interrupted after " + std::to_string(shared.items) +
                             " items; they are recorded, and the same scan run again continues");
  }
  return Status::Ok();
}

PipelineTimes Pipeline::times() const {
  PipelineTimes times;
  times.prepare_ns = shared_->prepare_ns;
  for (size_t i = 0; i < detectors_.size(); ++i) {
    times.detector_ns[run_ids_[i]] = shared_->detector_ns[i];
  }
  times.write_ns = shared_->write_ns;
  times.items = shared_->items;
  return times;
}

}  // namespace vigil::host
