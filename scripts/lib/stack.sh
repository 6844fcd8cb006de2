# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Shared pieces of the userpatch dev stack: a private MariaDB, the userpatch
# config file and lighttpd in front of the FastCGI programs. Sourced by
# scripts/serve and by the test harness (tests/harness/run-test, .../db).
#
# Every function returns non-zero on failure and says why on stderr. Nothing
# here calls exit, so callers keep control of cleanup.

# mariadbd, mariadb-install-db and lighttpd live in /usr/sbin on Debian.
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/sbin:/sbin ;;
esac

STACK_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The servers run in their own session (setsid), so that a Ctrl-C meant for
# the calling script does not reach them: the caller stops them in order.

# Extra mariadbd options (array-like string, word-split) for callers that want
# speed over durability, e.g. the test harness.
: "${STACK_MARIADB_EXTRA:=}"

stack_log() {
	printf '%s\n' "$*" >&2
}

# True if PID names a live (non-zombie) process.
stack__alive() {
	local pid=$1 stat
	[ -n "$pid" ] || return 1
	[ -r "/proc/$pid/stat" ] || return 1
	read -r stat 2>/dev/null <"/proc/$pid/stat" || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# stack_wait_gone PID SECONDS WHAT: wait up to SECONDS for PID to exit, then
# SIGKILL it (saying so, as WHAT).
stack_wait_gone() {
	local pid=$1 i
	for ((i = 0; i < $2 * 10; i++)); do
		stack__alive "$pid" || return 0
		sleep 0.1
	done
	stack_log "$3: $pid did not stop in $2 s, killing it"
	kill -9 "$pid" 2>/dev/null || true
	sleep 0.2
}

stack__abspath() {
	local d=$1
	mkdir -p "$d" && (cd "$d" && pwd)
}

# Print a TCP port on 127.0.0.1 that nothing listens on, below the kernel's
# ephemeral range. Another process may still take it before the caller binds
# it: callers retry with a new port when binding fails.
stack_free_port() {
	local port try
	for ((try = 0; try < 100; try++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	stack_log "no free port found"
	return 1
}

# mariadb client as the socket-authenticated root of the instance in DIR.
stack_mariadb_root() {
	local dir=$1
	shift
	mariadb --no-defaults -S "$dir/mysqld.sock" -u root "$@"
}

stack__mariadb_ping() {
	mariadb-admin --no-defaults -S "$1/mysqld.sock" -u root \
		--connect-timeout=2 ping >/dev/null 2>&1
}

# stack_mariadb_start DIR [PORT]
# Start (creating on first use) a private MariaDB whose data, socket, pid file
# and logs live in DIR. Without PORT it does not listen on TCP; with PORT it
# listens on 127.0.0.1:PORT too. Creates database `userpatch` and user
# `userpatch`@`localhost` with a random password kept in DIR/db.password.
stack_mariadb_start() {
	local dir port me pid i
	dir=$(stack__abspath "$1") || return 1
	port=${2:-}
	me=$(id -un)

	if [ -f "$dir/mysqld.pid" ] && stack__alive "$(cat "$dir/mysqld.pid")" &&
		stack__mariadb_ping "$dir"; then
		stack_log "mariadb: already running in $dir"
	else
		if [ ! -d "$dir/data/mysql" ]; then
			# Under heavy parallel load the bootstrap has been seen to fail
			# once; a second try on a clean data dir decides.
			local try ok=no
			for try in 1 2; do
				rm -rf "$dir/data"
				if mariadb-install-db --no-defaults --datadir="$dir/data" \
					--user="$me" --auth-root-authentication-method=socket \
					--auth-root-socket-user="$me" --skip-test-db \
					--skip-name-resolve --innodb-log-file-size=16M \
					--innodb-buffer-pool-size=32M >"$dir/install-db.log" 2>&1; then
					ok=yes
					break
				fi
				stack_log "mariadb: mariadb-install-db failed in $dir (try $try)"
				tail -n 30 "$dir/install-db.log" >&2
			done
			[ "$ok" = yes ] || return 1
		fi
		local net=(--skip-networking)
		if [ -n "$port" ]; then
			net=(--bind-address=127.0.0.1 --port="$port")
		fi
		rm -f "$dir/mysqld.pid" "$dir/mysqld.sock"
		# Its own tmpdir: temporary tables never depend on what else runs in /tmp.
		mkdir -p "$dir/tmp"
		# shellcheck disable=SC2086 # STACK_MARIADB_EXTRA is a word list
		(
			exec setsid mariadbd --no-defaults --user="$me" \
				--datadir="$dir/data" --socket="$dir/mysqld.sock" \
				--pid-file="$dir/mysqld.pid" --log-error="$dir/mariadb.err" \
				--tmpdir="$dir/tmp" "${net[@]}" --skip-name-resolve \
				--character-set-server=utf8mb4 \
				--collation-server=utf8mb4_unicode_ci \
				--innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
				--performance-schema=OFF --max-connections=200 \
				$STACK_MARIADB_EXTRA \
				</dev/null >>"$dir/mariadbd.out" 2>&1
		) &
		pid=$!
		disown "$pid" 2>/dev/null || true
		echo "$pid" >"$dir/mysqld.launch.pid"
		for ((i = 0; i < 300; i++)); do
			if stack__mariadb_ping "$dir"; then
				break
			fi
			if ! stack__alive "$pid"; then
				i=300
				break
			fi
			sleep 0.1
		done
		if ((i >= 300)); then
			stack_log "mariadb: did not come up in $dir; error log tail:"
			tail -n 30 "$dir/mariadb.err" "$dir/mariadbd.out" >&2 2>/dev/null || true
			stack__alive "$pid" && kill -9 "$pid" 2>/dev/null
			return 1
		fi
	fi
	if [ -n "$port" ]; then
		echo "$port" >"$dir/port"
	else
		rm -f "$dir/port"
	fi

	if [ ! -s "$dir/db.password" ]; then
		(
			umask 077
			od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$dir/db.password"
		)
	fi
	chmod 0600 "$dir/db.password"
	local pw
	pw=$(cat "$dir/db.password")
	# The password travels on stdin, never on a command line.
	stack_mariadb_root "$dir" <<SQL || { stack_log "mariadb: creating database/user failed"; return 1; }
CREATE DATABASE IF NOT EXISTS userpatch CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'userpatch'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'userpatch'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL ON userpatch.* TO 'userpatch'@'localhost';
CREATE USER IF NOT EXISTS 'userpatch'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER 'userpatch'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL ON userpatch.* TO 'userpatch'@'127.0.0.1';
SQL
}

# stack_mariadb_stop DIR: clean shutdown, then SIGKILL if it hangs.
stack_mariadb_stop() {
	local dir=$1 pid=""
	[ -d "$dir" ] || return 0
	if [ -f "$dir/mysqld.pid" ]; then
		pid=$(cat "$dir/mysqld.pid")
	elif [ -f "$dir/mysqld.launch.pid" ]; then
		pid=$(cat "$dir/mysqld.launch.pid")
	fi
	if [ -z "$pid" ] || ! stack__alive "$pid"; then
		rm -f "$dir/mysqld.pid"
		return 0
	fi
	mariadb-admin --no-defaults -S "$dir/mysqld.sock" -u root \
		--connect-timeout=5 --shutdown-timeout=30 shutdown >/dev/null 2>&1 ||
		kill -TERM "$pid" 2>/dev/null || true
	stack_wait_gone "$pid" 30 mariadb
	rm -f "$dir/mysqld.pid" "$dir/mysqld.launch.pid"
}

# stack_mariadb_discard DIR: kill an instance whose data is about to be
# deleted anyway (faster than a clean shutdown).
stack_mariadb_discard() {
	local dir=$1 pid="" i
	[ -f "$dir/mysqld.launch.pid" ] && pid=$(cat "$dir/mysqld.launch.pid")
	[ -f "$dir/mysqld.pid" ] && pid=$(cat "$dir/mysqld.pid")
	if [ -n "$pid" ] && stack__alive "$pid"; then
		kill -9 "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			stack__alive "$pid" || break
			sleep 0.05
		done
	fi
	rm -f "$dir/mysqld.pid" "$dir/mysqld.launch.pid"
}

# stack_mariadb_kill DIR: kill -9 the server of DIR, as a crash would (no
# shutdown; data, port and password stay for stack_mariadb_start_again).
stack_mariadb_kill() {
	local dir=$1 pid=""
	[ -f "$dir/mysqld.launch.pid" ] && pid=$(cat "$dir/mysqld.launch.pid")
	[ -f "$dir/mysqld.pid" ] && pid=$(cat "$dir/mysqld.pid")
	if [ -z "$pid" ] || ! stack__alive "$pid"; then
		stack_log "mariadb: no running server in $dir to kill"
		return 1
	fi
	kill -9 "$pid" 2>/dev/null || true
	stack_wait_gone "$pid" 10 mariadb
	! stack__alive "$pid"
}

# stack_mariadb_start_again DIR: restart a stopped instance, same port.
stack_mariadb_start_again() {
	local dir=$1 port=""
	if [ ! -d "$dir/data/mysql" ]; then
		stack_log "mariadb: no instance in $dir"
		return 1
	fi
	[ -f "$dir/port" ] && port=$(cat "$dir/port")
	stack_mariadb_start "$dir" "$port"
}

# Galera --------------------------------------------------------------------
# A cluster of private nodes on 127.0.0.1, for the fail-over tests. Each node
# lives in its own DIR like a stack_mariadb_start instance (socket, pid file,
# logs, db.password) and listens on PORT (SQL), GPORT (group communication),
# GPORT+1 (IST) and GPORT+2 (SST, rsync). The nodes run as the `mysql`
# account when started by root (rsync SST refuses root), else as the caller.

STACK_GALERA_PROVIDER=${STACK_GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}

# Print the account the nodes run as.
stack__galera_user() {
	if [ "$(id -u)" = 0 ]; then echo mysql; else id -un; fi
}

# stack_galera_ports: print "PORT GPORT": a free SQL port and a free base
# port for group communication with the two above it free too.
stack_galera_ports() {
	local p g try
	for ((try = 0; try < 50; try++)); do
		p=$(stack_free_port) || return 1
		g=$(stack_free_port) || return 1
		if [ $((g - p)) -lt 3 ] && [ $((p - g)) -lt 3 ]; then continue; fi
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$((g + 1))") 2>/dev/null &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$((g + 2))") 2>/dev/null; then
			echo "$p $g"
			return 0
		fi
	done
	stack_log "galera: no free ports"
	return 1
}

# stack_galera_status DIR: print "wsrep_ready wsrep_local_state cluster_size"
# of the node in DIR (empty if it does not answer).
stack_galera_status() {
	stack_mariadb_root "$1" -N -B --connect-timeout=2 -e "SHOW GLOBAL STATUS WHERE
		Variable_name IN ('wsrep_ready', 'wsrep_local_state', 'wsrep_cluster_size')" \
		2>/dev/null | sort | awk '{ v[$1] = $2 } END {
			if (NR) print v["wsrep_ready"], v["wsrep_local_state"], v["wsrep_cluster_size"] }'
}

# stack_galera_wait DIR SECONDS SIZE: wait until the node in DIR is ready and
# synced in a cluster of SIZE nodes.
stack_galera_wait() {
	local dir=$1 i st
	for ((i = 0; i < $2 * 5; i++)); do
		st=$(stack_galera_status "$dir")
		if [ "$st" = "ON 4 $3" ]; then
			return 0
		fi
		sleep 0.2
	done
	stack_log "galera: node in $dir not synced in a cluster of $3 after $2 s (status: ${st:-none}); log tail:"
	tail -n 30 "$dir/mariadb.err" >&2 2>/dev/null || true
	return 1
}

# stack_galera_start DIR PORT GPORT NAME PEERS [new] [MARIADBD OPTIONS...]
# Start (creating on first use) the node NAME in DIR. PEERS: the group
# ports of all nodes, comma-separated ("127.0.0.1:G1,127.0.0.1:G2,...").
# "new" bootstraps a new cluster ("-" joins). After a crash the node's
# position is recovered first (as galera_recovery does), so that it rejoins
# by IST when the others still hold the writes it missed. Returns once
# mariadbd runs; wait for it with stack_galera_wait.
stack_galera_start() {
	local dir port gport name peers new user pid pos=""
	dir=$(stack__abspath "$1") || return 1
	port=$2 gport=$3 name=$4 peers=$5 new=${6:--}
	shift 5
	[ $# -gt 0 ] && shift
	user=$(stack__galera_user)
	chmod 0755 "$dir"
	if [ ! -d "$dir/data/mysql" ]; then
		rm -rf "$dir/data"
		mkdir -p "$dir/data"
		chown "$user" "$dir" "$dir/data"
		if ! mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" \
			--auth-root-authentication-method=socket --auth-root-socket-user="$(id -un)" \
			--skip-test-db --skip-name-resolve >"$dir/install-db.log" 2>&1; then
			stack_log "galera: mariadb-install-db failed in $dir"
			tail -n 20 "$dir/install-db.log" >&2
			return 1
		fi
	fi
	mkdir -p "$dir/tmp"
	chown -R "$user" "$dir"
	local common=(--no-defaults --user="$user" --datadir="$dir/data" --tmpdir="$dir/tmp"
		--socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid"
		--log-error="$dir/mariadb.err" --bind-address=127.0.0.1 --port="$port"
		--skip-name-resolve --character-set-server=utf8mb4
		--collation-server=utf8mb4_unicode_ci --innodb-buffer-pool-size=32M
		--innodb-log-file-size=16M --performance-schema=OFF --max-connections=200
		--binlog-format=ROW --innodb-autoinc-lock-mode=2 --log-bin-trust-function-creators=1
		--default-storage-engine=InnoDB --innodb-flush-log-at-trx-commit=2
		--wsrep-on=ON --wsrep-provider="$STACK_GALERA_PROVIDER"
		--wsrep-cluster-name=userpatch-test --wsrep-node-name="$name"
		--wsrep-cluster-address="gcomm://$peers"
		--wsrep-node-address="127.0.0.1:$gport"
		--wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:$((gport + 2))"
		--wsrep-provider-options="base_port=$gport;ist.recv_addr=127.0.0.1:$((gport + 1));gcache.size=64M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.inactive_check_period=PT0.5S;evs.keepalive_period=PT0.5S")
	if [ -f "$dir/data/grastate.dat" ] &&
		grep -q '^seqno: *-1' "$dir/data/grastate.dat" && [ -f "$dir/data/ibdata1" ]; then
		# Killed: ask InnoDB where the node stopped.
		mariadbd "${common[@]}" --wsrep-recover --log-error="$dir/recover.err" \
			</dev/null >/dev/null 2>&1 || true
		pos=$(sed -nE 's/.*WSREP: Recovered position: *([0-9a-f-]+:-?[0-9]+).*/\1/p' \
			"$dir/recover.err" | tail -n 1)
	fi
	local extra=()
	[ "$new" = new ] && extra+=(--wsrep-new-cluster)
	[ -n "$pos" ] && extra+=(--wsrep-start-position="$pos")
	rm -f "$dir/mysqld.pid"
	(
		exec setsid mariadbd "${common[@]}" "${extra[@]}" "$@" \
			</dev/null >>"$dir/mariadbd.out" 2>&1
	) &
	pid=$!
	disown "$pid" 2>/dev/null || true
	echo "$pid" >"$dir/mysqld.launch.pid"
	echo "$port" >"$dir/port"
	printf '%s %s %s %s\n' "$port" "$gport" "$name" "$peers" >"$dir/galera.node"
	if [ ! -s "$dir/db.password" ]; then
		(
			umask 077
			od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$dir/db.password"
		)
	fi
	stack__alive "$pid"
}

# stack_galera_start_again DIR: start a stopped or killed node again (it
# rejoins the cluster it was part of).
stack_galera_start_again() {
	local port gport name peers
	read -r port gport name peers <"$1/galera.node" || return 1
	stack_galera_start "$1" "$port" "$gport" "$name" "$peers" -
}

# stack_galera_user DIR PASSWORD_FILE: create database `userpatch` and the
# account `userpatch`@`127.0.0.1` and @`localhost` (replicated to every node).
stack_galera_user() {
	local pw
	pw=$(cat "$2")
	stack_mariadb_root "$1" <<SQL || { stack_log "galera: creating database/user failed"; return 1; }
CREATE DATABASE IF NOT EXISTS userpatch CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'userpatch'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL ON userpatch.* TO 'userpatch'@'127.0.0.1';
CREATE USER IF NOT EXISTS 'userpatch'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL ON userpatch.* TO 'userpatch'@'localhost';
SQL
}

# stack_write_config DIR FILE: a userpatch config for the instance in DIR.
stack_write_config() {
	local dir file
	dir=$(stack__abspath "$1") || return 1
	file=$2
	(
		umask 077
		cat >"$file" <<EOF
# userpatch config for the private MariaDB in $dir
db_host = localhost
db_socket = $dir/mysqld.sock
db_user = userpatch
db_password_file = $dir/db.password
db_name = userpatch
log_level = ${STACK_LOG_LEVEL:-info}
max_body = 65536
# A local webhook receiver for the demo and the tests (shipped: nothing private, https only)
webhook_allow_hosts = 127.0.0.1
webhook_allow_http = on
EOF
	)
}

# Escape a string for a double-quoted lighttpd config string.
stack__lq() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	printf '"%s"' "$s"
}

# stack_programs: the endpoint programs of the family registry
# (src/endpoints/families), one a line.
stack_programs() {
	sed -n 's/^\(userpatch-[a-z0-9_-]*\)[[:space:]].*/\1/p' \
		"$(dirname "${BASH_SOURCE[0]}")/../../src/endpoints/families"
}

# stack_families: "path:src/endpoints/program" for each path of each family
# of the registry, space separated, without the final "/" of a one-resource
# path.
stack_families() {
	local prog _short paths _rest path registry
	registry=$(dirname "${BASH_SOURCE[0]}")/../../src/endpoints/families
	if [ ! -r "$registry" ]; then
		stack_log "no family registry at $registry"
		return 1
	fi
	while read -r prog _short paths _rest; do
		case $prog in userpatch-*) ;; *) continue ;; esac
		for path in ${paths//,/ }; do
			printf '%s:src/endpoints/%s ' "${path%/}" "$prog"
		done
	done <"$registry"
}

# stack_lighttpd_start DIR PORT BUILD_DIR CONFIG_FILE
# Serve the FastCGI programs of BUILD_DIR on 127.0.0.1:PORT. Runtime files and
# logs go to DIR. A program that is not built yet is left out with a warning.
stack_lighttpd_start() {
	local dir port build config pid i
	dir=$(stack__abspath "$1") || return 1
	port=$2
	build=$(cd "$3" && pwd) || return 1
	config=$4
	case $config in /*) ;; *) config=$(pwd)/$config ;; esac

	local env_entries
	env_entries="$(stack__lq USERPATCH_CONFIG) => $(stack__lq "$config")"
	local v
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		if [ -n "${!v:-}" ]; then
			env_entries+=", $(stack__lq "$v") => $(stack__lq "${!v}")"
		fi
	done

	# Workers per program: STACK_MAX_PROCS, default chosen by bench/http_bench.sh
	# (docs/deploy/lighttpd.md, "Worker count"). The programs and their paths:
	# the family registry. STACK_EXTRA_FCGI: more "prefix:/absolute/program"
	# entries, space separated (the benchmark's no-op).
	local servers="" prefix prog name procs=${STACK_MAX_PROCS:-16} families
	families=$(stack_families) || return 1
	for spec in $families ${STACK_EXTRA_FCGI:-}; do
		prefix=${spec%%:*}
		case ${spec#*:} in
		/*) prog=${spec#*:} ;;
		*) prog=$build/${spec#*:} ;;
		esac
		name=${prog##*/}
		if [ ! -x "$prog" ]; then
			stack_log "lighttpd: warning: $prog is not built; $prefix is not served"
			continue
		fi
		[ -n "$servers" ] && servers+=","$'\n'
		servers+="  $(stack__lq "$prefix") => ((
    \"bin-path\" => $(stack__lq "$prog"),
    \"socket\" => $(stack__lq "$dir/$name.sock"),
    \"max-procs\" => $procs,
    \"check-local\" => \"disable\",
    \"bin-environment\" => ( $env_entries )
  ))"
	done

	mkdir -p "$dir/htdocs" "$dir/upload"
	local conf=$dir/lighttpd.conf
	local line
	: >"$conf"
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		*@FASTCGI_SERVERS@*) printf '%s\n' "$servers" >>"$conf" ;;
		*)
			line=${line//@DIR@/$dir}
			line=${line//@PORT@/$port}
			printf '%s\n' "$line" >>"$conf"
			;;
		esac
	done <"$STACK_LIB_DIR/lighttpd.conf.in"

	if ! lighttpd -tt -f "$conf" >"$dir/lighttpd-check.log" 2>&1; then
		cat "$dir/lighttpd-check.log" >&2
		stack_log "lighttpd: configuration $conf rejected"
		return 1
	fi

	(exec setsid lighttpd -D -f "$conf" </dev/null >>"$dir/lighttpd.out" 2>&1) &
	pid=$!
	disown "$pid" 2>/dev/null || true
	echo "$pid" >"$dir/lighttpd.launch.pid"
	for ((i = 0; i < 150; i++)); do
		if ! stack__alive "$pid"; then
			break
		fi
		if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; then
			return 0
		fi
		sleep 0.1
	done
	stack_log "lighttpd: did not come up on 127.0.0.1:$port; log tail:"
	tail -n 20 "$dir/lighttpd-error.log" "$dir/lighttpd.out" >&2 2>/dev/null || true
	stack__alive "$pid" && kill -9 "$pid" 2>/dev/null
	return 1
}

# Print the pids of the live children of PID.
stack__children() {
	local parent=$1 f stat state ppid
	for f in /proc/[0-9]*/stat; do
		read -r stat 2>/dev/null <"$f" || continue
		read -r state ppid _ <<<"${stat##*) }"
		if [ "$ppid" = "$parent" ] && [ "$state" != Z ]; then
			f=${f#/proc/}
			echo "${f%/stat}"
		fi
	done
}

# stack_lighttpd_stop DIR: stop lighttpd (which stops its FastCGI programs).
stack_lighttpd_stop() {
	local dir=$1 pid kids c
	[ -f "$dir/lighttpd.launch.pid" ] || return 0
	pid=$(cat "$dir/lighttpd.launch.pid")
	if stack__alive "$pid"; then
		kids=$(stack__children "$pid")
		kill -TERM "$pid" 2>/dev/null || true
		stack_wait_gone "$pid" 10 lighttpd
		# lighttpd stops the programs it spawned; make sure of it.
		for c in $kids; do
			stack_wait_gone "$c" 5 "lighttpd's FastCGI program"
		done
	fi
	rm -f "$dir/lighttpd.launch.pid"
}
