#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The tracker apps' protocols through lighttpd, as the apps send them:
# OsmAnd as a query (GET and POST), a form and JSON; OwnTracks with HTTP
# Basic and X-Limit-D; an Overland batch and its resend; an unknown device,
# bad coordinates, a missing or wrong key, the key refused on other paths
# and kept out of the log, and a token bound to one device.  Every response
# is checked against docs/openapi.yaml.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
tracker=$(e2e_token acme devices:report tracker)
reader=$(e2e_token acme devices:read reader)
phone=$(e2e_sql "INSERT INTO devices (tenant_id, name, unique_id) VALUES ($acme, 'phone', '123456'); SELECT LAST_INSERT_ID();")
van=$(e2e_sql "INSERT INTO devices (tenant_id, name, imei) VALUES ($acme, 'van', '353918053412348'); SELECT LAST_INSERT_ID();")
bound=$(e2e_token acme devices:report bound --device "dev-$phone")

check() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got $2, expected $3"; fi
}
count() { e2e_sql "SELECT COUNT(*) FROM positions WHERE device_id = $1"; }
expect_empty_body() {
	if [ ! -s "$E2E_TMP/body" ]; then pass "$E2E_WHAT: empty body"; else fail "$E2E_WHAT: body $(head -c 200 "$E2E_TMP/body")"; fi
}

echo "# OsmAnd: Traccar Client's query string, token as ?key="
req GET "/api/trackers/osmand?id=123456&timestamp=1748772000&lat=48.8584&lon=2.2945&speed=10&bearing=90&altitude=35&accuracy=5&batt=80&key=$tracker"
expect_status 200 "OsmAnd GET with key"
expect_empty_body
check "stored" "$(count "$phone")" 1
check "speed in km/h (10 knots)" "$(e2e_sql "SELECT ROUND(speed, 2) FROM positions WHERE device_id = $phone")" 18.52
reqt "$reader" GET "/api/devices/dev-$phone/lastLocation"
expect_status 200 "lastLocation after OsmAnd"
expect_json time '"2025-06-01T10:00:00Z"'
expect_json course 90

echo "# OsmAnd: POST with the query, a form body, JSON (Traccar Client 9)"
reqt "$tracker" POST "/api/trackers/osmand?id=123456&timestamp=2025-06-01%2010:01:00&lat=48.86&lon=2.29&speed=-1" --data-binary ''
expect_status 200 "OsmAnd POST query, yyyy-MM-dd HH:mm:ss"
expect_empty_body
reqt "$tracker" POST /api/trackers/osmand -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary 'deviceid=353918053412348&lat=50.1&lon=8.6&timestamp=1748772120000&alarm=sos'
expect_status 200 "OsmAnd form by IMEI, milliseconds, alarm"
check "the form stored for the van" "$(count "$van")" 1
check "the alarm made an sos alert" "$(e2e_sql "SELECT type FROM alerts WHERE device_id = $van")" sos
reqt "$tracker" POST /api/trackers/osmand -H 'Content-Type: application/json' --data-binary \
	'{"location":{"timestamp":"2025-06-01T10:03:00.000Z","coords":{"latitude":48.87,"longitude":2.3,"speed":2.5,"heading":-1,"accuracy":8},"is_moving":true,"battery":{"level":0.5,"is_charging":false}},"device_id":"123456"}'
expect_status 200 "OsmAnd JSON"
check "m/s in km/h" "$(e2e_sql "SELECT ROUND(speed, 2) FROM positions WHERE device_id = $phone AND fix_time = '2025-06-01 10:03:00'")" 9.00
check "heading -1 is absent" "$(e2e_sql "SELECT course IS NULL FROM positions WHERE device_id = $phone AND fix_time = '2025-06-01 10:03:00'")" 1

echo "# OwnTracks with HTTP Basic and X-Limit-D"
req POST /api/trackers/owntracks -u "jane:$tracker" -H 'X-Limit-D: 123456' -H 'Content-Type: application/json' \
	--data-binary '{"_type":"location","lat":48.88,"lon":2.31,"tst":1748772240,"acc":10,"vel":12,"batt":70,"tid":"jj","topic":"owntracks/jane/phone"}'
expect_status 200 "OwnTracks location"
check "the answer is []" "$(cat "$E2E_TMP/body")" "[]"
check "vel kept as km/h" "$(e2e_sql "SELECT speed FROM positions WHERE device_id = $phone AND fix_time = '2025-06-01 10:04:00'")" 12
req POST /api/trackers/owntracks -u "jane:$tracker" -H 'Content-Type: application/json' \
	--data-binary '{"_type":"transition","event":"enter","tst":1748772240,"tid":"jj"}'
expect_status 200 "OwnTracks transition: accepted, nothing stored"
check "the answer is []" "$(cat "$E2E_TMP/body")" "[]"

echo "# Overland: a batch, then its resend"
batch='{"locations":[
 {"type":"Feature","geometry":{"type":"Point","coordinates":[2.32,48.89]},"properties":{"timestamp":"2025-06-01T12:05:00+0200","speed":4,"horizontal_accuracy":30,"motion":["driving"],"battery_level":0.9,"device_id":"123456"}},
 {"type":"Feature","geometry":{"type":"Point","coordinates":[2.33,48.9]},"properties":{"timestamp":"2025-06-01T10:06:00Z","speed":-1,"device_id":"123456"}}]}'
before=$(count "$phone")
reqt "$tracker" POST /api/trackers/overland -H 'Content-Type: application/json' --data-binary "$batch"
expect_status 200 "Overland batch"
check 'the answer is {"result":"ok"}' "$(jq -c . "$E2E_TMP/body")" '{"result":"ok"}'
check "two stored" "$(count "$phone")" $((before + 2))
reqt "$tracker" POST /api/trackers/overland -H 'Content-Type: application/json' --data-binary "$batch"
expect_status 200 "Overland resend"
check "the resend stored nothing" "$(count "$phone")" $((before + 2))
reqt "$reader" GET "/api/devices/dev-$phone/lastLocation"
expect_json time '"2025-06-01T10:06:00Z"'

echo "# bad input: nothing stored"
before=$(count "$phone")
reqt "$tracker" GET "/api/trackers/osmand?id=unknown-9&lat=1&lon=2"
expect_error 404 "unknown device"
expect_json code '"device_not_found"'
reqt "$tracker" GET "/api/trackers/osmand?id=123456&lat=91&lon=2"
expect_error 422 "latitude 91"
reqt "$tracker" POST /api/trackers/overland -H 'Content-Type: application/json' --data-binary \
	'{"locations":[{"type":"Feature","geometry":{"type":"Point","coordinates":[2,1]},"properties":{"timestamp":"2025-06-01T11:00:00Z","device_id":"123456"}},{"type":"Feature","geometry":{"type":"Point","coordinates":[200,1]},"properties":{"timestamp":"2025-06-01T11:00:01Z","device_id":"123456"}}]}'
expect_error 422 "an Overland batch with one bad point"
check "index 1 longitude" "$(jq -c '[.details[] | "\(.index):\(.field)"]' "$E2E_TMP/body")" '["1:longitude"]'
check "nothing stored" "$(count "$phone")" "$before"

echo "# auth"
req GET "/api/trackers/osmand?id=123456&lat=1&lon=2"
expect_error 401 "no token"
req GET "/api/trackers/osmand?id=123456&lat=1&lon=2&key=$(printf '0%.0s' $(seq 64))"
expect_error 401 "a wrong key"
req POST /api/trackers/owntracks -u "jane:wrong" -H 'Content-Type: application/json' --data-binary '{"_type":"lwt"}'
expect_error 401 "a wrong Basic password"
req GET "/api/devices/dev-$phone/lastLocation?key=$reader"
expect_error 400 "key on another path"
req POST "/api/devices/dev-$phone/locations?key=$tracker" -H 'Content-Type: application/json' \
	--data-binary '{"time":"2025-06-01T11:00:00Z","latitude":1,"longitude":1}'
expect_error 400 "key on the Devices API"
req GET "/api/trackers/osmand?id=123456&lat=1&lon=2&key=$reader"
expect_error 403 "a read token is no report token"
# Our programs log the path of each request, never its query.
if ! grep -q "/api/trackers/osmand" "$E2E_PROG_LOG"; then
	fail "the programs' log has no request line of the trackers"
elif grep -q -e "$tracker" -e "$reader" "$E2E_PROG_LOG"; then
	fail "a key is in the programs' log"
else
	pass "the programs' log has the requests and no key"
fi

echo "# a token bound to the phone"
reqt "$bound" GET "/api/trackers/osmand?lat=1&lon=2&timestamp=1748775600"
expect_status 200 "bound token, no id"
check "stored for the phone" "$(e2e_sql "SELECT COUNT(*) FROM positions WHERE device_id = $phone AND fix_time = '2025-06-01 11:00:00'")" 1
reqt "$bound" GET "/api/trackers/osmand?id=353918053412348&lat=1&lon=2"
expect_error 403 "bound token, another device by IMEI"
expect_json code '"wrong_device"'
reqt "$bound" POST "/api/devices/dev-$van/locations" -H 'Content-Type: application/json' \
	--data-binary '{"time":"2025-06-01T11:00:00Z","latitude":1,"longitude":1}'
expect_error 403 "bound token on the Devices API, another device"
reqt "$bound" POST "/api/devices/dev-$phone/locations" -H 'Content-Type: application/json' \
	--data-binary '{"time":"2025-06-01T11:30:00Z","latitude":1,"longitude":1}'
expect_status 201 "bound token on the Devices API, its device"
if e2e_admin token list --tenant acme | awk -F'\t' '$3 == "bound" { print $7 }' | grep -qx "dev-$phone"; then
	pass "token list shows the binding"
else
	fail "token list: $(e2e_admin token list --tenant acme | tr '\t' ' ')"
fi

echo "# a device a token is bound to is not deleted until the token is revoked"
writer=$(e2e_token acme devices:write writer)
reqt "$writer" DELETE "/api/devices/dev-$phone"
expect_error 409 "DELETE of the bound device"
expect_json code '"device_in_use"'
if [ "$(count "$phone")" -gt 0 ]; then pass "the device keeps its history"; else fail "history gone after a refused delete"; fi
e2e_admin token revoke "$(e2e_token_id acme bound)" >/dev/null
reqt "$writer" DELETE "/api/devices/dev-$phone"
expect_status 204 "DELETE once the bound token is revoked"
check "its positions gone" "$(count "$phone")" 0
check "the revoked token unbound" "$(e2e_sql "SELECT device_id IS NULL FROM api_tokens WHERE label = 'bound'")" 1

e2e_finish
