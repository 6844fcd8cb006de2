-- SPDX-License-Identifier: ISC
-- 001: tenants, tokens and per-day usage.
CREATE TABLE IF NOT EXISTS tenants (
  id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name        VARCHAR(64) NOT NULL,
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  UNIQUE KEY uq_tenants_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS api_tokens (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  tenant_id     BIGINT UNSIGNED NOT NULL,
  token_digest  BINARY(32) NOT NULL,
  label         VARCHAR(128) NOT NULL DEFAULT '',
  scopes        VARCHAR(255) NOT NULL,
  daily_limit   INT UNSIGNED NULL,
  usage_total   BIGINT UNSIGNED NOT NULL DEFAULT 0,
  created_at    DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  revoked_at    DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_api_tokens_digest (token_digest),
  KEY ix_api_tokens_tenant (tenant_id),
  CONSTRAINT fk_api_tokens_tenant FOREIGN KEY (tenant_id) REFERENCES tenants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS api_usage (
  token_id  BIGINT UNSIGNED NOT NULL,
  day       DATE NOT NULL,
  count     BIGINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (token_id, day),
  CONSTRAINT fk_api_usage_token FOREIGN KEY (token_id) REFERENCES api_tokens (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Recorded by the file itself, so that importing it by hand (phpMyAdmin)
-- counts as applied for a later `userpatch-admin migrate`.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (1, '001_base.sql');
