#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# One user store: PATCH /api/users/{id} (JSON Patch) on a user made by the
# device-app endpoint, and the device-app endpoint on the patched user; the
# version is shared, so a device-app client's version goes stale after the
# PATCH.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

EP=/api/v1/device_app_user_update/
e2e_tenant acme >/dev/null
t_app=$(e2e_token acme device_app_user:write,users:read app)
t_users=$(e2e_token acme users:read,users:write users-rw)

reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary '{"data": "{\"username\": \"john_doe\", \"imei\": \"123456789012345\", \"profile\": {\"first_name\": \"John\", \"email\": \"john@example.com\"}}"}'
expect_status 201 "created by the device-app endpoint"
expect_json version 1
john=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user_id"])' "$E2E_TMP/body")

reqt "$t_users" PATCH "/api/users/$john" -H 'Content-Type: application/json-patch+json' \
	--data-binary '[{"op": "replace", "path": "/name", "value": "John Doe"}, {"op": "replace", "path": "/email", "value": "john@example.net"}]'
expect_status 200 "PATCH /api/users of a device-app user"
expect_json name '"John Doe"'
expect_json email '"john@example.net"'
expect_header ETag '^"2"$'

reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary '{"data": "{\"username\": \"john_doe\", \"version\": 1, \"user_class\": \"basic\"}"}'
expect_error 409 "version 1 is stale after the PATCH"
expect_json code '"stale_version"'

reqt "$t_app" POST "$EP" -H 'Content-Type: application/json' \
	--data-binary '{"data": "{\"username\": \"john_doe\", \"version\": 2, \"user_class\": \"premium\"}"}'
expect_status 201 "update at the version the PATCH made"
expect_json profile '{"first_name": "John", "last_name": null, "email": "john@example.net"}'
expect_json updated_fields '["user_class"]'
expect_json imei '"123456789012345"'
expect_json version 3

reqt "$t_users" GET "/api/users/$john"
expect_status 200
expect_json name '"John Doe"'
expect_header ETag '^"3"$'

e2e_finish
