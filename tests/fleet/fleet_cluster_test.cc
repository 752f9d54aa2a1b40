// Issue 14 "Done when": a 3-node NATS cluster, the stream leader killed (kill -9) in the
// middle of a stream of submissions: nothing lost or doubled. Real nodes (the
// `nats_cluster` fixture, scripts/nats.sh start --cluster); the leader is found through
// the servers' monitoring (/jsz, as $JS.API.STREAM.INFO reports it) and killed by pid.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fleet/fleet_consumer.h"
#include "fleet/jetstream.h"
#include "fleet/jetstream_sink.h"
#include "nats_test_server.h"

namespace vigil::fleet {
namespace {

using testing::NatsTest;
using testing::UniqueNames;

// Runs scripts/nats.sh with the test's state file; its first output line.
std::string NatsScript(const std::string& state, const std::string& args) {
  std::string line = "VIGIL_NATS_STATE='" + state +
                     "' bash '" VIGIL_SOURCE_DIR "/scripts/nats.sh' " + args + " 2>&1";
  std::string out;
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[512];
  if (fgets(buffer, sizeof buffer, pipe) != nullptr) out = buffer;
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

int64_t StreamReplicas(JetStreamConnection& connection, const std::string& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  if (js_GetStreamInfo(&info, connection.js(), stream.c_str(), nullptr, &error) != NATS_OK) {
    return 0;
  }
  int64_t replicas = info->Config->Replicas;
  jsStreamInfo_Destroy(info);
  return replicas;
}

TEST_F(NatsTest, StreamLeaderKilledMidStreamNothingLostOrDoubled) {
  ASSERT_EQ(state_["VIGIL_NATS_NODES"], "n1 n2 n3") << "needs the 3-node nats_cluster fixture";
  FleetNames names = UniqueNames("cluster");
  auto sink = JetStreamSink::Open(url_, names);
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  auto probe = JetStreamConnection::Connect(url_, "probe");
  ASSERT_TRUE(probe.ok());
  ASSERT_EQ(StreamReplicas(*probe.value(), names.work_stream), 3) << "auto replicas on 3 nodes";

  ConsumerOptions options;
  options.names = names;
  options.fetch_wait_ms = 300;
  options.ack_wait_ms = 3000;
  options.batch = 8;
  auto consumer = FleetConsumer::Open(url_, options);
  ASSERT_TRUE(consumer.ok()) << consumer.status().message();

  std::mutex mutex;
  // id -> the stream messages that carried it. Doubled means two messages for one id; a
  // redelivery of the same message (delivery 2 after the failover lost delivery 1 in
  // flight) is the at-least-once contract working, not a double.
  std::map<std::string, std::set<uint64_t>> stream_messages;
  std::set<std::string> recorded_ids;
  std::atomic<bool> stop{false};
  std::thread worker([&] {
    BatchHandler handler = [&](const std::vector<FleetItem>& items, const RecordedFn& recorded) {
      for (size_t i = 0; i < items.size(); ++i) {
        {
          std::lock_guard<std::mutex> lock(mutex);
          stream_messages[items[i].submission.id].insert(items[i].stream_seq);
          recorded_ids.insert(items[i].submission.id);
        }
        recorded(i);
      }
      return Status::Ok();
    };
    FailHandler fail = [](const FailedItem& f) {
      ADD_FAILURE() << "failed " << f.id << ": " << f.reason;
      return Status::Ok();
    };
    consumer.value()->Run(handler, fail, stop);
  });

  constexpr int kItems = 300;
  std::string killed;
  std::set<std::string> accepted;
  for (int i = 0; i < kItems; ++i) {
    if (i == kItems / 3) {
      std::string leader = NatsScript(state_path_, "leader " + names.work_stream);
      ASSERT_TRUE(leader == "n1" || leader == "n2" || leader == "n3") << leader;
      pid_t pid = static_cast<pid_t>(std::stol(NatsScript(state_path_, "pid " + leader)));
      ASSERT_GT(pid, 1);
      ASSERT_EQ(kill(pid, SIGKILL), 0);
      killed = leader;
    }
    std::string id = "sub-c" + std::to_string(i);
    // Bigger than a chunk every tenth item: chunks survive the failover too.
    std::string bytes = i % 10 == 0 ? std::string(600 * 1024, static_cast<char>('a' + i % 26))
                                    : "item " + std::to_string(i);
    Status status = sink.value()->Submit(
        service::Submission{id, "", "", "", "", "api", 0, {}, std::move(bytes)});
    ASSERT_TRUE(status.ok()) << id << ": " << status.message();
    accepted.insert(id);
  }
  for (int waited = 0; waited < 600; ++waited) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (recorded_ids.size() >= accepted.size()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // A little longer: a doubled head would arrive now.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  worker.join();
  std::string revived = NatsScript(state_path_, "revive " + killed);

  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(recorded_ids, accepted) << "lost submissions";
  for (const auto& [id, sequences] : stream_messages) {
    EXPECT_EQ(sequences.size(), 1u)
        << id << " stored twice (" << sequences.size() << " stream messages)";
  }
  EXPECT_EQ(stream_messages.size(), accepted.size());
  EXPECT_NE(revived.find("revived"), std::string::npos) << revived;
}

}  // namespace
}  // namespace vigil::fleet
