#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The man pages against the code:
#   - groff -ww -z -man and man --warnings render each page without a warning;
#   - every config key of the table in src/lib/config.c has an entry in
#     userpatch.conf(5), and every entry there is a key the code knows;
#   - every command and subcommand userpatch-admin dispatches on (the strcmp
#     calls in src/tools/*.c), every option it parses ("--..." literals) and
#     every scope (src/lib/auth.c) is in userpatch-admin(8) and in its --help;
#   - every endpoint program the build installs (pkglibexec_PROGRAMS in the
#     *.mk fragments) is named in userpatch(7);
#   - userpatch-admin --help, COMMAND [SUBCOMMAND] --help and --version print
#     to stdout, nothing to stderr, and exit 0.
# The lists are read from the sources, so what is added later is checked too.
set -euo pipefail
: "${top_srcdir:?run this test through make check}"
: "${top_builddir:?run this test through make check}"
man=$top_srcdir/man
admin=$top_builddir/src/tools/userpatch-admin
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() {
	passed=$((passed + 1))
	echo "PASS: $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

for tool in groff man python3; do
	command -v "$tool" >/dev/null || {
		echo "FAIL: $tool is not installed (scripts/deps installs it)"
		exit 1
	}
done

echo "# rendering"
for page in userpatch-admin.8 userpatch.conf.5 userpatch.7; do
	if groff -ww -z -man -t "$man/$page" >"$tmp/groff" 2>&1 && [ ! -s "$tmp/groff" ]; then
		pass "groff -ww -z -man $page: no warning"
	else
		fail "groff -ww -z -man $page:"
		cat "$tmp/groff"
	fi
	if MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$man/$page" >"$tmp/man.out" 2>"$tmp/man.err" &&
		[ ! -s "$tmp/man.err" ] && [ "$(wc -l <"$tmp/man.out")" -gt 20 ]; then
		pass "man --warnings -l $page: renders, no warning"
	else
		fail "man --warnings -l $page:"
		cat "$tmp/man.err"
	fi
done

# Headings of the .TP entries of section SECTION of PAGE, one a line, as
# plain text: macro, quotes and font escapes removed, "\-" as "-".
entries() {
	python3 - "$1" "$2" <<'PY'
import re, sys
page, section = sys.argv[1], sys.argv[2]
lines = open(page, encoding="utf-8").read().split("\n")
inside, prev = False, ""
for line in lines:
    if line.startswith(".SH "):
        inside = line[4:].strip().strip('"') == section
    elif inside and prev == ".TP" and re.match(r"\.(B|BI|BR|I|IR|IB)\b", line):
        text = re.sub(r"^\.\w+\s*", "", line)
        text = re.sub(r"\\f[BIRP]", "", text).replace("\\-", "-").replace('"', "")
        print(" ".join(text.split()))
    prev = line
PY
}

echo "# userpatch.conf(5) and the keys of src/lib/config.c"
sed -n 's/^[[:space:]]*{"\([a-z0-9_]*\)",[[:space:]]*K_.*/\1/p' "$top_srcdir/src/lib/config.c" |
	sort -u >"$tmp/keys"
entries "$man/userpatch.conf.5" KEYS | sort -u >"$tmp/documented"
if [ "$(wc -l <"$tmp/keys")" -ge 10 ]; then
	pass "$(wc -l <"$tmp/keys") keys read from src/lib/config.c"
else
	fail "only $(wc -l <"$tmp/keys") keys read from src/lib/config.c: has its table changed form?"
fi
while read -r key; do
	if grep -qx -- "$key" "$tmp/documented"; then
		pass "config key $key is in userpatch.conf(5)"
	else
		fail "config key $key (src/lib/config.c) has no entry in man/userpatch.conf.5 (section KEYS)"
	fi
done <"$tmp/keys"
while read -r key; do
	grep -qx -- "$key" "$tmp/keys" ||
		fail "userpatch.conf(5) describes '$key', which src/lib/config.c does not know"
done <"$tmp/documented"
# Each entry gives the key's default (or says it is required).
python3 - "$man/userpatch.conf.5" >"$tmp/nodefault" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
inside, prev, cur, text = False, "", None, {}
for line in lines:
    if line.startswith(".SH "):
        inside, cur = line[4:].strip().strip('"') == "KEYS", None
    elif inside and prev == ".TP" and line.startswith(".B "):
        cur = line[3:].strip()
        text[cur] = ""
    elif inside and cur and line not in (".TP",) and not line.startswith(".SS"):
        text[cur] += line + " "
    prev = line
for key, body in text.items():
    if "Default" not in body and "Required" not in body:
        print(key)
PY
if [ -s "$tmp/nodefault" ]; then
	fail "userpatch.conf(5) entries without their default: $(tr '\n' ' ' <"$tmp/nodefault")"
else
	pass "every userpatch.conf(5) entry gives its default"
fi

# The numeric keys: the range of the table and the default of
# up_config_defaults() are the ones the page gives ("Default N; from MIN to MAX").
if python3 - "$top_srcdir/src/lib/config.c" "$man/userpatch.conf.5" >"$tmp/ranges" <<'PY'; then
import re, sys
src = open(sys.argv[1]).read()
page = open(sys.argv[2], encoding="utf-8").read().split("\n")
table = src[src.index("keys[] = {"):]
table = table[:table.index("};")]
def ev(expr):
    expr = re.sub(r"(\d+)U?L{0,2}\b", r"\1", expr.strip())
    if not re.fullmatch(r"[\d\s*+()-]+", expr):
        return None
    return eval(expr)
ranges = {}
for m in re.finditer(r'\{"(\w+)",\s*K_ULONG,\s*OFF\(\w+\),\s*([^,]+),\s*([^}]+)\}', table):
    ranges[m.group(1)] = (ev(m.group(2)), ev(m.group(3)))
defaults = {}
body = src[src.index("void up_config_defaults"):]
body = body[:body.index("\n}\n")]
for m in re.finditer(r"cfg->(\w+)\s*=\s*([^;]+);", body):
    v = ev(m.group(2))
    if v is not None:
        defaults[m.group(1)] = v
inside, prev, cur, text = False, "", None, {}
for line in page:
    if line.startswith(".SH "):
        inside, cur = line[4:].strip().strip('"') == "KEYS", None
    elif inside and prev == ".TP" and line.startswith(".B "):
        cur = line[3:].strip(); text[cur] = ""
    elif inside and cur:
        text[cur] += line + " "
    prev = line
bad = 0
for key, (lo, hi) in sorted(ranges.items()):
    t = " ".join(text.get(key, "").replace("\\-", "-").split())
    if lo is None or hi is None:
        print(f"cannot evaluate the range of {key} in config.c"); bad += 1; continue
    if not re.search(rf"from {lo}\b[^.;]*?\bto {hi}\b", t):
        print(f"{key}: the code accepts {lo} to {hi}; userpatch.conf(5) does not say 'from {lo} to {hi}'"); bad += 1
    d = defaults.get(key)
    if d is not None and not re.search(rf"Default {d}\b", t):
        print(f"{key}: the default is {d}; userpatch.conf(5) does not say 'Default {d}'"); bad += 1
print(f"{len(ranges)} numeric keys checked")
sys.exit(1 if bad else 0)
PY
	pass "$(tail -n 1 "$tmp/ranges"): ranges and defaults as in src/lib/config.c"
else
	fail "userpatch.conf(5) and src/lib/config.c disagree:"
	sed 's/^/    /' "$tmp/ranges"
fi

echo "# userpatch-admin(8), --help and the commands of src/tools"
entries "$man/userpatch-admin.8" COMMANDS >"$tmp/commands"
"$admin" --help >"$tmp/help" 2>"$tmp/help.err" || fail "userpatch-admin --help exits non-zero"
# documented COMMAND WORDS...: a COMMANDS entry starts with the words.
documented() {
	grep -qE -- "^$*( |\$)" "$tmp/commands"
}
# Top-level commands: what main() compares cmd with.
sed -n 's/.*strcmp(cmd, "\([a-z-]*\)").*/\1/p' "$top_srcdir/src/tools/userpatch-admin.c" |
	sort -u >"$tmp/top"
if [ "$(wc -l <"$tmp/top")" -ge 4 ]; then
	pass "$(wc -l <"$tmp/top") commands read from userpatch-admin.c"
else
	fail "only $(wc -l <"$tmp/top") commands read from src/tools/userpatch-admin.c"
fi
subs=0
while read -r cmd; do
	if documented "$cmd"; then
		pass "command $cmd is in userpatch-admin(8)"
	else
		fail "command $cmd has no entry in man/userpatch-admin.8 (section COMMANDS)"
	fi
	if grep -qE "^  $cmd( |\$)" "$tmp/help"; then
		pass "command $cmd is in --help"
	else
		fail "command $cmd is not in userpatch-admin --help"
	fi
	# Its subcommands: the argv[1] comparisons in admin_<cmd>*.c.
	for f in "$top_srcdir/src/tools/admin_${cmd//-/_}"*.c; do
		[ -e "$f" ] || continue
		sed -n 's/.*strcmp(argv\[1\], "\([a-z-]*\)").*/\1/p' "$f"
	done | sort -u >"$tmp/subs"
	while read -r sub; do
		subs=$((subs + 1))
		if documented "$cmd" "$sub"; then
			pass "$cmd $sub is in userpatch-admin(8)"
		else
			fail "$cmd $sub has no entry in man/userpatch-admin.8 (section COMMANDS)"
		fi
		if grep -qE "^  $cmd $sub( |\$)" "$tmp/help"; then
			pass "$cmd $sub is in --help"
		else
			fail "$cmd $sub is not in userpatch-admin --help"
		fi
		if "$admin" "$cmd" "$sub" --help >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ] &&
			grep -qE "^  $cmd $sub( |\$)" "$tmp/out"; then
			pass "userpatch-admin $cmd $sub --help: its usage on stdout, exit 0"
		else
			fail "userpatch-admin $cmd $sub --help (stderr: $(cat "$tmp/err"))"
		fi
	done <"$tmp/subs"
	if "$admin" "$cmd" --help >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ] &&
		grep -qE "^  $cmd( |\$)" "$tmp/out"; then
		pass "userpatch-admin $cmd --help: its usage on stdout, exit 0"
	else
		fail "userpatch-admin $cmd --help (stderr: $(cat "$tmp/err"))"
	fi
done <"$tmp/top"
if [ "$subs" -ge 5 ]; then
	pass "$subs subcommands read from src/tools/admin_*.c"
else
	fail "only $subs subcommands read from src/tools/admin_*.c"
fi

# Options: every "--name" string literal of the tool's sources.
grep -ho '"--[a-z][a-z-]*"' "$top_srcdir"/src/tools/*.c | tr -d '"' | sort -u >"$tmp/options"
while read -r opt; do
	case $opt in --help | --version | --config) ;; *)
		if grep -qE -- "(^|[ [])$opt( |\$|\])" "$tmp/help"; then
			pass "option $opt is in --help"
		else
			fail "option $opt is not in userpatch-admin --help"
		fi
		;;
	esac
	if grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$man/userpatch-admin.8"; then
		pass "option $opt is in userpatch-admin(8)"
	else
		fail "option $opt (src/tools) is not in man/userpatch-admin.8"
	fi
done <"$tmp/options"

# Scopes: the names in src/lib/auth.c.
sed -n 's/^[[:space:]]*{"\([a-z_]*:[a-z_]*\)",.*/\1/p' "$top_srcdir/src/lib/auth.c" |
	sort -u >"$tmp/scopes"
[ -s "$tmp/scopes" ] || fail "no scope read from src/lib/auth.c"
while read -r scope; do
	if grep -qx -- "$scope" "$tmp/commands"; then
		pass "scope $scope is in userpatch-admin(8)"
	else
		fail "scope $scope (src/lib/auth.c) has no entry in man/userpatch-admin.8"
	fi
	if grep -qF -- "$scope" "$tmp/help"; then
		pass "scope $scope is in --help"
	else
		fail "scope $scope is not in userpatch-admin --help"
	fi
done <"$tmp/scopes"

echo "# userpatch(7) and the endpoint programs"
sed -n 's/^pkglibexec_PROGRAMS[[:space:]]*+\{0,1\}=\(.*\)/\1/p' "$top_srcdir"/*/*.mk "$top_srcdir"/*/*/*.mk 2>/dev/null |
	tr -s ' \t' '\n' | sed -n 's|.*/\(userpatch-[a-z-]*\)$|\1|p' | sort -u >"$tmp/programs"
[ -s "$tmp/programs" ] || fail "no endpoint program read from the *.mk fragments"
while read -r prog; do
	if grep -qF -- "$(printf '%s' "$prog" | sed 's/-/\\-/g')" "$man/userpatch.7"; then
		pass "program $prog is in userpatch(7)"
	else
		fail "program $prog (pkglibexec_PROGRAMS) is not named in man/userpatch.7"
	fi
done <"$tmp/programs"

echo "# --help and --version"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$top_builddir/autoconfig.h")
for args in "--help" "-h" "--version" "--config /nonexistent --version"; do
	# shellcheck disable=SC2086 # words
	if "$admin" $args >"$tmp/out" 2>"$tmp/err"; then rc=0; else rc=$?; fi
	if [ "$rc" -eq 0 ] && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ]; then
		pass "userpatch-admin $args: stdout, exit 0"
	else
		fail "userpatch-admin $args: exit $rc, stderr: $(cat "$tmp/err")"
	fi
done
"$admin" --version >"$tmp/out"
if [ -n "$version" ] && grep -qx "userpatch-admin (userpatch) $version" "$tmp/out"; then
	pass "--version prints $version"
else
	fail "--version printed '$(cat "$tmp/out")', expected version '$version'"
fi
if "$admin" >"$tmp/out" 2>"$tmp/err"; then rc=0; else rc=$?; fi
if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q '^usage:' "$tmp/err"; then
	pass "no command: usage on stderr, exit 2"
else
	fail "no command: exit $rc"
fi
if "$admin" frobnicate --help >"$tmp/out" 2>"$tmp/err"; then rc=0; else rc=$?; fi
if [ "$rc" -eq 2 ] && grep -q "unknown command" "$tmp/err"; then
	pass "unknown command --help: exit 2"
else
	fail "unknown command --help: exit $rc"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
