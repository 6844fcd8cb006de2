-- SPDX-License-Identifier: ISC
-- 005: the Groups API (DESIGN 1.4).  A group is named by its id (group_key,
-- e.g. "administrators"); a user's `group` (users.user_group) names one group
-- of the user's tenant, or is NULL.  How many users a group has is counted
-- when it is read (ix_users_group), never stored, so it is always right.
CREATE TABLE IF NOT EXISTS user_groups (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id    BIGINT UNSIGNED NOT NULL,
  group_key    VARCHAR(64) NOT NULL,   -- the public id
  name         VARCHAR(100) NOT NULL,
  description  VARCHAR(1000) NULL,
  privileges   TEXT NULL,              -- JSON array of strings
  tags         TEXT NULL,              -- JSON object of string -> string
  disabled     TINYINT(1) NOT NULL DEFAULT 0,
  version      BIGINT UNSIGNED NOT NULL DEFAULT 1,
  created_at   DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  modified_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_groups_key (tenant_id, group_key),
  KEY ix_groups_name (tenant_id, name),
  CONSTRAINT fk_groups_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Existing free-text values become groups, so no user is left naming a
-- group that does not exist.  An empty value named nothing: it becomes NULL.
-- A value kept this way may not follow the id rule new groups follow
-- ([a-z0-9][a-z0-9_.-]{0,63}); it stays the group's id, and its name.
UPDATE users SET user_group = NULL WHERE user_group = '';
INSERT IGNORE INTO user_groups (tenant_id, group_key, name, privileges, tags)
  SELECT DISTINCT tenant_id, user_group, user_group, '[]', '{}'
  FROM users WHERE user_group IS NOT NULL;

-- Audit rows name what they changed: a user (user_id, as before) or a row
-- of another family (resource and its public id in resource_key).
ALTER TABLE audit_log
  ADD COLUMN resource     VARCHAR(16) NOT NULL DEFAULT 'user' AFTER user_id,
  ADD COLUMN resource_key VARCHAR(64) NULL AFTER resource;

-- Recorded by the file itself, so that importing it by hand (phpMyAdmin)
-- counts as applied for a later `userpatch-admin migrate`.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (5, '005_groups.sql');
