// Commands that read or write the store without scanning:
//   vigil stats [--json]        counts by outcome, detector and category
//   vigil audit verify          recompute the audit chain
//   vigil export                decided items as JSON lines or CSV
//   vigil queue show            the review queue as text (the accessible path)
//   vigil queue claim|decide|release|reopen   working it (queue_work_command.cc)
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "scan/scan_json.h"

#include "bundle/signed_bundle.h"
#include "cli/commands.h"
#include "cli/queue_item_command.h"
#include "cli/queue_review_command.h"
#include "cli/queue_work_command.h"
#include "core/terminal_text.h"
#include "isolation/plugin_trust.h"
#include "store/audit_log.h"
#include "store/review_queue.h"
#include "store/db/database.h"
#include "store/store.h"
#include "store/store_access.h"

namespace vigil::cli {
namespace {
namespace fs = std::filesystem;

// Rows of (key, count) from a two-column query.
nlohmann::ordered_json Counts(host::Store& store, const char* sql) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  host::Statement rows(store.db(), sql);
  while (rows.ok() && rows.Step() == host::kRow) out[rows.ColumnText(0)] = rows.ColumnInt(1);
  return out;
}

int Stats(const GlobalOptions& global, bool json) {
  auto store = OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/true);
  if (!store) return 1;
  nlohmann::ordered_json stats;
  auto counts = store->Counts();
  if (!counts.ok()) {
    PrintError(counts.status().message());
    return 1;
  }
  stats["items"] = counts.value().items;
  stats["failed_items"] = counts.value().failed_items;
  stats["detections"] = counts.value().detections;
  stats["by_outcome"] = Counts(*store, "SELECT outcome, count(*) FROM items GROUP BY outcome ORDER BY 1");
  stats["by_detector"] = Counts(*store,
      "SELECT detector || ' ' || label, count(*) FROM detections GROUP BY 1 ORDER BY 1");
  stats["by_category"] = Counts(*store,
      "SELECT category, count(*) FROM detections WHERE category IS NOT NULL AND category != '' "
      "GROUP BY 1 ORDER BY 1");
  stats["queue"] = Counts(*store, "SELECT state, count(*) FROM queue GROUP BY state ORDER BY 1");
  stats["detector_failures"] = Counts(*store,
      "SELECT detector, count(*) FROM detector_runs WHERE status = 'failed' GROUP BY 1 ORDER BY 1");
  // Items whose detections the caps cut short: never silent.
  stats["truncated_detections"] = nlohmann::ordered_json::object();
  {
    host::Statement rows(store->db(),
                         "SELECT detector, count(*), sum(detections_returned), "
                         "sum(detections_kept) FROM detector_runs WHERE detections_returned > "
                         "detections_kept GROUP BY 1 ORDER BY 1");
    while (rows.ok() && rows.Step() == host::kRow) {
      stats["truncated_detections"][rows.ColumnText(0)] = {{"items", rows.ColumnInt(1)},
                                                           {"returned", rows.ColumnInt(2)},
                                                           {"kept", rows.ColumnInt(3)}};
    }
  }
  if (json) {
    std::cout << host::JsonText(stats) << "\n";
    return 0;
  }
  std::printf("Store %s\n", TerminalText(StorePath(global).string()).c_str());
  std::printf("  items: %lld (%lld failed), detections: %lld\n",
              static_cast<long long>(counts.value().items),
              static_cast<long long>(counts.value().failed_items),
              static_cast<long long>(counts.value().detections));
  for (const char* section : {"by_outcome", "queue", "by_detector", "by_category", "detector_failures"}) {
    if (stats[section].empty()) continue;
    std::printf("  %s:\n", section);
    for (const auto& [key, value] : stats[section].items()) {
      std::printf("    %-40s %lld\n", TerminalText(key).c_str(),
                  static_cast<long long>(value.get<int64_t>()));
    }
  }
  if (!stats["truncated_detections"].empty()) {
    std::printf("  truncated_detections:\n");
    for (const auto& [detector, t] : stats["truncated_detections"].items()) {
      std::printf("    %-40s %lld items: returned %lld detections; kept %lld\n", detector.c_str(),
                  static_cast<long long>(t["items"].get<int64_t>()),
                  static_cast<long long>(t["returned"].get<int64_t>()),
                  static_cast<long long>(t["kept"].get<int64_t>()));
    }
  }
  return 0;
}

int AuditVerify(const GlobalOptions& global, const std::string& expect_head) {
  // Read-only: verifying changes nothing, not even a tampered trigger (it is reported).
  auto store = OpenStoreOrSay(global, host::OpenMode::kReadOnly);
  if (!store) return 1;
  auto report = host::VerifyAudit(store->db());
  if (!report.ok()) {
    PrintError(report.status().message());
    return 1;
  }
  for (const auto& problem : report.value().problems) {
    std::printf("BROKEN  %s\n", TerminalText(problem).c_str());
  }
  bool ok = report.value().problems.empty();
  if (!expect_head.empty() && expect_head != report.value().head_hash) {
    std::printf("BROKEN  the head is %s, not the expected %s (entries removed from the end, "
                "or another log)\n", report.value().head_hash.c_str(), expect_head.c_str());
    ok = false;
  }
  std::printf("%s: %lld entries, head %s\n", ok ? "OK" : "FAILED",
              static_cast<long long>(report.value().entries),
              report.value().head_hash.empty() ? "(empty)" : report.value().head_hash.c_str());
  return ok ? 0 : 1;
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// Where an export goes: stdout, a device or pipe named by --out (written in place), or
// a regular file, written to a temporary file beside it and renamed over it only once
// every byte is on disk. The first failed write, flush, sync, close or rename is kept
// and reported; a failed export leaves no partial file under the target's name.
class ExportSink {
 public:
  ~ExportSink() {
    if (file_ != nullptr && file_ != stdout) std::fclose(file_);
    if (!temp_.empty()) ::unlink(temp_.c_str());
  }

  Status Open(const std::string& target) {
    target_ = target;
    if (target.empty()) {
      file_ = stdout;
      return Status::Ok();
    }
    struct stat st {};
    if (::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      if (S_ISDIR(st.st_mode)) return Status::IoError("cannot write " + target + ": a folder");
      file_ = std::fopen(target.c_str(), "w");  // a device or a pipe: no rename possible
      if (file_ == nullptr) return Status::IoError("cannot write " + target + ": " + Errno());
      return Status::Ok();
    }
    // A link is followed: the file it names is replaced, not the link.
    std::error_code ec;
    const fs::path path = fs::is_symlink(fs::symlink_status(target, ec))
                              ? fs::weakly_canonical(target, ec)
                              : fs::path(target);
    rename_to_ = path.string();
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::string pattern =
        (dir / ("." + path.filename().string() + ".vigil-export-XXXXXX")).string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) return Status::IoError("cannot write " + target + ": " + Errno());
    temp_ = pattern;
    ::fchmod(fd, 0666 & ~CurrentUmask());  // as a new file would be, not mkstemp's 0600
    file_ = ::fdopen(fd, "w");
    if (file_ == nullptr) {
      ::close(fd);
      return Status::IoError("cannot write " + target + ": " + Errno());
    }
    return Status::Ok();
  }

  void Write(const std::string& text) {
    if (!error_.empty() || text.empty()) return;
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) error_ = Errno();
  }

  // Flushes, syncs and closes; then renames the temporary file over the target.
  Status Finish() {
    if (error_.empty() && std::fflush(file_) != 0) error_ = Errno();
    if (error_.empty() && std::ferror(file_)) error_ = "write error";
    if (error_.empty() && !temp_.empty() && ::fsync(::fileno(file_)) != 0) error_ = Errno();
    if (file_ != stdout) {
      const int closed = std::fclose(file_);
      if (error_.empty() && closed != 0) error_ = Errno();
      file_ = nullptr;
    }
    if (error_.empty() && !temp_.empty()) {
      if (::rename(temp_.c_str(), rename_to_.c_str()) != 0)
        error_ = Errno();
      else
        temp_.clear();
    }
    if (error_.empty()) return Status::Ok();
    return Status::IoError("cannot write " + (target_.empty() ? "stdout" : target_) + ": " +
                           error_);
  }

 private:
  static std::string Errno() { return std::strerror(errno); }
  static mode_t CurrentUmask() {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return mask;
  }

  std::string target_;
  std::string rename_to_;
  std::string temp_;  // the temporary file while it is not renamed; removed on failure
  std::FILE* file_ = nullptr;
  std::string error_;  // the first error
};

// A folder made beside the bundle's destination and removed unless Keep() renamed it.
class BundleFolder {
 public:
  ~BundleFolder() {
    std::error_code ec;
    if (!temp_.empty()) fs::remove_all(temp_, ec);
  }
  Status Make(const std::string& target) {
    target_ = target;
    std::error_code ec;
    if (fs::exists(fs::symlink_status(target, ec))) {
      return Status::InvalidArgument(target + " exists: a signed export goes into a new folder");
    }
    const fs::path path(target);
    const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::string pattern =
        (dir / ("." + path.filename().string() + ".vigil-bundle-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Status::IoError("cannot make " + target + ": " + std::strerror(errno));
    }
    temp_ = pattern;
    return Status::Ok();
  }
  const fs::path& temp() const { return temp_; }
  Status Keep() {
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
      return Status::IoError("cannot make " + target_ + ": " + std::strerror(errno));
    }
    temp_.clear();
    return Status::Ok();
  }

 private:
  std::string target_;
  fs::path temp_;
};

// The newest audit entry (inside the export's transaction: its own entry).
StatusOr<bundle::AuditHead> ReadAuditHead(host::Database& db) {
  host::Statement head(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
  bundle::AuditHead result;
  const int rc = head.Step();
  if (rc == host::kRow) {
    result.seq = head.ColumnInt(0);
    result.hash = head.ColumnText(1);
  } else if (rc != host::kDone) {
    return head.Error("reading the audit log's head");
  }
  return result;
}

int Export(const GlobalOptions& global, const std::string& format, const std::string& out_arg,
           const std::string& sign_key) {
  // Issue 15 item 4: with --sign, --out names a new folder: the export file, a manifest
  // of its SHA-256 and the audit chain head (after this export's own entry), and an
  // Ed25519 signature over the manifest (bundle/signed_bundle.h).
  BundleFolder bundle_folder;
  const std::string data_name = "decisions." + format;
  std::string out_path = out_arg;
  if (!sign_key.empty()) {
    if (out_arg.empty()) {
      PrintError("--sign writes a bundle folder: give --out DIR (a folder that does not exist)");
      return 1;
    }
    if (auto key = isolation::SigningPublicKey(sign_key); !key.ok()) {
      PrintError(key.status().message() + "; nothing exported");
      return 1;
    }
    if (Status made = bundle_folder.Make(out_arg); !made.ok()) {
      PrintError(made.message() + "; nothing exported");
      return 1;
    }
    out_path = (bundle_folder.temp() / data_name).string();
  }
  auto store = OpenStoreOrSay(global);
  if (!store) return 1;
  host::Statement rows(store->db(),
      "SELECT i.id, i.sha256, i.last_path, coalesce(i.url, ''), i.media_kind, i.size, i.outcome, "
      "d.decision, d.reviewer, coalesce(d.reason, ''), d.decided_at, i.first_seen, "
      "(SELECT group_concat(value, ' ') FROM signals s WHERE s.item_id = i.id AND s.type = 'md5'), "
      "(SELECT group_concat(value, ' ') FROM signals s WHERE s.item_id = i.id AND s.type = 'sha1'), "
      "(SELECT group_concat(value, ' ') FROM signals s WHERE s.item_id = i.id AND s.type = 'pdq'), "
      "(SELECT group_concat(detector || ':' || label || coalesce(':' || category, ''), ' ') "
      " FROM detections x WHERE x.item_id = i.id) "
      "FROM decisions d JOIN items i ON i.id = d.item_id "
      "WHERE d.id = (SELECT max(id) FROM decisions WHERE item_id = i.id) AND " +
          host::DecisionVisibleSql("d") + " ORDER BY d.id");
  if (!rows.ok()) {
    PrintError("cannot read decisions from the store");
    return 1;
  }
  ExportSink out;
  if (Status opened = out.Open(out_path); !opened.ok()) {
    PrintError(opened.message());
    return 1;
  }
  const char* header[] = {"item_id", "sha256", "path", "url", "media_kind", "size", "outcome",
                          "decision", "reviewer", "reason", "decided_at", "first_seen", "md5",
                          "sha1", "pdq", "detections"};
  if (format == "csv") {
    std::string line;
    for (size_t i = 0; i < std::size(header); ++i) line += std::string(i ? "," : "") + header[i];
    out.Write(line + "\n");
  }
  int64_t count = 0;
  int step = host::kRow;
  while ((step = rows.Step()) == host::kRow) {
    ++count;
    std::string line;
    if (format == "csv") {
      for (int c = 0; c < static_cast<int>(std::size(header)); ++c) {
        line += (c ? "," : "") + CsvField(rows.ColumnText(c));
      }
    } else {
      nlohmann::ordered_json json;
      for (int c = 0; c < static_cast<int>(std::size(header)); ++c) {
        json[header[c]] = c == 0 || c == 5 ? nlohmann::ordered_json(rows.ColumnInt(c))
                                           : nlohmann::ordered_json(rows.ColumnText(c));
      }
      line = host::JsonText(json);
    }
    out.Write(line + "\n");
  }
  if (step != host::kDone) {
    PrintError(rows.Error("cannot read decisions from the store").message() +
               "; nothing exported");
    return 1;
  }
  // Only a complete, durable export is recorded as one: the audit entry is written in a
  // transaction that commits after the file is in place.
  host::Transaction tx(store->db());
  nlohmann::json details = {{"format", format},
                            {"items", count},
                            {"destination", out_arg.empty() ? "stdout" : out_arg}};
  std::vector<bundle::BundleFile> files;
  if (!sign_key.empty()) {
    // The file is finished (in the folder nobody sees yet) first: its hash goes into the
    // audit entry, so the chain head in the manifest covers it.
    if (Status written = out.Finish(); !written.ok()) {
      PrintError(written.message() + "; nothing exported, nothing audited");
      return 1;
    }
    auto file = bundle::DescribeFile(bundle_folder.temp(), data_name);
    if (!file.ok()) {
      PrintError(file.status().message() + "; nothing exported, nothing audited");
      return 1;
    }
    files.push_back(file.value());
    details["signed"] = true;
    details["files"] = {{data_name, file->sha256}};
  }
  Status audited = tx.Begin();
  if (audited.ok()) {
    audited = host::AppendAudit(store->db(), {"export", "export", 0, host::JsonText(details)},
                                host::NowUtc());
  }
  if (!audited.ok()) {
    PrintError("cannot record the export in the audit log: " + audited.message() +
               "; nothing exported");
    return 1;  // ~ExportSink removes the temporary file
  }
  if (!sign_key.empty()) {
    auto head = ReadAuditHead(store->db());
    Status made = head.ok() ? bundle::WriteManifest(bundle_folder.temp(), "export", files,
                                                    head.value(), sign_key)
                            : head.status();
    if (made.ok()) made = bundle_folder.Keep();
    if (!made.ok()) {
      PrintError(made.message() + "; nothing exported, nothing audited");
      return 1;  // ~BundleFolder removes the folder, ~Transaction the audit entry
    }
  } else if (Status written = out.Finish(); !written.ok()) {
    PrintError(written.message() + "; nothing exported, nothing audited");
    return 1;  // ~Transaction rolls the audit entry back
  }
  if (Status committed = tx.Commit(); !committed.ok()) {
    if (!sign_key.empty()) {  // a signed bundle names an audit head that never landed
      std::error_code ec;
      fs::remove_all(out_arg, ec);
      PrintError("could not record the export in the audit log: " + committed.message() +
                 "; the bundle " + out_arg + " was removed");
      return 1;
    }
    PrintError("exported " + std::to_string(count) + " items to " +
               (out_arg.empty() ? std::string("stdout") : out_arg) +
               " but could not record it in the audit log: " + committed.message());
    return 1;
  }
  if (!out_arg.empty())
    std::fprintf(stderr, "vigil: exported %lld decided items to %s%s\n",
                 static_cast<long long>(count), TerminalText(out_arg).c_str(),
                 sign_key.empty() ? "" : " (signed bundle: check it with `vigil bundle verify`)");
  return 0;
}

const char* SeverityWord(int s) {
  static const char* const kWords[] = {"unspecified", "none", "low", "medium", "high", "critical"};
  return s >= 0 && s <= 5 ? kWords[s] : "unknown";
}

int QueueShow(const GlobalOptions& global, const std::string& state, int limit,
              const std::string& queue_name) {
  auto store = OpenStoreOrSay(global, host::OpenMode::kReadWrite, /*reads=*/true);
  if (!store) return 1;
  host::ReviewQueue queue(*store);
  auto entries =
      queue.List(state == "all" ? "" : state, host::QueueOrder::kPriority, limit, queue_name);
  if (!entries.ok()) {
    PrintError(entries.status().message());
    return 1;
  }
  if (entries.value().empty()) {
    const std::string which = queue_name.empty() ? "The queue" : "Queue " + queue_name;
    if (state == "all") std::printf("%s is empty.\n", TerminalText(which).c_str());
    else std::printf("%s has no %s items.\n", TerminalText(which).c_str(), state.c_str());
  }
  for (const auto& e : entries.value()) {
    // Paths, categories and reasons come from files' names and plugins: escaped, so each
    // item stays one paragraph and nothing reaches the terminal as a control.
    std::printf("Item %lld, %s in queue %s, priority %d, severity %s%s%s.\n  %s\n  Why: %s\n",
                static_cast<long long>(e.item_id), TerminalText(e.state).c_str(),
                TerminalText(e.queue).c_str(), e.priority,
                SeverityWord(e.severity), e.category.empty() ? "" : ", category ",
                TerminalText(e.category).c_str(), TerminalText(e.path).c_str(),
                e.reason.empty() ? "-" : TerminalText(e.reason).c_str());
    if (!e.decision.empty()) {
      std::printf("  Decided: %s by %s.\n", TerminalText(e.decision).c_str(),
                  TerminalText(e.decided_by).c_str());
    }
  }
  return 0;
}

}  // namespace

void RegisterStoreCommands(CLI::App& app, GlobalOptions& options) {
  static bool stats_json = false;
  CLI::App* stats = app.add_subcommand(
      "stats", "Counts by outcome, detector, category and queue state, and truncated detections");
  stats->add_flag("--json", stats_json, "One JSON object");
  stats->callback([&options] { options.exit_code = Stats(options, stats_json); });

  CLI::App* audit = app.add_subcommand("audit", "Check the hash-chained audit log");
  audit->require_subcommand(1);
  static std::string expect_head;
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Recompute the chain and check the store against it (read-only): name every edited, "
      "retyped, deleted or reordered entry, every changed trigger or table, and every item, "
      "decision, reveal or exposure record the log does not account for. Exit 1 if broken");
  verify->add_option("--expect-head", expect_head,
                     "The head hash recorded earlier elsewhere: also catches entries removed from the end");
  verify->callback([&options] { options.exit_code = AuditVerify(options, expect_head); });

  static std::string format = "jsonl";
  static std::string out;
  CLI::App* exp = app.add_subcommand(
      "export", "Decided items (hashes, detections, decision, reviewer, times; never the media)");
  exp->add_option("--format", format, "jsonl or csv")->check(CLI::IsMember({"jsonl", "csv"}));
  exp->add_option("--out", out,
                  "Write to FILE instead of stdout: FILE is replaced whole once the export is "
                  "written, or left as it was when any write fails (exit 1, nothing audited)")
      ->type_name("FILE");
  static std::string sign_key;
  exp->add_option("--sign", sign_key,
                  "Write a signed bundle: --out names a new folder that receives the export, "
                  "manifest.json (the file's SHA-256, the audit chain head after this export) "
                  "and manifest.sig (Ed25519 with KEY, from `vigil plugins keygen`)")
      ->type_name("KEY");
  exp->callback([&options] { options.exit_code = Export(options, format, out, sign_key); });

  CLI::App* queue = app.add_subcommand("queue", "The review queue");
  queue->require_subcommand(1);
  static std::string state = "pending";
  static int limit = 50;
  static std::string queue_name;
  CLI::App* show = queue->add_subcommand(
      "show", "The queue as plain text, one item per paragraph (screen-reader friendly)");
  show->add_option("--state", state, "pending, claimed, decided or all")
      ->check(CLI::IsMember({"pending", "claimed", "decided", "all"}));
  show->add_option("--limit", limit, "At most this many items")->check(CLI::Range(1, 100000));
  show->add_option("--queue", queue_name, "Only this named queue (see `vigil queues`)")
      ->type_name("NAME");
  AddQueueItemOptions(*show, options,
                      [&options] { options.exit_code = QueueShow(options, state, limit, queue_name); });
  // claim, decide, release, reopen: the headless queue API (queue_work_command.cc).
  AddQueueWorkCommands(*queue, options);
  AddQueueReviewCommands(*queue, options);
}

}  // namespace vigil::cli
