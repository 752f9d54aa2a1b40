// Fuzzes ParseTimeRanges (store/time_ranges.h) with arbitrary stored text (a hand-edited
// or damaged store): the console parses it for every video detection it opens. Checked:
// no crash or sanitizer report; at most kMaxTimeRanges spans, each finite, from 0, not
// ending before it starts; and formatting the parsed spans then parsing them again gives
// the same count (the stored form is stable).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "store/time_ranges.h"
#include "vigil/v1/result.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto spans = vigil::host::ParseTimeRanges(text);
  if (spans.size() > vigil::host::kMaxTimeRanges) std::abort();
  vigil::v1::Detection d;
  for (const auto& span : spans) {
    if (!std::isfinite(span.start_seconds) || !std::isfinite(span.end_seconds) ||
        span.start_seconds < 0 || span.end_seconds < span.start_seconds) {
      std::abort();
    }
    auto* r = d.add_item_ranges();
    r->set_start_seconds(span.start_seconds);
    r->set_end_seconds(span.end_seconds);
  }
  if (vigil::host::ParseTimeRanges(vigil::host::FormatTimeRanges(d.item_ranges())).size() !=
      spans.size()) {
    std::abort();
  }
  return 0;
}
