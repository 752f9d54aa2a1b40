#include "loader/host_services.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "loader/http_service.h"

namespace vigil::host {
namespace {

std::atomic<bool> g_cancel{false};
std::atomic<int32_t> g_log_level{-1};  // -1: not read from the environment yet
thread_local std::chrono::steady_clock::time_point t_deadline{};

int32_t LogLevel() {
  int32_t level = g_log_level.load(std::memory_order_relaxed);
  if (level < 0) {
    const char* env = std::getenv("VIGIL_LOG_LEVEL");
    level = env ? std::atoi(env) : VIGIL_LOG_WARNING;
    g_log_level.store(level, std::memory_order_relaxed);
  }
  return level;
}

void Log(const vigil_host_t*, int32_t level, const char* message) {
  if (level < LogLevel() || message == nullptr) return;
  static std::mutex mutex;
  static const char* const kNames[] = {"debug", "info", "warning", "error"};
  const char* name = level >= 0 && level <= 3 ? kNames[level] : "log";
  std::lock_guard<std::mutex> lock(mutex);
  std::fprintf(stderr, "vigil: plugin %s: %s\n", name, message);
}

int32_t IsCancelled(const vigil_host_t*) {
  if (g_cancel.load(std::memory_order_relaxed)) return 1;
  if (t_deadline != std::chrono::steady_clock::time_point{} &&
      std::chrono::steady_clock::now() > t_deadline) {
    return 1;
  }
  return 0;
}

const void* GetExtension(const vigil_host_t*, const char* id) {
  if (id != nullptr && std::strcmp(id, VIGIL_EXT_HTTP) == 0) return HttpExtension();
  return nullptr;
}

}  // namespace

void RequestCancel() { g_cancel.store(true); }
bool CancelRequested() { return g_cancel.load(); }
void SetThreadDeadline(std::chrono::steady_clock::time_point deadline) { t_deadline = deadline; }
std::chrono::steady_clock::time_point ThreadDeadline() { return t_deadline; }
void SetPluginLogLevel(int32_t level) { g_log_level.store(level); }

const vigil_host_t* HostServices() {
  static const vigil_host_t host = {
      sizeof(vigil_host_t), 0, {VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, VIGIL_ABI_PATCH},
      "vigil", "0.1.0", nullptr, &Log, &IsCancelled, &GetExtension};
  return &host;
}

}  // namespace vigil::host
