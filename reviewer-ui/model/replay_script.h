// ReplayScript: timed input for tests and demos (`vigil-review --replay FILE`).
//
// One event per line; lines starting with `#` and blank lines are ignored:
//   <ms> key <NAME> down|up|tap [ctrl] [shift] [alt]   NAME as in keys::FromName
//   <ms> text <rest of the line>                        typed text (UTF-8)
//   <ms> pointer <x> <y>                                window pixels
//   <ms> pointer-image <u> <v>                          0..1 over the item's image
//   <ms> button down|up                                 primary mouse button
//   <ms> screenshot <name>                              saves <dir>/<name>.png (+ .json)
//   <ms> quit
// <ms> is milliseconds of replay time since the first frame, never decreasing. A
// replay runs on a virtual clock that advances one 60 Hz frame per frame drawn, so the
// same script gives the same frames on a fast or a slow (software-rendered) machine.
#ifndef VIGIL_REVIEWER_UI_MODEL_REPLAY_SCRIPT_H_
#define VIGIL_REVIEWER_UI_MODEL_REPLAY_SCRIPT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/platform.h"

namespace vigil::review {

struct ReplayStep {
  enum class Kind { kInput, kScreenshot, kQuit };
  int64_t at_ms = 0;
  Kind kind = Kind::kInput;
  InputEvent event;      // kInput
  bool tap = false;      // kInput key: down now, up on the next frame
  std::string name;      // kScreenshot: [A-Za-z0-9_-]{1,64}
};

inline constexpr size_t kMaxReplayBytes = 1 << 20;
inline constexpr int64_t kMaxReplayMs = 24LL * 3600 * 1000;

// kInvalidArgument naming the line for anything malformed (unknown command or key,
// decreasing or negative time, a screenshot name that could leave the directory).
StatusOr<std::vector<ReplayStep>> ParseReplayScript(const std::string& text);
StatusOr<std::vector<ReplayStep>> LoadReplayScript(const std::string& path);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_REPLAY_SCRIPT_H_
