#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# docs/openapi.yaml is valid OpenAPI: `redocly lint` (@redocly/cli, pinned by
# scripts/npm/package-lock.json and installed by scripts/npm-tools) with the
# recommended rules as errors (tests/docs/redocly.yaml lists the few that are
# off, and why). Duplicate YAML keys, unresolved $refs, schema errors and
# examples that do not match their schemas all fail.
set -euo pipefail
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

if ! tools=$("$top_srcdir/scripts/npm-tools"); then
	echo "FAIL cannot install the OpenAPI validator (scripts/npm-tools)" >&2
	exit 99
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
"$tools/node_modules/.bin/redocly" lint --format=stylish \
	--config "$top_srcdir/tests/docs/redocly.yaml" \
	"$top_srcdir/docs/openapi.yaml" >"$out" 2>&1 || rc=$?
# Drop the banner about Node versions; keep the findings.
grep -v '[║╔╚]' "$out" | sed '/^[[:space:]]*$/d'
if [ "$rc" -ne 0 ]; then
	echo "FAIL redocly lint docs/openapi.yaml (exit status $rc)"
	exit 1
fi
echo "ok   redocly lint docs/openapi.yaml"
