#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Every userpatch config shown in the documentation loads through the real
# parser (up_config_parse, via tests/docs/config_parse):
#   - docs/deploy/*.conf.sample, whole;
#   - every fenced block tagged ```conf in README.md, docs/*.md and
#     docs/deploy/*.md. A block that only shows some keys gets the required
#     keys it lacks (db_user, db_name) added before it is loaded; nothing
#     else is changed.
# A fenced block that is not tagged conf but looks like a userpatch config
# (a line "db_user =", "db_name =", "db_host =" or "log_level =") fails too:
# tag it ```conf so that it is checked.
set -euo pipefail
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
parse=$top_builddir/tests/docs/config_parse
[ -x "$parse" ] || { echo "FAIL $parse is not built" >&2; exit 99; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

untagged=0
python3 - "$top_srcdir" "$work" <<'PY' || untagged=1
import glob
import os
import re
import sys

top, work = sys.argv[1], sys.argv[2]
looks_like_config = re.compile(r"^\s*(db_user|db_name|db_host|log_level)\s*=", re.M)
docs = [os.path.join(top, "README.md")]
docs += sorted(glob.glob(os.path.join(top, "docs", "*.md")))
docs += sorted(glob.glob(os.path.join(top, "docs", "deploy", "*.md")))
bad = 0
n = 0
with open(os.path.join(work, "list"), "w") as lst:
    for path in sorted(glob.glob(os.path.join(top, "docs", "deploy", "*.conf.sample"))):
        lst.write("%s\t%s\n" % (path, os.path.relpath(path, top)))
    for path in docs:
        rel = os.path.relpath(path, top)
        lines = open(path, encoding="utf-8").read().split("\n")
        i = 0
        while i < len(lines):
            m = re.match(r"^(\s*)(```+|~~~+)\s*([^\s`]*)", lines[i])
            if not m:
                i += 1
                continue
            fence, info, start = m.group(2), m.group(3), i + 1
            j = start
            while j < len(lines) and not lines[j].strip().startswith(fence):
                j += 1
            body = "\n".join(l[len(m.group(1)):] if l.startswith(m.group(1)) else l
                             for l in lines[start:j]) + "\n"
            where = "%s:%d" % (rel, start)
            if info == "conf":
                for key in ("db_user", "db_name"):
                    if not re.search(r"^\s*%s\s*=" % key, body, re.M):
                        body += "%s = added_by_the_test\n" % key
                n += 1
                out = os.path.join(work, "block%03d.conf" % n)
                open(out, "w").write(body)
                lst.write("%s\t%s\n" % (out, where))
            elif looks_like_config.search(body) and info not in ("sh", "apache", "nginx", "lighttpd"):
                print("FAIL %s: a config block not tagged ```conf (so not checked)" % where)
                bad += 1
            i = j + 1
sys.exit(1 if bad else 0)
PY
[ -s "$work/list" ] || { echo "FAIL no config blocks found" >&2; exit 1; }
failed=0 count=0
while IFS=$'\t' read -r file where; do
	count=$((count + 1))
	if out=$("$parse" "$file"); then
		echo "ok   $where loads"
	else
		echo "FAIL $where does not load: ${out#FAIL "$file": }"
		sed 's/^/     | /' "$file"
		failed=$((failed + 1))
	fi
done <"$work/list"
echo "$count config samples, $failed refused"
[ "$failed" -eq 0 ] && [ "$untagged" -eq 0 ]
