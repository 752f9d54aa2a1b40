// ConsoleUi: draws the console from ReviewSession's state with Dear ImGui. No
// moderation logic: buttons send the same keys the keyboard does, through InputRouter.
//
// [SECTION] index: status line, queue list (left), item (centre), evidence (right),
// decision bar (bottom), overlays (reason, check-in, break, no work).
#ifndef VIGIL_REVIEWER_UI_UI_CONSOLE_UI_H_
#define VIGIL_REVIEWER_UI_UI_CONSOLE_UI_H_

#include <optional>
#include <string>

#include "model/console_driver.h"
#include "model/input_router.h"
#include "model/review_session.h"
#include "ui/gl_textures.h"

namespace vigil::review {

struct ItemPicture {
  bool ready = false;              // the obscured texture holds this item
  std::string problem;             // why there is no picture (decode error)
  std::optional<Rect> revealed;    // the region drawn from the reveal texture
};

class ConsoleUi {
 public:
  ConsoleUi(const ReviewSession& session, InputRouter& router, const GlTextures& textures)
      : session_(session), router_(router), textures_(textures) {}

  // Lays out and draws one frame (between ImGui::NewFrame and ImGui::Render); returns
  // where the item's image was drawn (empty when it was not).
  ImageRect Draw(float width, float height, const ItemPicture& picture);

 private:
  void StatusLine();
  void QueueList();
  ImageRect ItemView(const ItemPicture& picture);
  void Evidence();
  void DecisionBar();
  void Overlay();
  void Press(int key);

  const ReviewSession& session_;
  InputRouter& router_;
  const GlTextures& textures_;
  int last_cursor_ = -1;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_UI_CONSOLE_UI_H_
