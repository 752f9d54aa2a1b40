// The one-box SubmissionSink (issue 14 item 4): each submission a file in a spool folder
// beside the store, written to "<id>.part", fsync'd, renamed to "<id>.sub" and the folder
// fsync'd, before Submit returns Ok (so before the server answers 202). A crash leaves
// either no file, a ".part" (never answered 2xx; removed at start) or a whole ".sub"
// that the server's scan loop records after a restart.
//
// File format: "VIGILSUB1\n", one line of JSON (the Submission without its bytes),
// "\n", then the bytes.
#ifndef VIGIL_HOST_SERVICE_SPOOL_SINK_H_
#define VIGIL_HOST_SERVICE_SPOOL_SINK_H_

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "service/submission_sink.h"

namespace vigil::service {

class SpoolSink : public SubmissionSink {
 public:
  // Creates `dir` if needed and removes ".part" files a crash left behind.
  static StatusOr<std::unique_ptr<SpoolSink>> Open(const std::filesystem::path& dir);
  Status Submit(const Submission& submission) override;  // [thread-safe]

  const std::filesystem::path& dir() const { return dir_; }
  // The spooled files waiting to be recorded, oldest first (by name: ids are not
  // ordered, so by modification time, then name).
  std::vector<std::filesystem::path> Pending() const;
  // Whether a submission with this id is waiting in the spool.
  bool IsPending(const std::string& id) const;
  // Reads one spooled file back; Corruption names what is wrong.
  static StatusOr<Submission> Read(const std::filesystem::path& file);

  // The scan loop's side. Waits until a Submit since the last call, or `timeout`; true
  // when there was one. [thread-safe]
  bool WaitForWork(std::chrono::milliseconds timeout);
  // Removes a spooled file whose submission is recorded. Not synced: a removal lost in a
  // crash only means the submission is read again and recorded as nothing new.
  Status Remove(const std::filesystem::path& file);
  // Moves a file that cannot be read as a submission to "<spool>-damaged/" beside it: out
  // of the loop's way, kept for a person to look at.
  Status SetAside(const std::filesystem::path& file);

 private:
  explicit SpoolSink(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
  std::mutex work_mutex_;
  std::condition_variable work_cv_;
  uint64_t submitted_ = 0;    // Submits so far
  uint64_t waited_upto_ = 0;  // Submits seen by WaitForWork
};

// "sub-" + 32 random hex digits (RAND_bytes).
std::string NewSubmissionId();
// Whether `id` has that form (ids from the URL are checked before any path is made).
bool IsSubmissionId(const std::string& id);

}  // namespace vigil::service

#endif  // VIGIL_HOST_SERVICE_SPOOL_SINK_H_
