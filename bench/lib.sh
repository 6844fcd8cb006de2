# SPDX-License-Identifier: ISC
# shellcheck shell=bash disable=SC2154 # top and build are the caller's
# bench/lib.sh: what the benchmark scripts share; sourced by them after
# setting top (the source tree) and build (a build directory).  Every
# function takes the script's name first, for its messages.

# bench_need NAME TOOL... -- PROG...: exit 1 unless every TOOL is on PATH
# and every PROG (relative to $build) is built.
bench_need() {
	local name=$1 tool prog
	shift
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		tool=$1
		shift
		command -v "$tool" >/dev/null || {
			echo "$name: $tool is not installed (scripts/deps installs it)" >&2
			exit 1
		}
	done
	[ "$#" -gt 0 ] && shift
	for prog in "$@"; do
		[ -x "$build/$prog" ] || {
			echo "$name: $build/$prog is not built (make)" >&2
			exit 1
		}
	done
}

# bench_stack NAME: a work directory ($work, removed with the stack on
# exit) and a private MariaDB (scripts/lib/stack.sh) with the schema;
# exports USERPATCH_CONFIG, sets admin (userpatch-admin) and defines sql
# (one statement as root, tab-separated, no header).  Environment for
# lighttpd (STACK_*) must be exported before.
bench_stack() {
	# shellcheck source=scripts/lib/stack.sh
	. "$top/scripts/lib/stack.sh"
	work=$(mktemp -d "${TMPDIR:-/tmp}/userpatch-$1.XXXXXX")
	trap bench_cleanup EXIT
	export STACK_LOG_LEVEL=warn
	stack_mariadb_start "$work/db" >/dev/null
	stack_write_config "$work/db" "$work/userpatch.conf"
	export USERPATCH_CONFIG=$work/userpatch.conf
	admin=$build/src/tools/userpatch-admin
	"$admin" migrate --schema-dir "$top/schema" >/dev/null 2>&1
}

bench_cleanup() {
	set +e
	stack_lighttpd_stop "$work/web"
	stack_mariadb_discard "$work/db"
	rm -rf "$work"
}

sql() { stack_mariadb_root "$work/db" -N -B userpatch -e "$1"; }

# bench_months_2025: monthly partitions of positions for every month from
# January 2025 to the first partition the schema made (from the month it
# was migrated in, the table then empty), split off that first partition as
# migration 012 makes them for an existing history.
bench_months_2025() {
	local first bound parts
	read -r first bound < <(sql "SELECT PARTITION_NAME, PARTITION_DESCRIPTION FROM information_schema.PARTITIONS
		WHERE TABLE_SCHEMA = 'userpatch' AND TABLE_NAME = 'positions' ORDER BY PARTITION_ORDINAL_POSITION LIMIT 1")
	parts=$(sql "WITH RECURSIVE m (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM m WHERE n < 200)
		SELECT GROUP_CONCAT(CONCAT('PARTITION p', DATE_FORMAT(DATE('2025-01-01') + INTERVAL n MONTH, '%Y%m'),
			' VALUES LESS THAN (''', DATE('2025-01-01') + INTERVAL n + 1 MONTH, ''')') ORDER BY n SEPARATOR ', ')
		FROM m WHERE DATE('2025-01-01') + INTERVAL n + 1 MONTH < $bound")
	sql "ALTER TABLE positions REORGANIZE PARTITION $first INTO ($parts, PARTITION $first VALUES LESS THAN ($bound))"
}
