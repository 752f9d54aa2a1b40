// The console rendered for real: Xvfb (started here, on a display number Xvfb picks
// itself) and Mesa's software OpenGL. vigil-review is driven by replay scripts and its
// frames (glReadPixels -> PNG) are measured: the obscured picture has far less detail
// than the revealed one, the reveal times out, panic blanks every pixel, and decisions
// made with keys land in the store and the audit log. Screenshots stay under
// <build>/tests/ui-screenshots as CI artifacts.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "fixture_store.h"
#include "image/png_io.h"
#include "store/audit_log.h"
#include "store/db/database.h"
#include "store/store.h"
#include "vigil/decode/image_decoder.h"
#include "xvfb.h"

namespace vigil::review {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;


struct RunResult {
  int exit_code = -1;
  std::string stderr_text;
  std::string stdout_text;
};

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs vigil-review with `args`; `display` empty means no DISPLAY at all. `as_reader`:
// as a user without write access to what it does not own (root runs it as nobody).
RunResult RunConsole(const std::vector<std::string>& args, const std::string& display,
                     const fs::path& work, bool as_reader = false) {
  const fs::path out = work / "stdout.txt", err = work / "stderr.txt";
  pid_t pid = fork();
  if (pid == 0) {
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, 1);
    dup2(e, 2);
    if (display.empty()) {
      unsetenv("DISPLAY");
      unsetenv("WAYLAND_DISPLAY");
    } else {
      setenv("DISPLAY", display.c_str(), 1);
    }
    setenv("LIBGL_ALWAYS_SOFTWARE", "1", 1);
    if (as_reader && geteuid() == 0) {
      if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) _exit(126);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(VIGIL_REVIEW_BIN));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(VIGIL_REVIEW_BIN, argv.data());
    _exit(127);
  }
  RunResult result;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.stderr_text = "timed out";
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.stdout_text = ReadAll(out);
  result.stderr_text = ReadAll(err);
  return result;
}

RgbImage LoadPng(const fs::path& path) {
  auto decoded = decode::DecodeImageFile(path.string());
  EXPECT_TRUE(decoded.ok()) << path << ": " << decoded.status().message();
  RgbImage image;
  if (!decoded.ok()) return image;
  image = RgbImage(static_cast<int>(decoded.value().width), static_cast<int>(decoded.value().height));
  image.pixels = decoded.value().pixels;
  return image;
}

nlohmann::json LoadSidecar(const fs::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "missing " << path;
  nlohmann::json j = nlohmann::json::object();
  if (in) in >> j;
  return j;
}

double EnergyIn(const RgbImage& frame, const nlohmann::json& rect) {
  const int x = static_cast<int>(rect[0].get<double>()) + 2, y = static_cast<int>(rect[1].get<double>()) + 2;
  const int w = static_cast<int>(rect[2].get<double>()) - 4, h = static_cast<int>(rect[3].get<double>()) - 4;
  return testing::HighFrequencyEnergy(frame, x, y, w, h);
}

class RenderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    xvfb_ = new Xvfb();
    std::string error;
    started_ = xvfb_->Start(&error);
    start_error_ = error;
  }
  static void TearDownTestSuite() {
    xvfb_->Stop();
    delete xvfb_;
    xvfb_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(started_) << start_error_;
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    work_ = fs::temp_directory_path() / ("vigil-render-" + std::to_string(getpid()) + "-" + name);
    fs::remove_all(work_);
    fs::create_directories(work_);
    shots_ = fs::path(VIGIL_BINARY_DIR) / "tests" / "ui-screenshots" / name;
    fs::remove_all(shots_);
    fs::create_directories(shots_);
    auto store = host::Store::Open(work_ / "store.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    ids_ = testing::MakeQueue(*store.value(), work_ / "images", 3, {3, 4, 2}, 480, 360);
    ASSERT_EQ(ids_.size(), 3u);
  }
  void TearDown() override { fs::remove_all(work_); }

  RunResult Replay(const std::string& script) {
    std::ofstream(work_ / "script.txt") << script;
    return RunConsole({"--store", (work_ / "store.db").string(), "--reviewer", "render",
                       "--replay", (work_ / "script.txt").string(), "--screenshot-dir",
                       shots_.string()},
                      xvfb_->display(), work_);
  }

  static Xvfb* xvfb_;
  static bool started_;
  static std::string start_error_;
  fs::path work_;
  fs::path shots_;
  std::vector<int64_t> ids_;
};

Xvfb* RenderTest::xvfb_ = nullptr;
bool RenderTest::started_ = false;
std::string RenderTest::start_error_;

TEST_F(RenderTest, ObscuredRevealTimeoutPanicAndDecisionsByKeys) {
  // Times are replay time (a virtual 60 Hz clock): identical on any machine.
  const RunResult run = Replay(
      "0 key Enter tap\n"           // skip the private check-in
      "100 pointer-image 0.5 0.5\n"
      "200 screenshot obscured\n"
      "300 key Space down\n"        // reveal for the default 3 s
      "400 screenshot revealed\n"
      "3500 screenshot timedout\n"  // still held, past the timeout
      "3600 key Space up\n"
      "3700 key F12 tap\n"
      "3700 screenshot panic\n"     // the same frame the key arrived in
      "3800 key F12 tap\n"
      "3900 screenshot back\n"
      "4000 key 3 tap\n"            // B1
      "4200 key 0 tap\n"            // not illegal: asks for a reason
      "4300 text drawn test pattern\n"
      "4400 screenshot reason\n"
      "4500 key Enter tap\n"
      "4700 screenshot decided\n"
      "4800 quit\n");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;

  const RgbImage obscured = LoadPng(shots_ / "obscured.png");
  const RgbImage revealed = LoadPng(shots_ / "revealed.png");
  const RgbImage timed_out = LoadPng(shots_ / "timedout.png");
  const RgbImage panic = LoadPng(shots_ / "panic.png");
  const RgbImage back = LoadPng(shots_ / "back.png");
  const nlohmann::json obscured_meta = LoadSidecar(shots_ / "obscured.json");
  const nlohmann::json revealed_meta = LoadSidecar(shots_ / "revealed.json");
  ASSERT_EQ(obscured.width, 1280);
  ASSERT_EQ(obscured_meta["screen"], "working");
  ASSERT_TRUE(revealed_meta["reveal_rect"].is_array()) << revealed_meta.dump();

  // The original picture (drawn by fixture item 0) is full of edges; obscured, its
  // drawn area has far less; the revealed region shows them again.
  const RgbImage original = testing::DrawPattern(480, 360, 0);
  const double original_energy = testing::HighFrequencyEnergy(original, 0, 0, 480, 360);
  const nlohmann::json& reveal_rect = revealed_meta["reveal_rect"];
  const double obscured_whole = EnergyIn(obscured, obscured_meta["image_rect"]);
  const double obscured_region = EnergyIn(obscured, reveal_rect);
  const double revealed_region = EnergyIn(revealed, reveal_rect);
  EXPECT_LT(obscured_whole, original_energy * 0.1)
      << "obscured " << obscured_whole << " original " << original_energy;
  EXPECT_LT(obscured_region, revealed_region * 0.1)
      << "obscured " << obscured_region << " revealed " << revealed_region;

  // After the timeout the same region is obscured again, though Space is still held.
  const nlohmann::json timed_out_meta = LoadSidecar(shots_ / "timedout.json");
  EXPECT_TRUE(timed_out_meta["reveal_rect"].is_null());
  EXPECT_LT(EnergyIn(timed_out, reveal_rect), revealed_region * 0.1);

  // Panic: every pixel black, in the frame the key arrived in.
  ASSERT_FALSE(panic.pixels.empty());
  size_t lit = 0;
  for (uint8_t v : panic.pixels) lit += v != 0;
  EXPECT_EQ(lit, 0u) << "pixels still lit after the panic key";
  // Coming back never reveals.
  EXPECT_LT(EnergyIn(back, reveal_rect), revealed_region * 0.1);

  // Decisions by key, in the store and the audit log.
  auto store = host::Store::Open(work_ / "store.db");
  ASSERT_TRUE(store.ok());
  host::Statement rows(store.value()->db(),
                       "SELECT item_id, reviewer, decision, coalesce(reason, '') FROM decisions ORDER BY id");
  std::vector<std::string> decisions;
  while (rows.Step() == host::kRow) {
    decisions.push_back(std::to_string(rows.ColumnInt(0)) + " " + rows.ColumnText(1) + " " +
                        rows.ColumnText(2) + " " + rows.ColumnText(3));
  }
  // The queue shows the most severe first (docs/operations.md): ids_[1] (severity 4),
  // then ids_[0] (severity 3).
  EXPECT_THAT(decisions, ::testing::ElementsAre(
                             std::to_string(ids_[1]) + " render B1 ",
                             std::to_string(ids_[0]) + " render not-illegal drawn test pattern"));
  host::Statement reveals(store.value()->db(), "SELECT count(*), sum(duration_ms) FROM reveals");
  ASSERT_EQ(reveals.Step(), host::kRow);
  EXPECT_EQ(reveals.ColumnInt(0), 1);
  EXPECT_EQ(reveals.ColumnInt(1), 3000);
  auto audit = host::VerifyAudit(store.value()->db());
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit.value().problems.empty());
  host::Statement decided(store.value()->db(),
                          "SELECT count(*) FROM audit_log WHERE action = 'queue.decided' AND actor = 'render'");
  ASSERT_EQ(decided.Step(), host::kRow);
  EXPECT_EQ(decided.ColumnInt(0), 2);
}

// Issue 16 item 4 (done when): a video item is shown as a storyboard of its matched
// frames, obscured, with their times and a timeline of the matched range; holding Space
// over the middle frame reveals a region of that frame only, which re-obscures at the
// timeout; the panic key blanks the window. The ledger counts the frame and the seconds.
TEST_F(RenderTest, VideoStoryboardObscuredRevealOfOneFrameAndPanic) {
  // 10 s of FFmpeg's benign test card (plenty of edges), matched at 2-4 s: three frames,
  // one row, so the middle frame is under the picture's centre.
  const fs::path clip = work_ / "card.mp4";
  const std::string make =
      "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=320x240:rate=25 "
      "-t 10 -c:v libx264 -preset veryfast -pix_fmt yuv420p " +
      clip.string();
  ASSERT_EQ(std::system(make.c_str()), 0) << make;
  int64_t video_id = 0;
  {
    auto store = host::Store::Open(work_ / "store.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    testing::FixtureItem video;
    video.severity = 5;  // served first
    video.obscure_level = 5;
    video.media_kind = "video";
    video.format = "mp4";
    video.image_path = clip.string();
    video.item_ranges = {{2, 4}};
    video_id = testing::AddQueuedItem(*store.value(), video, 90);
    ASSERT_GT(video_id, 0);
  }
  const RunResult run = Replay(
      "0 key Enter tap\n"  // skip the private check-in
      "100 pointer-image 0.5 0.5\n"
      "200 screenshot video-obscured\n"
      "300 key Space down\n"
      "400 screenshot video-revealed\n"
      "3500 screenshot video-timedout\n"
      "3600 key Space up\n"
      "3700 key F12 tap\n"
      "3700 screenshot video-panic\n"
      "3800 key F12 tap\n"
      "3900 screenshot video-back\n"
      "4000 key M tap\n"  // more frames: evenly spaced others join the matched ones
      "4100 screenshot video-more\n"
      "4200 key 1 tap\n"  // A1: the item is left and its exposure recorded
      "4400 quit\n");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;

  const nlohmann::json meta = LoadSidecar(shots_ / "video-obscured.json");
  ASSERT_EQ(meta["item_id"], video_id) << meta.dump();
  ASSERT_TRUE(meta["storyboard"].is_object()) << meta.dump();
  const nlohmann::json& tiles = meta["storyboard"]["tiles"];
  ASSERT_EQ(tiles.size(), 3u) << meta.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(tiles[i]["seconds"].get<double>(), 2.0 + static_cast<double>(i));
    EXPECT_TRUE(tiles[i]["matched"].get<bool>());
  }
  EXPECT_NEAR(meta["storyboard"]["duration_seconds"].get<double>(), 10.0, 0.1);

  const RgbImage obscured = LoadPng(shots_ / "video-obscured.png");
  const RgbImage revealed = LoadPng(shots_ / "video-revealed.png");
  const RgbImage timed_out = LoadPng(shots_ / "video-timedout.png");
  const RgbImage panic = LoadPng(shots_ / "video-panic.png");
  const RgbImage back = LoadPng(shots_ / "video-back.png");
  const nlohmann::json revealed_meta = LoadSidecar(shots_ / "video-revealed.json");
  ASSERT_TRUE(revealed_meta["reveal_rect"].is_array()) << revealed_meta.dump();
  const nlohmann::json& reveal_rect = revealed_meta["reveal_rect"];

  // The reveal is a region of the middle frame, inside it.
  const nlohmann::json& middle = tiles[1]["rect"];
  auto at = [](const nlohmann::json& r, int i) { return r[i].get<double>(); };
  EXPECT_GE(at(reveal_rect, 0), at(middle, 0) - 1.5);
  EXPECT_GE(at(reveal_rect, 1), at(middle, 1) - 1.5);
  EXPECT_LE(at(reveal_rect, 0) + at(reveal_rect, 2), at(middle, 0) + at(middle, 2) + 1.5);
  EXPECT_LE(at(reveal_rect, 1) + at(reveal_rect, 3), at(middle, 1) + at(middle, 3) + 1.5);
  EXPECT_LT(at(reveal_rect, 2) * at(reveal_rect, 3), at(middle, 2) * at(middle, 3));

  // Obscured, the frame's region has far less detail than revealed; after the timeout it
  // is obscured again though Space is still held; back from panic it is obscured.
  const double shown = EnergyIn(revealed, reveal_rect);
  EXPECT_LT(EnergyIn(obscured, reveal_rect), shown * 0.1) << "revealed " << shown;
  EXPECT_TRUE(LoadSidecar(shots_ / "video-timedout.json")["reveal_rect"].is_null());
  EXPECT_LT(EnergyIn(timed_out, reveal_rect), shown * 0.1);
  EXPECT_LT(EnergyIn(back, reveal_rect), shown * 0.1);
  // The other frames were never revealed: their centres look the same obscured and
  // while the middle one was revealed.
  for (size_t i : {0u, 2u}) {
    const nlohmann::json& r = tiles[i]["rect"];
    const nlohmann::json centre = {at(r, 0) + at(r, 2) / 4, at(r, 1) + at(r, 3) / 4, at(r, 2) / 2,
                                   at(r, 3) / 2};
    EXPECT_LT(EnergyIn(revealed, centre), shown * 0.1) << "frame " << i;
  }

  // The timeline marks 2-4 s of 10 s in amber, and not 8 s.
  const nlohmann::json& bar = meta["storyboard"]["timeline_rect"];
  ASSERT_GT(at(bar, 2), 100.0) << bar.dump();
  auto pixel = [&](double fraction) {
    const int x = static_cast<int>(at(bar, 0) + fraction * at(bar, 2));
    const int y = static_cast<int>(at(bar, 1) + at(bar, 3) * 0.25);
    return obscured.at(x, y);
  };
  EXPECT_GT(pixel(0.3)[0], 200);
  EXPECT_LT(pixel(0.3)[2], 120);
  EXPECT_LT(pixel(0.8)[0], 120);

  // Panic: every pixel black.
  ASSERT_FALSE(panic.pixels.empty());
  EXPECT_TRUE(
      std::all_of(panic.pixels.begin(), panic.pixels.end(), [](uint8_t v) { return v == 0; }));

  // M: the 10 s video has 10 frames at 1 fps; all are shown now, the 3 matched among them,
  // obscured like the rest.
  const nlohmann::json more = LoadSidecar(shots_ / "video-more.json");
  ASSERT_TRUE(more["storyboard"].is_object()) << more.dump();
  ASSERT_EQ(more["storyboard"]["tiles"].size(), 10u) << more.dump();
  int matched = 0;
  for (const auto& tile : more["storyboard"]["tiles"]) matched += tile["matched"].get<bool>();
  EXPECT_EQ(matched, 3);
  const RgbImage more_shot = LoadPng(shots_ / "video-more.png");
  for (const auto& tile : more["storyboard"]["tiles"]) {
    const nlohmann::json& r = tile["rect"];
    const nlohmann::json centre = {at(r, 0) + at(r, 2) / 4, at(r, 1) + at(r, 3) / 4, at(r, 2) / 2,
                                   at(r, 3) / 2};
    EXPECT_LT(EnergyIn(more_shot, centre), shown * 0.1) << tile.dump();
  }

  // The ledger: one frame revealed, for the 3 s of the reveal, on this video item.
  auto store = host::Store::Open(work_ / "store.db");
  ASSERT_TRUE(store.ok());
  host::Statement row(store.value()->db(),
                      "SELECT sum(video_frames_revealed), sum(video_seconds_unobscured), "
                      "sum(seconds_unobscured), sum(reveals) FROM exposure WHERE item_id = ?1");
  row.Bind(1, video_id);
  ASSERT_EQ(row.Step(), host::kRow);
  EXPECT_EQ(row.ColumnInt(0), 1);
  EXPECT_NEAR(std::stod(row.ColumnText(1)), 3.0, 1e-6);
  EXPECT_NEAR(std::stod(row.ColumnText(2)), 3.0, 1e-6);
  EXPECT_EQ(row.ColumnInt(3), 1);
}

TEST_F(RenderTest, PanicFromTheReasonDialogBlanksEverything) {
  const RunResult run = Replay(
      "0 key Enter tap\n"
      "100 key E tap\n"
      "200 text half a reason\n"
      "300 key Escape tap\n"  // closes the dialog...
      "350 key Escape tap\n"  // ...and the second Escape within 0.6 s panics
      "350 screenshot panic\n"
      "500 quit\n");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const RgbImage panic = LoadPng(shots_ / "panic.png");
  ASSERT_FALSE(panic.pixels.empty());
  EXPECT_TRUE(std::all_of(panic.pixels.begin(), panic.pixels.end(), [](uint8_t v) { return v == 0; }));
}

TEST_F(RenderTest, WithoutADisplayOneLineSaysWhatToDo) {
  const RunResult run = RunConsole({"--store", (work_ / "store.db").string()}, "", work_);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.stderr_text, HasSubstr("vigil queue show"));
  EXPECT_EQ(std::count(run.stderr_text.begin(), run.stderr_text.end(), '\n'), 1) << run.stderr_text;
}

TEST_F(RenderTest, BadArgumentsFailWithOneLine) {
  std::ofstream(work_ / "bad.txt") << "0 key Hyper tap\n";
  RunResult run = RunConsole({"--store", (work_ / "store.db").string(), "--replay",
                              (work_ / "bad.txt").string()},
                             xvfb_->display(), work_);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.stderr_text, HasSubstr("replay line 1: unknown key 'Hyper'"));
  run = RunConsole({"--store", (work_ / "missing.db").string()}, xvfb_->display(), work_);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.stderr_text, HasSubstr("vigil scan"));
  EXPECT_FALSE(fs::exists(work_ / "missing.db")) << "a typo must not create an empty store";
  std::ofstream(work_ / "bad.toml") << "[reviewer]\nreveal_timeout_seconds = 99\n";
  run = RunConsole({"--store", (work_ / "store.db").string(), "--config",
                    (work_ / "bad.toml").string()},
                   xvfb_->display(), work_);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.stderr_text, HasSubstr("reveal_timeout_seconds"));
}

// Browse only (issue 12, item 9): a copy of the store nobody may write (file and folder
// read-only; run as nobody when the test runs as root) opens in the console with the
// banner, the picture obscured as usual, every writing key refused with its reason in the
// notice, and the store file and its folder exactly as they were: no -wal, no -shm.
TEST_F(RenderTest, ReadOnlyStoreIsBrowsedAndLeftUntouched) {
  const fs::path copy = work_ / "copy";
  fs::create_directories(copy);
  fs::copy_file(work_ / "store.db", copy / "store.db");
  ASSERT_FALSE(fs::exists(work_ / "store.db-wal"));
  fs::permissions(copy / "store.db",
                  fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(copy, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                            fs::perms::group_exec | fs::perms::others_read |
                            fs::perms::others_exec);
  fs::permissions(shots_, fs::perms::all);  // the reader saves the screenshots
  auto listing = [&] {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(copy)) {
      out.push_back(entry.path().filename().string() + " " + ReadAll(entry.path()));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  const std::vector<std::string> before = listing();
  ASSERT_EQ(before.size(), 1u);

  std::ofstream(work_ / "browse.txt") << "0 pointer-image 0.5 0.5\n"
                                         "100 screenshot browse\n"
                                         "200 key 1 tap\n"
                                         "300 screenshot decide\n"
                                         "400 key Space down\n"
                                         "500 screenshot reveal\n"
                                         "600 key Space up\n"
                                         "700 key [ tap\n"
                                         "800 screenshot weaker\n"
                                         "900 key Down tap\n"
                                         "1000 screenshot next\n"
                                         "1100 quit\n";
  const RunResult run =
      RunConsole({"--store", (copy / "store.db").string(), "--reviewer", "auditor", "--replay",
                  (work_ / "browse.txt").string(), "--screenshot-dir", shots_.string()},
                 xvfb_->display(), work_, /*as_reader=*/true);
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_THAT(run.stderr_text, HasSubstr("Read-only store: browse only"));
  EXPECT_THAT(run.stderr_text, HasSubstr("no write access"));

  const nlohmann::json browse = LoadSidecar(shots_ / "browse.json");
  EXPECT_EQ(browse["screen"], "browse");
  EXPECT_EQ(browse["browse_only"], true);
  EXPECT_THAT(browse["notice"].get<std::string>(), HasSubstr("Read-only store: browse only"));
  // The most severe item first (ids_[1], drawn with seed 1), obscured as usual.
  EXPECT_EQ(browse["item_id"], ids_[1]);
  const RgbImage original = testing::DrawPattern(480, 360, 1);
  const double original_energy = testing::HighFrequencyEnergy(original, 0, 0, 480, 360);
  ASSERT_TRUE(browse["image_rect"].is_array());
  ASSERT_GT(browse["image_rect"][2].get<double>(), 10) << "the picture is drawn";
  EXPECT_LT(EnergyIn(LoadPng(shots_ / "browse.png"), browse["image_rect"]), original_energy * 0.1);

  const nlohmann::json decide = LoadSidecar(shots_ / "decide.json");
  EXPECT_THAT(decide["notice"].get<std::string>(), HasSubstr("A1 cannot be recorded"));
  EXPECT_EQ(decide["decisions"], 0);
  EXPECT_EQ(decide["item_id"], ids_[1]);

  // Space is held: nothing is revealed, the picture stays obscured.
  const nlohmann::json reveal = LoadSidecar(shots_ / "reveal.json");
  EXPECT_TRUE(reveal["reveal_rect"].is_null()) << reveal.dump();
  EXPECT_THAT(reveal["notice"].get<std::string>(), HasSubstr("reveal must be logged"));
  EXPECT_LT(EnergyIn(LoadPng(shots_ / "reveal.png"), reveal["image_rect"]), original_energy * 0.1);

  const nlohmann::json weaker = LoadSidecar(shots_ / "weaker.json");
  EXPECT_THAT(weaker["notice"].get<std::string>(), HasSubstr("cannot be weakened"));
  EXPECT_EQ(weaker["obscure_level"], browse["obscure_level"]);

  const nlohmann::json next = LoadSidecar(shots_ / "next.json");
  EXPECT_EQ(next["screen"], "browse");
  EXPECT_EQ(next["item_id"], ids_[0]);

  EXPECT_EQ(listing(), before) << "the store and its folder must be left as they were";
  fs::permissions(copy, fs::perms::owner_all, fs::perm_options::add);
}

// --browse on a store that could be written: opened read-only all the same.
TEST_F(RenderTest, BrowseFlagDecidesNothing) {
  const std::string before = ReadAll(work_ / "store.db");
  std::ofstream(work_ / "flag.txt") << "0 key 1 tap\n100 key N tap\n200 key 3 tap\n300 quit\n";
  const RunResult run = RunConsole({"--store", (work_ / "store.db").string(), "--browse",
                                    "--replay", (work_ / "flag.txt").string()},
                                   xvfb_->display(), work_);
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_THAT(run.stderr_text, HasSubstr("browse only"));
  EXPECT_THAT(run.stderr_text, HasSubstr("(--browse)"));
  EXPECT_EQ(ReadAll(work_ / "store.db"), before);
  auto store = host::Store::Open(work_ / "store.db", host::OpenMode::kReadOnly);
  ASSERT_TRUE(store.ok());
  host::Statement rows(store.value()->db(),
                       "SELECT (SELECT count(*) FROM decisions) + (SELECT count(*) FROM exposure) "
                       "+ (SELECT count(*) FROM queue WHERE state != 'pending')");
  ASSERT_EQ(rows.Step(), vigil::host::kRow);
  EXPECT_EQ(rows.ColumnInt(0), 0);
}

}  // namespace
}  // namespace vigil::review
