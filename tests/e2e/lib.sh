# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Helpers for the end-to-end tests: requests with curl against the server the
# harness started (UP_TEST_BASE_URL), fixtures through userpatch-admin and the
# mariadb client, and assertions that count what passed and what failed.
set -euo pipefail

: "${UP_TEST_BASE_URL:?run this test through tests/harness/run-test}"
: "${UP_TEST_DB_DIR:?run this test through tests/harness/run-test}"
: "${top_builddir:?run this test through tests/harness/run-test}"

ADMIN=${UP_TEST_ADMIN:-$top_builddir/src/tools/userpatch-admin}
E2E_TMP=$(mktemp -d)
trap 'rm -rf "$E2E_TMP"' EXIT

e2e_passed=0
e2e_failed=0
E2E_STATUS=
E2E_WHAT=

pass() {
	e2e_passed=$((e2e_passed + 1))
	printf 'ok   %s\n' "$*"
}

fail() {
	e2e_failed=$((e2e_failed + 1))
	printf 'FAIL %s\n' "$*"
}

# Every response req() receives is recorded under $E2E_OPENAPI_DIR and
# checked against its operation in docs/openapi.yaml when the test finishes
# (tests/e2e/openapi_check.py: status, headers, body schema). A test that
# deliberately talks to something the spec does not describe sets
# E2E_OPENAPI_SKIP=1 around those requests.
E2E_OPENAPI_DIR=$E2E_TMP/openapi
E2E_OPENAPI_SEQ=0
mkdir -p "$E2E_OPENAPI_DIR"

# e2e_openapi_check: check the responses recorded so far, count the result.
e2e_openapi_check() {
	local n
	n=$(find "$E2E_OPENAPI_DIR" -mindepth 1 -maxdepth 1 | wc -l)
	[ "$n" -gt 0 ] || return 0
	if python3 -W ignore "${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/e2e/openapi_check.py" \
		"${E2E_OPENAPI_SPEC:-${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/docs/openapi.yaml}" \
		"$E2E_OPENAPI_DIR"; then
		pass "all $n responses match docs/openapi.yaml"
	else
		fail "responses that do not match docs/openapi.yaml (above)"
	fi
	rm -rf "${E2E_OPENAPI_DIR:?}"/*
}

# Print the summary; exit 1 if anything failed or nothing was checked.
e2e_finish() {
	e2e_openapi_check
	printf '%d passed, %d failed\n' "$e2e_passed" "$e2e_failed"
	if [ "$e2e_failed" -ne 0 ] || [ "$e2e_passed" -eq 0 ]; then
		exit 1
	fi
	exit 0
}

# Fixtures -----------------------------------------------------------------

# SQL as root of the test's MariaDB, database userpatch; prints rows
# tab-separated without headers.
e2e_sql() {
	mariadb --no-defaults -S "$UP_TEST_DB_DIR/mysqld.sock" -u root -N -B \
		userpatch -e "$1"
}

e2e_admin() {
	"$ADMIN" "$@"
}

# e2e_tenant NAME: create the tenant, print its id.
e2e_tenant() {
	e2e_admin tenant add "$1" >/dev/null
	e2e_admin tenant list | awk -F '\t' -v n="$1" '$2 == n { print $1 }'
}

# e2e_token TENANT SCOPES [LABEL] [ADMIN OPTIONS...]: print a new token.
e2e_token() {
	local tenant=$1 scopes=$2 label=${3:-e2e}
	shift 3 || shift $#
	e2e_admin token issue --tenant "$tenant" --scopes "$scopes" \
		--label "$label" "$@"
}

# e2e_token_id TENANT LABEL: id of the token with that label.
e2e_token_id() {
	e2e_admin token list --tenant "$1" | awk -F '\t' -v l="$2" '$3 == l { print $1 }'
}

# e2e_user TENANT_ID NAME EMAIL: insert a user row, print its public id.
e2e_user() {
	local id
	id=$(e2e_sql "INSERT INTO users (tenant_id, name, email) VALUES ($1, '$2', '$3'); SELECT LAST_INSERT_ID();")
	echo "usr-$id"
}

# Requests -----------------------------------------------------------------

# req METHOD PATH [CURL OPTIONS...]: send a request; sets E2E_STATUS and
# leaves the headers in $E2E_TMP/headers and the body in $E2E_TMP/body.
req() {
	local method=$1 path=$2
	shift 2
	E2E_WHAT="$method $path"
	: >"$E2E_TMP/headers"
	: >"$E2E_TMP/body"
	local rc=0
	E2E_STATUS=$(curl -s -S --max-time 20 -X "$method" -D "$E2E_TMP/headers" \
		-o "$E2E_TMP/body" -w '%{http_code}' "$@" "$UP_TEST_BASE_URL$path") || rc=$?
	if [ "$rc" -ne 0 ]; then
		# A server may answer (e.g. 413) and close before the client has sent
		# the whole body: the answer counts, the send error is only noted.
		if [ -z "$E2E_STATUS" ] || [ "$E2E_STATUS" = 000 ]; then
			E2E_STATUS="curl-failed($rc)"
		else
			echo "     (curl exit status $rc after a $E2E_STATUS response)"
		fi
	fi
	e2e_openapi_record "$method" "$UP_TEST_BASE_URL$path" "$@"
	# Every answer's body is valid UTF-8, errors included (a cut message
	# never splits a character).
	if [ -s "$E2E_TMP/body" ] && ! iconv -f UTF-8 -t UTF-8 "$E2E_TMP/body" >/dev/null 2>&1; then
		fail "$E2E_WHAT: the response body is not valid UTF-8"
	fi
}

# e2e_openapi_record METHOD URL [CURL OPTIONS...]: keep the last response for
# e2e_openapi_check (safe in parallel subshells: one directory a response).
e2e_openapi_record() {
	[ -z "${E2E_OPENAPI_SKIP:-}" ] || return 0
	local method=$1 url=$2 target rec a
	shift 2
	for a in "$@"; do
		# curl -I sends HEAD whatever -X says
		[ "$a" = -I ] || [ "$a" = --head ] && method=HEAD
	done
	target=/${url#*://*/}
	E2E_OPENAPI_SEQ=$((E2E_OPENAPI_SEQ + 1))
	rec=$(mktemp -d "$E2E_OPENAPI_DIR/$(printf %06d "$E2E_OPENAPI_SEQ").XXXXXX")
	printf '%s\n%s\n%s\n' "$method" "$target" "$E2E_STATUS" >"$rec/meta"
	cp "$E2E_TMP/headers" "$rec/headers" 2>/dev/null || : >"$rec/headers"
	cp "$E2E_TMP/body" "$rec/body" 2>/dev/null || : >"$rec/body"
}

# Request with a bearer token: reqt TOKEN METHOD PATH [CURL OPTIONS...]
reqt() {
	local token=$1
	shift
	req "$@" -H "Authorization: Bearer $token"
}

# header NAME: the value of a response header (last one wins), CR stripped.
header() {
	awk -v n="$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')" '
		{ sub(/\r$/, "") }
		index($0, ":") {
			k = tolower(substr($0, 1, index($0, ":") - 1))
			if (k == n) { v = substr($0, index($0, ":") + 1); sub(/^[ \t]+/, "", v); found = v }
		}
		END { if (found != "") print found }' "$E2E_TMP/headers"
}

show_response() {
	printf '     status: %s\n' "$E2E_STATUS"
	sed 's/^/     < /' "$E2E_TMP/headers" 2>/dev/null | tr -d '\r' || true
	printf '     body: %s\n' "$(head -c 600 "$E2E_TMP/body" 2>/dev/null || true)"
}

# Assertions ---------------------------------------------------------------

expect_status() {
	if [ "$E2E_STATUS" = "$1" ]; then
		pass "$E2E_WHAT -> $1${2:+ ($2)}"
	else
		fail "$E2E_WHAT: expected status $1, got $E2E_STATUS${2:+ ($2)}"
		show_response
	fi
}

# expect_header NAME ERE [WHY]: the header is present and matches ERE.
expect_header() {
	local v
	v=$(header "$1")
	if [ -n "$v" ] && printf '%s\n' "$v" | grep -Eq -- "$2"; then
		pass "$E2E_WHAT: $1 ~ $2"
	else
		fail "$E2E_WHAT: header $1 ('$v') does not match $2${3:+ ($3)}"
		show_response
	fi
}

# Every response: JSON and a request id.
expect_common() {
	expect_header Content-Type '^application/json(;|$)'
	expect_header X-Request-Id '^[^[:space:]]+$'
	expect_no_static_headers
}

# expect_no_static_headers: none of the headers a web server adds to static
# files (byte ranges, modification time) is on this API response.
expect_no_static_headers() {
	local h v bad=
	for h in Accept-Ranges Content-Range Last-Modified; do
		v=$(header "$h")
		[ -z "$v" ] || bad+=" $h: $v;"
	done
	if [ -z "$bad" ]; then
		pass "$E2E_WHAT: no static-file headers (Accept-Ranges, Content-Range, Last-Modified)"
	else
		fail "$E2E_WHAT: static-file headers on an API response:$bad"
		show_response
	fi
}

# expect_json KEY JSON: top-level KEY of the body equals the JSON value
# (same type and value).
expect_json() {
	if jq -e --arg k "$1" --argjson v "$2" \
		'type == "object" and has($k) and .[$k] == $v' "$E2E_TMP/body" >/dev/null 2>&1; then
		pass "$E2E_WHAT: .$1 == $2"
	else
		local got
		if [ -s "$E2E_TMP/body" ] && jq empty "$E2E_TMP/body" >/dev/null 2>&1; then
			got=$(jq -c --arg k "$1" 'if type == "object" then .[$k] else "(not an object)" end' \
				"$E2E_TMP/body")
			got=${got:0:200}
		else
			got="a body that is not JSON"
		fi
		fail "$E2E_WHAT: expected .$1 == $2, got $got"
		show_response
	fi
}

# expect_no_json_key KEY: the body is a JSON object without KEY.
expect_no_json_key() {
	if jq -e --arg k "$1" 'type == "object" and (has($k) | not)' \
		"$E2E_TMP/body" >/dev/null 2>&1; then
		pass "$E2E_WHAT: no .$1"
	else
		fail "$E2E_WHAT: body has .$1 or is not a JSON object"
		show_response
	fi
}

# expect_error STATUS: status, common headers and the error document shape.
expect_error() {
	expect_status "$1" "${2:-}"
	expect_common
	expect_json success false
	if jq -e '(.error | type) == "string" and .error != "" and
		(.code | type) == "string" and .code != ""' "$E2E_TMP/body" >/dev/null 2>&1; then
		pass "$E2E_WHAT: error and code are non-empty strings"
	else
		fail "$E2E_WHAT: error document lacks error/code strings"
		show_response
	fi
}

# Faults: workers, logs and load ---------------------------------------------

# shellcheck source=scripts/lib/stack.sh
. "${top_srcdir:?}/scripts/lib/stack.sh"

# The log of the FastCGI programs behind lighttpd (their stderr).
E2E_PROG_LOG=${UP_TEST_WEB_DIR:-}/programs-stderr.log

# e2e_workers NAME: pids of the live FastCGI workers NAME (e.g.
# userpatch-users) that the test's lighttpd runs, one a line, sorted (as
# text, for comm).
e2e_workers() {
	local lpid
	lpid=$(cat "$UP_TEST_WEB_DIR/lighttpd.launch.pid")
	stack__children "$lpid" | while read -r pid; do
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "${1:0:15}" ]; then
			echo "$pid"
		fi
	done | sort
}

# e2e_log_pids NAME [FROM_LINE]: pids that logged a request line as NAME
# (from line FROM_LINE of the programs' log on), one a line, sorted.
e2e_log_pids() {
	tail -n +"${2:-1}" "$E2E_PROG_LOG" |
		sed -nE "s/^[^ ]+ $1\[([0-9]+)\] info rid=[^ ]+ [A-Z]+ .* [0-9]{3} [0-9]+us.*/\1/p" |
		sort -u
}

# e2e_log_lines: the number of lines in the programs' log so far.
e2e_log_lines() {
	wc -l <"$E2E_PROG_LOG" | tr -d ' '
}

# e2e_patch_writer TOKEN USER TAG OUT STOPFILE: PATCH USER's description with
# TAG-1, TAG-2, ... one after another until STOPFILE exists. Appends a line per
# request to OUT: "MS STATUS REQUEST_ID RETRY_AFTER VALUE" (MS: milliseconds
# since the epoch when the answer came; "-" for a missing header).
e2e_patch_writer() {
	local token=$1 user=$2 tag=$3 out=$4 stop=$5 i=0 line
	while [ ! -e "$stop" ]; do
		i=$((i + 1))
		line=$(curl -s -o /dev/null --max-time 60 -X PATCH \
			-H "Authorization: Bearer $token" \
			-H "Content-Type: application/json-patch+json" \
			--data-binary "[{\"op\":\"replace\",\"path\":\"/description\",\"value\":\"$tag-$i\"}]" \
			-w '%{http_code} %header{x-request-id} %header{retry-after}' \
			"$UP_TEST_BASE_URL/api/users/$user") || true
		read -r status rid retry <<<"$line"
		printf '%s %s %s %s %s\n' "$(date +%s%3N)" "${status:-000}" "${rid:--}" \
			"${retry:--}" "$tag-$i" >>"$out"
	done
}

# e2e_check_writes OUT...: checks over the writer logs OUT (see
# e2e_patch_writer) against the database: only 200 and 503 answers, each 503
# with Retry-After, and every 200's request id in audit_log.
e2e_check_writes() {
	local all=$E2E_TMP/writes.all bad
	cat "$@" >"$all"
	bad=$(awk '$2 != 200 && $2 != 503 { print; if (++n == 5) exit }' "$all")
	if [ -z "$bad" ]; then
		pass "only 200 and 503 answers ($(awk '{ print $2 }' "$all" | sort | uniq -c | tr -s ' \n' ' '))"
	else
		fail "answers other than 200/503, e.g.: $(printf '%s' "$bad" | tr '\n' ';')"
	fi
	bad=$(awk '$2 == 503 && $4 !~ /^[0-9]+$/ { print; if (++n == 3) exit }' "$all")
	if [ -z "$bad" ]; then
		pass "every 503 carries Retry-After"
	else
		fail "503 without Retry-After: $(printf '%s' "$bad" | tr '\n' ';')"
	fi
	awk '$2 == 200 { print $3 }' "$all" | sort -u >"$E2E_TMP/acked"
	e2e_sql "SELECT request_id FROM audit_log" | sort -u >"$E2E_TMP/audited"
	local acked missing
	acked=$(wc -l <"$E2E_TMP/acked")
	missing=$(comm -23 "$E2E_TMP/acked" "$E2E_TMP/audited" | wc -l)
	if [ "$acked" -gt 0 ] && [ "$missing" -eq 0 ]; then
		pass "all $acked acknowledged writes are in audit_log"
	else
		fail "$missing of $acked acknowledged writes missing from audit_log"
	fi
}

# e2e_expect_workers_kept BEFORE FROM_LINE: every worker in BEFORE (pids,
# one a line, from e2e_workers) is still running, and one of them served a
# request logged after line FROM_LINE: they recovered without a restart
# (lighttpd may have started more meanwhile).
e2e_expect_workers_kept() {
	local before=$1 now gone served
	now=$(e2e_workers userpatch-users)
	gone=$(comm -23 <(printf '%s\n' "$before" | sort) <(printf '%s\n' "$now" | sort) | grep . || true)
	served=$(comm -12 <(printf '%s\n' "$before" | sort) \
		<(e2e_log_pids userpatch-users "$2" | sort) | grep . || true)
	if [ -n "$before" ] && [ -z "$gone" ] && [ -n "$served" ]; then
		pass "workers kept, no restart: $(echo "$before" | tr '\n' ' ')(served again: $(echo "$served" | tr '\n' ' '))"
	else
		fail "workers before: $(echo "$before" | tr '\n' ' '); gone: $(echo "$gone" | tr '\n' ' '); served again: $(echo "$served" | tr '\n' ' ')"
	fi
}

# e2e_log_has FROM_LINE ERE: the programs' log has a line matching ERE from
# line FROM_LINE on. (grep reads it all: `tail | grep -q` fails under
# pipefail when grep stops early and tail gets SIGPIPE.)
e2e_log_has() {
	[ "$(tail -n +"$1" "$E2E_PROG_LOG" | grep -cE -- "$2")" -gt 0 ]
}

# e2e_until_served WORKERS FROM_LINE CMD...: run CMD (e.g. a burst of
# concurrent requests) again and again until every worker in WORKERS (pids,
# one a line) has logged a request after line FROM_LINE, for at most a
# minute: a bound on a busy machine, not a timing the test relies on.
# Returns 1 (naming the workers that served nothing) when some never did.
e2e_until_served() {
	local workers=$1 from=$2 deadline=$((SECONDS + 60)) missing
	shift 2
	while :; do
		"$@"
		missing=$(comm -23 <(printf '%s\n' "$workers" | grep . | sort) \
			<(e2e_log_pids userpatch-users "$from"))
		[ -z "$missing" ] && return 0
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "     workers that served nothing: $(echo "$missing" | tr '\n' ' ')"
			return 1
		fi
	done
}
