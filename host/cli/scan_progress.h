// ScanProgress: one self-rewriting status line on a terminal (items/s, ETA, matches so
// far); silent when stderr is not a terminal, so logs and pipes stay clean.
#ifndef VIGIL_HOST_CLI_SCAN_PROGRESS_H_
#define VIGIL_HOST_CLI_SCAN_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace vigil::cli {

class ScanProgress {
 public:
  ScanProgress(int64_t total, bool enabled);
  // After each item; redraws at most 10 times a second.
  void Update(int64_t done, int64_t failed, int64_t detections);
  // Clears the line.
  void Finish();

 private:
  int64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_SCAN_PROGRESS_H_
