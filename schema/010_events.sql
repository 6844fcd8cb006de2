-- SPDX-License-Identifier: ISC
-- 010: the change feed (DESIGN 1.8).
--
-- Every write of a user, group or device, and every alert, inserts one row
-- into events in the transaction that makes the change: a rolled-back write
-- leaves none.  id is the AUTO_INCREMENT value, assigned when the row is
-- inserted, before the writer commits: two writers can commit in the
-- opposite order of their ids, so id is not the feed's order.  seq is: it
-- stays NULL until a reader of the feed orders the committed rows, holding
-- the tenant's row of event_seq (see docs/hacking.md, "The change feed").
-- A writer never touches event_seq: no row every writer of a tenant waits for.
CREATE TABLE IF NOT EXISTS events (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id       BIGINT UNSIGNED NOT NULL,
  seq             BIGINT UNSIGNED NULL,        -- the feed's order, per tenant
  type            VARCHAR(32) NOT NULL,        -- user.created, device.updated, alert.created...
  resource_id     VARCHAR(300) NOT NULL,       -- the public id: usr-42, administrators, dev-7
  version         BIGINT UNSIGNED NOT NULL,    -- the resource's version after the change
  changed_fields  TEXT NULL,                   -- updates: JSON array of field names
  request_id      VARCHAR(64) NOT NULL,
  created_at      DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_events_seq (tenant_id, seq),
  KEY ix_events_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per tenant: the last seq handed out.  Only the feed's readers
-- (GET /api/events) lock it, one at a time per tenant.
CREATE TABLE IF NOT EXISTS event_seq (
  tenant_id  BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  last_seq   BIGINT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Recorded by the file itself, so that importing it by hand (phpMyAdmin)
-- counts as applied for a later `userpatch-admin migrate`.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (10, '010_events.sql');
