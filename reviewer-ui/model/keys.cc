#include "model/keys.h"

#include <cctype>

namespace vigil::review::keys {

int FromName(const std::string& name) {
  if (name.size() == 1) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return c;
    if (c == '[') return kLeftBracket;
    if (c == ']') return kRightBracket;
    return -1;
  }
  if (name.size() >= 2 && name.size() <= 3 && (name[0] == 'F' || name[0] == 'f')) {
    int n = 0;
    for (size_t i = 1; i < name.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(name[i]))) return -1;
      n = n * 10 + (name[i] - '0');
    }
    return n >= 1 && n <= 12 ? kF1 + n - 1 : -1;
  }
  if (name == "Space") return kSpace;
  if (name == "Enter") return kEnter;
  if (name == "Escape") return kEscape;
  if (name == "Tab") return kTab;
  if (name == "Backspace") return kBackspace;
  if (name == "Left") return kLeft;
  if (name == "Right") return kRight;
  if (name == "Up") return kUp;
  if (name == "Down") return kDown;
  return -1;
}

}  // namespace vigil::review::keys
