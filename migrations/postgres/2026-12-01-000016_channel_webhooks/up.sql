-- A channel fed by the publisher's own systems (a CMS that posts to social accounts, sends the
-- push alert, updates the newsletter) names the webhook endpoint that carries its corrective:
-- when that endpoint accepts a correction's `channel.corrective` event, the item is done.
ALTER TABLE channels ADD COLUMN endpoint_id BIGINT REFERENCES webhook_endpoints (id);

ALTER TABLE correction_channels DROP CONSTRAINT correction_channels_done_via_check,
    ADD CONSTRAINT correction_channels_done_via_check CHECK (done_via IN ('staff', 'mail', 'webhook'));
-- `via` webhook: `ref_id` is the webhook_deliveries row.
ALTER TABLE channel_deliveries DROP CONSTRAINT channel_deliveries_via_check,
    ADD CONSTRAINT channel_deliveries_via_check CHECK (via IN ('staff', 'mail', 'webhook'));
