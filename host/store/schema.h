// The store's schema, as an ordered list of migrations. Migration N takes the schema
// from version N-1 to N. Never edit a migration that has shipped: add a new one.
#ifndef VIGIL_HOST_STORE_SCHEMA_H_
#define VIGIL_HOST_STORE_SCHEMA_H_

namespace vigil::host {

inline constexpr const char* kMigrations[] = {
    // 1: items, signals, detections, detector runs.
    R"sql(
CREATE TABLE items (
  id            INTEGER PRIMARY KEY,
  sha256        TEXT NOT NULL UNIQUE,
  size          INTEGER NOT NULL,
  media_kind    TEXT NOT NULL,
  first_path    TEXT NOT NULL,
  last_path     TEXT NOT NULL,
  first_seen    TEXT NOT NULL,
  last_scanned  TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  error         TEXT
);
CREATE TABLE detector_runs (
  item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  detector    TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  error       TEXT,
  ran_at      TEXT NOT NULL,
  PRIMARY KEY (item_id, detector)
);
CREATE TABLE signals (
  item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  detector    TEXT NOT NULL,
  type        TEXT NOT NULL,
  value       TEXT NOT NULL,
  quality     INTEGER,
  PRIMARY KEY (item_id, detector, type, value)
);
CREATE INDEX signals_by_value ON signals(type, value);
CREATE TABLE detections (
  id          INTEGER PRIMARY KEY,
  item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  detector    TEXT NOT NULL,
  label       TEXT NOT NULL,
  score       REAL NOT NULL,
  severity    INTEGER NOT NULL,
  signal_type TEXT,
  bank        TEXT,
  entry_id    TEXT,
  category    TEXT,
  distance    INTEGER,
  dihedral    INTEGER,
  reason      TEXT
);
CREATE INDEX detections_by_item ON detections(item_id);
)sql",
    // 2: intake metadata and outcomes on items; the review queue, decisions, the
    // reviewer exposure ledger, reveals, and the hash-chained audit log.
    R"sql(
ALTER TABLE items ADD COLUMN url TEXT;
ALTER TABLE items ADD COLUMN source TEXT;
ALTER TABLE items ADD COLUMN uploader_id TEXT;
ALTER TABLE items ADD COLUMN format TEXT;
ALTER TABLE items ADD COLUMN width INTEGER;
ALTER TABLE items ADD COLUMN height INTEGER;
ALTER TABLE items ADD COLUMN orientation INTEGER;
ALTER TABLE items ADD COLUMN outcome TEXT NOT NULL DEFAULT 'clear'
  CHECK (outcome IN ('clear', 'review', 'auto-action', 'failed'));
ALTER TABLE items ADD COLUMN outcome_rule TEXT;
ALTER TABLE items ADD COLUMN outcome_reason TEXT;
CREATE TABLE queue (
  item_id        INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  state          TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'decided')),
  priority       INTEGER NOT NULL,
  severity       INTEGER NOT NULL,
  obscure_level  INTEGER NOT NULL,
  category       TEXT,
  reason         TEXT,
  lease_owner    TEXT,
  lease_expires  INTEGER,
  enqueued_at    TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX queue_by_state_priority ON queue(state, priority DESC, enqueued_at);
CREATE TABLE decisions (
  id          INTEGER PRIMARY KEY,
  item_id     INTEGER NOT NULL REFERENCES items(id),
  reviewer    TEXT NOT NULL,
  decision    TEXT NOT NULL,
  reason      TEXT,
  decided_at  TEXT NOT NULL
);
CREATE INDEX decisions_by_item ON decisions(item_id);
CREATE TABLE exposure (
  id                  INTEGER PRIMARY KEY,
  reviewer            TEXT NOT NULL,
  item_id             INTEGER NOT NULL REFERENCES items(id),
  severity            INTEGER NOT NULL,
  seconds_unobscured  REAL NOT NULL,
  reveals             INTEGER NOT NULL,
  recorded_at         TEXT NOT NULL
);
CREATE INDEX exposure_by_reviewer ON exposure(reviewer);
CREATE TABLE reveals (
  id           INTEGER PRIMARY KEY,
  reviewer     TEXT NOT NULL,
  item_id      INTEGER NOT NULL REFERENCES items(id),
  x REAL, y REAL, w REAL, h REAL,
  started_at   TEXT NOT NULL,
  duration_ms  INTEGER NOT NULL
);
CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  item_id    INTEGER,
  details    TEXT NOT NULL,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql",
    // 3: how many detections a detector returned for an item and how many were kept
    // (the pipeline caps them per detector and per item; returned > kept: truncated).
    R"sql(
ALTER TABLE detector_runs ADD COLUMN detections_returned INTEGER;
ALTER TABLE detector_runs ADD COLUMN detections_kept INTEGER;
)sql",
    // 4 (issue 12): the queue is ordered by severity, then confidence (the highest score
    // among the item's most severe detections), then the rule's priority, then age; and
    // which detector set (ids, versions, settings) last scanned each item, so that the
    // same scan run again skips what it already did.
    R"sql(
ALTER TABLE queue ADD COLUMN confidence REAL NOT NULL DEFAULT 0;
CREATE INDEX queue_by_state_order ON queue(state, severity DESC, confidence DESC,
  priority DESC, enqueued_at);
CREATE TABLE item_scans (
  item_id       INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  scan_key      TEXT NOT NULL,
  scanned_with  TEXT NOT NULL,
  scanned_at    TEXT NOT NULL,
  scan_run      TEXT NOT NULL
);
)sql",
    // 5 (issue 12, near-duplicates): signals by type and value with the item, so that
    // one pass over every PDQ hash, and a digest look-up, read the index alone; it
    // serves every look-up signals_by_value did.
    R"sql(
DROP INDEX signals_by_value;
CREATE INDEX signals_by_value_item ON signals(type, value, item_id);
)sql",
    // 6 (issue 13, named queues): the policy routes each queued item to a named queue;
    // the definitions (who may work each queue) are kept beside the items. Severity
    // orders each queue, so the order index leads with the queue.
    R"sql(
ALTER TABLE queue ADD COLUMN queue_name TEXT NOT NULL DEFAULT 'default';
CREATE INDEX queue_by_name_state_order ON queue(queue_name, state, severity DESC,
  confidence DESC, priority DESC, enqueued_at);
CREATE TABLE queues (
  name         TEXT PRIMARY KEY,
  description  TEXT NOT NULL,
  roles        TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
)sql",
    // 7 (issue 13 item 3, media in the store): the bytes of items queued for review,
    // encrypted at rest (store/media_vault.h: one secretstream per item, in 64 KiB chunks,
    // kept as one blob), and preservation holds that keep media from `vigil retention run`.
    // A hold is released, never deleted: the row keeps who held and who released it.
    R"sql(
CREATE TABLE media (
  item_id     INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  sha256      TEXT NOT NULL,
  size        INTEGER NOT NULL,
  ciphertext  BLOB NOT NULL,
  stored_at   TEXT NOT NULL
);
CREATE TABLE preservation_holds (
  id           INTEGER PRIMARY KEY,
  item_id      INTEGER NOT NULL REFERENCES items(id),
  until        TEXT NOT NULL,
  reason       TEXT NOT NULL,
  held_by      TEXT NOT NULL,
  held_at      TEXT NOT NULL,
  released_by  TEXT,
  released_at  TEXT
);
CREATE INDEX preservation_holds_by_item ON preservation_holds(item_id);
CREATE TRIGGER preservation_holds_no_delete BEFORE DELETE ON preservation_holds
  BEGIN SELECT RAISE(ABORT, 'preservation holds are released, never deleted'); END;
)sql",
    // 8 (issue 13 item 6): from decisions to banks
    // and disabled bank entries (store/local_banks.h). The rules the
    // policy states, the hashes decisions added to local banks and the holds on noisy
    // entries; the last two are history and refuse UPDATE and DELETE.
    R"sql(
CREATE TABLE bank_rules (
  name        TEXT PRIMARY KEY,
  decisions   TEXT NOT NULL,
  bank        TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE TABLE local_bank_entries (
  id           INTEGER PRIMARY KEY,
  bank         TEXT NOT NULL,
  type         TEXT NOT NULL,
  value        TEXT NOT NULL,
  category     TEXT NOT NULL,
  item_id      INTEGER NOT NULL REFERENCES items(id),
  decision_id  INTEGER NOT NULL REFERENCES decisions(id),
  rule         TEXT NOT NULL,
  added_by     TEXT NOT NULL,
  reason       TEXT NOT NULL,
  added_at     TEXT NOT NULL,
  UNIQUE (bank, type, value)
);
CREATE TABLE bank_entry_holds (
  id          INTEGER PRIMARY KEY,
  bank        TEXT NOT NULL,
  entry       TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('disable', 'enable')),
  until_unix  INTEGER,
  reason      TEXT NOT NULL,
  actor       TEXT NOT NULL,
  at          TEXT NOT NULL
);
CREATE TRIGGER local_bank_entries_no_update BEFORE UPDATE ON local_bank_entries
  BEGIN SELECT RAISE(ABORT, 'local bank entries are append-only'); END;
CREATE TRIGGER local_bank_entries_no_delete BEFORE DELETE ON local_bank_entries
  BEGIN SELECT RAISE(ABORT, 'local bank entries are append-only'); END;
CREATE TRIGGER bank_entry_holds_no_update BEFORE UPDATE ON bank_entry_holds
  BEGIN SELECT RAISE(ABORT, 'bank entry holds are append-only'); END;
CREATE TRIGGER bank_entry_holds_no_delete BEFORE DELETE ON bank_entry_holds
  BEGIN SELECT RAISE(ABORT, 'bank entry holds are append-only'); END;
)sql",
    // 9 (issue 13 item 7, exposure-aware assignment): the exposure budget per severity
    // per reviewer per UTC day (NULL: unlimited), the same table as the team store's.
    R"sql(
CREATE TABLE exposure_budgets (
  severity            INTEGER PRIMARY KEY CHECK (severity BETWEEN 0 AND 5),
  items               INTEGER CHECK (items >= 0),
  seconds_unobscured  REAL CHECK (seconds_unobscured >= 0),
  set_by              TEXT NOT NULL,
  set_at              TEXT NOT NULL
);
)sql",
    // 10 (issue 13 item 5: second review, QA sampling, golden items). The queue entry's
    // review round (1 first, 2 second review, 3 a senior settles a disagreement) and the
    // round-1 decision a second review answers; each decision's round;
    // the policy's [review] settings kept beside the items; golden items (an admin's known
    // answers), the leases and answers of reviewers served them; QA tasks sampled from
    // finally decided items and the seniors' verdicts. History tables are append-only.
    R"sql(
ALTER TABLE queue ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE queue ADD COLUMN review_from INTEGER;
ALTER TABLE decisions ADD COLUMN round INTEGER;
CREATE TABLE review_settings (
  name        TEXT PRIMARY KEY,
  value       TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE TABLE golden_items (
  id          INTEGER PRIMARY KEY,
  item_id     INTEGER NOT NULL REFERENCES items(id),
  answer      TEXT NOT NULL,
  added_by    TEXT NOT NULL,
  added_at    TEXT NOT NULL,
  removed_by  TEXT,
  removed_at  TEXT
);
CREATE UNIQUE INDEX golden_items_active ON golden_items(item_id) WHERE removed_at IS NULL;
CREATE TABLE golden_claims (
  golden_id      INTEGER NOT NULL REFERENCES golden_items(id),
  reviewer       TEXT NOT NULL,
  lease_expires  INTEGER NOT NULL,
  PRIMARY KEY (golden_id, reviewer)
);
CREATE TABLE golden_answers (
  id           INTEGER PRIMARY KEY,
  golden_id    INTEGER NOT NULL REFERENCES golden_items(id),
  item_id      INTEGER NOT NULL REFERENCES items(id),
  reviewer     TEXT NOT NULL,
  answer       TEXT NOT NULL,
  reason       TEXT,
  answered_at  TEXT NOT NULL
);
CREATE INDEX golden_answers_by_reviewer ON golden_answers(reviewer, golden_id);
CREATE TABLE qa_tasks (
  id           INTEGER PRIMARY KEY,
  item_id      INTEGER NOT NULL REFERENCES items(id),
  decision_id  INTEGER NOT NULL REFERENCES decisions(id),
  sampled_at   TEXT NOT NULL
);
CREATE TABLE qa_verdicts (
  id          INTEGER PRIMARY KEY,
  task_id     INTEGER NOT NULL REFERENCES qa_tasks(id),
  senior      TEXT NOT NULL,
  verdict     TEXT NOT NULL CHECK (verdict IN ('agree', 'disagree')),
  reason      TEXT NOT NULL,
  decided_at  TEXT NOT NULL
);
CREATE TRIGGER golden_answers_no_update BEFORE UPDATE ON golden_answers
  BEGIN SELECT RAISE(ABORT, 'golden answers are append-only'); END;
CREATE TRIGGER golden_answers_no_delete BEFORE DELETE ON golden_answers
  BEGIN SELECT RAISE(ABORT, 'golden answers are append-only'); END;
CREATE TRIGGER qa_verdicts_no_update BEFORE UPDATE ON qa_verdicts
  BEGIN SELECT RAISE(ABORT, 'QA verdicts are append-only'); END;
CREATE TRIGGER qa_verdicts_no_delete BEFORE DELETE ON qa_verdicts
  BEGIN SELECT RAISE(ABORT, 'QA verdicts are append-only'); END;
)sql",
    // 11 (issue 14 item 1): what platforms submitted to `vigil serve`, by the server's
    // id: accepted when durable, then done (item_id: the item recorded for it, in the
    // same transaction) or failed with the reason. A submission is finished once.
    R"sql(
CREATE TABLE submissions (
  id            TEXT PRIMARY KEY,
  status        TEXT NOT NULL CHECK (status IN ('accepted', 'done', 'failed')),
  reason        TEXT,
  item_id       INTEGER REFERENCES items(id),
  sha256        TEXT,
  size          INTEGER,
  name          TEXT,
  content_type  TEXT,
  url           TEXT,
  uploader_id   TEXT,
  source        TEXT,
  received_at   TEXT NOT NULL,
  finished_at   TEXT
);
CREATE INDEX submissions_by_item ON submissions(item_id);
)sql",
    // 12 (issue 14 item 2, `vigil tokens`; after the lead's 11, submissions): the API's
    // bearer tokens, kept as the SHA-256 of the token only. A token is never deleted or
    // changed, only revoked once (revoked_by/revoked_at set from NULL).
    R"sql(
CREATE TABLE api_tokens (
  name          TEXT PRIMARY KEY,
  token_sha256  TEXT NOT NULL UNIQUE,
  scopes        TEXT NOT NULL,
  rate_per_s    REAL NOT NULL DEFAULT 0,
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  revoked_by    TEXT,
  revoked_at    TEXT
);
CREATE TRIGGER api_tokens_no_delete BEFORE DELETE ON api_tokens
  BEGIN SELECT RAISE(ABORT, 'API tokens are revoked, never deleted'); END;
CREATE TRIGGER api_tokens_revoke_only BEFORE UPDATE ON api_tokens
  WHEN OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL OR NEW.name <> OLD.name
    OR NEW.token_sha256 <> OLD.token_sha256 OR NEW.scopes <> OLD.scopes
    OR NEW.rate_per_s <> OLD.rate_per_s OR NEW.created_by <> OLD.created_by
    OR NEW.created_at <> OLD.created_at
  BEGIN SELECT RAISE(ABORT, 'an API token is only revoked, once'); END;
)sql",
    // 13 (issue 14 item 3: signed webhooks from an outbox; PostgreSQL 11). Endpoints (the
    // secret signs, so it is kept as given: docs/webhooks.md), events written in the
    // transaction of what caused them (append-only), and one delivery per event and
    // endpoint, made by the trigger below for every enabled endpoint the event's type
    // passes (an empty filter passes all), leased by a deliverer while it sends.
    R"sql(
CREATE TABLE webhook_endpoints (
  name        TEXT PRIMARY KEY,
  url         TEXT NOT NULL,
  secret      TEXT NOT NULL,
  events      TEXT NOT NULL DEFAULT '',
  enabled     INTEGER NOT NULL DEFAULT 1,
  created_at  TEXT NOT NULL
);
CREATE TABLE webhook_events (
  id               INTEGER PRIMARY KEY,
  type             TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL UNIQUE,
  created_at       TEXT NOT NULL,
  created_ms       INTEGER NOT NULL,
  body             TEXT NOT NULL
);
CREATE TABLE webhook_deliveries (
  id             INTEGER PRIMARY KEY,
  event_id       INTEGER NOT NULL REFERENCES webhook_events(id),
  endpoint       TEXT NOT NULL REFERENCES webhook_endpoints(name) ON DELETE CASCADE,
  state          TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts       INTEGER NOT NULL DEFAULT 0,
  next_at        INTEGER NOT NULL,
  lease_owner    TEXT,
  lease_expires  INTEGER,
  last_status    INTEGER,
  last_error     TEXT,
  delivered_at   TEXT,
  UNIQUE (event_id, endpoint)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_at);
CREATE TRIGGER webhook_events_fan_out AFTER INSERT ON webhook_events BEGIN
  INSERT INTO webhook_deliveries (event_id, endpoint, next_at)
    SELECT NEW.id, e.name, NEW.created_ms FROM webhook_endpoints e
     WHERE e.enabled = 1
       AND (e.events = '' OR (',' || e.events || ',') LIKE ('%,' || NEW.type || ',%'));
END;
CREATE TRIGGER webhook_events_no_update BEFORE UPDATE ON webhook_events
  BEGIN SELECT RAISE(ABORT, 'webhook events are append-only'); END;
CREATE TRIGGER webhook_events_no_delete BEFORE DELETE ON webhook_events
  BEGIN SELECT RAISE(ABORT, 'webhook events are append-only'); END;
)sql",
    // 14 (issue 15 item 1: hash exchanges that sync themselves; PostgreSQL 12). What an
    // admin configured (the credentials column holds a REFERENCE, "file:PATH" or "env:NAME",
    // never a secret) and, per exchange, the sync's checkpoint (opaque to the store, saved
    // after each page applied to the bank), last success, last error and entry count.
    R"sql(
CREATE TABLE exchanges (
  name         TEXT PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('ncmec', 'stopncii', 'http', 'folder')),
  endpoint     TEXT NOT NULL,
  bank         TEXT NOT NULL UNIQUE,
  credentials  TEXT NOT NULL DEFAULT '',
  interval_s   INTEGER NOT NULL DEFAULT 600 CHECK (interval_s > 0),
  enabled      INTEGER NOT NULL DEFAULT 1,
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
CREATE TABLE exchange_state (
  name             TEXT PRIMARY KEY REFERENCES exchanges(name) ON DELETE CASCADE,
  checkpoint       TEXT NOT NULL DEFAULT '',
  last_success     TEXT NOT NULL DEFAULT '',
  last_success_unix INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT NOT NULL DEFAULT '',
  last_error_at    TEXT NOT NULL DEFAULT '',
  entries          INTEGER NOT NULL DEFAULT 0,
  pages            INTEGER NOT NULL DEFAULT 0,
  updated_at       TEXT NOT NULL DEFAULT ''
);
)sql",
    // 15 (issue 15 item 3: CyberTipline reports; PostgreSQL 13). A report per uploader or
    // incident (store/cyber_reports.h): its XML as built and validated, its state on the way
    // through NCMEC's reporting API (the persistent queue: attempts, next attempt, last
    // error), NCMEC's report id; one row per file with what the store knows of it
    // (fileViewedByEsp from the reveal log) and NCMEC's file id once uploaded; preservation
    // records (per report and item, until at least a year on) that retention honours.
    // History is never deleted; a file's facts and a preservation record never change.
    R"sql(
CREATE TABLE cybertip_reports (
  id               INTEGER PRIMARY KEY,
  group_key        TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('draft', 'queued', 'submitting', 'submitted',
                                                  'failed', 'retracted')),
  report_xml       TEXT NOT NULL,
  ncmec_report_id  TEXT NOT NULL DEFAULT '',
  created_by       TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  queued_by        TEXT NOT NULL DEFAULT '',
  finished_at      TEXT NOT NULL DEFAULT '',
  retracted_by     TEXT NOT NULL DEFAULT '',
  retracted_at     TEXT NOT NULL DEFAULT '',
  last_error       TEXT NOT NULL DEFAULT '',
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cybertip_reports_due ON cybertip_reports(state, next_attempt_ms);
CREATE TABLE cybertip_report_files (
  id             INTEGER PRIMARY KEY,
  report_id      INTEGER NOT NULL REFERENCES cybertip_reports(id),
  item_id        INTEGER NOT NULL REFERENCES items(id),
  original_name  TEXT NOT NULL,
  sha256         TEXT NOT NULL,
  md5            TEXT NOT NULL,
  upload_time    TEXT NOT NULL,
  viewed_by_esp  INTEGER NOT NULL CHECK (viewed_by_esp IN (0, 1)),
  classification TEXT NOT NULL,
  state          TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'uploaded', 'described')),
  ncmec_file_id  TEXT NOT NULL DEFAULT '',
  uploaded_at    TEXT NOT NULL DEFAULT '',
  UNIQUE (report_id, item_id)
);
CREATE INDEX cybertip_report_files_by_item ON cybertip_report_files(item_id);
CREATE TABLE cybertip_preservations (
  id          INTEGER PRIMARY KEY,
  report_id   INTEGER NOT NULL REFERENCES cybertip_reports(id),
  item_id     INTEGER NOT NULL REFERENCES items(id),
  what        TEXT NOT NULL,
  where_kept  TEXT NOT NULL,
  until       TEXT NOT NULL,
  made_by     TEXT NOT NULL,
  made_at     TEXT NOT NULL
);
CREATE INDEX cybertip_preservations_by_item ON cybertip_preservations(item_id, until);
CREATE TRIGGER cybertip_reports_no_delete BEFORE DELETE ON cybertip_reports
  BEGIN SELECT RAISE(ABORT, 'CyberTipline reports are history: never deleted'); END;
CREATE TRIGGER cybertip_reports_fixed BEFORE UPDATE ON cybertip_reports
  WHEN NEW.id <> OLD.id OR NEW.group_key <> OLD.group_key OR NEW.report_xml <> OLD.report_xml
    OR NEW.created_by <> OLD.created_by OR NEW.created_at <> OLD.created_at
    OR OLD.state = 'retracted'
  BEGIN SELECT RAISE(ABORT, 'a CyberTipline report''s content and a retracted report never change'); END;
CREATE TRIGGER cybertip_report_files_no_delete BEFORE DELETE ON cybertip_report_files
  BEGIN SELECT RAISE(ABORT, 'CyberTipline report files are history: never deleted'); END;
CREATE TRIGGER cybertip_report_files_fixed BEFORE UPDATE ON cybertip_report_files
  WHEN NEW.id <> OLD.id OR NEW.report_id <> OLD.report_id OR NEW.item_id <> OLD.item_id
    OR NEW.original_name <> OLD.original_name OR NEW.sha256 <> OLD.sha256
    OR NEW.md5 <> OLD.md5 OR NEW.upload_time <> OLD.upload_time
    OR NEW.viewed_by_esp <> OLD.viewed_by_esp OR NEW.classification <> OLD.classification
  BEGIN SELECT RAISE(ABORT, 'a reported file''s facts never change'); END;
CREATE TRIGGER cybertip_preservations_no_delete BEFORE DELETE ON cybertip_preservations
  BEGIN SELECT RAISE(ABORT, 'preservation records are never deleted'); END;
CREATE TRIGGER cybertip_preservations_no_update BEFORE UPDATE ON cybertip_preservations
  BEGIN SELECT RAISE(ABORT, 'preservation records never change'); END;
)sql",
    // 16 (issue 15 items 1 and 2; PostgreSQL 14).
    // Issue 15 item 1, the ThreatExchange exchange kind: the kind CHECK of `exchanges` gains
    // 'threatexchange'. SQLite cannot alter a CHECK, so both tables are rebuilt with their rows
    // (exchange_state first, as it references exchanges). Issue 15 item 2, feedback: per
    // exchange, whether decisions send feedback (off by default) and the reason id a negative
    // NCMEC vote carries; exchange_feedback is the outbox a decision writes into (in its
    // transaction) and the sender delivers from, one row per (exchange, entry, fingerprint
    // type, decision).
    R"sql(
CREATE TABLE exchange_state_keep AS SELECT * FROM exchange_state;
DROP TABLE exchange_state;
CREATE TABLE exchanges_new (
  name         TEXT PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('ncmec', 'stopncii', 'http', 'folder',
                                             'threatexchange')),
  endpoint     TEXT NOT NULL,
  bank         TEXT NOT NULL UNIQUE,
  credentials  TEXT NOT NULL DEFAULT '',
  interval_s   INTEGER NOT NULL DEFAULT 600 CHECK (interval_s > 0),
  enabled      INTEGER NOT NULL DEFAULT 1,
  created_by   TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  feedback     INTEGER NOT NULL DEFAULT 0,
  feedback_reason TEXT NOT NULL DEFAULT ''
);
INSERT INTO exchanges_new (name, kind, endpoint, bank, credentials, interval_s, enabled,
                           created_by, created_at)
  SELECT name, kind, endpoint, bank, credentials, interval_s, enabled, created_by, created_at
  FROM exchanges;
DROP TABLE exchanges;
ALTER TABLE exchanges_new RENAME TO exchanges;
CREATE TABLE exchange_state (
  name             TEXT PRIMARY KEY REFERENCES exchanges(name) ON DELETE CASCADE,
  checkpoint       TEXT NOT NULL DEFAULT '',
  last_success     TEXT NOT NULL DEFAULT '',
  last_success_unix INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT NOT NULL DEFAULT '',
  last_error_at    TEXT NOT NULL DEFAULT '',
  entries          INTEGER NOT NULL DEFAULT 0,
  pages            INTEGER NOT NULL DEFAULT 0,
  updated_at       TEXT NOT NULL DEFAULT ''
);
INSERT INTO exchange_state (name, checkpoint, last_success, last_success_unix, last_error,
                            last_error_at, entries, pages, updated_at)
  SELECT name, checkpoint, last_success, last_success_unix, last_error, last_error_at, entries,
         pages, updated_at
  FROM exchange_state_keep;
DROP TABLE exchange_state_keep;
CREATE TABLE exchange_feedback (
  id           INTEGER PRIMARY KEY,
  exchange     TEXT NOT NULL,
  item_id      INTEGER NOT NULL REFERENCES items(id),
  decision_id  INTEGER NOT NULL REFERENCES decisions(id),
  entry_id     TEXT NOT NULL,
  signal_type  TEXT NOT NULL,
  vote         TEXT NOT NULL CHECK (vote IN ('affirmative', 'negative')),
  reason_id    TEXT NOT NULL DEFAULT '',
  state        TEXT NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'sending', 'delivered', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_at_ms   INTEGER NOT NULL DEFAULT 0,
  lease_owner  TEXT,
  lease_until_ms INTEGER NOT NULL DEFAULT 0,
  http_status  INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT NOT NULL DEFAULT '',
  created_at   TEXT NOT NULL,
  delivered_at TEXT NOT NULL DEFAULT '',
  UNIQUE (exchange, entry_id, signal_type, decision_id)
);
CREATE INDEX exchange_feedback_due ON exchange_feedback(state, next_at_ms);
CREATE TRIGGER exchange_feedback_no_delete BEFORE DELETE ON exchange_feedback
  BEGIN SELECT RAISE(ABORT, 'exchange feedback is history: it is never deleted'); END;
)sql",
    // 17 (issue 17 item 5; PostgreSQL 15): shadow results. What a
    // candidate detector (`vigil scan --shadow ID`) found beside the production ones, one
    // row per item and run: never read by the policy, the queue or webhooks; only by
    // `vigil eval shadow`. Its detections as a JSON array (label, score, severity, ...).
    R"sql(
CREATE TABLE shadow_results (
  id          INTEGER PRIMARY KEY,
  item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  detector    TEXT NOT NULL,
  version     TEXT NOT NULL,
  scan_run    TEXT NOT NULL DEFAULT '',
  status      TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  error       TEXT,
  elapsed_ms  REAL NOT NULL,
  detections  TEXT NOT NULL,
  ran_at      TEXT NOT NULL
);
CREATE INDEX shadow_results_by_detector ON shadow_results(detector, item_id);
)sql",
    // 18 (issue 16 item 4; PostgreSQL 16): where in a video a detection is, and what the
    // console's video storyboard exposed. A detection's time ranges in the item and in
    // the listed video (vigil.v1 TimeRange; "START-END;..." in seconds: store/time_ranges.h),
    // and per exposure row the storyboard frames revealed and the seconds unobscured on a
    // video item (also counted in seconds_unobscured, so budgets are unchanged).
    R"sql(
ALTER TABLE detections ADD COLUMN item_ranges TEXT NOT NULL DEFAULT '';
ALTER TABLE detections ADD COLUMN match_ranges TEXT NOT NULL DEFAULT '';
ALTER TABLE exposure ADD COLUMN video_frames_revealed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exposure ADD COLUMN video_seconds_unobscured REAL NOT NULL DEFAULT 0;
)sql",
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_SCHEMA_H_
