// Hash banks and URL lists:
//   vigil lists import [--type pdq|md5|sha1|sha256|url] --format FMT --bank NAME [--replace] FILE
//     (video formats vpdq, hma-vpdq, te-csv-vpdq: the bank's video entries, in
//     <store folder>/lists/video-lists/<bank>/, which vigil.vpdq indexes)
//   vigil lists show
//   vigil lists verify
//   vigil lists disable|enable|disabled (bank_holds_command.cc)
//   vigil match --type pdq|md5|sha1|sha256 VALUE... [--json]
//   vigil url check URL... [--json]
// Banks live in <store folder>/lists/hash-banks, URL lists in .../url-lists; a failed
// import leaves the bank or list exactly as it was.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "bank_set.h"
#include "cli/bank_holds_command.h"
#include "cli/commands.h"
#include "core/terminal_text.h"
#include "scan/scan_json.h"
#include "store/bank_entries.h"
#include "store/local_banks.h"
#include "url_lists.h"
#include "vigil/hashbank/bank_update.h"
#include "vigil/hashbank/importers.h"
#include "vigil/hashbank/temp_files.h"
#include "vigil/url/check.h"
#include "vigil/url/list_import.h"
#include "vigil/url/list_merge.h"
#include "vigil/vpdq/video_list_import.h"
#include "vigil/vpdq/video_list_store.h"

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
  bool replace = false;
};

// "pdq 2, md5 1" for the per-type counts (by SignalType value).
std::string TypeCounts(const size_t (&counts)[5]) {
  std::string out;
  for (hashbank::SignalType type : hashbank::kAllSignalTypes) {
    const size_t n = counts[static_cast<int>(type)];
    if (n == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::string(hashbank::SignalTypeName(type)) + " " + std::to_string(n);
  }
  return out;
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
  // Without --type every type the file holds is imported; with it, only that type.
  if (!args.type.empty()) options.signal_type = hashbank::ParseSignalType(args.type);
  options.policy = args.strict ? hashbank::BadRecordPolicy::kRefuse
                               : hashbank::BadRecordPolicy::kSkipAndReport;
  options.source = args.source.empty() ? args.bank : args.source;
  options.category = args.category;
  options.severity = args.severity;
  options.now_unix = static_cast<int64_t>(std::time(nullptr));
  // hma/plain streams from the file; every format yields the compact form (56 bytes a value).
  auto imported = hashbank::ImportFileCompact(*format, args.file, options);
  if (!imported.ok()) {
    PrintError("import refused, bank " + args.bank + " unchanged: " + imported.status().message());
    return 1;
  }
  const hashbank::CompactImport& result = imported.value();
  // Bad records always, by line; deliberately skipped ones (other signal types, PhotoDNA)
  // only as a count in the summary below.
  for (const auto& problem : result.problems) {
    if (problem.kind == hashbank::ImportProblem::Kind::kError) {
      std::fprintf(stderr, "%s: %s\n", TerminalText(args.file).c_str(),
                   TerminalText(problem.ToString()).c_str());
    }
  }
  if (result.ops.empty()) {
    const std::string file = TerminalText(args.file);
    if (result.filtered_out_count() > 0) {
      PrintError("nothing imported: " + file + " holds no " + args.type + " values, only " +
                 TypeCounts(result.filtered_out) + "; import without --type to take every type" +
                 " (bank " + args.bank + " unchanged)");
      return 1;
    }
    if (result.error_count() > 0) {
      PrintError("nothing imported: every record of " + file + " is bad (" +
                 std::to_string(result.error_count()) + " listed above); bank " + args.bank +
                 " unchanged");
      return 1;
    }
    if (result.ignored_count() > 0) {
      std::string example;
      for (const auto& p : result.problems) example = p.ToString();
      PrintError("nothing imported: " + file + " holds only values Vigil does not match (" +
                 std::to_string(result.ignored_count()) + ", e.g. " + TerminalText(example) +
                 "); bank " + args.bank + " unchanged");
      return 1;
    }
    std::printf("bank %s: %s holds no records; nothing to import, the bank is unchanged\n",
                args.bank.c_str(), file.c_str());
    return 0;
  }
  const size_t bad = result.error_count(), ignored = result.ignored_count();
  const std::string filtered =
      result.filtered_out_count() > 0 ? " (" + TypeCounts(result.filtered_out) + ")" : "";
  std::error_code ec;
  fs::create_directories(hashdetect::BankDirectory(DataDir(global).string()), ec);
  // Consumes the import: its memory is released before the bank's index is built.
  auto applied = hashbank::UpdateBankFile(
      hashdetect::BankPath(DataDir(global).string(), args.bank), args.bank,
      std::move(imported).value(),
      args.replace ? hashbank::UpdateMode::kReplace : hashbank::UpdateMode::kMerge);
  if (!applied.ok()) {
    PrintError("could not write bank " + args.bank + " (unchanged): " + applied.status().message());
    return 1;
  }
  const auto& s = applied.value();
  std::printf("bank %s: %zu added, %zu updated, %zu deleted, %zu unchanged; %zu entries now (%s); "
              "%zu bad records skipped, %zu values of other types ignored%s\n",
              args.bank.c_str(), s.added, s.updated, s.deleted, s.unchanged, s.total,
              args.replace ? "replaced" : "merged", bad, ignored, filtered.c_str());
  return 0;
}

// Video entries (vpdq, hma-vpdq, te-csv-vpdq) into <lists>/video-lists/<bank>/.
int ImportVideos(const GlobalOptions& global, const ImportArgs& args,
                 vpdq::VideoListFormat format) {
  if (!args.type.empty() || !args.source.empty() || !args.category.empty() || args.severity >= 0) {
    PrintError("--format " + args.format +
               " imports video entries: --type, --source, --category and --severity do not "
               "apply to them");
    return 2;
  }
  auto imported = vpdq::ReadVideoListFile(format, args.file);
  if (!imported.ok()) {
    PrintError("import refused, bank " + args.bank +
               " unchanged: " + TerminalText(imported.status().message()));
    return 1;
  }
  const vpdq::VideoListImport& result = imported.value();
  const std::string file = TerminalText(args.file);
  const size_t bad = result.error_count(), ignored = result.problems.size() - bad;
  for (const auto& problem : result.problems) {
    if (!problem.ignored) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), TerminalText(problem.ToString()).c_str());
    }
  }
  if (args.strict && bad > 0) {
    PrintError("import refused (--strict), bank " + args.bank +
               " unchanged: " + std::to_string(bad) + " bad records, listed above");
    return 1;
  }
  if (result.entries.empty() && result.deletions.empty()) {
    if (bad > 0) {
      PrintError("nothing imported: every record of " + file + " is bad (" + std::to_string(bad) +
                 " listed above); bank " + args.bank + " unchanged");
      return 1;
    }
    if (ignored > 0) {
      PrintError("nothing imported: " + file + " holds no video entries, only " +
                 std::to_string(ignored) + " records of other types (e.g. " +
                 TerminalText(result.problems.front().ToString()) + "); bank " + args.bank +
                 " unchanged");
      return 1;
    }
    std::printf("bank %s: %s holds no records; nothing to import, the bank is unchanged\n",
                args.bank.c_str(), file.c_str());
    return 0;
  }
  const fs::path dir = DataDir(global) / "video-lists" / args.bank;
  auto applied = vpdq::ApplyVideoList(dir.string(), result, args.replace);
  if (!applied.ok()) {
    PrintError("could not write the video entries of bank " + args.bank + ": " +
               applied.status().message());
    return 1;
  }
  const auto& s = applied.value();
  std::printf(
      "bank %s: %zu videos added, %zu updated, %zu deleted, %zu unchanged; %zu videos now "
      "(%s); %zu bad records skipped, %zu records of other types ignored\n",
      args.bank.c_str(), s.added, s.updated, s.deleted, s.unchanged, s.now,
      args.replace ? "replaced" : "merged", bad, ignored);
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
  if (report.value().added == 0) {
    if (!report.value().errors.empty()) {
      PrintError("nothing imported: every entry of " + TerminalText(args.file) + " is bad (" +
                 std::to_string(report.value().errors.size()) + " listed above); list " +
                 args.bank + " unchanged");
      return 1;
    }
    std::printf("URL list %s: %s holds no entries; nothing to import, the list is unchanged\n",
                args.bank.c_str(), TerminalText(args.file).c_str());
    return 0;
  }
  const std::string path = urldetect::ListPath(DataDir(global).string(), args.bank);
  std::optional<url::Blocklist> existing;
  if (auto opened = url::Blocklist::Open(path); opened.ok()) {
    existing.emplace(std::move(opened).value());
  } else if (opened.status().code() != url::StatusCode::kNotFound && !args.replace) {
    PrintError("cannot merge into list " + args.bank + " (unchanged): " +
               opened.status().message() + "; import with --replace to rebuild it");
    return 1;
  }
  url::BlocklistBuilder merged(list_format);
  auto stats = url::MergeLists(existing ? &*existing : nullptr, builder, args.replace, &merged);
  if (!stats.ok()) {
    PrintError("list " + args.bank + " unchanged: " + stats.status().message());
    return 1;
  }
  std::error_code ec;
  fs::create_directories(urldetect::ListDirectory(DataDir(global).string()), ec);
  url::Status written = merged.WriteFile(path);
  if (!written.ok()) {
    PrintError("could not write list " + args.bank + " (unchanged): " + written.message());
    return 1;
  }
  const auto& s = stats.value();
  std::printf("URL list %s: %zu added, %zu updated, %zu deleted, %zu unchanged; %zu entries "
              "now (%s); %zu lines read, %zu bad lines skipped\n",
              args.bank.c_str(), s.added, s.updated, s.deleted, s.unchanged, s.total,
              args.replace ? "replaced" : "merged", report.value().lines,
              report.value().errors.size());
  return 0;
}

// Removes the temporary files of imports that were killed mid-write (see temp_files.h).
void RemoveStaleTempFiles(const GlobalOptions& global) {
  const std::string data = DataDir(global).string();
  for (const std::string& dir :
       {hashdetect::BankDirectory(data), urldetect::ListDirectory(data)}) {
    for (const std::string& removed : hashbank::RemoveStaleTempFiles(dir)) {
      std::fprintf(stderr, "removed %s, left by an import that did not finish\n",
                   TerminalText(removed).c_str());
    }
  }
}

int Import(const GlobalOptions& global, const ImportArgs& args) {
  if (!host::IsValidListName(args.bank)) {
    PrintError("bank names are letters, digits, '-', '_' and '.', at most 100 characters");
    return 2;
  }
  bool urls = args.type == "url";
  if (host::IsLocalBankName(args.bank) && args.type != "url") {
    PrintError("bank " + args.bank +
               ": local-* banks hold what confirmed decisions add (the store writes them); "
               "import into a bank with another name");
    return 2;
  }
  if (auto video = vpdq::ParseVideoListFormat(args.format)) {
    return ImportVideos(global, args, *video);
  }
  if (args.type.empty()) {
    if (args.format == "plain") {
      PrintError("--format plain holds bare values without their type: add --type pdq, md5, "
                 "sha1, sha256 or url");
      return 2;
    }
    urls = args.format == "domains" || args.format == "sha256-list";
  }
  RemoveStaleTempFiles(global);
  return urls ? ImportUrls(global, args) : ImportHashes(global, args);
}

int Verify(const GlobalOptions& global) {
  const std::string data = DataDir(global).string();
  int status = 0;
  size_t checked = 0;
  std::error_code ec;
  std::vector<fs::path> banks;
  for (const auto& e : fs::directory_iterator(hashdetect::BankDirectory(data), ec)) {
    if (e.path().extension() == ".bank") banks.push_back(e.path());
  }
  std::sort(banks.begin(), banks.end());
  for (const fs::path& path : banks) {
    ++checked;
    hashbank::OpenOptions full;
    full.verification = hashbank::BankVerification::kAlways;
    auto bank = hashbank::Bank::Open(path.string(), full);
    if (!bank.ok()) {
      std::printf("hash bank %s: DAMAGED: %s\n", TerminalText(path.stem().string()).c_str(),
                  TerminalText(bank.status().message()).c_str());
      status = 1;
      continue;
    }
    std::printf("hash bank %s: ok, %zu entries; every checksum and index entry verified\n",
                TerminalText(bank.value()->name()).c_str(), bank.value()->size());
  }
  std::vector<fs::path> lists;
  for (const auto& e : fs::directory_iterator(urldetect::ListDirectory(data), ec)) {
    if (e.path().extension() == ".ulist") lists.push_back(e.path());
  }
  std::sort(lists.begin(), lists.end());
  for (const fs::path& path : lists) {
    ++checked;
    auto list = url::Blocklist::Open(path.string());
    if (!list.ok()) {
      std::printf("URL list %s: DAMAGED: %s\n", TerminalText(path.stem().string()).c_str(),
                  TerminalText(list.status().message()).c_str());
      status = 1;
      continue;
    }
    std::printf("URL list %s: ok, %llu entries; structure verified (URL lists carry no "
                "checksums)\n",
                TerminalText(path.stem().string()).c_str(),
                static_cast<unsigned long long>(list.value().size()));
  }
  if (checked == 0) {
    std::printf("No banks or lists in %s.\n", TerminalText(data).c_str());
  }
  return status;
}

// The banks of the store, or nullptr after printing why one cannot be used (a damaged bank is
// never used silently, nor skipped: `vigil lists verify` names it).
std::unique_ptr<hashdetect::BankSet> OpenBanks(const GlobalOptions& global) {
  try {
    return std::make_unique<hashdetect::BankSet>(DataDir(global).string());
  } catch (const std::exception& e) {
    PrintError(e.what());
    return nullptr;
  }
}

int Show(const GlobalOptions& global) {
  const std::string data = DataDir(global).string();
  if (!SyncBanksIfThereIsAStore(global)) return 1;  // local banks, disabled entries
  auto bank_set = OpenBanks(global);
  if (!bank_set) return 1;
  const hashdetect::BankSet& banks = *bank_set;
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
  // Video entries: one per-frame file each in video-lists/<bank>/.
  size_t video_banks = 0;
  std::error_code ec;
  std::vector<fs::path> video_dirs;
  for (const auto& d : fs::directory_iterator(fs::path(data) / "video-lists", ec)) {
    if (d.is_directory()) video_dirs.push_back(d.path());
  }
  std::sort(video_dirs.begin(), video_dirs.end());
  for (const fs::path& dir : video_dirs) {
    size_t videos = 0;
    for (const auto& f : fs::directory_iterator(dir, ec)) {
      if (f.is_regular_file() && f.path().extension() == ".vpdq") ++videos;
    }
    ++video_banks;
    std::printf("video bank %-23s %8zu videos (vpdq)  %s\n",
                TerminalText(dir.filename().string()).c_str(), videos,
                TerminalText(dir.string()).c_str());
  }
  if (!banks.held().empty()) {
    std::printf("%zu bank entries disabled until a date: `vigil lists disabled` lists them\n",
                banks.held().size());
  }
  if (banks.banks().empty() && lists.value().empty() && video_banks == 0) {
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
  // Decisions' local banks and disabled entries as the store has them now (issue 13 item 6).
  if (!SyncBanksIfThereIsAStore(global)) return 1;
  auto bank_set = OpenBanks(global);
  if (!bank_set) return 1;
  const hashdetect::BankSet& banks = *bank_set;
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
        std::vector<hashbank::Match> found = std::move(matches).value();
        banks.DropDisabled(found);
        for (const auto& m : found) {
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
      "Import a list into a bank (hashes) or a URL list. Hash formats: hma, te-csv, ncmec-xml, "
      "stopncii-json, vics-json (every fingerprint type the file holds is imported; --type "
      "keeps only one), plain (bare values: needs --type). Video formats (the bank's video "
      "entries, matched by vigil.vpdq): vpdq (one video's reference per-frame file, "
      "frame_number,quality,pdq_hex,timestamp, named by the file), hma-vpdq (pytx/HMA lines "
      "'vpdq <signal JSON>'), te-csv-vpdq (ThreatExchange CSV rows of type HASH_VIDEO_VPDQ). "
      "URL formats: plain (URLs; needs "
      "--type url), domains (one host per line; '*.example.test' is the whole domain, invalid "
      "host names are errors), sha256-list (hashed). By default the import is merged into the "
      "existing bank or list: new entries are added, changed ones updated, and records the "
      "format deletes (NCMEC deleted records, StopNCII withdrawn hashes, ThreatExchange "
      "should_delete) removed; --replace makes the bank or list hold exactly the file's "
      "entries. Prints added/updated/deleted. Bad records are reported with their line and "
      "skipped (or refused with --strict); an import that imports nothing from a file with "
      "records fails; a failed or killed import leaves the bank or list unchanged, and the "
      "next import removes the temporary files a killed one left.");
  import->add_option("--type", args.type,
                     "pdq, md5, sha1, sha256 (import only that type) or url (a URL list); "
                     "default: every type the format holds")
      ->check(CLI::IsMember({"pdq", "md5", "sha1", "sha256", "url"}));
  import->add_option("--format", args.format, "The file's format (see above)")->required();
  import->add_option("--bank", args.bank, "Bank or list name")->required();
  import->add_option("FILE", args.file, "The list file")->required()->check(CLI::ExistingFile);
  import->add_option("--source", args.source, "Source recorded on entries (default: the bank name)");
  import->add_option("--category", args.category, "Category for entries that carry none (e.g. A1)");
  import->add_option("--severity", args.severity, "Severity 0..5 for entries that carry none")
      ->check(CLI::Range(0, 5));
  import->add_flag("--strict", args.strict, "Refuse the whole import if any record is bad");
  import->add_flag("--replace", args.replace,
                   "Replace the bank or list with the file's entries instead of merging");
  import->callback([&options] { options.exit_code = Import(options, args); });

  CLI::App* verify = lists->add_subcommand(
      "verify",
      "Fully verify every bank (all checksums and index entries) and URL list; exits 1 when "
      "one is damaged. Banks are fully verified once per version of the file; later opens only "
      "check their structure (docs/hash-banks.md)");
  verify->callback([&options] { options.exit_code = Verify(options); });

  CLI::App* show = lists->add_subcommand("show", "List the banks and URL lists with their sizes");
  show->callback([&options] { options.exit_code = Show(options); });

  // Issue 13 item 6: disable, enable, disabled (bank_holds_command.cc).
  AddBankHoldCommands(*lists, options);

  static std::string match_type;
  static std::vector<std::string> values;
  static bool match_json = false;
  CLI::App* match = app.add_subcommand(
      "match",
      "Look hash values up in the banks, without media (PDQ at the default threshold 31). "
      "The store's local banks (hashes confirmed decisions added) are brought up to date "
      "first, and entries disabled until a date (`vigil lists disable`) do not match");
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
