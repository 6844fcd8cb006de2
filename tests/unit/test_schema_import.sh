#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Every migration in schema/ can be imported by hand (phpMyAdmin on shared
# hosting, or `mariadb DB < FILE`) and still count as applied for a later
# `userpatch-admin migrate`: it must record itself in schema_migrations, with
# its own number and file name, in the same form as migrate does. The
# shared-hosting end-to-end test imports the files this way and runs migrate.
set -euo pipefail
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
passed=0
failed=0
for f in "$top_srcdir"/schema/[0-9]*_*.sql; do
	name=$(basename "$f")
	version=$((10#${name%%_*}))
	want="INSERT IGNORE INTO schema_migrations (version, name) VALUES ($version, '$name');"
	if grep -qxF -- "$want" "$f" &&
		grep -q '^CREATE TABLE IF NOT EXISTS schema_migrations (' "$f"; then
		echo "ok   $name records itself"
		passed=$((passed + 1))
	else
		echo "FAIL $name does not record itself: end it with the schema_migrations"
		echo "     CREATE TABLE IF NOT EXISTS of schema/001_base.sql and the line"
		echo "     $want"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
