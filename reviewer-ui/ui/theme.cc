#include "ui/theme.h"

#include <algorithm>
#include <filesystem>

namespace vigil::review {

void ApplyTheme(float scale) {
  scale = std::clamp(scale, 0.5f, 4.0f);
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 4;
  style.FrameRounding = 3;
  style.WindowPadding = ImVec2(10, 8);
  style.ItemSpacing = ImVec2(8, 6);
  style.ScaleAllSizes(scale);
  ImVec4* c = style.Colors;
  c[ImGuiCol_WindowBg] = ImVec4(0.11f, 0.12f, 0.13f, 1.0f);
  c[ImGuiCol_ChildBg] = ImVec4(0.13f, 0.14f, 0.15f, 1.0f);
  c[ImGuiCol_Text] = ImVec4(0.92f, 0.92f, 0.90f, 1.0f);
  c[ImGuiCol_Header] = ImVec4(0.22f, 0.32f, 0.42f, 1.0f);
  c[ImGuiCol_Button] = ImVec4(0.20f, 0.24f, 0.28f, 1.0f);
  c[ImGuiCol_ButtonHovered] = ImVec4(0.28f, 0.34f, 0.40f, 1.0f);

  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no layout file written beside the store
  // DejaVu Sans when installed (Debian's default font); ImGui's built-in font otherwise.
  const char* kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  std::error_code ec;
  if (std::filesystem::exists(kFont, ec)) {
    io.Fonts->AddFontFromFileTTF(kFont, 16.0f * scale);
  } else {
    ImFontConfig config;
    config.SizePixels = 13.0f * scale;
    io.Fonts->AddFontDefault(&config);
  }
}

ImVec4 SeverityColour(int severity) {
  switch (severity) {
    case 5: return ImVec4(0.78f, 0.30f, 0.30f, 1.0f);
    case 4: return ImVec4(0.82f, 0.52f, 0.28f, 1.0f);
    case 3: return ImVec4(0.80f, 0.72f, 0.35f, 1.0f);
    case 2: return ImVec4(0.45f, 0.65f, 0.80f, 1.0f);
    default: return ImVec4(0.60f, 0.60f, 0.60f, 1.0f);
  }
}

}  // namespace vigil::review
