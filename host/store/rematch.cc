#include "store/rematch.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_set>

#include "bank_set.h"
#include "scan/scan_json.h"
#include "store/audit_log.h"
#include "store/db/database.h"
#include "store/time_ranges.h"
#include "store/webhook_outbox.h"
#include "vigil/hashbank/pdq_index.h"

namespace vigil::host {
namespace {

constexpr const char *kRematchTypes = "('pdq', 'md5', 'sha1', 'sha256')";

struct Hit {
  std::string detector;    // the detector that stored the signal
  std::string signal_type; // "pdq", "md5", ...
  hashbank::Match match;
};

std::string EntryId(const hashbank::Match &m) {
  // As BankSet::AddDetections records it.
  return m.entry.external_id.empty() ? std::to_string(m.entry_index)
                                     : m.entry.external_id;
}

// A stored value that matched: the item, the signal type and the value's bytes
// (the same value stored by two detectors is one key; its rows are read back in
// RecordedRows).
using MatchedKey = std::tuple<int64_t, int, std::string>;
// The value's matches: (bank index, distance, entry index), in the order the
// pass records them (banks in the given order, then by distance, then by entry:
// Bank::MatchPdq's order).
using MatchedEntries = std::set<std::tuple<size_t, int, uint32_t>>;

MatchedKey KeyOf(int64_t item_id, const hashbank::HashValue &value) {
  return {item_id, static_cast<int>(value.type),
          std::string(reinterpret_cast<const char *>(value.bytes.data()),
                      value.size())};
}

hashbank::HashValue PdqValue(const hashbank::PdqWords &words) {
  hashbank::HashValue value;
  value.type = hashbank::SignalType::kPdq;
  hashbank::PdqWordsToBytes(words, value.bytes.data());
  return value;
}

// Runs body(i, out) for i in [0, n) on up to `threads` threads, each appending
// to its own vector; returns the vectors' concatenation (in no particular
// order) or the first error.
template <typename T, typename Body>
StatusOr<std::vector<T>> ParallelFor(size_t n, int threads, Body &&body) {
  const size_t workers =
      std::max<size_t>(1, std::min<size_t>(threads, (n + 1023) / 1024));
  std::vector<std::vector<T>> outs(workers);
  std::vector<Status> errors(workers, Status::Ok());
  std::atomic<size_t> next{0};
  auto run = [&](size_t w) {
    constexpr size_t kChunk =
        256; // claimed in chunks: the two halves rarely cost the same
    for (size_t begin; (begin = next.fetch_add(kChunk)) < n;) {
      for (size_t i = begin; i < std::min(n, begin + kChunk); ++i) {
        if (Status s = body(i, outs[w]); !s.ok()) {
          errors[w] = s;
          next = n;
          return;
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w)
    pool.emplace_back(run, w);
  run(0);
  for (std::thread &t : pool)
    t.join();
  for (const Status &e : errors) {
    if (!e.ok())
      return e;
  }
  std::vector<T> all = std::move(outs[0]);
  for (size_t w = 1; w < workers; ++w)
    all.insert(all.end(), outs[w].begin(), outs[w].end());
  return all;
}

// The PDQ part: every (stored hash, bank entry) pair within the threshold,
// entries added since options.entries_since_unix only. Per bank, whichever side
// is smaller queries an index of the other: the (new) entries query an index
// built over the stored hashes, or the stored hashes query the bank's own index
// (both multi-index hashing, exact). Probes grow with the number of queries and
// the candidates are the same pairs either way, so the smaller side queries.
Status MatchPdq(const std::vector<const hashbank::Bank *> &banks,
                const RematchOptions &options,
                const std::vector<int64_t> &items,
                const std::vector<hashbank::PdqWords> &codes,
                std::map<MatchedKey, MatchedEntries> &matched) {
  struct PairHit {
    uint32_t stored;
    uint32_t entry;
    int distance;
  };
  std::unique_ptr<hashbank::PdqIndex>
      stored_index; // built once, for the first bank needing it
  std::vector<uint32_t> entries;
  std::vector<hashbank::PdqWords> entry_codes;
  for (size_t b = 0; b < banks.size(); ++b) {
    const hashbank::Bank &bank = *banks[b];
    if (bank.count(hashbank::SignalType::kPdq) == 0 || codes.empty())
      continue;
    bank.PdqEntries(options.entries_since_unix, entries, entry_codes);
    if (entries.empty())
      continue;
    const bool index_stored =
        options.pdq_strategy == RematchOptions::PdqStrategy::kIndexStored ||
        (options.pdq_strategy == RematchOptions::PdqStrategy::kAuto &&
         entries.size() < codes.size());
    StatusOr<std::vector<PairHit>> pairs = std::vector<PairHit>();
    if (index_stored) {
      if (!stored_index)
        stored_index = std::make_unique<hashbank::PdqIndex>(codes);
      pairs = ParallelFor<PairHit>(
          entries.size(), options.threads,
          [&](size_t j, std::vector<PairHit> &out) {
            thread_local std::vector<hashbank::PdqIndexHit> found;
            stored_index->Query(entry_codes[j], options.pdq_threshold, found);
            for (const hashbank::PdqIndexHit &h : found) {
              out.push_back(
                  {h.index, entries[j], static_cast<int>(h.distance)});
            }
            return Status::Ok();
          });
    } else {
      pairs = ParallelFor<PairHit>(
          codes.size(), options.threads,
          [&](size_t i, std::vector<PairHit> &out) {
            auto found = bank.QueryPdq(&codes[i], 1, options.pdq_threshold);
            if (!found.ok())
              return Status::IoError(bank.name() + ": " +
                                     found.status().message());
            for (const hashbank::PdqHit &h : found.value()) {
              if (bank.entry_added_unix(h.entry) < options.entries_since_unix)
                continue;
              out.push_back({static_cast<uint32_t>(i), h.entry, h.distance});
            }
            return Status::Ok();
          });
    }
    if (!pairs.ok())
      return pairs.status();
    for (const PairHit &p : pairs.value()) {
      matched[KeyOf(items[p.stored], PdqValue(codes[p.stored]))].insert(
          {b, p.distance, p.entry});
    }
  }
  return Status::Ok();
}

// One pass over the stored signals of the types the banks hold (through the
// signals_by_value_item index, which covers (type, value, item_id): a
// sequential read of the index alone), then the matching: digests through each
// bank's hash table, PDQ hashes as MatchPdq says. Fills `matched` with every
// stored value that matched an entry added since options.entries_since_unix.
Status MatchStoredValues(Database &db,
                         const std::vector<const hashbank::Bank *> &banks,
                         const RematchOptions &options,
                         std::map<MatchedKey, MatchedEntries> &matched,
                         RematchReport &report) {
  std::vector<bool> seen; // by item id: items_checked counts each item once
  std::unordered_set<int64_t> sparse;
  auto count_item = [&](int64_t item_id) {
    if (item_id >= 0 && item_id < (int64_t{1} << 28)) { // row ids: dense from 1
      if (static_cast<uint64_t>(item_id) >= seen.size())
        seen.resize(item_id * 2 + 1024);
      if (!seen[item_id]) {
        seen[item_id] = true;
        ++report.items_checked;
      }
    } else if (sparse.insert(item_id).second) {
      ++report.items_checked;
    }
  };
  std::vector<int64_t> pdq_items;
  std::vector<hashbank::PdqWords> pdq_codes;
  for (hashbank::SignalType type : hashbank::kAllSignalTypes) {
    bool held = false;
    for (const hashbank::Bank *bank : banks)
      held = held || bank->count(type) > 0;
    if (!held)
      continue;
    Statement rows(db, "SELECT item_id, value FROM signals WHERE type = ?1");
    rows.Bind(1, hashbank::SignalTypeName(type));
    int rc;
    while (rows.ok() && (rc = rows.Step()) == kRow) {
      ++report.signals_checked;
      const int64_t item_id = rows.ColumnInt(0);
      count_item(item_id);
      const std::string value = rows.ColumnText(1);
      if (type == hashbank::SignalType::kPdq) {
        auto words = hashbank::ParsePdqHex(value);
        if (!words.ok())
          continue; // not a PDQ hash: nothing a bank could match
        pdq_items.push_back(item_id);
        pdq_codes.push_back(words.value());
        continue;
      }
      auto parsed = hashbank::ParseHashValue(type, value);
      if (!parsed.ok())
        continue;
      for (size_t b = 0; b < banks.size(); ++b) {
        if (banks[b]->count(type) == 0)
          continue;
        auto found = banks[b]->MatchExact(parsed.value());
        if (!found.ok())
          return Status::IoError(banks[b]->name() + ": " +
                                 found.status().message());
        for (const hashbank::Match &m : found.value()) {
          if (m.entry.added_unix < options.entries_since_unix)
            continue;
          matched[KeyOf(item_id, parsed.value())].insert({b, 0, m.entry_index});
        }
      }
    }
    if (!rows.ok() || rc != kDone)
      return rows.Error("reading the stored signals");
  }
  return MatchPdq(banks, options, pdq_items, pdq_codes, matched);
}

// The matched values' signal rows (detector, quality), read back per item, and
// the hits in one order both backends give: rows in the order of the signals'
// key (detector, type, value; compared as bytes here, as no database collation
// is involved), then the banks in the given order, then distance, then entry. A
// PostgreSQL table has no insertion order (SQLite's rowid), so the key decides
// which detector's row records a value two detectors stored, or which of a
// record's PDQ and MD5 entries sharing an id is recorded. A hit already
// recorded for the item, bank and entry id is dropped; so is a PDQ hash below
// the quality floor (as vigil.pdq: reported, never matched).
Status
RecordedRows(Database &db, const std::vector<const hashbank::Bank *> &banks,
             const RematchOptions &options,
             const std::map<MatchedKey, MatchedEntries> &matched,
             std::set<std::tuple<int64_t, std::string, std::string>> &known,
             std::map<int64_t, std::vector<Hit>> &hits, RematchReport &report) {
  struct Ordered {
    std::string key_type,
        key_value; // with detector: the signal's key, as stored
    size_t bank;
    int distance;
    uint32_t entry;
    std::string detector;
    hashbank::SignalType type;
  };
  std::set<int64_t> item_ids;
  for (const auto &[key, entries] : matched)
    item_ids.insert(std::get<0>(key));
  for (const int64_t item_id : item_ids) {
    std::vector<Ordered> ordered;
    Statement rows(db, "SELECT detector, type, value, quality FROM signals "
                       "WHERE item_id = ?1");
    rows.Bind(1, item_id);
    int rc;
    while (rows.ok() && (rc = rows.Step()) == kRow) {
      const std::string type_name = rows.ColumnText(1);
      const auto type = hashbank::ParseSignalType(type_name);
      if (!type)
        continue;
      const std::string value_text = rows.ColumnText(2);
      auto value = hashbank::ParseHashValue(*type, value_text);
      if (!value.ok())
        continue;
      auto found = matched.find(KeyOf(item_id, value.value()));
      if (found == matched.end())
        continue;
      if (*type == hashbank::SignalType::kPdq && rows.ColumnType(3) != "null" &&
          rows.ColumnInt(3) < options.pdq_min_quality) {
        continue;
      }
      const std::string detector = rows.ColumnText(0);
      for (const auto &[bank, distance, entry] : found->second) {
        ordered.push_back(
            {type_name, value_text, bank, distance, entry, detector, *type});
      }
    }
    if (!rows.ok() || rc != kDone)
      return rows.Error("reading the matched signals");
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Ordered &a, const Ordered &b) {
                       return std::tie(a.detector, a.key_type, a.key_value,
                                       a.bank, a.distance, a.entry) <
                              std::tie(b.detector, b.key_type, b.key_value,
                                       b.bank, b.distance, b.entry);
                     });
    for (const Ordered &o : ordered) {
      hashbank::Match m;
      m.bank = banks[o.bank]->name();
      m.entry_index = o.entry;
      m.entry = banks[o.bank]->entry(o.entry);
      m.distance = o.distance;
      if (options.skip_match && options.skip_match(m)) continue;  // disabled entry
      if (!known.insert({item_id, m.bank, EntryId(m)}).second) continue;  // recorded before
      ++report.new_matches;
      hits[item_id].push_back(Hit{o.detector,
                                  std::string(hashbank::SignalTypeName(o.type)),
                                  std::move(m)});
    }
  }
  return Status::Ok();
}

// The item as a scan would hand it to the policy: its stored detections and
// detector runs (a failed run stays failed), plus the new hits. Returns the
// record and the new detections, per detector.
Status LoadRecord(Database &db, int64_t item_id,
                  const std::vector<Hit> &item_hits, ItemRecord &record,
                  std::vector<std::pair<std::string, v1::Detection>> &added) {
  Statement item(db, "SELECT sha256, last_path, status, coalesce(error, '') "
                     "FROM items WHERE id = ?1");
  item.Bind(1, item_id);
  if (!item.ok() || item.Step() != kRow)
    return item.Error("reading item " + std::to_string(item_id));
  record.sha256 = item.ColumnText(0);
  record.path = item.ColumnText(1);
  const bool item_failed = item.ColumnText(2) == "failed";
  const std::string item_error = item.ColumnText(3);

  // The runs in detector order (the policy's ties go to the first): the same on
  // both backends, as a PostgreSQL table has no insertion order.
  std::vector<DetectorRun> runs;
  auto run_of = [&runs](const std::string &detector) -> DetectorRun & {
    for (DetectorRun &run : runs) {
      if (run.detector == detector)
        return run;
    }
    runs.emplace_back();
    runs.back().detector = detector;
    return runs.back();
  };
  Statement run_rows(
      db,
      "SELECT detector, status, coalesce(error, '') FROM detector_runs WHERE "
      "item_id = ?1");
  run_rows.Bind(1, item_id);
  std::vector<std::tuple<std::string, std::string, std::string>> stored_runs;
  while (run_rows.ok() && run_rows.Step() == kRow) {
    stored_runs.emplace_back(run_rows.ColumnText(0), run_rows.ColumnText(1),
                             run_rows.ColumnText(2));
  }
  std::sort(stored_runs.begin(), stored_runs.end()); // by detector, as bytes
  bool any_run_failed = false;
  for (const auto &[detector, status, error] : stored_runs) {
    DetectorRun &run = run_of(detector);
    if (status == "failed") {
      run.status = Status::IoError(error);
      any_run_failed = true;
    }
  }
  if (item_failed && !any_run_failed) {
    record.status = Status::IoError(item_error.empty() ? "failed" : item_error);
  }
  Statement det(
      db, "SELECT detector, label, score, severity, coalesce(signal_type, ''), "
          "coalesce(bank, ''), coalesce(entry_id, ''), coalesce(category, ''), "
          "coalesce(distance, 0), coalesce(dihedral, 0), coalesce(reason, '') "
          "FROM detections WHERE item_id = ?1 ORDER BY id");
  det.Bind(1, item_id);
  while (det.ok() && det.Step() == kRow) {
    DetectorRun &run = run_of(det.ColumnText(0));
    v1::Detection *d = run.result.add_detections();
    d->set_label(det.ColumnText(1));
    const std::string score = det.ColumnText(2); // REAL, as SQLite writes it
    d->set_score(score.empty() ? 0.0 : std::strtod(score.c_str(), nullptr));
    d->set_severity(static_cast<v1::Severity>(det.ColumnInt(3)));
    d->set_signal_type(det.ColumnText(4));
    if (!det.ColumnText(5).empty()) {
      d->mutable_match()->set_bank(det.ColumnText(5));
      d->mutable_match()->set_entry_id(det.ColumnText(6));
      d->mutable_match()->set_category(det.ColumnText(7));
      d->mutable_match()->set_distance(static_cast<int32_t>(det.ColumnInt(8)));
      d->mutable_match()->set_dihedral(static_cast<int32_t>(det.ColumnInt(9)));
    }
    d->set_reason(det.ColumnText(10));
  }
  for (const Hit &hit : item_hits) {
    v1::AnalysisResult one;
    hashdetect::BankSet::AddDetections({hit.match}, hit.signal_type, one);
    DetectorRun &run = run_of(hit.detector);
    *run.result.add_detections() = one.detections(0);
    added.emplace_back(hit.detector, one.detections(0));
  }
  record.runs = std::move(runs);
  return Status::Ok();
}

Status InsertDetection(Database &db, int64_t item_id,
                       const std::string &detector, const v1::Detection &d) {
  Statement insert(db,
                   "INSERT INTO detections (item_id, detector, label, score, severity, "
                   "signal_type, bank, entry_id, category, distance, dihedral, reason, "
                   "item_ranges, match_ranges) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  insert.Bind(1, item_id)
      .Bind(2, detector)
      .Bind(3, d.label())
      .Bind(4, d.score())
      .Bind(5, static_cast<int64_t>(d.severity()))
      .Bind(6, d.signal_type())
      .Bind(7, d.match().bank())
      .Bind(8, d.match().entry_id())
      .Bind(9, d.match().category())
      .Bind(10, static_cast<int64_t>(d.match().distance()))
      .Bind(11, static_cast<int64_t>(d.match().dihedral()))
      .Bind(12, d.reason())
      .Bind(13, FormatTimeRanges(d.item_ranges()))
      .Bind(14, FormatTimeRanges(d.match().ranges()));
  if (insert.Step() != kDone)
    return insert.Error("recording a rematched detection");
  return Status::Ok();
}

// The item's outcome, queue row and automatic decision, as Store::RecordItem
// records a scan's (store.cc, RecordOutcome): a decided item stays decided.
Status RecordOutcome(Database &db, int64_t item_id, const Outcome &outcome,
                     const std::string &now, bool &was_decided) {
  Statement update(
      db,
      "UPDATE items SET outcome = ?2, outcome_rule = ?3, outcome_reason = ?4 "
      "WHERE id = ?1");
  update.Bind(1, item_id)
      .Bind(2, DispositionName(outcome.disposition))
      .Bind(3, outcome.rule)
      .Bind(4, outcome.reason);
  if (update.Step() != kDone)
    return update.Error("recording an item's outcome");
  Statement state(db, "SELECT state FROM queue WHERE item_id = ?1");
  state.Bind(1, item_id);
  was_decided =
      state.ok() && state.Step() == kRow && state.ColumnText(0) == "decided";
  return QueueOutcome(db, item_id, outcome, now);
}

} // namespace

StatusOr<RematchReport>
Rematch(Store &store, const std::vector<const hashbank::Bank *> &banks,
        const Policy &policy, const RematchOptions &options) {
  Database &db = store.db();
  RematchReport report;
  {
    Statement any(
        db,
        (std::string("SELECT EXISTS (SELECT 1 FROM signals WHERE type IN ") +
         kRematchTypes + ")")
            .c_str());
    if (!any.ok() || any.Step() != kRow)
      return any.Error("reading stored signals");
    report.store_has_signals = any.ColumnInt(0) != 0;
  }
  // Hits recorded before (by a scan or an earlier rematch) are not recorded
  // twice.
  std::set<std::tuple<int64_t, std::string, std::string>> known;
  {
    Statement rows(db, "SELECT item_id, bank, entry_id FROM detections WHERE "
                       "label = 'hash-match' "
                       "AND bank IS NOT NULL AND entry_id IS NOT NULL");
    int rc;
    while (rows.ok() && (rc = rows.Step()) == kRow) {
      known.insert({rows.ColumnInt(0), rows.ColumnText(1), rows.ColumnText(2)});
    }
    if (!rows.ok())
      return rows.Error("reading recorded matches");
  }
  std::map<MatchedKey, MatchedEntries> matched;
  if (Status s = MatchStoredValues(db, banks, options, matched, report);
      !s.ok())
    return s;
  std::map<int64_t, std::vector<Hit>> hits;
  if (Status s = RecordedRows(db, banks, options, matched, known, hits, report);
      !s.ok())
    return s;
  if (hits.empty())
    return report;

  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok())
    return s;
  const std::string now = NowUtc();
  for (const auto &[item_id, item_hits] : hits) {
    ItemRecord record;
    std::vector<std::pair<std::string, v1::Detection>> added;
    if (Status s = LoadRecord(db, item_id, item_hits, record, added); !s.ok())
      return s;
    const Outcome outcome = policy.Decide(record, options.first_party);
    nlohmann::json matches = nlohmann::json::array();
    for (const auto &[detector, d] : added) {
      if (Status s = InsertDetection(db, item_id, detector, d); !s.ok())
        return s;
      matches.push_back({{"detector", detector},
                         {"signal_type", d.signal_type()},
                         {"bank", d.match().bank()},
                         {"entry_id", d.match().entry_id()},
                         {"distance", d.match().distance()}});
    }
    bool was_decided = false;
    if (Status s = RecordOutcome(db, item_id, outcome, now, was_decided);
        !s.ok())
      return s;
    ++report.items_matched;
    if (!was_decided && (outcome.disposition == Disposition::kReview ||
                         outcome.disposition == Disposition::kFailed)) {
      ++report.queued;
    }
    if (!was_decided && outcome.disposition == Disposition::kAutoAction)
      ++report.auto_actioned;
    nlohmann::json details = {{"sha256", record.sha256},
                              {"path", record.path},
                              {"outcome", DispositionName(outcome.disposition)},
                              {"rule", outcome.rule},
                              {"priority", outcome.priority},
                              {"severity", outcome.severity},
                              {"matches", matches}};
    if (Status s = EnqueueMatchEvent(db, item_id, added, outcome); !s.ok())
      return s; // issue 14: the item.matched webhook
    if (!outcome.category.empty())
      details["category"] = outcome.category;
    if (Status s = AppendAudit(
            db, {"rematch", kRematchAuditAction, item_id, JsonText(details)},
            now);
        !s.ok()) {
      return s;
    }
  }
  if (Status s = tx.Commit(); !s.ok())
    return s;
  return report;
}

} // namespace vigil::host
