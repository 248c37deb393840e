DROP TRIGGER public_version_log_keys ON log_keys;
DROP TABLE log_keys;
