// Decided items for the CyberTipline report tests: benign bytes written to a file, recorded
// in the store with an uploader, queued, optionally revealed, decided.
#ifndef VIGIL_TESTS_REPORT_CYBERTIP_TEST_UTIL_H_
#define VIGIL_TESTS_REPORT_CYBERTIP_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "scan/sha256.h"
#include "store/review_queue.h"
#include "store/store.h"

namespace vigil::report::testing {

// Records an item whose bytes are `bytes` (written to dir/name), queued for review, then
// claimed by `reviewer`, revealed when `revealed`, and decided `decision`. Returns its id.
inline int64_t AddDecidedItem(host::Store& store, const std::filesystem::path& dir,
                              const std::string& name, const std::string& bytes,
                              const std::string& uploader, const std::string& decision,
                              bool revealed, const std::string& reviewer = "alice") {
  const std::filesystem::path path = dir / name;
  {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  }
  host::ItemRecord record;
  record.sha256 = host::Sha256Hex(bytes);
  record.path = path.string();
  record.size = bytes.size();
  record.media_kind = "image";
  record.uploader_id = uploader;
  record.source = uploader.empty() ? "" : "upload-api";
  record.url = "https://platform.example/u/" + name;
  record.outcome.disposition = host::Disposition::kReview;
  record.outcome.priority = 10;
  record.outcome.severity = 3;
  record.outcome.obscure_level = 5;
  record.outcome.rule = "known hash";
  auto id = store.RecordItem(record);
  EXPECT_TRUE(id.ok()) << id.status().message();
  if (!id.ok()) return 0;
  host::ReviewQueue queue(store);
  host::ClaimOptions only;
  only.only_item = id.value();
  auto claimed = queue.Claim(reviewer, only);
  EXPECT_TRUE(claimed.ok() && claimed.value().has_value());
  if (revealed) {
    EXPECT_TRUE(queue.RecordReveal(reviewer, id.value(), 0, 0, 1, 1, 1500).ok());
  }
  const std::string reason = decision == "not-illegal" ? "benign" : "";
  const Status decided = queue.Decide(id.value(), reviewer, decision, reason);
  EXPECT_TRUE(decided.ok()) << decided.message();
  return id.value();
}

}  // namespace vigil::report::testing

#endif  // VIGIL_TESTS_REPORT_CYBERTIP_TEST_UTIL_H_
