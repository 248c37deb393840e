ALTER TABLE reports DROP COLUMN reader_replied_at;
