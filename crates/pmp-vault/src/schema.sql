-- Password Manager Pro vault: users (API users carry a token bound to a host), resources,
-- accounts, shares, the password-access workflow and the audit trail.

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

-- The audit record of a password read and the account's LAST ACCESSED TIME, written by one
-- statement (an INSERT into this view): one statement is one transaction, so both are written
-- or neither, without a BEGIN and a COMMIT of their own on every read.
CREATE VIEW IF NOT EXISTS audit_with_access AS
    SELECT at_ms, user_name, full_name, operation, status, resource_name, account_name,
           resource_id, account_id, ticket_id, reason, ip,
           0 AS accessed_id, 0 AS accessed_at
    FROM audit WHERE 0;
CREATE TRIGGER IF NOT EXISTS audit_with_access_insert INSTEAD OF INSERT ON audit_with_access
BEGIN
    UPDATE accounts SET last_accessed = NEW.accessed_at WHERE id = NEW.accessed_id;
    INSERT INTO audit (at_ms, user_name, full_name, operation, status, resource_name,
                       account_name, resource_id, account_id, ticket_id, reason, ip)
    VALUES (NEW.at_ms, NEW.user_name, NEW.full_name, NEW.operation, NEW.status,
            NEW.resource_name, NEW.account_name, NEW.resource_id, NEW.account_id,
            NEW.ticket_id, NEW.reason, NEW.ip);
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
