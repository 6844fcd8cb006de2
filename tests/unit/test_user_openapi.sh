#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# docs/openapi.yaml: a structural check with python3-yaml (Debian ships no
# OpenAPI validator): OpenAPI 3.0.3, every $ref resolves, operation ids are
# unique, path parameters are declared, every operation answers, and the
# paths and statuses of the APIs (users, device-app, groups) are all there.
set -euo pipefail
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
exec python3 - "$top_srcdir/docs/openapi.yaml" <<'PY'
import re
import sys

import yaml

doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)


def resolve(ref):
    check(ref.startswith("#/"), "external $ref %s" % ref)
    node = doc
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            errors.append("$ref %s does not resolve" % ref)
            return None
        node = node[part]
    return node


def walk(node, where):
    if isinstance(node, dict):
        if "$ref" in node:
            check(len(node) == 1, "%s: $ref with siblings" % where)
            resolve(node["$ref"])
        for k, v in node.items():
            walk(v, where + "/" + str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk(v, "%s/%d" % (where, i))


def deref(node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(node["$ref"]) or {}
    return node


check(doc.get("openapi") == "3.0.3", "openapi must be 3.0.3")
check(bool(doc.get("info", {}).get("title")) and bool(doc.get("info", {}).get("version")),
      "info.title and info.version are required")
walk(doc, "")
methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
ops = {}
for path, item in doc.get("paths", {}).items():
    check(path.startswith("/"), "path %s must start with /" % path)
    common = [deref(p) for p in item.get("parameters", [])]
    for m, op in item.items():
        if m == "parameters":
            continue
        check(m in methods, "%s: unknown key %s" % (path, m))
        params = common + [deref(p) for p in op.get("parameters", [])]
        for name in re.findall(r"{([^}]+)}", path):
            check(any(p.get("in") == "path" and p.get("name") == name and p.get("required")
                      for p in params), "%s %s: path parameter %s not declared" % (m, path, name))
        oid = op.get("operationId")
        check(oid and oid not in ops.values(), "%s %s: missing or repeated operationId" % (m, path))
        ops[(path, m)] = oid
        resp = op.get("responses", {})
        check(bool(resp), "%s %s: no responses" % (m, path))
        for code, r in resp.items():
            check(re.fullmatch(r"[1-5][0-9][0-9]|default", str(code)) is not None,
                  "%s %s: bad status %s" % (m, path, code))
            check("description" in deref(r), "%s %s %s: no description" % (m, path, code))

want = {
    ("/api/users", "get"): "200 400 401 403 429 503",
    ("/api/users", "post"): "201 400 401 403 413 415 422 429 503",
    ("/api/users/countries", "get"): "200 401",
    ("/api/users/timeZones", "get"): "200 401",
    ("/api/users/{userId}", "get"): "200 401 403 404",
    ("/api/users/{userId}", "put"): "200 400 401 403 404 412 415 422",
    ("/api/users/{userId}", "patch"): "200 400 401 403 404 409 412 413 415 422 429 503",
    ("/api/users/{userId}", "delete"): "204 401 403 404 412",
    ("/api/v1/device_app_user_update/", "post"):
        "201 400 401 403 404 405 409 413 415 422 429 503",
    ("/api/groups", "get"): "200 400 401 403 429 503",
    ("/api/groups", "post"): "201 400 401 403 409 413 415 422 429 503",
    ("/api/groups", "options"): "204",
    ("/api/groups/{groupId}", "get"): "200 401 403 404",
    ("/api/groups/{groupId}", "put"): "200 400 401 403 404 412 415 422",
    ("/api/groups/{groupId}", "patch"): "200 400 401 403 404 409 412 413 415 422 429 503",
    ("/api/groups/{groupId}", "delete"): "204 401 403 404 409 412",
    ("/api/groups/{groupId}", "options"): "204",
}
for (path, m), codes in want.items():
    op = doc.get("paths", {}).get(path, {}).get(m)
    check(op is not None, "missing %s %s" % (m, path))
    if op:
        for c in codes.split():
            check(c in op.get("responses", {}), "%s %s: no %s response" % (m, path, c))
for item in ("/api/users/{userId}", "/api/groups/{groupId}"):
    check("application/json-patch+json" in
          doc["paths"].get(item, {}).get("patch", {}).get("requestBody", {}).get("content", {}),
          "PATCH %s must accept application/json-patch+json" % item)

for e in errors:
    print("FAIL", e)
print("%d operations checked, %d problems" % (len(ops), len(errors)))
sys.exit(1 if errors else 0)
PY
