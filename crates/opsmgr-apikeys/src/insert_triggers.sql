-- The triggers that count keys as they are inserted (org_key_count, project_key), apart
-- from schema.sql because a state load drops them for its bulk inserts and counts once at
-- the end (state.rs: a table with an INSERT trigger makes every INSERT a multi-row write,
-- which keeps a statement journal). Applied after schema.sql on every open.
CREATE TRIGGER IF NOT EXISTS api_key_count_insert AFTER INSERT ON api_key BEGIN
    INSERT INTO org_key_count (org_id, n) VALUES (NEW.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS grant_role_project_insert AFTER INSERT ON grant_role
    WHEN NEW.group_id IS NOT NULL BEGIN
    INSERT INTO project_key (group_id, key_seq, roles)
        SELECT NEW.group_id, seq, 1 FROM api_key WHERE id = NEW.holder
        ON CONFLICT (group_id, key_seq) DO UPDATE SET roles = roles + 1;
END;
