-- SPDX-License-Identifier: ISC
-- 004: email addresses are unique per tenant without regard to case.
--
-- Bob@example.com and bob@example.com name the same mailbox for every
-- provider people use, so the second is a conflict (409) and the `email`
-- list filter matches either spelling.  The address is stored as sent; the
-- unique key moves to a generated lower-case copy (email_key), so the email
-- column keeps the collation of every other column (mixing collations in one
-- expression is an error in MariaDB).  If two users of one tenant already
-- have addresses that differ only in case, this migration stops with a
-- duplicate-key error (1062) naming one of them: change one address, then run
-- `userpatch-admin migrate` again.
--
-- Identifiers and trailing spaces: utf8mb4_bin is a PAD SPACE collation, so
-- 'crm-1 ' = 'crm-1' in SQL.  The programs therefore refuse every identifier
-- that begins or ends with a space (422), and no other identifier rule allows
-- a space at all, so no stored identifier and no lookup value carries one.
-- The columns keep utf8mb4_bin rather than a NO PAD collation for the reason
-- above: tables created by later migrations compare their columns with these.
ALTER TABLE users
  ADD COLUMN email_key VARCHAR(254) AS (LOWER(email)) PERSISTENT,
  DROP KEY uq_users_email,
  ADD UNIQUE KEY uq_users_email (tenant_id, email_key);

-- Recorded by the file itself, so that importing it by hand (phpMyAdmin)
-- counts as applied for a later `userpatch-admin migrate`.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (4, '004_identifiers.sql');
