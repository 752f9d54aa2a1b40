// Queue routing: which named queue a queued item goes to (issue 13).
//
// The policy's [[queues]] tables define the queues and who may work them; its [[routes]]
// are read top to bottom and the first whose every condition holds names the queue (an
// item no route takes goes to "default"). A route's detection conditions (detectors,
// labels, categories, banks) must hold together for one detection of the item.
#ifndef VIGIL_HOST_POLICY_QUEUE_ROUTING_H_
#define VIGIL_HOST_POLICY_QUEUE_ROUTING_H_

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "core/status.h"
#include "store/named_queues.h"
#include "store/store.h"

namespace vigil::host {

struct QueueRoute {
  std::string name;
  std::string queue;
  std::vector<std::string> detectors;   // empty: any
  std::vector<std::string> labels;      // empty: any
  std::vector<std::string> categories;  // empty: any
  std::vector<std::string> banks;       // empty: any
  std::vector<std::string> sources;     // the item's intake source; empty: any
  std::vector<std::string> outcomes;    // "review", "failed", "auto-action"; empty: any
  int min_severity = 0;                 // the item's severity (vigil.v1.Severity)
};

class QueueRouting {
 public:
  // Reads [[queues]] and [[routes]] from the policy's root table.
  static StatusOr<QueueRouting> Parse(const toml::table& root, const std::string& source);

  // The queue for an item the policy queues (or auto-actions) with `outcome`.
  std::string Route(const ItemRecord& record, const Outcome& outcome) const;

  // Every defined queue, "default" included (defined implicitly when the policy does not).
  const std::vector<QueueSpec>& queues() const { return queues_; }
  const std::vector<QueueRoute>& routes() const { return routes_; }

 private:
  std::vector<QueueSpec> queues_;
  std::vector<QueueRoute> routes_;
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_POLICY_QUEUE_ROUTING_H_
