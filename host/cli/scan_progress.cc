#include "cli/scan_progress.h"

namespace vigil::cli {

ScanProgress::ScanProgress(int64_t total, bool enabled)
    : total_(total), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

void ScanProgress::Update(int64_t done, int64_t failed, int64_t detections) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  long eta = rate > 0 ? static_cast<long>(static_cast<double>(total_ - done) / rate) : 0;
  std::fprintf(stderr, "\r\033[K  %lld/%lld items  %.1f items/s  ETA %ld:%02ld  %lld detections  %lld failed",
               static_cast<long long>(done), static_cast<long long>(total_), rate, eta / 60,
               eta % 60, static_cast<long long>(detections), static_cast<long long>(failed));
  std::fflush(stderr);
}

void ScanProgress::Finish() {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace vigil::cli
