# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Helpers for the deployment tests (tests/e2e/deploy_*.sh): real Apache,
# nginx, lighttpd and spawn-fcgi instances, each in its own directory inside
# the test's temporary directory, on a free port of 127.0.0.1, configured from
# the files shipped in docs/deploy/ (paths and port substituted with sed).
#
# Source after tests/e2e/lib.sh. dep_setup installs an EXIT trap that stops
# every server started here and kills, by pid, any process left running from
# this test's directory.
set -euo pipefail

case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/sbin:/sbin ;;
esac

: "${top_srcdir:?run this test through tests/harness/run-test}"
: "${top_builddir:?run this test through tests/harness/run-test}"
DEPLOY_DOCS=$top_srcdir/docs/deploy
DEP_DIR=
DEP_STOPS=()

dep_say() {
	printf '%s\n' "$*" >&2
}

# dep_cannot_run WHAT: a server this test needs is not usable here. Loud
# failure, never a skip.
dep_cannot_run() {
	printf '\n*** DEPLOYMENT TEST CANNOT RUN: %s\n*** (scripts/deps installs the packages)\n' "$*" >&2
	printf "%d passed, %d failed\n" "${e2e_passed:-0}" $((${e2e_failed:-0} + 1))
	exit 1
}

# dep_require FILE...: each must exist (a program or a module).
dep_require() {
	local f
	for f in "$@"; do
		case $f in
		/*) [ -e "$f" ] || dep_cannot_run "$f is missing" ;;
		*) command -v "$f" >/dev/null || dep_cannot_run "$f is not installed" ;;
		esac
	done
}

# stack__alive PID and stack_wait_gone PID SECONDS WHAT come from the dev
# stack's library.
# shellcheck source=scripts/lib/stack.sh
. "$top_srcdir/scripts/lib/stack.sh"

# Pids of processes running a program from DIR or with DIR on their command
# line: what this test started, and nothing else.
dep_pids_under() {
	local dir=$1 f pid
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[ "$pid" = "$$" ] && continue
		if { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$dir/"; then
			stack__alive "$pid" && echo "$pid"
		fi
	done
	return 0
}

# dep_programs_pids NAME: live pids of the program NAME copied for this test.
dep_program_pids() {
	local f pid exe
	for f in /proc/[0-9]*/exe; do
		exe=$(readlink "$f" 2>/dev/null) || continue
		if [ "$exe" = "$DEP_LIBEXEC/$1" ]; then
			pid=${f#/proc/}
			pid=${pid%/exe}
			stack__alive "$pid" && echo "$pid"
		fi
	done
	return 0
}

# shellcheck disable=SC2317 # called from the EXIT trap
dep_cleanup() {
	local rc=$? i pid
	trap - EXIT
	set +e
	for ((i = ${#DEP_STOPS[@]} - 1; i >= 0; i--)); do
		eval "${DEP_STOPS[$i]}"
	done
	if [ -n "$DEP_DIR" ]; then
		for pid in $(dep_pids_under "$DEP_DIR"); do
			dep_say "deploy: killing leftover process $pid ($({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | head -c 120))"
			kill -KILL "$pid" 2>/dev/null
		done
		if [ "$rc" -ne 0 ]; then
			dep_show_logs
		fi
	fi
	rm -rf "${E2E_TMP:-}"
	exit "$rc"
}

dep_show_logs() {
	local f
	for f in $(find "$DEP_DIR" -name '*.log' -size +0 2>/dev/null | sort); do
		printf -- '--- %s (tail) ---\n' "${f#"$DEP_DIR"/}"
		tail -n 25 "$f"
	done
}

# Print a free TCP port on 127.0.0.1.
dep_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# dep_setup NAME: a directory for this deployment inside the test's temporary
# directory; the programs and a config (from userpatch.conf.sample) that the
# servers' unprivileged account can read.
dep_setup() {
	local name=$1 work prog
	trap dep_cleanup EXIT
	work=$(dirname "$UP_TEST_DB_DIR")
	DEP_DIR=$work/deploy-$name
	mkdir -p "$DEP_DIR"
	if [ "$(id -u)" -eq 0 ]; then
		DEP_USER=www-data
		DEP_GROUP=www-data
		id "$DEP_USER" >/dev/null 2>&1 || dep_cannot_run "no account $DEP_USER"
		# The servers' children run as www-data: let it reach the MariaDB
		# socket and this directory (search permission only).
		chmod 0711 "$work" "$UP_TEST_DB_DIR"
	else
		DEP_USER=$(id -un)
		DEP_GROUP=$(id -gn)
	fi
	chmod 0755 "$DEP_DIR"
	DEP_LIBEXEC=$DEP_DIR/libexec
	DEP_ETC=$DEP_DIR/etc
	DEP_RUN=$DEP_DIR/run
	DEP_LOG=$DEP_DIR/log
	mkdir -p "$DEP_LIBEXEC" "$DEP_ETC" "$DEP_RUN" "$DEP_LOG"
	chown "$DEP_USER:$DEP_GROUP" "$DEP_RUN" "$DEP_LOG"

	DEP_MISSING=()
	for prog in $(stack_programs); do
		if [ -x "$top_builddir/src/endpoints/$prog" ]; then
			install -m 0755 "$top_builddir/src/endpoints/$prog" "$DEP_LIBEXEC/$prog"
		else
			DEP_MISSING+=("$prog")
			printf '\n*** %s is not built: its requests through %s will fail\n\n' "$prog" "$name"
		fi
	done

	DEP_CONF=$DEP_ETC/userpatch.conf
	install -m 0640 "$UP_TEST_DB_DIR/db.password" "$DEP_ETC/userpatch.db-password"
	sed -e "s|^db_socket = .*|db_socket = $UP_TEST_DB_DIR/mysqld.sock|" \
		-e "s|^db_password_file = .*|db_password_file = $DEP_ETC/userpatch.db-password|" \
		-e "s|^log_level = .*|log_level = debug|" \
		"$DEPLOY_DOCS/userpatch.conf.sample" >"$DEP_CONF"
	chmod 0640 "$DEP_CONF"
	chgrp "$DEP_GROUP" "$DEP_ETC" "$DEP_CONF" "$DEP_ETC/userpatch.db-password"
	chmod 0750 "$DEP_ETC"
	# The sample config must be accepted as shipped (but for the paths).
	if ! USERPATCH_CONFIG=$DEP_CONF "$ADMIN" tenant list >/dev/null 2>"$DEP_LOG/config-check.log"; then
		cat "$DEP_LOG/config-check.log" >&2
		fail "docs/deploy/userpatch.conf.sample (paths substituted) is not a working config"
	else
		pass "docs/deploy/userpatch.conf.sample (paths substituted) is a working config"
	fi
	DEP_PORT=$(dep_free_port)
	export UP_TEST_BASE_URL=http://127.0.0.1:$DEP_PORT
}

# dep_subst FILE: the shipped FILE with its installation paths and port
# replaced by this test's; on stdout.
dep_subst() {
	sed -e "s|/usr/local/libexec/userpatch|$DEP_LIBEXEC|g" \
		-e "s|/usr/local/etc/userpatch.conf|$DEP_CONF|g" \
		-e "s|/run/userpatch|$DEP_RUN|g" \
		-e "s|/home/USER/userpatch|$DEP_DIR|g" \
		"$1"
}

# dep_wait_http SECONDS [PID]: until something answers on DEP_PORT, over
# DEP_SCHEME (http, or https for a TLS port, which need not answer plain
# HTTP at all); fails early when PID has died.
dep_wait_http() {
	local i pid=${2:-}
	for ((i = 0; i < $1 * 10; i++)); do
		if curl -s -o /dev/null --max-time 2 "${DEP_SCHEME:-http}://127.0.0.1:$DEP_PORT/"; then
			return 0
		fi
		if [ -n "$pid" ] && ! stack__alive "$pid"; then
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# --- Apache ----------------------------------------------------------------

APACHE_MODULES=/usr/lib/apache2/modules

# dep_apache_start MODULES SITE_FILE: Apache (mpm_event) with the modules
# named (without mod_ and .so), the base config below and SITE_FILE included
# in the server config. Sets APACHE_DIR, APACHE_PID.
dep_apache_start() {
	local modules=$1 site=$2 m conf
	APACHE_DIR=$DEP_DIR/apache
	mkdir -p "$APACHE_DIR/run" "$APACHE_DIR/htdocs"
	chown "$DEP_USER:$DEP_GROUP" "$APACHE_DIR/run"
	conf=$APACHE_DIR/httpd.conf
	{
		echo "# generated by tests/deploy/servers.sh"
		echo "ServerRoot \"$APACHE_DIR\""
		echo "ServerName 127.0.0.1"
		echo "Listen 127.0.0.1:$DEP_PORT"
		echo "PidFile \"$APACHE_DIR/run/httpd.pid\""
		echo "DefaultRuntimeDir \"$APACHE_DIR/run\""
		echo "Mutex file:$APACHE_DIR/run default"
		echo "ErrorLog \"$DEP_LOG/apache-error.log\""
		echo "LogLevel warn"
		if [ "$(id -u)" -eq 0 ]; then
			echo "User $DEP_USER"
			echo "Group $DEP_GROUP"
		fi
		for m in mpm_event authz_core mime dir $modules; do
			echo "LoadModule ${m}_module $APACHE_MODULES/mod_$m.so"
		done
		echo "LogFormat \"%h %t \\\"%r\\\" %>s %b %D\" timed"
		echo "CustomLog \"$DEP_LOG/apache-access.log\" timed"
		echo "TypesConfig /etc/mime.types"
		echo "StartServers 1"
		echo "ServerLimit 2"
		echo "ThreadsPerChild 16"
		echo "MaxRequestWorkers 32"
		echo "Timeout 30"
		echo "DocumentRoot \"$APACHE_DIR/htdocs\""
		echo "<Directory />"
		echo "    AllowOverride None"
		echo "    Require all denied"
		echo "</Directory>"
		echo "<Directory \"$APACHE_DIR/htdocs\">"
		echo "    Require all granted"
		echo "</Directory>"
		case " $modules " in
		*" fcgid "*)
			mkdir -p "$APACHE_DIR/fcgid"
			chown "$DEP_USER:$DEP_GROUP" "$APACHE_DIR/fcgid"
			echo "FcgidIPCDir \"$APACHE_DIR/fcgid\""
			echo "FcgidProcessTableFile \"$APACHE_DIR/fcgid/shm\""
			;;
		esac
		case " $modules " in
		*" cgid "*) echo "ScriptSock \"$APACHE_DIR/run/cgid.sock\"" ;;
		esac
		echo "Include \"$site\""
	} >"$conf"
	for m in $modules; do
		[ -e "$APACHE_MODULES/mod_$m.so" ] || dep_cannot_run "Apache module mod_$m ($APACHE_MODULES/mod_$m.so) is missing"
	done
	if ! apache2 -t -f "$conf" >"$DEP_LOG/apache-configtest.log" 2>&1; then
		cat "$DEP_LOG/apache-configtest.log" >&2
		dep_cannot_run "apache2 rejects the configuration $conf"
	fi
	(exec apache2 -f "$conf" -DFOREGROUND </dev/null >>"$DEP_LOG/apache.out" 2>&1) &
	APACHE_PID=$!
	DEP_STOPS+=("dep_apache_stop")
	if ! dep_wait_http 20 "$APACHE_PID"; then
		tail -n 30 "$DEP_LOG/apache-error.log" "$DEP_LOG/apache.out" >&2 2>/dev/null || true
		dep_cannot_run "Apache did not come up on 127.0.0.1:$DEP_PORT within 20 s"
	fi
}

# shellcheck disable=SC2317 # called from dep_cleanup
dep_apache_stop() {
	[ -n "${APACHE_PID:-}" ] || return 0
	if stack__alive "$APACHE_PID"; then
		kill -TERM "$APACHE_PID" 2>/dev/null || true
		stack_wait_gone "$APACHE_PID" 15 deploy
	fi
	wait "$APACHE_PID" 2>/dev/null || true
	APACHE_PID=
}

# --- spawn-fcgi (docs/deploy/userpatch-spawn) --------------------------------

dep_spawn() {
	USERPATCH_LIBEXEC=$DEP_LIBEXEC USERPATCH_CONFIG=$DEP_CONF \
		USERPATCH_RUNDIR=$DEP_RUN USERPATCH_USER=$DEP_USER \
		USERPATCH_GROUP=$DEP_GROUP USERPATCH_CHILDREN=2 \
		timeout 30 sh "$DEPLOY_DOCS/userpatch-spawn" "$@"
}

dep_spawn_start() {
	DEP_STOPS+=("dep_spawn stop")
	if dep_spawn start; then
		pass "userpatch-spawn start"
	else
		fail "userpatch-spawn start (see above)"
	fi
	dep_check_socket users
	dep_check_socket device-app
	dep_check_socket devices
	dep_check_socket groups
	dep_check_socket trackers
}

# dep_check_socket NAME: the socket is there, a socket, mode 0660.
dep_check_socket() {
	local s=$DEP_RUN/$1.sock mode
	if [ -S "$s" ] && mode=$(stat -c '%a %U' "$s") && [ "$mode" = "660 $DEP_USER" ]; then
		pass "$1.sock is a unix socket, mode 0660, owner $DEP_USER"
	else
		fail "$1.sock: expected a unix socket with mode 0660 owned by $DEP_USER, got: $(stat -c '%F %a %U' "$s" 2>&1)"
	fi
}

# --- nginx -----------------------------------------------------------------

# dep_nginx_start SITE_FILE: nginx with SITE_FILE included in http {}.
dep_nginx_start() {
	local site=$1 conf
	NGINX_DIR=$DEP_DIR/nginx
	mkdir -p "$NGINX_DIR/tmp"
	chown "$DEP_USER:$DEP_GROUP" "$NGINX_DIR/tmp"
	cp /etc/nginx/fastcgi_params "$NGINX_DIR/fastcgi_params"
	conf=$NGINX_DIR/nginx.conf
	{
		echo "# generated by tests/deploy/servers.sh"
		[ "$(id -u)" -eq 0 ] && echo "user $DEP_USER $DEP_GROUP;"
		echo "worker_processes 1;"
		echo "pid $NGINX_DIR/nginx.pid;"
		echo "error_log $DEP_LOG/nginx-error.log warn;"
		echo "events { worker_connections 64; }"
		echo "http {"
		echo "    access_log $DEP_LOG/nginx-access.log;"
		echo "    client_body_temp_path $NGINX_DIR/tmp/body;"
		echo "    fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;"
		echo "    proxy_temp_path $NGINX_DIR/tmp/proxy;"
		echo "    uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;"
		echo "    scgi_temp_path $NGINX_DIR/tmp/scgi;"
		echo "    include $site;"
		echo "}"
	} >"$conf"
	if ! nginx -t -p "$NGINX_DIR" -c "$conf" >"$DEP_LOG/nginx-configtest.log" 2>&1; then
		cat "$DEP_LOG/nginx-configtest.log" >&2
		dep_cannot_run "nginx rejects the configuration $conf"
	fi
	(exec nginx -p "$NGINX_DIR" -c "$conf" -g 'daemon off;' </dev/null >>"$DEP_LOG/nginx.out" 2>&1) &
	NGINX_PID=$!
	DEP_STOPS+=("dep_nginx_stop")
	if ! dep_wait_http 20 "$NGINX_PID"; then
		tail -n 30 "$DEP_LOG/nginx-error.log" "$DEP_LOG/nginx.out" >&2 2>/dev/null || true
		dep_cannot_run "nginx did not come up on 127.0.0.1:$DEP_PORT within 20 s"
	fi
}

# shellcheck disable=SC2317 # called from dep_cleanup
dep_nginx_stop() {
	[ -n "${NGINX_PID:-}" ] || return 0
	if stack__alive "$NGINX_PID"; then
		kill -QUIT "$NGINX_PID" 2>/dev/null || true
		stack_wait_gone "$NGINX_PID" 15 deploy
	fi
	wait "$NGINX_PID" 2>/dev/null || true
	NGINX_PID=
}

# --- lighttpd --------------------------------------------------------------

# dep_lighttpd_start CONF: lighttpd in the foreground with CONF.
dep_lighttpd_start() {
	local conf=$1
	if ! lighttpd -tt -f "$conf" >"$DEP_LOG/lighttpd-configtest.log" 2>&1; then
		cat "$DEP_LOG/lighttpd-configtest.log" >&2
		dep_cannot_run "lighttpd rejects the configuration $conf"
	fi
	(exec lighttpd -D -f "$conf" </dev/null >>"$DEP_LOG/lighttpd.out" 2>&1) &
	LIGHTTPD_PID=$!
	DEP_STOPS+=("dep_lighttpd_stop")
	if ! dep_wait_http 20 "$LIGHTTPD_PID"; then
		tail -n 30 "$DEP_LOG/error.log" "$DEP_LOG/lighttpd.out" >&2 2>/dev/null || true
		dep_cannot_run "lighttpd did not come up on 127.0.0.1:$DEP_PORT within 20 s"
	fi
}

# shellcheck disable=SC2317 # called from dep_cleanup
dep_lighttpd_stop() {
	[ -n "${LIGHTTPD_PID:-}" ] || return 0
	if stack__alive "$LIGHTTPD_PID"; then
		kill -TERM "$LIGHTTPD_PID" 2>/dev/null || true
		stack_wait_gone "$LIGHTTPD_PID" 15 deploy
	fi
	wait "$LIGHTTPD_PID" 2>/dev/null || true
	LIGHTTPD_PID=
}

# --- the checks every deployment must pass -----------------------------------

# dep_fixtures: tenant t1, a token with every scope, a user.
dep_fixtures() {
	e2e_admin tenant add t1 >/dev/null
	DEP_TOKEN=$(e2e_admin token issue --tenant t1 \
		--scopes users:read,users:write,device_app_user:write,devices:read,devices:report,groups:read,groups:write \
		--label deploy)
	if [ -z "$DEP_TOKEN" ] || [ "$DEP_TOKEN" != "$(printf '%s' "$DEP_TOKEN" | tr -d '[:space:]')" ]; then
		echo "token issue printed '$DEP_TOKEN', not a token" >&2
		exit 99
	fi
	DEP_USER_ID=$(e2e_user 1 'Ada Lovelace' 'ada@example.com')
	head -c 70000 /dev/zero | tr '\0' ' ' >"$E2E_TMP/big"
	printf '[]' >>"$E2E_TMP/big"
	dep_make_batch
}

# dep_make_batch: $E2E_TMP/batch, 1,000 positions (about 90 KiB: over
# max_body, within max_batch_body).
dep_make_batch() {
	awk 'BEGIN { printf "["; for (i = 0; i < 1000; i++)
		printf "%s{\"time\":\"2025-06-01T10:%02d:%02dZ\",\"latitude\":48.85%04d,\"longitude\":2.29%04d,\"speed\":42.5,\"course\":90}",
			i ? "," : "", int(i / 60), i % 60, i, i; printf "]" }' >"$E2E_TMP/batch"
}

# dep_new_device NAME: a device of the token's tenant (tenant 1 here), with
# the uniqueId phone-N; prints its number N. A test with other fixtures
# redefines it.
dep_new_device() {
	e2e_sql "INSERT INTO devices (tenant_id, name) VALUES (1, '$1');
		UPDATE devices SET unique_id = CONCAT('phone-', id) WHERE id = LAST_INSERT_ID();
		SELECT LAST_INSERT_ID();"
}

# dep_check_get: the Authorization header reaches the Users API program.
dep_check_get() {
	reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID"
	expect_status 200 "$1"
	expect_json id "\"$DEP_USER_ID\""
}

dep_check_get_401() {
	req GET "/api/users/$DEP_USER_ID"
	expect_error 401 "$1"
	expect_header WWW-Authenticate '^Bearer realm="userpatch"'
}

# dep_check_denied DIR URLDIR: files that are not for the web, put in DIR
# (served at URLDIR, e.g. /api), are refused (403) by the .htaccess there:
# editor and backup files (*.swp, *~, *.bak, *.orig) and the password file's
# name (userpatch.db-password); a plain file next to them is served (200), so
# the refusals come from the deny list, not from the directory. The files
# get the owner of DIR and are removed afterwards.
dep_check_denied() {
	local dir=$1 url=$2 f
	# Not API answers: req does not check them against the OpenAPI document.
	# shellcheck disable=SC2034 # read by req (tests/e2e/lib.sh)
	local E2E_OPENAPI_SKIP=1
	local files=(.notes.txt.swp notes.txt.swo notes.txt~ notes.txt.bak notes.txt.orig
		userpatch.db-password userpatch.db-password.bak)
	for f in probe.txt "${files[@]}"; do
		printf 'not for the web\n' >"$dir/$f"
		chmod 0644 "$dir/$f"
		chown --reference="$dir" "$dir/$f"
	done
	req GET "$url/probe.txt"
	expect_status 200 "a plain file beside them is served (control)"
	for f in "${files[@]}"; do
		req GET "$url/$f"
		expect_status 403 "$f is not served"
	done
	for f in probe.txt "${files[@]}"; do rm -f "$dir/$f"; done
}

# dep_check_all LABEL: every endpoint family through this server.
dep_check_all() {
	local label=$1 dev imei devid
	# A device of its own for each round (an IMEI bound to another user is a 409).
	DEP_ROUND=$((${DEP_ROUND:-0} + 1))
	imei=$(printf '4901542032%05d' "$DEP_ROUND")
	echo "# $label: GET /api/users/{id}"
	dep_check_get "valid token"
	expect_common
	dep_check_get_401 "no Authorization header"
	expect_no_static_headers
	# A Range request gets the whole JSON answer, not 206 and a slice of it.
	reqt "$DEP_TOKEN" GET "/api/users/$DEP_USER_ID" -H 'Range: bytes=0-5'
	expect_status 200 "Range request: the whole answer"
	expect_json id "\"$DEP_USER_ID\""
	expect_no_static_headers

	echo "# $label: PATCH /api/users/{id}"
	reqt "$DEP_TOKEN" PATCH "/api/users/$DEP_USER_ID" \
		-H 'Content-Type: application/json-patch+json' \
		--data-binary "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"Ada via $label\"}]"
	expect_status 200 "JSON Patch with a valid token"
	expect_json name "\"Ada via $label\""
	req PATCH "/api/users/$DEP_USER_ID" -H 'Content-Type: application/json-patch+json' \
		--data-binary '[{"op":"replace","path":"/name","value":"nobody"}]'
	expect_error 401 "PATCH without a token"
	expect_header WWW-Authenticate '^Bearer realm="userpatch"'
	reqt "$DEP_TOKEN" PATCH "/api/users/$DEP_USER_ID" \
		-H 'Content-Type: application/json-patch+json' --data-binary '{not json'
	expect_error 400 "malformed JSON Patch body"
	reqt "$DEP_TOKEN" PATCH "/api/users/$DEP_USER_ID" \
		-H 'Content-Type: application/json-patch+json' --data-binary "@$E2E_TMP/big"
	expect_error 413 "PATCH body over 64 KiB"

	echo "# $label: /api/devices"
	devid=$(dep_new_device "tracker $label")
	reqt "$DEP_TOKEN" POST "/api/devices/dev-$devid/locations" \
		-H 'Content-Type: application/json' --data-binary "@$E2E_TMP/batch"
	expect_status 201 "a 1,000-position batch reaches the program"
	expect_json accepted 1000
	expect_no_static_headers
	reqt "$DEP_TOKEN" GET "/api/devices/dev-$devid/lastLocation"
	expect_status 200 "lastLocation after the batch"
	expect_json time '"2025-06-01T10:16:39Z"'
	expect_common
	req GET "/api/devices/dev-$devid/lastLocation"
	expect_error 401 "lastLocation without a token"
	expect_header WWW-Authenticate '^Bearer realm="userpatch"'
	reqt "$DEP_TOKEN" POST "/api/devices/dev-$devid/alerts" \
		-H 'Content-Type: application/json' \
		--data-binary '{"type":"sos","time":"2025-06-01T10:20:00Z","message":"help"}'
	expect_status 201 "an alert"
	expect_json type '"sos"'

	echo "# $label: /api/trackers (OsmAnd with key, OwnTracks with Basic)"
	req POST "/api/trackers/osmand?id=phone-$devid&timestamp=1748772000&lat=48.8584&lon=2.2945&speed=10&key=$DEP_TOKEN" \
		--data-binary ''
	expect_status 200 "OsmAnd as Traccar Client sends it, the token as key"
	req POST /api/trackers/owntracks -u "u:$DEP_TOKEN" -H "X-Limit-D: phone-$devid" \
		-H 'Content-Type: application/json' \
		--data-binary '{"_type":"location","lat":48.86,"lon":2.3,"tst":1748772060,"vel":12}'
	expect_status 200 "OwnTracks with HTTP Basic"
	req GET "/api/devices/dev-$devid/lastLocation?key=$DEP_TOKEN"
	expect_error 400 "key on a path other than /api/trackers/"

	echo "# $label: POST /api/v1/device_app_user_update/"
	dev="{\"data\":\"{\\\"username\\\":\\\"dev_$label\\\",\\\"imei\\\":\\\"$imei\\\",\\\"user_class\\\":\\\"premium\\\"}\"}"
	reqt "$DEP_TOKEN" POST /api/v1/device_app_user_update/ \
		-H 'Content-Type: application/json' --data-binary "$dev"
	expect_status 201 "device app update with a valid token"
	expect_json username "\"dev_$label\""
	expect_no_static_headers
	req POST /api/v1/device_app_user_update/ -H 'Content-Type: application/json' \
		--data-binary "$dev"
	expect_error 401 "device app update without a token"
	expect_header WWW-Authenticate '^Bearer realm="userpatch"'
	reqt "$DEP_TOKEN" POST /api/v1/device_app_user_update/ \
		-H 'Content-Type: application/json' --data-binary '{"data":'
	expect_error 400 "malformed device app body"
	reqt "$DEP_TOKEN" POST /api/v1/device_app_user_update/ \
		-H 'Content-Type: application/json' --data-binary "@$E2E_TMP/big"
	expect_error 413 "device app body over 64 KiB"
}

# dep_check_groups LABEL: the Groups API through this server: create a
# group, put the fixture user in it, read it counted, a refused DELETE (the
# group has a user), 401 without a token.
dep_check_groups() {
	local label=$1 gid
	DEP_GROUP_ROUND=$((${DEP_GROUP_ROUND:-0} + 1))
	gid=team-$DEP_GROUP_ROUND
	echo "# $label: /api/groups"
	reqt "$DEP_TOKEN" POST /api/groups -H 'Content-Type: application/json' \
		--data-binary "{\"id\":\"$gid\",\"name\":\"Team $label\"}"
	expect_status 201 "create a group"
	expect_header Location "^/api/groups/$gid\$"
	expect_no_static_headers
	reqt "$DEP_TOKEN" PATCH "/api/users/$DEP_USER_ID" \
		-H 'Content-Type: application/json-patch+json' \
		--data-binary "[{\"op\":\"replace\",\"path\":\"/group\",\"value\":\"$gid\"}]"
	expect_status 200 "the user joins the group"
	expect_json group "\"$gid\""
	reqt "$DEP_TOKEN" GET "/api/groups/$gid"
	expect_status 200 "read the group"
	expect_json users 1
	expect_common
	reqt "$DEP_TOKEN" DELETE "/api/groups/$gid"
	expect_error 409 "DELETE of a group that has a user"
	expect_json code '"group_in_use"'
	req GET "/api/groups/$gid"
	expect_error 401 "a group without a token"
	expect_header WWW-Authenticate '^Bearer realm="userpatch"'
}

# dep_check_log: the programs logged one line per request in the documented
# format (TIME PROG[PID] LEVEL rid=ID message) somewhere in FILE...
dep_check_log() {
	if grep -hE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z userpatch-users\[[0-9]+\] info rid=[^ ]+ GET /api/users/' "$@" >/dev/null 2>&1; then
		pass "request log lines of userpatch-users reach the server's log"
	else
		fail "no request log line of userpatch-users in: $*"
	fi
}

# dep_check_restart SERVER: SIGKILL every userpatch-users worker; the server
# must start a new one and the very next request must succeed.
dep_check_restart() {
	local server=$1 old new pid
	dep_check_get "before killing the worker(s)"
	old=$(dep_program_pids userpatch-users | tr '\n' ' ')
	if [ -z "$old" ]; then
		fail "no userpatch-users process found under $server"
		return 0
	fi
	pass "$server runs userpatch-users as pid(s) $old"
	# shellcheck disable=SC2086 # a list of pids
	kill -KILL $old
	for pid in $old; do stack_wait_gone "$pid" 5 deploy; done
	dep_check_get "first request after SIGKILL of the worker(s)"
	new=$(dep_program_pids userpatch-users | tr '\n' ' ')
	if [ -n "$new" ] && [ "$new" != "$old" ]; then
		pass "$server started new worker(s): $new"
	else
		fail "no new userpatch-users worker after the kill (before: '$old', after: '$new')"
	fi
	dep_check_get "second request after the kill"
}

# dep_lighttpd_docs_conf CONF [EXTRA]: docs/deploy/lighttpd.conf as shipped,
# moved onto 127.0.0.1:DEP_PORT and into the test's own directories, with
# the file EXTRA (if given) appended, written to CONF and ready to start.
dep_lighttpd_docs_conf() {
	local conf=$1 appended=${2:-}
	mkdir -p "$DEP_DIR/htdocs" "$DEP_DIR/uploads"
	chown "$DEP_USER:$DEP_GROUP" "$DEP_DIR/uploads"
	{
		dep_subst "$DEPLOY_DOCS/lighttpd.conf" | sed \
			-e "s|^server.bind *= .*|server.bind = \"127.0.0.1\"|" \
			-e "s|^server.port *= .*|server.port = $DEP_PORT|" \
			-e "s|\"/var/www/html\"|\"$DEP_DIR/htdocs\"|" \
			-e "s|\"/run/lighttpd-userpatch.pid\"|\"$DEP_RUN/lighttpd.pid\"|" \
			-e "s|/var/log/lighttpd/|$DEP_LOG/|" \
			-e "s|\"/var/cache/lighttpd/uploads\"|\"$DEP_DIR/uploads\"|" \
			-e "s|\"/run/lighttpd/|\"$DEP_RUN/|"
		if [ -n "$appended" ]; then
			cat "$appended"
		fi
	} >"$conf"
	dep_lighttpd_drop_missing "$conf"
	if [ "$(id -u)" -ne 0 ]; then
		sed -i '/^server\.\(username\|groupname\)/d' "$conf"
	fi
}

# dep_lighttpd_drop_missing CONF: lighttpd refuses to start when a bin-path
# program is missing, so leave the fastcgi.server entry of each program that
# is not built out of CONF, loudly (its checks then fail with 404).
dep_lighttpd_drop_missing() {
	local conf=$1 prog
	for prog in "${DEP_MISSING[@]}"; do
		python3 -c '
import re, sys
path, prog = sys.argv[1], sys.argv[2]
text = open(path).read()
entry = r",?\s*\"[^\"]+\" => \(\((?:(?!\)\)).)*?/%s\".*?\)\)" % re.escape(prog)
open(path, "w").write(re.sub(entry, "", text, flags=re.S))' "$conf" "$prog"
		fail "$prog is not built: left out of lighttpd.conf"
	done
}
