// A platform's submission (service::Submission) as an item to scan: the one place where
// `vigil serve`'s scan loop and the fleet's `vigil worker` turn a submission into an
// IntakeItem and a file the pipeline reads, and into the store's record of it.
#ifndef VIGIL_HOST_CLI_SUBMISSION_ITEMS_H_
#define VIGIL_HOST_CLI_SUBMISSION_ITEMS_H_

#include <filesystem>
#include <string>

#include "core/status.h"
#include "intake/intake.h"
#include "service/submission_sink.h"
#include "store/submissions.h"

namespace vigil::cli {

// The platform's file name reduced to a harmless file name component (it is never a path
// we open; it only makes the stored item's path readable).
std::string SafeFileName(const std::string& name);

// The item to scan for `submission` (its metadata and submission id). When it carries
// bytes (or is not a URL record) they are written to a new file in `dir` (0600, never an
// existing file) named after the id, and the item reads them from there; `*file` is that
// file, for the caller to remove once the item is recorded ("" when none was written).
StatusOr<host::IntakeItem> IntakeItemOf(const service::Submission& submission,
                                        const std::filesystem::path& dir,
                                        std::filesystem::path* file);

// The store's record of a submission (store/submissions.h); `submission` may be null when
// only its id is known (a message that did not decode).
host::SubmissionRecord SubmissionRecordOf(const std::string& id,
                                          const service::Submission* submission);

}  // namespace vigil::cli

#endif  // VIGIL_HOST_CLI_SUBMISSION_ITEMS_H_
