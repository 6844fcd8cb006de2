#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `userpatch-admin webhooks deliver` against a real receiver on 127.0.0.1
# (webhook_receiver.py, which checks every signature itself): the format
# and signature, tenant isolation, a retry after a 500 and after a timeout
# with the same webhook-id, order per resource, the connect-time address
# refusal (by address and by a name that resolves to 127.0.0.1), no
# redirect followed, a long answer cut off, a refused connection, "failing"
# after the retry window and "active" again (also as GET /api/webhooks/{id}
# answers through lighttpd), no transaction held while a request is in
# flight, kill -9 of a deliverer and a restart, two deliverers at once;
# `webhooks prune`; no secret in the deliverers' output.  Webhooks and
# events are made by SQL.
# Runs under tests/harness/run-test (private MariaDB with the schema applied).
set -euo pipefail
: "${UP_TEST_DB_DIR:?run this test through tests/harness/run-test}"
: "${UP_TEST_ADMIN:?run this test through tests/harness/run-test}"
: "${top_srcdir:?run this test through tests/harness/run-test}"
: "${top_builddir:?run this test through tests/harness/run-test}"
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/lib/stack.sh
. "$top_srcdir/scripts/lib/stack.sh"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/webhooks-deliver.XXXXXX")
receiver=
deliverers=()
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	local p
	for p in "${deliverers[@]}" $receiver; do kill -9 "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	stack_lighttpd_stop "$work/web"
	rm -rf "$work"
}
trap cleanup EXIT

log=$work/received.jsonl
secrets=$work/secrets
: >"$log"
: >"$secrets"
python3 "$here/webhook_receiver.py" --port-file "$work/port" --log "$log" --secrets "$secrets" &
receiver=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

conf=$work/userpatch.conf
# the harness's config without its webhook keys, which this test sets
(umask 077 && grep -v '^webhook_' "$USERPATCH_CONFIG" >"$conf")
cat >>"$conf" <<CONF
webhook_allow_http = on
webhook_allow_hosts = 127.0.0.1
webhook_connect_timeout = 1
webhook_timeout = 1
CONF
# A patient request time, for a request held on purpose or a loaded machine.
sed 's/^webhook_timeout = .*/webhook_timeout = 10/' "$conf" >"$work/patient.conf"
chmod 600 "$work/patient.conf"
# Every deliverer's log lines go to deliver.out (searched for secrets at the end).
deliver() { "$UP_TEST_ADMIN" --config "$conf" webhooks deliver "$@" 2>>"$work/deliver.out"; }

"$UP_TEST_ADMIN" tenant add wh-a >/dev/null
"$UP_TEST_ADMIN" tenant add wh-b >/dev/null
ta=$(sql "SELECT id FROM tenants WHERE name = 'wh-a'")
tb=$(sql "SELECT id FROM tenants WHERE name = 'wh-b'")

# hook TENANT PATH TYPES [HOST [PORT]]: a webhook to the receiver's PATH; prints its id.
hook() {
	local s
	s="whsec_$(head -c 32 /dev/urandom | base64 -w0)"
	echo "$2 $s" >>"$secrets"
	sql "INSERT INTO webhooks (tenant_id, url, event_types, secret, cursor_seq, created_at, updated_at)
	     VALUES ($1, 'http://${4:-127.0.0.1}:${5:-$port}$2', '$3', '$s',
	     (SELECT COALESCE(MAX(last_seq), 0) FROM event_seq WHERE tenant_id = $1),
	     UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)); SELECT LAST_INSERT_ID()"
}
# event TENANT TYPE RESOURCE VERSION: what a write appends.
event() {
	sql "INSERT INTO events (tenant_id, type, resource_id, version, changed_fields, request_id, created_at)
	     VALUES ($1, '$2', '$3', $4, '[\"name\"]', 'req-$3-$4', UTC_TIMESTAMP(6))"
}
# many_events N RESOURCES: N user.updated events of tenant a, over RESOURCES users.
many_events() {
	local rows
	rows=$(for ((i = 1; i <= $1; i++)); do
		printf "(%s, 'user.updated', 'usr-%s', %s, 'r', UTC_TIMESTAMP(6))," "$ta" $((i % $2)) "$i"
	done)
	sql "INSERT INTO events (tenant_id, type, resource_id, version, request_id, created_at) VALUES ${rows%,}"
}
# web_start: lighttpd in front of the programs of the build tree, on this
# test's config (one worker each); $api_base its URL, $api_token a
# webhooks:write token of tenant a.
api_base=
web_start() {
	local p
	for _ in 1 2 3; do
		p=$(stack_free_port) || break
		if STACK_MAX_PROCS=1 stack_lighttpd_start "$work/web" "$p" "$top_builddir" "$conf"; then
			api_base=http://127.0.0.1:$p
			break
		fi
		stack_lighttpd_stop "$work/web"
	done
	[ -n "$api_base" ] || bad "lighttpd starts"
	api_token=$("$UP_TEST_ADMIN" --config "$conf" token issue --tenant wh-a --scopes webhooks:write --label deliver-test 2>/dev/null)
}
# api_webhook ID: "HTTP-STATUS status failingSince-is-set" of GET
# /api/webhooks/whk-ID: the webhook's status as a client reads it.
api_webhook() {
	local code
	code=$(curl -s -o "$work/api.json" -w '%{http_code}' --max-time 10 \
		-H "Authorization: Bearer $api_token" "$api_base/api/webhooks/whk-$1") || true
	echo "$code $(jq -r '"\(.status) \(.failingSince != null)"' "$work/api.json" 2>/dev/null)"
}
# Only the webhooks made after this call take part.
fresh() { sql "UPDATE webhooks SET enabled = 0"; }
received() { jq -c "select(.path == \"$1\")" "$log"; }
count_received() { received "$1" | wc -l; }
# until_sql QUERY WANT SECONDS: wait until QUERY answers WANT.
until_sql() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(sql "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# follow ARGS...: a deliverer in the background ($! in deliverers).
follow() {
	"$UP_TEST_ADMIN" --config "${follow_conf:-$conf}" webhooks deliver --follow "$@" \
		>>"$work/deliver.out" 2>&1 &
	deliverers+=($!)
}
# stop_last: SIGTERM to the newest deliverer; its exit status in $stopped.
stop_last() {
	local pid=${deliverers[-1]}
	stopped=0
	kill -TERM "$pid"
	wait "$pid" || stopped=$?
	unset 'deliverers[-1]'
}
# until_received PATH N SECONDS: wait until the receiver logged N requests to PATH.
until_received() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(count_received "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- usage errors: exit 2, nothing done ---------------------------------
for args in "" "--once --follow" "--once --batch 0" "--once --parallel 257" "--once --lease 1" \
	"--follow --retry-window x" "--once --extra"; do
	rc=0
	# shellcheck disable=SC2086 # word splitting of the argument list is wanted
	deliver $args >/dev/null 2>&1 || rc=$?
	expect "webhooks deliver $args exits 2" 2 "$rc"
done

# --- format, signature, tenant isolation --------------------------------
ha=$(hook "$ta" /ok/a 'user.*')
hb=$(hook "$tb" /ok/b 'user.*,group.*')
event "$ta" user.updated usr-1 2
event "$ta" group.created admins 1
event "$tb" user.created usr-9 1
out=$(deliver --once)
expect "--once reports what it delivered" "delivered 2, given up 0" "$out"
expect "webhook a got one request" 1 "$(count_received /ok/a)"
expect "webhook b got one request" 1 "$(count_received /ok/b)"
expect "the receiver verified a's signature" true "$(received /ok/a | jq -r .sig)"
expect "the receiver verified b's signature" true "$(received /ok/b | jq -r .sig)"
da=$(sql "SELECT id FROM webhook_deliveries WHERE webhook_id = $ha")
expect "webhook-id is msg_ and the delivery's id" "msg_$da" "$(received /ok/a | jq -r .id)"
expect "content-type" application/json "$(received /ok/a | jq -r .ctype)"
expect "user-agent" userpatch-webhooks/ "$(received /ok/a | jq -r '.agent | .[0:19]')"
expect "body: type, data" 'user.updated {"id":1,"resourceId":"usr-1","version":2,"changedFields":["name"],"requestId":"req-usr-1-2"}' \
	"$(received /ok/a | jq -r '.body | fromjson | "\(.type) \(.data | tojson)"')"
expect "body: timestamp is RFC 3339" 1 \
	"$(received /ok/a | jq -r '.body | fromjson | .timestamp | test("^[0-9-]{10}T[0-9:.]{8,}Z$") | if . then 1 else 0 end')"
expect "tenant b's webhook got tenant b's event only" usr-9 \
	"$(received /ok/b | jq -r '.body | fromjson | .data.resourceId')"
expect "deliveries are delivered" "delivered 1" \
	"$(sql "SELECT CONCAT_WS(' ', state, attempts) FROM webhook_deliveries WHERE webhook_id = $ha")"
expect "one attempt row each, status 200" "2 200" \
	"$(sql "SELECT CONCAT_WS(' ', COUNT(*), MAX(status)) FROM webhook_attempts WHERE webhook_id IN ($ha, $hb)")"
deliver --once >/dev/null
expect "a second --once sends nothing again" 2 "$(wc -l <"$log")"

# The shell receiver of docs/webhook-deliveries.md verifies it too.
awk '/<!-- verify-webhook.sh -->/ { f = 1; next } f && /^```shell/ { p = 1; next }
	p && /^```/ { exit } p' "$top_srcdir/docs/webhook-deliveries.md" >"$work/verify.sh"
sa=$(awk '$1 == "/ok/a" { print $2 }' "$secrets")
ra=$(received /ok/a)
verify() { sh "$work/verify.sh" "$sa" "$(jq -r .id <<<"$ra")" "$(jq -r .ts <<<"$ra")" "$(jq -r .signature <<<"$ra")"; }
if jq -j .body <<<"$ra" | verify; then ok "the documented shell receiver accepts it"; else bad "the documented shell receiver accepts it"; fi
if jq -j '.body + " "' <<<"$ra" | verify; then bad "the shell receiver accepts a changed body"; else ok "the documented shell receiver refuses a changed body"; fi

# --- after a rotation: signed with the new and the previous secret --------
fresh
hc=$(hook "$ta" /ok/rotated 'user.*')
old="whsec_$(head -c 32 /dev/urandom | base64 -w0)"
sql "UPDATE webhooks SET previous_secret = '$old', previous_until = UTC_TIMESTAMP(6) + INTERVAL 1 DAY WHERE id = $hc"
sed -i '\|^/ok/rotated |d' "$secrets"
echo "/ok/rotated $old" >>"$secrets"
event "$ta" user.updated usr-1 3
deliver --once >/dev/null
expect "two signatures; the previous secret's verifies" "2 true" \
	"$(received /ok/rotated | jq -r '"\(.signature | split(" ") | length) \(.sig)"')"
sql "UPDATE webhooks SET previous_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE id = $hc"
event "$ta" user.updated usr-1 4
deliver --once >/dev/null
expect "after previous_until, one signature" 1 \
	"$(received /ok/rotated | jq -rs 'last | .signature | split(" ") | length')"

# --- a retry after a 500 and after a timeout, with the same id -----------
fresh
hx=$(hook "$ta" /fail-first/x 'user.*')
hy=$(hook "$ta" /stall-first/y 'user.*')
event "$ta" user.deleted usr-2 3
follow --retry-window 60
if until_sql "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id IN ($hx, $hy) AND state = 'delivered'" 2 15; then
	ok "both delivered after a retry"
else
	bad "both delivered after a retry: $(sql "SELECT state, last_error FROM webhook_deliveries WHERE webhook_id IN ($hx, $hy)")"
fi
stop_last
expect "SIGTERM: the deliverer exits 0" 0 "$stopped"
until_received /stall-first/y 2 5 || true
expect "after a 500: two requests, one webhook-id, both signed" "500 200 1 true" \
	"$(received /fail-first/x | jq -rs '"\(map(.status) | join(" ")) \(map(.id) | unique | length) \(all(.sig))"')"
expect "after a timeout: two requests, one webhook-id" "2 1" \
	"$(received /stall-first/y | jq -rs '"\(length) \(map(.id) | unique | length)"')"
expect "the attempts say it" "500 - 200 - 0 timeout 200 -" \
	"$(sql "SELECT CONCAT_WS(' ', COALESCE(status, 0), COALESCE(error, '-')) FROM webhook_attempts WHERE webhook_id IN ($hx, $hy) ORDER BY webhook_id, id" | tr '\n' ' ' | sed 's/ $//')"

# --- order per resource, under retries and parallel requests -------------
fresh
ho=$(hook "$ta" /fail-first/o 'user.*')
for v in 1 2 3 4 5; do
	event "$ta" user.updated usr-10 "$v"
	event "$ta" user.updated usr-11 "$v"
done
follow --retry-window 60 --parallel 8
until_sql "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $ho AND state = 'delivered'" 10 20 ||
	bad "order: not all delivered"
stop_last
for r in usr-10 usr-11; do
	expect "$r: requests in version order (each failed once first)" "1 1 2 2 3 3 4 4 5 5" \
		"$(received /fail-first/o | jq -rs "map(select((.body | fromjson | .data.resourceId) == \"$r\")) | sort_by(.start) | map(.body | fromjson | .data.version) | join(\" \")")"
done

# --- connect-time refusal: by address, and a name resolving to 127.0.0.1 -
fresh
sed 's/^webhook_allow_hosts = .*/webhook_allow_hosts = 10.1.2.3/' "$conf" >"$work/strict.conf"
chmod 600 "$work/strict.conf"
hr=$(hook "$ta" /ok/refused 'user.*')
hn=$(hook "$ta" /ok/refused-name 'user.*' localhost)
event "$ta" user.created usr-3 1
"$UP_TEST_ADMIN" --config "$work/strict.conf" webhooks deliver --once >/dev/null
expect "no request reached the receiver" "0 0" "$(count_received /ok/refused) $(count_received /ok/refused-name)"
expect "each an attempt with error 'refused address'" "refused address
refused address" "$(sql "SELECT error FROM webhook_attempts WHERE webhook_id IN ($hr, $hn) ORDER BY webhook_id")"
expect "and pending for a retry" "pending 1
pending 1" "$(sql "SELECT CONCAT_WS(' ', state, attempts) FROM webhook_deliveries WHERE webhook_id IN ($hr, $hn) ORDER BY webhook_id")"

# --- limits: no redirect followed, a long answer cut off -----------------
fresh
hd=$(hook "$ta" /redirect/d 'user.*')
hg=$(hook "$ta" /big/g 'user.*')
event "$ta" user.created usr-5 1
deliver --once >/dev/null
expect "a redirect is not followed" 0 "$(count_received /ok/redirected)"
expect "a 3xx is a failure, pending for a retry" "pending 302" \
	"$(sql "SELECT CONCAT_WS(' ', state, last_status) FROM webhook_deliveries WHERE webhook_id = $hd")"
expect "a 2xx with a long answer is delivered" "delivered 200" \
	"$(sql "SELECT CONCAT_WS(' ', state, last_status) FROM webhook_deliveries WHERE webhook_id = $hg")"

# --- a refused connection: a failed attempt that says so ----------------
fresh
closed=$(stack_free_port)
hq=$(hook "$ta" /ok/closed 'user.*' 127.0.0.1 "$closed")
event "$ta" user.created usr-6 1
start=$(date +%s)
deliver --once >/dev/null
expect "nothing listens on $closed: --once is done at once" 1 $(($(date +%s) - start < 5))
expect "an attempt without a status, error 'connect'" "1 0 connect" \
	"$(sql "SELECT CONCAT_WS(' ', COUNT(*), COALESCE(MAX(status), 0), MAX(error)) FROM webhook_attempts WHERE webhook_id = $hq")"
expect "the delivery is pending for a retry, its last error said" "pending 1 connect" \
	"$(sql "SELECT CONCAT_WS(' ', state, attempts, last_error) FROM webhook_deliveries WHERE webhook_id = $hq")"

# --- no transaction, no lock held while a request is in flight -----------
fresh
hh=$(hook "$ta" /hold/h 'user.*')
event "$ta" user.updated usr-7 1
# The application's connections before the deliverer starts: the others'.
others=$(sql "SELECT COALESCE(GROUP_CONCAT(ID), 0) FROM information_schema.PROCESSLIST WHERE USER = 'userpatch'")
rm -f "$log.held" "$log.release"
follow_conf=$work/patient.conf follow
for _ in $(seq 100); do [ -e "$log.held" ] && break; sleep 0.1; done
if [ -e "$log.held" ]; then ok "the receiver holds a request"; else bad "the receiver holds a request"; fi
expect "the deliverer is connected meanwhile" 1 \
	"$(sql "SELECT COUNT(*) > 0 FROM information_schema.PROCESSLIST WHERE USER = 'userpatch' AND ID NOT IN ($others)")"
expect "and holds no transaction across the HTTP call" 0 \
	"$(sql "SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p
	        ON p.ID = t.trx_mysql_thread_id WHERE p.USER = 'userpatch' AND p.ID NOT IN ($others)")"
expect "nor has any other connection (nothing else runs)" 0 \
	"$(sql "SELECT COUNT(*) FROM information_schema.INNODB_TRX")"
expect "the claim is committed: others see it" 1 \
	"$(sql "SELECT claimed_by IS NOT NULL AND claimed_until > UTC_TIMESTAMP(6) FROM webhook_deliveries WHERE webhook_id = $hh")"
if sql "SELECT id FROM webhook_deliveries WHERE webhook_id = $hh FOR UPDATE NOWAIT" >/dev/null 2>&1; then
	ok "the delivery's row is not locked"
else
	bad "the delivery's row is not locked"
fi
touch "$log.release"
until_sql "SELECT state FROM webhook_deliveries WHERE webhook_id = $hh" delivered 15 ||
	bad "the held request: not delivered"
stop_last
expect "the held request was delivered once" 1 "$(count_received /hold/h)"

# --- failing after the retry window, active again after a success -------
web_start
fresh
hf=$(hook "$ta" /always500/f 'user.*')
event "$ta" user.created usr-4 1
follow --retry-window 2
if until_sql "SELECT state FROM webhook_deliveries WHERE webhook_id = $hf" failed 15; then
	ok "given up after the window"
else
	bad "given up after the window"
fi
expect "the webhook is failing, since when, a new version" "failing 1 2" \
	"$(sql "SELECT CONCAT_WS(' ', status, failing_since IS NOT NULL, version) FROM webhooks WHERE id = $hf")"
expect "GET /api/webhooks/{id} says failing" "200 failing true" "$(api_webhook "$hf")"
expect "it was tried more than twice" 1 \
	"$(sql "SELECT COUNT(*) > 2 FROM webhook_attempts WHERE webhook_id = $hf")"
# The monitoring queries of docs/operations.md run as printed and name it.
awk '/^### Monitoring a failing webhook/ { f = 1; next } f && /^```sql/ { p = 1; next }
	p && /^```/ { exit } p' "$top_srcdir/docs/operations.md" >"$work/monitor.sql"
expect "operations.md's monitoring lists the failing webhook" "$hf" \
	"$(sql "$(cat "$work/monitor.sql")" | head -n 1 | cut -f 1)"
sql "UPDATE webhooks SET url = REPLACE(url, '/always500/f', '/ok/f') WHERE id = $hf"
sf=$(awk '$1 == "/always500/f" { print $2 }' "$secrets")
echo "/ok/f $sf" >>"$secrets"
event "$ta" user.updated usr-4 2
until_sql "SELECT status FROM webhooks WHERE id = $hf" active 15 || true
expect "a later success makes it active again, a new version" "active 1 3" \
	"$(sql "SELECT CONCAT_WS(' ', status, failing_since IS NULL, version) FROM webhooks WHERE id = $hf")"
expect "GET /api/webhooks/{id} says active" "200 active false" "$(api_webhook "$hf")"
stop_last

# --- kill -9 mid-batch, then a restart: nothing lost ----------------------
fresh
hk=$(hook "$ta" /slow/k 'user.*')
many_events 300 30
follow --parallel 4 --batch 8 --lease 5
until_received /slow/k 20 20 || true
kill -9 "${deliverers[-1]}"
wait "${deliverers[-1]}" 2>/dev/null || true
unset 'deliverers[-1]'
got=$(count_received /slow/k)
if [ "$got" -gt 0 ] && [ "$got" -lt 300 ]; then ok "killed mid-way ($got requests)"; else bad "killed mid-way: $got requests"; fi
follow --parallel 4 --batch 8 --lease 5
until_sql "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $hk AND state = 'delivered'" 300 30 ||
	bad "after the restart: not all delivered"
stop_last
expect "every event received" 300 "$(received /slow/k | jq -rs 'map(.id) | unique | length')"
expect "a repeated id always carries the same body, signed" "0 true" \
	"$(received /slow/k | jq -rs '[group_by(.id)[] | select((map(.body) | unique | length) > 1)] | length as $n | "\($n) \(all(.sig))"')"

# --- two deliverers at once ---------------------------------------------
# A patient request time, so that a loaded machine makes no retry here.
follow_conf=$work/patient.conf
fresh
h2=$(hook "$ta" /slow/two 'user.*')
many_events 300 40
follow --parallel 4 --batch 10
follow --parallel 4 --batch 10
until_sql "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $h2 AND state = 'delivered'" 300 30 ||
	bad "two deliverers: not all delivered"
stop_last
stop_last
expect "each delivered exactly once" "300 300" \
	"$(received /slow/two | jq -rs '"\(length) \(map(.id) | unique | length)"')"
expect "each resource's events one after the other, in order" 0 \
	"$(received /slow/two | jq -rs '[group_by(.body | fromjson | .data.resourceId)[] | sort_by(.start)
		| select(map(.body | fromjson | .data.version) != (map(.body | fromjson | .data.version) | sort)
			or any(range(1; length) as $i | .[$i].start < .[$i - 1].end; .))] | length')"
expect "one successful attempt each" "300 300" \
	"$(sql "SELECT CONCAT_WS(' ', COUNT(*), COUNT(DISTINCT delivery_id)) FROM webhook_attempts WHERE webhook_id = $h2 AND status = 200")"
expect "no failed attempt" "" \
	"$(sql "SELECT CONCAT_WS(' ', delivery_id, COALESCE(status, error)) FROM webhook_attempts WHERE webhook_id = $h2 AND (status IS NULL OR status <> 200)")"

# --- webhooks prune: old attempts and finished deliveries, never a pending one
sql "UPDATE webhook_attempts SET attempted_at = attempted_at - INTERVAL 40 DAY WHERE webhook_id = $h2"
sql "UPDATE webhook_deliveries SET next_attempt_at = next_attempt_at - INTERVAL 40 DAY WHERE webhook_id = $h2"
sql "UPDATE webhook_deliveries SET state = 'pending' WHERE webhook_id = $h2 ORDER BY id LIMIT 1"
others=$(sql "SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM webhook_attempts WHERE webhook_id <> $h2), (SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id <> $h2))")
expect "prune says what it deleted" "pruned 300 delivery attempts and 299 finished deliveries" \
	"$("$UP_TEST_ADMIN" --config "$conf" webhooks prune --older-than 30d)"
expect "what is left of the old webhook: its pending delivery" "0 1 pending" \
	"$(sql "SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM webhook_attempts WHERE webhook_id = $h2), COUNT(*), MIN(state)) FROM webhook_deliveries WHERE webhook_id = $h2")"
expect "newer rows stay" "$others" \
	"$(sql "SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM webhook_attempts WHERE webhook_id <> $h2), (SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id <> $h2))")"
if "$UP_TEST_ADMIN" --config "$conf" webhooks prune --older-than soon 2>/dev/null; then
	bad "webhooks prune took a malformed duration"
else
	ok "webhooks prune refuses a malformed duration"
fi

# --- no secret in what the deliverers wrote -------------------------------
# Every secret a webhook had, whole and its base64 key alone.
if grep -q . "$work/deliver.out"; then ok "the deliverers wrote log lines"; else bad "the deliverers wrote log lines"; fi
leaks=0
while read -r s; do
	for needle in "$s" "${s#whsec_}"; do
		if grep -rqF -e "$needle" "$work/deliver.out" "$work/web"; then
			leaks=$((leaks + 1))
		fi
	done
done < <(sql "SELECT secret FROM webhooks UNION SELECT previous_secret FROM webhooks WHERE previous_secret IS NOT NULL")
expect "no secret in the deliverers' output or the web logs" 0 "$leaks"
it_finish
