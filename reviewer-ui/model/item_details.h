// ItemDetails: the evidence shown beside an item: detections (with bank matches),
// signals, the URL it came from, the decisions already made on it and near-duplicates
// (host/store/near_duplicates.h: other items within the PDQ threshold in any of the 8
// orientations, or with the same exact digest, nearest first).
#ifndef VIGIL_REVIEWER_UI_MODEL_ITEM_DETAILS_H_
#define VIGIL_REVIEWER_UI_MODEL_ITEM_DETAILS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"
#include "store/time_ranges.h"

namespace vigil::review {

struct DetectionRow {
  std::string detector;
  std::string label;
  double score = 0;
  int severity = 0;
  std::string bank;
  std::string entry_id;
  std::string category;
  int distance = -1;  // -1: not a list match
  std::string reason;
  // Where in a video item it is, and where in the listed video (store/time_ranges.h);
  // empty for images. The storyboard shows the item's.
  std::vector<host::TimeSpan> item_ranges;
  std::vector<host::TimeSpan> match_ranges;
};

struct SignalRow {
  std::string type;
  std::string value;
};

struct DuplicateRow {
  int64_t item_id = 0;
  std::string match;        // "pdq", "md5", "sha1" or "sha256"
  int distance = 0;         // PDQ bits apart; 0 for a digest match
  std::string orientation;  // pdq: which orientation of this item matched
  std::string decision;     // the latest decision on it, "" when none
};

struct DecisionRow {
  std::string decided_at;  // ISO-8601 UTC
  std::string reviewer;
  std::string decision;
  std::string reason;  // "" when none was needed
};

struct ItemDetails {
  std::vector<DetectionRow> detections;
  std::vector<SignalRow> signals;
  std::vector<DecisionRow> decisions;    // oldest first (an escalation, then its outcome)
  std::vector<DuplicateRow> duplicates;  // at most 20, nearest first
  std::string duplicates_note;           // why rotations were not compared ("" when they were)
  // "detector X returned N detections; kept M", one per detector the caps cut short.
  std::vector<std::string> truncations;
  std::string url;
  std::string format;
  int width = 0;
  int height = 0;

  // Every detection's item ranges, sorted by start and merged where they overlap.
  std::vector<host::TimeSpan> MatchedRanges() const;
};

StatusOr<ItemDetails> LoadItemDetails(host::Store& store, int64_t item_id);

}  // namespace vigil::review

#endif  // VIGIL_REVIEWER_UI_MODEL_ITEM_DETAILS_H_
