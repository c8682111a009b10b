-- 0001_init: the first schema of meshid-identity (PostgreSQL).
--
-- Times are timestamptz (microsecond precision, what the store round-trips).
-- Text keys use COLLATE "C" so ORDER BY and "id > after" paging compare bytes,
-- exactly like SQLite, whatever the database's default collation is.

-- The one global version: every committed change to keys, revocations,
-- clients or principals takes the next value. Incrementing this row locks it
-- until commit, which is what makes versions gap-free and commit-ordered.
CREATE TABLE meshid_version (
  id      smallint PRIMARY KEY CHECK (id = 1),
  version bigint   NOT NULL CHECK (version >= 0)
);
INSERT INTO meshid_version (id, version) VALUES (1, 0);

CREATE TABLE keys (
  kid             text COLLATE "C" PRIMARY KEY,
  alg             text        NOT NULL
                  CHECK (alg IN ('HS256', 'EdDSA', 'ES256')),
  state           text        NOT NULL
                  CHECK (state IN ('PENDING', 'ACTIVE', 'RETIRED', 'EXPIRED',
                                   'REVOKED')),
  -- The slot: (client_id, audience) for HS256, both empty for issuer keys.
  client_id       text        NOT NULL,
  audience        text        NOT NULL,
  -- AES-256-GCM ciphertext; the clear material never reaches the database.
  sealed_material bytea       NOT NULL,
  created_at      timestamptz NOT NULL,
  activated_at    timestamptz,
  retired_at      timestamptz,
  expires_at      timestamptz,
  revoked_at      timestamptz,
  created_by      text        NOT NULL,
  version         bigint      NOT NULL
);
-- KeyRepository::ListAll order.
CREATE INDEX keys_created_at_idx ON keys (created_at, kid);

CREATE TABLE principals (
  id             text COLLATE "C" PRIMARY KEY,
  kind           text        NOT NULL CHECK (kind IN ('SERVICE', 'USER')),
  state          text        NOT NULL
                 CHECK (state IN ('GUEST', 'REGISTERED', 'SUBSCRIBER', 'ACTIVE',
                                  'SUSPENDED', 'DELETED')),
  suspended_from text
                 CHECK (suspended_from IN ('GUEST', 'REGISTERED', 'SUBSCRIBER',
                                           'ACTIVE', 'SUSPENDED', 'DELETED')),
  -- A JSON array of strings.
  granted_roles  text        NOT NULL,
  password_hash  text        NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  version        bigint      NOT NULL
);

CREATE TABLE clients (
  client_id    text COLLATE "C" PRIMARY KEY,
  display_name text        NOT NULL,
  -- HMAC-SHA256 of the secret under the master key; never the secret.
  secret_hash  text        NOT NULL,
  -- Owned by identity/ (ClientPolicy); opaque to the store.
  policy_json  text        NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  version      bigint      NOT NULL
);

CREATE TABLE revoked_jtis (
  jti        text COLLATE "C" PRIMARY KEY,
  -- The token's exp: the row is useless (and prunable) afterwards.
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz NOT NULL,
  version    bigint      NOT NULL
);
CREATE INDEX revoked_jtis_expires_at_idx ON revoked_jtis (expires_at);

CREATE TABLE revoked_subjects (
  subject        text COLLATE "C" PRIMARY KEY,
  revoked_before timestamptz NOT NULL,
  revoked_at     timestamptz NOT NULL,
  version        bigint      NOT NULL
);

-- One row per version; the primary key serves "version > V ORDER BY version".
CREATE TABLE change_events (
  version    bigint PRIMARY KEY,
  kind       text        NOT NULL
             CHECK (kind IN ('KEY_CHANGED', 'JTI_REVOKED', 'SUBJECT_REVOKED',
                             'CLIENT_CHANGED', 'PRINCIPAL_CHANGED')),
  subject_id text        NOT NULL,
  at         timestamptz NOT NULL
);

CREATE TABLE audit_events (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      timestamptz NOT NULL,
  actor   text        NOT NULL,
  action  text        NOT NULL,
  target  text        NOT NULL,
  kid     text        NOT NULL,
  -- A JSON object of string values.
  details text        NOT NULL,
  version bigint      NOT NULL
);
-- Newest-first listing filtered by one exact column: each index gives the
-- matching rows already in id order, so LIMIT stops early.
CREATE INDEX audit_events_actor_idx ON audit_events (actor, id DESC);
CREATE INDEX audit_events_action_idx ON audit_events (action, id DESC);
CREATE INDEX audit_events_kid_idx ON audit_events (kid, id DESC);
CREATE INDEX audit_events_at_idx ON audit_events (at);
