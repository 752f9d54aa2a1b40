// A NATS connection with its JetStream context, and the fleet's two streams (issue 14,
// item 4; docs/fleet.md):
//   VIGIL_SUBMISSIONS  subject vigil.submissions, work-queue retention: one head per
//                      submission, removed when a worker acks it (after recording).
//   VIGIL_CHUNKS       subjects vigil.chunks.<id>, limits retention: the bytes of items too
//                      big for one message; deleted by the worker that recorded the item,
//                      and by max age (7 days) if a submit never finished.
// Both are file-stored, with 3 replicas when the cluster has three servers (else 1) and a
// duplicate window in which a re-published id is stored once.
#ifndef VIGIL_HOST_FLEET_JETSTREAM_H_
#define VIGIL_HOST_FLEET_JETSTREAM_H_

#include <nats/nats.h>

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"

namespace vigil::fleet {

struct FleetNames {
  std::string work_stream = "VIGIL_SUBMISSIONS";
  std::string work_subject = "vigil.submissions";
  std::string chunk_stream = "VIGIL_CHUNKS";
  std::string chunk_subject_prefix = "vigil.chunks";  // + "." + id
  uint32_t chunk_size = 512 * 1024;                   // under the 1 MB default max_payload
  int replicas = 0;                                   // 0: 3 if the cluster allows, else 1
  int64_t duplicate_window_ms = 10 * 60 * 1000;
  int64_t chunk_max_age_ms = 7ll * 24 * 3600 * 1000;
};

// The text of a libnats failure: the status, the JetStream error code, the last error.
std::string NatsError(natsStatus status, jsErrCode js_error = static_cast<jsErrCode>(0));

// One connection (reconnecting forever across the listed servers) and its JetStream
// context. Thread-safe as libnats is; destroyed in order.
class JetStreamConnection {
 public:
  // `urls`: one or more nats:// URLs separated by commas. `name` is shown by the server.
  static StatusOr<std::unique_ptr<JetStreamConnection>> Connect(const std::string& urls,
                                                                const std::string& name);
  ~JetStreamConnection();
  JetStreamConnection(const JetStreamConnection&) = delete;
  JetStreamConnection& operator=(const JetStreamConnection&) = delete;

  natsConnection* nc() const { return nc_; }
  jsCtx* js() const { return js_; }

  // Creates the two streams if missing (an existing stream is used as it is).
  Status EnsureStreams(const FleetNames& names);

 private:
  JetStreamConnection() = default;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

}  // namespace vigil::fleet

#endif  // VIGIL_HOST_FLEET_JETSTREAM_H_
