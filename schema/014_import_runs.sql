-- SPDX-License-Identifier: ISC
-- 014: import runs (DESIGN 1.7): where `userpatch-admin import --resume`
-- continues.
--
-- The shell's import names its run (16 random bytes, hex) in FILE.progress
-- before it sends a row, and creates the run's row here with rows_done 0.
-- Each chunk of the import handler then sets rows_done, in the chunk's own
-- transaction, to the number of rows of the file done once the chunk
-- commits: the rows and the count commit together or not at all, so
-- --resume (which reads rows_done) never sends a committed row again.  The
-- row goes when the import ends; a dry run writes none.
CREATE TABLE IF NOT EXISTS import_runs (
  tenant_id   BIGINT UNSIGNED NOT NULL,
  run_id      CHAR(32) NOT NULL,                   -- 32 lower-case hex digits
  rows_done   BIGINT UNSIGNED NOT NULL DEFAULT 0,  -- the file's first rows_done rows are done
  created_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (tenant_id, run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (14, '014_import_runs.sql');
