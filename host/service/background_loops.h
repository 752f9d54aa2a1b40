// Loops that run beside the HTTP server for its lifetime (the spool's scan loop, the
// webhook outbox's delivery loop) and stop with it: the seam where `vigil serve` wires
// them. Each loop gets a StopSignal to wait on instead of sleeping.
#ifndef VIGIL_HOST_SERVICE_BACKGROUND_LOOPS_H_
#define VIGIL_HOST_SERVICE_BACKGROUND_LOOPS_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::service {

// Set once, when the server stops. [thread-safe]
class StopSignal {
 public:
  // Waits up to `timeout`; true once stopping (at once if already so).
  bool WaitFor(std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return stopping_; });
  }
  bool stopping() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stopping_;
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool stopping_ = false;
};

class BackgroundLoops {
 public:
  ~BackgroundLoops() { StopAll(); }
  // Starts `loop` on its own thread; it returns when `stop` says so. [main-thread]
  void Start(std::string name, std::function<void(const StopSignal& stop)> loop) {
    names_.push_back(std::move(name));
    threads_.emplace_back([this, loop = std::move(loop)] { loop(stop_); });
  }
  // Signals every loop and waits for each to return. Idempotent. [main-thread]
  void StopAll() {
    stop_.Stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  StopSignal stop_;
  std::vector<std::string> names_;
  std::vector<std::thread> threads_;
};

}  // namespace vigil::service

#endif  // VIGIL_HOST_SERVICE_BACKGROUND_LOOPS_H_
