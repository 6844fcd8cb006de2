#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# 200 concurrent PATCHes of one user through lighttpd (8 at a time) lose no
# update: each patch rotates the 64 privileges by one (move /privileges/0 to
# the end), so the final order tells how many patches took effect (200 mod 64
# = 8 places), the version counts them all, and there is one audit row each.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

n_patches=200
parallel=8

acme=$(e2e_tenant acme)
token=$(e2e_token acme users:read,users:write rotator)
user=$(e2e_user "$acme" 'Rota' 'rota@example.com')
uid=${user#usr-}

# 64 privileges p_aa .. p_cl (letters only, as the rule requires).
letters=abcdefghijklmnopqrstuvwxyz
privs=()
for i in $(seq 0 63); do
	privs+=("p_${letters:i/26:1}${letters:i%26:1}")
done
initial=$(printf '%s\n' "${privs[@]}" | jq -R . | jq -cs .)
e2e_sql "UPDATE users SET privileges = '$initial' WHERE id = $uid"

shift_by=$((n_patches % 64))
expected=$(printf '%s\n' "${privs[@]:$shift_by}" "${privs[@]:0:$shift_by}" | jq -R . | jq -cs .)

# shellcheck disable=SC2089 # JSON text for curl, quoted where used
patch='[{"op":"move","from":"/privileges/0","path":"/privileges/-"}]'
# shellcheck disable=SC2090
export UP_TEST_BASE_URL token user patch
start=$(date +%s.%N)
# shellcheck disable=SC2016 # expanded by the inner sh
seq "$n_patches" | xargs -P "$parallel" -I{} sh -c '
	curl -s -o /dev/null -w "%{http_code}\n" --max-time 60 -X PATCH \
		-H "Authorization: Bearer $token" \
		-H "Content-Type: application/json-patch+json" \
		--data-binary "$patch" "$UP_TEST_BASE_URL/api/users/$user"' >"$E2E_TMP/statuses"
end=$(date +%s.%N)
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
echo "# $n_patches patches, $parallel at a time: ${elapsed}s"

ok=$(grep -c '^200$' "$E2E_TMP/statuses" || true)
if [ "$ok" -eq "$n_patches" ]; then
	pass "all $n_patches patches answered 200"
else
	fail "$ok of $n_patches patches answered 200: $(sort "$E2E_TMP/statuses" | uniq -c | tr '\n' ' ')"
fi

reqt "$token" GET "/api/users/$user"
expect_status 200
expect_json privileges "$expected"
expect_header ETag "^\"$((n_patches + 1))\"$"

audits=$(e2e_sql "SELECT COUNT(*) FROM audit_log WHERE user_id = $uid AND action = 'update'")
if [ "$audits" -eq "$n_patches" ]; then
	pass "one audit row per patch ($audits)"
else
	fail "$audits audit rows, want $n_patches"
fi
version=$(e2e_sql "SELECT version FROM users WHERE id = $uid")
if [ "$version" -eq $((n_patches + 1)) ]; then
	pass "version $version"
else
	fail "version $version, want $((n_patches + 1))"
fi

e2e_finish
