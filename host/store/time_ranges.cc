#include "store/time_ranges.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "vigil/v1/result.pb.h"

namespace vigil::host {
namespace {

// Ten days: far beyond VideoLimits::max_duration_seconds, small enough to print.
constexpr double kMaxSeconds = 864000;

bool Usable(double start, double end) {
  return std::isfinite(start) && std::isfinite(end) && start >= 0 && end >= start &&
         end <= kMaxSeconds;
}

// Parses all of [begin, end) as a number; false when anything is left over.
bool ParseSeconds(const std::string& text, double* out) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  }
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

}  // namespace

std::string FormatTimeRanges(const google::protobuf::RepeatedPtrField<v1::TimeRange>& ranges) {
  std::string out;
  size_t kept = 0;
  for (const v1::TimeRange& r : ranges) {
    if (kept == kMaxTimeRanges) break;
    if (!Usable(r.start_seconds(), r.end_seconds())) continue;
    char piece[64];
    std::snprintf(piece, sizeof piece, "%s%.3f-%.3f", out.empty() ? "" : ";", r.start_seconds(),
                  r.end_seconds());
    out += piece;
    ++kept;
  }
  return out;
}

std::vector<TimeSpan> ParseTimeRanges(const std::string& text) {
  std::vector<TimeSpan> spans;
  size_t pos = 0;
  while (pos < text.size() && spans.size() < kMaxTimeRanges) {
    size_t next = text.find(';', pos);
    if (next == std::string::npos) next = text.size();
    const std::string piece = text.substr(pos, next - pos);
    pos = next + 1;
    const size_t dash = piece.find('-');
    if (dash == std::string::npos) continue;
    TimeSpan span;
    if (!ParseSeconds(piece.substr(0, dash), &span.start_seconds) ||
        !ParseSeconds(piece.substr(dash + 1), &span.end_seconds) ||
        !Usable(span.start_seconds, span.end_seconds)) {
      continue;
    }
    spans.push_back(span);
  }
  return spans;
}

}  // namespace vigil::host
