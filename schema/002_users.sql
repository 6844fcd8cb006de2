-- SPDX-License-Identifier: ISC
-- 002: the one user store shared by both APIs, devices, and the audit trail.
-- Public ids are derived: user "usr-<id>", device "dev-<id>".
CREATE TABLE IF NOT EXISTS devices (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id   BIGINT UNSIGNED NOT NULL,
  imei        VARCHAR(16) NULL,
  imsi        VARCHAR(15) NULL,
  iccid       VARCHAR(20) NULL,
  version     BIGINT UNSIGNED NOT NULL DEFAULT 1,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  modified_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_devices_imei (tenant_id, imei),
  UNIQUE KEY uq_devices_imsi (tenant_id, imsi),
  UNIQUE KEY uq_devices_iccid (tenant_id, iccid),
  CONSTRAINT fk_devices_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS users (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id         BIGINT UNSIGNED NOT NULL,
  -- Users API fields
  name              VARCHAR(100) NULL,
  email             VARCHAR(254) NULL,
  country           VARCHAR(100) NULL,
  time_zone         VARCHAR(64) NULL,
  description       VARCHAR(1000) NULL,
  message           VARCHAR(1000) NULL,
  disabled          TINYINT(1) NOT NULL DEFAULT 0,
  tags              TEXT NULL,            -- JSON object of string -> string
  privileges        TEXT NULL,            -- JSON array of strings
  user_group        VARCHAR(64) NULL,
  device_id         BIGINT UNSIGNED NULL,
  admin_devices     INT UNSIGNED NOT NULL DEFAULT 0,
  valid_from        DATETIME(6) NULL,
  expires           DATETIME(6) NULL,
  password_hash     VARCHAR(255) NULL,
  last_login        DATETIME(6) NULL,
  -- device-app fields
  username          VARCHAR(150) NULL,
  user_external_id  VARCHAR(128) NULL,
  generic_id        VARCHAR(255) NULL,
  phone_number      VARCHAR(16) NULL,
  user_class        VARCHAR(64) NULL,
  first_name        VARCHAR(100) NULL,
  last_name         VARCHAR(100) NULL,   -- profile.email is the user's email above
  preferences       TEXT NULL,            -- JSON object of scalars
  -- bookkeeping
  version           BIGINT UNSIGNED NOT NULL DEFAULT 1,
  created_at        DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  modified_at       DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY ix_users_tenant (tenant_id, id),
  UNIQUE KEY uq_users_email (tenant_id, email),
  UNIQUE KEY uq_users_username (tenant_id, username),
  UNIQUE KEY uq_users_external (tenant_id, user_external_id),
  UNIQUE KEY uq_users_generic (tenant_id, generic_id),
  UNIQUE KEY uq_users_number (tenant_id, phone_number),
  KEY ix_users_group (tenant_id, user_group),
  CONSTRAINT fk_users_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id),
  CONSTRAINT fk_users_device FOREIGN KEY (device_id) REFERENCES devices (id)
    ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS audit_log (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id       BIGINT UNSIGNED NOT NULL,
  token_id        BIGINT UNSIGNED NULL,
  user_id         BIGINT UNSIGNED NULL,
  request_id      VARCHAR(64) NOT NULL,
  action          VARCHAR(32) NOT NULL,
  changed_fields  TEXT NOT NULL,          -- JSON array of field names, never values
  created_at      DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  KEY ix_audit_tenant_user (tenant_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Recorded by the file itself, so that importing it by hand (phpMyAdmin)
-- counts as applied for a later `userpatch-admin migrate`.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (2, '002_users.sql');
