// Named queues: the policy routes each queued item to one named queue, and each queue
// says which roles may work it (issue 13). The store keeps the definitions beside the
// items, so the console and `vigil queues` list them without the policy file, and a team
// store can enforce "who may work which queue" in the database.
#ifndef VIGIL_HOST_STORE_NAMED_QUEUES_H_
#define VIGIL_HOST_STORE_NAMED_QUEUES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/db/database.h"

namespace vigil::host {

// The queue an item goes to when no route names one.
inline constexpr char kDefaultQueue[] = "default";

struct QueueSpec {
  std::string name;                // [a-z0-9][a-z0-9._-]*, at most 64 bytes
  std::string description;         // one line for a person
  std::vector<std::string> roles;  // who may work it: "reviewer", "senior", "admin"
};

struct QueueSummary {
  QueueSpec spec;
  int64_t pending = 0;
  int64_t claimed = 0;
  int64_t decided = 0;
  bool defined = true;  // false: items are routed to it but no policy defines it (any more)
};

// True for a well-formed queue name (see QueueSpec::name).
bool IsValidQueueName(const std::string& name);

// Records the policy's queue definitions (added or updated; a queue a newer policy no
// longer defines keeps its row: its items still need a person).
Status RecordQueueSpecs(Database& db, const std::vector<QueueSpec>& specs);

// Every queue that is defined or holds items, by name, with its counts.
StatusOr<std::vector<QueueSummary>> ListQueues(Database& db);

// "reviewer, senior" (the roles as stored and shown).
std::string JoinRoles(const std::vector<std::string>& roles);

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_NAMED_QUEUES_H_
