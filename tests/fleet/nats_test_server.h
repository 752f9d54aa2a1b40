// The throw-away NATS JetStream of the fleet tests (scripts/nats.sh; the ctest fixtures
// `nats` (one node) and `nats_cluster` (three) start it and write its state file). Each
// test uses streams of its own (FleetNames with a unique prefix), so tests share a server.
// No server: the test FAILS with what to do, it never skips.
#ifndef VIGIL_TESTS_FLEET_NATS_TEST_SERVER_H_
#define VIGIL_TESTS_FLEET_NATS_TEST_SERVER_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "fleet/jetstream.h"

namespace vigil::fleet::testing {

inline std::string NatsStatePath(const char* variable, const char* fallback) {
  const char* env = std::getenv(variable);
  return env != nullptr && *env != '\0' ? env : fallback;
}

// KEY=value lines of a state file (quotes removed); empty when there is none.
inline std::map<std::string, std::string> ReadNatsState(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    out[line.substr(0, eq)] = value;
  }
  return out;
}

// Stream and subject names no other test (or process) uses.
inline FleetNames UniqueNames(const std::string& tag) {
  static std::atomic<int> counter{0};
  std::string suffix = tag + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  FleetNames names;
  names.work_stream = "T_WORK_" + suffix;
  names.work_subject = "t." + suffix + ".work";
  names.chunk_stream = "T_CHUNKS_" + suffix;
  names.chunk_subject_prefix = "t." + suffix + ".chunks";
  return names;
}

class NatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_path_ = NatsStatePath("VIGIL_NATS_STATE", VIGIL_BINARY_DIR "/nats.env");
    state_ = ReadNatsState(state_path_);
    ASSERT_FALSE(state_["VIGIL_NATS_URL"].empty())
        << "no NATS test server: the state file " << state_path_
        << " is missing or empty. Run the test through ctest (the `nats` fixture starts one) "
           "or start one: VIGIL_NATS_STATE="
        << state_path_ << " bash scripts/nats.sh start";
    url_ = state_["VIGIL_NATS_URL"];
  }
  std::string state_path_;
  std::map<std::string, std::string> state_;
  std::string url_;
};

}  // namespace vigil::fleet::testing

#endif  // VIGIL_TESTS_FLEET_NATS_TEST_SERVER_H_
