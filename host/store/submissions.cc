#include "store/submissions.h"

#include "store/store.h"

namespace vigil::host {
namespace {

constexpr const char* kColumns =
    "id, status, reason, item_id, sha256, size, name, content_type, url, uploader_id, source, "
    "received_at, finished_at";

// Binds ?1..?11 in the order of the INSERTs below: id, status, reason, sha256, size, name,
// content_type, url, uploader_id, source, received_at.
void BindRow(Statement& statement, const SubmissionRecord& s, const char* status,
             const std::string& reason) {
  auto optional = [&statement](int index, const std::string& text) {
    if (text.empty()) statement.BindNull(index); else statement.Bind(index, text);
  };
  statement.Bind(1, s.id).Bind(2, status);
  optional(3, reason);
  optional(4, s.sha256);
  if (s.size > 0) statement.Bind(5, s.size); else statement.BindNull(5);
  optional(6, s.name);
  optional(7, s.content_type);
  optional(8, s.url);
  optional(9, s.uploader_id);
  optional(10, s.source);
  statement.Bind(11, s.received_at.empty() ? NowUtc() : s.received_at);
}

constexpr const char* kInsert =
    "INSERT INTO submissions (id, status, reason, sha256, size, name, content_type, url, "
    "uploader_id, source, received_at, finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
    "?9, ?10, ?11, ?12)";

}  // namespace

Status AcceptSubmission(Database& db, const SubmissionRecord& submission) {
  if (submission.id.empty()) return Status::InvalidArgument("a submission needs an id");
  Statement insert(db, std::string(kInsert) + " ON CONFLICT(id) DO NOTHING");
  BindRow(insert, submission, "accepted", "");
  insert.BindNull(12);
  if (insert.Step() != kDone) return insert.Error("accepting submission " + submission.id);
  return Status::Ok();
}

StatusOr<std::optional<SubmissionRecord>> FindSubmission(Database& db, const std::string& id) {
  Statement find(db, std::string("SELECT ") + kColumns + " FROM submissions WHERE id = ?1");
  find.Bind(1, id);
  const int rc = find.Step();
  if (rc == kDone) return std::optional<SubmissionRecord>();
  if (rc != kRow) return find.Error("reading submission " + id);
  SubmissionRecord s;
  s.id = find.ColumnText(0);
  s.status = find.ColumnText(1);
  s.reason = find.ColumnText(2);
  s.item_id = find.ColumnInt(3);
  s.sha256 = find.ColumnText(4);
  s.size = find.ColumnInt(5);
  s.name = find.ColumnText(6);
  s.content_type = find.ColumnText(7);
  s.url = find.ColumnText(8);
  s.uploader_id = find.ColumnText(9);
  s.source = find.ColumnText(10);
  s.received_at = find.ColumnText(11);
  s.finished_at = find.ColumnText(12);
  return std::optional<SubmissionRecord>(std::move(s));
}

StatusOr<bool> FailSubmission(Database& db, const SubmissionRecord& submission,
                              const std::string& reason) {
  if (submission.id.empty()) return Status::InvalidArgument("a submission needs an id");
  // excluded.*: the values this statement tried to insert.
  Statement fail(db, std::string(kInsert) +
                         " ON CONFLICT(id) DO UPDATE SET status = 'failed', reason = "
                         "excluded.reason, finished_at = excluded.finished_at "
                         "WHERE submissions.status = 'accepted' RETURNING id");
  BindRow(fail, submission, "failed", reason.empty() ? "failed" : reason);
  fail.Bind(12, NowUtc());
  const int rc = fail.Step();
  if (rc == kRow) return true;
  if (rc == kDone) return false;
  return fail.Error("recording submission " + submission.id + " as failed");
}

StatusOr<bool> ClaimSubmissionDone(Database& db, const SubmissionRecord& submission,
                                   const std::string& now) {
  Statement claim(db, std::string(kInsert) +
                          " ON CONFLICT(id) DO UPDATE SET status = 'done', finished_at = "
                          "excluded.finished_at, sha256 = coalesce(submissions.sha256, "
                          "excluded.sha256), size = coalesce(submissions.size, excluded.size) "
                          "WHERE submissions.status = 'accepted' RETURNING id");
  BindRow(claim, submission, "done", "");
  claim.Bind(12, now);
  const int rc = claim.Step();
  if (rc == kRow) return true;
  if (rc == kDone) return false;
  return claim.Error("finishing submission " + submission.id);
}

Status SetSubmissionItem(Database& db, const std::string& id, int64_t item_id) {
  Statement set(db, "UPDATE submissions SET item_id = ?2 WHERE id = ?1 AND item_id IS NULL");
  set.Bind(1, id).Bind(2, item_id);
  return set.Write("recording submission " + id + "'s item");
}

StatusOr<int64_t> SubmissionItem(Database& db, const std::string& id) {
  Statement find(db, "SELECT coalesce(item_id, 0) FROM submissions WHERE id = ?1");
  find.Bind(1, id);
  const int rc = find.Step();
  if (rc == kDone) return int64_t{0};
  if (rc != kRow) return find.Error("reading submission " + id);
  return find.ColumnInt(0);
}

}  // namespace vigil::host
