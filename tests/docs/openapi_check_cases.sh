#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# tests/e2e/openapi_check.py catches what it promises: recorded responses
# that must pass and ones that must each fail, checked against
# docs/openapi.yaml. One case a line: description, expected result, method,
# target, status, headers (\n-separated), body.
set -euo pipefail
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
check=$top_srcdir/tests/e2e/openapi_check.py
spec=$top_srcdir/docs/openapi.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

user='"id":"usr-1","name":"Ana","email":null,"country":null,"timeZone":null,"description":null,"message":null,"disabled":false,"tags":{},"privileges":[],"group":null,"deviceId":null,"adminDevices":0,"from":null,"expires":null,"creation":"2026-01-02T03:04:05Z","modification":"2026-01-02T03:04:05.5Z","lastLogin":null'
json='Content-Type: application/json'
err='"success":false,"error":"x","code":"y","details":[]'
cases=(
	"a user as documented|pass|GET|/api/users/usr-1|200|$json\nETag: \"1\"|{\"success\":true,$user,\"apiUsage\":1,\"apiDailyUsage\":1}"
	"HEAD takes GET's operation, no body|pass|HEAD|/api/users/usr-1|200|$json\nETag: \"1\"|"
	"an undocumented member|fail|GET|/api/users/usr-1|200|$json\nETag: \"1\"|{\"success\":true,$user,\"nick\":\"a\"}"
	"a writeOnly member (password) in a response|fail|GET|/api/users/usr-1|200|$json\nETag: \"1\"|{\"success\":true,$user,\"password\":\"secret123\"}"
	"a wrong type|fail|GET|/api/users/usr-1|200|$json\nETag: \"1\"|{\"success\":true,$user,\"apiUsage\":\"1\"}"
	"a date that is not RFC 3339|fail|GET|/api/users/usr-1|200|$json\nETag: \"1\"|{\"success\":true,${user/2026-01-02T03:04:05Z/2026-01-02 03:04:05}}"
	"a required header missing (ETag)|fail|GET|/api/users/usr-1|200|$json|{\"success\":true,$user}"
	"a status the operation does not list|fail|GET|/api/users/usr-1|418|$json|{$err}"
	"an error as documented|pass|GET|/api/users/usr-9|404|$json|{$err}"
	"an error without code|fail|GET|/api/users/usr-9|404|$json|{\"success\":false,\"error\":\"x\",\"details\":[]}"
	"an unnamed header|fail|GET|/api/users/usr-9|404|$json\nAccept-Patch: application/json-patch+json|{$err}"
	"a header against its schema (Retry-After)|fail|GET|/api/users|503|$json\nRetry-After: soon|{$err}"
	"a method the path lacks, refused|pass|TRACE|/api/users|405|$json\nAllow: GET, HEAD, POST, OPTIONS|{$err}"
	"a method the path lacks, answered|fail|TRACE|/api/users|200|$json|{}"
	"a body where the spec has none|fail|OPTIONS|/api/users|204|Allow: GET|{}"
	"a path the spec does not describe is not checked|pass|GET|/nowhere|404|Content-Type: text/html|<html>"
	"a program's 404 on a path the spec does not describe|pass|GET|/api/nowhere|404|$json\nX-Request-Id: r1|{$err}"
	"a program's answer on a path the spec does not describe|fail|GET|/api/things|200|$json\nX-Request-Id: r1|{}"
	"the device-app path without its slash is checked (body incomplete)|fail|POST|/api/v1/device_app_user_update|201|$json|{\"success\":true}"
)

passed=0 failed=0
for c in "${cases[@]}"; do
	IFS='|' read -r what want method target status headers body <<<"$c"
	rm -rf "$work/rec" && mkdir -p "$work/rec/000001"
	printf '%s\n%s\n%s\n' "$method" "$target" "$status" >"$work/rec/000001/meta"
	printf 'HTTP/1.1 %s X\r\n%b\r\n\r\n' "$status" "$headers" >"$work/rec/000001/headers"
	printf '%s' "$body" >"$work/rec/000001/body"
	got=pass
	python3 -W ignore "$check" "$spec" "$work/rec" >"$work/out" 2>&1 || got=fail
	if [ "$got" = "$want" ]; then
		passed=$((passed + 1))
		printf 'ok   %s: %s\n' "$what" "$want"
	else
		failed=$((failed + 1))
		printf 'FAIL %s: expected %s, got %s\n' "$what" "$want" "$got"
		sed 's/^/     /' "$work/out"
	fi
done
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
