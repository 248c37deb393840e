DROP INDEX corrections_redrafts;
ALTER TABLE corrections DROP COLUMN redrafts;
