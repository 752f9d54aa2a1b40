// `vigil tokens create|list|revoke`: the bearer tokens of `vigil serve` (issue 14 item 2).
// The secret is printed once, at creation; the store keeps its SHA-256 only.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/reviewer_identity.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/api_tokens.h"
#include "store/db/postgres_database.h"

namespace vigil::cli {
namespace {

struct TokenArgs {
  std::string name;
  std::string scopes;
  double rate = 0;
  std::string by;
  bool json = false;
};

int Run(const GlobalOptions& global, const std::string& action, const TokenArgs& args) {
  std::vector<std::string> scopes;
  if (action == "create") {
    auto parsed = host::ParseApiScopes(args.scopes);
    if (!parsed.ok()) {
      PrintError(parsed.status().message());
      return 2;
    }
    scopes = parsed.value();
  }
  // A server may be set up before anything is scanned: creating a token creates the store.
  if (action == "create" && !host::IsPostgresUrl(global.store) &&
      !std::filesystem::exists(StorePath(global))) {
    std::error_code ignored;
    std::filesystem::create_directories(StorePath(global).parent_path(), ignored);
    auto created = host::Store::Open(StorePath(global));
    if (!created.ok()) {
      PrintError(created.status().message());
      return 1;
    }
  }
  std::unique_ptr<host::Store> store =
      OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/action == "list");
  if (!store) return 1;
  if (action == "list") {
    auto tokens = host::ListApiTokens(store->db());
    if (!tokens.ok()) {
      PrintError(tokens.status().message());
      return 1;
    }
    if (args.json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const host::ApiToken& t : tokens.value()) {
        out.push_back(
            {{"name", t.name},
             {"scopes", t.scopes},
             {"rate_per_s", t.rate_per_s},
             {"created_by", t.created_by},
             {"created_at", t.created_at},
             {"revoked_at", t.revoked_at.empty() ? nlohmann::ordered_json(nullptr)
                                                 : nlohmann::ordered_json(t.revoked_at)}});
      }
      std::printf("%s\n", host::JsonText(out).c_str());
      return 0;
    }
    if (tokens.value().empty()) std::printf("No API tokens yet (vigil tokens create).\n");
    for (const host::ApiToken& t : tokens.value()) {
      std::string scope_text;
      for (const auto& s : t.scopes) scope_text += (scope_text.empty() ? "" : ",") + s;
      std::string rate =
          t.rate_per_s > 0 ? ", " + nlohmann::json(t.rate_per_s).dump() + "/s" : ", no rate limit";
      std::printf("%s: %s%s, created %s by %s%s\n", TerminalText(t.name).c_str(),
                  scope_text.c_str(), rate.c_str(), t.created_at.c_str(),
                  TerminalText(t.created_by).c_str(),
                  t.revoked_at.empty() ? "" : (" (revoked " + t.revoked_at + ")").c_str());
    }
    return 0;
  }
  auto who = ReviewerId(*store, args.by);
  if (!who.ok()) {
    PrintError(who.status().message());
    return 2;
  }
  if (action == "create") {
    auto secret = host::CreateApiToken(store->db(), args.name, scopes, args.rate, who.value());
    if (!secret.ok()) {
      PrintError(secret.status().message());
      return secret.status().code() == Status::Code::kInvalidArgument ? 2 : 1;
    }
    if (args.json) {
      std::printf("%s\n",
                  nlohmann::json{{"name", args.name}, {"token", secret.value()}}.dump().c_str());
    } else {
      std::printf("%s\n", secret.value().c_str());
      std::fprintf(stderr,
                   "vigil: token %s created; it is shown only now (the store keeps its "
                   "SHA-256): send it as 'Authorization: Bearer <token>'\n",
                   TerminalText(args.name).c_str());
    }
    return 0;
  }
  Status revoked = host::RevokeApiToken(store->db(), args.name, who.value());
  if (!revoked.ok()) {
    PrintError(revoked.message());
    return revoked.code() == Status::Code::kNotFound ? 2 : 1;
  }
  std::printf("%s: revoked (a running server refuses it within about a second)\n",
              TerminalText(args.name).c_str());
  return 0;
}

}  // namespace

void RegisterTokensCommand(CLI::App& app, GlobalOptions& options) {
  static TokenArgs args;
  CLI::App* tokens = app.add_subcommand(
      "tokens", "Bearer tokens for vigil serve's HTTP API (scopes submit, match, admin)");
  tokens->require_subcommand(1);

  CLI::App* create = tokens->add_subcommand(
      "create", "Make a token and print it once (the store keeps only its SHA-256)");
  create->add_option("--name", args.name, "Unique name: letters, digits, '.', '_', '-'")
      ->required();
  create
      ->add_option("--scope", args.scopes,
                   "Comma-separated: submit (POST /v1/items, GET /v1/items/ID), match "
                   "(hash, match, URL check, queue stats), admin (banks, queue stats)")
      ->required();
  create
      ->add_option("--rate", args.rate,
                   "Requests per second allowed (token bucket, burst = rate); 0: unlimited")
      ->type_name("PER_S");
  create->add_flag("--json", args.json, "Print {\"name\", \"token\"} as JSON");
  create->add_option("--by", args.by,
                     "Who makes it, for the audit log (a workstation store; default $USER; a "
                     "team store records the login)");
  create->callback([&options] { options.exit_code = Run(options, "create", args); });

  CLI::App* list = tokens->add_subcommand("list", "Every token, live and revoked (no secrets)");
  list->add_flag("--json", args.json, "One JSON array");
  list->callback([&options] { options.exit_code = Run(options, "list", args); });

  CLI::App* revoke = tokens->add_subcommand("revoke", "Refuse the token from now on");
  revoke->add_option("NAME", args.name)->required();
  revoke->add_option("--by", args.by, "Who revokes it (as for create)");
  revoke->callback([&options] { options.exit_code = Run(options, "revoke", args); });
}

}  // namespace vigil::cli
