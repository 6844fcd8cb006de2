#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The Users API through lighttpd with curl: every method, its success and
# its errors, HEAD, OPTIONS, 405 with Allow, tenant isolation, and the
# database state after each write.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
globex=$(e2e_tenant globex)
t_rw=$(e2e_token acme users:read,users:write rw)
t_ro=$(e2e_token acme users:read ro)
t_globex=$(e2e_token globex users:read,users:write globex)
juan=$(e2e_user "$acme" 'Juan Perez' 'juan@example.com')
hank=$(e2e_user "$globex" 'Hank' 'hank@example.net')
jp='Content-Type: application/json-patch+json'
aj='Content-Type: application/json'

# row ID: the columns a write may change, for before/after comparisons.
row() {
	e2e_sql "SELECT CONCAT_WS('|', name, email, country, time_zone, tags, privileges, user_group,
		disabled, device_id, admin_devices, valid_from, expires, password_hash, version,
		modified_at) FROM users WHERE id = ${1#usr-}"
}
audits() {
	e2e_sql "SELECT COUNT(*) FROM audit_log WHERE user_id = ${1#usr-}"
}
# unchanged ID BEFORE AUDITS: the row and the audit trail are as they were.
unchanged() {
	if [ "$(row "$1")" = "$2" ] && [ "$(audits "$1")" = "$3" ]; then
		pass "$E2E_WHAT: nothing written"
	else
		fail "$E2E_WHAT: the row or the audit trail changed"
	fi
}

echo "# PATCH: the seed's example"
before=$(row "$juan")
a0=$(audits "$juan")
reqt "$t_rw" PATCH "/api/users/$juan" -H "$aj" --data-binary \
	'[{"op":"replace","path":"/email","value":"nuevo_email@example.com"},{"op":"add","path":"/tags","value":{"vip":"true"}}]'
expect_status 200
expect_common
expect_json success true
expect_json id "\"$juan\""
expect_json email '"nuevo_email@example.com"'
expect_json tags '{"vip":"true"}'
expect_no_json_key password
expect_header ETag '^"2"$'
if [ "$(audits "$juan")" -eq $((a0 + 1)) ] &&
	[ "$(e2e_sql "SELECT changed_fields FROM audit_log WHERE user_id = ${juan#usr-} ORDER BY id DESC LIMIT 1")" = '["email","tags"]' ]; then
	pass "one audit row naming email and tags"
else
	fail "audit rows wrong"
fi
if [ "$(row "$juan")" != "$before" ]; then pass "row changed"; else fail "row not changed"; fi

echo "# PATCH errors change nothing"
before=$(row "$juan")
a0=$(audits "$juan")
reqt "$t_rw" PATCH "/api/users/$juan" -H 'Content-Type: text/plain' --data-binary '[]'
expect_error 415
expect_header Accept-Patch '^application/json-patch\+json, application/merge-patch\+json$'
unchanged "$juan" "$before" "$a0"
reqt "$t_rw" PATCH "/api/users/$juan" -H "$jp" --data-binary '[{"op":"replace","path":"/name"}]'
expect_error 400
expect_json code '"patch_malformed"'
unchanged "$juan" "$before" "$a0"
reqt "$t_rw" PATCH "/api/users/$juan" -H "$jp" --data-binary '[{"op":"test","path":"/name","value":"Nobody"}]'
expect_error 409
expect_json code '"test_failed"'
unchanged "$juan" "$before" "$a0"
reqt "$t_rw" PATCH "/api/users/$juan" -H "$jp" -H 'If-Match: "1"' --data-binary '[{"op":"replace","path":"/name","value":"X"}]'
expect_error 412
unchanged "$juan" "$before" "$a0"
reqt "$t_rw" PATCH "/api/users/$juan" -H "$jp" --data-binary \
	'[{"op":"replace","path":"/id","value":"usr-999"},{"op":"replace","path":"/country","value":"Atlantis"},{"op":"add","path":"/nick","value":"J"}]'
expect_error 422
if jq -e '[.details[].field] | sort == ["country","id","nick"]' "$E2E_TMP/body" >/dev/null; then
	pass "422 lists every offending field"
else
	fail "422 details: $(jq -c .details "$E2E_TMP/body")"
fi
unchanged "$juan" "$before" "$a0"
reqt "$t_ro" PATCH "/api/users/$juan" -H "$jp" --data-binary '[]'
expect_error 403
reqt "$t_rw" PATCH "/api/users/$juan" -H "$jp" -H 'If-Match: "2"' --data-binary '[]'
expect_status 200 "empty patch with the current ETag"
expect_header ETag '^"2"$'
unchanged "$juan" "$before" "$a0"

echo "# password: hashed, never returned"
reqt "$t_rw" PATCH "/api/users/$juan" -H "$jp" --data-binary '[{"op":"add","path":"/password","value":"correct horse battery"}]'
expect_status 200
expect_no_json_key password
if grep -q 'correct horse' "$E2E_TMP/body" "$UP_TEST_WEB_DIR"/*.log 2>/dev/null; then
	fail "the password appears in the response or a log"
else
	pass "the password appears in no response or log"
fi
# shellcheck disable=SC2016 # a literal $ in the pattern
case $(e2e_sql "SELECT password_hash FROM users WHERE id = ${juan#usr-}") in
'$argon2id$'*) pass "argon2id hash stored" ;;
*) fail "no argon2id hash stored" ;;
esac

echo "# GET, HEAD, OPTIONS"
reqt "$t_ro" GET "/api/users/$juan"
expect_status 200
expect_header ETag '^"3"$'
reqt "$t_ro" HEAD "/api/users/$juan" -I
expect_status 200 "HEAD"
expect_header ETag '^"3"$'
# curl -I writes the headers where the body would go: no JSON may follow them.
if grep -q "^{" "$E2E_TMP/body"; then fail "HEAD has a body"; else pass "HEAD has no body"; fi
req OPTIONS "/api/users/$juan"
expect_status 204
expect_header Allow '^GET, HEAD, PUT, PATCH, DELETE, OPTIONS$'

echo "# list"
reqt "$t_ro" GET "/api/users?limit=1"
expect_status 200
expect_json limit 1
expect_json offset 0
if jq -e '(.users | length) == 1 and (has("total") | not) and (.apiUsage | type) == "number"' "$E2E_TMP/body" >/dev/null; then
	pass "list page shape"
else
	fail "list page shape: $(head -c 300 "$E2E_TMP/body")"
fi
reqt "$t_ro" GET "/api/users?limit=1&count=exact"
expect_status 200 "count=exact"
if jq -e '.total >= 1' "$E2E_TMP/body" >/dev/null; then pass "total with count=exact"; else fail "no total with count=exact"; fi
reqt "$t_ro" GET "/api/users?count=estimate"
expect_error 400 "count takes only exact"
reqt "$t_ro" GET "/api/users?offset=10001"
expect_error 400 "offset past the window"
expect_json code '"offset_too_large"'
reqt "$t_ro" GET "/api/users?offset=10000"
expect_status 200 "offset at the window's edge"
expect_no_json_key total
reqt "$t_ro" GET "/api/users?limit=0"
expect_error 400
reqt "$t_globex" GET "/api/users?email=nuevo_email%40example.com"
expect_status 200
expect_json users '[]'

echo "# catalogs"
reqt "$t_ro" GET "/api/users/countries"
expect_status 200
if jq -e '.countries | index("Colombia") != null' "$E2E_TMP/body" >/dev/null; then pass "Colombia listed"; else fail "Colombia missing"; fi
reqt "$t_ro" GET "/api/users/timeZones"
expect_status 200
if jq -e '.timeZones | index("America/Bogota") != null' "$E2E_TMP/body" >/dev/null; then pass "America/Bogota listed"; else fail "America/Bogota missing"; fi
reqt "$t_rw" DELETE "/api/users/countries"
expect_error 405
expect_header Allow '^GET, HEAD, OPTIONS$'

echo "# POST"
reqt "$t_rw" POST "/api/users" -H "$aj" --data-binary \
	'{"name":"Nueva","email":"nueva@example.com","country":"Colombia","timeZone":"America/Bogota"}'
expect_status 201
expect_header Location '^/api/users/usr-[1-9][0-9]*$'
expect_header ETag '^"1"$'
expect_json name '"Nueva"'
new=$(jq -r .id "$E2E_TMP/body")
if [ "$(e2e_sql "SELECT COUNT(*) FROM users WHERE id = ${new#usr-} AND tenant_id = $acme")" = 1 ]; then
	pass "created in the caller's tenant"
else
	fail "created user not found"
fi
reqt "$t_rw" POST "/api/users" -H "$aj" --data-binary '{"name":"Dup","email":"nueva@example.com"}'
expect_error 422 "email taken"
reqt "$t_rw" POST "/api/users/$juan" -H "$aj" --data-binary '{}'
expect_error 405
expect_header Allow '^GET, HEAD, PUT, PATCH, DELETE, OPTIONS$'

echo "# PUT"
reqt "$t_rw" PUT "/api/users/$new" -H "$aj" -H 'If-Match: "1"' --data-binary '{"name":"Nueva Dos","email":"nueva@example.com"}'
expect_status 200
expect_json country null
expect_json name '"Nueva Dos"'
expect_header ETag '^"2"$'
before=$(row "$new")
a0=$(audits "$new")
reqt "$t_rw" PUT "/api/users/$new" -H "$aj" -H 'If-Match: "1"' --data-binary '{"name":"Stale"}'
expect_error 412
unchanged "$new" "$before" "$a0"

echo "# tenant isolation: every method on another tenant's user"
before=$(row "$hank")
a0=$(audits "$hank")
for m in GET HEAD PUT PATCH DELETE; do
	case $m in
	PUT) reqt "$t_rw" PUT "/api/users/$hank" -H "$aj" --data-binary '{"name":"M"}' ;;
	PATCH) reqt "$t_rw" PATCH "/api/users/$hank" -H "$jp" --data-binary '[{"op":"replace","path":"/name","value":"M"}]' ;;
	HEAD) reqt "$t_rw" HEAD "/api/users/$hank" -I ;;
	*) reqt "$t_rw" "$m" "/api/users/$hank" ;;
	esac
	expect_status 404 "$m of another tenant's user"
done
unchanged "$hank" "$before" "$a0"

echo "# DELETE"
reqt "$t_rw" DELETE "/api/users/$new" -H 'If-Match: "1"'
expect_error 412
reqt "$t_rw" DELETE "/api/users/$new" -H 'If-Match: "2"'
expect_status 204
if [ "$(e2e_sql "SELECT COUNT(*) FROM users WHERE id = ${new#usr-}")" = 0 ] &&
	[ "$(e2e_sql "SELECT action FROM audit_log WHERE user_id = ${new#usr-} ORDER BY id DESC LIMIT 1")" = delete ]; then
	pass "deleted, with an audit row"
else
	fail "delete not done or not audited"
fi
reqt "$t_rw" DELETE "/api/users/$new"
expect_error 404

echo "# JSON Merge Patch (RFC 7396)"
mp='Content-Type: application/merge-patch+json'
mia=$(e2e_user "$acme" 'Mia' 'mia@example.com')
e2e_sql "UPDATE users SET tags = '{\"env\":\"prod\",\"team\":\"ops\"}', description = 'VIP' WHERE id = ${mia#usr-}"
reqt "$t_rw" PATCH "/api/users/$mia" -H "$mp" --data-binary \
	'{"country":"Colombia","tags":{"team":"dev","env":null,"new":"y"},"description":null}'
expect_status 200 "a merge patch"
expect_common
expect_json country '"Colombia"'
expect_json tags '{"team":"dev","new":"y"}'
expect_json description null
expect_header ETag '^"2"$'
if [ "$(e2e_sql "SELECT changed_fields FROM audit_log WHERE user_id = ${mia#usr-} ORDER BY id DESC LIMIT 1")" = '["country","description","tags"]' ]; then
	pass "one audit row naming the changed fields"
else
	fail "merge patch audit row wrong"
fi
before=$(row "$mia")
a0=$(audits "$mia")
reqt "$t_rw" PATCH "/api/users/$mia" -H "$mp" -H 'If-Match: "1"' --data-binary '{"name":"X"}'
expect_error 412 "a merge patch with a stale If-Match"
unchanged "$mia" "$before" "$a0"
reqt "$t_rw" PATCH "/api/users/$mia" -H "$mp" --data-binary '[{"op":"replace","path":"/name","value":"X"}]'
expect_error 400 "a merge patch that is not an object"
expect_json code '"patch_malformed"'
unchanged "$mia" "$before" "$a0"
reqt "$t_rw" PATCH "/api/users/$mia" -H "$mp" --data-binary '{"id":"usr-1","creation":null,"password":null}'
expect_error 422 "read-only members and a null password"
if jq -e '[.details[].field] | sort == ["creation","id","password"]' "$E2E_TMP/body" >/dev/null; then
	pass "422 names id, creation and password"
else
	fail "422 details: $(jq -c .details "$E2E_TMP/body")"
fi
unchanged "$mia" "$before" "$a0"
reqt "$t_rw" PATCH "/api/users/$mia" -H 'Content-Type: application/merge-patch' --data-binary '{}'
expect_error 415 "an unknown patch type"
expect_header Accept-Patch '^application/json-patch\+json, application/merge-patch\+json$'
unchanged "$mia" "$before" "$a0"

e2e_finish
