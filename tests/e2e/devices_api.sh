#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The Devices API through lighttpd: positions (one, batches, duplicates, a
# bad batch that stores nothing), lastLocation, route history, alerts
# (paged by cursor, offset capped), the devices:report scope, tenant
# isolation, and 8 concurrent clients posting interleaved, shuffled
# batches of one device; every response is checked
# against docs/openapi.yaml; DELETE of a device takes its positions and
# alerts with it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
e2e_tenant other >/dev/null
reader=$(e2e_token acme devices:read reader)
tracker=$(e2e_token acme devices:report tracker)
writer=$(e2e_token acme devices:read,devices:write writer)
stranger=$(e2e_token other devices:read,devices:report stranger)
dev=dev-$(e2e_sql "INSERT INTO devices (tenant_id, name) VALUES ($acme, 'van'); SELECT LAST_INSERT_ID();")
base_path=/api/devices/$dev

# check WHAT GOT WANT
check() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got $2, expected $3"; fi
}

post_json() { # post_json TOKEN PATH BODY
	reqt "$1" POST "$2" -H 'Content-Type: application/json' --data-binary "$3"
}

echo "# before the first position"
reqt "$reader" GET "$base_path/lastLocation"
expect_error 404 "no position yet"
expect_json code '"no_location"'

echo "# one position, then a late batch with a resend"
post_json "$tracker" "$base_path/locations" \
	'{"time":"2025-06-01T10:00:30Z","latitude":48.859,"longitude":2.293,"speed":30}'
expect_status 201 "one position"
expect_common
expect_json accepted 1
expect_json duplicates 0
post_json "$tracker" "$base_path/locations" \
	'[{"time":"2025-06-01T10:00:00Z","latitude":48.8584,"longitude":2.2945},
	  {"time":"2025-06-01T12:00:30+02:00","latitude":1,"longitude":1}]'
expect_status 201 "an older batch holding a resend (same instant, other offset)"
expect_json accepted 1
expect_json duplicates 1
reqt "$reader" GET "$base_path/lastLocation"
expect_status 200 "lastLocation"
expect_json time '"2025-06-01T10:00:30Z"'
expect_json latitude 48.859
expect_json speed 30
post_json "$tracker" "$base_path/locations" '{"time":"2025-06-01T10:00:00Z","latitude":0,"longitude":0}'
expect_status 200 "a resend only"
expect_json accepted 0
expect_json duplicates 1

echo "# a bad batch stores nothing"
before=$(e2e_sql "SELECT COUNT(*) FROM positions")
post_json "$tracker" "$base_path/locations" \
	'[{"time":"2025-06-01T11:00:00Z","latitude":1,"longitude":1},
	  {"time":"2025-06-01T11:00:01Z","latitude":1,"longitude":181},
	  {"time":"2025-06-01T11:00:02Z","latitude":1,"longitude":1,"course":360}]'
expect_error 422 "bad batch"
if jq -e '[.details[] | "\(.index):\(.field)"] == ["1:longitude", "2:course"]' \
	"$E2E_TMP/body" >/dev/null; then
	pass "details name index 1 longitude and index 2 course"
else
	fail "details: $(jq -c .details "$E2E_TMP/body")"
fi
after=$(e2e_sql "SELECT COUNT(*) FROM positions")
check "nothing stored" "$after" "$before"

echo "# 1,000 empty positions: 3,000 problems, 16 listed and the rest counted"
empty=$(printf '{},%.0s' $(seq 999))
post_json "$tracker" "$base_path/locations" "[$empty{}]"
expect_error 422 "1,000 empty positions"
size=$(wc -c <"$E2E_TMP/body")
if [ "$size" -lt 65536 ]; then pass "the answer is $size bytes"; else fail "the answer is $size bytes"; fi
check "details listed" "$(jq '.details | length' "$E2E_TMP/body")" 16
expect_json moreDetails 2984
after=$(e2e_sql "SELECT COUNT(*) FROM positions")
check "nothing stored" "$after" "$before"

echo "# route history"
reqt "$reader" GET "$base_path/locations?limit=1"
expect_status 200 "first page"
expect_json nextCursor '"2025-06-01T10:00:00Z"'
reqt "$reader" GET "$base_path/locations?limit=1&cursor=2025-06-01T10:00:00Z"
expect_status 200 "second page"
expect_no_json_key nextCursor
reqt "$reader" HEAD "$base_path/locations" -I
expect_status 200 "HEAD"

echo "# alerts"
post_json "$tracker" "$base_path/alerts" \
	'{"type":"sos","time":"2025-06-01T10:01:00Z","message":"help","position":{"time":"2025-06-01T10:01:00Z","latitude":48.86,"longitude":2.29}}'
expect_status 201 "an alert"
expect_json id '"alr-1"'
post_json "$tracker" "$base_path/alerts" '{"type":"sos","time":"2025-06-01T10:01:00Z"}'
expect_status 200 "the same alert again: a resend"
expect_json id '"alr-1"'
expect_json duplicate true
# A report token reads nothing stored: only the id, not the message or position.
expect_no_json_key message
expect_no_json_key position
expect_no_json_key type
post_json "$tracker" "$base_path/alerts" '{"type":"fire","time":"2025-06-01T10:01:00Z"}'
expect_error 422 "unknown alert type"
reqt "$reader" GET "$base_path/alerts"
expect_status 200 "alerts"
expect_no_json_key total
reqt "$reader" GET "$base_path/alerts?count=exact"
expect_status 200 "alerts with count=exact"
expect_json total 1
post_json "$tracker" "$base_path/alerts" '{"type":"ignitionOn","time":"2025-06-01T10:00:00Z"}'
expect_status 201 "an older alert"
reqt "$reader" GET "$base_path/alerts?limit=1"
expect_status 200 "alerts one a page"
expect_json nextCursor '"alr-1"'
reqt "$reader" GET "$base_path/alerts?limit=1&cursor=alr-1"
expect_status 200 "the page after the cursor"
check "the page after alr-1 holds the older alert" "$(jq -r '.alerts[0].id' "$E2E_TMP/body")" "alr-2"
expect_no_json_key nextCursor
reqt "$reader" GET "$base_path/alerts?offset=10000"
expect_status 200 "alerts offset at the cap"
reqt "$reader" GET "$base_path/alerts?offset=10001"
expect_error 400 "alerts offset past the cap"
expect_json code '"offset_too_large"'
reqt "$reader" GET "$base_path/alerts?offset=1&cursor=alr-1"
expect_error 400 "alerts cursor and offset together"

echo "# scopes and tenants"
reqt "$tracker" GET "$base_path/lastLocation"
expect_error 403 "a tracker token reads nothing"
expect_header WWW-Authenticate 'scope="devices:read"'
reqt "$tracker" GET "$base_path/alerts"
expect_error 403 "a tracker token lists no alerts"
post_json "$reader" "$base_path/locations" '{"time":"2025-06-01T10:00:00Z","latitude":0,"longitude":0}'
expect_error 403 "a read token posts nothing"
reqt "$stranger" GET "$base_path/lastLocation"
expect_error 404 "another tenant's device is not found"
post_json "$stranger" "$base_path/locations" '{"time":"2025-06-01T13:00:00Z","latitude":0,"longitude":0}'
expect_error 404 "nor can it be posted to"
req OPTIONS "$base_path/locations"
expect_status 204 "OPTIONS"
expect_header Allow '^GET, HEAD, POST, OPTIONS$'
reqt "$reader" DELETE "$base_path/locations"
expect_error 405 "DELETE of locations"

echo "# the devices: create, list, read, JSON Patch"
reqt "$writer" POST /api/devices -H 'Content-Type: application/json' \
	--data-binary '{"name":"Tracker 7","imei":"353918053412348","protocol":"gt06"}'
expect_status 201 "register a tracker"
expect_header Location '^/api/devices/dev-[0-9]+$'
expect_json imei '"353918053412348"'
reqt "$tracker" POST /api/devices -H 'Content-Type: application/json' --data-binary '{"name":"x"}'
expect_error 403 "a tracker token registers nothing"
reqt "$reader" GET '/api/devices?count=exact'
expect_status 200 "list"
expect_json total 2
reqt "$reader" GET "$base_path"
expect_status 200 "one device"
expect_json name '"van"'
expect_json lastUpdate '"2025-06-01T10:00:30Z"'
expect_header ETag '^"1"$'
reqt "$writer" PATCH "$base_path" -H 'Content-Type: application/json-patch+json' -H 'If-Match: "1"' \
	--data-binary '[{"op":"replace","path":"/name","value":"Van 12"},{"op":"add","path":"/imei","value":"490154203237518"}]'
expect_status 200 "JSON Patch"
expect_json imei '"490154203237518"'
expect_header ETag '^"2"$'
reqt "$writer" PATCH "$base_path" -H 'Content-Type: application/merge-patch+json' -H 'If-Match: "2"' \
	--data-binary '{"model":"GT06N","tags":{"fleet":"north"},"group":null}'
expect_status 200 "JSON Merge Patch"
expect_json model '"GT06N"'
expect_json tags '{"fleet":"north"}'
expect_json name '"Van 12"'
expect_header ETag '^"3"$'
reqt "$writer" PATCH "$base_path" -H 'Content-Type: application/merge-patch+json' -H 'If-Match: "2"' \
	--data-binary '{"model":"X"}'
expect_error 412 "a merge patch with a stale If-Match"
reqt "$writer" PATCH "$base_path" -H 'Content-Type: application/json-patch+json' \
	--data-binary '[{"op":"replace","path":"/imei","value":"4901542032"}]'
expect_error 422 "a bad IMEI"
reqt "$tracker" PATCH "$base_path" -H 'Content-Type: application/json-patch+json' --data-binary '[]'
expect_error 403 "a tracker token patches nothing"
req OPTIONS "$base_path"
expect_status 204 "OPTIONS of a device"
expect_header Accept-Patch '^application/json-patch\+json, application/merge-patch\+json$'

echo "# one device store: the device app's device is the Devices API's"
app=$(e2e_token acme device_app_user:write,users:read app)
reqt "$app" POST /api/v1/device_app_user_update/ -H 'Content-Type: application/json' \
	--data-binary '{"data":{"username":"ana","imei":"353918053412348"}}'
expect_status 201 "the device app makes a user and its device"
uid=$(jq -r .user_id "$E2E_TMP/body")
reqt "$app" GET "/api/users/$uid"
expect_status 200 "the user names its device"
appdev=$(jq -r .deviceId "$E2E_TMP/body")
reqt "$reader" GET "/api/devices/$appdev"
expect_status 200 "the Devices API reads that device"
expect_json imei '"353918053412348"'
reqt "$writer" PATCH "/api/devices/$appdev" -H 'Content-Type: application/json-patch+json' \
	--data-binary '[{"op":"replace","path":"/imei","value":"3539180534123401"}]'
expect_status 200 "an IMEI set through the Devices API"
reqt "$app" POST /api/v1/device_app_user_update/ -H 'Content-Type: application/json' \
	--data-binary '{"data":{"username":"ana","user_class":"gold"}}'
expect_status 201 "the device app answers for the user"
expect_json imei '"3539180534123401"'
check "still one device row for it" \
	"$(e2e_sql "SELECT COUNT(*) FROM devices WHERE imei IN ('353918053412348', '3539180534123401')")" 1

echo "# 8 clients post interleaved, shuffled batches of one device at once"
cdev=dev-$(e2e_sql "INSERT INTO devices (tenant_id, name) VALUES ($acme, 'busy'); SELECT LAST_INSERT_ID();")
fixes=1600
mkdir -p "$E2E_TMP/batches"
# 1600 fixes (second k after 08:00) in shuffled order, cut into 64 batches of
# 25; every batch also resends 5 fixes of other batches.
seq 0 $((fixes - 1)) | shuf --random-source=<(yes) >"$E2E_TMP/order"
split -l 25 -d -a 3 "$E2E_TMP/order" "$E2E_TMP/batches/b"
for f in "$E2E_TMP"/batches/b*; do
	{ cat "$f"; shuf -n 5 --random-source=<(yes) "$E2E_TMP/order"; } |
		awk 'BEGIN { printf "[" } { printf "%s{\"time\":\"2025-06-02T%02d:%02d:%02dZ\",\"latitude\":%.4f,\"longitude\":1}",
			(NR > 1 ? "," : ""), 8 + int($1 / 3600), int($1 / 60) % 60, $1 % 60, $1 / 10000 } END { printf "]" }' >"$f.json"
done
export UP_TEST_BASE_URL tracker cdev
# shellcheck disable=SC2016 # expanded by the inner sh
find "$E2E_TMP/batches" -name '*.json' -print0 | xargs -0 -P 8 -I{} sh -c '
	curl -s -o "{}.out" -w "%{http_code}\n" --max-time 60 -X POST \
		-H "Authorization: Bearer $tracker" -H "Content-Type: application/json" \
		--data-binary "@{}" "$UP_TEST_BASE_URL/api/devices/$cdev/locations"' >"$E2E_TMP/codes"
bad=$(grep -cvE '^20[01]$' "$E2E_TMP/codes" || true)
check "64 concurrent batches answered 200/201 ($(sort "$E2E_TMP/codes" | uniq -c | tr '\n' ' '))" "$bad" 0
accepted=$(cat "$E2E_TMP"/batches/*.json.out | jq -s 'map(.accepted) | add')
check "accepted adds up to the distinct fixes" "$accepted" "$fixes"
stored=$(e2e_sql "SELECT COUNT(*) FROM positions WHERE device_id = ${cdev#dev-}")
check "every fix stored once" "$stored" "$fixes"
reqt "$reader" GET "/api/devices/$cdev/lastLocation"
expect_status 200 "lastLocation after the concurrent batches"
expect_json time '"2025-06-02T08:26:39Z"'
expect_json latitude 0.1599

echo "# DELETE of a device: its history goes with it (no foreign key: partitioned tables)"
post_json "$tracker" "/api/devices/$cdev/alerts" '{"type":"sos","time":"2025-06-02T09:00:00Z"}'
expect_status 201 "an alert of the busy device"
reqt "$tracker" DELETE "/api/devices/$cdev"
expect_error 403 "DELETE with a report token"
reqt "$(e2e_token other devices:write other-writer)" DELETE "/api/devices/$cdev"
expect_error 404 "DELETE of another tenant's device"
check "the history is still there" "$(e2e_sql "SELECT (SELECT COUNT(*) FROM positions WHERE device_id = ${cdev#dev-}) + (SELECT COUNT(*) FROM alerts WHERE device_id = ${cdev#dev-})")" "$((fixes + 1))"
reqt "$writer" DELETE "/api/devices/$cdev"
expect_status 204 "DELETE of the busy device"
check "its positions and alerts are gone" "$(e2e_sql "SELECT (SELECT COUNT(*) FROM positions WHERE device_id = ${cdev#dev-}) + (SELECT COUNT(*) FROM alerts WHERE device_id = ${cdev#dev-})")" "0"
reqt "$reader" GET "/api/devices/$cdev"
expect_error 404 "the deleted device"
check "the other devices keep theirs" "$(e2e_sql "SELECT COUNT(*) > 0 FROM positions WHERE device_id = ${dev#dev-}")" "1"

e2e_finish
