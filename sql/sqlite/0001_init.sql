-- 0001_init: the first schema of meshid-identity (SQLite).
--
-- Times are INTEGER microseconds since the Unix epoch (UTC). STRICT tables so
-- a wrongly typed value is an error rather than silently stored.

-- The one global version: every committed change to keys, revocations,
-- clients or principals takes the next value. Writers hold the database's
-- write lock (BEGIN IMMEDIATE) until commit, so versions are gap-free and
-- commit-ordered.
CREATE TABLE meshid_version (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL CHECK (version >= 0)
) STRICT;
INSERT INTO meshid_version (id, version) VALUES (1, 0);

CREATE TABLE keys (
  kid             TEXT    PRIMARY KEY,
  alg             TEXT    NOT NULL CHECK (alg IN ('HS256', 'EdDSA', 'ES256')),
  state           TEXT    NOT NULL
                  CHECK (state IN ('PENDING', 'ACTIVE', 'RETIRED', 'EXPIRED',
                                   'REVOKED')),
  -- The slot: (client_id, audience) for HS256, both empty for issuer keys.
  client_id       TEXT    NOT NULL,
  audience        TEXT    NOT NULL,
  -- AES-256-GCM ciphertext; the clear material never reaches the database.
  sealed_material BLOB    NOT NULL,
  created_at      INTEGER NOT NULL,
  activated_at    INTEGER,
  retired_at      INTEGER,
  expires_at      INTEGER,
  revoked_at      INTEGER,
  created_by      TEXT    NOT NULL,
  version         INTEGER NOT NULL
) STRICT;
-- KeyRepository::ListAll order.
CREATE INDEX keys_created_at_idx ON keys (created_at, kid);

CREATE TABLE principals (
  id             TEXT    PRIMARY KEY,
  kind           TEXT    NOT NULL CHECK (kind IN ('SERVICE', 'USER')),
  state          TEXT    NOT NULL
                 CHECK (state IN ('GUEST', 'REGISTERED', 'SUBSCRIBER', 'ACTIVE',
                                  'SUSPENDED', 'DELETED')),
  suspended_from TEXT
                 CHECK (suspended_from IN ('GUEST', 'REGISTERED', 'SUBSCRIBER',
                                           'ACTIVE', 'SUSPENDED', 'DELETED')),
  -- A JSON array of strings.
  granted_roles  TEXT    NOT NULL,
  password_hash  TEXT    NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  version        INTEGER NOT NULL
) STRICT;

CREATE TABLE clients (
  client_id    TEXT    PRIMARY KEY,
  display_name TEXT    NOT NULL,
  -- HMAC-SHA256 of the secret under the master key; never the secret.
  secret_hash  TEXT    NOT NULL,
  -- Owned by identity/ (ClientPolicy); opaque to the store.
  policy_json  TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  version      INTEGER NOT NULL
) STRICT;

CREATE TABLE revoked_jtis (
  jti        TEXT    PRIMARY KEY,
  -- The token's exp: the row is useless (and prunable) afterwards.
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER NOT NULL,
  version    INTEGER NOT NULL
) STRICT;
CREATE INDEX revoked_jtis_expires_at_idx ON revoked_jtis (expires_at);

CREATE TABLE revoked_subjects (
  subject        TEXT    PRIMARY KEY,
  revoked_before INTEGER NOT NULL,
  revoked_at     INTEGER NOT NULL,
  version        INTEGER NOT NULL
) STRICT;

-- One row per version; the primary key serves "version > V ORDER BY version".
CREATE TABLE change_events (
  version    INTEGER PRIMARY KEY,
  kind       TEXT    NOT NULL
             CHECK (kind IN ('KEY_CHANGED', 'JTI_REVOKED', 'SUBJECT_REVOKED',
                             'CLIENT_CHANGED', 'PRINCIPAL_CHANGED')),
  subject_id TEXT    NOT NULL,
  at         INTEGER NOT NULL
) STRICT;

-- AUTOINCREMENT: ids are never reused, even after the newest row is deleted,
-- so "before_id" paging cursors stay meaningful.
CREATE TABLE audit_events (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  actor   TEXT    NOT NULL,
  action  TEXT    NOT NULL,
  target  TEXT    NOT NULL,
  kid     TEXT    NOT NULL,
  -- A JSON object of string values.
  details TEXT    NOT NULL,
  version INTEGER NOT NULL
) STRICT;
-- Newest-first listing filtered by one exact column: each index gives the
-- matching rows already in id order, so LIMIT stops early.
CREATE INDEX audit_events_actor_idx ON audit_events (actor, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action, id DESC);
CREATE INDEX audit_events_kid_idx ON audit_events (kid, id DESC);
CREATE INDEX audit_events_at_idx ON audit_events (at);
