#include "conformance.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "core/terminal_text.h"
#include "elf_exports.h"
#include "loader/plugin_library.h"
#include "vigil/v1/item.pb.h"

namespace vigil::testkit {

namespace {

using host::AnalyzeOutcome;
using host::Detector;
using host::DetectorInstance;

// Symbols the toolchain may add beside the entry point.
const std::set<std::string> kToolchainSymbols = {"_init", "_fini", "_edata", "_end",
                                                 "__bss_start"};

// One synthetic item: owns its bytes, metadata and (optional) image.
struct Case {
  std::string name;
  uint32_t media_kind = VIGIL_MEDIA_BINARY;
  std::string bytes;
  bool null_bytes = false;
  std::string metadata;
  std::vector<uint8_t> pixels;
  vigil_image_view_t image{};
  bool has_image = false;

  vigil_item_view_t View() const {
    vigil_item_view_t view{};
    view.struct_size = sizeof(view);
    view.media_kind = media_kind;
    view.metadata = reinterpret_cast<const uint8_t*>(metadata.data());
    view.metadata_size = metadata.size();
    view.bytes = null_bytes ? nullptr : reinterpret_cast<const uint8_t*>(bytes.data());
    view.bytes_size = null_bytes ? 0 : bytes.size();
    view.image = has_image ? &image : nullptr;
    return view;
  }
};

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  return bytes;
}

std::string Metadata(uint32_t media_kind, const std::string& url) {
  vigil::v1::ItemMetadata metadata;
  metadata.set_item_id("conformance");
  metadata.set_media_kind(static_cast<vigil::v1::MediaKind>(media_kind));
  if (!url.empty()) metadata.set_url(url);
  return metadata.SerializeAsString();
}

std::unique_ptr<Case> MakeImageCase(const std::string& name, uint32_t w, uint32_t h,
                                    uint32_t seed) {
  auto c = std::make_unique<Case>();
  c->name = name;
  c->media_kind = VIGIL_MEDIA_IMAGE;
  c->bytes = std::string("\x89PNG\r\n\x1a\n", 8);  // the decoded view is what matters
  c->pixels.resize(size_t{w} * h * 3);
  std::mt19937 rng(seed);
  for (auto& p : c->pixels) p = static_cast<uint8_t>(rng() & 0xff);
  c->image = {sizeof(vigil_image_view_t), w, h, w * 3, VIGIL_PIXEL_RGB8, 1, c->pixels.data()};
  c->has_image = true;
  c->metadata = Metadata(VIGIL_MEDIA_IMAGE, "");
  return c;
}

// The hostile and ordinary inputs every detector must survive, for the kinds it accepts.
std::vector<std::unique_ptr<Case>> MakeCases(const Detector& detector,
                                             const ConformanceOptions& options) {
  std::vector<std::unique_ptr<Case>> cases;
  auto add = [&](std::string name, uint32_t kind, std::string bytes, bool null_bytes = false,
                 std::string url = "") {
    auto c = std::make_unique<Case>();
    c->name = std::move(name);
    c->media_kind = kind;
    c->bytes = std::move(bytes);
    c->null_bytes = null_bytes;
    c->metadata = Metadata(kind, url);
    cases.push_back(std::move(c));
  };
  for (int kind : detector.info().accepted_media()) {
    const uint32_t k = static_cast<uint32_t>(kind);
    const std::string prefix = std::string("kind ") + std::to_string(k) + ": ";
    add(prefix + "empty", k, "", true);
    add(prefix + "truncated JPEG", k, std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11));
    add(prefix + "truncated PNG", k, std::string("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16));
    add(prefix + "garbage 64 KiB", k, RandomBytes(64 << 10, 7));
    if (k == static_cast<uint32_t>(detector.info().accepted_media(0))) {
      // Once per detector: large inputs cost time, not coverage, when repeated per kind.
      add(prefix + "oversized", k, RandomBytes(options.oversized_bytes, 11));
    }
    if (k == VIGIL_MEDIA_URL) {
      add(prefix + "plain URL", k, "", true, "http://www.example.com/a/b?c=d");
      add(prefix + "garbage URL", k, "", true, std::string("ht\x01tp://\xff\xfe/%%%", 14));
      add(prefix + "1 MB URL", k, "", true, "http://example.com/" + std::string(1 << 20, 'a'));
    }
    if (k == VIGIL_MEDIA_IMAGE) {
      cases.push_back(MakeImageCase(prefix + "1x1 image", 1, 1, 1));
      cases.push_back(MakeImageCase(prefix + "3x1000 image", 3, 1000, 2));
      cases.push_back(MakeImageCase(prefix + "640x480 image", 640, 480, 3));
    }
  }
  return cases;
}

// A clean outcome: ok with parseable results, or a failure status with a reason.
bool Clean(const AnalyzeOutcome& outcome, std::string* why) {
  if (outcome.status.ok()) return true;
  const std::string& m = outcome.status.message();
  if (outcome.status.code() == Status::Code::kCorruption ||
      outcome.status.code() == Status::Code::kResource ||
      m.find("threw a C++ exception") != std::string::npos ||
      m.find("gave no reason") != std::string::npos) {
    *why = m;
    return false;
  }
  return true;
}

// Reports one step of a check running in a forked child: "RUN name" before it (so a
// crash names it), "BAD name: why" when it was not clean.
struct ChildReport {
  int fd;
  void Run(const std::string& name) const {
    std::string line = "RUN " + name + "\n";
    (void)!write(fd, line.data(), line.size());
  }
  void Bad(const std::string& name, const std::string& why) const {
    std::string line = "BAD " + name + ": " + why + "\n";
    (void)!write(fd, line.data(), line.size());
  }
};

// Runs `body` in a forked child; a crash or hang becomes a failure with its reason.
// `passed_detail` is the detail when every step was clean.
template <class Body>
CheckResult InChild(const std::string& name, std::chrono::seconds timeout,
                    const std::string& passed_detail, Body&& body) {
  CheckResult result{name, false, ""};
  int fds[2];
  if (pipe(fds) != 0) return {name, false, "pipe() failed"};
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return {name, false, "fork() failed"};
  if (pid == 0) {
    close(fds[0]);
    body(ChildReport{fds[1]});
    (void)!write(fds[1], "DONE\n", 5);
    _exit(0);
  }
  close(fds[1]);
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  char buffer[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0) continue;
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);

  std::string last_case;
  std::string bad;  // the first bad case, in full
  int bad_count = 0;
  size_t pos = 0;
  while (pos < output.size()) {
    size_t end = output.find('\n', pos);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(pos, end - pos);
    if (line.rfind("RUN ", 0) == 0) last_case = line.substr(4);
    if (line.rfind("BAD ", 0) == 0) {
      if (bad_count++ == 0) bad = line.substr(4);
    }
    pos = end + 1;
  }
  if (timed_out) {
    result.detail = "did not finish within " + std::to_string(timeout.count()) +
                    " s (hung on '" + last_case + "')";
  } else if (WIFSIGNALED(wstatus)) {
    result.detail = std::string("crashed with signal ") + std::to_string(WTERMSIG(wstatus)) +
                    " (" + strsignal(WTERMSIG(wstatus)) + ") on '" + last_case + "'";
  } else if (output.find("DONE\n") == std::string::npos) {
    // A sanitizer turns a crash into a report and an exit status instead of a signal.
    result.detail = "crashed (exit status " + std::to_string(WEXITSTATUS(wstatus)) +
                    ", see any sanitizer report above) on '" + last_case + "'";
  } else if (bad_count > 0) {
    result.detail = bad + (bad_count > 1 ? " (and " + std::to_string(bad_count - 1) +
                                               " more inputs)" : "");
  } else {
    result.passed = true;
    result.detail = passed_detail;
  }
  return result;
}

// Runs every case in a forked child.
CheckResult HostileInputCheck(const std::string& name, DetectorInstance& instance,
                              const std::vector<std::unique_ptr<Case>>& cases,
                              std::chrono::seconds timeout) {
  return InChild(name, timeout,
                 std::to_string(cases.size()) + " inputs, each ok or a clean failure",
                 [&](const ChildReport& report) {
                   for (const auto& c : cases) {
                     report.Run(c->name);
                     std::string why;
                     if (!Clean(instance.Analyze(c->View()), &why)) report.Bad(c->name, why);
                   }
                 });
}

// vigil.frames/1: lends drawn frames (no video decoder in the kit) the way the host
// does, in a forked child: a 10-second 64x48 25 fps video at the detector's own rate
// (end_video must write a well-formed result), the same cut short by an injected decode
// failure (the outcome must be failed, never clean), a video of 1x1 frames and one with
// no frames (each ok or a clean failure). Every frame buffer is freed right after its
// call, so a plugin that keeps a frame pointer is caught by the kit's ASan build.
CheckResult FramesCheck(const std::string& name, DetectorInstance& instance,
                        std::chrono::seconds timeout) {
  const host::FrameWants wants = instance.frame_wants();
  int64_t step = 1;
  if (!wants.every_frame) {
    const double frames = 25.0 / wants.frames_per_second;
    step = frames >= 1 ? static_cast<int64_t>(frames) : 1;
  }
  Case video;
  video.media_kind = VIGIL_MEDIA_VIDEO;
  video.bytes = RandomBytes(4096, 13);  // what the host decoded is in the frames
  video.metadata = Metadata(VIGIL_MEDIA_VIDEO, "");
  auto lend = [&](const ChildReport& report, const std::string& what, uint32_t w, uint32_t h,
                  int64_t frames, const Status& decode, bool must_fail) {
    report.Run(what);
    vigil_video_info_t info{sizeof(vigil_video_info_t), w, h, 0, 25.0, frames / 25.0, frames};
    auto session = instance.BeginVideo(video.View(), info);
    if (!session.ok()) {
      report.Bad(what, "begin: " + session.status().message());
      return;
    }
    for (int64_t n = 0; n < frames; n += step) {
      auto pixels = std::make_unique<uint8_t[]>(size_t{w} * h * 3);
      for (size_t i = 0; i < size_t{w} * h * 3; ++i) {
        pixels[i] = static_cast<uint8_t>((i * 7 + static_cast<size_t>(n) * 3) & 0xff);
      }
      vigil_frame_view_t frame{};
      frame.struct_size = sizeof(frame);
      frame.frame_number = n;
      frame.timestamp_seconds = static_cast<double>(n) / 25.0;
      frame.image = {sizeof(vigil_image_view_t), w, h, w * 3, VIGIL_PIXEL_RGB8, 1, pixels.get()};
      if (!session.value()->Frame(frame).ok()) break;  // End() reports it
    }
    AnalyzeOutcome outcome = session.value()->End(decode);
    std::string why;
    if (must_fail && outcome.status.ok()) {
      report.Bad(what, "recorded clean after a decode failure");
    } else if (!must_fail && !Clean(outcome, &why)) {
      report.Bad(what, why);
    }
  };
  return InChild(
      name, timeout,
      std::string("4 videos at ") +
          (wants.every_frame ? "every frame" : std::to_string(wants.frames_per_second) + " fps"),
      [&](const ChildReport& report) {
        lend(report, "10 s 64x48 video", 64, 48, 250, Status::Ok(), false);
        lend(report, "decode failure after 2 s", 64, 48, 50,
             Status::Corruption("injected decode failure"), true);
        lend(report, "1x1 frames", 1, 1, 50, Status::Ok(), false);
        lend(report, "no frames", 64, 48, 0, Status::Ok(), false);
      });
}

}  // namespace

std::vector<CheckResult> RunConformance(const std::filesystem::path& plugin,
                                        const ConformanceOptions& options) {
  std::vector<CheckResult> results;

  // 1. Export table: only the entry symbol.
  {
    auto exports = ReadElfExports(plugin);
    CheckResult check{"exports only vigil_entry_v1", false, ""};
    if (!exports.ok()) {
      check.detail = exports.status().message();
    } else {
      std::string extra;
      bool has_entry = false;
      for (const std::string& name : exports.value()) {
        if (name == VIGIL_ENTRY_SYMBOL) has_entry = true;
        else if (!kToolchainSymbols.count(name)) extra += (extra.empty() ? "" : ", ") + name;
      }
      if (!has_entry) {
        check.detail = "vigil_entry_v1 is not exported";
      } else if (!extra.empty()) {
        check.detail = "also exports: " + extra +
                       " (build with vigil_add_plugin(), which hides everything else)";
      } else {
        check.passed = true;
      }
    }
    results.push_back(check);
  }

  // 2. Load: entry struct, negotiation, init, detector tables, describe().
  auto opened = host::PluginLibrary::Open(plugin);
  if (!opened.ok()) {
    results.push_back({"loads (entry, negotiation, detector tables)", false,
                       opened.status().message()});
    return results;
  }
  std::shared_ptr<host::PluginLibrary> library = opened.value();
  std::vector<Detector> detectors = library->Detectors();
  results.push_back({"loads (entry, negotiation, detector tables)", true,
                     std::to_string(detectors.size()) + " detector(s), ABI " +
                         std::to_string(library->abi().major) + "." +
                         std::to_string(library->abi().minor)});

  for (const Detector& detector : detectors) {
    const std::string id = detector.id();
    // 3. describe() output is complete.
    {
      const auto& info = detector.info();
      std::string missing;
      if (info.version().empty()) missing += " version";
      if (info.vendor().empty()) missing += " vendor";
      if (info.accepted_media_size() == 0) missing += " accepted_media";
      if (info.kind() == vigil::v1::DETECTOR_KIND_UNSPECIFIED) missing += " kind";
      results.push_back({id + ": describe() is complete", missing.empty(),
                         missing.empty() ? info.version() : "missing:" + missing});
    }
    // 4. Bad configuration is refused with a message.
    {
      auto bad = detector.CreateFromBytes(std::string("\xff\xff\xff\xff\x0f", 5));
      CheckResult check{id + ": refuses a malformed config", false, ""};
      if (bad.ok()) {
        check.detail = "create() accepted bytes that are not a vigil.v1.DetectorConfig";
      } else if (bad.status().message().find("gave no reason") != std::string::npos) {
        check.detail = "refused, but wrote no error text: " + bad.status().message();
      } else {
        check.passed = true;
        check.detail = bad.status().message();
      }
      results.push_back(check);
    }
    // 5. Default configuration works.
    auto created = detector.Create(vigil::v1::DetectorConfig());
    if (!created.ok()) {
      results.push_back({id + ": creates with the default config", false,
                         created.status().message()});
      continue;
    }
    results.push_back({id + ": creates with the default config", true, ""});
    std::unique_ptr<DetectorInstance> instance = std::move(created).value();

    // 6. Hostile input, in a child process.
    auto cases = MakeCases(detector, options);
    CheckResult hostile = HostileInputCheck(
        id + ": survives empty, truncated, garbage and oversized input", *instance, cases,
        options.hostile_timeout);
    results.push_back(hostile);
    if (!hostile.passed) continue;  // the rest would crash the checker itself

    // 7. Determinism: the same input gives the same bytes.
    std::vector<std::string> serial;
    std::string nondeterministic;
    for (const auto& c : cases) {
      AnalyzeOutcome first = instance->Analyze(c->View());
      AnalyzeOutcome second = instance->Analyze(c->View());
      if (first.status.ok() != second.status.ok() || first.raw != second.raw) {
        nondeterministic += (nondeterministic.empty() ? "" : ", ") + c->name;
      }
      serial.push_back(first.status.ok() ? first.raw : "FAILED");
    }
    results.push_back({id + ": deterministic", nondeterministic.empty(),
                       nondeterministic.empty() ? "" : "differs on: " + nondeterministic});

    // 8. Batches: the "vigil.batch/1" extension, when offered, gives the single-call results.
    if (instance->supports_batch()) {
      std::vector<const vigil_item_view_t*> views;
      std::vector<vigil_item_view_t> storage;
      std::vector<size_t> index;
      for (size_t i = 0; i < cases.size(); ++i) {
        if (cases[i]->bytes.size() > (1u << 20)) continue;
        storage.push_back(cases[i]->View());
        index.push_back(i);
      }
      for (const auto& v : storage) views.push_back(&v);
      std::vector<AnalyzeOutcome> batch = instance->AnalyzeBatch(views);
      std::string differ;
      for (size_t k = 0; k < batch.size(); ++k) {
        if ((batch[k].status.ok() ? batch[k].raw : "FAILED") != serial[index[k]]) {
          differ += (differ.empty() ? "" : ", ") + cases[index[k]]->name;
        }
      }
      results.push_back({id + ": vigil.batch/1 matches single calls",
                         batch.size() == views.size() && differ.empty(),
                         differ.empty() ? std::to_string(views.size()) + " items in one batch"
                                        : "differs on: " + differ});
    }

    // 8b. vigil.frames/1, when offered: a usable frame request, then videos of drawn
    // frames (FramesCheck).
    if (instance->frame_wants().wanted) {
      const host::FrameWants wants = instance->frame_wants();
      results.push_back({id + ": vigil.frames/1 frame request is usable", wants.error.ok(),
                         wants.error.ok() ? "" : wants.error.message()});
      if (wants.error.ok()) {
        results.push_back(FramesCheck(id + ": vigil.frames/1 videos (begin, frames, end)",
                                      *instance, options.hostile_timeout));
      }
    }

    // 9. Concurrency: N threads give the serial results.
    if (detector.flags() & VIGIL_DETECTOR_SERIAL) {
      results.push_back({id + ": concurrent analyze matches serial", true,
                         "declares SERIAL: the host serialises it"});
    } else {
      std::vector<std::string> mismatches(static_cast<size_t>(options.threads));
      std::vector<std::thread> threads;
      for (int t = 0; t < options.threads; ++t) {
        threads.emplace_back([&, t] {
          for (int round = 0; round < 3; ++round) {
            for (size_t i = 0; i < cases.size(); ++i) {
              size_t k = (i + static_cast<size_t>(t)) % cases.size();  // stagger the order
              if (cases[k]->bytes.size() > (1u << 20)) continue;  // serial check covered it
              AnalyzeOutcome o = instance->Analyze(cases[k]->View());
              if ((o.status.ok() ? o.raw : "FAILED") != serial[k]) {
                mismatches[static_cast<size_t>(t)] = cases[k]->name;
              }
            }
          }
        });
      }
      for (auto& thread : threads) thread.join();
      std::string differ;
      for (const auto& m : mismatches) {
        if (!m.empty()) differ += (differ.empty() ? "" : ", ") + m;
      }
      results.push_back({id + ": concurrent analyze matches serial", differ.empty(),
                         differ.empty() ? std::to_string(options.threads) + " threads"
                                        : "differs on: " + differ});
    }
  }
  return results;
}

int PrintConformance(const std::vector<CheckResult>& results) {
  int failed = 0;
  for (const auto& r : results) {
    // Names and details quote the plugin's own words (ids, errors): escaped, one line.
    std::printf("%s  %s%s%s\n", r.passed ? "PASS" : "FAIL", TerminalText(r.name).c_str(),
                r.detail.empty() ? "" : ": ", TerminalText(r.detail).c_str());
    failed += r.passed ? 0 : 1;
  }
  std::printf("%s: %zu checks, %d failed\n", failed ? "FAILED" : "OK", results.size(), failed);
  return failed ? 1 : 0;
}

}  // namespace vigil::testkit
