#include "cli/spool_scan_loop.h"

#include <map>
#include <vector>

#include "cli/submission_items.h"
#include "store/submissions.h"

namespace vigil::cli {

SpoolScanLoop::SpoolScanLoop(ScanSessionSource source, service::SpoolSink& spool,
                             std::filesystem::path work_dir, SpoolScanOptions options)
    : source_(std::move(source)),
      spool_(spool),
      work_dir_(std::move(work_dir)),
      options_(options) {}

SpoolScanLoop::~SpoolScanLoop() = default;

Status SpoolScanLoop::Start() {
  session_.reset();  // one set of plugin workers at a time
  const int64_t generation = source_.banks_generation ? source_.banks_generation() : 0;
  auto opened = source_.open();
  if (!opened.ok()) return opened.status();
  session_ = std::move(opened).value();
  session_banks_ = generation;
  ++sessions_opened_;
  return Status::Ok();
}

Status SpoolScanLoop::RefreshSession() {
  if (session_ && (!source_.banks_generation || source_.banks_generation() == session_banks_)) {
    return Status::Ok();
  }
  Status started = Start();
  if (!started.ok() && started.message().empty()) {
    return Status::IoError("the scan session did not open again (see above)");
  }
  return started;
}

StatusOr<size_t> SpoolScanLoop::RunOnce() {
  std::vector<std::filesystem::path> pending = spool_.Pending();
  if (pending.size() > options_.batch) pending.resize(options_.batch);
  if (pending.empty()) return size_t{0};
  if (Status fresh = RefreshSession(); !fresh.ok()) return fresh;
  // A batch's bytes are in memory while it is read: bounded (the first file always goes).
  uint64_t batch_bytes = 0;
  for (size_t i = 0; i < pending.size(); ++i) {
    std::error_code size_error;
    batch_bytes += std::filesystem::file_size(pending[i], size_error);
    if (i > 0 && batch_bytes > options_.batch_bytes) {
      pending.resize(i);
      break;
    }
  }
  std::error_code ec;
  if (!work_dir_ready_) {
    // Copies a killed process left behind: their submissions are still spooled.
    std::filesystem::remove_all(work_dir_, ec);
    ec.clear();
  }
  std::filesystem::create_directories(work_dir_, ec);
  if (ec) return Status::IoError("cannot make " + work_dir_.string() + ": " + ec.message());
  work_dir_ready_ = true;

  size_t finished = 0;
  Status status = Status::Ok();
  std::vector<host::IntakeItem> intake;
  std::map<std::string, std::filesystem::path> spooled_file;  // submission id -> spool file
  std::vector<std::filesystem::path> work_files;
  for (const auto& file : pending) {
    auto submission = service::SpoolSink::Read(file);
    if (!submission.ok()) {
      if (submission.status().code() != Status::Code::kCorruption) {
        status = submission.status();  // unreadable now (I/O): tried again next round
        continue;
      }
      // Damaged: the submission fails with the reason, once, and the file is kept aside.
      const std::string id = file.stem().string();
      if (service::IsSubmissionId(id)) {
        auto done = host::FailSubmission(
            session_->store()->db(), SubmissionRecordOf(id, nullptr),
            "the spooled submission is damaged: " + submission.status().message());
        if (!done.ok()) {
          status = done.status();
          continue;
        }
      }
      if (Status moved = spool_.SetAside(file); !moved.ok()) {
        status = moved;
        continue;
      }
      ++failed_;
      ++finished;
      continue;
    }
    std::filesystem::path work_file;
    auto item = IntakeItemOf(submission.value(), work_dir_, &work_file);
    if (!item.ok()) {
      status = item.status();  // the disk is full: left spooled
      continue;
    }
    if (!work_file.empty()) work_files.push_back(work_file);
    spooled_file[submission.value().id] = file;
    intake.push_back(std::move(item).value());
  }
  Status run = session_->Run(std::move(intake), [&](host::ItemRecord& record) {
    auto found = spooled_file.find(record.submission_id);
    if (found == spooled_file.end()) return;
    if (Status removed = spool_.Remove(found->second); !removed.ok()) status = removed;
    spooled_file.erase(found);
    ++recorded_;
    ++finished;
  });
  for (const auto& file : work_files) std::filesystem::remove(file, ec);
  if (!run.ok()) return run;
  if (!status.ok()) return status;
  return finished;
}

void SpoolScanLoop::Run(const service::StopSignal& stop,
                        const std::function<void(const Status&)>& on_error) {
  while (!stop.stopping()) {
    auto round = RunOnce();
    if (!round.ok()) {
      if (on_error) on_error(round.status());
      stop.WaitFor(options_.retry);
      continue;
    }
    // Work done: more may be waiting. Otherwise wait for a Submit (or the idle pause).
    if (round.value() == 0) {
      constexpr std::chrono::milliseconds kSlice{100};  // how soon a stop is seen
      for (auto waited = std::chrono::milliseconds(0); waited < options_.idle; waited += kSlice) {
        if (stop.stopping() || spool_.WaitForWork(kSlice)) break;
      }
    }
  }
}

}  // namespace vigil::cli
