// The vigil.python bridge (issue 17, item 2) end to end: `vigil scan` runs the sample
// detector.py in a worker and records its detections, the conformance kit passes it, and
// hostile Python detectors (tests/plugins/hostile/python/) are contained like the hostile
// C plugins: a crash, an abort, a hang or a socket fails that item with the reason and
// the scan goes on; an exception or a result of the wrong shape is a clean one-line error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A 24-bit BMP of one colour, drawn here (benign test images).
void WriteBmp(const fs::path& path, int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  const int row = (width * 3 + 3) / 4 * 4;
  const uint32_t data = static_cast<uint32_t>(row * height);
  std::string bytes = "BM";
  auto u32 = [&](uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  auto u16 = [&](uint16_t v) {
    bytes.push_back(static_cast<char>(v & 0xff));
    bytes.push_back(static_cast<char>(v >> 8));
  };
  u32(54 + data);
  u32(0);
  u32(54);
  u32(40);
  u32(static_cast<uint32_t>(width));
  u32(static_cast<uint32_t>(height));
  u16(1);
  u16(24);
  u32(0);
  u32(data);
  u32(2835);
  u32(2835);
  u32(0);
  u32(0);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      bytes.push_back(static_cast<char>(b));
      bytes.push_back(static_cast<char>(g));
      bytes.push_back(static_cast<char>(r));
    }
    bytes.append(static_cast<size_t>(row - width * 3), '\0');
  }
  std::ofstream(path, std::ios::binary) << bytes;
}

class PythonBridge : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-pybridge-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_TRUE(fs::exists(bridge_)) << "missing " << bridge_ << " (target vigil-python)";
    // Nothing is first-party here; the bridge is unsigned, so developer mode (it still
    // runs in workers). A policy that names no first-party detector.
    std::ofstream(dir_ / "host.toml") << "[trust]\nkeys = \"trusted\"\n";
    std::ofstream(dir_ / "policy.toml") << "[[rules]]\nname = \"any\"\noutcome = \"review\"\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  static CliRun Execute(const std::string& command, const fs::path& err_file) {
    CliRun run;
    FILE* pipe = ::popen((command + " 2>" + err_file.string()).c_str(), "r");
    if (pipe == nullptr) return run;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.out.append(buffer, n);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err_file);
    std::stringstream text;
    text << in.rdbuf();
    run.err = text.str();
    return run;
  }

  // `vigil ARGS` with the bridge loaded and `detector` as its Python detector.
  CliRun Vigil(const fs::path& detector, const std::string& args) {
    const fs::path vigil = fs::path(VIGIL_BINARY_DIR) / "bin" / "vigil";
    return Execute("env -u VIGIL_PLUGIN_PATH VIGIL_HOST_CONFIG=" + (dir_ / "host.toml").string() +
                       " VIGIL_PYTHON_DETECTOR=" + detector.string() + " " + vigil.string() +
                       " --developer-mode --plugin-dir " + bridge_.parent_path().string() + " " +
                       args,
                   dir_ / "stderr.txt");
  }

  // Scans `items` into a store of its own (so quarantine counts stay per test); returns
  // each item's JSON line by file name.
  std::map<std::string, nlohmann::json> Scan(const fs::path& detector, const fs::path& items,
                                             CliRun* run_out = nullptr) {
    const fs::path store = dir_ / ("store-" + items.filename().string()) / "store.db";
    fs::create_directories(store.parent_path());
    CliRun run = Vigil(detector, "--store " + store.string() + " scan " + items.string() +
                                     " --json --policy " + (dir_ / "policy.toml").string());
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::map<std::string, nlohmann::json> by_name;
    std::istringstream lines(run.out);
    for (std::string line; std::getline(lines, line);) {
      nlohmann::json item = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(item.is_discarded()) << line;
      if (item.is_discarded() || !item.contains("item")) continue;
      by_name[fs::path(item["item"].get<std::string>()).filename().string()] = item;
    }
    if (run_out != nullptr) *run_out = run;
    return by_name;
  }

  // A folder with the attack item (13 px wide) first and a benign one (16 px) after it.
  fs::path AttackItems(const std::string& name) {
    const fs::path items = dir_ / name;
    fs::create_directories(items);
    WriteBmp(items / "a-attack.bmp", 13, 13, 200, 200, 200);
    WriteBmp(items / "b-benign.bmp", 16, 16, 200, 200, 200);
    return items;
  }

  // The attack item failed for `id` with `reason`; the benign one after it was analysed.
  void ExpectContained(const std::string& file, const std::string& id, const std::string& reason) {
    const fs::path detector = hostile_ / file;
    ASSERT_TRUE(fs::exists(detector)) << detector;
    auto items = Scan(detector, AttackItems(id));
    ASSERT_EQ(items.size(), 2u);
    const nlohmann::json& attack = items["a-attack.bmp"];
    EXPECT_EQ(attack["status"], "failed") << attack.dump();
    ASSERT_TRUE(attack.contains("detector_errors")) << attack.dump();
    EXPECT_THAT(attack["detector_errors"][id].get<std::string>(), HasSubstr(reason));
    const nlohmann::json& benign = items["b-benign.bmp"];
    EXPECT_EQ(benign["status"], "ok") << benign.dump();
    ASSERT_EQ(benign["detections"].size(), 1u) << benign.dump();
    EXPECT_EQ(benign["detections"][0]["detector"], id);
    EXPECT_EQ(benign["detections"][0]["label"], "seen");
  }

  fs::path dir_;
  const fs::path bridge_ =
      fs::path(VIGIL_BINARY_DIR) / "lib" / "vigil" / "python" / "vigil-python.so";
  const fs::path sample_ =
      fs::path(VIGIL_SOURCE_DIR) / "samples" / "python-detector" / "detector.py";
  const fs::path hostile_ = fs::path(VIGIL_SOURCE_DIR) / "tests" / "plugins" / "hostile" / "python";
};

TEST_F(PythonBridge, ScanRecordsTheSampleDetectorsDetectionsFromAWorker) {
  const fs::path items = dir_ / "items";
  fs::create_directories(items);
  WriteBmp(items / "red.bmp", 32, 24, 220, 20, 20);
  WriteBmp(items / "blue.bmp", 32, 24, 20, 20, 220);
  WriteBmp(items / "half.bmp", 40, 10, 90, 90, 90);

  // Loaded in a worker, described by the Python describe().
  CliRun listed = Vigil(sample_, "plugins list --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  nlohmann::json list = nlohmann::json::parse(listed.out, nullptr, false);
  ASSERT_FALSE(list.is_discarded()) << listed.out;
  // The bridge's entry (the sample C/C++ plugins are listed too when vigil_samples is built).
  const nlohmann::json* bridge = nullptr;
  for (const nlohmann::json& plugin : list["plugins"]) {
    const std::string path = plugin.value("path", "");
    if (path.size() >= 15 && path.compare(path.size() - 15, 15, "vigil-python.so") == 0) {
      bridge = &plugin;
    }
  }
  ASSERT_NE(bridge, nullptr) << listed.out;
  EXPECT_EQ((*bridge)["isolation"], "worker");
  EXPECT_EQ((*bridge)["detectors"][0]["id"], "sample.mostly-red");
  EXPECT_EQ((*bridge)["detectors"][0]["version"], "1.0.0");

  auto scanned = Scan(sample_, items);
  ASSERT_EQ(scanned.size(), 3u);
  const nlohmann::json& red = scanned["red.bmp"];
  EXPECT_EQ(red["status"], "ok") << red.dump();
  ASSERT_EQ(red["detections"].size(), 1u) << red.dump();
  EXPECT_EQ(red["detections"][0]["detector"], "sample.mostly-red");
  EXPECT_EQ(red["detections"][0]["label"], "mostly-red");
  EXPECT_DOUBLE_EQ(red["detections"][0]["score"].get<double>(), 1.0);
  EXPECT_EQ(red["detections"][0]["severity"], "low");
  EXPECT_EQ(red["detections"][0]["reason"], "100% of 32x24 pixels are red");
  EXPECT_EQ(scanned["blue.bmp"]["status"], "ok");
  EXPECT_TRUE(scanned["blue.bmp"]["detections"].empty());
  EXPECT_TRUE(scanned["half.bmp"]["detections"].empty());

  // ... and recorded in the store.
  CliRun stats =
      Vigil(sample_, "--store " + (dir_ / "store-items" / "store.db").string() + " stats --json");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  nlohmann::json counts = nlohmann::json::parse(stats.out, nullptr, false);
  ASSERT_FALSE(counts.is_discarded()) << stats.out;
  EXPECT_EQ(counts["items"], 3);
  EXPECT_EQ(counts["detections"], 1);
  EXPECT_EQ(counts["by_detector"]["sample.mostly-red mostly-red"], 1);
}

TEST_F(PythonBridge, ConformanceKitPassesTheSample) {
  const fs::path check = fs::path(VIGIL_BINARY_DIR) / "bin" / "vigil-plugin-check";
  CliRun run = Execute("env VIGIL_PYTHON_DETECTOR=" + sample_.string() + " " + check.string() +
                           " " + bridge_.string(),
                       dir_ / "stderr.txt");
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr(" checks, 0 failed"));
  EXPECT_THAT(run.out, HasSubstr("sample.mostly-red: creates with the default config"));
}

TEST_F(PythonBridge, CrashIsContained) {
  ExpectContained("crash.py", "hostile.py-crash", "SIGSEGV");
}
TEST_F(PythonBridge, AbortIsContained) {
  ExpectContained("abort.py", "hostile.py-abort", "SIGABRT");
}
TEST_F(PythonBridge, HangIsCutOffAtTheDeadline) {
  ExpectContained("loop.py", "hostile.py-loop", "deadline");
}
TEST_F(PythonBridge, SocketIsRefusedBySandbox) {
  ExpectContained("socket_open.py", "hostile.py-socket", "SIGSYS");
}

TEST_F(PythonBridge, ExceptionFailsTheItemWithTheTracebacksLastLine) {
  ExpectContained("raises.py", "hostile.py-raise",
                  "ValueError: no detector today (raises.py, line 10, in analyze)");
}

TEST_F(PythonBridge, ResultsOfTheWrongShapeAreClearErrors) {
  const fs::path items = dir_ / "garbage";
  fs::create_directories(items);
  WriteBmp(items / "w13.bmp", 13, 8, 1, 2, 3);
  WriteBmp(items / "w14.bmp", 14, 8, 1, 2, 3);
  WriteBmp(items / "w15.bmp", 15, 8, 1, 2, 3);
  WriteBmp(items / "w16.bmp", 16, 8, 1, 2, 3);
  WriteBmp(items / "w17.bmp", 17, 8, 1, 2, 3);
  WriteBmp(items / "w18.bmp", 18, 8, 1, 2, 3);
  auto scanned = Scan(hostile_ / "garbage.py", items);
  ASSERT_EQ(scanned.size(), 6u);
  auto error = [&](const std::string& name) {
    const nlohmann::json& item = scanned[name];
    EXPECT_EQ(item["status"], "failed") << item.dump();
    return item.value("detector_errors", nlohmann::json::object())
        .value("hostile.py-garbage", std::string());
  };
  EXPECT_THAT(error("w13.bmp"),
              HasSubstr("analyze() must return a list of dicts (or None), not str"));
  EXPECT_THAT(error("w14.bmp"), HasSubstr("detection 0: 'label' must be a str, not int"));
  EXPECT_THAT(error("w15.bmp"), HasSubstr("'score' must be from 0 to 1, not nan"));
  EXPECT_THAT(error("w17.bmp"), HasSubstr("kept a reference to the image"));
  EXPECT_THAT(error("w18.bmp"), HasSubstr("ValueError: assignment destination is read-only"));
  EXPECT_EQ(scanned["w16.bmp"]["status"], "ok") << scanned["w16.bmp"].dump();
}

TEST_F(PythonBridge, BadDescriptionOrMissingFileRefusesTheBridgeWithTheReason) {
  CliRun bad = Vigil(hostile_ / "bad_describe.py", "plugins list --json");
  ASSERT_EQ(bad.exit_code, 0) << bad.err;
  EXPECT_THAT(bad.out, HasSubstr("describe(): 'version' must be a str, not int"));
  // A file that does not compile, and one whose import raises: the reason, one line.
  std::ofstream(dir_ / "syntax.py") << "def describe(:\n    return {}\n";
  CliRun syntax = Vigil(dir_ / "syntax.py", "plugins list --json");
  EXPECT_THAT(syntax.out,
              HasSubstr("syntax.py: SyntaxError: invalid syntax (syntax.py, line 1)\""));
  std::ofstream(dir_ / "raising.py") << "import json\nraise RuntimeError('model missing')\n";
  CliRun raising = Vigil(dir_ / "raising.py", "plugins list --json");
  EXPECT_THAT(raising.out, HasSubstr("RuntimeError: model missing (raising.py, line 2"));
  CliRun missing = Vigil(dir_ / "nope.py", "plugins list --json");
  ASSERT_EQ(missing.exit_code, 0) << missing.err;
  EXPECT_THAT(missing.out, HasSubstr("nope.py: no such file"));
  CliRun unset =
      Execute("env -u VIGIL_PYTHON_DETECTOR VIGIL_HOST_CONFIG=" + (dir_ / "host.toml").string() +
                  " " + (fs::path(VIGIL_BINARY_DIR) / "bin" / "vigil").string() +
                  " --developer-mode --plugin-dir " + bridge_.parent_path().string() +
                  " plugins list --json",
              dir_ / "stderr.txt");
  EXPECT_THAT(unset.out, HasSubstr("no Python detector: set VIGIL_PYTHON_DETECTOR"));
}

}  // namespace
