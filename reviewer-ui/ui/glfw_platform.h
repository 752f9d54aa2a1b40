// GlfwPlatform: the real Platform: a GLFW 3.3 window with an OpenGL 3.3 core context.
// Input arrives through GLFW callbacks and is queued as InputEvents.
#ifndef VIGIL_REVIEWER_UI_UI_GLFW_PLATFORM_H_
#define VIGIL_REVIEWER_UI_UI_GLFW_PLATFORM_H_

#include <vector>

#include "model/platform.h"

struct GLFWwindow;

namespace vigil::review {

class GlfwPlatform : public Platform {
 public:
  explicit GlfwPlatform(bool vsync) : vsync_(vsync) {}
  ~GlfwPlatform() override;

  Status Open(int width, int height, const std::string& title) override;
  void PollEvents(std::vector<InputEvent>* out) override;
  void FramebufferSize(int* width, int* height) const override;
  float ContentScale() const override;
  void Present() override;
  void WaitEvents(double timeout_seconds) override;
  bool Visible() const override;

  // Drops input (a replay is in charge) but still reports the window closing.
  void set_ignore_input(bool ignore) { ignore_input_ = ignore; }

 private:
  static GlfwPlatform* From(GLFWwindow* window);
  GLFWwindow* window_ = nullptr;
  bool vsync_;
  bool ignore_input_ = false;
  bool pinned_ = false;
  std::vector<InputEvent> queued_;
};

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_UI_GLFW_PLATFORM_H_
