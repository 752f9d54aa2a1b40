// vigil bundle verify DIR [--key KEY.pub] [--with-store]: checks a signed bundle offline
// (bundle/signed_bundle.h; issue 15 item 4).
#include <cstdio>
#include <fstream>

#include "bundle/signed_bundle.h"
#include "cli/commands.h"
#include "core/terminal_text.h"
#include "store/audit_log.h"
#include "store/store.h"

namespace vigil::cli {
namespace {

// A public key given as a file (vigil-signing.pub) or as its hex text.
StatusOr<std::string> ReadPublicKey(const std::string& key) {
  std::string text = key;
  std::ifstream in(key);
  if (in) {
    std::getline(in, text);
  } else if (key.size() != 64) {
    return Status::NotFound("--key " + key + ": no such file, and not a 64-digit hex key");
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

// The store's audit log holds the bundle's head (same seq, same hash) and verifies.
void CheckAgainstStore(const GlobalOptions& global, bundle::Verification& result) {
  auto store = OpenStoreOrSay(global, host::OpenMode::kReadOnly);
  if (!store) {
    result.problems.push_back("cannot open the store to compare the audit head");
    return;
  }
  auto report = host::VerifyAudit(store->db());
  if (!report.ok()) {
    result.problems.push_back("the store's audit log: " + report.status().message());
    return;
  }
  for (const std::string& problem : report->problems) {
    result.problems.push_back("the store's audit log: " + problem);
  }
  host::Statement entry(store->db(), "SELECT hash FROM audit_log WHERE seq = ?1");
  entry.Bind(1, result.head.seq);
  const int rc = entry.Step();
  if (rc != host::kRow) {
    result.problems.push_back("the store's audit log has no entry " +
                              std::to_string(result.head.seq) + " (another store, or removed)");
  } else if (entry.ColumnText(0) != result.head.hash) {
    result.problems.push_back("the store's audit entry " + std::to_string(result.head.seq) +
                              " has hash " + entry.ColumnText(0) + ", the bundle says " +
                              result.head.hash);
  }
}

int Verify(const GlobalOptions& global, const std::string& dir, const std::string& key,
           bool with_store) {
  std::string expected;
  if (!key.empty()) {
    auto read = ReadPublicKey(key);
    if (!read.ok()) {
      PrintError(read.status().message());
      return 2;
    }
    expected = read.value();
  }
  auto result = bundle::VerifyBundle(dir, expected);
  if (!result.ok()) {
    PrintError(result.status().message());
    return 2;
  }
  if (with_store && result->problems.empty()) CheckAgainstStore(global, result.value());
  for (const std::string& problem : result->problems) {
    std::printf("BROKEN  %s\n", TerminalText(problem).c_str());
  }
  const bool ok = result->ok();
  std::printf("%s: %s, %zu files, signed by %s%s, audit head %lld %s\n", ok ? "OK" : "FAILED",
              TerminalText(dir).c_str(), result->files.size(),
              TerminalText(result->signer).c_str(),
              key.empty() ? " (no --key: the signer was not compared with a key you trust)" : "",
              static_cast<long long>(result->head.seq),
              TerminalText(result->head.hash.empty() ? "(empty)" : result->head.hash).c_str());
  return ok ? 0 : 1;
}

}  // namespace

void RegisterBundleCommand(CLI::App& app, GlobalOptions& options) {
  CLI::App* bundle = app.add_subcommand(
      "bundle", "Signed bundles (`vigil export --sign`): check one offline");
  bundle->require_subcommand(1);
  static std::string dir;
  static std::string key;
  static bool with_store = false;
  CLI::App* verify = bundle->add_subcommand(
      "verify",
      "Check a bundle folder: the Ed25519 signature over manifest.json, every file's size "
      "and SHA-256, nothing added or missing. Exit 0 when it verifies, 1 when it does not "
      "(each problem on a BROKEN line), 2 when it cannot be read");
  verify->add_option("DIR", dir, "The bundle folder")->required();
  verify->add_option("--key", key,
                     "The signer's public key (vigil-signing.pub, or its 64 hex digits): the "
                     "bundle must be signed by it")
      ->type_name("KEY.pub");
  verify->add_flag("--with-store", with_store,
                   "Also check the store (--store): its audit chain verifies and holds the "
                   "bundle's head entry");
  verify->callback(
      [&options] { options.exit_code = Verify(options, dir, key, with_store); });
}

}  // namespace vigil::cli
