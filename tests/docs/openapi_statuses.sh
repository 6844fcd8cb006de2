#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Every status the programs can answer for an operation is in
# docs/openapi.yaml. The rules come from where the programs answer them
# (src/lib/app.c, http.c, the handlers), so they hold for every operation,
# also the ones added later:
#   all operations       400 (malformed query string or request),
#                        500 (an unreadable config: every request; internal)
#   all but GET          413 (a body over max_body; GET refuses any body, 400)
#   with a bearer token  401, 403, 429 (daily quota), 503 (no database)
#   with a request body  415 (Content-Type)
#   with a path id       404
# (tests/e2e/openapi_check.py then checks each status the end-to-end tests
# actually receive.)
set -euo pipefail
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
exec python3 - "$top_srcdir/docs/openapi.yaml" <<'PY'
import sys

import yaml

doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
methods = {"get", "put", "post", "delete", "options", "head", "patch"}
problems = 0
ops = 0
for path, item in doc.get("paths", {}).items():
    for m, op in item.items():
        if m not in methods:
            continue
        ops += 1
        want = {"400", "500"} | ({"413"} if m != "get" else set())
        secured = op.get("security", doc.get("security", [])) != []
        if secured:
            want |= {"401", "403", "429", "503"}
        if "requestBody" in op:
            want |= {"415"}
        if "{" in path and m != "options":
            want |= {"404"}
        have = {str(c) for c in op.get("responses", {})}
        missing = sorted(want - have)
        if missing:
            problems += 1
            print("FAIL %s %s: no %s response" % (m.upper(), path, ", ".join(missing)))
print("%d operations checked, %d lack statuses the programs answer" % (ops, problems))
sys.exit(1 if problems else 0)
PY
