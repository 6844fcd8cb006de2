#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Check recorded HTTP responses against docs/openapi.yaml.

usage: openapi_check.py SPEC RECORD_DIR

tests/e2e/lib.sh's req() records every response of an end-to-end test in
RECORD_DIR (one directory per response: `meta` with the method, the request
target and the status on three lines, `headers` as curl -D wrote them, and
`body`); e2e_finish runs this program over them. A response passes when:

  - its path matches a path of the spec (templates like {userId} match one
    segment; the device-app path is also served without its trailing
    slash) and its method is an operation of that path (HEAD: GET's
    operation, without a body). A path the spec does not know is not checked
    when the answer is a 404 or the web server's own (no X-Request-Id), and
    fails otherwise; a method the spec does not list must be a 405 with an
    Allow header and an Error body;
  - its status is one of the operation's responses (or `default`);
  - every header the response names with `required: true` is present, every
    named header that is present matches its schema, and no header outside
    the generic ones below (GENERIC_HEADERS) is sent that the response does
    not name;
  - a response with content has a Content-Type the spec lists and a body
    that validates against its schema (JSON Schema, python3-jsonschema),
    read as a closed world: an object member that no schema of the object
    declares is an error unless the schema allows additionalProperties
    explicitly; writeOnly members must not appear; date-time and email
    formats are checked. A response without content has an empty body.

Prints one line per problem and a summary; exits 1 when a response fails.
"""

import os
import re
import sys
from email.utils import parsedate_to_datetime

import jsonschema
import yaml

# Sent on every response by the programs or the web server (RateLimit and
# RateLimit-Policy: on every answer to a token with a daily limit) and
# described in the spec's info section, not per operation.
GENERIC_HEADERS = {
    "accept-ranges",
    "cache-control",
    "connection",
    "content-length",
    "content-security-policy",
    "content-type",
    "date",
    "keep-alive",
    "ratelimit",
    "ratelimit-policy",
    "referrer-policy",
    "server",
    "strict-transport-security",
    "transfer-encoding",
    "vary",
    "x-content-type-options",
    "x-frame-options",
    "x-powered-by",
    "x-request-id",
    # every answer to a token with a daily quota (info section of the spec)
    "ratelimit",
    "ratelimit-policy",
}

DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def load_spec(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def to_json_schema(node):
    """OpenAPI 3.0 schema objects -> JSON Schema (draft 4) for responses."""
    if isinstance(node, list):
        return [to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k in ("example", "examples", "xml", "externalDocs", "deprecated",
                 "discriminator", "readOnly", "nullable", "writeOnly"):
            continue
        if k == "properties" and isinstance(v, dict):
            out[k] = {name: ({"not": {}} if isinstance(s, dict) and s.get("writeOnly")
                             else to_json_schema(s)) for name, s in v.items()}
        else:
            out[k] = to_json_schema(v)
    if node.get("nullable") is True:
        if "type" in out:
            t = out["type"]
            out["type"] = (t if isinstance(t, list) else [t]) + ["null"]
            if "enum" in out:
                out["enum"] = list(out["enum"]) + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


class Checker:
    def __init__(self, spec):
        self.spec = spec
        self.root = to_json_schema(spec)
        self.format_checker = jsonschema.FormatChecker(formats=())
        self.format_checker.checks("date-time")(
            lambda v: not isinstance(v, str) or bool(DATE_TIME.match(v)))
        self.format_checker.checks("email")(
            lambda v: not isinstance(v, str) or ("@" in v and " " not in v))
        self.paths = []
        for template in spec.get("paths", {}):
            rx = "^" + re.sub(r"\\{[^/}]+\\}", "[^/]+", re.escape(template)) + "$"
            # Literal paths first (/api/users/countries before /api/users/{userId}).
            self.paths.append((template.count("{"), template, re.compile(rx)))
        self.paths.sort(key=lambda p: (p[0], p[1]))

    def deref(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            node = self.resolve(node["$ref"], self.spec)
            seen += 1
        return node

    @staticmethod
    def resolve(ref, root):
        node = root
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def match_path(self, target):
        path = target.split("?", 1)[0]
        for candidate in (path, path + "/"):
            for _, template, rx in self.paths:
                if rx.match(candidate):
                    return template
        return None

    def validate(self, schema, instance):
        """Problems of instance against an OpenAPI schema (already converted)."""
        resolver = jsonschema.RefResolver("", self.root)
        validator = jsonschema.Draft4Validator(
            schema, resolver=resolver, format_checker=self.format_checker)
        problems = []
        for err in sorted(validator.iter_errors(instance), key=lambda e: list(e.path)):
            where = "/" + "/".join(str(p) for p in err.absolute_path)
            problems.append("body%s: %s" % (where if where != "/" else "", err.message[:300]))
        problems += self.undeclared(schema, instance, "")
        return problems

    def jderef(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            node = self.resolve(node["$ref"], self.root)
            seen += 1
        return node

    def branches(self, schema):
        """The schema and every allOf/anyOf/oneOf branch under it."""
        schema = self.jderef(schema)
        if not isinstance(schema, dict):
            return []
        out = [schema]
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in schema.get(key, []):
                out += self.branches(sub)
        return out

    def undeclared(self, schema, instance, where):
        """Object members that no (sub)schema declares: the closed world."""
        problems = []
        parts = self.branches(schema)
        if isinstance(instance, dict):
            declared = {}
            open_ = False
            typed_object = False
            for s in parts:
                if "properties" in s or s.get("type") == "object":
                    typed_object = True
                for name, sub in s.get("properties", {}).items():
                    declared.setdefault(name, []).append(sub)
                if "additionalProperties" in s and s["additionalProperties"] is not False:
                    open_ = True
            if not typed_object:
                return problems
            for key, value in instance.items():
                if key in declared:
                    for sub in declared[key]:
                        problems += self.undeclared(sub, value, where + "/" + key)
                elif not open_:
                    problems.append("body%s: member %r is not in the spec" % (where, key))
        elif isinstance(instance, list):
            for s in parts:
                if "items" in s:
                    for i, v in enumerate(instance):
                        problems += self.undeclared(s["items"], v, "%s/%d" % (where, i))
                    break
        return problems

    def check_header(self, name, hspec, value):
        hspec = self.deref(hspec)
        schema = to_json_schema(hspec.get("schema", {}))
        schema = self.jderef(schema)
        typ = schema.get("type")
        if typ == "integer":
            if not re.fullmatch(r"[0-9]+", value):
                return ["header %s: %r is not an integer" % (name, value)]
            inst = int(value)
        else:
            inst = value
        if typ == "string" and schema.get("format") == "http-date":
            try:
                parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return ["header %s: %r is not an HTTP date" % (name, value)]
        errs = list(jsonschema.Draft4Validator(schema).iter_errors(inst))
        return ["header %s: %s" % (name, e.message) for e in errs]

    def check(self, method, target, status, headers, body):
        template = self.match_path(target)
        if template is None:
            # The web server's own answers (no X-Request-Id) and the
            # programs' 404 for paths they do not serve are not operations;
            # anything else the programs answer must be described.
            if status == "404" or "x-request-id" not in headers:
                return None
            return ["%s is not a path of the spec, yet the programs answered %s"
                    % (target.split("?", 1)[0], status)]
        item = self.spec["paths"][template]
        op_method = "get" if method == "HEAD" else method.lower()
        op = item.get(op_method)
        problems = []
        ctype = headers.get("content-type", [""])[-1].split(";")[0].strip().lower()
        if op is None:
            # Not an operation: it must be refused as such.
            if status != "405":
                return ["%s is not an operation of %s in the spec, yet answered %s"
                        % (method, template, status)]
            if "allow" not in headers:
                problems.append("405 without Allow")
            if method != "HEAD":
                problems += self.check_body(
                    {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    ctype, body)
            return problems
        responses = op.get("responses", {})
        resp = responses.get(status) or responses.get(status[0] + "XX") or responses.get("default")
        if resp is None:
            return ["status %s is not a response of %s %s in the spec (it lists %s)"
                    % (status, op_method.upper(), template, ", ".join(sorted(map(str, responses))))]
        resp = self.deref(resp)
        named = {k.lower(): (k, v) for k, v in resp.get("headers", {}).items()}
        for lname, (name, hspec) in named.items():
            h = self.deref(hspec)
            if lname not in headers:
                if h.get("required"):
                    problems.append("required header %s missing" % name)
                continue
            problems += self.check_header(name, h, headers[lname][-1])
        for lname in headers:
            if lname not in named and lname not in GENERIC_HEADERS:
                problems.append("header %s is sent but the spec's %s response does not name it"
                                % (lname, status))
        if method == "HEAD":
            return problems
        problems += self.check_body(resp.get("content"), ctype, body)
        return problems

    def check_body(self, content, ctype, body):
        if not content:
            return ["a body is sent but the response has no content in the spec"] if body else []
        if not body:
            return ["the spec describes content but the body is empty"]
        media = content.get(ctype)
        if media is None:
            return ["Content-Type %r is not among %s" % (ctype, ", ".join(content))]
        if "json" not in ctype:
            return []
        if ctype.endswith("ndjson"):
            return self.check_lines(media, body)
        try:
            import json
            instance = json.loads(body)
        except ValueError as e:
            return ["body is not JSON: %s" % e]
        schema = to_json_schema(media.get("schema", {}))
        return self.validate(schema, instance)

    def check_lines(self, media, body):
        """NDJSON: every line is one instance of the schema."""
        import json
        schema = to_json_schema(media.get("schema", {}))
        for n, line in enumerate(body.splitlines(), 1):
            try:
                instance = json.loads(line)
            except ValueError as e:
                return ["line %d is not JSON: %s" % (n, e)]
            problems = self.validate(schema, instance)
            if problems:
                return ["line %d: %s" % (n, p) for p in problems]
        return []


def read_headers(path):
    headers = {}
    try:
        with open(path, encoding="latin-1") as f:
            lines = f.read().split("\n")
    except OSError:
        return headers
    for line in lines:
        line = line.rstrip("\r")
        if line.startswith("HTTP/"):
            headers = {}  # a later response (after 100 Continue) wins
            continue
        if ":" in line:
            k, v = line.split(":", 1)
            headers.setdefault(k.strip().lower(), []).append(v.strip())
    return headers


def main():
    spec_path, record_dir = sys.argv[1], sys.argv[2]
    checker = Checker(load_spec(spec_path))
    checked = failed = unknown = 0
    for name in sorted(os.listdir(record_dir)):
        rec = os.path.join(record_dir, name)
        try:
            with open(os.path.join(rec, "meta"), encoding="utf-8") as f:
                method, target, status = f.read().split("\n")[:3]
        except (OSError, ValueError):
            continue
        if not re.fullmatch(r"[1-5][0-9][0-9]", status):
            continue  # no HTTP answer at all: the test itself reports it
        with open(os.path.join(rec, "body"), "rb") as f:
            body = f.read()
        problems = checker.check(method, target, status,
                                 read_headers(os.path.join(rec, "headers")), body)
        if problems is None:
            unknown += 1
            continue
        checked += 1
        if problems:
            failed += 1
            print("FAIL openapi: %s %s -> %s does not match docs/openapi.yaml:"
                  % (method, target, status))
            for p in problems:
                print("       " + p)
            print("       body: %s" % body[:400].decode("utf-8", "replace"))
    print("openapi: %d responses checked against docs/openapi.yaml, %d failed, "
          "%d on paths the spec does not describe" % (checked, failed, unknown))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
