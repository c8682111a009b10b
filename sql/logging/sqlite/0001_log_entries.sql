-- meshid-log: the log entries of the Log server (logging/store/).
--
-- Names carry a "log_" prefix so that a database shared with another meshid
-- schema by mistake cannot confuse the two sets in schema_migrations.
--
-- Queries read newest first by (time_us, id), so every index ends in
-- time_us; the rowid (id) is part of every SQLite index already, which makes
-- each of them ordered by (column, time_us, id) for keyset pagination.
CREATE TABLE log_entries (
  -- AUTOINCREMENT: ids are never reused, even after retention deleted the
  -- newest rows, so a page token can never point at a different entry.
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_us INTEGER NOT NULL,      -- producer's time, microseconds since 1970
  service TEXT NOT NULL,
  level INTEGER NOT NULL,        -- LogLevel number, 1..4
  kind INTEGER NOT NULL,         -- LogKind number, 1..3
  subject TEXT NOT NULL,
  client_id TEXT NOT NULL,
  method TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  latency_ns INTEGER NOT NULL,
  peer TEXT NOT NULL,
  message TEXT NOT NULL,
  attributes TEXT NOT NULL       -- a JSON object of strings, "{}" when none
) STRICT;

CREATE INDEX log_entries_by_time ON log_entries (time_us);
CREATE INDEX log_entries_by_service ON log_entries (service, time_us);
CREATE INDEX log_entries_by_subject ON log_entries (subject, time_us);
CREATE INDEX log_entries_by_method ON log_entries (method, time_us);
-- Level and kind have a handful of values, and the common ones are found
-- fast walking the time index; only the rare ones a reader hunts for get
-- an index, which costs an insert only for the rows it holds.
CREATE INDEX log_entries_warnings ON log_entries (time_us) WHERE level >= 3;
CREATE INDEX log_entries_audit ON log_entries (time_us) WHERE kind = 2;
