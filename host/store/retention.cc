#include "store/retention.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "scan/scan_json.h"
#include "store/audit_log.h"
#include "store/media_vault.h"

namespace vigil::host {
namespace {

// Parses "YYYY-MM-DDTHH:MM:SSZ" into seconds since the epoch.
bool ParseUtc(const std::string &text, std::time_t &out) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 ||
      z != 'Z' || text.size() != 20) {
    return false;
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  out = timegm(&tm);
  // A date that does not exist (2026-02-30) normalises to another one: refuse
  // it.
  std::tm back{};
  gmtime_r(&out, &back);
  return back.tm_year == tm.tm_year && back.tm_mon == mo - 1 && back.tm_mday == d &&
         back.tm_hour == h && back.tm_min == mi && back.tm_sec == s;
}

std::string FormatUtc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

StatusOr<std::string> DaysBefore(const std::string &now, int days) {
  std::time_t t = 0;
  if (!ParseUtc(now, t)) return Status::InvalidArgument("not an ISO-8601 UTC time: " + now);
  return FormatUtc(t - static_cast<std::time_t>(days) * 86400);
}

StatusOr<RetentionReport> RunRetention(Database &db, int retention_days, bool dry_run,
                                       const std::string &actor, const std::string &now) {
  if (retention_days < 1) return Status::InvalidArgument("the retention period is at least 1 day");
  auto cutoff = DaysBefore(now, retention_days);
  if (!cutoff.ok()) return cutoff.status();
  RetentionReport report;
  report.cutoff = cutoff.value();
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    // Only media of items whose queue entry is decided; reopened items are
    // pending again.
    Statement query(db,
                    "SELECT m.item_id, m.sha256, m.size, coalesce((SELECT "
                    "max(d.decided_at) "
                    "FROM decisions d WHERE d.item_id = m.item_id), ''), q.state, CASE "
                    "WHEN "
                    "EXISTS (SELECT 1 FROM preservation_holds h WHERE h.item_id = "
                    "m.item_id "
                    "AND h.released_at IS NULL AND h.until > ?1) "
                    // Issue 15 item 3: a CyberTipline report's preservation record
                    // (store/cyber_reports.h) keeps the item's media until its date.
                    "OR EXISTS (SELECT 1 FROM cybertip_preservations p WHERE p.item_id = "
                    "m.item_id AND p.until > ?1) THEN 1 ELSE 0 END "
                    "FROM media m LEFT JOIN queue q ON q.item_id = m.item_id ORDER BY "
                    "m.item_id");
    query.Bind(1, now);
    int rc;
    while ((rc = query.Step()) == kRow) {
      RetainedMedia media{query.ColumnInt(0), query.ColumnText(1), query.ColumnInt(2),
                          query.ColumnText(3)};
      const bool expired = query.ColumnText(4) == "decided" && !media.decided_at.empty() &&
                           media.decided_at < report.cutoff;
      if (!expired) {
        ++report.kept;
      } else if (query.ColumnInt(5) != 0) {
        report.held.push_back(media);
      } else {
        report.deleted.push_back(media);
      }
    }
    if (rc != kDone) return query.Error("listing the stored media");
  }
  if (dry_run) return report;  // the transaction rolls back: nothing changed
  {
    // Whoever may not delete media is refused even when nothing has expired (on a team
    // store the database checks the DELETE privilege: admins only).
    Statement probe(db, "DELETE FROM media WHERE item_id IS NULL");
    if (probe.Step() != kDone) return probe.Error("deleting expired media");
  }
  for (const RetainedMedia &media : report.deleted) {
    Statement remove(db, "DELETE FROM media WHERE item_id = ?1");
    remove.Bind(1, media.item_id);
    if (remove.Step() != kDone) {
      return remove.Error("deleting the media of item " + std::to_string(media.item_id));
    }
    nlohmann::json details = {{"sha256", media.sha256},
                              {"size", media.size},
                              {"decided_at", media.decided_at},
                              {"retention_days", retention_days}};
    if (Status s = AppendAudit(db, {actor, "media.deleted", media.item_id, JsonText(details)}, now);
        !s.ok()) {
      return s;
    }
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  return report;
}

Status PlaceHold(Database &db, int64_t item_id, const std::string &until_date,
                 const std::string &reason, const std::string &actor, const std::string &now) {
  std::time_t until_t = 0;
  const std::string until = until_date + "T23:59:59Z";
  if (until_date.size() != 10 || !ParseUtc(until, until_t)) {
    return Status::InvalidArgument("--until must be a date YYYY-MM-DD, not '" + until_date + "'");
  }
  if (until <= now) {
    return Status::InvalidArgument("--until " + until_date + " is in the past");
  }
  if (reason.empty()) return Status::InvalidArgument("a hold needs a --reason");
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  {
    Statement item(db, "SELECT 1 FROM items WHERE id = ?1");
    item.Bind(1, item_id);
    const int rc = item.Step();
    if (rc == kDone) return Status::NotFound("the store has no item " + std::to_string(item_id));
    if (rc != kRow) return item.Error("reading item " + std::to_string(item_id));
  }
  Statement insert(db,
                   "INSERT INTO preservation_holds (item_id, until, "
                   "reason, held_by, held_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)");
  insert.Bind(1, item_id).Bind(2, until).Bind(3, reason).Bind(4, actor).Bind(5, now);
  if (insert.Step() != kDone) return insert.Error("placing the hold");
  nlohmann::json details = {{"until", until}, {"reason", reason}};
  if (Status s = AppendAudit(db, {actor, "retention.hold", item_id, JsonText(details)}, now);
      !s.ok()) {
    return s;
  }
  return tx.Commit();
}

Status ReleaseHolds(Database &db, int64_t item_id, const std::string &actor,
                    const std::string &now) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  Statement release(db,
                    "UPDATE preservation_holds SET released_by = ?2, released_at = ?3 "
                    "WHERE item_id = ?1 AND released_at IS NULL");
  release.Bind(1, item_id).Bind(2, actor).Bind(3, now);
  if (release.Step() != kDone) return release.Error("releasing the hold");
  const int64_t released = release.RowsChanged();
  if (released == 0) {
    return Status::NotFound("item " + std::to_string(item_id) + " has no hold to release");
  }
  nlohmann::json details = {{"holds", released}};
  if (Status s = AppendAudit(db, {actor, "retention.release", item_id, JsonText(details)}, now);
      !s.ok()) {
    return s;
  }
  return tx.Commit();
}

StatusOr<std::vector<PreservationHold>> ListHolds(Database &db) {
  std::vector<PreservationHold> holds;
  Statement query(db,
                  "SELECT id, item_id, until, reason, held_by, held_at "
                  "FROM preservation_holds "
                  "WHERE released_at IS NULL ORDER BY id");
  int rc;
  while ((rc = query.Step()) == kRow) {
    holds.push_back({query.ColumnInt(0), query.ColumnInt(1), query.ColumnText(2),
                     query.ColumnText(3), query.ColumnText(4), query.ColumnText(5)});
  }
  if (rc != kDone) return query.Error("listing the preservation holds");
  return holds;
}

}  // namespace vigil::host
