-- Saved responses: standards editors' wording for a question to the reader or the reason
-- for a decision, with placeholders filled in for each report.
CREATE TABLE saved_responses (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    purpose TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    updated_by BIGINT REFERENCES users (id)
);
CREATE INDEX saved_responses_purpose ON saved_responses (purpose, title);
