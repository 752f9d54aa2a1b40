// What a worker prints reaches the host's stderr only through an OutputRelay:
// each line as `vigil: plugin NAME: LINE`, with control characters and invalid
// UTF-8 escaped, so a plugin can neither forge a line of vigil's own (a fake
// "scanned ... 0 detections") nor drive the terminal (ANSI escapes, carriage
// returns, bidi overrides).
#ifndef VIGIL_HOST_ISOLATION_OUTPUT_RELAY_H_
#define VIGIL_HOST_ISOLATION_OUTPUT_RELAY_H_

#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include "core/terminal_text.h"
#include "isolation/unique_fd.h"

namespace vigil::isolation {

class OutputRelay {
 public:
  static constexpr size_t kMaxLineBytes = 1024;       // longer lines are cut
  static constexpr size_t kMaxTotalBytes = 64 << 10;  // printed; then one "suppressed" line

  // Reads `from` (the read end of the worker's stdout+stderr pipe) on a thread
  // until end of file, writing to `to`.
  OutputRelay(UniqueFd from, std::string name, std::FILE* to = stderr);
  ~OutputRelay();  // waits for end of file: stop the worker first
  OutputRelay(const OutputRelay&) = delete;
  OutputRelay& operator=(const OutputRelay&) = delete;

 private:
  void Run();
  size_t Emit(std::string_view line, bool cut);  // the bytes it printed

  UniqueFd from_;
  std::string prefix_;
  std::FILE* to_;
  std::thread thread_;
};

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_OUTPUT_RELAY_H_
