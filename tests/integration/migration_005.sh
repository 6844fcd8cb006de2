#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Migration 005 on a database that has users with free-text groups (made by
# migrations 001-004 in a database of its own on the harness's server):
# every distinct (tenant, group) becomes a group of that tenant, named after
# it, an empty group becomes NULL, nothing else of the users changes, no
# user is left naming a group that does not exist, audit_log gains its
# columns, and the file records itself.
set -euo pipefail
: "${UP_TEST_DB_DIR:?run this test through tests/harness/run-test}"
: "${top_srcdir:?run this test through tests/harness/run-test}"
db=mig005_$$
it_db=$db
# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mariadb --no-defaults -S "$UP_TEST_DB_DIR/mysqld.sock" -u root -e "CREATE DATABASE $db"
trap 'mariadb --no-defaults -S "$UP_TEST_DB_DIR/mysqld.sock" -u root -e "DROP DATABASE IF EXISTS $db"' EXIT
for f in 001_base 002_users 003_usage_slots 004_identifiers; do
	sql "source $top_srcdir/schema/$f.sql"
done
sql "INSERT INTO tenants (id, name) VALUES (1, 'a'), (2, 'b')"
sql "INSERT INTO users (tenant_id, name, user_group, tags, privileges) VALUES
	(1, 'u1', 'Sales Team', '{}', '[]'), (1, 'u2', 'Sales Team', '{}', '[]'),
	(1, 'u3', 'ops', '{}', '[]'), (1, 'u4', NULL, '{}', '[]'), (1, 'u5', '', '{}', '[]'),
	(2, 'u6', 'ops', '{}', '[]')"
before=$(sql "SELECT GROUP_CONCAT(CONCAT_WS(':', id, name, version, modified_at) ORDER BY id) FROM users")

sql "source $top_srcdir/schema/005_groups.sql"

expect "one group per tenant and value" "1:Sales Team:Sales Team 1:ops:ops 2:ops:ops" \
	"$(sql "SELECT GROUP_CONCAT(CONCAT_WS(':', tenant_id, group_key, name) ORDER BY tenant_id, group_key SEPARATOR ' ') FROM user_groups")"
expect "the groups have [] privileges and {} tags" "3" \
	"$(sql "SELECT COUNT(*) FROM user_groups WHERE privileges = '[]' AND tags = '{}' AND disabled = 0 AND version = 1")"
expect "an empty group became NULL" "NULL NULL" \
	"$(sql "SELECT GROUP_CONCAT(IFNULL(user_group, 'NULL') ORDER BY id SEPARATOR ' ') FROM users WHERE name IN ('u4', 'u5')")"
expect "no user names a group its tenant lacks" "0" \
	"$(sql "SELECT COUNT(*) FROM users u WHERE u.user_group IS NOT NULL AND NOT EXISTS
		(SELECT 1 FROM user_groups g WHERE g.tenant_id = u.tenant_id AND g.group_key = u.user_group)")"
expect "the users' other columns are as they were" "$before" \
	"$(sql "SELECT GROUP_CONCAT(CONCAT_WS(':', id, name, version, modified_at) ORDER BY id) FROM users")"
expect "audit_log has resource and resource_key" "2" \
	"$(sql "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = '$db' AND table_name = 'audit_log' AND column_name IN ('resource', 'resource_key')")"
expect "the file records itself" "005_groups.sql" \
	"$(sql "SELECT name FROM schema_migrations WHERE version = 5")"

it_finish
