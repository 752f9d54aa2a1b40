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
};

}  // namespace vigil::host

#endif  // VIGIL_HOST_STORE_SCHEMA_H_
