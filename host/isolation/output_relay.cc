#include "isolation/output_relay.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace vigil::isolation {
namespace {

void Hex(std::string& out, unsigned char byte) {
  static const char kDigits[] = "0123456789abcdef";
  out += "\\x";
  out += kDigits[byte >> 4];
  out += kDigits[byte & 15];
}

// The length of the valid UTF-8 sequence at text[at] (2-4), or 0.
size_t Utf8Length(std::string_view text, size_t at, uint32_t* code_point) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  size_t length;
  uint32_t cp;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    cp = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    cp = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(at + i) & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  if ((length == 3 && cp < 0x800) || (length == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff)) {
    return 0;
  }
  *code_point = cp;
  return length;
}

bool Invisible(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string EscapeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[at]);
    if (c < 0x80) {
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\n':
          out += "\\n";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            Hex(out, c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++at;
      continue;
    }
    uint32_t cp = 0;
    const size_t length = Utf8Length(text, at, &cp);
    if (length == 0) {
      Hex(out, c);
      ++at;
      continue;
    }
    if (Invisible(cp)) {
      for (size_t i = 0; i < length; ++i) Hex(out, static_cast<unsigned char>(text[at + i]));
    } else {
      out.append(text.substr(at, length));
    }
    at += length;
  }
  return out;
}

OutputRelay::OutputRelay(UniqueFd from, std::string name, std::FILE* to)
    : from_(std::move(from)),
      prefix_("vigil: plugin " + EscapeForTerminal(name) + ": "),
      to_(to),
      thread_([this] { Run(); }) {}

OutputRelay::~OutputRelay() {
  if (thread_.joinable()) thread_.join();
}

size_t OutputRelay::Emit(std::string_view line, bool cut) {
  std::string text = prefix_ + EscapeForTerminal(line);
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
