// ConsoleUi: draws the console from ReviewSession's state with Dear ImGui. No
// moderation logic: buttons send the same keys the keyboard does, through InputRouter.
//
// [SECTION] index: status line, queue list (left), item (centre), evidence (right),
// decision bar (bottom), overlays (reason, check-in, break, no work).
#ifndef VIGIL_REVIEWER_UI_UI_CONSOLE_UI_H_
#define VIGIL_REVIEWER_UI_UI_CONSOLE_UI_H_

#include <memory>
#include <optional>
#include <string>

#include "model/console_driver.h"
#include "model/input_router.h"
#include "model/review_session.h"
#include "ui/gl_textures.h"
#include "video/storyboard_layout.h"

namespace vigil::review {

struct ItemPicture {
  bool ready = false;              // the obscured texture holds this item
  std::string problem;             // why there is no picture (decode error)
  std::optional<Rect> revealed;    // the region drawn from the reveal texture
  // A video item: the picture is its storyboard sheet, laid out so.
  std::shared_ptr<const StoryboardLayout> storyboard;
};

class ConsoleUi {
 public:
  ConsoleUi(const ReviewSession& session, InputRouter& router, const GlTextures& textures)
      : session_(session), router_(router), textures_(textures) {}

  // Lays out and draws one frame (between ImGui::NewFrame and ImGui::Render); returns
  // where the item's image was drawn (empty when it was not).
  ImageRect Draw(float width, float height, const ItemPicture& picture);
  // Where the last frame drew a video's timeline bar (empty when it drew none).
  const ImageRect& timeline_rect() const { return timeline_rect_; }

 private:
  void StatusLine();
  void QueueList();
  ImageRect ItemView(const ItemPicture& picture);
  // A video: each frame's time and whether it matched, over the picture at `image`; then
  // the timeline (the video's length, the matched ranges, the frames shown) below it.
  void StoryboardMarks(const StoryboardLayout& layout, const ImageRect& image);
  void Timeline(const StoryboardLayout& layout, float width);
  void Evidence();
  void DecisionBar();
  void Overlay();
  void Press(int key);

  const ReviewSession& session_;
  InputRouter& router_;
  const GlTextures& textures_;
  int last_cursor_ = -1;
  ImageRect timeline_rect_;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_UI_CONSOLE_UI_H_
