-- SPDX-License-Identifier: ISC
-- 015: a write's audit row carries its change-feed event (DESIGN 1.8).
--
-- A write of a user, group or device used to insert its audit row and its
-- event row with two statements, two round trips to the server inside the
-- write's transaction.  The audit row now names the event (event_type,
-- event_version; the resource's public id is resource_key, set for users
-- too when an event rides), and this trigger inserts the event row from it,
-- in the same statement and so in the same transaction: both commit, or
-- neither does.  An audit row without event_type (the webhooks' own audit,
-- imports, which insert their events many rows at a time) makes no event;
-- an event without an audit row (alerts) is still inserted directly.
-- Adding nullable columns at the end of audit_log is instant: no copy of
-- the table.
ALTER TABLE audit_log
  ADD COLUMN IF NOT EXISTS event_type    VARCHAR(32) NULL,
  ADD COLUMN IF NOT EXISTS event_version BIGINT UNSIGNED NULL;

DROP TRIGGER IF EXISTS tr_audit_log_event;
CREATE TRIGGER tr_audit_log_event AFTER INSERT ON audit_log FOR EACH ROW
  INSERT INTO events (tenant_id, type, resource_id, version, changed_fields, request_id,
                      created_at)
  SELECT NEW.tenant_id, NEW.event_type, NEW.resource_key, NEW.event_version,
         IF(NEW.action = 'update', NEW.changed_fields, NULL), NEW.request_id,
         UTC_TIMESTAMP(6)
  FROM DUAL WHERE NEW.event_type IS NOT NULL;

-- Recorded by the file itself, so that importing it by hand (phpMyAdmin)
-- counts as applied for a later `userpatch-admin migrate`.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (15, '015_audit_events.sql');
