// The fleet's SubmissionSink (issue 14, item 4): `vigil serve --nats URL` hands each
// accepted submission here; Submit returns Ok only once JetStream has acknowledged the
// head (and every chunk before it), i.e. the submission is stored on the stream's
// replicas. Each message carries a Nats-Msg-Id (the submission id for the head,
// "<id>-c<n>" for chunks), so a retried Submit within the duplicate window stores nothing
// twice. Thread-safe: Submit is called from the server's request threads.
#ifndef VIGIL_HOST_FLEET_JETSTREAM_SINK_H_
#define VIGIL_HOST_FLEET_JETSTREAM_SINK_H_

#include <memory>
#include <string>

#include "fleet/jetstream.h"
#include "service/submission_sink.h"

namespace vigil::fleet {

class JetStreamSink : public service::SubmissionSink {
 public:
  // Connects to `urls` (comma-separated nats:// URLs) and ensures the streams.
  static StatusOr<std::unique_ptr<JetStreamSink>> Open(const std::string& urls,
                                                       FleetNames names = {});
  // How long one Submit keeps retrying a publish that timed out (a leader election).
  void set_publish_deadline_ms(int64_t ms) { publish_deadline_ms_ = ms; }

  Status Submit(const service::Submission& submission) override;

 private:
  JetStreamSink(std::unique_ptr<JetStreamConnection> connection, FleetNames names)
      : connection_(std::move(connection)), names_(std::move(names)) {}
  // Publishes one message with its id, retrying transient failures until the deadline.
  // On Ok, *sequence is its stream sequence (the original one for a duplicate).
  Status Publish(const std::string& subject, const std::string& stream, std::string_view data,
                 const std::string& msg_id, uint64_t* sequence);

  std::unique_ptr<JetStreamConnection> connection_;
  FleetNames names_;
  int64_t publish_deadline_ms_ = 30000;
};

}  // namespace vigil::fleet

#endif  // VIGIL_HOST_FLEET_JETSTREAM_SINK_H_
