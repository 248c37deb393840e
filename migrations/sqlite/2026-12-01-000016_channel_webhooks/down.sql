CREATE TABLE correction_channels_old (
    correction_id INTEGER NOT NULL REFERENCES corrections (id),
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    done_at TIMESTAMP,
    done_via TEXT CHECK (done_via IN ('staff', 'mail')),
    done_by INTEGER REFERENCES users (id),
    link TEXT,
    PRIMARY KEY (correction_id, channel_id)
);
INSERT INTO correction_channels_old (correction_id, channel_id, done_at, done_via, done_by, link)
    SELECT correction_id, channel_id, done_at, CASE done_via WHEN 'webhook' THEN 'staff' ELSE done_via END, done_by, link
    FROM correction_channels;
CREATE TABLE channel_deliveries_old (
    via TEXT NOT NULL CHECK (via IN ('staff', 'mail')),
    ref_id INTEGER NOT NULL,
    correction_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    delivered_at TIMESTAMP,
    PRIMARY KEY (via, ref_id),
    FOREIGN KEY (correction_id, channel_id) REFERENCES correction_channels_old (correction_id, channel_id)
);
INSERT INTO channel_deliveries_old (via, ref_id, correction_id, channel_id, delivered_at)
    SELECT via, ref_id, correction_id, channel_id, delivered_at FROM channel_deliveries WHERE via <> 'webhook';
DROP TABLE channel_deliveries;
DROP TABLE correction_channels;
ALTER TABLE correction_channels_old RENAME TO correction_channels;
ALTER TABLE channel_deliveries_old RENAME TO channel_deliveries;
CREATE INDEX correction_channels_open ON correction_channels (correction_id) WHERE done_at IS NULL;
CREATE INDEX channel_deliveries_item ON channel_deliveries (correction_id, channel_id);
CREATE TRIGGER public_version_correction_channels AFTER UPDATE ON correction_channels BEGIN
    UPDATE public_version SET n = n + 1 WHERE id = 1;
END;
ALTER TABLE channels DROP COLUMN endpoint_id;
