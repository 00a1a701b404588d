-- ServiceOps stand-in schema. Secrets are stored as the fixtures give them.
CREATE TABLE IF NOT EXISTS client (
    pos INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    client_secret TEXT NOT NULL,
    scope TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    logon_name TEXT UNIQUE COLLATE NOCASE,
    password TEXT NOT NULL,
    role TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    contact_no TEXT,
    location_name TEXT,
    department_name TEXT
);
CREATE TABLE IF NOT EXISTS api_key (
    pos INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE
);
-- Reference data and custom field definitions, as JSON documents.
CREATE TABLE IF NOT EXISTS config (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- nextId (every object) and nextTicketNumber (INC-/SR-/CHG- names).
CREATE TABLE IF NOT EXISTS sequence (
    name TEXT PRIMARY KEY,
    next INTEGER NOT NULL
);
-- Requests, service requests, changes, assets: the wire object as JSON.
CREATE TABLE IF NOT EXISTS object (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS object_kind ON object(kind, id);
-- Conversations on tickets; removed with their ticket.
CREATE TABLE IF NOT EXISTS conversation (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES object(id) ON DELETE CASCADE,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversation_ticket ON conversation(ticket_id, id);
-- Search pages: ids in order with their kind (a covering index, so skipping `offset`
-- objects never reads their JSON), and the same per requester (`requesterEmail`).
CREATE INDEX IF NOT EXISTS object_order ON object(id, kind);
CREATE INDEX IF NOT EXISTS object_requester
    ON object(json_extract(data, '$.requesterEmail') COLLATE NOCASE, id, kind);
CREATE INDEX IF NOT EXISTS api_key_user ON api_key(user_id, pos);
-- How many objects of each kind, kept by triggers, so a search's `totalCount` without a
-- qualification does not count index entries. Filled from `object` for data files made
-- before this table existed.
CREATE TABLE IF NOT EXISTS object_count (
    kind TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);
INSERT OR IGNORE INTO object_count (kind, n) SELECT kind, COUNT(*) FROM object GROUP BY kind;
-- object_count_insert: insert_triggers.sql (dropped for the bulk inserts of a load).
CREATE TRIGGER IF NOT EXISTS object_count_delete AFTER DELETE ON object BEGIN
    UPDATE object_count SET n = n - 1 WHERE kind = old.kind;
END;
CREATE TRIGGER IF NOT EXISTS object_count_kind AFTER UPDATE OF kind ON object
    WHEN new.kind IS NOT old.kind BEGIN
    UPDATE object_count SET n = n - 1 WHERE kind = old.kind;
    INSERT INTO object_count (kind, n) VALUES (new.kind, 1)
        ON CONFLICT(kind) DO UPDATE SET n = n + 1;
END;
-- Files uploaded to requests (`fileAttachments`), with their bytes.
CREATE TABLE IF NOT EXISTS attachment (
    ref_file_name TEXT PRIMARY KEY,
    ticket_id INTEGER NOT NULL,
    real_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_time INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS attachment_by_ticket ON attachment (ticket_id, ref_file_name);
