// Hash banks and URL lists:
//   vigil lists import --type pdq|md5|sha1|sha256|url --format FMT --bank NAME FILE
//   vigil lists show
//   vigil match --type pdq|md5|sha1|sha256 VALUE... [--json]
//   vigil url check URL... [--json]
// Banks live in <store folder>/lists/hash-banks, URL lists in .../url-lists; a failed
// import leaves the bank or list exactly as it was.
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "bank_set.h"
#include "cli/commands.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "url_lists.h"
#include "vigil/hashbank/bank_update.h"
#include "vigil/hashbank/importers.h"
#include "vigil/url/check.h"
#include "vigil/url/list_import.h"

namespace vigil::cli {
namespace {
namespace fs = std::filesystem;

struct ImportArgs {
  std::string type;
  std::string format;
  std::string bank;
  std::string file;
  std::string source;
  std::string category;
  int severity = -1;
  bool strict = false;
};

bool ValidListName(const std::string& name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return name[0] != '.';
}

int ImportHashes(const GlobalOptions& global, const ImportArgs& args) {
  // "plain" is one value per line: the HMA format with the type fixed.
  auto format = hashbank::ParseImportFormat(args.format == "plain" ? "hma" : args.format);
  if (!format) {
    PrintError("unknown format '" + args.format +
               "' for hashes: use hma, te-csv, ncmec-xml, stopncii-json, vics-json or plain");
    return 2;
  }
  hashbank::ImportOptions options;
  options.signal_type = hashbank::ParseSignalType(args.type);
  options.policy = args.strict ? hashbank::BadRecordPolicy::kRefuse
                               : hashbank::BadRecordPolicy::kSkipAndReport;
  options.source = args.source.empty() ? args.bank : args.source;
  options.category = args.category;
  options.severity = args.severity;
  options.now_unix = static_cast<int64_t>(std::time(nullptr));
  auto imported = hashbank::ImportFile(*format, args.file, options);
  if (!imported.ok()) {
    PrintError("import refused, bank " + args.bank + " unchanged: " + imported.status().message());
    return 1;
  }
  // Bad records always, by line; deliberately skipped ones (other signal types, PhotoDNA)
  // only as a count in the summary below.
  for (const auto& problem : imported.value().problems) {
    if (problem.kind == hashbank::ImportProblem::Kind::kError) {
      std::fprintf(stderr, "%s: %s\n", TerminalText(args.file).c_str(),
                   TerminalText(problem.ToString()).c_str());
    }
  }
  std::error_code ec;
  fs::create_directories(hashdetect::BankDirectory(DataDir(global).string()), ec);
  auto applied = hashbank::UpdateBankFile(hashdetect::BankPath(DataDir(global).string(), args.bank),
                                          args.bank, imported.value());
  if (!applied.ok()) {
    PrintError("could not write bank " + args.bank + " (unchanged): " + applied.status().message());
    return 1;
  }
  const auto& s = applied.value();
  std::printf("bank %s: %zu added, %zu replaced, %zu deleted, %zu entries now; %zu bad records "
              "skipped, %zu values of other types ignored\n", args.bank.c_str(), s.added, s.replaced, s.deleted, s.total,
              imported.value().error_count(), imported.value().ignored_count());
  return 0;
}

int ImportUrls(const GlobalOptions& global, const ImportArgs& args) {
  url::ImportFormat format;
  url::ListFormat list_format = url::ListFormat::kPlain;
  if (args.format == "plain") format = url::ImportFormat::kUrlList;
  else if (args.format == "domains") format = url::ImportFormat::kDomainList;
  else if (args.format == "sha256-list") {
    format = url::ImportFormat::kSha256List;
    list_format = url::ListFormat::kHashed;
  } else {
    PrintError("unknown format '" + args.format + "' for URLs: use plain, domains or sha256-list");
    return 2;
  }
  url::ImportOptions options;
  options.defaults.source = args.source.empty() ? args.bank : args.source;
  options.defaults.category = args.category;
  if (args.severity >= 0) options.defaults.severity = static_cast<uint8_t>(args.severity);
  url::BlocklistBuilder builder(list_format);
  auto report = url::ImportListFile(args.file, format, options, &builder);
  if (!report.ok()) {
    PrintError("import refused, list " + args.bank + " unchanged: " + report.status().message());
    return 1;
  }
  for (const auto& error : report.value().errors) {
    std::fprintf(stderr, "%s: line %zu: %s\n", TerminalText(args.file).c_str(), error.line,
                 TerminalText(error.message).c_str());
  }
  if (args.strict && !report.value().errors.empty()) {
    PrintError("import refused (--strict): " + std::to_string(report.value().errors.size()) +
               " bad lines; list " + args.bank + " unchanged");
    return 1;
  }
  std::error_code ec;
  fs::create_directories(urldetect::ListDirectory(DataDir(global).string()), ec);
  url::Status written = builder.WriteFile(urldetect::ListPath(DataDir(global).string(), args.bank));
  if (!written.ok()) {
    PrintError("could not write list " + args.bank + " (unchanged): " + written.message());
    return 1;
  }
  std::printf("URL list %s: %zu entries from %zu lines; %zu bad lines skipped (the list is "
              "replaced by each import)\n", args.bank.c_str(), builder.size(), report.value().lines,
              report.value().errors.size());
  return 0;
}

int Import(const GlobalOptions& global, const ImportArgs& args) {
  if (!ValidListName(args.bank)) {
    PrintError("bank names are letters, digits, '-', '_' and '.', at most 100 characters");
    return 2;
  }
  return args.type == "url" ? ImportUrls(global, args) : ImportHashes(global, args);
}

int Show(const GlobalOptions& global) {
  const std::string data = DataDir(global).string();
  hashdetect::BankSet banks(data);
  for (const auto& bank : banks.banks()) {
    std::printf("hash bank %-24s %8zu entries (pdq %zu, md5 %zu, sha1 %zu, sha256 %zu)  %s\n",
                bank->name().c_str(), bank->size(), bank->count(hashbank::SignalType::kPdq),
                bank->count(hashbank::SignalType::kMd5), bank->count(hashbank::SignalType::kSha1),
                bank->count(hashbank::SignalType::kSha256),
                TerminalText(bank->path()).c_str());
  }
  auto lists = urldetect::OpenLists(data);
  if (!lists.ok()) {
    PrintError(lists.status().message());
    return 1;
  }
  for (const auto& l : lists.value()) {
    std::printf("URL list  %-24s %8llu entries (%s)\n", l.name.c_str(),
                static_cast<unsigned long long>(l.list.size()),
                l.list.format() == url::ListFormat::kHashed ? "hashed" : "plain");
  }
  if (banks.banks().empty() && lists.value().empty()) {
    std::printf("No banks or lists in %s; add one with `vigil lists import`.\n",
                TerminalText(data).c_str());
  }
  return 0;
}

int Match(const GlobalOptions& global, const std::string& type, const std::vector<std::string>& values,
          bool json) {
  auto signal = hashbank::ParseSignalType(type);
  if (!signal) {
    PrintError("unknown type '" + type + "': use pdq, md5, sha1 or sha256");
    return 2;
  }
  hashdetect::BankSet banks(DataDir(global).string());
  int status = 0;
  for (const std::string& text : values) {
    nlohmann::ordered_json line = {{"type", type}, {"value", text}, {"matches", nlohmann::ordered_json::array()}};
    auto value = hashbank::ParseHashValue(*signal, text);
    if (!value.ok()) {
      line["error"] = value.status().message();
      status = 1;
    } else {
      hashbank::PdqWords pdq{};
      if (*signal == hashbank::SignalType::kPdq) pdq = hashbank::ParsePdqHex(text).value();
      for (const auto& bank : banks.banks()) {
        auto matches = *signal == hashbank::SignalType::kPdq ? bank->MatchPdq(&pdq, 1)
                                                             : bank->MatchExact(value.value());
        if (!matches.ok()) {
          line["error"] = matches.status().message();
          status = 1;
          continue;
        }
        for (const auto& m : matches.value()) {
          line["matches"].push_back(nlohmann::ordered_json{{"bank", m.bank},
                                     {"entry_id", m.entry.external_id.empty()
                                                      ? std::to_string(m.entry_index)
                                                      : m.entry.external_id},
                                     {"category", m.entry.category},
                                     {"severity", m.entry.severity},
                                     {"source", m.entry.source},
                                     {"distance", m.distance},
                                     {"dihedral", m.variant},
                                     {"value", m.entry.value.ToHex()}});
        }
      }
    }
    if (json) {
      std::cout << host::JsonText(line) << "\n";
    } else if (line.contains("error")) {
      std::cout << TerminalText(text) << ": " << TerminalText(line["error"].get<std::string>())
                << "\n";
    } else if (line["matches"].empty()) {
      std::cout << TerminalText(text) << ": no match\n";
    } else {
      for (const auto& m : line["matches"]) {
        std::cout << TerminalText(text) << ": " << TerminalText(m["bank"].get<std::string>())
                  << " entry " << TerminalText(m["entry_id"].get<std::string>()) << " category "
                  << TerminalText(m["category"].get<std::string>()) << " distance " << m["distance"]
                  << "\n";
      }
    }
  }
  return status;
}

int CheckUrls(const GlobalOptions& global, const std::vector<std::string>& urls, bool json) {
  auto lists = urldetect::OpenLists(DataDir(global).string());
  if (!lists.ok()) {
    PrintError(lists.status().message());
    return 1;
  }
  std::vector<const url::Blocklist*> pointers;
  for (const auto& l : lists.value()) pointers.push_back(&l.list);
  url::UrlChecker checker(pointers);
  int status = 0;
  for (const std::string& u : urls) {
    url::CheckReport report = checker.CheckToReport(u);
    nlohmann::ordered_json line = {{"url", u}};
    if (!report.status.ok()) {
      line["error"] = report.status.message();
      status = 1;
    } else {
      line["canonical"] = report.canonical_url;
      line["matches"] = nlohmann::ordered_json::array();
      for (const auto& hit : report.hits) {
        const char* kind = hit.kind == url::EntryKind::kDomain ? "domain"
                           : hit.kind == url::EntryKind::kPathPrefix ? "prefix" : "url";
        line["matches"].push_back(nlohmann::ordered_json{{"list", lists.value()[hit.list_index].name},
                                   {"expression", hit.expression},
                                   {"kind", kind},
                                   {"severity", hit.severity},
                                   {"category", hit.category},
                                   {"source", hit.source},
                                   {"date_added", hit.date_added},
                                   {"entry_id", hit.entry_id}});
      }
    }
    if (json) {
      std::cout << host::JsonText(line) << "\n";
    } else if (line.contains("error")) {
      std::cout << TerminalText(u) << ": " << TerminalText(line["error"].get<std::string>())
                << "\n";
    } else {
      std::cout << TerminalText(u) << " -> " << TerminalText(report.canonical_url) << ": "
                << (report.hits.empty() ? "not listed" : "LISTED") << "\n";
      for (const auto& m : line["matches"]) {
        std::cout << "  " << TerminalText(m["list"].get<std::string>()) << ": "
                  << m["kind"].get<std::string>() << " entry "
                  << TerminalText(m["expression"].get<std::string>()) << ", category "
                  << TerminalText(m["category"].get<std::string>()) << ", severity "
                  << m["severity"] << "\n";
      }
    }
  }
  return status;
}

}  // namespace

void RegisterListsCommands(CLI::App& app, GlobalOptions& options) {
  CLI::App* lists = app.add_subcommand("lists", "Hash banks and URL lists");
  lists->require_subcommand(1);
  static ImportArgs args;
  CLI::App* import = lists->add_subcommand(
      "import",
      "Import a list into a bank. Hashes: formats hma, te-csv, ncmec-xml, stopncii-json, "
      "vics-json, plain; updates and deletions apply to the existing bank. URLs: formats "
      "plain (URLs), domains, sha256-list (hashed); the list is replaced. Bad records are "
      "reported with their line and skipped (or refused with --strict); a failed import "
      "leaves the bank unchanged.");
  import->add_option("--type", args.type, "pdq, md5, sha1, sha256 or url")
      ->required()->check(CLI::IsMember({"pdq", "md5", "sha1", "sha256", "url"}));
  import->add_option("--format", args.format, "The file's format (see above)")->required();
  import->add_option("--bank", args.bank, "Bank or list name")->required();
  import->add_option("FILE", args.file, "The list file")->required()->check(CLI::ExistingFile);
  import->add_option("--source", args.source, "Source recorded on entries (default: the bank name)");
  import->add_option("--category", args.category, "Category for entries that carry none (e.g. A1)");
  import->add_option("--severity", args.severity, "Severity 0..5 for entries that carry none")
      ->check(CLI::Range(0, 5));
  import->add_flag("--strict", args.strict, "Refuse the whole import if any record is bad");
  import->callback([&options] { options.exit_code = Import(options, args); });

  CLI::App* show = lists->add_subcommand("show", "List the banks and URL lists with their sizes");
  show->callback([&options] { options.exit_code = Show(options); });

  static std::string match_type;
  static std::vector<std::string> values;
  static bool match_json = false;
  CLI::App* match = app.add_subcommand(
      "match", "Look hash values up in the banks, without media (PDQ at the default threshold 31)");
  match->add_option("--type", match_type, "pdq, md5, sha1 or sha256")->required();
  match->add_option("VALUE", values, "Hex values")->required();
  match->add_flag("--json", match_json, "One JSON object per value");
  match->callback([&options] { options.exit_code = Match(options, match_type, values, match_json); });

  CLI::App* url = app.add_subcommand("url", "URL lists");
  url->require_subcommand(1);
  static std::vector<std::string> urls;
  static bool url_json = false;
  CLI::App* check = url->add_subcommand(
      "check", "Canonicalise URLs (Safe Browsing) and look them up in the URL lists");
  check->add_option("URL", urls, "URLs")->required();
  check->add_flag("--json", url_json,
                  "One JSON object per URL: canonical form, every matching expression and its entry");
  check->callback([&options] { options.exit_code = CheckUrls(options, urls, url_json); });
}

}  // namespace vigil::cli
