-- SPDX-License-Identifier: ISC
-- 003: request counts without a hot row.  Each worker process counts in
-- memory and adds its counts to its own row (token, UTC day, slot), where
-- slot is derived from the process id (0..1023): requests of one token in
-- different workers never wait on one row.  A token's daily usage is the sum
-- of its rows of that day; its lifetime usage is api_tokens.usage_total (what
-- was counted before this migration and not kept per day) plus the sum of all
-- its rows.  Requests no longer write api_usage: `userpatch-admin usage fold`
-- fills it with the totals of past days (see src/lib/usage_fold.h).
CREATE TABLE IF NOT EXISTS api_usage_slot (
  token_id  BIGINT UNSIGNED NOT NULL,
  day       DATE NOT NULL,
  slot      SMALLINT UNSIGNED NOT NULL,
  count     BIGINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (token_id, day, slot),
  CONSTRAINT fk_api_usage_slot_token FOREIGN KEY (token_id) REFERENCES api_tokens (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The per-day counts so far move to slot 0; usage_total keeps only the rest.
INSERT INTO api_usage_slot (token_id, day, slot, count)
  SELECT token_id, day, 0, count FROM api_usage
  ON DUPLICATE KEY UPDATE count = api_usage_slot.count + VALUES(count);

UPDATE api_tokens t
  JOIN (SELECT token_id, SUM(count) AS n FROM api_usage GROUP BY token_id) u
    ON u.token_id = t.id
  SET t.usage_total = IF(t.usage_total > u.n, t.usage_total - u.n, 0);

DELETE FROM api_usage;

CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (3, '003_usage_slots.sql');
