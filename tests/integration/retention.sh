#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Retention at scale (migration 012 and the prunes), in a database of its own
# on the harness's server:
# - migration 012 on a database that already has positions, alerts and audit
#   rows (made by 001-006): every row kept, one partition per month from the
#   oldest to three months ahead plus pmax, no foreign key left, the alerts'
#   primary key holds alert_time, and every query of the positions and alerts
#   still reads an index (EXPLAIN);
# - `positions prune` drops the months wholly before the cut (a device whose
#   newest position lies in one keeps it: lastLocation stays), deletes row by
#   row only in the month the cut falls in, merges the kept rows of several
#   months into one partition, and loses nothing that arrives meanwhile;
# - --tenant drops no partition; `partitions --ahead N` adds months; alerts
#   prune drops months too; `audit prune` deletes by age and tenant;
# - bad durations and arguments are refused with nothing deleted.
set -euo pipefail
: "${UP_TEST_DB_DIR:?run this test through tests/harness/run-test}"
: "${UP_TEST_ADMIN:?run this test through tests/harness/run-test}"
: "${USERPATCH_CONFIG:?run this test through tests/harness/run-test}"
: "${top_srcdir:?run this test through tests/harness/run-test}"
db=ret012_$$
it_db=$db
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root() { mariadb --no-defaults -S "$UP_TEST_DB_DIR/mysqld.sock" -u root -e "$1"; }
conf=$(mktemp)
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	root "DROP DATABASE IF EXISTS $db" || true
	rm -f "$conf"
}
trap cleanup EXIT
root "CREATE DATABASE $db"
root "GRANT ALL ON $db.* TO 'userpatch'@'localhost'"
sed "s/^db_name = .*/db_name = $db/" "$USERPATCH_CONFIG" >"$conf"
admin() { "$UP_TEST_ADMIN" --config "$conf" "$@"; }

for f in 001_base 002_users 003_usage_slots 004_identifiers 005_groups 006_devices; do
	sql "source $top_srcdir/schema/$f.sql"
done

# Tenants a and b. d1 (a): a fix a day from 2025-01-01 to 2025-04-30 and a
# fix a day over the last ten days; d2 (a): two fixes, newest 2025-02-10;
# d3 (b): a fix a day from 2025-01-01 to 2025-04-30; d4 (a): none yet.
sql "INSERT INTO tenants (id, name) VALUES (1, 'a'), (2, 'b');
	INSERT INTO devices (id, tenant_id) VALUES (1, 1), (2, 1), (3, 2), (4, 1);
	INSERT INTO positions (device_id, fix_time, latitude, longitude, speed, attributes)
		SELECT d.id, TIMESTAMP('2025-01-01 12:00:00') + INTERVAL s.seq DAY, s.seq / 10, -s.seq / 10,
			s.seq, CONCAT('{\"n\":', s.seq, '}')
		FROM seq_0_to_119 s JOIN devices d ON d.id IN (1, 3);
	INSERT INTO positions (device_id, fix_time, latitude, longitude)
		SELECT 1, DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d 00:00:00') - INTERVAL s.seq DAY, 5, 5
		FROM seq_1_to_10 s;
	INSERT INTO positions (device_id, fix_time, latitude, longitude) VALUES
		(2, '2025-01-10 00:00:00', 1, 1), (2, '2025-02-10 00:00:00', 2, 2);
	UPDATE devices d SET last_fix_time = (SELECT MAX(fix_time) FROM positions p WHERE p.device_id = d.id);
	INSERT INTO alerts (device_id, type, alert_time, message)
		SELECT 1, 'sos', TIMESTAMP('2025-01-01 08:00:00') + INTERVAL s.seq DAY, CONCAT('m', s.seq)
		FROM seq_0_to_119 s;
	INSERT INTO alerts (device_id, type, alert_time) VALUES (3, 'powerCut', UTC_TIMESTAMP());
	INSERT INTO audit_log (tenant_id, request_id, action, changed_fields, created_at)
		SELECT IF(s.seq < 5, 1, 2), 'r', 'update', '[]', TIMESTAMP('2025-01-02') + INTERVAL s.seq HOUR
		FROM seq_0_to_7 s;
	INSERT INTO audit_log (tenant_id, request_id, action, changed_fields)
		VALUES (1, 'r', 'update', '[]'), (1, 'r', 'update', '[]')"

pos_sum="SELECT CONCAT(COUNT(*), ':', SUM(CRC32(CONCAT_WS(',', device_id, fix_time, latitude, longitude, speed, attributes, received_at)))) FROM positions"
alert_sum="SELECT CONCAT(COUNT(*), ':', SUM(CRC32(CONCAT_WS(',', id, device_id, type, alert_time, message, received_at)))) FROM alerts"
pos_before=$(sql "$pos_sum")
alerts_before=$(sql "$alert_sum")

sql "source $top_srcdir/schema/012_retention.sql"

# --- the migration
expect "every position kept" "$pos_before" "$(sql "$pos_sum")"
expect "every alert kept" "$alerts_before" "$(sql "$alert_sum")"
months=$(sql "SELECT TIMESTAMPDIFF(MONTH, '2025-01-01', DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-01')) + 4")
parts() { # TABLE: its partitions in order
	sql "SELECT GROUP_CONCAT(PARTITION_NAME ORDER BY PARTITION_ORDINAL_POSITION SEPARATOR ' ')
		FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = '$db' AND TABLE_NAME = '$1'"
}
nparts() { # TABLE
	sql "SELECT COUNT(*) FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = '$db' AND TABLE_NAME = '$1'"
}
expect "positions: a partition per month from January 2025 to three months ahead, and pmax" \
	"$((months + 1))" "$(nparts positions)"
expect "positions start with p202501 and end with pmax" "p202501 p202502 pmax" \
	"$(parts positions | awk '{print $1, $2, $NF}')"
expect "alerts: the same months" "$((months + 1))" "$(nparts alerts)"
expect "January 2025 holds its 63 positions" "63" "$(sql "SELECT COUNT(*) FROM positions PARTITION (p202501)")"
expect "no foreign key on positions or alerts" "0" \
	"$(sql "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '$db' AND TABLE_NAME IN ('positions', 'alerts')")"
expect "the alerts' primary key holds alert_time" "id,alert_time" \
	"$(sql "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '$db' AND TABLE_NAME = 'alerts' AND INDEX_NAME = 'PRIMARY'")"
expect "the file records itself" "012_retention.sql" "$(sql "SELECT name FROM schema_migrations WHERE version = 12")"

# Every query shape of position_store.c and the prunes reads an index:
# "CASE<TAB>EXPLAIN target" rows, checked for the table's row of the plan.
explain() { # TABLE STATEMENT: "type key partitions" of TABLE's row of the plan
	sql "EXPLAIN PARTITIONS $2" | awk -F'\t' -v t="$1" '$3 == t {print $5, $7, $4; exit}'
}
expect "a duplicate (device, time) is one primary-key read in one month" "const PRIMARY p202502" \
	"$(explain positions "SELECT * FROM positions WHERE device_id = 2 AND fix_time = '2025-02-10 00:00:00'")"
expect "lastLocation: the newest fix by primary key" "PRIMARY" \
	"$(explain p "SELECT p.fix_time FROM devices d LEFT JOIN positions p ON p.device_id = d.id AND p.fix_time = d.last_fix_time WHERE d.tenant_id = 1 AND d.id = 1" | cut -d' ' -f2)"
expect "route history from/to: a primary-key range in the months asked" "range PRIMARY p202503,p202504" \
	"$(explain positions "SELECT fix_time FROM positions WHERE device_id = 1 AND fix_time >= '2025-03-05' AND fix_time < '2025-04-02' ORDER BY fix_time LIMIT 1000")"
expect "the alerts of a device, newest first, by ix_alerts_device_time" "ref ix_alerts_device_time" \
	"$(explain alerts "SELECT id FROM alerts WHERE device_id = 1 ORDER BY alert_time DESC, id DESC LIMIT 50" | cut -d' ' -f1-2)"
expect "a resent alert found by ix_alerts_device_time" "ref ix_alerts_device_time" \
	"$(explain alerts "SELECT id FROM alerts WHERE device_id = 1 AND alert_time = '2025-01-02 08:00:00' AND type = 'sos' ORDER BY id LIMIT 1" | cut -d' ' -f1-2)"
expect "the row-wise prune of a device: a primary-key range" "range PRIMARY" \
	"$(explain positions "DELETE FROM positions WHERE device_id = 1 AND fix_time < '2025-03-15' ORDER BY fix_time LIMIT 2000" | cut -d' ' -f1-2)"

# --- refused arguments: exit 2, nothing deleted
while IFS='|' read -r desc args; do
	rc=0
	# shellcheck disable=SC2086 # word splitting of the argument list is wanted
	admin $args >/dev/null 2>&1 || rc=$?
	expect "$desc exits 2" 2 "$rc"
done <<'EOF'
no cut|positions prune
a duration without a unit|positions prune --older-than 30
a duration of zero|positions prune --older-than 0d
a duration with a leading zero|positions prune --older-than 030d
an unknown unit|positions prune --older-than 3m
a negative duration|positions prune --older-than -3d
over a hundred years|positions prune --older-than 40000d
both --before and --older-than|positions prune --before 2025-03-01T00:00:00Z --older-than 30d
--pause not a number|positions prune --older-than 30d --pause x
--pause past 1000|positions prune --older-than 30d --pause 1001
--pause without a value|positions prune --older-than 30d --pause
--ahead not a number|positions partitions --ahead x
--ahead past 120|positions partitions --ahead 121
a stray argument to partitions|positions partitions now
audit prune without a cut|audit prune
audit prune with a bad time|audit prune --before yesterday
audit prune with a bad duration|audit prune --older-than 1y
an unknown audit subcommand|audit trim --older-than 30d
EOF
expect "nothing deleted by refused commands" "$pos_before" "$(sql "$pos_sum")"
expect "no audit row deleted by refused commands" "10" "$(sql "SELECT COUNT(*) FROM audit_log")"

newest_kept="SELECT COUNT(*) FROM devices d JOIN positions p ON p.device_id = d.id AND p.fix_time = d.last_fix_time"
count_from() { sql "SELECT COUNT(*) FROM positions WHERE fix_time >= '$1'"; }

# --- a prune of every tenant: January and February go as partitions; d2's
# newest (February 10) stays; March 1..14 go row by row.
after_cut=$(count_from '2025-03-15')
out=$(admin positions prune --pause 50 --before 2025-03-15T00:00:00Z)
expect "prune reports the partitions dropped" "dropped 2 positions partitions" \
	"$(echo "$out" | head -1 | cut -d' ' -f1-4)"
expect "then the rows of the month the cut falls in" "pruned 28 positions of 2 devices" "$(echo "$out" | tail -1)"
expect "January is gone, February holds only d2's newest" "p202502 p202503" "$(parts positions | cut -d' ' -f1-2)"
expect "d2 keeps its newest position (February 10)" "2025-02-10 00:00:00.000000" \
	"$(sql "SELECT GROUP_CONCAT(fix_time) FROM positions WHERE device_id = 2")"
expect "every device with a fix still finds its newest" "3" "$(sql "$newest_kept")"
expect "nothing at or after the cut was touched" "$after_cut" "$(count_from '2025-03-15')"
expect "d1 and d3 start on March 15" "2025-03-15 12:00:00.000000 2025-03-15 12:00:00.000000" \
	"$(sql "SELECT GROUP_CONCAT(m ORDER BY device_id SEPARATOR ' ') FROM (SELECT device_id, MIN(fix_time) m FROM positions WHERE device_id IN (1, 3) GROUP BY device_id) x")"

# --- positions arriving during a prune are kept (they are newer than the cut)
for ((i = 0; i < 1000; i++)); do
	echo "INSERT INTO positions (device_id, fix_time, latitude, longitude) VALUES (4, TIMESTAMP('2025-12-01') + INTERVAL $i SECOND, 1, 1); DO SLEEP(0.002);"
done | mariadb --no-defaults -S "$UP_TEST_DB_DIR/mysqld.sock" -u root "$db" &
pids+=($!)
sleep 0.2
out=$(admin positions prune --before 2025-04-15T00:00:00Z)
wait "${pids[0]}"
pids=()
expect "the prune during inserts dropped March" "dropped 2 positions partitions" "$(echo "$out" | head -1 | cut -d' ' -f1-4)"
expect "every position inserted during the prune is there" "1000" "$(sql "SELECT COUNT(*) FROM positions WHERE device_id = 4")"
expect "March is gone" "p202502 p202504" "$(parts positions | cut -d' ' -f1-2)"
expect "April 1..14 went row by row" "pruned 28 positions of 2 devices" "$(echo "$out" | tail -1)"

# --- d3's newest (April 30) is kept too: the kept rows of February and April share one partition
out=$(admin positions prune --before 2025-05-02T00:00:00Z)
expect "the kept months are merged" "p202504 p202505" "$(parts positions | cut -d' ' -f1-2)"
expect "the kept partition holds d2's and d3's newest" "2" "$(sql "SELECT COUNT(*) FROM positions PARTITION (p202504)")"
expect "every device with a fix still finds its newest" "3" "$(sql "$newest_kept")"
expect "d3 keeps only its newest" "2025-04-30 12:00:00.000000" "$(sql "SELECT GROUP_CONCAT(fix_time) FROM positions WHERE device_id = 3")"

# --- one tenant: no partition is dropped, its rows go row by row
n_before=$(nparts positions)
sql "INSERT INTO positions (device_id, fix_time, latitude, longitude) VALUES (3, '2025-06-03', 1, 1), (3, '2025-06-04', 1, 1);
	UPDATE devices SET last_fix_time = '2025-06-04' WHERE id = 3"
d1_before=$(sql "SELECT COUNT(*) FROM positions WHERE device_id = 1")
out=$(admin positions prune --before 2025-07-01T00:00:00Z --tenant b)
expect "a tenant's prune deletes its rows only" "pruned 2 positions of 1 devices" "$out"
expect "a tenant's prune drops no partition" "$n_before" "$(nparts positions)"
expect "d3 keeps its newest" "2025-06-04 00:00:00.000000" "$(sql "SELECT GROUP_CONCAT(fix_time) FROM positions WHERE device_id = 3")"
expect "tenant a untouched" "$d1_before" "$(sql "SELECT COUNT(*) FROM positions WHERE device_id = 1")"

# --- one prune of a table at a time: another holding the table's lock makes it stop, touching nothing
sql "DO GET_LOCK(CONCAT('userpatch_prune_positions_', MD5(DATABASE())), 0); DO SLEEP(3)" &
pids+=($!)
sleep 1
n_rows=$(sql "SELECT COUNT(*) FROM positions")
rc=0
admin positions prune --before 2025-07-01T00:00:00Z >/dev/null 2>"$conf.err" || rc=$?
wait "${pids[0]}"
pids=()
expect "a prune while another runs exits 1" "1" "$rc"
expect "and says why" "userpatch-admin: another prune or partition change of positions is running" "$(cat "$conf.err")"
expect "and deletes nothing" "$n_rows" "$(sql "SELECT COUNT(*) FROM positions")"
rm -f "$conf.err"

# --- a duration: ten years ago is before every fix
expect "--older-than 3650d prunes nothing" "pruned 0 positions of 0 devices" "$(admin positions prune --older-than 3650d)"

# --- months ahead, and pmax takes the rest
out=$(admin positions partitions --ahead 6)
expect "three more months ahead" "created 3 positions partitions ahead" "$out"
expect "pmax stays last" "pmax" "$(parts positions | awk '{print $NF}')"
expect "a second run adds nothing" "" "$(admin positions partitions --ahead 6)"
sql "INSERT INTO positions (device_id, fix_time, latitude, longitude) VALUES (4, '2099-01-01', 1, 1)"
expect "a fix far ahead lands in pmax" "1" "$(sql "SELECT COUNT(*) FROM positions PARTITION (pmax)")"

# --- alerts: whole months, nothing kept
out=$(admin alerts prune --before 2025-03-01T00:00:00Z)
expect "alerts prune drops January and February" "dropped 2 alerts partitions" "$(echo "$out" | head -1 | cut -d' ' -f1-4)"
expect "alerts prune has no row left to delete" "pruned 0 alerts of 0 devices" "$(echo "$out" | tail -1)"
expect "alerts from March on are all there" "61" "$(sql "SELECT COUNT(*) FROM alerts WHERE device_id = 1")"
expect "the recent alert is there" "1" "$(sql "SELECT COUNT(*) FROM alerts WHERE device_id = 3")"

# --- audit rows: by tenant, then by age
expect "audit prune of tenant b" "pruned 3 audit rows" "$(admin audit prune --before 2025-06-01T00:00:00Z --tenant b)"
expect "tenant a's old rows stay" "7" "$(sql "SELECT COUNT(*) FROM audit_log")"
rc=0
admin audit prune --older-than 30d --tenant nobody >/dev/null 2>&1 || rc=$?
expect "an unknown tenant exits 1" "1" "$rc"
expect "audit prune by age" "pruned 5 audit rows" "$(admin audit prune --older-than 30d)"
expect "the recent audit rows stay" "2" "$(sql "SELECT COUNT(*) FROM audit_log")"
sql "INSERT INTO audit_log (tenant_id, request_id, action, changed_fields)
	SELECT 1 + s.seq % 2, 'r', 'update', '[]' FROM seq_1_to_5000 s;
	INSERT INTO audit_log (tenant_id, request_id, action, changed_fields, created_at)
		VALUES (1, 'r', 'update', '[]', '2025-01-01'); ANALYZE TABLE audit_log" >/dev/null
expect "the audit prune reads ix_audit_created" "range ix_audit_created" \
	"$(explain audit_log "DELETE FROM audit_log WHERE created_at < '2025-06-01' AND (NULL IS NULL OR tenant_id = NULL) ORDER BY created_at LIMIT 10000" | cut -d' ' -f1-2)"
expect "so does the audit prune of a tenant" "range ix_audit_created" \
	"$(explain audit_log "DELETE FROM audit_log WHERE created_at < '2025-06-01' AND (2 IS NULL OR tenant_id = 2) ORDER BY created_at LIMIT 10000" | cut -d' ' -f1-2)"

it_finish
