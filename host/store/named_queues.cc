#include "store/named_queues.h"

#include <map>
#include <sstream>

#include "store/store.h"

namespace vigil::host {

bool IsValidQueueName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
  }
  return true;
}

std::string JoinRoles(const std::vector<std::string>& roles) {
  std::string out;
  for (const std::string& role : roles) out += (out.empty() ? "" : ", ") + role;
  return out;
}

namespace {

std::vector<std::string> SplitRoles(const std::string& text) {
  std::vector<std::string> roles;
  std::stringstream in(text);
  std::string role;
  while (std::getline(in, role, ',')) {
    const size_t start = role.find_first_not_of(' ');
    if (start != std::string::npos) roles.push_back(role.substr(start));
  }
  return roles;
}

}  // namespace

Status RecordQueueSpecs(Database& db, const std::vector<QueueSpec>& specs) {
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  const std::string now = NowUtc();
  for (const QueueSpec& spec : specs) {
    Statement upsert(db,
                     "INSERT INTO queues (name, description, roles, updated_at) VALUES (?1, ?2, "
                     "?3, ?4) ON CONFLICT(name) DO UPDATE SET description = excluded.description, "
                     "roles = excluded.roles, updated_at = excluded.updated_at WHERE "
                     "queues.description != excluded.description OR queues.roles != "
                     "excluded.roles");
    upsert.Bind(1, spec.name).Bind(2, spec.description).Bind(3, JoinRoles(spec.roles)).Bind(4, now);
    if (upsert.Step() != kDone) return upsert.Error("recording queue " + spec.name);
  }
  return tx.Commit();
}

StatusOr<std::vector<QueueSummary>> ListQueues(Database& db) {
  std::map<std::string, QueueSummary> by_name;
  {
    Statement rows(db, "SELECT name, description, roles FROM queues");
    int rc;
    while ((rc = rows.Step()) == kRow) {
      QueueSummary& q = by_name[rows.ColumnText(0)];
      q.spec.name = rows.ColumnText(0);
      q.spec.description = rows.ColumnText(1);
      q.spec.roles = SplitRoles(rows.ColumnText(2));
    }
    if (rc != kDone) return rows.Error("listing the queues");
  }
  Statement counts(db,
                   "SELECT queue_name, state, count(*) FROM queue GROUP BY queue_name, state");
  int rc;
  while ((rc = counts.Step()) == kRow) {
    const std::string name = counts.ColumnText(0);
    auto [it, added] = by_name.try_emplace(name);
    if (added) {
      it->second.spec.name = name;
      it->second.defined = false;
    }
    const std::string state = counts.ColumnText(1);
    const int64_t n = counts.ColumnInt(2);
    if (state == "pending") it->second.pending += n;
    else if (state == "claimed") it->second.claimed += n;
    else it->second.decided += n;
  }
  if (rc != kDone) return counts.Error("counting the queues");
  std::vector<QueueSummary> out;
  for (auto& [name, summary] : by_name) out.push_back(std::move(summary));
  return out;
}

}  // namespace vigil::host
