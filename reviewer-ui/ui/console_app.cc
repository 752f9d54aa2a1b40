#include "ui/console_app.h"

#include <GL/gl.h>
#include <imgui.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "model/console_driver.h"
#include "model/input_router.h"
#include "model/redraw_schedule.h"
#include "obscure/texture_gate.h"
#include "ui/console_ui.h"
#include "ui/gl_textures.h"
#include "ui/replay_platform.h"
#include "ui/screenshot.h"
#include "ui/theme.h"

namespace vigil::review {
namespace {

// Dear ImGui 1.86 takes mouse state as fields; keys go to the model, not ImGui.
void FeedImGui(const std::vector<InputEvent>& events, const ConsoleDriver& driver, float width,
               float height, double dt) {
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(width, height);
  io.DisplayFramebufferScale = ImVec2(1, 1);
  io.DeltaTime = static_cast<float>(std::max(dt, 1e-4));
  io.MousePos = driver.pointer_x() >= 0 ? ImVec2(driver.pointer_x(), driver.pointer_y())
                                        : ImVec2(-FLT_MAX, -FLT_MAX);
  for (const InputEvent& e : events) {
    if (e.type == InputEvent::Type::kButton) io.MouseDown[0] = e.down;
  }
}

std::string Sidecar(const ReviewSession& session, const ImageRect& rect,
                    const std::optional<Rect>& revealed, const ItemPicture& picture,
                    const ImageRect& timeline) {
  nlohmann::json j;
  j["screen"] = ScreenName(session.screen());
  j["image_rect"] = {rect.x, rect.y, rect.w, rect.h};
  if (revealed) {
    j["reveal_rect"] = {rect.x + revealed->x * rect.w, rect.y + revealed->y * rect.h,
                        revealed->w * rect.w, revealed->h * rect.h};
  } else {
    j["reveal_rect"] = nullptr;
  }
  j["item_id"] = session.current() ? session.current()->entry.item_id : 0;
  j["obscure_level"] = session.obscure_level();
  j["decisions"] = session.decisions_made();
  // The decisions the evidence panel lists for the open item (none while it is in a blind
  // second review: store/review_rounds.h), and its round.
  j["item_decisions_shown"] =
      session.current() ? session.current()->details.decisions.size() : size_t{0};
  j["item_round"] = session.current() ? session.current()->entry.round : 0;
  j["browse_only"] = session.browse_only();
  j["notice"] = session.notice();
  // A video's storyboard, in window pixels: each frame's tile and time, the timeline bar.
  if (picture.storyboard && rect.w > 0) {
    nlohmann::json tiles = nlohmann::json::array();
    for (const StoryboardTile& tile : picture.storyboard->tiles) {
      tiles.push_back({{"rect",
                        {rect.x + tile.rect.x * rect.w, rect.y + tile.rect.y * rect.h,
                         tile.rect.w * rect.w, tile.rect.h * rect.h}},
                       {"uv", {tile.rect.x + tile.rect.w / 2, tile.rect.y + tile.rect.h / 2}},
                       {"seconds", tile.timestamp_seconds},
                       {"frame", tile.frame_number},
                       {"matched", tile.matched}});
    }
    j["storyboard"] = {{"tiles", tiles},
                       {"duration_seconds", picture.storyboard->duration_seconds},
                       {"timeline_rect", {timeline.x, timeline.y, timeline.w, timeline.h}}};
  } else {
    j["storyboard"] = nullptr;
  }
  const auto& item = session.current();
  j["video_frames_revealed"] = item ? item->revealed_tiles.size() : size_t{0};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

StatusOr<FrameStats> RunConsole(Platform& platform, ReviewSession& session, const Clock& clock,
                                const AppOptions& options) {
  InputRouter router(session, clock);
  ConsoleDriver driver(platform, session, router);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ApplyTheme(platform.ContentScale());
  if (!ImGui_ImplOpenGL3_Init("#version 330 core")) {
    ImGui::DestroyContext();
    return Status::IoError("cannot initialise OpenGL 3.3 rendering: check the graphics driver");
  }
  GlTextures textures;
  textures.Create();
  TextureGate gate(textures.Uploader());
  ObscureSettings style;
  style.style = session.settings().obscure_style;
  style.colour = session.settings().colour;
  ObscuredCache cache(style, 768, 8, options.item_bytes);
  ConsoleUi ui(session, router, textures);

  FrameStats stats;
  std::vector<InputEvent> events;
  ImageRect image_rect;
  double last = clock.Now();
  int64_t shown_item = 0;
  // A live session draws on demand (input, or something visible changing: see
  // model/redraw_schedule.h); replays and --frames N draw every frame.
  const bool on_demand = !options.replay && options.max_frames <= 0;
  for (int frame = 0; options.max_frames <= 0 || frame < options.max_frames; ++frame) {
    if (on_demand && !platform.Visible()) {
      // Hidden or iconified: handle input and the model's deadlines, draw nothing.
      if (!driver.Step(&events)) break;
      const double due = NextRedraw(session, clock.Now(), RedrawState{false, false, false});
      platform.WaitEvents(due == kNoRedraw ? kNoRedraw : std::max(0.0, due - clock.Now()));
      continue;
    }
    const auto frame_start = std::chrono::steady_clock::now();
    if (!driver.Step(&events)) break;
    int fw = 0, fh = 0;
    platform.FramebufferSize(&fw, &fh);
    glViewport(0, 0, fw, fh);
    // Panic is pure black; otherwise the clear is the panels' background (they draw none).
    if (session.screen() == Screen::kPanic) {
      glClearColor(0, 0, 0, 1);
    } else {
      glClearColor(0.11f, 0.12f, 0.13f, 1);
    }
    glClear(GL_COLOR_BUFFER_BIT);

    std::optional<Rect> revealed;
    ItemPicture picture;
    if (session.screen() == Screen::kPanic) {
      // Blank: no ImGui frame, no texture; the reveal texture is overwritten too.
      gate.EndReveal();
      image_rect = {};
    } else {
      const auto& item = session.current();
      if (item) {
        if (item->entry.item_id != shown_item) {
          gate.Forget();
          shown_item = item->entry.item_id;
        }
        // A video's picture is its storyboard (video/), obscured and gated as an image.
        StoryboardRequest video_request;
        if (item->is_video()) video_request = session.storyboard_request();
        const StoryboardRequest* video = item->is_video() ? &video_request : nullptr;
        auto prepared =
            cache.Get(item->entry.item_id, item->entry.path, session.obscure_level(), video);
        if (options.replay && !prepared) {
          // Replays wait for the worker so a script's timing does not depend on CPU speed.
          cache.WaitIdle();
          prepared =
              cache.Get(item->entry.item_id, item->entry.path, session.obscure_level(), video);
        }
        if (prepared && !prepared->status.ok()) {
          picture.problem = prepared->status.message();
        } else if (prepared) {
          gate.ShowObscured(prepared->obscured);
          picture.ready = true;
          picture.storyboard = prepared->storyboard;
          if (prepared->storyboard)
            session.SetStoryboard(item->entry.item_id, prepared->storyboard);
          if (session.reveal().active()) {
            auto region = gate.ShowReveal(prepared->source, session.reveal());
            if (region.ok()) revealed = region.value();
          }
        }
      }
      if (!revealed) gate.EndReveal();
      picture.revealed = revealed;
      const double now = clock.Now();
      FeedImGui(events, driver, static_cast<float>(fw), static_cast<float>(fh), now - last);
      last = now;
      ImGui_ImplOpenGL3_NewFrame();
      ImGui::NewFrame();
      image_rect = ui.Draw(static_cast<float>(fw), static_cast<float>(fh), picture);
      driver.SetImageRect(image_rect);
      ImGui::Render();
      if (session.screen() != Screen::kPanic) {
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
      } else {
        // A button press this frame (the on-screen panic button) blanks at once.
        glClearColor(0, 0, 0, 1);
        glClear(GL_COLOR_BUFFER_BIT);
      }
    }
    std::vector<std::string> shots;
    if (options.replay) shots = options.replay->screenshots();
    // Without a script, --frames N with --screenshot-dir keeps the last frame.
    if (!options.replay && options.max_frames > 0 && frame == options.max_frames - 1) {
      shots.push_back("frame-" + std::to_string(frame + 1));
    }
    if (!options.screenshot_dir.empty()) {
      for (const std::string& name : shots) {
        RgbImage shot = CaptureFramebuffer(fw, fh);
        if (Status s =
                SaveScreenshot(options.screenshot_dir, name, shot,
                               Sidecar(session, image_rect, revealed, picture, ui.timeline_rect()));
            !s.ok()) {
          std::fprintf(stderr, "vigil-review: %s\n", s.message().c_str());
        }
      }
    }
    glFinish();
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - frame_start).count();
    stats.frames += 1;
    stats.seconds += ms / 1000;
    stats.worst_ms = std::max(stats.worst_ms, ms);
    platform.Present();
    if (on_demand) {
      RedrawState state;
      state.had_input = !events.empty();
      state.picture_pending = session.screen() != Screen::kPanic && session.current() &&
                              !picture.ready && picture.problem.empty();
      const double due = NextRedraw(session, clock.Now(), state);
      platform.WaitEvents(due == kNoRedraw ? kNoRedraw : std::max(0.0, due - clock.Now()));
    }
    if (options.replay && options.replay->finished() && options.max_frames <= 0 &&
        options.replay->screenshots().empty()) {
      // A script without `quit` ends after its last step.
      break;
    }
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext();
  return stats;
}

}  // namespace vigil::review
