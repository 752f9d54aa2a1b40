// The console's look: a calm dark theme with high-contrast text, a readable font at a
// size that follows the display's content scale (DPI), and the severity colours.
#ifndef VIGIL_REVIEWER_UI_UI_THEME_H_
#define VIGIL_REVIEWER_UI_UI_THEME_H_

#include <imgui.h>

namespace vigil::review {

// [init-only, ImGui context current] `scale`: the platform's content scale.
void ApplyTheme(float scale);
// Muted colours: grey (none) to a dark red (critical); never saturated alarm red.
ImVec4 SeverityColour(int severity);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_UI_THEME_H_
