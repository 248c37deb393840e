DELETE FROM channel_deliveries WHERE via = 'webhook';
UPDATE correction_channels SET done_via = 'staff' WHERE done_via = 'webhook';
ALTER TABLE channel_deliveries DROP CONSTRAINT channel_deliveries_via_check,
    ADD CONSTRAINT channel_deliveries_via_check CHECK (via IN ('staff', 'mail'));
ALTER TABLE correction_channels DROP CONSTRAINT correction_channels_done_via_check,
    ADD CONSTRAINT correction_channels_done_via_check CHECK (done_via IN ('staff', 'mail'));
ALTER TABLE channels DROP COLUMN endpoint_id;
