// The consuming half of the fleet (issue 14, item 4): a durable pull consumer on the
// work-queue stream, shared by every `vigil worker` (same durable name, so workers join and
// leave at any time and the stream hands each head to one of them).
//
// Delivery rules (docs/fleet.md "Delivery guarantees"):
//   - explicit acks; a head is acked only after the handler says its item is in the store
//     (`recorded`), so a worker killed mid-item leaves it unacked and JetStream redelivers
//     it after the ack wait (the store records a submission once, so redelivery is safe);
//   - while the handler runs, every unfinished head gets an in-progress ack each third of
//     the ack wait, so a long item is not redelivered under a live worker;
//   - an item the handler did not record is nak'ed with the backoff delay of its delivery;
//   - the server's MaxDeliver is unlimited: the worker itself enforces max_deliver, so the
//     delivery after the last allowed one records the submission failed (with the reason)
//     and acks it. A server-side limit would leave the message in the stream unseen, with
//     only a best-effort advisory: a dropped item.
//   - a head that cannot be decoded (or whose chunks are missing or corrupt) can never be
//     processed: it is recorded failed at once, never dropped or retried.
#ifndef VIGIL_HOST_FLEET_FLEET_CONSUMER_H_
#define VIGIL_HOST_FLEET_FLEET_CONSUMER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fleet/jetstream.h"
#include "service/submission_sink.h"

namespace vigil::fleet {

struct ConsumerOptions {
  FleetNames names;
  std::string durable = "vigil-workers";
  int64_t ack_wait_ms = 30000;
  int max_deliver = 5;  // attempts before the submission is recorded failed
  int batch = 4;        // heads fetched per round
  int64_t fetch_wait_ms = 1000;
  // Redelivery delays after an attempt that did not record: backoff[attempt - 1], the last
  // one repeating. Empty: ack_wait, doubling, at most 10 minutes.
  std::vector<int64_t> backoff_ms;
};

// One fetched, decoded submission with its delivery.
struct FleetItem {
  service::Submission submission;
  uint64_t stream_seq = 0;
  uint64_t delivery = 0;  // 1 for the first delivery
};

// A submission that will never be processed: `id` is the submission's id (from the head,
// or the Nats-Msg-Id header when the head does not decode; "nats-seq-<n>" when neither
// names a valid id); `submission` is null when the head did not decode.
struct FailedItem {
  std::string id;
  std::string reason;
  const service::Submission* submission = nullptr;
  uint64_t stream_seq = 0;
  uint64_t delivery = 0;
};

// Called once per round with the decoded items; calls recorded(i) once items[i] is in the
// store (from any thread). Items not reported recorded when it returns are retried; its
// Status (when not Ok) is kept as the reason an item was not recorded.
using RecordedFn = std::function<void(size_t index)>;
using BatchHandler =
    std::function<Status(const std::vector<FleetItem>& items, const RecordedFn& recorded)>;
// Records a failure in the store. Not Ok: the head is nak'ed and the failure retried.
using FailHandler = std::function<Status(const FailedItem& failed)>;

class FleetConsumer {
 public:
  // Connects, ensures the streams and the durable consumer (created, or updated to these
  // settings), and binds a pull subscription to it.
  static StatusOr<std::unique_ptr<FleetConsumer>> Open(const std::string& urls,
                                                       const ConsumerOptions& options);
  ~FleetConsumer();

  // One round: fetches up to options.batch heads (waiting up to fetch_wait_ms) and works
  // them through. Returns how many heads it handled (0 when none came). Not thread-safe:
  // one FleetConsumer per thread.
  StatusOr<int> RunOnce(const BatchHandler& handler, const FailHandler& fail);

  // Rounds until `stop` is set; the round in flight finishes (its items are recorded and
  // acked or nak'ed) before it returns. NATS errors (a node away, a leader election) are
  // passed to on_error, if given, and the round is tried again.
  Status Run(const BatchHandler& handler, const FailHandler& fail, const std::atomic<bool>& stop,
             const std::function<void(const Status&)>& on_error = nullptr);

  // The delay before redelivery after attempt `delivery` (1-based) did not record.
  int64_t BackoffMs(uint64_t delivery) const;

 private:
  FleetConsumer(std::unique_ptr<JetStreamConnection> connection, ConsumerOptions options)
      : connection_(std::move(connection)), options_(std::move(options)) {}
  Status FetchChunks(const std::vector<uint64_t>& seqs, std::vector<std::string>* chunks,
                     bool* permanent);
  void DeleteChunks(const std::vector<uint64_t>& seqs);

  std::unique_ptr<JetStreamConnection> connection_;
  ConsumerOptions options_;
  natsSubscription* subscription_ = nullptr;
  // Why an item was last not recorded by this worker (id -> reason), for the failure text.
  std::map<std::string, std::string> last_error_;
};

}  // namespace vigil::fleet

#endif  // VIGIL_HOST_FLEET_FLEET_CONSUMER_H_
