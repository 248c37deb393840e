-- Suggested wordings: a standards editor's own wording for a kind of notice, which the
-- correction form starts from. No row for a kind means the built-in wording.
CREATE TABLE wordings (
    kind TEXT PRIMARY KEY NOT NULL
        CHECK (kind IN ('correction', 'clarification', 'update', 'editors_note', 'retraction')),
    text TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
