-- The insert trigger of `object_count` (schema.sql), apart so that a state load can drop it for
-- its bulk inserts and create it again (store::ObjectLoader).
CREATE TRIGGER IF NOT EXISTS object_count_insert AFTER INSERT ON object BEGIN
    INSERT INTO object_count (kind, n) VALUES (new.kind, 1)
        ON CONFLICT(kind) DO UPDATE SET n = n + 1;
END;
