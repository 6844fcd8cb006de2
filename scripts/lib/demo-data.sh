# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# The data the examples in docs/api/*.md and README.md start from, loaded by
# `./scripts/serve --demo-data` and by the examples test
# (tests/e2e/doc_examples.sh) into an empty database:
#   tenant "demo":   usr-1 "Juan Perez" with device dev-1 and a last login,
#                    usr-2 "Ana Gomez";
#   tenant "globex": usr-3 "Hank" (another tenant's user: 404 for demo).
# Everything but the last-login time goes through the APIs, as a client
# would do it.
#
# DEMO_SCOPES: the scopes of the demo token: every scope (add new ones here).
# shellcheck disable=SC2034 # used by the scripts that source this file
DEMO_SCOPES=users:read,users:write,device_app_user:write,groups:read,groups:write,devices:read,devices:write,devices:report,events:read,webhooks:write

# demo_data_load ADMIN BASE_URL TOKEN SQL_CMD...: TOKEN belongs to tenant
# "demo" and has DEMO_SCOPES; SQL_CMD runs one SQL statement (given as its
# last argument) as a MariaDB account that may update users. Fails (1) with
# a message on the first request that does not answer as expected.
demo_data_load() {
	local admin=$1 base=$2 token=$3 globex out
	shift 3
	# demo__req EXPECTED_STATUS TOKEN METHOD PATH BODY
	demo__req() {
		local want=$1 tok=$2 method=$3 path=$4 body=$5 got
		got=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" "$base$path" \
			-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
			--data-binary "$body") || got=000
		if [ "$got" != "$want" ]; then
			echo "demo data: $method $path answered $got, not $want" >&2
			return 1
		fi
	}
	demo__req 201 "$token" POST /api/users '{"name": "Juan Perez",
		"email": "juan.perez@example.com", "country": "Colombia",
		"timeZone": "America/Bogota", "description": "VIP User",
		"privileges": ["read", "write"], "adminDevices": 5,
		"from": "2023-01-01T00:00:00Z", "expires": "2024-01-01T00:00:00Z"}' || return 1
	demo__req 201 "$token" POST /api/v1/device_app_user_update/ \
		'{"data": {"user_id": "usr-1", "imei": "490154203237518", "username": "juan"}}' || return 1
	demo__req 201 "$token" POST /api/users '{"name": "Ana Gomez", "email": "ana@example.com"}' || return 1
	"$@" "UPDATE users SET last_login = '2023-06-01 00:00:00' WHERE id = 1" || return 1
	if ! "$admin" tenant list | awk -F '\t' '$2 == "globex" { found = 1 } END { exit !found }'; then
		"$admin" tenant add globex >/dev/null || return 1
	fi
	globex=$("$admin" token issue --tenant globex --scopes users:write \
		--label demo-data 2>/dev/null) || return 1
	demo__req 201 "$globex" POST /api/users '{"name": "Hank", "email": "hank@example.net"}' || return 1
	out=$("$admin" token list --tenant globex | awk -F '\t' '$3 == "demo-data" { print $1 }')
	for id in $out; do
		"$admin" token revoke "$id" >/dev/null || return 1
	done
	return 0
}

# demo_device SQL_CMD...: print the id (n of dev-n) of tenant demo's first
# device, making a "Demo tracker" device when it has none. ./scripts/serve
# does this on every start (for its Devices API example), with or without
# the demo data, and so does the examples test.
demo_device() {
	local tenant="(SELECT id FROM tenants WHERE name = 'demo')" device
	device=$("$@" "SELECT MIN(id) FROM devices WHERE tenant_id = $tenant") || return 1
	if [ -z "$device" ] || [ "$device" = NULL ]; then
		device=$("$@" "INSERT INTO devices (tenant_id, name) SELECT id, 'Demo tracker'
			FROM tenants WHERE name = 'demo'; SELECT LAST_INSERT_ID()") || return 1
	fi
	echo "$device"
}
