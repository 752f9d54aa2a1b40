// Where in a video a detection is (vigil.v1.Detection.item_ranges, Match.ranges), as the
// store keeps it: text "START-END;START-END" in seconds with 3 decimals, in the
// detections table's item_ranges and match_ranges columns (migration SQLite 18 /
// PostgreSQL 16). Text rather than a side table: the ranges are read only with their
// detection, and a detection row stays one row however many ranges it has.
#ifndef VIGIL_HOST_STORE_TIME_RANGES_H_
#define VIGIL_HOST_STORE_TIME_RANGES_H_

#include <string>
#include <vector>

namespace google::protobuf {
template <typename T>
class RepeatedPtrField;
}  // namespace google::protobuf
namespace vigil::v1 {
class TimeRange;
}  // namespace vigil::v1

namespace vigil::host {

struct TimeSpan {
  double start_seconds = 0;
  double end_seconds = 0;
  bool operator==(const TimeSpan& o) const {
    return start_seconds == o.start_seconds && end_seconds == o.end_seconds;
  }
  bool operator!=(const TimeSpan& o) const { return !(*this == o); }
};

// A detection keeps at most this many ranges (a plugin's result is untrusted).
inline constexpr size_t kMaxTimeRanges = 64;

// The ranges as stored: ranges that are not finite, start before 0 or end before they
// start are dropped, and at most kMaxTimeRanges are kept. "" when none.
std::string FormatTimeRanges(const google::protobuf::RepeatedPtrField<v1::TimeRange>& ranges);

// The stored text back as spans. A piece that does not parse (a hand-edited store) is
// skipped, never guessed at; the same rules as FormatTimeRanges apply.
std::vector<TimeSpan> ParseTimeRanges(const std::string& text);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_TIME_RANGES_H_
