// libFuzzer target for the video list parsers (issue 16 item 2): the first byte picks the
// format (reference per-frame file, pytx/HMA vPDQ lines, ThreatExchange CSV vPDQ rows, or
// the bare vPDQ signal text), the rest is the document. Whatever they accept must hold
// valid frames and ids, and a signal that parses must survive its own formatting.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vigil/vpdq/video_list_import.h"
#include "vigil/vpdq/vpdq_signal.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckFrames(const std::vector<vigil::vpdq::FrameHash>& frames) {
  Check(!frames.empty());
  for (const auto& f : frames)
    Check(f.quality >= 0 && f.quality <= 100 && f.timestamp_seconds >= 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const int pick = data[0] % 4;
  if (pick == 3) {
    auto frames = vigil::vpdq::ParseVpdqSignal(text);
    if (!frames.ok()) return 0;
    CheckFrames(*frames);
    auto again = vigil::vpdq::ParseVpdqSignal(vigil::vpdq::FormatVpdqSignal(*frames));
    Check(again.ok() && again->size() == frames->size());
    for (size_t i = 0; i < frames->size(); ++i) {
      Check((*again)[i].hash == (*frames)[i].hash && (*again)[i].quality == (*frames)[i].quality);
    }
    return 0;
  }
  const auto format = pick == 0   ? vigil::vpdq::VideoListFormat::kFrames
                      : pick == 1 ? vigil::vpdq::VideoListFormat::kHmaVpdq
                                  : vigil::vpdq::VideoListFormat::kTeCsvVpdq;
  auto imported = vigil::vpdq::ParseVideoList(format, text, "fuzz");
  if (!imported.ok()) return 0;
  for (const auto& e : imported->entries) {
    Check(vigil::vpdq::IsValidVideoEntryId(e.id));
    CheckFrames(e.frames);
  }
  for (const auto& id : imported->deletions) Check(vigil::vpdq::IsValidVideoEntryId(id));
  return 0;
}
