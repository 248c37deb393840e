DROP TRIGGER public_version_channels ON channels;
DROP TRIGGER public_version_correction_channels ON correction_channels;
DROP TABLE channel_deliveries;
DROP TABLE correction_channels;
DROP TABLE channels;
