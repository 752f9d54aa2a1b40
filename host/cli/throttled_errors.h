// A background loop's errors, printed at most every 10 s: a store or server that is down
// would otherwise fill the log with the same line.
#ifndef VIGIL_HOST_CLI_THROTTLED_ERRORS_H_
#define VIGIL_HOST_CLI_THROTTLED_ERRORS_H_

#include <chrono>
#include <mutex>
#include <string>
#include <utility>

#include "cli/commands.h"
#include "core/status.h"

namespace vigil::cli {

class ThrottledErrors {
 public:
  // `who` starts each line ("webhooks: ...").
  explicit ThrottledErrors(std::string who) : who_(std::move(who)) {}

  // Prints "who: message (retrying)" unless a line was printed in the last 10 s.
  void operator()(const Status& error) {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    if (last_ != std::chrono::steady_clock::time_point{} && now - last_ < std::chrono::seconds(10))
      return;
    last_ = now;
    PrintError(who_ + ": " + error.message() + " (retrying)");
  }

 private:
  std::string who_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_THROTTLED_ERRORS_H_
