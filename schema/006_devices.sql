-- SPDX-License-Identifier: ISC
-- 006: the Devices API (DESIGN 1.5) on the one device store of 002, plus
-- position history and alerts.
--
-- devices gains the Devices API fields.  last_fix_time is the fix time of
-- the newest stored position: the ingestion transaction raises it with a
-- conditional update (never lowers it), so lastLocation is one primary-key
-- read of positions, whatever order the positions arrived in.
ALTER TABLE devices
  ADD COLUMN name          VARCHAR(100) NULL AFTER tenant_id,
  ADD COLUMN phone_number  VARCHAR(16) NULL AFTER iccid,
  ADD COLUMN model         VARCHAR(64) NULL AFTER phone_number,
  ADD COLUMN protocol      VARCHAR(64) NULL AFTER model,
  ADD COLUMN device_group  VARCHAR(64) NULL AFTER protocol,
  ADD COLUMN disabled      TINYINT(1) NOT NULL DEFAULT 0 AFTER device_group,
  ADD COLUMN tags          TEXT NULL AFTER disabled,
  ADD COLUMN last_fix_time DATETIME(6) NULL AFTER tags,
  ADD KEY ix_devices_tenant (tenant_id, id);

-- Append-mostly history: one row per fix, clustered by (device, fix time) so
-- a route is one range read and a resent fix is a duplicate key.  The
-- tenant is the device's: every read goes through a device of the caller's
-- tenant.  Old rows are removed with `userpatch-admin positions prune`.
CREATE TABLE IF NOT EXISTS positions (
  device_id   BIGINT UNSIGNED NOT NULL,
  fix_time    DATETIME(6) NOT NULL,
  latitude    DOUBLE NOT NULL,
  longitude   DOUBLE NOT NULL,
  altitude    DOUBLE NULL,
  speed       DOUBLE NULL,
  course      DOUBLE NULL,
  accuracy    DOUBLE NULL,
  attributes  TEXT NULL,                -- JSON object of scalars
  received_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (device_id, fix_time),
  CONSTRAINT fk_positions_device FOREIGN KEY (device_id) REFERENCES devices (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS alerts (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  device_id   BIGINT UNSIGNED NOT NULL,
  type        VARCHAR(16) NOT NULL,
  alert_time  DATETIME(6) NOT NULL,
  message     VARCHAR(500) NULL,
  position    TEXT NULL,                -- JSON object: a position, as stored
  received_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY ix_alerts_device_time (device_id, alert_time, id),
  CONSTRAINT fk_alerts_device FOREIGN KEY (device_id) REFERENCES devices (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Recorded by the file itself, so that importing it by hand (phpMyAdmin)
-- counts as applied for a later `userpatch-admin migrate`.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (6, '006_devices.sql');
