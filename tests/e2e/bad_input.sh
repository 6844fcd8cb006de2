#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Bad input found by review, through lighttpd with curl: malformed
# percent-escapes in the query are 400, long non-ASCII names come back cut
# on a character boundary (every body is checked to be UTF-8 by req()),
# identifiers with edge spaces are refused, email uniqueness ignores case,
# and a client's X-Request-Id never becomes the server's request id (the
# audit trail and the response carry the server's; the log line has both).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

acme=$(e2e_tenant acme)
t_users=$(e2e_token acme users:read,users:write users)
t_app=$(e2e_token acme device_app_user:write app)
e2e_user "$acme" 'Bob' 'Bob@example.com' >/dev/null
aj='Content-Type: application/json'
app=/api/v1/device_app_user_update/
e5=$'\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9'
long_name="x$e5$e5$e5$e5$e5$e5$e5$e5$e5" # 91 bytes: every byte cap falls inside a character

echo "# malformed percent-escapes in the query"
# (%00 never arrives: lighttpd refuses it itself; the unit tests cover it)
for q in 'email=%ZZ' 'limit=%zz' 'group=a%2' 'email=%'; do
	reqt "$t_users" GET "/api/users?$q"
	expect_error 400 "?$q"
	expect_json code '"bad_request"'
done
reqt "$t_users" GET '/api/users?email=bob%40EXAMPLE.com&count=exact'
expect_status 200 "a well-formed escape still filters (and ignores letter case)"
expect_json total 1

echo "# messages cut on a character boundary"
reqt "$t_app" POST "$app" -H "$aj" --data-binary "{\"data\": {\"username\": \"a\", \"$long_name\": 1}}"
expect_error 422 "unknown member with a long non-ASCII name"
reqt "$t_app" POST "$app" -H "$aj" --data-binary "{\"data\": {\"username\": \"a\"}, \"$long_name\": 1}"
expect_error 400 "unexpected envelope member with a long non-ASCII name"
reqt "$t_users" POST /api/users -H "$aj" --data-binary "{\"name\": \"N\", \"tags\": {\"$long_name\": 5}}"
expect_error 422 "tag with a long non-ASCII key and a bad value"

echo "# identifiers are taken as sent"
reqt "$t_app" POST "$app" -H "$aj" --data-binary '{"data": {"user_external_id": "crm-1"}}'
expect_status 201 "create crm-1"
reqt "$t_app" POST "$app" -H "$aj" --data-binary '{"data": {"user_external_id": "crm-1 ", "user_class": "x"}}'
expect_error 422 "\"crm-1 \" does not find crm-1"
if [ "$(e2e_sql "SELECT COUNT(*) FROM users WHERE user_class = 'x'")" = 0 ]; then
	pass "crm-1 was not updated"
else
	fail "crm-1 was updated through \"crm-1 \""
fi

echo "# email uniqueness ignores letter case"
reqt "$t_users" POST /api/users -H "$aj" --data-binary '{"name": "Other", "email": "bob@example.COM"}'
expect_error 422 "bob@example.COM is Bob@example.com"
reqt "$t_app" POST "$app" -H "$aj" \
	--data-binary '{"data": {"username": "bobby", "profile": {"email": "BOB@example.com"}}}'
expect_error 409 "device-app: BOB@example.com is Bob@example.com"

echo "# preference numbers are stored exactly or refused"
reqt "$t_app" POST "$app" -H "$aj" \
	--data-binary '{"data": {"username": "nums", "preferences": {"big": 9007199254740993}}}'
expect_error 422 "2^53 + 1 is refused"
reqt "$t_app" POST "$app" -H "$aj" \
	--data-binary '{"data": {"username": "nums", "preferences": {"max": 9007199254740991}}}'
expect_status 201 "2^53 - 1 is stored"
if grep -q '"max":9007199254740991' "$E2E_TMP/body"; then
	pass "2^53 - 1 comes back exactly"
else
	fail "2^53 - 1 did not come back exactly: $(cat "$E2E_TMP/body")"
fi

echo "# X-Request-Id: the client's is kept apart"
log_from=$(e2e_log_lines)
reqt "$t_app" POST "$app" -H "$aj" -H 'X-Request-Id: client-chosen-7' \
	--data-binary '{"data": {"username": "rid_user"}}'
expect_status 201 "create with a client X-Request-Id"
rid=$(header X-Request-Id)
if [[ $rid =~ ^[0-9a-f]{32}$ ]]; then
	pass "the response carries the server's own id ($rid)"
else
	fail "the response's X-Request-Id is '$rid', not a server id"
fi
audited=$(e2e_sql "SELECT request_id FROM audit_log WHERE changed_fields LIKE '%username%' \
	ORDER BY id DESC LIMIT 1")
if [ "$audited" = "$rid" ]; then
	pass "the audit row holds the server's id"
else
	fail "the audit row holds '$audited', not '$rid'"
fi
# The request line is written after the answer: wait for it (at most 10 s).
for _ in $(seq 50); do
	e2e_log_has "$log_from" "rid=$rid POST .* client_rid=client-chosen-7\$" && break
	sleep 0.2
done
if e2e_log_has "$log_from" "rid=$rid POST .* client_rid=client-chosen-7\$"; then
	pass "the request line logs both ids"
else
	fail "no request line with rid=$rid and client_rid=client-chosen-7"
fi

e2e_finish
