DROP TRIGGER public_version_channels;
DROP TRIGGER public_version_correction_channels;
DROP TABLE channel_deliveries;
DROP TABLE correction_channels;
DROP TABLE channels;
