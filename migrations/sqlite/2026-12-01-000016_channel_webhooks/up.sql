-- A channel fed by the publisher's own systems (a CMS that posts to social accounts, sends the
-- push alert, updates the newsletter) names the webhook endpoint that carries its corrective:
-- when that endpoint accepts a correction's `channel.corrective` event, the item is done.
-- (No REFERENCES here, unlike PostgreSQL: SQLite could not drop the column again when reverting.
-- Endpoints are never deleted, only marked removed, and a removed one is unset from its channels.)
ALTER TABLE channels ADD COLUMN endpoint_id INTEGER;

-- SQLite cannot change a CHECK in place: both tables are rebuilt. The new deliveries table
-- refers to the new checklist table, so the old ones drop without breaking a reference, and
-- renaming the checklist table renames the reference with it.
CREATE TABLE correction_channels_new (
    correction_id INTEGER NOT NULL REFERENCES corrections (id),
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    done_at TIMESTAMP,
    done_via TEXT CHECK (done_via IN ('staff', 'mail', 'webhook')),
    done_by INTEGER REFERENCES users (id),
    link TEXT,
    PRIMARY KEY (correction_id, channel_id)
);
INSERT INTO correction_channels_new (correction_id, channel_id, done_at, done_via, done_by, link)
    SELECT correction_id, channel_id, done_at, done_via, done_by, link FROM correction_channels;

-- `via` webhook: `ref_id` is the webhook_deliveries row.
CREATE TABLE channel_deliveries_new (
    via TEXT NOT NULL CHECK (via IN ('staff', 'mail', 'webhook')),
    ref_id INTEGER NOT NULL,
    correction_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    delivered_at TIMESTAMP,
    PRIMARY KEY (via, ref_id),
    FOREIGN KEY (correction_id, channel_id) REFERENCES correction_channels_new (correction_id, channel_id)
);
INSERT INTO channel_deliveries_new (via, ref_id, correction_id, channel_id, delivered_at)
    SELECT via, ref_id, correction_id, channel_id, delivered_at FROM channel_deliveries;

DROP TABLE channel_deliveries;
DROP TABLE correction_channels;
ALTER TABLE correction_channels_new RENAME TO correction_channels;
ALTER TABLE channel_deliveries_new RENAME TO channel_deliveries;

CREATE INDEX correction_channels_open ON correction_channels (correction_id) WHERE done_at IS NULL;
CREATE INDEX channel_deliveries_item ON channel_deliveries (correction_id, channel_id);
CREATE TRIGGER public_version_correction_channels AFTER UPDATE ON correction_channels BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
