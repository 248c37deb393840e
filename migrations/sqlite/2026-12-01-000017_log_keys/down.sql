DROP TRIGGER public_version_log_keys_update;
DROP TRIGGER public_version_log_keys_insert;
DROP TABLE log_keys;
