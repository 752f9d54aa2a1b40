#include "model/item_details.h"

#include <algorithm>

#include "store/db/database.h"
#include "store/near_duplicates.h"
#include "store/review_rounds.h"

namespace vigil::review {

std::vector<host::TimeSpan> ItemDetails::MatchedRanges() const {
  std::vector<host::TimeSpan> all;
  for (const DetectionRow& d : detections) {
    all.insert(all.end(), d.item_ranges.begin(), d.item_ranges.end());
  }
  std::sort(all.begin(), all.end(), [](const host::TimeSpan& a, const host::TimeSpan& b) {
    return a.start_seconds < b.start_seconds;
  });
  std::vector<host::TimeSpan> merged;
  for (const host::TimeSpan& span : all) {
    if (!merged.empty() && span.start_seconds <= merged.back().end_seconds) {
      merged.back().end_seconds = std::max(merged.back().end_seconds, span.end_seconds);
    } else {
      merged.push_back(span);
    }
  }
  return merged;
}

StatusOr<ItemDetails> LoadItemDetails(host::Store& store, int64_t item_id) {
  ItemDetails details;
  {
    host::Statement row(store.db(),
                        "SELECT coalesce(url, ''), coalesce(format, ''), coalesce(width, 0), "
                        "coalesce(height, 0) FROM items WHERE id = ?1");
    if (!row.ok()) return row.Error("reading an item");
    row.Bind(1, item_id);
    const int rc = row.Step();
    if (rc == host::kDone) return Status::NotFound("item " + std::to_string(item_id) + " is not in the store");
    if (rc != host::kRow) return row.Error("reading an item");
    details.url = row.ColumnText(0);
    details.format = row.ColumnText(1);
    details.width = static_cast<int>(row.ColumnInt(2));
    details.height = static_cast<int>(row.ColumnInt(3));
  }
  {
    host::Statement rows(store.db(),
                         "SELECT detector, label, CAST(round(score * 1000) AS INTEGER), severity, "
                         "coalesce(bank, ''), coalesce(entry_id, ''), coalesce(category, ''), "
                         "coalesce(distance, -1), coalesce(reason, ''), item_ranges, "
                         "match_ranges FROM detections "
                         "WHERE item_id = ?1 ORDER BY severity DESC, id");
    if (!rows.ok()) return rows.Error("reading detections");
    rows.Bind(1, item_id);
    int rc;
    while ((rc = rows.Step()) == host::kRow) {
      DetectionRow d;
      d.detector = rows.ColumnText(0);
      d.label = rows.ColumnText(1);
      d.score = static_cast<double>(rows.ColumnInt(2)) / 1000.0;
      d.severity = static_cast<int>(rows.ColumnInt(3));
      d.bank = rows.ColumnText(4);
      d.entry_id = rows.ColumnText(5);
      d.category = rows.ColumnText(6);
      d.distance = static_cast<int>(rows.ColumnInt(7));
      d.reason = rows.ColumnText(8);
      d.item_ranges = host::ParseTimeRanges(rows.ColumnText(9));
      d.match_ranges = host::ParseTimeRanges(rows.ColumnText(10));
      details.detections.push_back(std::move(d));
    }
    if (rc != host::kDone) return rows.Error("reading detections");
  }
  {
    host::Statement rows(store.db(),
                         "SELECT detector, detections_returned, detections_kept FROM "
                         "detector_runs WHERE item_id = ?1 AND detections_returned > "
                         "detections_kept ORDER BY detector");
    if (!rows.ok()) return rows.Error("reading detector runs");
    rows.Bind(1, item_id);
    int rc;
    while ((rc = rows.Step()) == host::kRow) {
      details.truncations.push_back("detector " + rows.ColumnText(0) + " returned " +
                                    std::to_string(rows.ColumnInt(1)) + " detections; kept " +
                                    std::to_string(rows.ColumnInt(2)));
    }
    if (rc != host::kDone) return rows.Error("reading detector runs");
  }
  {
    host::Statement rows(store.db(),
                         "SELECT type, value FROM signals WHERE item_id = ?1 ORDER BY type, value");
    if (!rows.ok()) return rows.Error("reading signals");
    rows.Bind(1, item_id);
    int rc;
    while ((rc = rows.Step()) == host::kRow) {
      details.signals.push_back({rows.ColumnText(0), rows.ColumnText(1)});
    }
    if (rc != host::kDone) return rows.Error("reading signals");
  }
  {
    // None while the item is in a blind second round or golden (store/review_rounds.h).
    host::Statement rows(store.db(),
                         "SELECT decided_at, reviewer, decision, coalesce(reason, '') FROM "
                         "decisions WHERE item_id = ?1 AND " +
                             host::DecisionVisibleSql("decisions") + " ORDER BY id");
    if (!rows.ok()) return rows.Error("reading decisions");
    rows.Bind(1, item_id);
    int rc;
    while ((rc = rows.Step()) == vigil::host::kRow) {
      details.decisions.push_back(
          {rows.ColumnText(0), rows.ColumnText(1), rows.ColumnText(2), rows.ColumnText(3)});
    }
    if (rc != vigil::host::kDone) return rows.Error("reading decisions");
  }
  {
    auto near = host::FindNearDuplicates(store, item_id);
    if (!near.ok()) return near.status();
    for (host::NearDuplicate& dup : near.value().items) {
      details.duplicates.push_back(
          {dup.item_id, dup.match, dup.distance, dup.orientation, dup.decision});
    }
    details.duplicates_note = near.value().note;
  }
  return details;
}

}  // namespace vigil::review
