#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The webhooks resource through lighttpd with curl: create (the secret once,
# never again), read, list, JSON Patch and merge patch with If-Match, the
# SSRF refusals (422 naming url) with the test stack's webhook_allow_hosts
# (127.0.0.1 only) and webhook_allow_http (on), rotation, the deliveries
# list over rows made by SQL, tenant isolation, scopes, delete. No secret
# reaches the audit trail or the programs' log. Every answer is also checked
# against docs/openapi.yaml by lib.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
e2e_tenant globex >/dev/null
t_wh=$(e2e_token acme webhooks:write wh)
t_feed=$(e2e_token acme events:read feed)
t_globex=$(e2e_token globex webhooks:write globex)
aj='Content-Type: application/json'
mp='Content-Type: application/merge-patch+json'
jp='Content-Type: application/json-patch+json'

hooks() { e2e_sql "SELECT COUNT(*) FROM webhooks WHERE tenant_id = $acme"; }
# expect_detail FIELD TEXT: a detail of the error names FIELD with TEXT in its reason.
expect_detail() {
	if jq -e --arg f "$1" --arg r "$2" \
		'any(.details[]; .field == $f and (.reason | contains($r)))' "$E2E_TMP/body" >/dev/null 2>&1; then
		pass "$E2E_WHAT: detail $1: $2"
	else
		fail "$E2E_WHAT: no detail $1: $2"
		show_response
	fi
}
expect_no_secret() {
	if grep -q whsec_ "$E2E_TMP/body"; then
		fail "$E2E_WHAT: the body shows a secret"
	else
		pass "$E2E_WHAT: no secret in the body"
	fi
}

echo "# POST: 201, Location, the secret once"
reqt "$t_wh" POST /api/webhooks -H "$aj" --data-binary \
	'{"url":"http://127.0.0.1:9/hook","types":["user.*","alert.created"],"description":"local receiver"}'
expect_status 201
expect_common
expect_header Location '^/api/webhooks/whk-[0-9]+$'
expect_header ETag '^"1"$'
expect_json status '"active"'
expect_json enabled true
expect_json types '["user.*","alert.created"]'
id=$(jq -r .id "$E2E_TMP/body")
secret1=$(jq -r .secret "$E2E_TMP/body")
case $secret1 in whsec_?*) pass "the secret is whsec_..." ;; *) fail "secret: $secret1" ;; esac

echo "# GET one and the list: never a secret"
reqt "$t_wh" GET "/api/webhooks/$id"
expect_status 200
expect_no_json_key secret
expect_no_secret
expect_json id "\"$id\""
reqt "$t_wh" GET "/api/webhooks?limit=1"
expect_status 200
expect_no_secret
reqt "$t_wh" HEAD "/api/webhooks/$id" -I
expect_status 200
reqt "$t_wh" OPTIONS "/api/webhooks/$id"
expect_status 204
expect_header Allow 'PATCH'

echo "# SSRF and URL rules: 422 naming url, nothing stored"
before=$(hooks)
for c in \
	'http://127.0.0.2/|loopback' \
	'http://[::1]/|loopback' \
	'http://10.0.0.1/|private' \
	'http://192.168.0.10/|private' \
	'http://[fd12::1]/|private' \
	'http://169.254.169.254/latest/meta-data|link-local' \
	'http://[fe80::1]/|link-local' \
	'http://224.0.0.251/|multicast' \
	'http://[ff02::1]/|multicast' \
	'http://0.0.0.0/|unspecified' \
	'http://[::]/|unspecified' \
	'ftp://93.184.216.34/|must be http or https' \
	'https://user:pw@93.184.216.34/|user name'; do
	url=${c%%|*} why=${c#*|}
	reqt "$t_wh" POST /api/webhooks -H "$aj" --data-binary "{\"url\":\"$url\",\"types\":[\"user.*\"]}"
	expect_error 422 "$url"
	expect_detail url "$why"
done
reqt "$t_wh" POST /api/webhooks -H "$aj" --data-binary '{"url":"https://93.184.216.34/","types":["users.*"]}'
expect_error 422
expect_detail types "event types"
if [ "$(hooks)" = "$before" ]; then pass "no webhook stored by a refusal"; else fail "webhooks: $before -> $(hooks)"; fi

echo "# PATCH: JSON Patch with If-Match, merge patch, refusals"
reqt "$t_wh" PATCH "/api/webhooks/$id" -H "$jp" -H 'If-Match: "1"' --data-binary \
	'[{"op":"add","path":"/types/-","value":"device.*"}]'
expect_status 200
expect_header ETag '^"2"$'
expect_json types '["user.*","alert.created","device.*"]'
expect_json version 2
reqt "$t_wh" PATCH "/api/webhooks/$id" -H "$mp" -H 'If-Match: "1"' --data-binary '{"description":"x"}'
expect_error 412
reqt "$t_wh" PATCH "/api/webhooks/$id" -H "$mp" --data-binary '{"url":"http://10.1.1.1/"}'
expect_error 422
expect_detail url private
reqt "$t_wh" PATCH "/api/webhooks/$id" -H "$mp" --data-binary '{"status":"failing"}'
expect_error 422
expect_detail status read-only
reqt "$t_wh" PATCH "/api/webhooks/$id" -H "$mp" --data-binary '{"secret":"whsec_AAAA"}'
expect_error 422
if [ "$(e2e_sql "SELECT CONCAT(url, '|', version) FROM webhooks WHERE id = ${id#whk-}")" = "http://127.0.0.1:9/hook|2" ]; then
	pass "refused patches changed nothing"
else
	fail "the row changed"
fi
reqt "$t_wh" PATCH "/api/webhooks/$id" -H "$mp" --data-binary '{"enabled":false,"description":null}'
expect_status 200
expect_json enabled false
expect_json description null

echo "# Rotation: a new secret once; the old one kept for 24 hours"
reqt "$t_wh" POST "/api/webhooks/$id/secret" -H "Content-Length: 0"
expect_status 200
secret2=$(jq -r .secret "$E2E_TMP/body")
if [ "${secret2#whsec_}" != "$secret2" ] && [ -n "${secret2#whsec_}" ] && [ "$secret2" != "$secret1" ]; then
	pass "a new whsec_ secret"
else
	fail "secret after rotation: $secret2"
fi
if [ "$(e2e_sql "SELECT previous_secret = '$secret1' AND secret = '$secret2' AND previous_until > UTC_TIMESTAMP() + INTERVAL 23 HOUR FROM webhooks WHERE id = ${id#whk-}")" = 1 ]; then
	pass "the previous secret signs until tomorrow"
else
	fail "previous_secret / previous_until"
fi
reqt "$t_wh" GET "/api/webhooks/$id"
expect_no_secret

echo "# Deliveries: newest first, paged by cursor"
n=${id#whk-}
e2e_sql "INSERT INTO webhook_deliveries (id, webhook_id, tenant_id, event_id, event_seq, resource_id,
	state, attempts, next_attempt_at, created_at, delivered_at, last_status)
	VALUES (700000 + $n, $n, $acme, 1, 3, 'usr-5', 'delivered', 3, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6),
	UTC_TIMESTAMP(6), 204);
	INSERT INTO webhook_attempts (delivery_id, webhook_id, tenant_id, attempt, attempted_at, duration_ms, status, error)
	VALUES (700000 + $n, $n, $acme, 1, UTC_TIMESTAMP(6), 5002, NULL, 'timeout'),
	(700000 + $n, $n, $acme, 2, UTC_TIMESTAMP(6), 12, 500, NULL),
	(700000 + $n, $n, $acme, 3, UTC_TIMESTAMP(6), 9, 204, NULL)" >/dev/null
reqt "$t_wh" GET "/api/webhooks/$id/deliveries?limit=2"
expect_status 200
if jq -e --arg m "msg_$((700000 + n))" '(.deliveries | length) == 2 and .deliveries[0].attempt == 3 and
	.deliveries[0].httpStatus == 204 and .deliveries[0].state == "delivered" and
	.deliveries[0].deliveryId == $m and .deliveries[1].attempt == 2 and (.nextCursor | type) == "string"' \
	"$E2E_TMP/body" >/dev/null; then
	pass "first page: attempts 3 and 2, a nextCursor"
else
	fail "first page"; show_response
fi
cursor=$(jq -r .nextCursor "$E2E_TMP/body")
reqt "$t_wh" GET "/api/webhooks/$id/deliveries?limit=2&cursor=$cursor"
expect_status 200
if jq -e '(.deliveries | length) == 1 and .deliveries[0].attempt == 1 and .deliveries[0].error == "timeout" and
	.deliveries[0].httpStatus == null and (has("nextCursor") | not)' "$E2E_TMP/body" >/dev/null; then
	pass "last page: the timeout, no nextCursor"
else
	fail "last page"; show_response
fi
reqt "$t_wh" GET "/api/webhooks/$id/deliveries?cursor=bogus"
expect_error 400

echo "# Isolation and scopes"
for m in GET DELETE; do
	reqt "$t_globex" "$m" "/api/webhooks/$id"
	expect_error 404 "another tenant's"
done
reqt "$t_globex" POST "/api/webhooks/$id/secret" -H "Content-Length: 0"
expect_error 404
reqt "$t_globex" GET "/api/webhooks/$id/deliveries"
expect_error 404
reqt "$t_feed" GET /api/webhooks
expect_error 403 "events:read only"
req GET /api/webhooks
expect_error 401

echo "# DELETE: the webhook and its deliveries"
reqt "$t_wh" DELETE "/api/webhooks/$id"
expect_status 204
if [ "$(e2e_sql "SELECT (SELECT COUNT(*) FROM webhooks WHERE id = $n) + (SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $n) + (SELECT COUNT(*) FROM webhook_attempts WHERE webhook_id = $n)")" = 0 ]; then
	pass "webhook, deliveries and attempts gone"
else
	fail "rows left after DELETE"
fi
reqt "$t_wh" GET "/api/webhooks/$id"
expect_error 404

echo "# No secret in the audit trail, the programs' log or the feed"
if [ "$(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE resource = 'webhook' AND resource_key = '$id'")" -ge 5 ]; then
	pass "the webhook's writes are audited"
else
	fail "audit rows: $(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE resource = 'webhook'")"
fi
if [ "$(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE changed_fields LIKE '%whsec%'")" = 0 ]; then
	pass "no secret in audit_log"
else
	fail "a secret in audit_log"
fi
if [ -f "$E2E_PROG_LOG" ] && grep -q -e "${secret1#whsec_}" -e "${secret2#whsec_}" "$E2E_PROG_LOG"; then
	fail "a secret in the programs' log"
else
	pass "no secret in the programs' log"
fi
if [ "$(e2e_sql "SELECT COUNT(*) FROM events WHERE type LIKE 'webhook%'")" = 0 ]; then
	pass "webhooks are not events"
else
	fail "webhook events in the feed"
fi

e2e_finish
