-- Ops Manager state: organizations, projects (groups), programmatic API keys, legacy users,
-- their roles and their access lists. `seq` keeps insertion order (lists, role order).
CREATE TABLE IF NOT EXISTS org (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    is_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS project (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES org(id),
    name TEXT NOT NULL UNIQUE,
    agent_api_key TEXT NOT NULL,
    created TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS api_key (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES org(id),
    descr TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    private_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user_account (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL UNIQUE,
    api_key TEXT NOT NULL
);
-- A role held by an API key or a user (`holder` is the key's or the user's id).
CREATE TABLE IF NOT EXISTS grant_role (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    holder TEXT NOT NULL,
    org_id TEXT REFERENCES org(id),
    group_id TEXT REFERENCES project(id),
    role_name TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS grant_role_holder ON grant_role (holder);
CREATE INDEX IF NOT EXISTS grant_role_group ON grant_role (group_id);
-- An access-list entry of an API key or a user.
CREATE TABLE IF NOT EXISTS access_entry (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    holder TEXT NOT NULL,
    cidr_block TEXT NOT NULL,
    ip_address TEXT,
    count INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    last_used TEXT,
    last_used_address TEXT,
    UNIQUE (holder, cidr_block)
);
-- Paging an org's keys in creation order without reading the table (`LIMIT/OFFSET`).
CREATE INDEX IF NOT EXISTS api_key_org ON api_key (org_id, seq);
-- Keys per org, kept by triggers, so `totalCount` of a key list does not count the index
-- (a COUNT(*) walks every entry: ~60 ms at 10^6 keys). Filled once for data files written
-- before this table existed; later opens find it complete and insert nothing.
CREATE TABLE IF NOT EXISTS org_key_count (
    org_id TEXT PRIMARY KEY,
    n INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS api_key_count_delete AFTER DELETE ON api_key BEGIN
    UPDATE org_key_count SET n = n - 1 WHERE org_id = OLD.org_id;
END;
CREATE TRIGGER IF NOT EXISTS api_key_count_move AFTER UPDATE OF org_id ON api_key
    WHEN NEW.org_id IS NOT OLD.org_id BEGIN
    UPDATE org_key_count SET n = n - 1 WHERE org_id = OLD.org_id;
    INSERT INTO org_key_count (org_id, n) VALUES (NEW.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET n = n + 1;
END;
INSERT OR IGNORE INTO org_key_count (org_id, n)
    SELECT org_id, COUNT(*) FROM api_key GROUP BY org_id;
-- The keys with at least one role on a project, in key order (`key_seq` is the key's
-- `seq`; `roles` how many of its roles are on the project), and per project their number
-- and a change counter, kept by triggers on `grant_role`, so a project's key page is an
-- index range and its `totalCount` one row (the `IN (SELECT holder ...)` it replaces read
-- every role of the project). Filled once for data files written before these tables
-- existed (only while `project_key` is empty, so later opens read nothing).
CREATE TABLE IF NOT EXISTS project_key (
    group_id TEXT NOT NULL,
    key_seq INTEGER NOT NULL,
    roles INTEGER NOT NULL,
    PRIMARY KEY (group_id, key_seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS project_key_count (
    group_id TEXT PRIMARY KEY,
    n INTEGER NOT NULL,
    gen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS project_key_insert AFTER INSERT ON project_key BEGIN
    INSERT INTO project_key_count (group_id, n, gen) VALUES (NEW.group_id, 1, 1)
        ON CONFLICT (group_id) DO UPDATE SET n = n + 1, gen = gen + 1;
END;
CREATE TRIGGER IF NOT EXISTS project_key_delete AFTER DELETE ON project_key BEGIN
    UPDATE project_key_count SET n = n - 1, gen = gen + 1 WHERE group_id = OLD.group_id;
END;
CREATE TRIGGER IF NOT EXISTS grant_role_project_delete AFTER DELETE ON grant_role
    WHEN OLD.group_id IS NOT NULL BEGIN
    UPDATE project_key SET roles = roles - 1
        WHERE group_id = OLD.group_id
        AND key_seq = (SELECT seq FROM api_key WHERE id = OLD.holder);
    DELETE FROM project_key
        WHERE group_id = OLD.group_id
        AND key_seq = (SELECT seq FROM api_key WHERE id = OLD.holder) AND roles <= 0;
END;
INSERT OR IGNORE INTO project_key (group_id, key_seq, roles)
    SELECT g.group_id, k.seq, COUNT(*) FROM grant_role g JOIN api_key k ON k.id = g.holder
    WHERE g.group_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM project_key)
    GROUP BY g.group_id, k.seq;
-- Deployments a project monitors: clusters (replica sets, sharded clusters and their shards)
-- and hosts (mongod/mongos processes) with their disks and databases (JSON arrays of names).
CREATE TABLE IF NOT EXISTS cluster (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    group_id TEXT NOT NULL REFERENCES project(id),
    cluster_name TEXT NOT NULL,
    type_name TEXT NOT NULL,
    replica_set_name TEXT,
    shard_name TEXT,
    last_heartbeat TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cluster_group ON cluster (group_id, seq);
CREATE TABLE IF NOT EXISTS host (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    group_id TEXT NOT NULL REFERENCES project(id),
    cluster_id TEXT REFERENCES cluster(id),
    hostname TEXT NOT NULL,
    port INTEGER NOT NULL,
    type_name TEXT NOT NULL,
    replica_set_name TEXT,
    replica_state_name TEXT,
    shard_name TEXT,
    version TEXT NOT NULL,
    created TEXT NOT NULL,
    disks TEXT NOT NULL DEFAULT '[]',
    databases TEXT NOT NULL DEFAULT '[]',
    UNIQUE (group_id, hostname, port)
);
CREATE INDEX IF NOT EXISTS host_group ON host (group_id, seq);
-- A user's profile as "Get a User by Name" shows it (kept apart from `user_account` so data
-- files written before it existed open unchanged).
CREATE TABLE IF NOT EXISTS user_profile (
    user_id TEXT PRIMARY KEY REFERENCES user_account(id),
    email_address TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL
) WITHOUT ROWID;
-- Alerts, alert configurations and events: the document as the state file holds it (JSON),
-- with the columns lists filter on.
CREATE TABLE IF NOT EXISTS alert_config (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    group_id TEXT NOT NULL REFERENCES project(id),
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alert (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    group_id TEXT NOT NULL REFERENCES project(id),
    config_id TEXT REFERENCES alert_config(id),
    status TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS event (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT REFERENCES org(id),
    group_id TEXT REFERENCES project(id),
    created TEXT NOT NULL,
    doc TEXT NOT NULL
);
-- Global programmatic API keys (no org; global roles in `grant_role` with neither org nor
-- project) and the global API access list their callers must come from.
CREATE TABLE IF NOT EXISTS global_key (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    descr TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    private_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS global_access (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    cidr_block TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
-- Teams of an org and their members.
CREATE TABLE IF NOT EXISTS team (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    org_id TEXT NOT NULL REFERENCES org(id),
    name TEXT NOT NULL,
    UNIQUE (org_id, name)
);
CREATE TABLE IF NOT EXISTS team_member (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id TEXT NOT NULL REFERENCES team(id),
    user_id TEXT NOT NULL REFERENCES user_account(id),
    UNIQUE (team_id, user_id)
);
