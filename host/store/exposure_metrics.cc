#include "store/exposure_metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

namespace vigil::host {
namespace {

struct ItemExposure {
  double seconds = 0;
  int64_t reveals = 0;
  std::string rule;
  std::string category;
  std::set<std::string> detectors;
  std::set<std::string> banks;
  std::set<std::string> reviewers;
};

// The decided items (filtered by the latest decision's day).
constexpr char kDecidedSql[] =
    "SELECT item_id FROM decisions GROUP BY item_id HAVING ?1 = '' OR max(decided_at) >= ?1";

double NearestRank(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(q * sorted.size()));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// One dimension's groups from the items each belongs to, most seconds first.
// Groups from fewer than `min_reviewers` reviewers (but at least one) are left out and
// counted in *withheld.
std::vector<ExposureGroup> Group(
    const std::unordered_map<int64_t, ItemExposure>& items,
    const std::function<std::vector<std::string>(const ItemExposure&)>& keys_of, int min_reviewers,
    int64_t* withheld) {
  std::map<std::string, std::vector<const ItemExposure*>> members;
  for (const auto& [id, item] : items) {
    std::vector<std::string> keys = keys_of(item);
    if (keys.empty()) keys.push_back("(none)");
    for (const std::string& key : keys) members[key].push_back(&item);
  }
  std::vector<ExposureGroup> groups;
  for (const auto& [key, list] : members) {
    ExposureGroup g;
    g.key = key;
    std::vector<double> seconds;
    std::set<std::string> reviewers;
    for (const ItemExposure* item : list) {
      reviewers.insert(item->reviewers.begin(), item->reviewers.end());
      ++g.decided_items;
      if (item->seconds > 0 || item->reveals > 0) ++g.items_seen;
      g.seconds += item->seconds;
      g.reveals += item->reveals;
      seconds.push_back(item->seconds);
    }
    g.reviewers = static_cast<int64_t>(reviewers.size());
    if (g.reviewers > 0 && g.reviewers < min_reviewers) {
      ++*withheld;
      continue;
    }
    std::sort(seconds.begin(), seconds.end());
    g.seconds_per_item = g.seconds / static_cast<double>(g.decided_items);
    g.p50_seconds = NearestRank(seconds, 0.5);
    g.p90_seconds = NearestRank(seconds, 0.9);
    g.max_seconds = seconds.back();
    groups.push_back(std::move(g));
  }
  std::stable_sort(
      groups.begin(), groups.end(),
      [](const ExposureGroup& a, const ExposureGroup& b) { return a.seconds > b.seconds; });
  return groups;
}

}  // namespace

StatusOr<ExposureMetrics> ComputeExposureMetrics(Database& db, const std::string& since,
                                                 int min_reviewers) {
  std::unordered_map<int64_t, ItemExposure> items;
  {
    Statement st(db,
                 std::string("SELECT i.id, coalesce(i.outcome_rule, ''), coalesce(q.category, '') "
                             "FROM items i LEFT JOIN queue q ON q.item_id = i.id "
                             "WHERE i.id IN (") +
                     kDecidedSql + ")");
    st.Bind(1, since);
    int rc;
    while ((rc = st.Step()) == kRow) {
      ItemExposure& item = items[st.ColumnInt(0)];
      item.rule = st.ColumnText(1);
      item.category = st.ColumnText(2);
    }
    if (rc != kDone) return st.Error("decided items");
  }
  {
    Statement st(db, std::string("SELECT item_id, reviewer, sum(seconds_unobscured), "
                                 "sum(reveals) FROM exposure WHERE item_id IN (") +
                         kDecidedSql + ") GROUP BY item_id, reviewer");
    st.Bind(1, since);
    int rc;
    while ((rc = st.Step()) == kRow) {
      auto it = items.find(st.ColumnInt(0));
      if (it == items.end()) continue;  // decided after the query above started
      it->second.reviewers.insert(st.ColumnText(1));
      it->second.seconds += st.ColumnDouble(2);
      it->second.reveals += st.ColumnInt(3);
    }
    if (rc != kDone) return st.Error("exposure per item");
  }
  {
    Statement st(db, std::string("SELECT DISTINCT item_id, detector, coalesce(bank, '') "
                                 "FROM detections WHERE item_id IN (") +
                         kDecidedSql + ")");
    st.Bind(1, since);
    int rc;
    while ((rc = st.Step()) == kRow) {
      auto it = items.find(st.ColumnInt(0));
      if (it == items.end()) continue;
      it->second.detectors.insert(st.ColumnText(1));
      if (std::string bank = st.ColumnText(2); !bank.empty()) it->second.banks.insert(bank);
    }
    if (rc != kDone) return st.Error("detections of decided items");
  }

  ExposureMetrics metrics;
  std::set<std::string> reviewers;
  for (const auto& [id, item] : items) {
    ++metrics.decided_items;
    metrics.seconds += item.seconds;
    metrics.reveals += item.reveals;
    reviewers.insert(item.reviewers.begin(), item.reviewers.end());
  }
  metrics.reviewers = static_cast<int64_t>(reviewers.size());
  if (metrics.reviewers > 0 && metrics.reviewers < min_reviewers) {
    metrics.totals_withheld = true;
    metrics.seconds = 0;
    metrics.reveals = 0;
  }
  auto one = [](const std::string& key) {
    return key.empty() ? std::vector<std::string>{} : std::vector<std::string>{key};
  };
  int64_t* withheld = &metrics.withheld_groups;
  metrics.by_detector = Group(
      items,
      [](const ItemExposure& i) {
        return std::vector<std::string>(i.detectors.begin(), i.detectors.end());
      },
      min_reviewers, withheld);
  metrics.by_bank = Group(
      items,
      [](const ItemExposure& i) {
        return std::vector<std::string>(i.banks.begin(), i.banks.end());
      },
      min_reviewers, withheld);
  metrics.by_category = Group(
      items, [&](const ItemExposure& i) { return one(i.category); }, min_reviewers, withheld);
  metrics.by_rule = Group(
      items, [&](const ItemExposure& i) { return one(i.rule); }, min_reviewers, withheld);
  return metrics;
}

}  // namespace vigil::host
