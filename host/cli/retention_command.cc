// `vigil retention run|hold|release|holds` (issue 13 item 3): deletes the media
// kept in the store once an item was decided more than [store] retention_days
// ago (default 90), unless a preservation hold keeps it. Items, signals,
// decisions and the audit log stay; every deletion, hold and release is
// audited. On a team store the database decides who may: an admin runs
// retention, seniors and admins hold and release.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/reviewer_identity.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/retention.h"

namespace vigil::cli {
namespace {

struct RetentionArgs {
  bool dry_run = false;
  bool json = false;
  int64_t item = 0;
  std::string until;
  std::string reason;
  std::string reviewer;  // --reviewer: who, on a workstation store (else $USER)
};

nlohmann::ordered_json MediaJson(const std::vector<host::RetainedMedia> &list) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const host::RetainedMedia &m : list) {
    out.push_back({{"item", m.item_id},
                   {"sha256", m.sha256},
                   {"size", m.size},
                   {"decided_at", m.decided_at}});
  }
  return out;
}

int Run(const GlobalOptions &global, const std::string &action, const RetentionArgs &args) {
  auto settings = StoreSettingsOf(global);
  if (!settings.ok()) {
    PrintError(settings.status().message());
    return 1;
  }
  std::unique_ptr<host::Store> store =
      OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/action == "holds");
  if (!store) return 1;
  if (action == "holds") {
    auto holds = host::ListHolds(store->db());
    if (!holds.ok()) {
      PrintError(holds.status().message());
      return 1;
    }
    const std::string now = host::NowUtc();
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const host::PreservationHold &h : holds.value()) {
      if (args.json) {
        out.push_back({{"item", h.item_id},
                       {"until", h.until},
                       {"reason", h.reason},
                       {"held_by", h.held_by},
                       {"held_at", h.held_at},
                       {"expired", h.until <= now}});
      } else {
        std::printf("item %lld: held until %s by %s (%s)%s\n", static_cast<long long>(h.item_id),
                    h.until.c_str(), TerminalText(h.held_by).c_str(),
                    TerminalText(h.reason).c_str(),
                    h.until <= now ? "; expired, keeps nothing" : "");
      }
    }
    if (args.json) std::printf("%s\n", host::JsonText(out).c_str());
    if (!args.json && holds.value().empty()) std::printf("No preservation holds.\n");
    return 0;
  }
  auto actor = ReviewerId(*store, args.reviewer);
  if (!actor.ok()) {
    PrintError(actor.status().message());
    return 2;
  }
  const std::string now = host::NowUtc();
  if (action == "hold" || action == "release") {
    Status done = action == "hold" ? host::PlaceHold(store->db(), args.item, args.until,
                                                     args.reason, actor.value(), now)
                                   : host::ReleaseHolds(store->db(), args.item, actor.value(), now);
    if (!done.ok()) {
      PrintError(done.message());
      return done.code() == Status::Code::kInvalidArgument ? 2 : 1;
    }
    if (args.json) {
      nlohmann::ordered_json out = {{"item", args.item}, {"action", action}};
      if (action == "hold") out["until"] = args.until;
      std::printf("%s\n", host::JsonText(out).c_str());
    } else {
      std::printf(action == "hold" ? "item %lld: held until the end of %s\n"
                                   : "item %lld: hold released%s\n",
                  static_cast<long long>(args.item), action == "hold" ? args.until.c_str() : "");
    }
    return 0;
  }
  const int days = settings.value().retention_days;
  auto report = host::RunRetention(store->db(), days, args.dry_run, actor.value(), now);
  if (!report.ok()) {
    PrintError(report.status().message());
    return 1;
  }
  const host::RetentionReport &r = report.value();
  if (args.json) {
    nlohmann::ordered_json out = {{"dry_run", args.dry_run},   {"retention_days", days},
                                  {"cutoff", r.cutoff},        {"deleted", MediaJson(r.deleted)},
                                  {"held", MediaJson(r.held)}, {"kept", r.kept}};
    std::printf("%s\n", host::JsonText(out).c_str());
    return 0;
  }
  const char *verb = args.dry_run ? "would delete" : "deleted";
  for (const host::RetainedMedia &m : r.deleted) {
    std::printf("item %lld: %s its media (%lld bytes; decided %s)\n",
                static_cast<long long>(m.item_id), verb, static_cast<long long>(m.size),
                m.decided_at.c_str());
  }
  for (const host::RetainedMedia &m : r.held) {
    std::printf("item %lld: kept by a preservation hold (decided %s)\n",
                static_cast<long long>(m.item_id), m.decided_at.c_str());
  }
  int64_t bytes = 0;
  for (const host::RetainedMedia &m : r.deleted) bytes += m.size;
  std::fprintf(stderr,
               "vigil: retention %d days (decided before %s): %s %zu media "
               "(%lld bytes), "
               "%zu held, %lld kept%s\n",
               days, r.cutoff.c_str(), verb, r.deleted.size(), static_cast<long long>(bytes),
               r.held.size(), static_cast<long long>(r.kept),
               args.dry_run ? "; --dry-run: nothing changed" : "");
  return 0;
}

}  // namespace

void RegisterRetentionCommand(CLI::App &app, GlobalOptions &options) {
  static RetentionArgs args;
  CLI::App *retention =
      app.add_subcommand("retention",
                         "Media kept in the store: delete it after the decision plus "
                         "[store] retention_days "
                         "(default 90) unless a preservation hold keeps it. Items, "
                         "signals, decisions and the "
                         "audit log are never deleted; every deletion, hold and "
                         "release is audited");
  retention->require_subcommand(1);

  CLI::App *run = retention->add_subcommand("run",
                                            "Delete the stored media of items decided more than "
                                            "retention_days ago (not reopened, "
                                            "not held). On a team store: admins");
  run->add_flag("--dry-run", args.dry_run, "Say what would be deleted; change nothing");
  run->add_flag("--json", args.json, "One JSON object on stdout");
  run->add_option("--reviewer", args.reviewer,
                  "Who you are, on a workstation store (default: $USER; on a team store "
                  "your database login)")
      ->type_name("ID");
  run->callback([&options] { options.exit_code = Run(options, "run", args); });

  CLI::App *hold =
      retention->add_subcommand("hold",
                                "Keep an item's media past its retention (a preservation hold). "
                                "On a team "
                                "store: seniors and admins");
  hold->add_option("ITEM", args.item, "The item id")->required();
  hold->add_option("--until", args.until, "Keep it through this day (UTC)")
      ->type_name("YYYY-MM-DD")
      ->required();
  hold->add_option("--reason", args.reason, "Why (recorded with the hold and audited)")
      ->type_name("TEXT")
      ->required();
  hold->add_flag("--json", args.json, "One JSON object on stdout");
  hold->add_option("--reviewer", args.reviewer,
                   "Who you are, on a workstation store (default: $USER; on a team store "
                   "your database login)")
      ->type_name("ID");
  hold->callback([&options] { options.exit_code = Run(options, "hold", args); });

  CLI::App *release =
      retention->add_subcommand("release",
                                "End an item's preservation holds (audited). On a team store: "
                                "seniors and admins");
  release->add_option("ITEM", args.item, "The item id")->required();
  release->add_flag("--json", args.json, "One JSON object on stdout");
  release
      ->add_option("--reviewer", args.reviewer,
                   "Who you are, on a workstation store (default: $USER; on a team store "
                   "your database login)")
      ->type_name("ID");
  release->callback([&options] { options.exit_code = Run(options, "release", args); });

  CLI::App *holds =
      retention->add_subcommand("holds", "The preservation holds not released, oldest first");
  holds->add_flag("--json", args.json, "One JSON array on stdout");
  holds->callback([&options] { options.exit_code = Run(options, "holds", args); });
}

}  // namespace vigil::cli
