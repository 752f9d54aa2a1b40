#include "isolation/output_relay.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace vigil::isolation {

OutputRelay::OutputRelay(UniqueFd from, std::string name, std::FILE* to)
    : from_(std::move(from)),
      prefix_("vigil: plugin " + TerminalText(name) + ": "),
      to_(to),
      thread_([this] { Run(); }) {}

OutputRelay::~OutputRelay() {
  if (thread_.joinable()) thread_.join();
}

size_t OutputRelay::Emit(std::string_view line, bool cut) {
  std::string text = prefix_ + TerminalText(line);
  if (cut) text += " [line cut at " + std::to_string(kMaxLineBytes) + " bytes]";
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), to_);
  std::fflush(to_);
  return text.size();
}

void OutputRelay::Run() {
  std::string line;
  bool cutting = false;  // past kMaxLineBytes: skip to the end of the line
  size_t printed = 0;    // what this worker has put on the terminal, prefixes included
  bool suppressed = false;
  auto emit = [&](bool cut) {
    printed += Emit(line, cut);
    line.clear();
    if (printed > kMaxTotalBytes) {
      std::string notice = prefix_ + "further output suppressed (more than " +
                           std::to_string(kMaxTotalBytes) + " bytes)\n";
      std::fwrite(notice.data(), 1, notice.size(), to_);
      std::fflush(to_);
      suppressed = true;
    }
  };
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(from_.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (ssize_t i = 0; i < n && !suppressed; ++i) {
      const char c = buffer[i];
      if (c == '\n') {
        if (!cutting) emit(false);
        line.clear();
        cutting = false;
      } else if (!cutting) {
        line += c;
        if (line.size() >= kMaxLineBytes) {
          emit(true);
          cutting = true;
        }
      }
    }
    // Once suppressed, keep draining, so the worker never blocks on a full
    // pipe.
  }
  if (!line.empty() && !cutting && !suppressed) emit(false);
}

}  // namespace vigil::isolation
