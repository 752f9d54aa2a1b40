#include "service/bank_routes.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "scan/sha256.h"
#include "store/audit_log.h"
#include "store/bank_entries.h"
#include "store/bank_materialise.h"
#include "store/local_banks.h"
#include "store/review_queue.h"
#include "store/store.h"
#include "vigil/hashbank/bank_update.h"
#include "vigil/hashbank/importers.h"

namespace vigil::service {
namespace fs = std::filesystem;

// [SECTION] BankLibrary ------------------------------------------------------------------

StatusOr<std::unique_ptr<BankLibrary>> BankLibrary::Open(const std::string& data_dir) {
  std::unique_ptr<BankLibrary> library(new BankLibrary(data_dir));
  if (Status s = library->Reload(); !s.ok()) return s;
  return library;
}

BankLibrary::~BankLibrary() { StopWatching(); }

std::shared_ptr<const hashdetect::BankSet> BankLibrary::Current() const {
  std::lock_guard<std::mutex> lock(current_mutex_);
  return current_;
}

std::string BankLibrary::load_error() const {
  std::lock_guard<std::mutex> lock(current_mutex_);
  return error_;
}

int64_t BankLibrary::reloads() const {
  std::lock_guard<std::mutex> lock(current_mutex_);
  return reloads_;
}

std::string BankLibrary::Fingerprint() const {
  std::vector<std::string> parts;
  std::error_code ec;
  const fs::path dir = hashdetect::BankDirectory(data_dir_);
  const std::string held = fs::path(hashdetect::HeldEntriesPath(data_dir_)).filename().string();
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".bank" && name != held) continue;
    struct stat st {};
    if (::stat(e.path().c_str(), &st) != 0) continue;
    parts.push_back(name + ":" + std::to_string(st.st_size) + ":" +
                    std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) +
                    ":" + std::to_string(st.st_ino));
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const std::string& p : parts) out += p + "\n";
  return out;
}

Status BankLibrary::Reload() {
  std::lock_guard<std::mutex> reload(reload_mutex_);
  // Taken before opening: a change made while the set opens is seen by the next poll.
  tried_ = Fingerprint();
  std::shared_ptr<const hashdetect::BankSet> set;
  try {
    set = std::make_shared<const hashdetect::BankSet>(data_dir_);
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(current_mutex_);
    error_ = e.what();
    if (current_) {
      std::fprintf(stderr, "vigil serve: banks not reloaded, the previous set stays in use: %s\n",
                   e.what());
    }
    return Status::InvalidArgument(e.what());
  }
  size_t entries = 0;
  for (const auto& bank : set->banks()) entries += bank->size();
  std::lock_guard<std::mutex> lock(current_mutex_);
  const bool first = current_ == nullptr;
  current_ = std::move(set);
  error_.clear();
  if (!first) {
    ++reloads_;
    std::fprintf(stderr, "vigil serve: banks reloaded: %zu banks, %zu entries, %zu held\n",
                 current_->banks().size(), entries, current_->held().size());
  }
  return Status::Ok();
}

bool BankLibrary::ReloadIfChanged() {
  {
    std::lock_guard<std::mutex> reload(reload_mutex_);
    if (Fingerprint() == tried_) return false;
  }
  return Reload().ok();
}

void BankLibrary::StartWatching(std::chrono::milliseconds period) {
  StopWatching();
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    watch_stop_ = false;
  }
  watcher_ = std::thread([this, period] {
    std::unique_lock<std::mutex> lock(watch_mutex_);
    std::string refresh_error;
    for (int64_t poll = 0; !watch_wake_.wait_for(lock, period, [this] { return watch_stop_; });
         ++poll) {
      lock.unlock();
      if (refresh_ && poll % refresh_every_ == 0) {
        std::string error = refresh_();
        if (error != refresh_error && !error.empty()) {
          std::fprintf(stderr,
                       "vigil serve: the banks folder cannot be refreshed from the store: %s\n",
                       error.c_str());
        }
        refresh_error = error;
      }
      ReloadIfChanged();
      lock.lock();
    }
  });
}

void BankLibrary::SetRefresh(std::function<std::string()> refresh, int refresh_every) {
  refresh_ = std::move(refresh);
  refresh_every_ = std::max(1, refresh_every);
}

void BankLibrary::StopWatching() {
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    watch_stop_ = true;
  }
  watch_wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

std::string RenderBankMetrics(const BankLibrary& banks) {
  std::ostringstream out;
  out << "# HELP vigil_bank_entries Entries of each hash bank in use.\n"
      << "# TYPE vigil_bank_entries gauge\n";
  if (auto set = banks.Current()) {
    for (const auto& bank : set->banks()) {
      out << "vigil_bank_entries{bank=\"" << bank->name() << "\"} " << bank->size() << "\n";
    }
  }
  out << "# HELP vigil_bank_reloads_total Times the bank set was reopened after a change.\n"
      << "# TYPE vigil_bank_reloads_total counter\n"
      << "vigil_bank_reloads_total " << banks.reloads() << "\n"
      << "# HELP vigil_bank_reload_failing 1 while the folder holds a bank that cannot be used "
         "(the previous set serves).\n"
      << "# TYPE vigil_bank_reload_failing gauge\n"
      << "vigil_bank_reload_failing " << (banks.load_error().empty() ? 0 : 1) << "\n";
  return out.str();
}

namespace {

// [SECTION] Helpers ----------------------------------------------------------------------

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The query's name=value pairs, percent-decoded ('+' is a space). nullopt: a malformed escape.
std::optional<std::map<std::string, std::string>> ParseQuery(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(start, end - start);
    std::replace(pair.begin(), pair.end(), '+', ' ');
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      auto name = PercentDecode(pair.substr(0, eq));
      auto value = PercentDecode(eq == std::string::npos ? "" : pair.substr(eq + 1));
      if (!name || !value) return std::nullopt;
      out[*name] = *value;
    }
    start = end + 1;
  }
  return out;
}

// "1767225600", "2027-01-31" or "2027-01-31T12:00:00Z" as Unix seconds.
bool ParseUntil(const std::string& text, int64_t& out) {
  if (!text.empty() &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      text.size() < 13) {
    out = std::stoll(text);
    return true;
  }
  std::tm tm{};
  char tail = 0;
  int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%c", &tm.tm_year, &tm.tm_mon,
                      &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail);
  if (!(n == 6 && text.size() == 20) && !(n == 3 && text.size() == 10)) return false;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return false;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  out = static_cast<int64_t>(timegm(&tm));
  return true;
}

// An audit entry for a change made through the API, by the token's name.
Status Audit(const ApiDeps& deps, const HttpRequest& request, const std::string& action,
             nlohmann::json details) {
  std::lock_guard<std::mutex> lock(*deps.db_mutex);
  host::Transaction tx(*deps.db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  host::AuditEntry entry;
  entry.actor = "api:" + request.token_name;
  entry.action = action;
  details["route"] = request.method + " " + request.path;
  // A team store records the login as the actor: the token's name is kept in the details.
  details["token"] = request.token_name;
  entry.details = Dump(details);
  if (Status s = host::AppendAudit(*deps.db, entry, host::NowUtc()); !s.ok()) return s;
  return tx.Commit();
}

// The answer after a bank file changed: the set reloaded at once, and the audit entry.
HttpResponse Changed(const ApiDeps& deps, const HttpRequest& request, const std::string& action,
                     const nlohmann::json& details, nlohmann::json out) {
  if (Status s = deps.banks->Reload(); !s.ok()) {
    out["reload_error"] = s.message();
  }
  if (Status s = Audit(deps, request, action, details); !s.ok()) {
    std::fprintf(stderr, "vigil serve: %s made but not audited: %s\n", action.c_str(),
                 s.message().c_str());
    return JsonError(503, "the bank changed (" + details.dump() +
                              ") but the audit log could not be written: " + s.message());
  }
  return JsonResponse(200, Dump(out));
}

nlohmann::json MatchJson(const hashbank::Match& m) {
  return {{"bank", m.bank},
          {"entry_id",
           m.entry.external_id.empty() ? std::to_string(m.entry_index) : m.entry.external_id},
          {"category", m.entry.category},
          {"severity", m.entry.severity},
          {"source", m.entry.source},
          {"distance", m.distance},
          {"dihedral", m.variant},
          {"value", m.entry.value.ToHex()}};
}

// [SECTION] POST /v1/match ---------------------------------------------------------------

struct Query {
  hashbank::SignalType type;
  hashbank::HashValue value;
  hashbank::PdqWords pdq;
  int threshold = hashbank::kDefaultPdqThreshold;
};

// The matches of one signal in every bank of `set`, disabled entries left out, nearest
// first, at most kMaxMatchesPerSignal: out["matches"] (and out["truncated"]).
Status MatchOne(const hashdetect::BankSet& set, const Query& q, int64_t now, nlohmann::json& out) {
  std::vector<hashbank::Match> found;
  for (const auto& bank : set.banks()) {
    if (bank->count(q.type) == 0) continue;
    auto matches = q.type == hashbank::SignalType::kPdq ? bank->MatchPdq(&q.pdq, 1, q.threshold)
                                                        : bank->MatchExact(q.value);
    if (!matches.ok())
      return Status::IoError("bank " + bank->name() + ": " + matches.status().message());
    for (hashbank::Match& m : matches.value()) {
      if (!set.Disabled(m, now)) found.push_back(std::move(m));
    }
  }
  std::stable_sort(
      found.begin(), found.end(),
      [](const hashbank::Match& a, const hashbank::Match& b) { return a.distance < b.distance; });
  out["matches"] = nlohmann::json::array();
  for (size_t k = 0; k < found.size() && k < kMaxMatchesPerSignal; ++k) {
    out["matches"].push_back(MatchJson(found[k]));
  }
  if (found.size() > kMaxMatchesPerSignal) out["truncated"] = true;
  return Status::Ok();
}

HttpResponse MatchSignals(const ApiDeps& deps, HttpRequest& request) {
  if (deps.banks == nullptr) return JsonError(503, "no banks");
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("signals") ||
      !body["signals"].is_array()) {
    return JsonError(400,
                     "send {\"signals\": [{\"type\": \"pdq\", \"value\": \"<64 hex>\"}, ...]}");
  }
  const nlohmann::json& signals = body["signals"];
  if (signals.size() > kMaxSignalsPerMatch) {
    return JsonError(413, "at most " + std::to_string(kMaxSignalsPerMatch) +
                              " signals per request, not " + std::to_string(signals.size()));
  }
  // Every signal is checked before any is matched: a bad one fails the request, named.
  std::vector<Query> queries;
  queries.reserve(signals.size());
  for (size_t i = 0; i < signals.size(); ++i) {
    const nlohmann::json& s = signals[i];
    const std::string at = "signals[" + std::to_string(i) + "]: ";
    if (!s.is_object() || !s.contains("type") || !s["type"].is_string() || !s.contains("value") ||
        !s["value"].is_string()) {
      return JsonError(400, at + "an object with a string \"type\" and a string \"value\"");
    }
    const std::string type = s["type"].get<std::string>();
    auto signal = hashbank::ParseSignalType(type);
    if (!signal) {
      return JsonError(
          400, at + "unknown type '" + type.substr(0, 40) + "': use pdq, md5, sha1 or sha256");
    }
    Query q;
    q.type = *signal;
    auto value = hashbank::ParseHashValue(*signal, s["value"].get<std::string>());
    if (!value.ok()) return JsonError(400, at + value.status().message());
    q.value = value.value();
    if (s.contains("threshold")) {
      if (*signal != hashbank::SignalType::kPdq) {
        return JsonError(400, at + "a threshold is for pdq only (digests match exactly)");
      }
      if (!s["threshold"].is_number_integer() || s["threshold"].get<int64_t>() < 0 ||
          s["threshold"].get<int64_t>() > kMaxApiPdqThreshold) {
        return JsonError(400, at + "threshold must be an integer from 0 to " +
                                  std::to_string(kMaxApiPdqThreshold));
      }
      q.threshold = s["threshold"].get<int>();
    }
    if (*signal == hashbank::SignalType::kPdq)
      q.pdq = hashbank::PdqWordsFromBytes(q.value.bytes.data());
    queries.push_back(q);
  }
  std::shared_ptr<const hashdetect::BankSet> set = deps.banks->Current();
  const int64_t now = Now();
  nlohmann::json results = nlohmann::json::array();
  for (size_t i = 0; i < queries.size(); ++i) {
    nlohmann::json r{{"type", hashbank::SignalTypeName(queries[i].type)},
                     {"value", signals[i]["value"]}};
    if (Status s = MatchOne(*set, queries[i], now, r); !s.ok()) {
      return JsonError(500, "signals[" + std::to_string(i) + "]: " + s.message());
    }
    results.push_back(std::move(r));
  }
  return JsonResponse(200, Dump({{"results", results}}));
}

// [SECTION] GET /v1/banks ----------------------------------------------------------------

HttpResponse ListBanks(const ApiDeps& deps, HttpRequest&) {
  if (deps.banks == nullptr) return JsonError(503, "no banks");
  std::shared_ptr<const hashdetect::BankSet> set = deps.banks->Current();
  const int64_t now = Now();
  nlohmann::json banks = nlohmann::json::array();
  for (const auto& bank : set->banks()) {
    int64_t disabled = 0;
    for (const hashdetect::HeldEntry& h : set->held()) {
      if (h.bank == bank->name() && h.until_unix > now) ++disabled;
    }
    nlohmann::json by_type = nlohmann::json::object();
    for (hashbank::SignalType t : hashbank::kAllSignalTypes) {
      by_type[std::string(hashbank::SignalTypeName(t))] = bank->count(t);
    }
    banks.push_back({{"name", bank->name()},
                     {"kind", host::IsLocalBankName(bank->name()) ? "local" : "imported"},
                     {"entries", bank->size()},
                     {"by_type", by_type},
                     {"disabled", disabled},
                     {"file_bytes", bank->file_bytes()},
                     {"created_unix", bank->created_unix()}});
  }
  const std::string error = deps.banks->load_error();
  return JsonResponse(
      200, Dump({{"banks", banks},
                 {"load_error", error.empty() ? nlohmann::json() : nlohmann::json(error)},
                 {"reloads", deps.banks->reloads()}}));
}

// A bank the API may write: a valid name, not a local (decision-made) bank.
std::optional<HttpResponse> RefuseBankName(const std::string& name) {
  if (!host::IsValidListName(name)) {
    return JsonError(400,
                     "bank names are letters, digits, '-', '_' and '.', at most 100 characters");
  }
  if (host::IsLocalBankName(name)) {
    return JsonError(400, "bank " + name +
                              ": local-* banks hold what confirmed decisions add (the store "
                              "writes them); use another bank");
  }
  return std::nullopt;
}

// [SECTION] POST /v1/banks/{name}/entries ------------------------------------------------

HttpResponse AddEntries(const ApiDeps& deps, HttpRequest& request) {
  if (deps.banks == nullptr || deps.db == nullptr) return JsonError(503, "no banks or no store");
  const std::string& name = request.params["name"];
  if (auto refused = RefuseBankName(name)) return *refused;
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("entries") ||
      !body["entries"].is_array() || body["entries"].empty()) {
    return JsonError(400,
                     "send {\"entries\": [{\"type\": \"pdq\", \"value\": \"<hex>\", "
                     "\"category\"?, \"severity\"?, \"id\"?}], \"source\"?}");
  }
  if (body["entries"].size() > kMaxEntriesPerAdd) {
    return JsonError(413, "at most " + std::to_string(kMaxEntriesPerAdd) + " entries per request");
  }
  std::string source = "api:" + request.token_name;
  if (body.contains("source")) {
    if (!body["source"].is_string() || body["source"].get<std::string>().empty()) {
      return JsonError(400, "source must be a non-empty string");
    }
    source = body["source"].get<std::string>();
  }
  hashbank::ImportResult import;
  const int64_t now = Now();
  const nlohmann::json& entries = body["entries"];
  for (size_t i = 0; i < entries.size(); ++i) {
    const nlohmann::json& e = entries[i];
    const std::string at = "entries[" + std::to_string(i) + "]: ";
    if (!e.is_object() || !e.contains("type") || !e["type"].is_string() || !e.contains("value") ||
        !e["value"].is_string()) {
      return JsonError(400, at + "an object with a string \"type\" and a string \"value\"");
    }
    auto type = hashbank::ParseSignalType(e["type"].get<std::string>());
    if (!type) return JsonError(400, at + "unknown type: use pdq, md5, sha1 or sha256");
    auto value = hashbank::ParseHashValue(*type, e["value"].get<std::string>());
    if (!value.ok()) return JsonError(400, at + value.status().message());
    hashbank::Entry entry;
    entry.value = value.value();
    entry.source = source;
    entry.added_unix = now;
    for (const char* field : {"category", "id"}) {
      if (!e.contains(field)) continue;
      if (!e[field].is_string() || e[field].get<std::string>().size() > 256) {
        return JsonError(400, at + field + " must be a string of at most 256 bytes");
      }
    }
    entry.category = e.value("category", "");
    entry.external_id = e.value("id", "");
    if (e.contains("severity")) {
      if (!e["severity"].is_number_integer() || e["severity"].get<int64_t>() < 0 ||
          e["severity"].get<int64_t>() > hashbank::kMaxSeverity) {
        return JsonError(400, at + "severity must be an integer from 0 to 5");
      }
      entry.severity = e["severity"].get<int>();
    } else {
      entry.severity = hashbank::DefaultSeverityForCategory(entry.category);
    }
    import.AddEntry(std::move(entry));
  }
  std::lock_guard<std::mutex> write(deps.banks->write_mutex());
  std::error_code ec;
  fs::create_directories(hashdetect::BankDirectory(deps.banks->data_dir()), ec);
  auto applied = hashbank::UpdateBankFile(hashdetect::BankPath(deps.banks->data_dir(), name), name,
                                          std::move(import));
  if (!applied.ok()) {
    return JsonError(
        500, "could not write bank " + name + " (unchanged): " + applied.status().message());
  }
  const hashbank::ApplyStats& s = applied.value();
  nlohmann::json stats{{"bank", name},
                       {"added", s.added},
                       {"updated", s.updated},
                       {"unchanged", s.unchanged},
                       {"total", s.total}};
  return Changed(deps, request, "api.bank_entries_added",
                 {{"bank", name},
                  {"added", s.added},
                  {"updated", s.updated},
                  {"sha256", host::Sha256Hex(request.body)}},
                 stats);
}

// [SECTION] DELETE /v1/banks/{name}/entries/{entry} --------------------------------------

HttpResponse DisableEntry(const ApiDeps& deps, HttpRequest& request) {
  if (deps.banks == nullptr || deps.db == nullptr) return JsonError(503, "no banks or no store");
  const std::string& name = request.params["name"];
  auto query = ParseQuery(request.query);
  if (!query) return JsonError(400, "malformed percent-escape in the query");
  int64_t until = 0;
  if (!ParseUntil((*query)["until"], until)) {
    return JsonError(400,
                     "until= is required: Unix seconds, a UTC date like 2027-01-31 or "
                     "2027-01-31T12:00:00Z (the entry matches again from then)");
  }
  const std::string reason = (*query)["reason"];
  if (reason.find_first_not_of(" \t") == std::string::npos || reason.size() > 1024) {
    return JsonError(400, "reason= is required (at most 1024 bytes): why the entry is disabled");
  }
  const int64_t now = Now();
  if (until <= now) {
    return JsonError(400, "until is not in the future: an entry is disabled until a later date");
  }
  std::lock_guard<std::mutex> write(deps.banks->write_mutex());
  auto entry = host::FindBankEntry(deps.banks->data_dir(), name, request.params["entry"]);
  if (!entry.ok()) {
    return JsonError(entry.status().code() == Status::Code::kNotFound ? 404 : 500,
                     entry.status().message() + "; nothing disabled");
  }
  host::EntryHold hold;
  hold.bank = name;
  hold.entry = entry.value();
  hold.until_unix = until;
  hold.reason = reason;
  hold.actor = "api:" + request.token_name;
  {
    // The hold and its audit entry ("bank.entry_disabled", by the token) in one
    // transaction, then the disabled-entries file every BankSet reads.
    std::lock_guard<std::mutex> lock(*deps.db_mutex);
    if (Status s = host::DisableBankEntry(*deps.db, hold, now); !s.ok()) {
      return JsonError(s.code() == Status::Code::kInvalidArgument ? 400 : 503,
                       "could not disable " + hold.entry + ": " + s.message());
    }
    auto written = host::MaterialiseBanks(*deps.db, deps.banks->data_dir(), now);
    if (!written.ok()) {
      return JsonError(500, "disabled in the store, but the lists folder could not be written: " +
                                written.status().message());
    }
  }
  nlohmann::json out{{"bank", name}, {"entry", hold.entry}, {"until", host::UtcTime(until)}};
  if (Status s = deps.banks->Reload(); !s.ok()) out["reload_error"] = s.message();
  return JsonResponse(200, Dump(out));
}

// [SECTION] POST /v1/banks/import --------------------------------------------------------

HttpResponse ImportBank(const ApiDeps& deps, HttpRequest& request) {
  if (deps.banks == nullptr || deps.db == nullptr) return JsonError(503, "no banks or no store");
  auto query = ParseQuery(request.query);
  if (!query) return JsonError(400, "malformed percent-escape in the query");
  const std::string name = (*query)["bank"];
  if (name.empty()) return JsonError(400, "bank= is required: the bank to import into");
  if (auto refused = RefuseBankName(name)) return *refused;
  const std::string format_name = (*query)["format"].empty() ? "hma" : (*query)["format"];
  const std::string type = (*query)["type"];
  if (type == "url") {
    return JsonError(400,
                     "URL lists are imported with `vigil lists import --type url` (the "
                     "server opens them at start)");
  }
  if (format_name == "plain" && type.empty()) {
    return JsonError(400, "format=plain holds bare values: add type=pdq, md5, sha1 or sha256");
  }
  auto format = hashbank::ParseImportFormat(format_name == "plain" ? "hma" : format_name);
  if (!format) {
    return JsonError(400, "unknown format '" + format_name.substr(0, 40) +
                              "': use hma, te-csv, ncmec-xml, stopncii-json, vics-json or plain");
  }
  hashbank::ImportOptions options;
  if (!type.empty()) {
    options.signal_type = hashbank::ParseSignalType(type);
    if (!options.signal_type) return JsonError(400, "type must be pdq, md5, sha1 or sha256");
  }
  const bool strict = (*query)["strict"] == "true" || (*query)["strict"] == "1";
  const bool replace = (*query)["replace"] == "true" || (*query)["replace"] == "1";
  options.policy =
      strict ? hashbank::BadRecordPolicy::kRefuse : hashbank::BadRecordPolicy::kSkipAndReport;
  options.source = (*query)["source"].empty() ? name : (*query)["source"];
  options.category = (*query)["category"];
  options.now_unix = Now();
  if (request.body.empty()) return JsonError(400, "POST the list file as the body");
  auto imported = hashbank::ImportDocumentCompact(*format, request.body, options);
  if (!imported.ok()) {
    return JsonError(400,
                     "import refused, bank " + name + " unchanged: " + imported.status().message());
  }
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : imported.value().problems) {
    if (p.kind == hashbank::ImportProblem::Kind::kError && problems.size() < 20) {
      problems.push_back(p.ToString());
    }
  }
  const size_t bad = imported.value().error_count(), ignored = imported.value().ignored_count();
  if (imported.value().ops.empty()) {
    if (imported.value().filtered_out_count() > 0 || bad > 0 || ignored > 0) {
      nlohmann::json out{{"error", "nothing imported: the file holds no usable " +
                                       (type.empty() ? std::string("hash") : type) +
                                       " values; bank " + name + " unchanged"},
                         {"code", 400},
                         {"bad_records", bad},
                         {"ignored", ignored},
                         {"problems", problems}};
      return JsonResponse(400, Dump(out));
    }
    return JsonResponse(200, Dump({{"bank", name},
                                   {"added", 0},
                                   {"updated", 0},
                                   {"deleted", 0},
                                   {"note", "the file holds no records; the bank is unchanged"}}));
  }
  std::lock_guard<std::mutex> write(deps.banks->write_mutex());
  std::error_code ec;
  fs::create_directories(hashdetect::BankDirectory(deps.banks->data_dir()), ec);
  auto applied = hashbank::UpdateBankFile(
      hashdetect::BankPath(deps.banks->data_dir(), name), name, std::move(imported).value(),
      replace ? hashbank::UpdateMode::kReplace : hashbank::UpdateMode::kMerge);
  if (!applied.ok()) {
    return JsonError(
        500, "could not write bank " + name + " (unchanged): " + applied.status().message());
  }
  const hashbank::ApplyStats& s = applied.value();
  nlohmann::json out{{"bank", name},
                     {"added", s.added},
                     {"updated", s.updated},
                     {"deleted", s.deleted},
                     {"unchanged", s.unchanged},
                     {"total", s.total},
                     {"mode", replace ? "replaced" : "merged"},
                     {"bad_records", bad},
                     {"ignored", ignored},
                     {"problems", problems}};
  return Changed(deps, request, "api.bank_imported",
                 {{"bank", name},
                  {"format", format_name},
                  {"mode", replace ? "replace" : "merge"},
                  {"added", s.added},
                  {"updated", s.updated},
                  {"deleted", s.deleted},
                  {"sha256", host::Sha256Hex(request.body)},
                  {"size", request.body.size()}},
                 out);
}

}  // namespace

nlohmann::json MatchItemSignals(const BankLibrary& banks, const std::string& pdq_hex,
                                const std::string& md5_hex, const std::string& sha256_hex) {
  std::shared_ptr<const hashdetect::BankSet> set = banks.Current();
  const int64_t now = Now();
  nlohmann::json results = nlohmann::json::array();
  for (const auto& [type, hex] : {std::pair{hashbank::SignalType::kPdq, pdq_hex},
                                  std::pair{hashbank::SignalType::kMd5, md5_hex},
                                  std::pair{hashbank::SignalType::kSha256, sha256_hex}}) {
    if (hex.empty()) continue;
    auto value = hashbank::ParseHashValue(type, hex);
    if (!value.ok()) continue;
    Query q;
    q.type = type;
    q.value = value.value();
    if (type == hashbank::SignalType::kPdq)
      q.pdq = hashbank::PdqWordsFromBytes(q.value.bytes.data());
    nlohmann::json r{{"type", hashbank::SignalTypeName(type)}, {"value", hex}};
    if (Status s = MatchOne(*set, q, now, r); !s.ok()) r["error"] = s.message();
    results.push_back(std::move(r));
  }
  return results;
}

void AddBankRoutes(Router& router, const ApiDeps& deps) {
  router.Add({"POST",
              "/v1/match",
              {"match"},
              kSmallBodyLimit,
              [deps](HttpRequest& r) { return MatchSignals(deps, r); },
              "Match a batch of PDQ and digest signals against the hash banks"});
  router.Add({"GET",
              "/v1/banks",
              {"admin"},
              kSmallBodyLimit,
              [deps](HttpRequest& r) { return ListBanks(deps, r); },
              "The hash banks: kind, entries, disabled entries"});
  router.Add({"POST",
              "/v1/banks/{name}/entries",
              {"admin"},
              kSmallBodyLimit,
              [deps](HttpRequest& r) { return AddEntries(deps, r); },
              "Add entries to an imported bank"});
  router.Add({"DELETE",
              "/v1/banks/{name}/entries/{entry}",
              {"admin"},
              kSmallBodyLimit,
              [deps](HttpRequest& r) { return DisableEntry(deps, r); },
              "Disable a bank entry until a date (a hold)"});
  router.Add({"POST",
              "/v1/banks/import",
              {"admin"},
              deps.max_item_bytes,
              [deps](HttpRequest& r) { return ImportBank(deps, r); },
              "Import a list file into a bank"});
}

}  // namespace vigil::service
