-- The keys that have signed checkpoints of the public log, in turn. A key signs checkpoints
-- of sizes from_size..=until_size; the active key has no until_size yet. Each key after the
-- first carries its predecessor's endorsement: Ed25519 over
-- `corrigenda-key\n{from_size}\n{public_key}\n`, so a verifier who trusts one key can follow
-- the rotations. The first key is recorded, with from_size 0, when a server first starts.
CREATE TABLE log_keys (
    public_key TEXT PRIMARY KEY NOT NULL,
    from_size BIGINT NOT NULL CHECK (from_size >= 0),
    until_size BIGINT CHECK (until_size >= from_size),
    endorsement TEXT,
    created_at TIMESTAMP NOT NULL
);
-- At most one active key.
CREATE UNIQUE INDEX log_keys_one_active ON log_keys ((until_size IS NULL)) WHERE until_size IS NULL;
CREATE TRIGGER public_version_log_keys_insert AFTER INSERT ON log_keys BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER public_version_log_keys_update AFTER UPDATE ON log_keys BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
