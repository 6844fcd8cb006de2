#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# GET /api/users/{userId} through lighttpd: authentication, scopes, tenant
# isolation, routing, method and body-size limits, response headers.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

# Fixtures: two tenants, users in both, tokens of several kinds.
acme=$(e2e_tenant acme)
globex=$(e2e_tenant globex)
ada=$(e2e_user "$acme" 'Ada Lovelace' 'ada@example.com')
hank=$(e2e_user "$globex" 'Hank Scorpio' 'hank@example.net')

t_read=$(e2e_token acme users:read reader)
t_all=$(e2e_token acme users:read,users:write,device_app_user:write all)
t_write=$(e2e_token acme users:write,device_app_user:write writer)
t_globex=$(e2e_token globex users:read globex-reader)
t_revoked=$(e2e_token acme users:read,users:write revoke-me)
e2e_admin token revoke "$(e2e_token_id acme revoke-me)"
t_quota=$(e2e_token acme users:read quota --daily-limit 2)

for t in "$t_read" "$t_all" "$t_write" "$t_globex" "$t_revoked" "$t_quota"; do
	if [ -z "$t" ] || [ "$t" != "$(printf '%s' "$t" | tr -d '[:space:]')" ]; then
		echo "token issue printed '$t', not a token" >&2
		exit 99
	fi
done
if [ "$(e2e_admin token list --tenant acme | awk -F '\t' '$3 == "revoke-me" { print $6 }')" != revoked ]; then
	echo "token revoke did not mark the token revoked" >&2
	exit 99
fi

# A token of the right shape that was never issued: change one hex digit
# (to another digit: hex is case-insensitive, so 'a' -> 'A' would be the same token).
last=${t_read: -1}
if [ "$last" = 0 ]; then swap=1; else swap=0; fi
t_unknown=${t_read%?}$swap

echo "# reading a user"
reqt "$t_read" GET "/api/users/$ada"
expect_status 200
expect_common
expect_json success true
expect_json id "\"$ada\""
expect_json name '"Ada Lovelace"'
expect_json email '"ada@example.com"'
expect_no_json_key password

reqt "$t_all" GET "/api/users/$ada?fields=name&x=%2F"
expect_status 200 "query string is not part of the id"
expect_json id "\"$ada\""

reqt "$t_read" GET "/api/users/usr%2D${ada#usr-}"
expect_status 200 "path is percent-decoded"
expect_json id "\"$ada\""

echo "# authentication"
req GET "/api/users/$ada"
expect_error 401 "no token"
expect_header WWW-Authenticate '^Bearer realm="userpatch"'

req GET "/api/users/$ada" -H "Authorization: Basic dXNlcjpwYXNz"
expect_error 401 "not a bearer token"
expect_header WWW-Authenticate '^Bearer realm="userpatch"'

req GET "/api/users/$ada" -H "Authorization: Bearer "
expect_error 401 "empty bearer token"

req GET "/api/users/$ada" -H "Authorization: Bearer not a token"
expect_error 401 "malformed token"
expect_header WWW-Authenticate '^Bearer realm="userpatch".*invalid_token'

reqt "$t_unknown" GET "/api/users/$ada"
expect_error 401 "unknown token"
expect_header WWW-Authenticate '^Bearer realm="userpatch".*invalid_token'

reqt "$t_revoked" GET "/api/users/$ada"
expect_error 401 "revoked token"
expect_header WWW-Authenticate '^Bearer realm="userpatch".*invalid_token'

echo "# scopes"
reqt "$t_write" GET "/api/users/$ada"
expect_error 403 "token without users:read"

echo "# tenants and unknown users"
reqt "$t_read" GET "/api/users/$hank"
expect_error 404 "user of another tenant"
reqt "$t_globex" GET "/api/users/$ada"
expect_error 404 "user of another tenant, other direction"
reqt "$t_globex" GET "/api/users/$hank"
expect_status 200 "own tenant's user"
expect_json id "\"$hank\""
expect_json name '"Hank Scorpio"'
reqt "$t_read" GET "/api/users/usr-999999999"
expect_error 404 "unknown id"

echo "# method and size limits"
reqt "$t_all" POST "/api/users/$ada" -H 'Content-Type: application/json' --data-binary '{}'
expect_error 405 "POST on a user"
expect_header Allow 'GET'

head -c 70000 /dev/zero | tr '\0' ' ' >"$E2E_TMP/big"
printf '[]' >>"$E2E_TMP/big"
reqt "$t_all" PATCH "/api/users/$ada" -H 'Content-Type: application/json-patch+json' \
	--data-binary "@$E2E_TMP/big"
expect_error 413 "body over 64 KiB"

echo "# daily quota"
reqt "$t_quota" GET "/api/users/$ada"
expect_status 200 "quota 1/2"
reqt "$t_quota" GET "/api/users/$ada"
expect_status 200 "quota 2/2"
reqt "$t_quota" GET "/api/users/$ada"
expect_error 429 "quota used up"
expect_header Retry-After '^[0-9]+$'

echo "# the user is unchanged by all of the above"
reqt "$t_read" GET "/api/users/$ada"
expect_status 200
expect_json name '"Ada Lovelace"'

e2e_finish
