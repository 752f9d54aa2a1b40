// The `vigil` command against hostile plugins and vendor model files (issue 18, items
// 3-5), end to end with the build's first-party plugins:
//   - a signed vendor plugin declaring vigil.pdq is refused; the known image still matches;
//   - a detector the policy names that did not load fails the scan, never "clear";
//   - a signed vendor plugin forging hash-match A1 for every item gets it queued for
//     review, never auto-actioned, and the record names the vendor's detector;
//   - vigil.classifier with a model that is not shipped runs in a worker, loads only a
//     signed model, scores as in process, and a garbage model fails without the host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

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
using ::testing::Not;

struct CliRun {
  int exit_code = -1;
  bool signalled = false;
  std::string out;
  std::string err;
};

class TrustBoundaryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-trust-boundary-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "vendor");
    ASSERT_TRUE(fs::exists(testdata_)) << "shared test data is missing: " << testdata_;
    WriteHostConfig(true);
    ASSERT_EQ(Vigil("plugins keygen --out " + (dir_ / "key").string()).exit_code, 0);
    CliRun trusted = Vigil("plugins trust " + (dir_ / "key" / "vigil-signing.pub").string() +
                           " --trust-dir " + (dir_ / "trusted").string());
    ASSERT_EQ(trusted.exit_code, 0) << trusted.err;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The build's plugins are first-party (as installed), the trust store is this test's.
  void WriteHostConfig(bool first_party) {
    std::ofstream(dir_ / "host.toml")
        << (first_party ? "[plugins]\nfirst_party = [\"vigil-*.so\"]\n" : "")
        << "[trust]\nkeys = \"trusted\"\n";
  }

  CliRun Run(const std::string& command) {
    const std::string err_file = (dir_ / "stderr.txt").string();
    CliRun run;
    FILE* pipe = ::popen((command + " 2>" + err_file).c_str(), "r");
    if (pipe == nullptr) return run;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.out.append(buffer, n);
    int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    // The shell reports a child killed by a signal as 128 + the signal.
    run.signalled = WIFSIGNALED(status) || run.exit_code > 128;
    std::ifstream in(err_file);
    std::stringstream text;
    text << in.rdbuf();
    run.err = text.str();
    return run;
  }

  CliRun Vigil(const std::string& args) {
    const fs::path vigil = fs::path(VIGIL_BINARY_DIR) / "bin" / "vigil";
    return Run("env -u VIGIL_PLUGIN_PATH -u VIGIL_CLASSIFIER_MODEL VIGIL_HOST_CONFIG=" +
               (dir_ / "host.toml").string() + " " + vigil.string() + " --store " +
               (dir_ / "store.db").string() + " " + args);
  }

  void Sign(const fs::path& file) {
    CliRun run = Vigil("plugins sign --key " + (dir_ / "key" / "vigil-signing.key").string() + " " +
                       file.string());
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }

  // A hostile plugin copied into the vendor folder and signed with the trusted key.
  fs::path SignedVendorPlugin(const std::string& hostile, const std::string& name) {
    const fs::path source = fs::path(VIGIL_TEST_PLUGIN_DIR) / "hostile" / hostile;
    EXPECT_TRUE(fs::exists(source)) << "missing " << source;
    const fs::path plugin = dir_ / "vendor" / name;
    fs::copy_file(source, plugin, fs::copy_options::overwrite_existing);
    Sign(plugin);
    return plugin;
  }

  static std::vector<nlohmann::json> JsonLines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(json.is_discarded()) << line;
      if (!json.is_discarded()) lines.push_back(json);
    }
    return lines;
  }

  std::string Sql(const std::string& query) {
    CliRun run = Run("sqlite3 " + (dir_ / "store.db").string() + " \"" + query + "\"");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  }

  // `plugins list --json`: the entry whose path ends in `file`, or {"error": ...}.
  nlohmann::json Listed(const std::string& flags, const std::string& file) {
    CliRun run = Vigil(flags + " plugins list --json");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    nlohmann::json json = nlohmann::json::parse(run.out, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << run.out;
    if (json.is_discarded()) return {};
    for (const auto& p : json["plugins"]) {
      if (fs::path(p["path"].get<std::string>()).filename() == file) return p;
    }
    for (const auto& e : json["errors"]) {
      if (fs::path(e["path"].get<std::string>()).filename() == file) return {{"error", e["error"]}};
    }
    return {};
  }

  fs::path dir_;
  const fs::path testdata_ = fs::path(VIGIL_TESTDATA);
  const fs::path bridge_ = testdata_ / "pdq" / "images-and-lists" / "bridge-mods" / "aaa-orig.jpg";
};

// Item 3: the squatter loads from --plugin-dir before the installed plugins.
TEST_F(TrustBoundaryCli, SquatterOnVigilPdqIsRefusedAndTheKnownImageStillMatches) {
  const fs::path squatter = SignedVendorPlugin("hostile-squat-pdq.so", "acme-pdq.so");
  CliRun imported =
      Vigil("lists import --type pdq --format te-csv --bank demo-known " +
            (fs::path(VIGIL_SOURCE_DIR) / "samples" / "demo" / "demo-bank.te.csv").string());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  nlohmann::json refused = Listed("--plugin-dir " + (dir_ / "vendor").string(), "acme-pdq.so");
  ASSERT_TRUE(refused.contains("error")) << refused.dump();
  EXPECT_THAT(refused["error"].get<std::string>(),
              HasSubstr("declares detector id 'vigil.pdq', but ids starting with 'vigil.' are "
                        "reserved to Vigil's first-party plugins"));
  nlohmann::json pdq = Listed("--plugin-dir " + (dir_ / "vendor").string(), "vigil-pdq.so");
  ASSERT_FALSE(pdq.contains("error")) << pdq.dump();
  EXPECT_EQ(pdq["trust"], "first-party");

  CliRun scan =
      Vigil("--plugin-dir " + (dir_ / "vendor").string() + " scan " + bridge_.string() + " --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_THAT(scan.err, HasSubstr("reserved to Vigil's first-party plugins"));
  auto lines = JsonLines(scan.out);
  ASSERT_EQ(lines.size(), 1u) << scan.out;
  bool matched = false;
  for (const auto& d : lines[0]["detections"]) {
    matched |= d["detector"] == "vigil.pdq" && d["label"] == "hash-match" && d["category"] == "A1";
  }
  EXPECT_TRUE(matched) << lines[0].dump();
  // The first-party matcher's A1 match still acts as the shipped policy says.
  EXPECT_EQ(Sql("SELECT outcome FROM items"), "auto-action\n");
}

// Item 3: a detector the policy names that did not load fails the scan.
TEST_F(TrustBoundaryCli, PolicyDetectorThatDidNotLoadFailsTheScan) {
  WriteHostConfig(false);  // nothing first-party: the unsigned vigil-pdq.so is refused
  SignedVendorPlugin("hostile-forge-hash-match.so", "acme-forger.so");  // what does load
  std::ofstream(dir_ / "policy.toml") << "[[rules]]\nname = \"known\"\n"
                                         "detectors = [\"vigil.pdq\"]\nlabels = [\"hash-match\"]\n"
                                         "outcome = \"auto-action\"\n";
  const std::string vendor = "--plugin-dir " + (dir_ / "vendor").string() + " ";
  CliRun scan = Vigil(vendor + "scan " + bridge_.string() + " --json --policy " +
                      (dir_ / "policy.toml").string());
  EXPECT_EQ(scan.exit_code, 1) << scan.out;
  EXPECT_THAT(scan.err, HasSubstr("vigil: the policy relies on detector 'vigil.pdq', which did "
                                  "not load"));
  EXPECT_THAT(scan.err, HasSubstr("unsigned"));
  EXPECT_EQ(scan.out, "");
  // The shipped policy names the hash matchers and the classifier: the same.
  CliRun fallback = Vigil(vendor + "scan " + bridge_.string());
  EXPECT_EQ(fallback.exit_code, 1);
  EXPECT_THAT(fallback.err, HasSubstr("the policy relies on detector"));
  EXPECT_THAT(fallback.out, Not(HasSubstr("clear")));
}

// Item 4: a forged known match from a signed vendor plugin is at most reviewed.
TEST_F(TrustBoundaryCli, ForgedHashMatchFromAVendorIsQueuedNeverAutoActioned) {
  SignedVendorPlugin("hostile-forge-hash-match.so", "acme-forger.so");
  nlohmann::json entry = Listed("--plugin-dir " + (dir_ / "vendor").string(), "acme-forger.so");
  ASSERT_FALSE(entry.contains("error")) << entry.dump();
  EXPECT_EQ(entry["isolation"], "worker");
  EXPECT_THAT(entry["trust"].get<std::string>(), HasSubstr("signed by"));

  const fs::path benign = testdata_ / "pdq" / "images-and-lists" / "misc-images" / "small.jpg";
  CliRun scan =
      Vigil("--plugin-dir " + (dir_ / "vendor").string() + " scan " + benign.string() + " --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  auto lines = JsonLines(scan.out);
  ASSERT_EQ(lines.size(), 1u) << scan.out;
  int forged = 0;
  for (const auto& d : lines[0]["detections"]) {
    if (d["label"] != "hash-match") continue;
    ++forged;
    // The plugin wrote "vigil.pdq" as the detector; the host names who said it.
    EXPECT_EQ(d["detector"], "acme.forger") << d.dump();
    EXPECT_EQ(d["category"], "A1");
  }
  EXPECT_EQ(forged, 1) << lines[0].dump();
  EXPECT_EQ(Sql("SELECT outcome FROM items"), "review\n");
  EXPECT_EQ(Sql("SELECT state, priority FROM queue"), "pending|500\n");
  EXPECT_EQ(Sql("SELECT detector, label FROM detections WHERE label = 'hash-match'"),
            "acme.forger|hash-match\n");
  EXPECT_EQ(Sql("SELECT count(*) FROM decisions"), "0\n");
}

// Item 5: vendor model files.
class ModelFiles : public TrustBoundaryCli {
 protected:
  void SetUp() override {
    TrustBoundaryCli::SetUp();
    shipped_ = fs::path(VIGIL_BINARY_DIR) / "lib" / "vigil" / "models" / "nsfwjs-mobilenetv2";
    ASSERT_TRUE(fs::exists(shipped_ / "manifest.json"))
        << "the demo model is missing (scripts/prepare-models.sh): " << shipped_;
    model_ = dir_ / "acme-model";
    fs::create_directories(model_);
    fs::copy_file(shipped_ / "manifest.json", model_ / "manifest.json");
    fs::copy_file(shipped_ / "model.onnx", model_ / "model.onnx");
  }
  std::string SetModel() const {
    return "--set vigil.classifier.model=" + (model_ / "manifest.json").string();
  }
  void SignModel() {
    Sign(model_ / "manifest.json");
    Sign(model_ / "model.onnx");
  }
  // vigil.classifier's signals and detections for the bridge photo.
  nlohmann::json ClassifierOutput(const std::string& flags) {
    CliRun scan = Vigil(flags + " scan --no-store --json " + bridge_.string());
    EXPECT_EQ(scan.exit_code, 0) << scan.err;
    auto lines = JsonLines(scan.out);
    EXPECT_EQ(lines.size(), 1u) << scan.out;
    nlohmann::json out = {{"signals", nlohmann::json::array()},
                          {"detections", nlohmann::json::array()}};
    if (lines.size() != 1) return out;
    for (const char* key : {"signals", "detections"}) {
      for (const auto& s : lines[0][key]) {
        if (s["detector"] == "vigil.classifier") out[key].push_back(s);
      }
    }
    return out;
  }

  fs::path shipped_;
  fs::path model_;
};

TEST_F(ModelFiles, ShippedModelStaysInProcess) {
  nlohmann::json entry = Listed("", "vigil-classifier.so");
  ASSERT_FALSE(entry.contains("error")) << entry.dump();
  EXPECT_EQ(entry["isolation"], "in-process");
  EXPECT_FALSE(entry.contains("model"));
  // Naming the shipped model explicitly changes nothing.
  entry = Listed("--set vigil.classifier.model=" + (shipped_ / "manifest.json").string(),
                 "vigil-classifier.so");
  EXPECT_EQ(entry["isolation"], "in-process") << entry.dump();
}

TEST_F(ModelFiles, SignedVendorModelRunsInAWorkerWithTheInProcessScores) {
  SignModel();
  nlohmann::json entry = Listed(SetModel(), "vigil-classifier.so");
  ASSERT_FALSE(entry.contains("error")) << entry.dump();
  EXPECT_EQ(entry["isolation"], "worker");
  EXPECT_EQ(entry["trust"], "first-party");
  EXPECT_THAT(entry["model"].get<std::string>(), HasSubstr("signed by"));

  nlohmann::json in_process = ClassifierOutput("");
  nlohmann::json in_worker = ClassifierOutput(SetModel());
  ASSERT_GE(in_process["signals"].size(), 5u) << in_process.dump();
  EXPECT_EQ(in_worker, in_process);

  // The verified copies live in a private folder that goes with the run.
  fs::create_directories(dir_ / "tmp");
  const fs::path vigil = fs::path(VIGIL_BINARY_DIR) / "bin" / "vigil";
  CliRun list = Run("env -u VIGIL_PLUGIN_PATH TMPDIR=" + (dir_ / "tmp").string() +
                    " VIGIL_HOST_CONFIG=" + (dir_ / "host.toml").string() + " " + vigil.string() +
                    " " + SetModel() + " plugins list --json");
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("\"isolation\":\"worker\""));
  EXPECT_TRUE(fs::is_empty(dir_ / "tmp"));
}

TEST_F(ModelFiles, UnsignedOrTamperedVendorModelIsRefused) {
  nlohmann::json unsigned_entry = Listed(SetModel(), "vigil-classifier.so");
  ASSERT_TRUE(unsigned_entry.contains("error")) << unsigned_entry.dump();
  EXPECT_THAT(
      unsigned_entry["error"].get<std::string>(),
      HasSubstr("detector 'vigil.classifier': model " + (model_ / "manifest.json").string() +
                " refused: model file " + (model_ / "manifest.json").string() + " is unsigned"));
  CliRun scan = Vigil(SetModel() + " scan " + bridge_.string());
  EXPECT_EQ(scan.exit_code, 1);
  EXPECT_THAT(scan.err, HasSubstr("refused"));
  EXPECT_THAT(scan.err, HasSubstr("nothing scanned"));

  // Only the manifest signed: the model itself is still unsigned.
  Sign(model_ / "manifest.json");
  nlohmann::json half = Listed(SetModel(), "vigil-classifier.so");
  ASSERT_TRUE(half.contains("error")) << half.dump();
  EXPECT_THAT(half["error"].get<std::string>(),
              HasSubstr("model file " + (model_ / "model.onnx").string() + " is unsigned"));

  // Both signed, then the model changed.
  Sign(model_ / "model.onnx");
  ASSERT_FALSE(Listed(SetModel(), "vigil-classifier.so").contains("error"));
  std::ofstream(model_ / "model.onnx", std::ios::app) << "x";
  nlohmann::json tampered = Listed(SetModel(), "vigil-classifier.so");
  ASSERT_TRUE(tampered.contains("error")) << tampered.dump();
  EXPECT_THAT(tampered["error"].get<std::string>(),
              HasSubstr("does not match its signed manifest (the file was changed after signing)"));

  // A plugin's signature does not pass for a model: the manifest says what it signed.
  fs::copy_file(shipped_ / "model.onnx", model_ / "model.onnx",
                fs::copy_options::overwrite_existing);
  Sign(model_ / "model.onnx");
  std::ifstream manifest(model_ / "model.onnx.manifest");
  std::stringstream text;
  text << manifest.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("\"kind\": \"model\""));
  EXPECT_FALSE(Listed(SetModel(), "vigil-classifier.so").contains("error"));

  // A signed manifest that points outside its folder would load an unverified file.
  std::ofstream(model_ / "manifest.json", std::ios::trunc)
      << R"({"schema": "vigil.classifier.manifest/1", "model": "../elsewhere/model.onnx"})";
  Sign(model_ / "manifest.json");
  nlohmann::json outside = Listed(SetModel(), "vigil-classifier.so");
  ASSERT_TRUE(outside.contains("error")) << outside.dump();
  EXPECT_THAT(outside["error"].get<std::string>(),
              HasSubstr("must name its model file beside it (a plain file name)"));
}

TEST_F(ModelFiles, GarbageModelFailsInTheWorkerAndTheHostSurvives) {
  std::ofstream(model_ / "model.onnx", std::ios::trunc) << "this is not an ONNX model\n";
  SignModel();
  nlohmann::json entry = Listed(SetModel(), "vigil-classifier.so");
  ASSERT_FALSE(entry.contains("error")) << entry.dump();
  EXPECT_EQ(entry["isolation"], "worker");
  CliRun scan = Vigil(SetModel() + " scan " + bridge_.string() + " --json");
  EXPECT_EQ(scan.exit_code, 1) << scan.err;
  EXPECT_FALSE(scan.signalled);
  EXPECT_THAT(scan.err, HasSubstr("vigil: "));
  // The worker's answer, naming the operator's file rather than the verified copy.
  EXPECT_THAT(scan.err, HasSubstr("vigil: detector vigil.classifier refused its configuration"));
  EXPECT_THAT(scan.err, HasSubstr((model_ / "model.onnx").string() + " is not an ONNX model"));
  // Developer mode lets an unsigned model through, still into a worker.
  fs::remove(model_ / "model.onnx.manifest");
  nlohmann::json developer = Listed("--developer-mode " + SetModel(), "vigil-classifier.so");
  ASSERT_FALSE(developer.contains("error")) << developer.dump();
  EXPECT_EQ(developer["isolation"], "worker");
  EXPECT_THAT(developer["model"].get<std::string>(), HasSubstr("UNVERIFIED"));
}

}  // namespace
