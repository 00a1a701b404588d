-- Password Manager Pro vault: users (API users carry a token bound to a host), resources,
-- accounts, shares, the password-access workflow and the audit trail. Applied in one
-- transaction (to a new store, and on every open of a data file: see the migration at the end).

BEGIN;

CREATE TABLE IF NOT EXISTS policies (
    name        TEXT PRIMARY KEY,
    min_length  INTEGER NOT NULL,
    max_length  INTEGER NOT NULL,
    uppercase   INTEGER NOT NULL,
    lowercase   INTEGER NOT NULL,
    digits      INTEGER NOT NULL,
    special     INTEGER NOT NULL
);

-- A policy's password age (days) after which PMP marks a password expired; none: never.
CREATE TABLE IF NOT EXISTS policy_ages (
    name         TEXT PRIMARY KEY COLLATE NOCASE,
    max_age_days INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    id          INTEGER PRIMARY KEY,
    user_name   TEXT NOT NULL UNIQUE COLLATE NOCASE,
    first_name  TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    full_name   TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    department  TEXT NOT NULL DEFAULT '',
    location    TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL,
    super_admin INTEGER NOT NULL DEFAULT 0,
    api_user    INTEGER NOT NULL DEFAULT 0,
    host_name   TEXT,
    auth_token  TEXT UNIQUE,
    expiry_date TEXT,
    locked      INTEGER NOT NULL DEFAULT 0,
    password    TEXT
);

CREATE TABLE IF NOT EXISTS resource_groups (
    name TEXT PRIMARY KEY COLLATE NOCASE
);

CREATE TABLE IF NOT EXISTS resources (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description      TEXT NOT NULL DEFAULT '',
    type             TEXT NOT NULL DEFAULT '',
    dns_name         TEXT NOT NULL DEFAULT '',
    domain_name      TEXT NOT NULL DEFAULT '',
    department       TEXT NOT NULL DEFAULT '',
    location         TEXT NOT NULL DEFAULT '',
    url              TEXT NOT NULL DEFAULT '',
    owner_id         INTEGER NOT NULL REFERENCES users(id),
    password_policy  TEXT NOT NULL,
    group_name       TEXT REFERENCES resource_groups(name),
    unreachable      INTEGER NOT NULL DEFAULT 0,
    reason_mandatory INTEGER NOT NULL DEFAULT 0,
    custom_fields    TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE IF NOT EXISTS accounts (
    id               INTEGER PRIMARY KEY,
    resource_id      INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    name             TEXT NOT NULL COLLATE NOCASE,
    password         TEXT NOT NULL,
    notes            TEXT NOT NULL DEFAULT '',
    password_policy  TEXT NOT NULL,
    reason_required  INTEGER NOT NULL DEFAULT 0,
    ticket_required  INTEGER NOT NULL DEFAULT 0,
    access_control   INTEGER NOT NULL DEFAULT 0,
    checkout_minutes INTEGER NOT NULL DEFAULT 30,
    favourite        INTEGER NOT NULL DEFAULT 0,
    custom_fields    TEXT NOT NULL DEFAULT '[]',
    last_accessed    INTEGER,
    last_modified    INTEGER,
    file_name        TEXT,
    file_data        BLOB,
    UNIQUE (resource_id, name)
);

CREATE TABLE IF NOT EXISTS shares (
    id          INTEGER PRIMARY KEY,
    resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
    account_id  INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    access      TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS requests (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status         TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    requested_at   INTEGER NOT NULL,
    checked_out_at INTEGER,
    expires_at     INTEGER
);

-- The audit trail, stored compactly: a record (`audit_log`, about 18 bytes) names its
-- subject (`audit_subject`: who did which operation on what, from where, with what outcome,
-- each distinct combination stored once) and its ticket and reason (`audit_text`: each
-- distinct text once; 0 is the empty text). Records keep the names as they were written: a
-- subject is never updated, a renamed resource makes a new one. Records are read through the
-- view `audit_entry` below, and written through it when a string is new; a record of
-- interned strings is one INSERT that looks up their ids (`store/audit.rs`).
CREATE TABLE IF NOT EXISTS audit_subject (
    id            INTEGER PRIMARY KEY,
    user_name     TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    operation     TEXT NOT NULL,
    status        TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    account_name  TEXT NOT NULL,
    resource_id   INTEGER NOT NULL,
    account_id    INTEGER NOT NULL,
    ip            TEXT NOT NULL,
    UNIQUE (account_id, resource_id, operation, user_name, status, ip, resource_name,
            account_name, full_name)
);
CREATE TABLE IF NOT EXISTS audit_text (
    id   INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS audit_log (
    id      INTEGER PRIMARY KEY,
    at_ms   INTEGER NOT NULL,
    subject INTEGER NOT NULL,
    ticket  INTEGER NOT NULL,
    reason  INTEGER NOT NULL
);

-- One audit record in full. Reading it joins the record to its subject and texts; an INSERT
-- into it interns the strings and appends the record, and with `accessed_id` (a password
-- read) also sets that account's LAST ACCESSED TIME to `accessed_at`: one statement is one
-- transaction, so all of it is written or none of it (a failed insert leaves no subject,
-- text or record behind), without a BEGIN and a COMMIT of their own. `id` NULL: the next id.
CREATE VIEW IF NOT EXISTS audit_entry AS
    SELECT l.id, l.at_ms, s.user_name, s.full_name, s.operation, s.status, s.resource_name,
           s.account_name, s.resource_id, s.account_id, coalesce(t.text, '') AS ticket_id,
           coalesce(r.text, '') AS reason, s.ip, NULL AS accessed_id, NULL AS accessed_at
    FROM audit_log l
    JOIN audit_subject s ON s.id = l.subject
    LEFT JOIN audit_text t ON t.id = l.ticket
    LEFT JOIN audit_text r ON r.id = l.reason;
CREATE TRIGGER IF NOT EXISTS audit_entry_insert INSTEAD OF INSERT ON audit_entry
BEGIN
    UPDATE accounts SET last_accessed = NEW.accessed_at WHERE id = NEW.accessed_id;
    INSERT OR IGNORE INTO audit_subject (user_name, full_name, operation, status,
                                         resource_name, account_name, resource_id,
                                         account_id, ip)
    VALUES (NEW.user_name, NEW.full_name, NEW.operation, NEW.status, NEW.resource_name,
            NEW.account_name, NEW.resource_id, NEW.account_id, NEW.ip);
    INSERT OR IGNORE INTO audit_text (text) SELECT NEW.ticket_id WHERE NEW.ticket_id <> '';
    INSERT OR IGNORE INTO audit_text (text) SELECT NEW.reason WHERE NEW.reason <> '';
    INSERT INTO audit_log (id, at_ms, subject, ticket, reason)
    VALUES (NEW.id, NEW.at_ms,
            (SELECT id FROM audit_subject
             WHERE account_id = NEW.account_id AND resource_id = NEW.resource_id
               AND operation = NEW.operation AND user_name = NEW.user_name
               AND status = NEW.status AND ip = NEW.ip
               AND resource_name = NEW.resource_name AND account_name = NEW.account_name
               AND full_name = NEW.full_name),
            CASE WHEN NEW.ticket_id = '' THEN 0
                 ELSE (SELECT id FROM audit_text WHERE text = NEW.ticket_id) END,
            CASE WHEN NEW.reason = '' THEN 0
                 ELSE (SELECT id FROM audit_text WHERE text = NEW.reason) END);
END;

-- A password read's record whose subject and texts are interned already (the INSERT looks
-- their ids up) with the account's LAST ACCESSED TIME: one statement, as above, with a
-- trigger a fraction of the size of `audit_entry`'s (callgrind: the trigger's frame and
-- cursors are most of an audit record's cost). A NULL id (not interned yet) writes nothing,
-- and the caller then inserts into `audit_entry`.
CREATE VIEW IF NOT EXISTS audit_log_with_access AS
    SELECT at_ms, subject, ticket, reason, NULL AS accessed_id, NULL AS accessed_at
    FROM audit_log WHERE 0;
CREATE TRIGGER IF NOT EXISTS audit_log_with_access_insert INSTEAD OF INSERT
    ON audit_log_with_access
    WHEN NEW.subject IS NOT NULL AND NEW.ticket IS NOT NULL AND NEW.reason IS NOT NULL
BEGIN
    UPDATE accounts SET last_accessed = NEW.accessed_at WHERE id = NEW.accessed_id;
    INSERT INTO audit_log (at_ms, subject, ticket, reason)
    VALUES (NEW.at_ms, NEW.subject, NEW.ticket, NEW.reason);
END;

-- Lookups on every request: shares by resource and user (access levels, visibility),
-- shares and requests by account (cascading deletes), live checkouts by expiry.
CREATE INDEX IF NOT EXISTS shares_resource_user ON shares (resource_id, user_id);
CREATE INDEX IF NOT EXISTS shares_user ON shares (user_id);
CREATE INDEX IF NOT EXISTS shares_account ON shares (account_id);
CREATE INDEX IF NOT EXISTS requests_account_user ON requests (account_id, user_id);
CREATE INDEX IF NOT EXISTS requests_user ON requests (user_id);
CREATE INDEX IF NOT EXISTS requests_checked_out ON requests (expires_at) WHERE status = 'checked_out';
CREATE INDEX IF NOT EXISTS resources_owner ON resources (owner_id);

-- PKI sub-API: SSL certificates and SSH keys (their key material is derived from the seed).
CREATE TABLE IF NOT EXISTS certificates (
    id            INTEGER PRIMARY KEY,
    common_name   TEXT NOT NULL,
    serial_number TEXT NOT NULL,
    organization  TEXT NOT NULL DEFAULT '',
    dns_names     TEXT NOT NULL DEFAULT '[]',
    valid_from    INTEGER NOT NULL,
    valid_to      INTEGER NOT NULL,
    passphrase    TEXT NOT NULL DEFAULT '',
    UNIQUE (common_name, serial_number)
);
CREATE TABLE IF NOT EXISTS ssh_keys (
    id          INTEGER PRIMARY KEY,
    key_name    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    comment     TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ssh_key_users (
    key_id        INTEGER NOT NULL REFERENCES ssh_keys(id) ON DELETE CASCADE,
    resource_name TEXT NOT NULL,
    user_name     TEXT NOT NULL
);

-- PAM360's time-bound requests (ACCESS "later"): the window in which a request may be used.
CREATE TABLE IF NOT EXISTS request_windows (
    request_id INTEGER PRIMARY KEY REFERENCES requests(id) ON DELETE CASCADE,
    start_at   INTEGER NOT NULL,
    end_at     INTEGER NOT NULL
);

-- Migration of a data file written before the compact audit trail, in one transaction with
-- the rest of the schema: its `audit` table (every record's strings in full) is copied
-- through `audit_entry`, ids and so order kept, and dropped, with its view and trigger. A
-- store without one creates it empty here, copies nothing and drops it (about 0.1 ms of a
-- new store's or tenant's schema).
CREATE TABLE IF NOT EXISTS audit (
    id            INTEGER PRIMARY KEY,
    at_ms         INTEGER NOT NULL,
    user_name     TEXT NOT NULL,
    full_name     TEXT NOT NULL DEFAULT '',
    operation     TEXT NOT NULL,
    status        TEXT NOT NULL,
    resource_name TEXT NOT NULL DEFAULT '',
    account_name  TEXT NOT NULL DEFAULT '',
    resource_id   INTEGER NOT NULL DEFAULT 0,
    account_id    INTEGER NOT NULL DEFAULT 0,
    ticket_id     TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_entry (id, at_ms, user_name, full_name, operation, status, resource_name,
                         account_name, resource_id, account_id, ticket_id, reason, ip)
    SELECT id, at_ms, user_name, full_name, operation, status, resource_name, account_name,
           resource_id, account_id, ticket_id, reason, ip
    FROM audit ORDER BY id;
DROP VIEW IF EXISTS audit_with_access;
DROP TABLE audit;

COMMIT;
