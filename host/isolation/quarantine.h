// QuarantineBook: counts worker failures per plugin and quarantines a plugin that
// fails `failures` times within `window`. Keyed by the plugin's SHA-256, so a fixed
// build starts clean. Persisted as JSON (when a file is given) so `vigil plugins list`
// and the reviewer console, separate processes, see the state; a quarantine lifts by
// itself once the window passes without new failures.
#ifndef VIGIL_HOST_ISOLATION_QUARANTINE_H_
#define VIGIL_HOST_ISOLATION_QUARANTINE_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vigil::isolation {

struct QuarantineRule {
  int failures = 3;
  std::chrono::seconds window{600};
};

struct PluginHealth {
  std::string name;
  std::vector<int64_t> failures;  // unix seconds, inside the window
  std::string last_reason;
  bool quarantined = false;
};

class QuarantineBook {
 public:
  // `file` empty: kept in memory only.
  QuarantineBook(std::filesystem::path file, QuarantineRule rule);

  // [thread-safe] Records one failure now; returns true when the plugin is (now)
  // quarantined.
  bool RecordFailure(const std::string& sha256, const std::string& name, const std::string& reason);
  // [thread-safe]
  bool IsQuarantined(const std::string& sha256) const;
  PluginHealth Health(const std::string& sha256) const;
  const QuarantineRule& rule() const { return rule_; }

 private:
  void Trim(PluginHealth& health, int64_t now) const;
  void LoadLocked();
  void SaveLocked() const;

  std::filesystem::path file_;
  QuarantineRule rule_;
  mutable std::mutex mutex_;
  std::map<std::string, PluginHealth> plugins_;
};

}  // namespace vigil::isolation

#endif  // VIGIL_HOST_ISOLATION_QUARANTINE_H_
