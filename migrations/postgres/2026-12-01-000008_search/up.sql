-- Searching the queue: words of the quoted passage and the explanation, and of the article's
-- headline, through GIN indexes on their text search vectors (the 'simple' configuration:
-- no stemming, as on SQLite).
CREATE INDEX reports_search ON reports USING GIN (to_tsvector('simple', quote || ' ' || explanation));
CREATE INDEX articles_search ON articles USING GIN (to_tsvector('simple', title));

-- Editors find a reader's reports by their address.
CREATE INDEX reports_reporter_email ON reports (lower(reporter_email));
