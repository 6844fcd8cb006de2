#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# POST /api/v1/device_app_user_update/ through lighttpd: the documented cURL
# example, the older clients' payload, form bodies, the Users API reading and
# feeding the same users, tenant isolation, and the HTTP errors.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

EP=/api/v1/device_app_user_update/

acme=$(e2e_tenant acme)
globex=$(e2e_tenant globex)
t_app=$(e2e_token acme device_app_user:write,users:read app)
t_read=$(e2e_token acme users:read reader)
t_globex=$(e2e_token globex device_app_user:write,users:read globex-app)

# expect_body PYTHON_EXPR [WHY]: the expression is true of the parsed body `b`.
expect_body() {
	if python3 -c '
import json, re, sys
b = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$E2E_TMP/body" "$1" 2>/dev/null; then
		pass "$E2E_WHAT: $1"
	else
		fail "$E2E_WHAT: expected $1${2:+ ($2)}"
		show_response
	fi
}

# expect_sql SQL VALUE [WHY]: the query prints VALUE.
expect_sql() {
	local got
	got=$(e2e_sql "$1")
	if [ "$got" = "$2" ]; then
		pass "db: $1 = $2"
	else
		fail "db: $1 gave '$got', expected '$2'${3:+ ($3)}"
	fi
}

body_field() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$E2E_TMP/body" "$1"
}

echo "# the documented cURL example"
# First as a client's JSON library writes it (line breaks escaped as \n);
# the text exactly as the page prints it follows below.
curl -s -S -o "$E2E_TMP/body" -D "$E2E_TMP/headers" -w '%{http_code}' \
	-X POST "$UP_TEST_BASE_URL/api/v1/device_app_user_update/" \
	-H "Authorization: Bearer $t_app" \
	-H "Content-Type: application/json" \
	--data-binary '{
"data": "{\n\"number\": \"+1234567890\",\n\"generic_id\": \"com.example.app.user123\",\n\"imei\": \"123456789012345\",\n\"imsi\": \"310120123456789\",\n\"iccid\": \"12345678901234567890\",\n\"username\": \"john_doe\",\n\"password\": \"hashed_password_string\",\n\"user_external_id\": \"ext_user_456\",\n\"user_class\": \"premium\"\n}"
}' >"$E2E_TMP/status" || echo curl-failed >"$E2E_TMP/status"
E2E_STATUS=$(cat "$E2E_TMP/status")
E2E_WHAT="POST $EP (seed example)"
expect_status 201 "created"
expect_common
expect_json success true
expect_json number '"+1234567890"'
expect_json generic_id '"com.example.app.user123"'
expect_json imei '"123456789012345"'
expect_json imsi '"310120123456789"'
expect_json iccid '"12345678901234567890"'
expect_json username '"john_doe"'
expect_json user_external_id '"ext_user_456"'
expect_json user_class '"premium"'
expect_json version 1
expect_no_json_key password
expect_body 're.fullmatch(r"usr-[1-9][0-9]*", b["user_id"]) is not None'
expect_body 're.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b["updated_at"]) is not None'
expect_body 'sorted(b["updated_fields"]) == sorted(["number", "generic_id", "imei", "imsi", "iccid", "username", "password", "user_external_id", "user_class"])'
expect_body 'isinstance(b["apiUsage"], int) and isinstance(b["apiDailyUsage"], int)'
expect_body '"hashed_password_string" not in json.dumps(b)' "password never echoed"
john=$(body_field user_id)
jid=${john#usr-}
expect_sql "SELECT COUNT(*) FROM users WHERE tenant_id = $acme" 1
expect_sql "SELECT password_hash LIKE '\$argon2id\$%' FROM users WHERE id = $jid" 1 "stored hashed"
expect_sql "SELECT COUNT(*) FROM users WHERE password_hash = 'hashed_password_string'" 0
expect_sql "SELECT CONCAT(d.imei, ' ', d.imsi, ' ', d.iccid) FROM users u JOIN devices d ON d.id = u.device_id WHERE u.id = $jid" \
	"123456789012345 310120123456789 12345678901234567890"
expect_sql "SELECT COUNT(*) FROM audit_log WHERE user_id = $jid AND action = 'create'" 1
expect_sql "SELECT COUNT(*) FROM audit_log WHERE changed_fields LIKE '%hashed_password%'" 0
dev=$(e2e_sql "SELECT device_id FROM users WHERE id = $jid")

echo "# the documented cURL example exactly as printed (raw line breaks in data)"
reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' -d '{
"data": "{
\"number\": \"+1234567890\",
\"generic_id\": \"com.example.app.user123\",
\"imei\": \"123456789012345\",
\"imsi\": \"310120123456789\",
\"iccid\": \"12345678901234567890\",
\"username\": \"john_doe\",
\"password\": \"hashed_password_string\",
\"user_external_id\": \"ext_user_456\",
\"user_class\": \"premium\"
}"
}'
expect_status 201 "the printed example is the same user, unchanged"
expect_json user_id "\"$john\""
expect_json updated_fields '[]'
expect_json version 1
expect_json imei '"123456789012345"'
expect_no_json_key password

echo "# the same request again changes nothing"
reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary '{"data": "{\"username\": \"john_doe\", \"number\": \"+1234567890\", \"imei\": \"123456789012345\", \"password\": \"hashed_password_string\", \"user_class\": \"premium\"}"}'
expect_status 201 "no-op update"
expect_json updated_fields '[]'
expect_json version 1
expect_json user_id "\"$john\""
expect_sql "SELECT COUNT(*) FROM audit_log WHERE user_id = $jid" 1 "no audit row for a no-op"

echo "# the Users API reads the user"
reqt "$t_app" GET "/api/users/$john"
expect_status 200
expect_json id "\"$john\""
expect_json deviceId "\"dev-$dev\""
expect_no_json_key password

echo "# older clients: user_id, profile, preferences"
reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary "{\"data\": \"{\\\"user_id\\\": \\\"$jid\\\", \\\"profile\\\": {\\\"first_name\\\": \\\"John\\\", \\\"last_name\\\": \\\"Smith\\\", \\\"email\\\": \\\"john.smith@example.com\\\"}, \\\"preferences\\\": {\\\"notifications_enabled\\\": true, \\\"language\\\": \\\"en\\\"}}\"}"
expect_status 201 "old-style update by plain numeric user_id"
expect_json user_id "\"$john\""
expect_json updated_fields '["profile.first_name", "profile.last_name", "profile.email", "preferences.notifications_enabled", "preferences.language"]'
expect_json profile '{"first_name": "John", "last_name": "Smith", "email": "john.smith@example.com"}'
expect_json preferences '{"notifications_enabled": true, "language": "en"}'
expect_json version 2
expect_json username '"john_doe"'
reqt "$t_app" GET "/api/users/$john"
expect_status 200 "Users API sees profile.email as email"
expect_json email '"john.smith@example.com"'

echo "# form-encoded body: device replacement and class upgrade"
reqt "$t_app" POST "${EP%/}" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-urlencode 'data={"user_external_id": "ext_user_456", "imei": "490154203237518", "iccid": "89148000001234567898", "user_class": "enterprise"}'
expect_status 201 "form body, path without the trailing slash"
expect_json user_id "\"$john\""
expect_json updated_fields '["imei", "iccid", "user_class"]'
expect_json imei '"490154203237518"'
expect_json imsi '"310120123456789"'
expect_json user_class '"enterprise"'
expect_json version 3
expect_sql "SELECT device_id FROM users WHERE id = $jid" "$dev" "same device row"

t_users=$(e2e_token acme users:read,users:write users-rw)

echo "# a user created by POST /api/users, then updated here by user_id"
reqt "$t_users" POST /api/users -H 'Content-Type: application/json' \
	--data-binary '{"name": "Grace Hopper", "email": "grace@example.com"}'
expect_status 201 "POST /api/users"
grace=$(body_field id)
reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary "{\"data\": \"{\\\"user_id\\\": \\\"$grace\\\", \\\"username\\\": \\\"grace\\\", \\\"imei\\\": \\\"353918053412348\\\"}\"}"
expect_status 201 "device-app update of a Users API user"
expect_json user_id "\"$grace\""
expect_json updated_fields '["imei", "username"]'
expect_json profile '{"first_name": null, "last_name": null, "email": "grace@example.com"}'
expect_json version 2
reqt "$t_users" GET "/api/users/$grace"
expect_status 200
expect_json name '"Grace Hopper"'
expect_body 'b["deviceId"] is not None and b["deviceId"].startswith("dev-")'
expect_header ETag '^"2"$'

echo "# a user of the Users API, updated here by user_id"
ada=$(e2e_user "$acme" 'Ada Lovelace' 'ada@example.com')
reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary "{\"data\": {\"user_id\": \"$ada\", \"username\": \"ada\", \"imsi\": \"310150123456789\", \"profile\": {\"email\": \"ada@example.org\"}}}"
expect_status 201 "data as an object"
expect_json user_id "\"$ada\""
expect_json updated_fields '["imsi", "username", "profile.email"]'
expect_json profile '{"first_name": null, "last_name": null, "email": "ada@example.org"}'
reqt "$t_read" GET "/api/users/$ada"
expect_status 200
expect_json name '"Ada Lovelace"'
expect_json email '"ada@example.org"'
expect_body 'b["deviceId"] is not None and b["deviceId"].startswith("dev-")'

echo "# tenants"
reqt "$t_globex" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary '{"data": "{\"username\": \"john_doe\", \"imei\": \"123456789012345\"}"}'
expect_status 201 "same username and IMEI in another tenant: another user"
expect_body 'b["user_id"] != "'"$john"'"'
expect_json version 1
expect_sql "SELECT COUNT(*) FROM users WHERE username = 'john_doe'" 2
expect_sql "SELECT COUNT(*) FROM users WHERE tenant_id = $globex" 1
reqt "$t_globex" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary "{\"data\": \"{\\\"user_id\\\": \\\"$john\\\", \\\"user_class\\\": \\\"free\\\"}\"}"
expect_error 404 "user of another tenant"
expect_sql "SELECT user_class FROM users WHERE id = $jid" enterprise "unchanged"

echo "# conflicts and validation"
reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary '{"data": "{\"username\": \"ada\", \"number\": \"+1234567890\"}"}'
expect_error 409 "keys of two users"
expect_body 'sorted(d["field"] for d in b["details"]) == ["number", "username"]'
reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary '{"data": "{\"username\": \"bad name\", \"imei\": \"12\", \"number\": \"12345\"}"}'
expect_error 422
expect_body 'sorted(d["field"] for d in b["details"]) == ["imei", "number", "username"]'
reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' --data-binary '{"data": "{\"user_class\": \"x\"}"}'
expect_error 400 "no identifying key"
expect_json code '"missing_key"'
reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' --data-binary '{"data": "{not json"}'
expect_error 400 "data is not JSON"
expect_json code '"invalid_data"'

echo "# HTTP errors"
req POST "$EP" -H 'Content-Type: application/json' --data-binary '{"data": "{\"username\": \"x\"}"}'
expect_error 401 "no token"
expect_header WWW-Authenticate '^Bearer realm="userpatch"'
reqt "$t_read" POST "$EP" -H 'Content-Type: application/json' --data-binary '{"data": "{\"username\": \"x\"}"}'
expect_error 403 "token without device_app_user:write"
reqt "$t_app" GET "$EP"
expect_error 405
expect_header Allow '^POST$'
reqt "$t_app" POST "$EP" -H 'Content-Type: text/plain' --data-binary 'data={}'
expect_error 415
reqt "$t_app" POST "/api/v1/device_app_user_update/extra" -H 'Content-Type: application/json' --data-binary '{}'
expect_error 404 "other path"
expect_sql "SELECT COUNT(*) FROM users" 4 "no user made by the failures"

e2e_finish
