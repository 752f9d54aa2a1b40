// Key codes the model understands. The values equal GLFW's (printable keys are their
// upper-case ASCII code) so the GLFW platform passes them through unchanged, while the
// model and its tests never include a windowing header.
#ifndef VIGIL_REVIEWER_UI_MODEL_KEYS_H_
#define VIGIL_REVIEWER_UI_MODEL_KEYS_H_

#include <string>

namespace vigil::review::keys {

inline constexpr int kSpace = 32;
inline constexpr int k0 = 48;  // '0'..'9' are 48..57
inline constexpr int kA = 65;  // 'A'..'Z' are 65..90
inline constexpr int kLeftBracket = 91;
inline constexpr int kRightBracket = 93;
inline constexpr int kEscape = 256;
inline constexpr int kEnter = 257;
inline constexpr int kTab = 258;
inline constexpr int kBackspace = 259;
inline constexpr int kRight = 262;
inline constexpr int kLeft = 263;
inline constexpr int kDown = 264;
inline constexpr int kUp = 265;
inline constexpr int kF1 = 290;  // F1..F12 are 290..301
inline constexpr int kF12 = 301;
inline constexpr int kKeypad0 = 320;  // keypad 0..9 are 320..329
inline constexpr int kKeypadEnter = 335;

inline constexpr int kModShift = 0x1;
inline constexpr int kModControl = 0x2;
inline constexpr int kModAlt = 0x4;

// The code for a name used in replay scripts and docs: "A".."Z", "0".."9", "F1".."F12",
// "Space", "Enter", "Escape", "Tab", "Backspace", "Left", "Right", "Up", "Down", "[", "]".
// -1 when unknown.
int FromName(const std::string& name);

}  // namespace vigil::review::keys

#endif  // VIGIL_REVIEWER_UI_MODEL_KEYS_H_
