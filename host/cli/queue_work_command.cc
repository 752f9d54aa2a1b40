#include "cli/queue_work_command.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/reviewer_identity.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/exposure_budget.h"
#include "store/review_queue.h"
#include "store/store.h"

namespace vigil::cli {
namespace {

using Json = nlohmann::ordered_json;

const char* SeverityName(int s) {
  static const char* const kWords[] = {"unspecified", "none", "low", "medium", "high", "critical"};
  return s >= 0 && s <= 5 ? kWords[s] : "unknown";
}

// What every queue command shares: the store, opened for writing, and who works it.
struct Session {
  std::unique_ptr<host::Store> store;
  std::string reviewer;
};

// Opens the store and resolves the reviewer; prints the error and returns nullopt-ish
// (store == nullptr) when either fails.
Session Open(const GlobalOptions& global, const std::string& reviewer_flag) {
  Session session;
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global);
  if (!store) return session;
  auto reviewer = ReviewerId(*store, reviewer_flag);
  if (!reviewer.ok()) {
    PrintError(reviewer.status().message());
    return session;
  }
  session.reviewer = std::move(reviewer).value();
  session.store = std::move(store);
  return session;
}

// Prints a failed change on stderr; 4 when the item is not (or no longer) the
// reviewer's, else 1.
int Fail(const Status& status, const std::string& prefix = "") {
  PrintError(prefix + status.message());
  return status.code() == Status::Code::kUnavailable ? kExitNotHeld : 1;
}

void PrintJson(const Json& json) { std::cout << host::JsonText(json) << "\n" << std::flush; }

// Claimed, but nothing came back: say why the one item asked for is not claimable.
int ExplainNoClaim(host::Database& db, host::ReviewQueue& queue, int64_t item_id, int max_severity,
                   const std::string& reviewer) {
  // The team's exposure budget (store/exposure_budget.h) may be what holds items back.
  auto cap = host::MaxServableSeverity(db, reviewer);
  const int budget = cap.ok() ? cap.value() : 5;
  const std::string budget_note =
      budget >= 5 ? ""
                  : " (the team's exposure budget serves you nothing above severity " +
                        std::string(budget < 0 ? "-" : SeverityName(budget)) + " today)";
  if (item_id == 0) {
    PrintError("the queue has nothing pending you may claim" + budget_note);
    return kExitNothingToClaim;
  }
  const std::string item = "item " + std::to_string(item_id);
  auto entry = queue.Get(item_id);
  if (!entry.ok()) return Fail(entry.status());
  if (!entry.value()) {
    PrintError("no " + item + " in the queue");
    return 1;
  }
  const host::QueueEntry& e = *entry.value();
  if (e.state == "decided") {
    PrintError(item + " is decided (" + e.decision + " by " + e.decided_by +
               "): nothing to claim; a senior may reopen it (`vigil queue reopen`)");
  } else if (e.state == "claimed") {
    PrintError(item + " is held by " + (e.lease_owner == reviewer ? "you" : e.lease_owner) +
               " until " + host::UtcTime(e.lease_expires));
  } else if (e.state == "pending" && e.round >= 2) {
    // store/review_rounds.h: a second review needs another person; round 3 is a senior's.
    PrintError(item + " is in round " + std::to_string(e.round) +
               " of its review: it is served only to someone who has not decided it in this "
               "review" +
               (e.round == 3 ? ", in the seniors' queue " + e.queue : std::string()));
  } else if (e.severity > budget) {
    PrintError(item + " has severity " + SeverityName(e.severity) + budget_note);
  } else if (e.severity > max_severity) {
    PrintError(item + " has severity " + SeverityName(e.severity) + ", above --max-severity " +
               std::to_string(max_severity));
  } else {
    PrintError(item + " could not be claimed: the queue has nothing pending you may claim");
  }
  return kExitNothingToClaim;
}

// One claimed item: a JSON object on one line, or a paragraph of text.
void PrintClaimed(const host::QueueEntry& e, const std::string& reviewer, bool json) {
  if (json) {
    Json out;
    out["item"] = e.item_id;
    out["sha256"] = e.sha256;
    out["path"] = e.path;
    out["url"] = e.url;
    out["media_kind"] = e.media_kind;
    out["severity"] = e.severity;
    out["severity_name"] = SeverityName(e.severity);
    out["category"] = e.category;
    out["reason"] = e.reason;
    out["state"] = e.state;
    out["round"] = e.round;  // 2: a second review (the first decision is not shown)
    out["reviewer"] = reviewer;
    out["lease_expires"] = host::UtcTime(e.lease_expires);
    PrintJson(out);
    return;
  }
  // Paths, categories and reasons come from files and plugins: escaped, one line each.
  std::printf(
      "Claimed item %lld for %s until %s.\n  sha256 %s\n  %s\n  Severity %s%s%s.\n"
      "  Why: %s\n",
      static_cast<long long>(e.item_id), TerminalText(reviewer).c_str(),
      host::UtcTime(e.lease_expires).c_str(), TerminalText(e.sha256).c_str(),
      TerminalText(e.url.empty() ? e.path : e.url).c_str(), SeverityName(e.severity),
      e.category.empty() ? "" : ", category ", TerminalText(e.category).c_str(),
      e.reason.empty() ? "-" : TerminalText(e.reason).c_str());
  std::fflush(stdout);
}

struct ClaimArgs {
  std::string reviewer;
  bool json = false;
  int lease_seconds = 600;
  int max_severity = 5;
  int64_t item = 0;
  int count = 1;
  std::vector<std::string> queues;  // --queue: only these named queues
};

int Claim(const GlobalOptions& global, const ClaimArgs& args) {
  if (args.item != 0 && args.count > 1) {
    PrintError("--item claims that one item: give no --count with it");
    return 1;
  }
  Session session = Open(global, args.reviewer);
  if (!session.store) return 1;
  host::ReviewQueue queue(*session.store);
  host::ClaimOptions options;
  options.lease_seconds = args.lease_seconds;
  options.max_severity = args.max_severity;
  options.only_item = args.item;
  options.queues = args.queues;
  int claimed_count = 0;
  for (; claimed_count < args.count; ++claimed_count) {
    auto claimed = queue.Claim(session.reviewer, options);
    if (!claimed.ok()) {
      // What was leased so far stays leased (and was printed): the leases run out.
      return Fail(claimed.status());
    }
    if (!claimed.value()) break;
    PrintClaimed(*claimed.value(), session.reviewer, args.json);
  }
  if (claimed_count == 0) {
    return ExplainNoClaim(session.store->db(), queue, args.item, args.max_severity,
                          session.reviewer);
  }
  return 0;
}

struct DecideArgs {
  std::string reviewer;
  bool json = false;
  int64_t item = 0;
  std::string decision;
  std::string reason;
  std::string from;  // --from FILE: JSON lines {"item", "decision", "reason"}; "-": stdin
  std::vector<std::string> banks;  // --add-to-bank NAME (issue 13 item 6)
};

struct Decision {
  int64_t item = 0;
  std::string decision;
  std::string reason;
};

// Reads --from: one JSON object per line with "item" (a positive integer), "decision"
// and optionally "reason" (strings), nothing else; blank lines are skipped. Any line
// that is not so is an error naming it, and nothing is decided.
StatusOr<std::vector<Decision>> ReadDecisions(const std::string& from) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (from != "-") {
    file.open(from);
    if (!file) return Status::IoError("cannot read " + from + ": " + std::strerror(errno));
    in = &file;
  }
  std::vector<Decision> out;
  std::string line;
  for (int number = 1; std::getline(*in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = from + " line " + std::to_string(number) + ": ";
    auto json = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object()) {
      return Status::InvalidArgument(where + "not a JSON object");
    }
    for (const auto& [key, value] : json.items()) {
      if (key != "item" && key != "decision" && key != "reason") {
        return Status::InvalidArgument(where + "unknown key '" + key +
                                       "' (item, decision, reason)");
      }
    }
    if (!json.contains("item") || !json["item"].is_number_integer() ||
        json["item"].get<int64_t>() <= 0) {
      return Status::InvalidArgument(where + "\"item\" must be a positive integer");
    }
    if (!json.contains("decision") || !json["decision"].is_string()) {
      return Status::InvalidArgument(where + "\"decision\" must be a string");
    }
    if (json.contains("reason") && !json["reason"].is_string()) {
      return Status::InvalidArgument(where + "\"reason\" must be a string");
    }
    out.push_back({json["item"].get<int64_t>(), json["decision"].get<std::string>(),
                   json.value("reason", std::string())});
  }
  if (in->bad()) return Status::IoError("cannot read " + from + ": " + std::strerror(errno));
  return out;
}

// Records one decision and prints it; 0, or the exit status of its failure.
int DecideOne(host::ReviewQueue& queue, const std::string& reviewer, const Decision& d, bool json,
              bool name_item, const std::vector<std::string>& banks) {
  host::RoundResult result;
  if (Status s = queue.Decide(d.item, reviewer, d.decision, d.reason, banks, &result); !s.ok()) {
    // In a batch each failure names its item (not every message of the store does).
    const std::string item = "item " + std::to_string(d.item);
    const bool named = s.message().find(item + " ") != std::string::npos;
    return Fail(s, name_item && !named ? item + ": " : "");
  }
  // "escalate" passes the item on, and a second review or a senior may follow
  // (store/review_rounds.h): the item is pending again, for someone else.
  const std::string state = result.state;
  std::string next;
  if (state == "pending" && result.round == 2) next = " for a second review";
  if (state == "pending" && result.round == 3) next = " for a senior in " + result.queue;
  if (json) {
    Json out;
    out["item"] = d.item;
    out["decision"] = d.decision;
    out["reason"] = d.reason;
    out["reviewer"] = reviewer;
    out["state"] = state;
    out["round"] = result.round;
    if (!banks.empty()) out["added_to_banks"] = banks;
    PrintJson(out);
  } else {
    std::string added;
    for (const std::string& bank : banks) added += (added.empty() ? "" : ", ") + bank;
    std::printf("Recorded %s for item %lld by %s; the item is %s%s%s%s.\n",
                TerminalText(d.decision).c_str(), static_cast<long long>(d.item),
                TerminalText(reviewer).c_str(), state.c_str(), TerminalText(next).c_str(),
                added.empty() ? "" : "; its hashes are in bank ", TerminalText(added).c_str());
    std::fflush(stdout);
  }
  return 0;
}

int Decide(const GlobalOptions& global, const DecideArgs& args, bool positional) {
  std::vector<Decision> decisions;
  if (args.from.empty()) {
    if (!positional || args.decision.empty()) {
      PrintError("decide needs ID DECISION, or --from FILE");
      return 1;
    }
    decisions.push_back({args.item, args.decision, args.reason});
  } else {
    if (positional || !args.reason.empty()) {
      PrintError(
          "--from FILE takes the items, decisions and reasons from FILE: give no ID, "
          "DECISION or --reason with it");
      return 1;
    }
    auto read = ReadDecisions(args.from);
    if (!read.ok()) {
      PrintError(read.status().message() + "; nothing decided");
      return 1;
    }
    decisions = std::move(read).value();
  }
  Session session = Open(global, args.reviewer);
  if (!session.store) return 1;
  host::ReviewQueue queue(*session.store);
  // Each decision is its own transaction: one that is refused (a lease lost) does not
  // hold back the others. The exit status is the first failure's.
  int exit_code = 0;
  for (const Decision& d : decisions) {
    const int rc = DecideOne(queue, session.reviewer, d, args.json, !args.from.empty(), args.banks);
    if (exit_code == 0) exit_code = rc;
  }
  return exit_code;
}

struct ItemArgs {
  std::string reviewer;
  bool json = false;
  int64_t item = 0;
  std::string reason;
};

int Release(const GlobalOptions& global, const ItemArgs& args) {
  Session session = Open(global, args.reviewer);
  if (!session.store) return 1;
  host::ReviewQueue queue(*session.store);
  if (Status s = queue.Release(args.item, session.reviewer); !s.ok()) return Fail(s);
  if (args.json) {
    Json out;
    out["item"] = args.item;
    out["reviewer"] = session.reviewer;
    out["state"] = "pending";
    PrintJson(out);
  } else {
    std::printf("Released item %lld; it is pending again.\n", static_cast<long long>(args.item));
  }
  return 0;
}

int Reopen(const GlobalOptions& global, const ItemArgs& args) {
  // Checked before the store is opened: a usage error, whatever the item.
  if (args.reason.empty()) {
    PrintError("a reason is required to reopen item " + std::to_string(args.item) +
               ": --reason TEXT");
    return 1;
  }
  Session session = Open(global, args.reviewer);
  if (!session.store) return 1;
  host::ReviewQueue queue(*session.store);
  auto before = queue.Reopen(args.item, session.reviewer, args.reason);
  if (!before.ok()) return Fail(before.status());
  if (args.json) {
    Json out;
    out["item"] = args.item;
    out["reviewer"] = session.reviewer;
    out["reason"] = args.reason;
    out["state"] = "pending";
    out["previous_decision"] = before.value().decision;
    out["previous_reviewer"] = before.value().decided_by;
    PrintJson(out);
  } else {
    std::printf(
        "Reopened item %lld (%s by %s); it is pending again. Earlier decisions stay "
        "on record.\n",
        static_cast<long long>(args.item), TerminalText(before.value().decision).c_str(),
        TerminalText(before.value().decided_by).c_str());
  }
  return 0;
}

void AddReviewerOption(CLI::App& command, std::string& reviewer) {
  command
      .add_option("--reviewer", reviewer,
                  "Who is working (default: $USER), recorded with the claim, decision and "
                  "audit entry")
      ->type_name("ID");
}

}  // namespace

void AddQueueWorkCommands(CLI::App& queue, GlobalOptions& options) {
  static ClaimArgs claim_args;
  CLI::App* claim = queue.add_subcommand(
      "claim",
      "Lease the next item in queue order (or --item ID) and print it; exit 3 when the queue "
      "has nothing pending you may claim");
  AddReviewerOption(*claim, claim_args.reviewer);
  claim->add_flag("--json", claim_args.json, "One JSON object (keys: docs/operations.md)");
  claim
      ->add_option("--lease", claim_args.lease_seconds,
                   "Hold the item this many seconds (default 600); after that a decision is "
                   "refused and the item is served again")
      ->type_name("SECONDS")
      ->check(CLI::Range(1, 86400));
  claim
      ->add_option("--max-severity", claim_args.max_severity,
                   "Serve nothing above this severity, 0-5 (default 5: everything)")
      ->type_name("N")
      ->check(CLI::Range(0, 5));
  claim->add_option("--queue", claim_args.queues,
                    "Claim only from this named queue (repeat for several; `vigil queues` "
                    "lists them)")
      ->type_name("NAME");
  claim->add_option("--item", claim_args.item, "Claim this item or nothing")
      ->type_name("ID")
      ->check(CLI::PositiveNumber);
  claim
      ->add_option("--count", claim_args.count,
                   "Lease up to N items at once, printed one after the other (one JSON "
                   "object per line with --json); exit 3 only when none could be claimed")
      ->type_name("N")
      ->check(CLI::Range(1, 1000));
  claim->callback([&options] { options.exit_code = Claim(options, claim_args); });

  static DecideArgs decide_args;
  CLI::App* decide = queue.add_subcommand(
      "decide",
      "Record a decision on an item you hold: A1, A2, B1, B2, not-illegal or escalate "
      "(the last two need --reason); exit 4 when you do not hold it (or your lease expired)");
  CLI::Option* decide_id =
      decide->add_option("ID", decide_args.item, "The item")->check(CLI::PositiveNumber);
  decide->add_option("DECISION", decide_args.decision, "A1, A2, B1, B2, not-illegal or escalate");
  decide->add_option("--reason", decide_args.reason, "Why (required for not-illegal, escalate)")
      ->type_name("TEXT");
  decide
      ->add_option("--from", decide_args.from,
                   "Record many decisions in one run: FILE (- for stdin) holds one JSON "
                   "object per line, {\"item\": ID, \"decision\": \"A1\", \"reason\": "
                   "\"...\"}; each is recorded on its own, failures are reported one line "
                   "each, and the exit status is the first failure's")
      ->type_name("FILE");
  decide
      ->add_option("--add-to-bank", decide_args.banks,
                   "Also add the item's hashes (its PDQ hash of quality 50 or more, its MD5, "
                   "SHA-1 and SHA-256) to this local bank (local-*; repeatable), recorded with "
                   "the decision; only with A1, A2, B1 or B2. The next scan, match or rematch "
                   "matches them. On a team store only a senior or an admin may (a reviewer's "
                   "decisions add through the policy's [[bank_rules]])")
      ->type_name("NAME");
  AddReviewerOption(*decide, decide_args.reviewer);
  decide->add_flag("--json", decide_args.json,
                   "One JSON object per decision (keys: docs/operations.md)");
  decide->callback([&options, decide_id] {
    options.exit_code = Decide(options, decide_args, decide_id->count() > 0);
  });

  static ItemArgs release_args;
  CLI::App* release = queue.add_subcommand(
      "release",
      "Give back an item you hold (it is pending again); exit 4 when you do not hold it");
  release->add_option("ID", release_args.item, "The item")->required()->check(CLI::PositiveNumber);
  AddReviewerOption(*release, release_args.reviewer);
  release->add_flag("--json", release_args.json, "One JSON object (keys: docs/operations.md)");
  release->callback([&options] { options.exit_code = Release(options, release_args); });

  static ItemArgs reopen_args;
  CLI::App* reopen = queue.add_subcommand(
      "reopen",
      "A senior's appeal: a decided item goes back to pending with the reason; earlier "
      "decisions stay on record (audit entry queue.reopened)");
  reopen->add_option("ID", reopen_args.item, "The item")->required()->check(CLI::PositiveNumber);
  reopen->add_option("--reason", reopen_args.reason, "Why it is reopened (required)")
      ->type_name("TEXT");
  AddReviewerOption(*reopen, reopen_args.reviewer);
  reopen->add_flag("--json", reopen_args.json, "One JSON object (keys: docs/operations.md)");
  reopen->callback([&options] { options.exit_code = Reopen(options, reopen_args); });
}

}  // namespace vigil::cli
