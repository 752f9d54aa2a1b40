#include "ui/glfw_platform.h"

#include <GLFW/glfw3.h>
#include <dlfcn.h>
#include <link.h>

#include <cstdlib>
#include <limits>

namespace vigil::review {
namespace {

std::string Utf8(unsigned int cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x110000) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return out;
}

int Mods(int glfw_mods) {
  int mods = 0;
  if (glfw_mods & GLFW_MOD_SHIFT) mods |= 0x1;
  if (glfw_mods & GLFW_MOD_CONTROL) mods |= 0x2;
  if (glfw_mods & GLFW_MOD_ALT) mods |= 0x4;
  return mods;
}

// Keeps every shared object loaded so far resident until exit. GLFW unloads the X
// extension libraries and the GL driver at glfwTerminate(); a leak checker that runs
// at exit then cannot name their frames (and so cannot be told to ignore them). Pinning
// costs nothing: the process is about to exit when they would be unloaded.
void PinLoadedLibraries() {
  dl_iterate_phdr(
      [](struct dl_phdr_info* info, size_t, void*) {
        if (info->dlpi_name && info->dlpi_name[0] == '/') {
          // RTLD_NOLOAD: only marks what is already loaded; the handle is never closed.
          dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
        }
        return 0;
      },
      nullptr);
}

}  // namespace

GlfwPlatform* GlfwPlatform::From(GLFWwindow* window) {
  return static_cast<GlfwPlatform*>(glfwGetWindowUserPointer(window));
}

GlfwPlatform::~GlfwPlatform() {
  if (window_) glfwDestroyWindow(window_);
  glfwTerminate();
}

Status GlfwPlatform::Open(int width, int height, const std::string& title) {
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((!display || !*display) && (!wayland || !*wayland)) {
    return Status::IoError(
        "no display (DISPLAY is not set): run vigil-review under a graphical session, or use "
        "`vigil queue show --store FILE` for the text view of the queue");
  }
  glfwSetErrorCallback(nullptr);
  if (!glfwInit()) {
    return Status::IoError(
        "cannot open the display: run vigil-review under a graphical session, or use "
        "`vigil queue show --store FILE` for the text view of the queue");
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) {
    return Status::IoError(
        "cannot create an OpenGL 3.3 window: check the graphics driver (Mesa works), or use "
        "`vigil queue show --store FILE` for the text view of the queue");
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(vsync_ ? 1 : 0);
  glfwSetWindowUserPointer(window_, this);
  glfwSetKeyCallback(window_, [](GLFWwindow* w, int key, int, int action, int mods) {
    if (action == GLFW_REPEAT && key != GLFW_KEY_BACKSPACE) return;  // holding is not repeating
    InputEvent e;
    e.type = InputEvent::Type::kKey;
    e.key = key;
    e.down = action != GLFW_RELEASE;
    e.mods = Mods(mods);
    From(w)->queued_.push_back(e);
  });
  glfwSetCharCallback(window_, [](GLFWwindow* w, unsigned int cp) {
    InputEvent e;
    e.type = InputEvent::Type::kText;
    e.text = Utf8(cp);
    From(w)->queued_.push_back(e);
  });
  glfwSetCursorPosCallback(window_, [](GLFWwindow* w, double x, double y) {
    // Window coordinates to framebuffer pixels (they differ on scaled displays).
    int ww = 1, wh = 1, fw = 1, fh = 1;
    glfwGetWindowSize(w, &ww, &wh);
    glfwGetFramebufferSize(w, &fw, &fh);
    InputEvent e;
    e.type = InputEvent::Type::kPointer;
    e.x = static_cast<float>(x * fw / (ww > 0 ? ww : 1));
    e.y = static_cast<float>(y * fh / (wh > 0 ? wh : 1));
    From(w)->queued_.push_back(e);
  });
  glfwSetMouseButtonCallback(window_, [](GLFWwindow* w, int button, int action, int) {
    if (button != GLFW_MOUSE_BUTTON_LEFT) return;
    InputEvent e;
    e.type = InputEvent::Type::kButton;
    e.down = action == GLFW_PRESS;
    From(w)->queued_.push_back(e);
  });
  glfwSetWindowCloseCallback(window_, [](GLFWwindow* w) {
    InputEvent e;
    e.type = InputEvent::Type::kClose;
    From(w)->queued_.push_back(e);
  });
  return Status::Ok();
}

void GlfwPlatform::PollEvents(std::vector<InputEvent>* out) {
  glfwPollEvents();
  for (InputEvent& e : queued_) {
    if (ignore_input_ && e.type != InputEvent::Type::kClose) continue;
    out->push_back(std::move(e));
  }
  queued_.clear();
}

void GlfwPlatform::WaitEvents(double timeout_seconds) {
  if (!queued_.empty()) return;  // input already waiting
  if (timeout_seconds == std::numeric_limits<double>::infinity()) {
    glfwWaitEvents();
  } else if (timeout_seconds > 0) {
    glfwWaitEventsTimeout(timeout_seconds);
  }
}

bool GlfwPlatform::Visible() const {
  return glfwGetWindowAttrib(window_, GLFW_VISIBLE) &&
         !glfwGetWindowAttrib(window_, GLFW_ICONIFIED);
}

void GlfwPlatform::FramebufferSize(int* width, int* height) const {
  glfwGetFramebufferSize(window_, width, height);
}

float GlfwPlatform::ContentScale() const {
  float x = 1, y = 1;
  glfwGetWindowContentScale(window_, &x, &y);
  return x > 0 ? x : 1.0f;
}

void GlfwPlatform::Present() {
  glfwSwapBuffers(window_);
  // After the first frame the driver has loaded everything it will load.
  if (!pinned_) {
    PinLoadedLibraries();
    pinned_ = true;
  }
}

}  // namespace vigil::review
