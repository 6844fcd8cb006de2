#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The Groups API through lighttpd with curl: every method, its success and
# its errors, HEAD, OPTIONS, 405 with Allow, tenant isolation, the users
# count and group_in_use, the user side's reference check, the audit trail
# and the database state after each write (every answer is also checked
# against docs/openapi.yaml by lib.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
globex=$(e2e_tenant globex)
t_rw=$(e2e_token acme groups:read,groups:write,users:read,users:write rw)
t_ro=$(e2e_token acme groups:read ro)
t_users=$(e2e_token acme users:read,users:write users)
t_globex=$(e2e_token globex groups:read,groups:write globex)
ada=$(e2e_user "$acme" 'Ada' 'ada@example.com')
jp='Content-Type: application/json-patch+json'
aj='Content-Type: application/json'

# row KEY: what a write may change, for before/after comparisons.
row() {
	e2e_sql "SELECT CONCAT_WS('|', tenant_id, name, description, privileges, tags, disabled,
		version, modified_at) FROM user_groups WHERE group_key = '$1' ORDER BY tenant_id"
}
audits() {
	e2e_sql "SELECT COUNT(*) FROM audit_log WHERE resource = 'group' AND resource_key = '$1'"
}
# expect_jq FILTER JSON: the body's FILTER (a jq filter) equals JSON.
expect_jq() {
	if jq -e --argjson v "$2" "($1) == \$v" "$E2E_TMP/body" >/dev/null 2>&1; then
		pass "$E2E_WHAT: $1 == $2"
	else
		fail "$E2E_WHAT: expected $1 == $2, got $(jq -c "$1" "$E2E_TMP/body" 2>&1 | head -c 200)"
	fi
}
unchanged() {
	if [ "$(row "$1")" = "$2" ] && [ "$(audits "$1")" = "$3" ]; then
		pass "$E2E_WHAT: nothing written"
	else
		fail "$E2E_WHAT: the row or the audit trail changed"
	fi
}

echo "# POST"
reqt "$t_rw" POST /api/groups -H "$aj" --data-binary \
	'{"id":"administrators","name":"Administrators","privileges":["manage_users"]}'
expect_status 201
expect_common
expect_header Location '^/api/groups/administrators$'
expect_header ETag '^"1"$'
expect_json id '"administrators"'
expect_json users 0
expect_json privileges '["manage_users"]'
expect_json tags '{}'
expect_json disabled false
if [ "$(audits administrators)" = 1 ]; then pass "one audit row"; else fail "audit rows: $(audits administrators)"; fi
reqt "$t_globex" POST /api/groups -H "$aj" --data-binary '{"id":"administrators","name":"Theirs"}'
expect_status 201 "the same id in another tenant"
before=$(row administrators)
reqt "$t_rw" POST /api/groups -H "$aj" --data-binary '{"id":"administrators","name":"Again"}'
expect_error 409 "an id that exists"
expect_json code '"conflict"'
unchanged administrators "$before" 2
reqt "$t_rw" POST /api/groups -H "$aj" --data-binary '{"id":"Bad Id","name":"x","users":3}'
expect_error 422 "bad id and a read-only field"
expect_jq '.details | map(.field) | sort' '["id","users"]'
reqt "$t_ro" POST /api/groups -H "$aj" --data-binary '{"id":"ro","name":"x"}'
expect_error 403 "a read-only token"
reqt "$t_users" GET /api/groups
expect_error 403 "a users token"
req GET /api/groups
expect_error 401 "no token"

echo "# GET, HEAD, OPTIONS, 405"
reqt "$t_ro" GET /api/groups/administrators
expect_status 200
expect_json name '"Administrators"'
expect_header ETag '^"1"$'
reqt "$t_ro" HEAD /api/groups/administrators
expect_status 200 "HEAD"
req OPTIONS /api/groups/administrators
expect_status 204 "OPTIONS"
expect_header Allow '^GET, HEAD, PUT, PATCH, DELETE, OPTIONS$'
expect_header Accept-Patch '^application/json-patch\+json, application/merge-patch\+json$'
reqt "$t_rw" POST /api/groups/administrators -H "$aj" --data-binary '{}'
expect_error 405 "POST on a group"
expect_header Allow '^GET, HEAD, PUT, PATCH, DELETE, OPTIONS$'
reqt "$t_ro" GET /api/groups/nothing
expect_error 404 "absent"

echo "# PATCH, PUT: If-Match, validation of the whole result"
before=$(row administrators)
reqt "$t_rw" PATCH /api/groups/administrators -H "$jp" -H 'If-Match: "7"' --data-binary \
	'[{"op":"replace","path":"/name","value":"Admins"}]'
expect_error 412 "stale If-Match"
unchanged administrators "$before" 2
reqt "$t_rw" PATCH /api/groups/administrators -H "$jp" --data-binary \
	'[{"op":"replace","path":"/name","value":"Admins"},{"op":"replace","path":"/id","value":"admins"}]'
expect_error 422 "patching the id"
expect_jq '.details[0].field' '"id"'
unchanged administrators "$before" 2
reqt "$t_rw" PATCH /api/groups/administrators -H 'Content-Type: application/merge-patch+json' \
	--data-binary '{"name":null,"tags":{"floor":"3"}}'
expect_error 422 "a merge patch: null on the required name"
expect_jq '.details | map(.field)' '["name"]'
unchanged administrators "$before" 2
reqt "$t_rw" PATCH /api/groups/administrators -H "$jp" -H 'If-Match: "1"' --data-binary \
	'[{"op":"add","path":"/privileges/-","value":"audit"},{"op":"add","path":"/tags/floor","value":"3"}]'
expect_status 200 "patch with If-Match"
expect_header ETag '^"2"$'
expect_json privileges '["manage_users","audit"]'
expect_json tags '{"floor":"3"}'
reqt "$t_rw" PUT /api/groups/administrators -H "$aj" --data-binary \
	'{"id":"administrators","name":"Administrators","description":"Full access"}'
expect_status 200 "replace"
expect_json privileges '[]'
expect_json description '"Full access"'
expect_header ETag '^"3"$'
if [ "$(audits administrators)" = 4 ]; then pass "four audit rows"; else fail "audit rows: $(audits administrators)"; fi

echo "# tenant isolation"
before=$(row administrators)
reqt "$t_globex" GET /api/groups/administrators
expect_status 200 "their own group of the same id"
expect_json name '"Theirs"'
reqt "$t_globex" PATCH /api/groups/nothing -H "$jp" --data-binary '[]'
expect_error 404 "another tenant's absent group"

echo "# the users count, the reference check, group_in_use"
reqt "$t_rw" PATCH "/api/users/$ada" -H "$jp" --data-binary \
	'[{"op":"replace","path":"/group","value":"nothing"}]'
expect_error 422 "a user naming no group"
expect_jq '.details[0].reason' '"no such group"'
reqt "$t_rw" PATCH "/api/users/$ada" -H "$jp" --data-binary \
	'[{"op":"replace","path":"/group","value":"administrators"}]'
expect_status 200 "a user joins the group"
reqt "$t_ro" GET /api/groups/administrators
expect_json users 1
reqt "$t_globex" GET /api/groups/administrators
expect_json users 0
before=$(row administrators)
reqt "$t_rw" DELETE /api/groups/administrators
expect_error 409 "DELETE of a group with a user"
expect_json code '"group_in_use"'
expect_jq '.details[0].count' 1
unchanged administrators "$before" 4
reqt "$t_rw" GET '/api/groups?name=Administrators&count=exact'
expect_status 200 "list by name"
expect_json total 1
expect_jq '.groups[0].users' 1
reqt "$t_rw" PATCH "/api/users/$ada" -H "$jp" --data-binary \
	'[{"op":"replace","path":"/group","value":null}]'
expect_status 200 "the user leaves"
reqt "$t_rw" DELETE /api/groups/administrators -H 'If-Match: "3"'
expect_status 204 "DELETE"
if [ "$(e2e_sql "SELECT COUNT(*) FROM user_groups WHERE tenant_id = $acme")" = 0 ]; then
	pass "the row is gone"
else
	fail "the group is still there"
fi
if [ "$(e2e_sql "SELECT COUNT(*) FROM user_groups WHERE tenant_id = $globex")" = 1 ]; then
	pass "the other tenant's group stays"
else
	fail "the other tenant's group is gone"
fi

e2e_finish
