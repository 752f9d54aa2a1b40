// The policy's [review] table (issue 13 item 5): which categories need a second
// review, the share of decided items sampled for QA, the share of claims that
// are golden items, and the seniors' queue that takes disagreements. See
// policy/default.toml.
#ifndef VIGIL_HOST_POLICY_REVIEW_POLICY_H_
#define VIGIL_HOST_POLICY_REVIEW_POLICY_H_

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "core/status.h"
#include "store/named_queues.h"
#include "store/review_rounds.h"

namespace vigil::host {

// Reads [review] from the policy's root (the defaults of ReviewSettings when
// absent). When second review is asked for, the seniors' queue must be one of
// `queues` and worked by neither reviewers nor everyone: a disagreement is
// settled by a senior.
StatusOr<ReviewSettings> ParseReviewSettings(const toml::table &root,
                                             const std::vector<QueueSpec> &queues,
                                             const std::string &source);

}  // namespace vigil::host

#endif  // VIGIL_HOST_POLICY_REVIEW_POLICY_H_
