#include "fleet/fleet_consumer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <thread>
#include <utility>

#include "fleet/fleet_wire.h"

namespace vigil::fleet {
namespace {

constexpr int64_t kNanosPerMs = 1000000;

struct MsgListGuard {
  natsMsgList list{};
  ~MsgListGuard() { natsMsgList_Destroy(&list); }
};

// One head of the round and what became of it.
struct Head {
  natsMsg* msg = nullptr;
  uint64_t seq = 0;
  uint64_t delivery = 0;
  std::string id;                    // empty until known
  std::vector<uint64_t> chunk_seqs;  // to delete once acked
  bool acked = false;                // recorded: never nak'ed
  bool ack_confirmed = false;        // the server confirmed the ack: its chunks may go
};

void ReadMetadata(natsMsg* msg, Head& head) {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
    head.seq = meta->Sequence.Stream;
    head.delivery = meta->NumDelivered;
    jsMsgMetaData_Destroy(meta);
  }
}

// The id a failure is recorded under when the head itself does not decode.
std::string FallbackId(natsMsg* msg, uint64_t seq) {
  const char* value = nullptr;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &value) == NATS_OK && value != nullptr &&
      IsValidSubmissionId(value)) {
    return value;
  }
  return "nats-seq-" + std::to_string(seq);
}

}  // namespace

StatusOr<std::unique_ptr<FleetConsumer>> FleetConsumer::Open(const std::string& urls,
                                                             const ConsumerOptions& options) {
  if (options.max_deliver < 1) return Status::InvalidArgument("--max-deliver must be >= 1");
  if (options.ack_wait_ms < 1000) return Status::InvalidArgument("--ack-wait must be >= 1 s");
  if (options.batch < 1) return Status::InvalidArgument("the fetch batch must be >= 1");
  auto connection = JetStreamConnection::Connect(urls, "vigil-worker " + options.durable);
  if (!connection.ok()) return connection.status();
  Status status = connection.value()->EnsureStreams(options.names);
  if (!status.ok()) return status;
  std::unique_ptr<FleetConsumer> consumer(
      new FleetConsumer(std::move(connection).value(), options));
  jsCtx* js = consumer->connection_->js();
  const std::string& stream = options.names.work_stream;

  jsConsumerConfig config;
  jsConsumerConfig_Init(&config);
  config.Durable = options.durable.c_str();
  config.AckPolicy = js_AckExplicit;
  config.AckWait = options.ack_wait_ms * kNanosPerMs;
  config.MaxDeliver = -1;  // the worker enforces max_deliver (header comment)
  config.FilterSubject = options.names.work_subject.c_str();
  config.DeliverPolicy = js_DeliverAll;
  jsConsumerInfo* info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s =
      js_GetConsumerInfo(&info, js, stream.c_str(), options.durable.c_str(), nullptr, &js_error);
  if (s == NATS_OK) {
    jsConsumerInfo_Destroy(info);
    info = nullptr;
    // Joining an existing durable: the latest worker's settings apply to all.
    s = js_UpdateConsumer(&info, js, stream.c_str(), &config, nullptr, &js_error);
  } else if (s == NATS_NOT_FOUND) {
    js_error = static_cast<jsErrCode>(0);
    s = js_AddConsumer(&info, js, stream.c_str(), &config, nullptr, &js_error);
    if (s != NATS_OK) {  // another worker created it first
      js_error = static_cast<jsErrCode>(0);
      s = js_UpdateConsumer(&info, js, stream.c_str(), &config, nullptr, &js_error);
    }
  }
  if (s != NATS_OK) {
    return Status::Unavailable("cannot set up the durable consumer '" + options.durable + "' on " +
                               stream + ": " + NatsError(s, js_error));
  }
  jsConsumerInfo_Destroy(info);

  jsSubOptions sub_options;
  jsSubOptions_Init(&sub_options);
  sub_options.Stream = stream.c_str();
  sub_options.Consumer = options.durable.c_str();
  sub_options.ManualAck = true;
  js_error = static_cast<jsErrCode>(0);
  s = js_PullSubscribe(&consumer->subscription_, js, options.names.work_subject.c_str(),
                       options.durable.c_str(), nullptr, &sub_options, &js_error);
  if (s != NATS_OK) {
    return Status::Unavailable("cannot bind to the durable consumer '" + options.durable +
                               "': " + NatsError(s, js_error));
  }
  return consumer;
}

FleetConsumer::~FleetConsumer() {
  // Leaves the durable in place: other workers (and this one's successor) keep using it.
  if (subscription_ != nullptr) natsSubscription_Destroy(subscription_);
}

int64_t FleetConsumer::BackoffMs(uint64_t delivery) const {
  if (!options_.backoff_ms.empty()) {
    size_t index =
        std::min<size_t>(delivery == 0 ? 0 : delivery - 1, options_.backoff_ms.size() - 1);
    return options_.backoff_ms[index];
  }
  int64_t delay = options_.ack_wait_ms;
  for (uint64_t i = 1; i < delivery && delay < 600000; ++i) delay *= 2;
  return std::min<int64_t>(delay, 600000);
}

Status FleetConsumer::FetchChunks(const std::vector<uint64_t>& seqs,
                                  std::vector<std::string>* chunks, bool* permanent) {
  *permanent = false;
  chunks->clear();
  chunks->reserve(seqs.size());
  for (size_t i = 0; i < seqs.size(); ++i) {
    natsMsg* msg = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    natsStatus s = js_GetMsg(&msg, connection_->js(), options_.names.chunk_stream.c_str(), seqs[i],
                             nullptr, &js_error);
    if (s == NATS_NOT_FOUND || js_error == JSNoMessageFoundErr) {
      *permanent = true;
      return Status::NotFound("chunk " + std::to_string(i) + " (sequence " +
                              std::to_string(seqs[i]) + ") is gone from " +
                              options_.names.chunk_stream);
    }
    if (s != NATS_OK) {
      return Status::Unavailable("cannot fetch chunk " + std::to_string(i) + ": " +
                                 NatsError(s, js_error));
    }
    chunks->emplace_back(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    natsMsg_Destroy(msg);
  }
  return Status::Ok();
}

void FleetConsumer::DeleteChunks(const std::vector<uint64_t>& seqs) {
  // Best effort: what is left behind ages out of the chunk stream (max age).
  for (uint64_t seq : seqs) {
    jsErrCode js_error = static_cast<jsErrCode>(0);
    js_DeleteMsg(connection_->js(), options_.names.chunk_stream.c_str(), seq, nullptr, &js_error);
  }
}

StatusOr<int> FleetConsumer::RunOnce(const BatchHandler& handler, const FailHandler& fail) {
  MsgListGuard fetched;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = natsSubscription_Fetch(&fetched.list, subscription_, options_.batch,
                                        options_.fetch_wait_ms, &js_error);
  if (s == NATS_TIMEOUT) return 0;
  if (s != NATS_OK) return Status::Unavailable("fetch: " + NatsError(s, js_error));

  std::vector<Head> heads(static_cast<size_t>(fetched.list.Count));
  std::vector<FleetItem> items;
  std::vector<size_t> item_head;  // items[i] came from heads[item_head[i]]

  // Records a submission that will never be processed; acks it once the store has it.
  auto record_failure = [&](Head& head, const std::string& id, const std::string& reason,
                            const service::Submission* submission) {
    FailedItem failed{id, reason, submission, head.seq, head.delivery};
    Status status = fail(failed);
    if (status.ok()) {
      jsErrCode ack_error = static_cast<jsErrCode>(0);
      if (natsMsg_AckSync(head.msg, nullptr, &ack_error) == NATS_OK) {
        DeleteChunks(head.chunk_seqs);
      }
      last_error_.erase(id);
    } else {
      natsMsg_NakWithDelay(head.msg, BackoffMs(head.delivery), nullptr);
    }
  };

  for (int i = 0; i < fetched.list.Count; ++i) {
    Head& head = heads[static_cast<size_t>(i)];
    head.msg = fetched.list.Msgs[i];
    ReadMetadata(head.msg, head);
    std::string_view data(natsMsg_GetData(head.msg),
                          static_cast<size_t>(natsMsg_GetDataLength(head.msg)));
    StatusOr<DecodedHead> decoded = DecodeHead(data);
    if (!decoded.ok()) {
      record_failure(head, FallbackId(head.msg, head.seq),
                     "malformed message: " + decoded.status().message(), nullptr);
      continue;
    }
    head.id = decoded->submission.id;
    head.chunk_seqs = decoded->chunk_seqs;
    if (head.delivery > static_cast<uint64_t>(options_.max_deliver)) {
      std::string reason =
          "not recorded after " + std::to_string(options_.max_deliver) + " deliveries";
      auto last = last_error_.find(head.id);
      reason += last != last_error_.end()
                    ? " (last error: " + last->second + ")"
                    : " (the workers that had it stopped or timed out without recording it)";
      record_failure(head, head.id, reason, &decoded->submission);
      continue;
    }
    if (!decoded->chunk_seqs.empty()) {
      std::vector<std::string> chunks;
      bool permanent = false;
      Status status = FetchChunks(decoded->chunk_seqs, &chunks, &permanent);
      if (status.ok())
        status = AssembleChunks(*decoded, chunks);
      else if (!permanent) {
        last_error_[head.id] = status.message();
        natsMsg_NakWithDelay(head.msg, BackoffMs(head.delivery), nullptr);
        continue;
      }
      if (!status.ok()) {
        record_failure(head, head.id, "malformed message: " + status.message(),
                       &decoded->submission);
        continue;
      }
    }
    items.push_back(FleetItem{std::move(decoded->submission), head.seq, head.delivery});
    item_head.push_back(static_cast<size_t>(i));
  }

  if (!items.empty()) {
    std::mutex mutex;  // guards the heads' acks (libnats messages are not thread-safe)
    std::condition_variable wake;
    bool finished = false;
    // In-progress acks while the handler runs: a long item is not redelivered under us.
    std::thread heartbeat([&] {
      auto period = std::chrono::milliseconds(std::max<int64_t>(options_.ack_wait_ms / 3, 200));
      std::unique_lock<std::mutex> lock(mutex);
      while (!wake.wait_for(lock, period, [&] { return finished; })) {
        for (size_t index : item_head) {
          if (!heads[index].acked) natsMsg_InProgress(heads[index].msg, nullptr);
        }
      }
    });
    RecordedFn recorded = [&](size_t i) {
      if (i >= item_head.size()) return;
      std::lock_guard<std::mutex> lock(mutex);
      Head& head = heads[item_head[i]];
      if (head.acked) return;
      jsErrCode ack_error = static_cast<jsErrCode>(0);
      // A lost ack only means a redelivery, which the store records as nothing new.
      head.ack_confirmed = natsMsg_AckSync(head.msg, nullptr, &ack_error) == NATS_OK;
      if (!head.ack_confirmed) natsMsg_Ack(head.msg, nullptr);
      head.acked = true;
    };
    Status status = handler(items, recorded);
    {
      std::lock_guard<std::mutex> lock(mutex);
      finished = true;
    }
    wake.notify_all();
    heartbeat.join();
    for (size_t i = 0; i < items.size(); ++i) {
      Head& head = heads[item_head[i]];
      if (head.acked) {
        last_error_.erase(head.id);
        if (head.ack_confirmed) DeleteChunks(head.chunk_seqs);
      } else {
        last_error_[head.id] =
            status.ok() ? "the worker's pipeline did not record it" : status.message();
        natsMsg_NakWithDelay(head.msg, BackoffMs(head.delivery), nullptr);
      }
    }
  }
  return fetched.list.Count;
}

Status FleetConsumer::Run(const BatchHandler& handler, const FailHandler& fail,
                          const std::atomic<bool>& stop,
                          const std::function<void(const Status&)>& on_error) {
  while (!stop.load()) {
    StatusOr<int> round = RunOnce(handler, fail);
    if (!round.ok()) {
      if (on_error) on_error(round.status());
      // A node going away or a leader election: libnats reconnects; try again shortly.
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
  return Status::Ok();
}

}  // namespace vigil::fleet
