// vigil-review: the reviewer console. See docs/reviewer-guide.md.
//
//   vigil-review --store FILE|postgresql://... [--browse] [--reviewer ID] [--config FILE] [--replay SCRIPT]
//                [--screenshot-dir DIR] [--frames N] [--stats] [--no-vsync]
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "model/clock.h"
#include "model/replay_script.h"
#include "model/review_session.h"
#include "model/reviewer_config.h"
#include "store/db/postgres_database.h"
#include "store/media_vault.h"
#include "store/store.h"
#include "store/store_access.h"
#include "store/store_settings.h"
#include "ui/console_app.h"
#include "ui/glfw_platform.h"
#include "ui/replay_platform.h"

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "vigil-review: %s\n", message.c_str());
  return 1;
}

std::string DefaultReviewer() {
  const char* user = std::getenv("USER");
  return user && *user ? user : "reviewer";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vigil-review: the reviewer console (keyboard first; F12 blanks the screen)"};
  std::string store_path, reviewer = DefaultReviewer(), config_path, replay_path, shots;
  int frames = 0;
  bool print_stats = false, no_vsync = false, browse = false;
  app.add_option("--store", store_path,
                 "The store file made by `vigil scan`, or a team store postgresql://LOGIN@HOST/DB")->required()
      ->type_name("FILE");
  app.add_flag("--browse", browse,
               "Browse only: open the store read-only and look at the queue and the evidence; "
               "nothing is claimed, revealed, decided or recorded (automatic when the store "
               "or its folder cannot be written)");
  CLI::Option* reviewer_option =
      app.add_option("--reviewer", reviewer,
                     "Your reviewer id (default: $USER; on a team store your database login)")
          ->type_name("ID");
  app.add_option("--config", config_path,
                 "Org config with a [reviewer] section (default: built-in defaults)")
      ->type_name("FILE");
  app.add_option("--replay", replay_path, "Play timed key and mouse events from SCRIPT")
      ->type_name("SCRIPT");
  app.add_option("--screenshot-dir", shots, "Save frames as PNG here (replay `screenshot` steps)")
      ->type_name("DIR");
  app.add_option("--frames", frames, "Stop after N frames")->check(CLI::NonNegativeNumber);
  app.add_flag("--stats", print_stats, "Print frame timings on exit");
  app.add_flag("--no-vsync", no_vsync, "Do not wait for the display (measure frame cost)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (reviewer.empty() || reviewer.size() > 128) return Fail("--reviewer must be 1 to 128 characters");
  // A team store (postgresql://...) is a server: the reviewer is the database login, and
  // what the login may do is for the database to say.
  const bool team = vigil::host::IsPostgresUrl(store_path);
  if (!team && !std::filesystem::exists(store_path)) {
    return Fail("no store at " + store_path + ": run `vigil scan --store " + store_path + " ...` first");
  }
  std::unique_ptr<vigil::host::Store> team_store;
  if (team) {
    auto opened = vigil::host::Store::Open(
        store_path, browse ? vigil::host::OpenMode::kReadOnly : vigil::host::OpenMode::kReadWrite);
    if (!opened.ok()) return Fail(opened.status().message());
    team_store = std::move(opened).value();
    if (reviewer_option->count() > 0 && reviewer != team_store->login()) {
      return Fail("on a team store the reviewer is your database login (" + team_store->login() +
                  "), not --reviewer " + reviewer);
    }
    reviewer = team_store->login();
  }
  if (!shots.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(shots, ec);
    if (ec) return Fail("cannot create " + shots + ": " + ec.message());
  }
  vigil::StatusOr<vigil::review::ReviewerConfig> config =
      config_path.empty()
          ? vigil::StatusOr<vigil::review::ReviewerConfig>(
                vigil::review::ReviewerConfig{vigil::review::DefaultReviewerSettings(), {}})
          : vigil::review::LoadReviewerConfig(config_path, reviewer);
  if (!config.ok()) return Fail(config.status().message());
  for (const std::string& c : config.value().clamped) {
    std::fprintf(stderr, "vigil-review: your override of %s was clamped to the org's limit\n", c.c_str());
  }
  std::vector<vigil::review::ReplayStep> steps;
  if (!replay_path.empty()) {
    auto loaded = vigil::review::LoadReplayScript(replay_path);
    if (!loaded.ok()) return Fail(loaded.status().message());
    steps = std::move(loaded).value();
  }
  // A store this process cannot write (an auditor's copy) is browsed, never refused:
  // reading needs no write access. Opened read-only, nothing can be written to it.
  const bool cannot_write = !team && vigil::host::StoreIsReadOnly(store_path);
  browse = browse || cannot_write;
  auto store = team ? vigil::StatusOr<std::unique_ptr<vigil::host::Store>>(std::move(team_store))
                    : vigil::host::Store::Open(store_path, browse
                                                               ? vigil::host::OpenMode::kReadOnly
                                                               : vigil::host::OpenMode::kReadWrite);
  if (!store.ok()) return Fail(store.status().message());
  if (browse) {
    std::fprintf(stderr,
                 "vigil-review: %s: %s (%s); nothing is claimed, revealed, decided or "
                 "recorded\n",
                 vigil::review::kBrowseBanner, store_path.c_str(),
                 cannot_write ? "no write access to the file or its folder" : "--browse");
  }
  for (const std::string& warning : store.value()->schema_warnings()) {
    std::fprintf(stderr, "vigil-review: warning: %s\n", warning.c_str());
  }

  // Replays run on a virtual clock; live sessions on the steady clock.
  vigil::review::SteadyClock steady;
  vigil::review::ManualClock virtual_clock;
  const bool replaying = !replay_path.empty();
  const vigil::review::Clock& clock =
      replaying ? static_cast<const vigil::review::Clock&>(virtual_clock) : steady;

  vigil::review::GlfwPlatform window(!no_vsync && !replaying);
  std::unique_ptr<vigil::review::ReplayPlatform> replay;
  vigil::review::Platform* platform = &window;
  if (replaying) {
    window.set_ignore_input(true);
    replay = std::make_unique<vigil::review::ReplayPlatform>(window, virtual_clock, std::move(steps));
    platform = replay.get();
  }
  if (vigil::Status s = platform->Open(1280, 800, "Vigil review"); !s.ok()) return Fail(s.message());

  vigil::review::ReviewSession session(*store.value(), reviewer, config.value().settings, clock);
  if (vigil::Status s = session.Start(); !s.ok()) return Fail(s.message());
  vigil::review::AppOptions options;
  // Issue 13 item 3: the item's bytes through the store when it keeps them (a team store
  // always; the workstation's with keep_media), on a connection of their own for the
  // cache's worker thread; every fetch is logged. Browsing fetches nothing.
  std::unique_ptr<vigil::host::Store> media_store;
  std::unique_ptr<vigil::host::MediaVault> media_vault;
  if (!browse) {
    auto store_settings = vigil::host::LoadStoreSettings(config_path);
    if (!store_settings.ok()) return Fail(store_settings.status().message());
    if (!store_settings.value().media_key_file.empty()) {
      auto key = vigil::host::MediaKey::Load(store_settings.value().media_key_file);
      if (!key.ok()) return Fail(key.status().message());
      auto opened = vigil::host::Store::Open(store_path);
      if (!opened.ok()) return Fail(opened.status().message());
      media_store = std::move(opened).value();
      media_vault = std::make_unique<vigil::host::MediaVault>(media_store->db(), key.value());
    }
  }
  options.item_bytes = [vault = media_vault.get(), reviewer](int64_t item_id,
                                                             const std::string& path) {
    return vigil::host::ReadItemBytes(vault, item_id, path, reviewer);
  };
  options.screenshot_dir = shots;
  options.max_frames = frames;
  options.replay = replay.get();
  auto stats = vigil::review::RunConsole(*platform, session, clock, options);
  vigil::Status finished = session.Finish();
  if (!stats.ok()) return Fail(stats.status().message());
  if (!finished.ok()) return Fail(finished.message());
  if (print_stats) {
    const auto& s = stats.value();
    std::printf("frames %d  mean %.2f ms (%.0f fps)  worst %.2f ms  queue %zu items\n", s.frames,
                s.mean_ms(), s.mean_ms() > 0 ? 1000.0 / s.mean_ms() : 0.0, s.worst_ms,
                session.queue().size());
  }
  return 0;
}
