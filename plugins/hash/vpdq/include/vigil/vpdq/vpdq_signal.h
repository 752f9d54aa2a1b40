// The vPDQ signal text of python-threatexchange and HMA (the signal string of pytx's
// VPDQSignal, facebook/ThreatExchange python-threatexchange/threatexchange/extensions/
// vpdq/vpdq_util.py): a JSON list of "pdq_hex,quality,timestamp" strings, one per frame
// (vpdq_to_json / VpdqCompactFeature; the timestamp as Python's "{:.3}"), e.g.
//
//   ["f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,100,0.0", ...]
//
// The older form (OLD_json_to_vpdq, and pytx test data) is also read: a JSON object from
// frame number to {"quality": int, "hash": hex or {"w": [16 x uint16]}, "timestamp": number}.
// The text carries no frame numbers in the list form: frames are numbered 0, 1, ... in
// list order.
#ifndef VIGIL_VPDQ_VPDQ_SIGNAL_H_
#define VIGIL_VPDQ_VPDQ_SIGNAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "vigil/vpdq/vpdq.h"

namespace vigil::vpdq {

// Frames a video may have in one signal (the video decoder's default frame limit).
inline constexpr size_t kMaxSignalFrames = 1'500'000;

// Strict: valid JSON nested at most 4 deep, every frame valid (64 hex digits, quality
// 0..100, a finite timestamp >= 0), at least one frame, at most kMaxSignalFrames. Errors
// say which frame: "frame 3: quality \"101\" not in 0..100".
StatusOr<std::vector<FrameHash>> ParseVpdqSignal(std::string_view text);

// The current list form, as pytx writes it (json.dumps: ", " between items).
std::string FormatVpdqSignal(const std::vector<FrameHash>& frames);

}  // namespace vigil::vpdq

#endif  // VIGIL_VPDQ_VPDQ_SIGNAL_H_
