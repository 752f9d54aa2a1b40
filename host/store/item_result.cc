#include "store/item_result.h"

namespace vigil::host {

StatusOr<std::optional<ItemResult>> ReadItemResult(Database& db, int64_t item_id) {
  ItemResult r;
  {
    Statement item(db,
                   "SELECT i.sha256, i.size, i.media_kind, i.status, i.error, i.outcome, "
                   "i.outcome_rule, i.outcome_reason, q.queue_name, q.state "
                   "FROM items i LEFT JOIN queue q ON q.item_id = i.id WHERE i.id = ?1");
    item.Bind(1, item_id);
    const int rc = item.Step();
    if (rc == kDone) return std::optional<ItemResult>();
    if (rc != kRow) return item.Error("reading item " + std::to_string(item_id));
    r.item_id = item_id;
    r.sha256 = item.ColumnText(0);
    r.size = item.ColumnInt(1);
    r.media_kind = item.ColumnText(2);
    r.status = item.ColumnText(3);
    r.error = item.ColumnText(4);
    r.outcome = item.ColumnText(5);
    r.rule = item.ColumnText(6);
    r.reason = item.ColumnText(7);
    r.queue = item.ColumnText(8);
    r.queue_state = item.ColumnText(9);
  }
  {
    Statement decision(db,
                       "SELECT decision, decided_at FROM decisions WHERE item_id = ?1 "
                       "ORDER BY id DESC LIMIT 1");
    decision.Bind(1, item_id);
    const int rc = decision.Step();
    if (rc == kRow) {
      r.decision = decision.ColumnText(0);
      r.decided_at = decision.ColumnText(1);
    } else if (rc != kDone) {
      return decision.Error("reading the decision on item " + std::to_string(item_id));
    }
  }
  Statement detections(db,
                       "SELECT detector, label, score, severity, signal_type, bank, entry_id, "
                       "category, distance FROM detections WHERE item_id = ?1 ORDER BY id");
  detections.Bind(1, item_id);
  int rc;
  while ((rc = detections.Step()) == kRow) {
    ResultDetection d;
    d.detector = detections.ColumnText(0);
    d.label = detections.ColumnText(1);
    d.score = detections.ColumnDouble(2);
    d.severity = static_cast<int>(detections.ColumnInt(3));
    d.signal_type = detections.ColumnText(4);
    d.bank = detections.ColumnText(5);
    d.entry_id = detections.ColumnText(6);
    d.category = detections.ColumnText(7);
    if (detections.ColumnType(8) != "null") d.distance = detections.ColumnInt(8);
    r.detections.push_back(std::move(d));
  }
  if (rc != kDone) return detections.Error("reading the detections of item " + std::to_string(item_id));
  return std::optional<ItemResult>(std::move(r));
}

}  // namespace vigil::host
