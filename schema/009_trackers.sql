-- SPDX-License-Identifier: ISC
-- 009: tracker apps (DESIGN 1.6): the device identifier the apps send, and
-- report tokens bound to one device.
--
-- devices.unique_id is what Traccar calls the identifier: what a phone app
-- is configured with (OsmAnd `id`, OwnTracks device name, Overland
-- `device_id`).  Unique per tenant; NULL for devices that have none.
ALTER TABLE devices
  ADD COLUMN unique_id VARCHAR(64) NULL AFTER name,
  ADD UNIQUE KEY uq_devices_unique_id (tenant_id, unique_id);

-- A token bound to a device reports for that device only.  A device with
-- bound tokens cannot be deleted (the binding must not silently vanish and
-- leave a token that reports for every device).
ALTER TABLE api_tokens
  ADD COLUMN device_id BIGINT UNSIGNED NULL AFTER scopes,
  ADD CONSTRAINT fk_api_tokens_device FOREIGN KEY (device_id) REFERENCES devices (id);

-- Recorded by the file itself, so that importing it by hand (phpMyAdmin)
-- counts as applied for a later `userpatch-admin migrate`.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (9, '009_trackers.sql');
