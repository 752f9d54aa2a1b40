#include "fleet/jetstream_sink.h"

#include <chrono>
#include <thread>
#include <vector>

#include "fleet/fleet_wire.h"

namespace vigil::fleet {

StatusOr<std::unique_ptr<JetStreamSink>> JetStreamSink::Open(const std::string& urls,
                                                             FleetNames names) {
  if (names.chunk_size < kMinChunkSize || names.chunk_size > kMaxChunkSize) {
    return Status::InvalidArgument("chunk size out of range");
  }
  auto connection = JetStreamConnection::Connect(urls, "vigil-serve");
  if (!connection.ok()) return connection.status();
  int64_t max_payload = natsConnection_GetMaxPayload(connection.value()->nc());
  // A chunk plus its headers must fit in one message.
  if (max_payload > 0 && names.chunk_size + 4096 > max_payload) {
    return Status::InvalidArgument("the NATS server's max_payload (" + std::to_string(max_payload) +
                                   " bytes) is below the " + std::to_string(names.chunk_size) +
                                   "-byte chunks");
  }
  Status status = connection.value()->EnsureStreams(names);
  if (!status.ok()) return status;
  return std::unique_ptr<JetStreamSink>(
      new JetStreamSink(std::move(connection).value(), std::move(names)));
}

Status JetStreamSink::Publish(const std::string& subject, const std::string& stream,
                              std::string_view data, const std::string& msg_id,
                              uint64_t* sequence) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(publish_deadline_ms_);
  int64_t pause_ms = 100;
  while (true) {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = msg_id.c_str();
    options.ExpectStream = stream.c_str();
    options.MaxWait = 5000;
    jsPubAck* ack = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&ack, connection_->js(), subject.c_str(), data.data(),
                              static_cast<int>(data.size()), &options, &js_error);
    if (s == NATS_OK) {
      *sequence = ack->Sequence;
      jsPubAck_Destroy(ack);
      return Status::Ok();
    }
    // Timeouts, no responders (no leader yet) and a connection in reconnect are transient:
    // the same message id makes the retry safe. Anything else (a JetStream refusal) is not.
    bool transient = s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS ||
                     s == NATS_CONNECTION_DISCONNECTED || s == NATS_CONNECTION_CLOSED ||
                     (s == NATS_ERR && js_error == 0);
    if (!transient || std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable("JetStream did not store " + msg_id + " on " + subject + ": " +
                                 NatsError(s, js_error));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    pause_ms = std::min<int64_t>(pause_ms * 2, 1000);
  }
}

Status JetStreamSink::Submit(const service::Submission& submission) {
  if (!IsValidSubmissionId(submission.id)) {
    return Status::InvalidArgument("submission id '" + submission.id +
                                   "' is not 1-128 characters of [A-Za-z0-9_-]");
  }
  if (submission.bytes.size() > kMaxItemBytes) {
    return Status::InvalidArgument("item of " + std::to_string(submission.bytes.size()) +
                                   " bytes exceeds the fleet's limit of " +
                                   std::to_string(kMaxItemBytes));
  }
  std::vector<uint64_t> chunk_seqs;
  if (submission.bytes.size() > names_.chunk_size) {
    // The chunks first, each acknowledged; the head that names them last, so a worker never
    // sees a head whose bytes are not all stored.
    std::string subject = names_.chunk_subject_prefix + "." + submission.id;
    std::vector<std::string_view> chunks = SplitChunks(submission.bytes, names_.chunk_size);
    chunk_seqs.reserve(chunks.size());
    for (size_t i = 0; i < chunks.size(); ++i) {
      uint64_t seq = 0;
      Status status = Publish(subject, names_.chunk_stream, chunks[i],
                              submission.id + "-c" + std::to_string(i), &seq);
      if (!status.ok()) return status;
      chunk_seqs.push_back(seq);
    }
  }
  std::string head = EncodeHead(submission, names_.chunk_size, chunk_seqs);
  uint64_t seq = 0;
  return Publish(names_.work_subject, names_.work_stream, head, submission.id, &seq);
}

}  // namespace vigil::fleet
