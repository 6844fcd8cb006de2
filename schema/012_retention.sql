-- SPDX-License-Identifier: ISC
-- 012: retention at scale.  positions and alerts are partitioned by month of
-- their time (RANGE COLUMNS), so `userpatch-admin positions prune` and
-- `alerts prune` drop a month as one partition instead of deleting its rows
-- one by one.
--
-- MariaDB refuses foreign keys on partitioned tables: fk_positions_device and
-- fk_alerts_device go, and the delete of a device removes its positions and
-- alerts itself, in the same transaction (device_store.c).  Every unique key
-- must hold the partitioning column: the positions' primary key (device_id,
-- fix_time) already does; the alerts' becomes (id, alert_time).
--
-- One partition per month from the oldest month present (at most 60 months
-- back; anything older shares the first partition) to three months ahead,
-- then pmax (MAXVALUE), so an insert never fails; a partition pYYYYMM holds
-- the month YYYY-MM.  `userpatch-admin positions partitions` keeps the
-- months ahead (prune does it too).  Existing rows are kept.
ALTER TABLE positions DROP FOREIGN KEY IF EXISTS fk_positions_device;
ALTER TABLE alerts DROP FOREIGN KEY IF EXISTS fk_alerts_device;

SET @up_now = UTC_TIMESTAMP();

SET @up_lo = CAST(DATE_FORMAT(GREATEST(LEAST(COALESCE((SELECT MIN(fix_time) FROM positions), @up_now), @up_now), @up_now - INTERVAL 60 MONTH), '%Y-%m-01') AS DATE);
SET @up_parts = (WITH RECURSIVE m (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM m WHERE n < 70) SELECT GROUP_CONCAT(CONCAT('PARTITION p', DATE_FORMAT(@up_lo + INTERVAL n MONTH, '%Y%m'), ' VALUES LESS THAN (''', DATE_FORMAT(@up_lo + INTERVAL n + 1 MONTH, '%Y-%m-%d'), ''')') ORDER BY n SEPARATOR ', ') FROM m WHERE @up_lo + INTERVAL n MONTH <= @up_now + INTERVAL 3 MONTH);
SET @up_sql = CONCAT('ALTER TABLE positions PARTITION BY RANGE COLUMNS (fix_time) (', @up_parts, ', PARTITION pmax VALUES LESS THAN (MAXVALUE))');
PREPARE up_stmt FROM @up_sql;
EXECUTE up_stmt;
DEALLOCATE PREPARE up_stmt;

SET @up_lo = CAST(DATE_FORMAT(GREATEST(LEAST(COALESCE((SELECT MIN(alert_time) FROM alerts), @up_now), @up_now), @up_now - INTERVAL 60 MONTH), '%Y-%m-01') AS DATE);
SET @up_parts = (WITH RECURSIVE m (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM m WHERE n < 70) SELECT GROUP_CONCAT(CONCAT('PARTITION p', DATE_FORMAT(@up_lo + INTERVAL n MONTH, '%Y%m'), ' VALUES LESS THAN (''', DATE_FORMAT(@up_lo + INTERVAL n + 1 MONTH, '%Y-%m-%d'), ''')') ORDER BY n SEPARATOR ', ') FROM m WHERE @up_lo + INTERVAL n MONTH <= @up_now + INTERVAL 3 MONTH);
SET @up_sql = CONCAT('ALTER TABLE alerts DROP PRIMARY KEY, ADD PRIMARY KEY (id, alert_time) PARTITION BY RANGE COLUMNS (alert_time) (', @up_parts, ', PARTITION pmax VALUES LESS THAN (MAXVALUE))');
PREPARE up_stmt FROM @up_sql;
EXECUTE up_stmt;
DEALLOCATE PREPARE up_stmt;

-- Audit rows are pruned by created_at (`userpatch-admin audit prune`), in
-- chunks in id order; this index finds the oldest without a scan.
ALTER TABLE audit_log ADD KEY IF NOT EXISTS ix_audit_created (created_at);

-- Recorded by the file itself, so that importing it by hand (phpMyAdmin)
-- counts as applied for a later `userpatch-admin migrate`.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INT UNSIGNED NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  applied_at  DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT IGNORE INTO schema_migrations (version, name) VALUES (12, '012_retention.sql');
