#include "store/postgres_schema_check.h"

namespace vigil::host {
namespace {

struct ExpectedTrigger {
  const char* table;
  const char* name;
};

// What migration 2 of store/postgres_schema.h creates.
constexpr ExpectedTrigger kTriggers[] = {
    {"audit_log", "audit_log_chain"},       {"audit_log", "audit_log_no_update"},
    {"audit_log", "audit_log_no_truncate"}, {"decisions", "decisions_no_update"},
    {"decisions", "decisions_no_truncate"}, {"queue", "queue_transition"},
    // Migration 5 (issue 13 item 6): local bank entries and holds are history.
    {"local_bank_entries", "local_bank_entries_no_update"},
    {"local_bank_entries", "local_bank_entries_no_truncate"},
    {"bank_entry_holds", "bank_entry_holds_no_update"},
    {"bank_entry_holds", "bank_entry_holds_no_truncate"},
    // Migration 7 (issue 13 item 7): the team's exposure budget holds for every claim.
    {"queue", "queue_exposure_cap"},        {"exposure", "exposure_stamp"},
};

constexpr const char* kRowSecurityTables[] = {
    "items", "signals", "detections", "detector_runs", "item_scans", "queue", "decisions",
    "exposure", "reveals", "audit_log", "bank_rules", "local_bank_entries",
    "bank_entry_holds",  // (these three: migration 5)
    "exposure_budgets",
    // Issue 13 (media, review rounds) and issue 14 (submissions, webhooks).
    "media", "preservation_holds", "queues", "review_settings", "golden_items", "golden_claims",
    "golden_answers", "qa_tasks", "qa_verdicts", "submissions", "webhook_endpoints",
    "webhook_events", "webhook_deliveries",
    // Issue 15: the exchanges and their feedback (items 1, 2), CyberTipline reports (item 3).
    "exchanges", "exchange_state", "exchange_feedback", "cybertip_reports",
    "cybertip_report_files", "cybertip_preservations",
    // Issue 17 item 5: shadow results.
    "shadow_results"};

}  // namespace

StatusOr<std::vector<std::string>> CheckPostgresProtections(Database& db) {
  std::vector<std::string> problems;
  for (const ExpectedTrigger& expected : kTriggers) {
    // tgenabled: 'O' fires (origin), 'A' always, 'R' replica only, 'D' disabled.
    Statement trigger(db,
                      "SELECT t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = "
                      "t.tgrelid WHERE c.relname = ?1 AND c.relnamespace = "
                      "current_schema()::regnamespace AND t.tgname = ?2");
    trigger.Bind(1, expected.table).Bind(2, expected.name);
    const int rc = trigger.Step();
    const std::string what = std::string("trigger ") + expected.name + " on " + expected.table;
    if (rc == kDone) {
      problems.push_back(what + " is missing");
    } else if (rc != kRow) {
      return trigger.Error("reading the store's triggers");
    } else if (const std::string state = trigger.ColumnText(0); state != "O" && state != "A") {
      problems.push_back(what + (state == "D" ? " is disabled" : " fires only for replicas"));
    }
  }
  for (const char* table : kRowSecurityTables) {
    Statement security(db,
                       "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE "
                       "relname = ?1 AND relnamespace = current_schema()::regnamespace");
    security.Bind(1, table);
    const int rc = security.Step();
    if (rc == kDone) {
      problems.push_back(std::string("table ") + table + " is missing");
    } else if (rc != kRow) {
      return security.Error("reading the store's row-level security");
    } else if (security.ColumnInt(0) == 0) {
      problems.push_back(std::string("row-level security is off on ") + table);
    } else if (security.ColumnInt(1) == 0) {
      problems.push_back(std::string("row-level security is not forced on ") + table);
    }
  }
  return problems;
}

}  // namespace vigil::host
