#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Run the request examples of a markdown document as printed and compare
what they print with the response the document shows.

usage: doc_examples.py [--readme] [--update] [--openapi-records DIR] FILE.md WORKDIR

THE CONVENTION (docs/api/*.md; README.md's quick start)

  * A request example is a fenced block tagged `sh`. It is run as printed by
    bash, in WORKDIR, with the variables of run/demo.env exported (BASE_URL,
    TOKEN, USERPATCH_CONFIG, and PATH with userpatch-admin). All blocks of
    one document run in order in ONE shell, so a block may set a variable
    that later blocks use (RO_TOKEN=$(userpatch-admin token issue ...)) or
    make a file they send (big.json).
  * The fenced block right after it (only prose in between) shows what it
    prints, when tagged:
      http  the output of `curl -i`: the status line, the headers that
            matter, a blank line, the body. The status code must match (the
            reason phrase is not compared); each header shown must be sent
            with that value (headers not shown are not compared); the body
            is compared as JSON when it is JSON, else as text.
      json  one or more JSON values (e.g. the output of `curl -s` or `jq`),
            compared as JSON.
      text  plain lines, compared line by line (blanks at line ends ignored).
    A `sh` block without such a block after it is a setup step: it must
    exit 0 and may print anything.
  * In README.md (--readme) only the `sh` blocks that use $BASE_URL run
    (building and starting the stack are not examples).
  * Every document starts from the demo data (scripts/lib/demo-data.sh) in
    an empty database, so ids, ETags and versions are what a reader who
    ran `./scripts/serve --demo-data` on an empty run/ sees. A document with
    the line `<!-- examples: no demo data -->` starts from the empty
    database and the demo token only (`./scripts/serve` on an empty run/);
    its first examples create what the later ones use.

NORMALISATIONS (the only differences allowed)

  * In a header value, `…` (or `...`) stands for any text: `Date: …`,
    `X-Request-Id: …`, `RateLimit: "daily";r=0;t=…`.
  * A JSON string shown as "…" (or "...") matches any value.
  * The members creation, modification, updated_at, lastUpdate, lastLogin
    and time only need to be RFC 3339 date-times (or null) on both sides.
  * The members apiUsage and apiDailyUsage only need to be integers on both
    sides (they count the token's requests, which depends on what ran
    before).
  * CR at line ends is ignored.

With --openapi-records DIR, the answer of every `http` example that is one
curl to $BASE_URL is also left in DIR for tests/e2e/openapi_check.py, so
the documented responses are checked against docs/openapi.yaml too.

With --update the response blocks are rewritten from what the examples
printed (for writing new examples; review the diff).

Exits 1 when an example does not match, printing what it printed.
"""

import json
import os
import re
import shlex
import subprocess
import sys

ANY = ("\u2026", "...")
TIME_KEYS = {"creation", "modification", "updated_at", "lastUpdate", "lastLogin", "time"}
COUNTER_KEYS = {"apiUsage", "apiDailyUsage"}
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
RESPONSE_TAGS = ("http", "json", "text")
# Headers --update leaves out of a rewritten http block.
UPDATE_SKIP_HEADERS = {"content-length", "server", "connection", "transfer-encoding",
                       "keep-alive", "date", "x-request-id"}


def parse_blocks(text):
    """Fenced blocks: dicts with tag, body, start/end line indexes."""
    lines = text.split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = re.match(r"^(```+|~~~+)\s*([^\s`]*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        fence, tag = m.group(1), m.group(2)
        j = i + 1
        while j < len(lines) and not lines[j].startswith(fence):
            j += 1
        blocks.append({"tag": tag, "body": "\n".join(lines[i + 1:j]),
                       "open": i, "close": j})
        i = j + 1
    return lines, blocks


def examples(text, readme):
    """(sh block, response block or None) pairs, in document order."""
    lines, blocks = parse_blocks(text)
    out = []
    for k, b in enumerate(blocks):
        if b["tag"] != "sh":
            continue
        if readme and "$BASE_URL" not in b["body"] and "${BASE_URL" not in b["body"]:
            continue
        resp = None
        if k + 1 < len(blocks) and blocks[k + 1]["tag"] in RESPONSE_TAGS:
            between = lines[b["close"] + 1:blocks[k + 1]["open"]]
            if not any(l.startswith(("```", "~~~", "#")) for l in between):
                resp = blocks[k + 1]
        out.append((b, resp))
    return lines, out


def run_all(pairs, workdir):
    """Run every sh block in one bash; returns [(exit status, output)]."""
    outdir = os.path.join(workdir, ".examples")
    os.makedirs(outdir, exist_ok=True)
    script = ["cd %s || exit 99" % sh_quote(workdir)]
    for n, (b, _) in enumerate(pairs):
        out = os.path.join(outdir, "%03d.out" % n)
        rc = os.path.join(outdir, "%03d.rc" % n)
        script.append("{\n%s\n} >%s 2>&1 </dev/null\necho $? >%s"
                      % (b["body"], sh_quote(out), sh_quote(rc)))
    path = os.path.join(outdir, "script.sh")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(script) + "\n")
    subprocess.run(["bash", path], cwd=workdir, stdin=subprocess.DEVNULL, check=False,
                   timeout=600)
    results = []
    for n in range(len(pairs)):
        try:
            with open(os.path.join(outdir, "%03d.rc" % n)) as f:
                rc = int(f.read().strip() or "99")
            with open(os.path.join(outdir, "%03d.out" % n), "rb") as f:
                out = f.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            rc, out = 99, "(the block did not run: an earlier block ended the shell)"
        results.append((rc, out.replace("\r\n", "\n")))
    return results


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def json_values(text):
    """All JSON values in text (e.g. several jq -c lines)."""
    dec = json.JSONDecoder()
    vals, i = [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return vals
        v, i = dec.raw_decode(text, i)
        vals.append(v)


def cmp_json(want, got, where, key=None):
    """Problems of got against want, after the normalisations."""
    if isinstance(want, str) and want in ANY:
        return []
    if key in TIME_KEYS:
        ok = lambda v: v is None or (isinstance(v, str) and RFC3339.match(v))
        if ok(want) and ok(got) and (want is None) == (got is None):
            return []
        return ["%s: %s, documented %s" % (where, json.dumps(got), json.dumps(want))]
    if key in COUNTER_KEYS:
        if isinstance(want, int) and isinstance(got, int) and not isinstance(got, bool):
            return []
        return ["%s: %s is not an integer like the documented %s" % (where, got, want)]
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return ["%s: %s, documented an object" % (where, json.dumps(got)[:200])]
        probs = []
        for k in want:
            if k not in got:
                probs.append("%s/%s: missing" % (where, k))
            else:
                probs += cmp_json(want[k], got[k], "%s/%s" % (where, k), k)
        for k in got:
            if k not in want:
                probs.append("%s/%s: %s is not documented" % (where, k, json.dumps(got[k])[:200]))
        return probs
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return ["%s: %s, documented %s" % (where, json.dumps(got)[:300], json.dumps(want)[:300])]
        probs = []
        for i, (w, g) in enumerate(zip(want, got)):
            probs += cmp_json(w, g, "%s/%d" % (where, i), key)
        return probs
    if type(want) != type(got) or want != got:
        return ["%s: %s, documented %s" % (where, json.dumps(got)[:300], json.dumps(want)[:300])]
    return []


def split_http(text):
    """(status code, [(name, value)], body) of curl -i output (last response)."""
    text = text.replace("\r\n", "\n")
    # curl -i prints every response (100 Continue first); keep the last one.
    parts = re.split(r"(?m)^(?=HTTP/[0-9.]+ [0-9]{3})", text)
    parts = [p for p in parts if p.startswith("HTTP/")]
    if not parts:
        return None, [], text
    last = parts[-1]
    head, _, body = last.partition("\n\n")
    hl = head.split("\n")
    code = hl[0].split()[1]
    headers = []
    for l in hl[1:]:
        if ":" in l:
            k, v = l.split(":", 1)
            headers.append((k.strip(), v.strip()))
    return code, headers, body


def cmp_body(want, got, where):
    if not want.strip():
        return [] if not got.strip() else ["%s: a body was printed, none documented" % where]
    try:
        wv = json_values(want)
    except ValueError:
        wl = [l.rstrip() for l in want.strip("\n").split("\n")]
        gl = [l.rstrip() for l in got.strip("\n").split("\n")]
        if wl == gl:
            return []
        return ["%s: the text differs" % where]
    try:
        gv = json_values(got)
    except ValueError:
        return ["%s: not JSON, documented JSON" % where]
    if len(wv) != len(gv):
        return ["%s: %d JSON values, documented %d" % (where, len(gv), len(wv))]
    probs = []
    for i, (w, g) in enumerate(zip(wv, gv)):
        probs += cmp_json(w, g, where if len(wv) == 1 else "%s[%d]" % (where, i))
    return probs


def header_matches(want, got):
    """A documented header value: exact, or with … (or ...) for any text."""
    if want in ANY:
        return True
    parts = re.split(r"\u2026|\.\.\.", want)
    return re.fullmatch(".*".join(re.escape(p) for p in parts), got) is not None


def compare(resp, out):
    tag, want = resp["tag"], resp["body"]
    if tag == "text":
        return cmp_body(want, out, "output") if want.strip() else []
    if tag == "json":
        return cmp_body(want, out, "body")
    wcode, wheaders, wbody = split_http(want)
    gcode, gheaders, gbody = split_http(out)
    if gcode is None:
        return ["no HTTP response printed (use curl -i)"]
    probs = []
    if wcode != gcode:
        probs.append("status %s, documented %s" % (gcode, wcode))
    got = {}
    for k, v in gheaders:
        got.setdefault(k.lower(), []).append(v)
    for k, v in wheaders:
        if k.lower() not in got:
            probs.append("header %s: not sent" % k)
        elif not any(header_matches(v, g) for g in got[k.lower()]):
            probs.append("header %s: %r, documented %r" % (k, got[k.lower()][-1], v))
    return probs + cmp_body(wbody, gbody, "body")


def render(resp, out):
    """The response block --update writes."""
    if resp["tag"] != "http":
        try:
            vals = json_values(out)
            if resp["tag"] == "json" and len(vals) == 1 and "\n" in resp["body"].strip():
                return json.dumps(vals[0], indent=2, ensure_ascii=False)
        except ValueError:
            pass
        return out.rstrip("\n")
    code, headers, body = split_http(out)
    if code is None:
        return out.rstrip("\n")
    first = out.replace("\r\n", "\n")
    first = [l for l in first.split("\n") if l.startswith("HTTP/")][-1]
    lines = [first]
    for k, v in headers:
        if k.lower() in ("date", "x-request-id"):
            lines.append("%s: \u2026" % k)
        elif k.lower() not in UPDATE_SKIP_HEADERS:
            lines.append("%s: %s" % (k, v))
    lines.append("")
    try:
        vals = json_values(body)
        if len(vals) == 1:
            lines.append(json.dumps(vals[0], indent=2, ensure_ascii=False))
        else:
            lines.append(body.rstrip("\n"))
    except ValueError:
        lines.append(body.rstrip("\n"))
    return "\n".join(lines).rstrip("\n")


def request_of(cmd):
    """(METHOD, target) of a block that is one curl to $BASE_URL, else None."""
    text = cmd.replace("\\\n", " ").strip()
    if "\n" in text or "|" in text:
        return None
    try:
        tokens = shlex.split(text)
    except ValueError:
        return None
    if not tokens or tokens[0] != "curl":
        return None
    method, target = None, None
    data = False
    for i, t in enumerate(tokens):
        if t in ("-X", "--request") and i + 1 < len(tokens):
            method = tokens[i + 1]
        elif t in ("-I", "--head"):
            method = "HEAD"
        elif t in ("-d", "--data", "--data-binary", "--data-raw", "--data-urlencode", "-F"):
            data = True
        for v in ("$BASE_URL", "${BASE_URL}"):
            if v in t:
                target = t.split(v, 1)[1] or "/"
    if target is None:
        return None
    return (method or ("POST" if data else "GET")), target


def record(rec_dir, n, req, out):
    """Leave a response for tests/e2e/openapi_check.py (see tests/e2e/lib.sh)."""
    text = out.replace("\r\n", "\n")
    parts = [p for p in re.split(r"(?m)^(?=HTTP/[0-9.]+ [0-9]{3})", text) if p.startswith("HTTP/")]
    if not parts:
        return
    head, _, body = parts[-1].partition("\n\n")
    d = os.path.join(rec_dir, "doc-%s-%03d" % (os.getpid(), n))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "meta"), "w") as f:
        f.write("%s\n%s\n%s\n" % (req[0], req[1], head.split()[1]))
    with open(os.path.join(d, "headers"), "w") as f:
        f.write(head + "\n\n")
    with open(os.path.join(d, "body"), "w") as f:
        f.write(body)


def main():
    args = sys.argv[1:]
    readme = "--readme" in args
    update = "--update" in args
    rec_dir = None
    if "--openapi-records" in args:
        i = args.index("--openapi-records")
        rec_dir = args[i + 1]
        del args[i:i + 2]
    args = [a for a in args if not a.startswith("--")]
    doc, workdir = args
    name = os.path.basename(doc)
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    lines, pairs = examples(text, readme)
    if not pairs:
        print("FAIL %s: no sh examples found" % name)
        return 1
    results = run_all(pairs, workdir)
    failed = 0
    compared = 0
    replace = []
    for (b, resp), (rc, out) in zip(pairs, results):
        where = "%s:%d" % (name, b["open"] + 1)
        first = b["body"].strip().split("\n")[0][:90]
        if resp is None:
            if rc == 0:
                print("ok   %s setup: %s" % (where, first))
            else:
                failed += 1
                print("FAIL %s setup exited %d: %s" % (where, rc, first))
                print("\n".join("     | " + l for l in out.rstrip("\n").split("\n")[-15:]))
            continue
        compared += 1
        req = request_of(b["body"]) if resp["tag"] == "http" else None
        if rec_dir and req:
            record(rec_dir, compared, req, out)
        probs = compare(resp, out)
        if update and probs:
            replace.append((resp, render(resp, out)))
        if not probs:
            print("ok   %s %s" % (where, first))
            continue
        failed += 1
        print("FAIL %s %s" % (where, first))
        for p in probs[:20]:
            print("       " + p)
        print("     printed (exit status %d):" % rc)
        print("\n".join("     | " + l for l in out.rstrip("\n").split("\n")[:80]))
    if update and replace:
        for resp, new in sorted(replace, key=lambda r: -r[0]["open"]):
            lines[resp["open"] + 1:resp["close"]] = new.split("\n")
        with open(doc, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print("updated %d response blocks of %s" % (len(replace), doc))
    print("%s: %d examples compared, %d setup steps, %d failed"
          % (name, compared, len(pairs) - compared, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
