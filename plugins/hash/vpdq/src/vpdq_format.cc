// The reference per-frame text (vpdq/cpp io/vpdqio.cpp): frame_number,quality,hex,timestamp.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "vigil/vpdq/vpdq.h"

namespace vigil::vpdq {
namespace {

Status LineError(size_t line, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(line) + ": " + what);
}

// Digits only (no sign, no spaces), at most 18 of them.
bool ParseCount(std::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// digits[.digits], nothing else.
bool ParseSeconds(std::string_view text, double* out) {
  if (text.empty() || text.size() > 32) return false;
  size_t dots = 0;
  for (char c : text) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  if (dots > 1 || text.front() == '.' || text.back() == '.') return false;
  std::string copy(text);
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (errno != 0 || end != copy.c_str() + copy.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

std::string Shown(std::string_view field) {
  std::string s(field.substr(0, 40));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return "\"" + s + (field.size() > 40 ? "...\"" : "\"");
}

}  // namespace

std::string FormatFrameHashes(const std::vector<FrameHash>& frames) {
  std::string out;
  out.reserve(frames.size() * 84);
  char stamp[48];
  for (const FrameHash& f : frames) {
    std::snprintf(stamp, sizeof(stamp), "%.3f", f.timestamp_seconds);
    out += std::to_string(f.frame_number);
    out += ',';
    out += std::to_string(f.quality);
    out += ',';
    out += f.hash.ToHex();
    out += ',';
    out += stamp;
    out += '\n';
  }
  return out;
}

StatusOr<std::vector<FrameHash>> ParseFrameHashes(std::string_view text) {
  std::vector<FrameHash> frames;
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    ++line_number;
    size_t end = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return LineError(line_number, "empty line");
    std::string_view fields[4];
    size_t count = 0;
    size_t start = 0;
    while (true) {
      size_t comma = line.find(',', start);
      if (count == 4) return LineError(line_number, "more than 4 comma-separated fields");
      fields[count++] = line.substr(start, comma == std::string_view::npos ? comma : comma - start);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (count != 4) {
      return LineError(line_number, "expected frame_number,quality,pdq_hex,timestamp");
    }
    FrameHash f;
    if (!ParseCount(fields[0], &f.frame_number)) {
      return LineError(line_number, "frame number " + Shown(fields[0]) + " is not a number");
    }
    int64_t quality = 0;
    if (!ParseCount(fields[1], &quality) || quality > 100) {
      return LineError(line_number, "quality " + Shown(fields[1]) + " not in 0..100");
    }
    f.quality = static_cast<int>(quality);
    auto hash = pdq::Hash256::FromHex(fields[2]);
    if (!hash.ok()) {
      return LineError(line_number, "PDQ hash " + Shown(fields[2]) + " is not 64 hex digits");
    }
    f.hash = *hash;
    if (!ParseSeconds(fields[3], &f.timestamp_seconds)) {
      return LineError(line_number, "timestamp " + Shown(fields[3]) + " is not a decimal");
    }
    if (!frames.empty() && f.frame_number <= frames.back().frame_number) {
      return LineError(line_number, "frame " + std::to_string(f.frame_number) +
                                        " does not follow frame " +
                                        std::to_string(frames.back().frame_number));
    }
    frames.push_back(f);
  }
  if (frames.empty()) return Status::InvalidArgument("no frames: the vPDQ text is empty");
  return frames;
}

StatusOr<std::vector<FrameHash>> ReadFrameHashesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + path);
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size > (256 << 20)) {
    return Status::Resource(path + ": " + std::to_string(size) +
                            " bytes is more than the 256 MiB a vPDQ file may have");
  }
  in.seekg(0);
  std::string text(std::istreambuf_iterator<char>(in), {});
  auto parsed = ParseFrameHashes(text);
  if (!parsed.ok()) {
    return Status::InvalidArgument(path + ": " + parsed.status().message());
  }
  return parsed;
}

}  // namespace vigil::vpdq
