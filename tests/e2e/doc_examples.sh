#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The documentation's request examples run as printed: every `sh` block of
# docs/api/*.md (every file there, picked up automatically) and the
# $BASE_URL blocks of README.md, through lighttpd and MariaDB started by the
# harness, each document from the demo data (scripts/lib/demo-data.sh) in an
# empty database (or from the empty database alone when the document has the
# line "<!-- examples: no demo data -->"). The answers of the curl -i
# examples are also checked against docs/openapi.yaml (tests/e2e/lib.sh). tests/docs/doc_examples.py holds the markdown convention
# and the normalisations; docs/api/README.md explains the convention to
# writers.
#
# DOC_EXAMPLES=users.md runs one document; DOC_EXAMPLES_UPDATE=1 rewrites
# the response blocks that differ from what the examples printed (then
# review the diff).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
: "${top_srcdir:?run this test through tests/harness/run-test}"
# shellcheck source=scripts/lib/demo-data.sh
. "$top_srcdir/scripts/lib/demo-data.sh"

update=
[ -z "${DOC_EXAMPLES_UPDATE:-}" ] || update=--update

# shellcheck source=scripts/lib/stack.sh
. "$top_srcdir/scripts/lib/stack.sh"
: "${UP_TEST_WEB_DIR:?run this test through tests/harness/run-test}"
port=${UP_TEST_BASE_URL##*:}

# fresh_stack: what a reader gets from ./scripts/serve on an empty run/:
# lighttpd and its workers stopped (they keep per-token state such as
# unwritten usage counts), every table emptied (ids start at 1 again, the
# schema is kept), lighttpd started again on the same port.
fresh_stack() {
	stack_lighttpd_stop "$UP_TEST_WEB_DIR"
	reset_db
	stack_lighttpd_start "$UP_TEST_WEB_DIR" "$port" "$top_builddir" "$USERPATCH_CONFIG"
}

# reset_db: every table emptied (ids start at 1 again), the schema kept.
reset_db() {
	local tables t sql="SET FOREIGN_KEY_CHECKS = 0;"
	tables=$(e2e_sql "SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'userpatch' AND table_type = 'BASE TABLE'
		AND table_name <> 'schema_migrations'")
	for t in $tables; do
		sql="$sql TRUNCATE TABLE \`$t\`;"
	done
	e2e_sql "$sql SET FOREIGN_KEY_CHECKS = 1;"
}

docs=("$top_srcdir/README.md" "$top_srcdir"/docs/api/*.md)
n=0
for doc in "${docs[@]}"; do
	name=${doc#"$top_srcdir"/}
	case $name in
	docs/api/README.md) continue ;; # the convention itself, no examples
	esac
	if [ -n "${DOC_EXAMPLES:-}" ] && [ "$(basename "$doc")" != "$DOC_EXAMPLES" ]; then
		continue
	fi
	n=$((n + 1))
	echo "# $name"
	if ! fresh_stack; then
		fail "$name: cannot restart the stack"
		continue
	fi
	e2e_admin tenant add demo >/dev/null
	token=$(e2e_token demo "$DEMO_SCOPES" demo)
	if grep -q '^<!-- examples: no demo data -->' "$doc"; then
		echo "# (no demo data: the document's first examples make their own)"
	elif ! demo_data_load "$ADMIN" "$UP_TEST_BASE_URL" "$token" e2e_sql; then
		fail "$name: cannot load the demo data"
		continue
	fi
	# what ./scripts/serve makes on every start, with or without demo data
	demo_device e2e_sql >/dev/null
	work=$E2E_TMP/doc$n
	mkdir -p "$work/run"
	{
		printf 'BASE_URL=%s\n' "$UP_TEST_BASE_URL"
		printf 'TOKEN=%s\n' "$token"
		printf 'USERPATCH_CONFIG=%s\n' "$USERPATCH_CONFIG"
		# shellcheck disable=SC2016 # $PATH expands when the file is read
		printf 'PATH=%s:$PATH\n' "$(dirname "$ADMIN")"
	} >"$work/run/demo.env"
	readme=
	[ "$name" != README.md ] || readme=--readme
	if (
		set -a
		# shellcheck disable=SC1091
		. "$work/run/demo.env"
		set +a
		python3 "$top_srcdir/tests/docs/doc_examples.py" $readme $update \
			--openapi-records "$E2E_OPENAPI_DIR" "$doc" "$work"
	); then
		pass "$name: every example answers as printed"
	else
		fail "$name: examples that do not answer as printed (above)"
	fi
done
[ "$n" -gt 0 ] || fail "no documents with examples"
e2e_finish
