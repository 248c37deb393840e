DROP TABLE log_entries;
DROP TABLE correction_reports;
DROP TABLE correction_standards;
DROP TABLE corrections;
DROP TABLE standards;
