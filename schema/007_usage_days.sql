-- 007: daily totals of past days.  `userpatch-admin usage fold` moves the
-- slot rows of days before yesterday (UTC) out of api_usage_slot: each
-- token's sum per day into api_usage_day, and the same counts into
-- api_tokens.usage_total, in one transaction per token.  A token's lifetime
-- usage stays usage_total plus the sum of its slot rows, and the rows a
-- request reads with its token (all of the token's slot rows) stay those of
-- the last few days however long the token has been in use.
CREATE TABLE IF NOT EXISTS api_usage_day (
  token_id  BIGINT UNSIGNED NOT NULL,
  day       DATE NOT NULL,
  count     BIGINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (token_id, day),
  CONSTRAINT fk_api_usage_day_token FOREIGN KEY (token_id) REFERENCES api_tokens (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (7, '007_usage_days.sql');
