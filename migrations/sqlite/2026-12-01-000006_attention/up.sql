-- When the reader last answered or appealed, until an editor opens the ticket: the queue marks it.
ALTER TABLE reports ADD COLUMN reader_replied_at TIMESTAMP;
