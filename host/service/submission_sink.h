// What `vigil serve` hands on when a platform submits an item (issue 14), and where it
// goes: in one box, a durable spool beside the store that the server's own scan loop
// works through; in a fleet, a NATS JetStream work queue that `vigil worker`s consume.
//
// The contract every sink keeps: when Submit returns Ok the submission is durable (on
// disk and synced, or acknowledged by JetStream) and will be recorded exactly once under
// its id; the server answers 2xx only after that. A failed Submit answers 503.
#ifndef VIGIL_HOST_SERVICE_SUBMISSION_SINK_H_
#define VIGIL_HOST_SERVICE_SUBMISSION_SINK_H_

#include <cstdint>
#include <map>
#include <string>

#include "core/status.h"

namespace vigil::service {

struct Submission {
  std::string id;            // the server's id for it ("sub-" + 32 hex), the idempotency key
  std::string name;          // the platform's file name, if given (never a path we open)
  std::string content_type;  // declared by the platform ("image/jpeg"), may be empty
  std::string url;           // a URL record (no bytes), or where the bytes came from
  std::string uploader_id;
  std::string source;        // intake channel, "api" unless the platform says
  int64_t received_unix_ms = 0;
  std::map<std::string, std::string> attributes;
  std::string bytes;  // the item's bytes (empty for a bare URL record)
};

class SubmissionSink {
 public:
  virtual ~SubmissionSink() = default;
  // Durable on Ok (see above). Called from the server's request threads.
  virtual Status Submit(const Submission& submission) = 0;
};

}  // namespace vigil::service

#endif  // VIGIL_HOST_SERVICE_SUBMISSION_SINK_H_
