-- SPDX-License-Identifier: ISC
-- 008: lists whose cost does not grow with the tenant.
--
-- Every list filter is served by an index that starts with the tenant and
-- the filtered column; InnoDB appends the primary key (id) to a secondary
-- index, so a filtered page of users or devices ordered by id reads the
-- index in order and stops after the page.  The groups' name filter gets
-- the group key in its index for the same reason (groups page by group_key).
ALTER TABLE users
  ADD KEY ix_users_disabled (tenant_id, disabled);

ALTER TABLE devices
  ADD KEY ix_devices_group (tenant_id, device_group),
  ADD KEY ix_devices_disabled (tenant_id, disabled);

ALTER TABLE user_groups
  DROP KEY ix_groups_name,
  ADD KEY ix_groups_name (tenant_id, name, group_key);

-- How many users and devices name each group, kept by the triggers below in
-- the transaction that inserts, moves or deletes the user or device, so a
-- group's `users` and the group_in_use check of DELETE read at most 16
-- rows instead of counting the group.  A group's count is spread over 16
-- slots (the row's id modulo 16) so that writers adding users to the same
-- group lock different rows: there is no hot row.  The count of a group is
-- the sum of its slots; a slot never goes below zero, since a row always
-- leaves the slot it entered (its id does not change).
CREATE TABLE IF NOT EXISTS group_members (
  tenant_id  BIGINT UNSIGNED NOT NULL,
  group_key  VARCHAR(64) NOT NULL,
  slot       TINYINT UNSIGNED NOT NULL,
  users      BIGINT NOT NULL DEFAULT 0,
  devices    BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, group_key, slot)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Triggers, not application code, so that every writer keeps the counts:
-- the APIs, the admin tool, an import, a statement typed by hand.  Each
-- body is one statement (no DELIMITER needed, for the migration tool and
-- for an import by hand).  With binary logging on, creating a trigger needs
-- SUPER or log_bin_trust_function_creators = 1 (docs/operations.md).
DROP TRIGGER IF EXISTS tr_users_group_insert;
CREATE TRIGGER tr_users_group_insert AFTER INSERT ON users FOR EACH ROW
  INSERT INTO group_members (tenant_id, group_key, slot, users)
  SELECT NEW.tenant_id, NEW.user_group, NEW.id % 16, 1 FROM DUAL
  WHERE NEW.user_group IS NOT NULL
  ON DUPLICATE KEY UPDATE group_members.users = group_members.users + 1;

DROP TRIGGER IF EXISTS tr_users_group_delete;
CREATE TRIGGER tr_users_group_delete AFTER DELETE ON users FOR EACH ROW
  UPDATE group_members SET users = users - 1
  WHERE tenant_id = OLD.tenant_id AND group_key = OLD.user_group AND slot = OLD.id % 16;

DROP TRIGGER IF EXISTS tr_users_group_leave;
CREATE TRIGGER tr_users_group_leave AFTER UPDATE ON users FOR EACH ROW
  UPDATE group_members SET users = users - 1
  WHERE tenant_id = OLD.tenant_id AND group_key = OLD.user_group AND slot = OLD.id % 16
    AND NOT (OLD.user_group <=> NEW.user_group);

DROP TRIGGER IF EXISTS tr_users_group_join;
CREATE TRIGGER tr_users_group_join AFTER UPDATE ON users FOR EACH ROW
  FOLLOWS tr_users_group_leave
  INSERT INTO group_members (tenant_id, group_key, slot, users)
  SELECT NEW.tenant_id, NEW.user_group, NEW.id % 16, 1 FROM DUAL
  WHERE NEW.user_group IS NOT NULL AND NOT (OLD.user_group <=> NEW.user_group)
  ON DUPLICATE KEY UPDATE group_members.users = group_members.users + 1;

DROP TRIGGER IF EXISTS tr_devices_group_insert;
CREATE TRIGGER tr_devices_group_insert AFTER INSERT ON devices FOR EACH ROW
  INSERT INTO group_members (tenant_id, group_key, slot, devices)
  SELECT NEW.tenant_id, NEW.device_group, NEW.id % 16, 1 FROM DUAL
  WHERE NEW.device_group IS NOT NULL
  ON DUPLICATE KEY UPDATE group_members.devices = group_members.devices + 1;

DROP TRIGGER IF EXISTS tr_devices_group_delete;
CREATE TRIGGER tr_devices_group_delete AFTER DELETE ON devices FOR EACH ROW
  UPDATE group_members SET devices = devices - 1
  WHERE tenant_id = OLD.tenant_id AND group_key = OLD.device_group AND slot = OLD.id % 16;

DROP TRIGGER IF EXISTS tr_devices_group_leave;
CREATE TRIGGER tr_devices_group_leave AFTER UPDATE ON devices FOR EACH ROW
  UPDATE group_members SET devices = devices - 1
  WHERE tenant_id = OLD.tenant_id AND group_key = OLD.device_group AND slot = OLD.id % 16
    AND NOT (OLD.device_group <=> NEW.device_group);

DROP TRIGGER IF EXISTS tr_devices_group_join;
CREATE TRIGGER tr_devices_group_join AFTER UPDATE ON devices FOR EACH ROW
  FOLLOWS tr_devices_group_leave
  INSERT INTO group_members (tenant_id, group_key, slot, devices)
  SELECT NEW.tenant_id, NEW.device_group, NEW.id % 16, 1 FROM DUAL
  WHERE NEW.device_group IS NOT NULL AND NOT (OLD.device_group <=> NEW.device_group)
  ON DUPLICATE KEY UPDATE group_members.devices = group_members.devices + 1;

-- The counts of the rows that exist (run with the programs stopped, like
-- every migration): from here on the triggers keep them.
INSERT INTO group_members (tenant_id, group_key, slot, users)
  SELECT tenant_id, user_group, id % 16, COUNT(*) FROM users
  WHERE user_group IS NOT NULL GROUP BY tenant_id, user_group, id % 16
  ON DUPLICATE KEY UPDATE users = VALUES(users);
INSERT INTO group_members (tenant_id, group_key, slot, devices)
  SELECT tenant_id, device_group, id % 16, COUNT(*) FROM devices
  WHERE device_group IS NOT NULL GROUP BY tenant_id, device_group, id % 16
  ON DUPLICATE KEY UPDATE devices = VALUES(devices);

CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (8, '008_list_scale.sql');
