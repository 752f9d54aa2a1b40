// Issue 12, item 1: every global option works before or after the subcommand, at every
// depth. The CLI is built in process exactly as `vigil` builds it (BuildCli), and every
// registered leaf subcommand is parsed with each global option after it, so a new
// subcommand is covered without touching this test.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

using vigil::cli::GlobalOptions;

// Every leaf subcommand as its path of names, e.g. {"lists", "import"}.
void Leaves(CLI::App* app, std::vector<std::string> path,
            std::vector<std::vector<std::string>>& out) {
  auto subs = app->get_subcommands([](CLI::App*) { return true; });
  if (subs.empty() && !path.empty()) out.push_back(path);
  for (CLI::App* sub : subs) {
    auto next = path;
    next.push_back(sub->get_name());
    Leaves(sub, next, out);
  }
}

// No command runs and no option of the command is required: only the parse is tested.
void ParseOnly(CLI::App* app) {
  app->callback(std::function<void()>());
  for (CLI::Option* option : app->get_options([](CLI::Option*) { return true; })) {
    option->required(false);
  }
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) ParseOnly(sub);
}

struct GlobalCase {
  std::vector<std::string> args;
  std::function<bool(const GlobalOptions&)> took_effect;
};

const std::map<std::string, GlobalCase>& Cases() {
  static const std::map<std::string, GlobalCase> kCases = {
      {"--store", {{"--store", "x.db"}, [](const GlobalOptions& o) { return o.store == "x.db"; }}},
      {"--plugin-dir",
       {{"--plugin-dir", "plugins"},
        [](const GlobalOptions& o) {
          return o.plugin_dirs == std::vector<std::string>{"plugins"};
        }}},
      {"--set",
       {{"--set", "vigil.pdq.threshold=20"},
        [](const GlobalOptions& o) {
          return o.settings == std::vector<std::string>{"vigil.pdq.threshold=20"};
        }}},
      {"--in-process", {{"--in-process"}, [](const GlobalOptions& o) { return o.in_process; }}},
      {"--config", {{"--config", "org.toml"},
                    [](const GlobalOptions& o) { return o.config == "org.toml"; }}},
      {"--developer-mode",
       {{"--developer-mode"}, [](const GlobalOptions& o) { return o.developer_mode; }}},
      {"--wait-for-debugger",
       {{"--wait-for-debugger"}, [](const GlobalOptions& o) { return o.wait_for_debugger; }}},
  };
  return kCases;
}

std::string Joined(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "" : " ") + a;
  return out;
}

// Parses `vigil ARGS` with a fresh app; empty on success, else CLI11's message.
std::string Parse(const std::vector<std::string>& args, GlobalOptions& options) {
  CLI::App app{"vigil"};
  vigil::cli::BuildCli(app, options);
  ParseOnly(&app);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return std::string(e.get_name()) + ": " + e.what();
  }
  return "";
}

TEST(CliGlobalOptions, EveryGlobalOptionHasACase) {
  for (const std::string& name : vigil::cli::GlobalOptionNames()) {
    EXPECT_TRUE(Cases().count(name)) << name << " has no case in this test";
  }
}

TEST(CliGlobalOptions, EverySubcommandAcceptsEachGlobalOptionAfterIt) {
  CLI::App probe{"vigil"};
  GlobalOptions probe_options;
  vigil::cli::BuildCli(probe, probe_options);
  std::vector<std::vector<std::string>> leaves;
  Leaves(&probe, {}, leaves);
  // plugins list/check/keygen/sign/trust, scan, stats, audit verify, export, queue show,
  // lists import/show, match, url check, exposure, rematch at least.
  ASSERT_GE(leaves.size(), 16u);
  for (const auto& leaf : leaves) {
    for (const std::string& name : vigil::cli::GlobalOptionNames()) {
      const GlobalCase& c = Cases().at(name);
      // After the subcommand, and before it (as before), at the leaf's full depth.
      std::vector<std::string> after = leaf;
      after.insert(after.end(), c.args.begin(), c.args.end());
      std::vector<std::string> before = c.args;
      before.insert(before.end(), leaf.begin(), leaf.end());
      for (const auto& args : {after, before}) {
        GlobalOptions options;
        const std::string error = Parse(args, options);
        EXPECT_EQ(error, "") << "vigil " << Joined(args);
        EXPECT_TRUE(c.took_effect(options))
            << "vigil " << Joined(args) << ": " << name << " did not reach the global options";
      }
    }
  }
}

// A repeatable global option after the subcommand takes one value per occurrence: it
// never swallows the subcommand's own arguments.
TEST(CliGlobalOptions, RepeatableGlobalsTakeOneValueEach) {
  GlobalOptions options;
  ASSERT_EQ(Parse({"scan", "--set", "vigil.pdq.threshold=20", "a.png", "--plugin-dir", "p", "b.png",
                   "--set", "vigil.pdq.min_quality=10"},
                  options),
            "");
  EXPECT_EQ(options.settings,
            (std::vector<std::string>{"vigil.pdq.threshold=20", "vigil.pdq.min_quality=10"}));
  EXPECT_EQ(options.plugin_dirs, std::vector<std::string>{"p"});
}

TEST(CliGlobalOptions, SubcommandHelpSaysTheGlobalsApply) {
  CLI::App app{"vigil"};
  GlobalOptions options;
  vigil::cli::BuildCli(app, options);
  for (const char* sub : {"scan", "stats", "rematch"}) {
    const std::string help = app.get_subcommand(sub)->help();
    EXPECT_NE(help.find("--store"), std::string::npos) << sub << ":\n" << help;
    EXPECT_NE(help.find("before or after the subcommand"), std::string::npos) << sub;
  }
  CLI::App* import = app.get_subcommand("lists")->get_subcommand("import");
  EXPECT_NE(import->help().find("before or after the subcommand"), std::string::npos);
}

}  // namespace
