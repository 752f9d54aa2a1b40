#include "cli/queue_review_command.h"

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/reviewer_identity.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/review_queue.h"
#include "store/review_rounds.h"
#include "store/store.h"

namespace vigil::cli {
namespace {

using Json = nlohmann::ordered_json;

struct Args {
  std::string reviewer;
  bool json = false;
  int64_t item = 0;
  std::string answer;
  std::string reason;
  bool agree = false;
  bool disagree = false;
  bool all = false;
};

// The store and who acts (the login on a team store); store == nullptr when
// either fails.
std::unique_ptr<host::Store> Open(const GlobalOptions &global, const std::string &flag,
                                  std::string &actor) {
  std::unique_ptr<host::Store> store = OpenStoreOrSay(global);
  if (!store) return nullptr;
  auto id = ReviewerId(*store, flag);
  if (!id.ok()) {
    PrintError(id.status().message());
    return nullptr;
  }
  actor = id.value();
  return store;
}

void PrintJson(const Json &json) { std::cout << host::JsonText(json) << "\n" << std::flush; }

double Rate(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

int GoldenAdd(const GlobalOptions &global, const Args &args) {
  std::string actor;
  auto store = Open(global, args.reviewer, actor);
  if (!store) return 1;
  auto added = host::AddGolden(store->db(), args.item, args.answer, actor);
  if (!added.ok()) {
    PrintError(added.status().message());
    return 1;
  }
  if (args.json) {
    PrintJson({{"item", args.item}, {"answer", args.answer}, {"added_by", actor}});
  } else {
    std::printf(
        "Item %lld is golden (known answer %s): reviewers are served it at the "
        "policy's golden_rate.\n",
        static_cast<long long>(args.item), TerminalText(args.answer).c_str());
  }
  return 0;
}

int GoldenRemove(const GlobalOptions &global, const Args &args) {
  std::string actor;
  auto store = Open(global, args.reviewer, actor);
  if (!store) return 1;
  if (Status s = host::RemoveGolden(store->db(), args.item, actor); !s.ok()) {
    PrintError(s.message());
    return 1;
  }
  if (args.json) {
    PrintJson({{"item", args.item}, {"removed_by", actor}});
  } else {
    std::printf("Item %lld is no longer golden; its answers stay on record.\n",
                static_cast<long long>(args.item));
  }
  return 0;
}

int GoldenList(const GlobalOptions &global, const Args &args) {
  std::string actor;
  auto store = Open(global, args.reviewer, actor);
  if (!store) return 1;
  auto list = host::ListGolden(store->db());
  if (!list.ok()) {
    PrintError(list.status().message());
    return 1;
  }
  if (!args.json)
    std::printf("%-8s %-12s %-9s %-7s %s\n", "ITEM", "ANSWER", "ANSWERED", "AGREED", "ADDED BY");
  for (const host::GoldenItem &g : list.value()) {
    if (args.json) {
      PrintJson({{"item", g.item_id},
                 {"answer", g.answer},
                 {"answered", g.answered},
                 {"agreed", g.agreed},
                 {"added_by", g.added_by},
                 {"added_at", g.added_at}});
    } else {
      std::printf("%-8lld %-12s %-9lld %-7lld %s\n", static_cast<long long>(g.item_id),
                  TerminalText(g.answer).c_str(), static_cast<long long>(g.answered),
                  static_cast<long long>(g.agreed), TerminalText(g.added_by).c_str());
    }
  }
  return 0;
}

int Agreement(const GlobalOptions &global, const Args &args) {
  std::string actor;
  auto store = Open(global, args.reviewer, actor);
  if (!store) return 1;
  auto rows = host::ComputeAgreement(store->db());
  if (!rows.ok()) {
    PrintError(rows.status().message());
    return 1;
  }
  if (!args.json) {
    std::printf("%-20s %7s %7s %6s  %7s %7s %6s\n", "REVIEWER", "GOLDEN", "AGREED", "RATE",
                "SECOND", "AGREED", "RATE");
  }
  for (const host::ReviewerAgreement &r : rows.value()) {
    const double golden = Rate(r.golden_agreed, r.golden_answered);
    const double second = Rate(r.second_agreed, r.second_reviews);
    if (args.json) {
      PrintJson({{"reviewer", r.reviewer},
                 {"golden_answered", r.golden_answered},
                 {"golden_agreed", r.golden_agreed},
                 {"golden_rate", golden},
                 {"second_reviews", r.second_reviews},
                 {"second_agreed", r.second_agreed},
                 {"second_rate", second}});
    } else {
      std::printf("%-20s %7lld %7lld %5.0f%%  %7lld %7lld %5.0f%%\n",
                  TerminalText(r.reviewer).c_str(), static_cast<long long>(r.golden_answered),
                  static_cast<long long>(r.golden_agreed), golden * 100,
                  static_cast<long long>(r.second_reviews), static_cast<long long>(r.second_agreed),
                  second * 100);
    }
  }
  return 0;
}

int QaList(const GlobalOptions &global, const Args &args) {
  std::string actor;
  auto store = Open(global, args.reviewer, actor);
  if (!store) return 1;
  auto tasks = host::ListQa(store->db(), args.all);
  if (!tasks.ok()) {
    PrintError(tasks.status().message());
    return 1;
  }
  if (!args.json) {
    std::printf("%-8s %-12s %-20s %-21s %s\n", "ITEM", "DECISION", "DECIDED BY", "SAMPLED",
                "VERDICT");
  }
  for (const host::QaTask &t : tasks.value()) {
    if (args.json) {
      Json out = {{"item", t.item_id},
                  {"decision", t.decision},
                  {"decided_by", t.decided_by},
                  {"sampled_at", t.sampled_at},
                  {"verdict", t.verdict.empty() ? Json(nullptr) : Json(t.verdict)}};
      if (!t.verdict.empty()) {
        out["senior"] = t.senior;
        out["reason"] = t.reason;
      }
      PrintJson(out);
    } else {
      std::printf("%-8lld %-12s %-20s %-21s %s\n", static_cast<long long>(t.item_id),
                  TerminalText(t.decision).c_str(), TerminalText(t.decided_by).c_str(),
                  t.sampled_at.c_str(),
                  t.verdict.empty() ? "open" : TerminalText(t.verdict + " by " + t.senior).c_str());
    }
  }
  return 0;
}

int QaVerdict(const GlobalOptions &global, const Args &args) {
  if (args.agree == args.disagree) {
    PrintError("give one of --agree or --disagree");
    return 1;
  }
  std::string actor;
  auto store = Open(global, args.reviewer, actor);
  if (!store) return 1;
  const std::string verdict = args.agree ? "agree" : "disagree";
  if (Status s = host::RecordQaVerdict(store->db(), args.item, actor, verdict, args.reason);
      !s.ok()) {
    PrintError(s.message());
    return 1;
  }
  if (args.json) {
    PrintJson(
        {{"item", args.item}, {"verdict", verdict}, {"reason", args.reason}, {"senior", actor}});
  } else {
    std::printf("Recorded QA verdict %s on item %lld by %s.%s\n", verdict.c_str(),
                static_cast<long long>(args.item), TerminalText(actor).c_str(),
                verdict == "disagree" ? " A senior may reopen it: `vigil queue reopen`." : "");
  }
  return 0;
}

void AddCommon(CLI::App &command, Args &args) {
  command
      .add_option("--reviewer", args.reviewer,
                  "Who is acting (default: $USER; a team store: the login)")
      ->type_name("ID");
  command.add_flag("--json", args.json, "One JSON object per line");
}

}  // namespace

void AddQueueReviewCommands(CLI::App &queue, GlobalOptions &options) {
  CLI::App *golden = queue.add_subcommand(
      "golden", "Golden items: known answers mixed into reviewers' claims (an admin's)");
  golden->require_subcommand(1);
  static Args add_args;
  CLI::App *add = golden->add_subcommand("add",
                                         "Flag a queued item as golden with its "
                                         "known answer; reviewers who have not "
                                         "decided it are served it at the policy's "
                                         "golden_rate, and their answers never "
                                         "act on it");
  add->add_option("ID", add_args.item, "The item")->required()->check(CLI::PositiveNumber);
  add->add_option("--answer", add_args.answer, "The known answer: A1, A2, B1, B2 or not-illegal")
      ->required()
      ->type_name("DECISION");
  AddCommon(*add, add_args);
  add->callback([&options] { options.exit_code = GoldenAdd(options, add_args); });
  static Args list_args;
  CLI::App *list = golden->add_subcommand("list",
                                          "The golden items with their answers and "
                                          "how many reviewers answered and agreed");
  AddCommon(*list, list_args);
  list->callback([&options] { options.exit_code = GoldenList(options, list_args); });
  static Args remove_args;
  CLI::App *remove = golden->add_subcommand(
      "remove", "Stop serving a golden item (the answers given stay on record)");
  remove->add_option("ID", remove_args.item, "The item")->required()->check(CLI::PositiveNumber);
  AddCommon(*remove, remove_args);
  remove->callback([&options] { options.exit_code = GoldenRemove(options, remove_args); });

  static Args agreement_args;
  CLI::App *agreement =
      queue.add_subcommand("agreement",
                           "Per reviewer: golden items answered, agreed and the rate; "
                           "second reviews taken part "
                           "in, agreed and the rate");
  AddCommon(*agreement, agreement_args);
  agreement->callback([&options] { options.exit_code = Agreement(options, agreement_args); });

  CLI::App *qa = queue.add_subcommand("qa",
                                      "The seniors' QA list: finally decided items "
                                      "sampled at the policy's qa_sample_rate");
  qa->require_subcommand(1);
  static Args qa_list_args;
  CLI::App *qa_list = qa->add_subcommand("list", "Open QA tasks (--all: with verdicts too)");
  qa_list->add_flag("--all", qa_list_args.all, "Every task, with its verdict");
  AddCommon(*qa_list, qa_list_args);
  qa_list->callback([&options] { options.exit_code = QaList(options, qa_list_args); });
  static Args verdict_args;
  CLI::App *verdict = qa->add_subcommand("verdict",
                                         "A senior's verdict on the sampled "
                                         "decision of an item (kept; never edited)");
  verdict->add_option("ID", verdict_args.item, "The item")->required()->check(CLI::PositiveNumber);
  verdict->add_flag("--agree", verdict_args.agree, "The decision was right");
  verdict->add_flag("--disagree", verdict_args.disagree, "The decision was wrong");
  verdict->add_option("--reason", verdict_args.reason, "Why (required)")
      ->required()
      ->type_name("TEXT");
  AddCommon(*verdict, verdict_args);
  verdict->callback([&options] { options.exit_code = QaVerdict(options, verdict_args); });
}

}  // namespace vigil::cli
