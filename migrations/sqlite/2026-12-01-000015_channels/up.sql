-- Where the publisher's stories go besides the site (newsletter, push alerts, social accounts,
-- syndication partners, print), so a correction can be sent everywhere the error went.
-- A retired channel is offered for no new correction but stays on the old checklists.
CREATE TABLE channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL
        CHECK (kind IN ('newsletter', 'push', 'social', 'syndication', 'print', 'other')),
    -- Syndication partners' addresses, a JSON array of strings: they are sent the corrective.
    partners TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP
);

-- The checklist of a correction: one item per channel the erroneous version went to. An item
-- is done when an editor marks it (`done_via` staff, `done_by` set) or when every delivery of
-- the corrective to that channel went out (`done_via` mail; webhooks may mark it the same way).
CREATE TABLE correction_channels (
    correction_id INTEGER NOT NULL REFERENCES corrections (id),
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    done_at TIMESTAMP,
    done_via TEXT CHECK (done_via IN ('staff', 'mail')),
    done_by INTEGER REFERENCES users (id),
    link TEXT,
    PRIMARY KEY (correction_id, channel_id)
);
-- The desk's view of corrections with open items reads only the open ones.
CREATE INDEX correction_channels_open ON correction_channels (correction_id) WHERE done_at IS NULL;

-- Each message that carries a corrective to a channel (`via` mail: `ref_id` is the outbox row).
CREATE TABLE channel_deliveries (
    via TEXT NOT NULL CHECK (via IN ('staff', 'mail')),
    ref_id INTEGER NOT NULL,
    correction_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    delivered_at TIMESTAMP,
    PRIMARY KEY (via, ref_id),
    FOREIGN KEY (correction_id, channel_id) REFERENCES correction_channels (correction_id, channel_id)
);
CREATE INDEX channel_deliveries_item ON channel_deliveries (correction_id, channel_id);

-- "Also corrected in" on the public log changes when an item is done or a channel renamed.
CREATE TRIGGER public_version_correction_channels AFTER UPDATE ON correction_channels BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER public_version_channels AFTER UPDATE ON channels BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
