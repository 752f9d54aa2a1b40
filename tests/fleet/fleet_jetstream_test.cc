// The JetStreamSink and FleetConsumer against a real nats-server -js (the `nats` fixture):
// round trip, duplicate ids stored once, a 50 MB item in chunks, malformed messages and
// exhausted deliveries recorded failed (never dropped), in-progress acks under a long item.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fleet/fleet_consumer.h"
#include "fleet/jetstream.h"
#include "fleet/jetstream_sink.h"
#include "nats_test_server.h"
#include "scan/sha256.h"

namespace vigil::fleet {
namespace {

using testing::NatsTest;
using testing::UniqueNames;

service::Submission MakeSubmission(const std::string& id, std::string bytes) {
  service::Submission s;
  s.id = id;
  s.name = id + ".jpg";
  s.content_type = "image/jpeg";
  s.uploader_id = "uploader-1";
  s.source = "api";
  s.received_unix_ms = 1765000000000;
  s.attributes = {{"k", "v"}};
  s.bytes = std::move(bytes);
  return s;
}

// Messages in a stream (0 when it is empty or missing).
uint64_t StreamMessages(JetStreamConnection& connection, const std::string& stream) {
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  if (js_GetStreamInfo(&info, connection.js(), stream.c_str(), nullptr, &error) != NATS_OK) {
    return 0;
  }
  uint64_t msgs = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  return msgs;
}

// Collects what a consumer was handed and failed.
struct Collector {
  std::mutex mutex;
  std::vector<FleetItem> items;
  std::vector<FailedItem> failed;
  std::vector<std::string> failed_ids;
  bool record = true;
  Status handler_status = Status::Ok();

  BatchHandler Handler() {
    return [this](const std::vector<FleetItem>& batch, const RecordedFn& recorded) {
      for (size_t i = 0; i < batch.size(); ++i) {
        {
          std::lock_guard<std::mutex> lock(mutex);
          items.push_back(batch[i]);
        }
        if (record) recorded(i);
      }
      return handler_status;
    };
  }
  FailHandler Fail() {
    return [this](const FailedItem& f) {
      std::lock_guard<std::mutex> lock(mutex);
      failed.push_back(f);
      failed_ids.push_back(f.id);
      return Status::Ok();
    };
  }
};

// Runs rounds until `done` or 200 rounds (each waits at most fetch_wait_ms).
void Drain(FleetConsumer& consumer, Collector& collector, const std::function<bool()>& done) {
  for (int round = 0; round < 200 && !done(); ++round) {
    StatusOr<int> n = consumer.RunOnce(collector.Handler(), collector.Fail());
    ASSERT_TRUE(n.ok()) << n.status().message();
  }
}

ConsumerOptions Options(const FleetNames& names) {
  ConsumerOptions options;
  options.names = names;
  options.fetch_wait_ms = 200;
  options.ack_wait_ms = 2000;
  return options;
}

TEST_F(NatsTest, SubmissionsTravelToAWorkerAndLeaveTheQueueWhenRecorded) {
  FleetNames names = UniqueNames("roundtrip");
  auto sink = JetStreamSink::Open(url_, names);
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  for (int i = 0; i < 5; ++i) {
    Status status = sink.value()->Submit(
        MakeSubmission("sub-rt" + std::to_string(i), "bytes of item " + std::to_string(i)));
    ASSERT_TRUE(status.ok()) << status.message();
  }
  auto consumer = FleetConsumer::Open(url_, Options(names));
  ASSERT_TRUE(consumer.ok()) << consumer.status().message();
  Collector collector;
  Drain(*consumer.value(), collector, [&] { return collector.items.size() >= 5; });
  ASSERT_EQ(collector.items.size(), 5u);
  std::set<std::string> ids;
  for (const FleetItem& item : collector.items) {
    ids.insert(item.submission.id);
    EXPECT_EQ(item.delivery, 1u);
    EXPECT_EQ(item.submission.name, item.submission.id + ".jpg");
    EXPECT_EQ(item.submission.uploader_id, "uploader-1");
    EXPECT_EQ(item.submission.attributes.at("k"), "v");
    EXPECT_EQ(item.submission.bytes, "bytes of item " + item.submission.id.substr(6));
  }
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_TRUE(collector.failed.empty());
  auto probe = JetStreamConnection::Connect(url_, "probe");
  ASSERT_TRUE(probe.ok());
  // Work-queue retention: acked heads are gone.
  EXPECT_EQ(StreamMessages(*probe.value(), names.work_stream), 0u);
  StatusOr<int> more = consumer.value()->RunOnce(collector.Handler(), collector.Fail());
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more.value(), 0);
}

// The server calls Submit from its request threads: one sink, four threads at once.
TEST_F(NatsTest, OneSinkTakesSubmissionsFromManyThreads) {
  FleetNames names = UniqueNames("threads");
  auto sink = JetStreamSink::Open(url_, names);
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string id = "sub-t" + std::to_string(t) + "-" + std::to_string(i);
        // Every fifth is chunked: chunk and head publishes interleave across threads.
        std::string bytes = i % 5 == 0 ? std::string(700 * 1024, static_cast<char>('a' + t)) : id;
        if (!sink.value()->Submit(MakeSubmission(id, bytes)).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto consumer = FleetConsumer::Open(url_, Options(names));
  ASSERT_TRUE(consumer.ok()) << consumer.status().message();
  Collector collector;
  Drain(*consumer.value(), collector, [&] { return collector.items.size() >= 100; });
  std::set<std::string> ids;
  for (const FleetItem& item : collector.items) {
    ids.insert(item.submission.id);
    const std::string& id = item.submission.id;
    int i = std::stoi(id.substr(id.rfind('-') + 1));
    if (i % 5 == 0) {
      EXPECT_EQ(item.submission.bytes,
                std::string(700 * 1024, static_cast<char>('a' + (id[5] - '0'))));
    } else {
      EXPECT_EQ(item.submission.bytes, id);
    }
  }
  EXPECT_EQ(collector.items.size(), 100u);
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_TRUE(collector.failed.empty());
}

TEST_F(NatsTest, ARetriedSubmitWithTheSameIdIsStoredOnce) {
  FleetNames names = UniqueNames("dup");
  auto sink = JetStreamSink::Open(url_, names);
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  std::string big(1500 * 1024, 'x');  // chunked too: the chunks are not doubled either
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSERT_TRUE(sink.value()->Submit(MakeSubmission("sub-dup", "same")).ok());
    ASSERT_TRUE(sink.value()->Submit(MakeSubmission("sub-dupbig", big)).ok());
  }
  auto probe = JetStreamConnection::Connect(url_, "probe");
  ASSERT_TRUE(probe.ok());
  EXPECT_EQ(StreamMessages(*probe.value(), names.work_stream), 2u);
  EXPECT_EQ(StreamMessages(*probe.value(), names.chunk_stream), 3u);  // 1.5 MB in 512 KiB
  auto consumer = FleetConsumer::Open(url_, Options(names));
  ASSERT_TRUE(consumer.ok()) << consumer.status().message();
  Collector collector;
  Drain(*consumer.value(), collector, [&] { return collector.items.size() >= 2; });
  // A few more rounds: nothing else arrives.
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(consumer.value()->RunOnce(collector.Handler(), collector.Fail()).ok());
  ASSERT_EQ(collector.items.size(), 2u);
  EXPECT_NE(collector.items[0].submission.id, collector.items[1].submission.id);
}

TEST_F(NatsTest, AFiftyMegabyteItemTravelsInChunksAndTheChunksAreDeletedAfter) {
  FleetNames names = UniqueNames("big");
  auto sink = JetStreamSink::Open(url_, names);
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  std::string bytes(50u << 20, '\0');
  std::mt19937_64 random(14);
  for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
    uint64_t word = random();
    std::memcpy(&bytes[i], &word, 8);
  }
  const std::string digest = host::Sha256Hex(bytes);
  ASSERT_TRUE(sink.value()->Submit(MakeSubmission("sub-big50", bytes)).ok());
  auto probe = JetStreamConnection::Connect(url_, "probe");
  ASSERT_TRUE(probe.ok());
  EXPECT_EQ(StreamMessages(*probe.value(), names.chunk_stream), 100u);
  bytes.clear();
  auto consumer = FleetConsumer::Open(url_, Options(names));
  ASSERT_TRUE(consumer.ok()) << consumer.status().message();
  Collector collector;
  Drain(*consumer.value(), collector, [&] { return !collector.items.empty(); });
  ASSERT_EQ(collector.items.size(), 1u);
  EXPECT_EQ(collector.items[0].submission.bytes.size(), 50u << 20);
  EXPECT_EQ(host::Sha256Hex(collector.items[0].submission.bytes), digest);
  EXPECT_EQ(StreamMessages(*probe.value(), names.work_stream), 0u);
  EXPECT_EQ(StreamMessages(*probe.value(), names.chunk_stream), 0u);
}

TEST_F(NatsTest, TheSinkRefusesWhatTheFleetCannotCarry) {
  FleetNames names = UniqueNames("refuse");
  auto sink = JetStreamSink::Open(url_, names);
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  Status bad_id = sink.value()->Submit(MakeSubmission("sub.with.dot", "x"));
  EXPECT_EQ(bad_id.code(), Status::Code::kInvalidArgument);
  Status too_big = sink.value()->Submit(MakeSubmission("sub-huge", std::string(65u << 20, 'h')));
  EXPECT_EQ(too_big.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(too_big.message().find("limit"), std::string::npos);
  auto unreachable = JetStreamSink::Open("nats://127.0.0.1:1", names);
  EXPECT_FALSE(unreachable.ok());
  auto not_a_url = JetStreamSink::Open("http://127.0.0.1:4222", names);
  ASSERT_FALSE(not_a_url.ok());
  EXPECT_NE(not_a_url.status().message().find("not a NATS URL"), std::string::npos);
}

// Publishes raw bytes on the work subject as a broken (or hostile) publisher would.
void PublishRaw(JetStreamConnection& connection, const FleetNames& names, const std::string& data,
                const char* msg_id) {
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MsgId = msg_id;
  jsErrCode error = static_cast<jsErrCode>(0);
  ASSERT_EQ(js_Publish(nullptr, connection.js(), names.work_subject.c_str(), data.data(),
                       static_cast<int>(data.size()), &options, &error),
            NATS_OK);
}

TEST_F(NatsTest, AMalformedMessageIsRecordedFailedWithItsReasonAndLeavesTheQueue) {
  FleetNames names = UniqueNames("malformed");
  auto consumer = FleetConsumer::Open(url_, Options(names));  // makes the streams
  ASSERT_TRUE(consumer.ok()) << consumer.status().message();
  auto publisher = JetStreamConnection::Connect(url_, "broken publisher");
  ASSERT_TRUE(publisher.ok());
  PublishRaw(*publisher.value(), names, "\x08\x01garbage that is not a head", "sub-garbled");
  PublishRaw(*publisher.value(), names, "no id header either", nullptr);
  Collector collector;
  Drain(*consumer.value(), collector, [&] { return collector.failed.size() >= 2; });
  ASSERT_EQ(collector.failed.size(), 2u);
  EXPECT_TRUE(collector.items.empty());
  EXPECT_EQ(collector.failed[0].id, "sub-garbled");
  EXPECT_EQ(collector.failed[0].submission, nullptr);
  EXPECT_NE(collector.failed[0].reason.find("malformed message"), std::string::npos);
  EXPECT_EQ(collector.failed[1].id.rfind("nats-seq-", 0), 0u) << collector.failed[1].id;
  EXPECT_EQ(StreamMessages(*publisher.value(), names.work_stream), 0u);
}

TEST_F(NatsTest, AnItemNeverRecordedIsRetriedWithBackoffThenRecordedFailedNotDropped) {
  FleetNames names = UniqueNames("exhaust");
  auto sink = JetStreamSink::Open(url_, names);
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  ASSERT_TRUE(sink.value()->Submit(MakeSubmission("sub-poison", "poison")).ok());
  ConsumerOptions options = Options(names);
  options.max_deliver = 3;
  options.backoff_ms = {50, 100};
  auto consumer = FleetConsumer::Open(url_, options);
  ASSERT_TRUE(consumer.ok()) << consumer.status().message();
  EXPECT_EQ(consumer.value()->BackoffMs(1), 50);
  EXPECT_EQ(consumer.value()->BackoffMs(2), 100);
  EXPECT_EQ(consumer.value()->BackoffMs(7), 100);
  Collector collector;
  collector.record = false;
  collector.handler_status = Status::PluginError("the detector crashed on it");
  Drain(*consumer.value(), collector, [&] { return !collector.failed.empty(); });
  ASSERT_EQ(collector.failed.size(), 1u);
  ASSERT_EQ(collector.items.size(), 3u);  // max_deliver attempts, no more
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(collector.items[i].delivery, i + 1);
  const FailedItem& failed = collector.failed[0];
  EXPECT_EQ(failed.id, "sub-poison");
  EXPECT_EQ(failed.delivery, 4u);
  EXPECT_NE(failed.reason.find("not recorded after 3 deliveries"), std::string::npos)
      << failed.reason;
  EXPECT_NE(failed.reason.find("the detector crashed on it"), std::string::npos) << failed.reason;
  auto probe = JetStreamConnection::Connect(url_, "probe");
  ASSERT_TRUE(probe.ok());
  EXPECT_EQ(StreamMessages(*probe.value(), names.work_stream), 0u);
}

TEST_F(NatsTest, AFailureTheStoreCannotTakeIsRetriedNotAcked) {
  FleetNames names = UniqueNames("failretry");
  auto consumer = FleetConsumer::Open(url_, Options(names));
  ASSERT_TRUE(consumer.ok()) << consumer.status().message();
  auto publisher = JetStreamConnection::Connect(url_, "broken publisher");
  ASSERT_TRUE(publisher.ok());
  PublishRaw(*publisher.value(), names, "garbage", "sub-storedown");
  int attempts = 0;
  FailHandler store_down = [&](const FailedItem&) {
    ++attempts;
    return attempts < 2 ? Status::Unavailable("store down") : Status::Ok();
  };
  Collector collector;
  for (int round = 0; round < 100 && attempts < 2; ++round) {
    ASSERT_TRUE(consumer.value()->RunOnce(collector.Handler(), store_down).ok());
  }
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(StreamMessages(*publisher.value(), names.work_stream), 0u);
}

// A long item: a second worker on the same durable keeps fetching the whole time and is
// never handed the item, because the first sends in-progress acks (ack wait 1 s, the
// handler holds the item for 3 s).
TEST_F(NatsTest, InProgressAcksKeepALongItemFromBeingRedelivered) {
  FleetNames names = UniqueNames("progress");
  auto sink = JetStreamSink::Open(url_, names);
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  ASSERT_TRUE(sink.value()->Submit(MakeSubmission("sub-long", "long")).ok());
  ConsumerOptions options = Options(names);
  options.ack_wait_ms = 1000;
  auto first = FleetConsumer::Open(url_, options);
  auto second = FleetConsumer::Open(url_, options);
  ASSERT_TRUE(first.ok() && second.ok());
  std::atomic<bool> holding{false};
  std::atomic<bool> stop{false};
  Collector other;
  std::thread watcher;
  int handled = 0;
  BatchHandler slow = [&](const std::vector<FleetItem>& batch, const RecordedFn& recorded) {
    handled += static_cast<int>(batch.size());
    holding = true;
    watcher = std::thread(
        [&] { ASSERT_TRUE(second.value()->Run(other.Handler(), other.Fail(), stop).ok()); });
    std::this_thread::sleep_for(std::chrono::seconds(3));
    recorded(0);
    return Status::Ok();
  };
  Collector unused;
  for (int round = 0; round < 50 && handled == 0; ++round) {
    ASSERT_TRUE(first.value()->RunOnce(slow, unused.Fail()).ok());
  }
  stop = true;
  if (watcher.joinable()) watcher.join();
  EXPECT_EQ(handled, 1);
  EXPECT_TRUE(other.items.empty()) << "redelivered under a live worker";
}

}  // namespace
}  // namespace vigil::fleet
