#include "isolation/quarantine.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "isolation/unique_fd.h"

namespace vigil::isolation {
namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

QuarantineBook::QuarantineBook(std::filesystem::path file, QuarantineRule rule)
    : file_(std::move(file)), rule_(rule) {
  std::lock_guard<std::mutex> lock(mutex_);
  LoadLocked();
}

void QuarantineBook::Trim(PluginHealth& health, int64_t now) const {
  const int64_t oldest = now - rule_.window.count();
  std::vector<int64_t> kept;
  for (int64_t t : health.failures) {
    if (t >= oldest) kept.push_back(t);
  }
  health.failures = std::move(kept);
  health.quarantined = static_cast<int>(health.failures.size()) >= rule_.failures;
}

void QuarantineBook::LoadLocked() {
  if (file_.empty()) return;
  std::ifstream in(file_);
  if (!in) return;
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) return;  // a damaged file starts clean
  for (auto& [key, value] : json.items()) {
    if (!value.is_object()) continue;
    PluginHealth health;
    health.name = value.value("name", "");
    health.last_reason = value.value("last_reason", "");
    if (value.contains("failures") && value["failures"].is_array()) {
      for (const auto& t : value["failures"]) {
        if (t.is_number_integer()) health.failures.push_back(t.get<int64_t>());
      }
    }
    plugins_[key] = health;
  }
}

void QuarantineBook::SaveLocked() const {
  if (file_.empty()) return;
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, health] : plugins_) {
    json[key] = {
        {"name", health.name}, {"failures", health.failures}, {"last_reason", health.last_reason}};
  }
  std::error_code ec;
  std::filesystem::create_directories(file_.parent_path(), ec);
  const std::filesystem::path temp = file_.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << json.dump(2) << "\n";
    if (!out) return;
  }
  std::filesystem::rename(temp, file_, ec);
}

bool QuarantineBook::RecordFailure(const std::string& sha256, const std::string& name,
                                   const std::string& reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Other processes (a second scan) may have written since: re-read under a file lock.
  UniqueFd lock_fd;
  if (!file_.empty()) {
    lock_fd.reset(::open((file_.string() + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (lock_fd.valid()) ::flock(lock_fd.get(), LOCK_EX);
    // Every failure is saved as it happens, so the file holds ours too.
    plugins_.clear();
    LoadLocked();
  }
  const int64_t now = NowSeconds();
  PluginHealth& health = plugins_[sha256];
  health.name = name;
  health.last_reason = reason;
  health.failures.push_back(now);
  Trim(health, now);
  SaveLocked();
  return health.quarantined;
}

bool QuarantineBook::IsQuarantined(const std::string& sha256) const {
  return Health(sha256).quarantined;
}

PluginHealth QuarantineBook::Health(const std::string& sha256) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = plugins_.find(sha256);
  if (it == plugins_.end()) return {};
  PluginHealth health = it->second;
  Trim(health, NowSeconds());
  return health;
}

}  // namespace vigil::isolation
