-- meshid-log: the log entries of the Log server (logging/store/).
--
-- Names carry a "log_" prefix so that a database shared with another meshid
-- schema by mistake cannot confuse the two sets in schema_migrations.
--
-- Queries read newest first by (time_us, id) with a LIMIT, so every index
-- ends in (time_us, id): an index scanned backwards hands rows over already
-- in page order and the planner stops after one page. The primary key is
-- that order itself, which spares every insert one more index.
CREATE TABLE log_entries (
  -- From the sequence, allocated by the writer before COPY (see
  -- pg_log_store.cc): unique and never reused.
  id bigint NOT NULL,
  time_us bigint NOT NULL,       -- producer's time, microseconds since 1970
  service text COLLATE "C" NOT NULL,
  level smallint NOT NULL,       -- LogLevel number, 1..4
  kind smallint NOT NULL,        -- LogKind number, 1..3
  subject text COLLATE "C" NOT NULL,
  client_id text COLLATE "C" NOT NULL,
  -- "C": byte order, so `method LIKE 'prefix%'` can use the btree index.
  method text COLLATE "C" NOT NULL,
  status_code smallint NOT NULL,
  latency_ns bigint NOT NULL,
  peer text NOT NULL,
  message text NOT NULL,
  attributes text NOT NULL,      -- a JSON object of strings, '{}' when none
  PRIMARY KEY (time_us, id)
);

-- CACHE: each writer connection takes ids a thousand at a time instead of
-- locking (and every 32 values logging) the sequence for each row. Ids
-- stay unique and increase within a batch; a restart leaves a gap.
CREATE SEQUENCE log_entries_id_seq AS bigint CACHE 1000
  OWNED BY log_entries.id;

CREATE INDEX log_entries_by_service ON log_entries (service, time_us, id);
CREATE INDEX log_entries_by_subject ON log_entries (subject, time_us, id);
CREATE INDEX log_entries_by_method ON log_entries (method, time_us, id);
-- Level and kind have a handful of values, and the common ones are found
-- fast walking the (time_us, id) order; only the rare ones a reader hunts for
-- get an index, which costs an insert only for the rows it holds. (The
-- planner uses them for "level >= 3" or "level >= 4", and "kind = 2".)
CREATE INDEX log_entries_warnings ON log_entries (time_us, id)
  WHERE level >= 3;
CREATE INDEX log_entries_audit ON log_entries (time_us, id) WHERE kind = 2;
