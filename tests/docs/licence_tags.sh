#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Every source file of the tree says its licence in its first three lines
# (SPDX-License-Identifier: ISC, the licence of LICENSE): the C sources and
# headers, the shell and Python scripts, the SQL migrations and the build
# files. A file added later without it fails here.
set -euo pipefail
: "${top_srcdir:?run this test through make check}"
cd "$top_srcdir"
passed=0
failed=0
while IFS= read -r f; do
	if head -n 3 "$f" | grep -q 'SPDX-License-Identifier: ISC'; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $f has no SPDX-License-Identifier: ISC line in its first three lines"
	fi
done < <(find src tests scripts bench schema cgi-bin \
	-path tests/fuzz/corpus -prune -o -type f \
	\( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o -name '*.sql' -o -name '*.mk' \) \
	-print 2>/dev/null
	printf '%s\n' Makefile.am configure.ac scripts/serve scripts/test scripts/deps)
grep -q '^ISC License' LICENSE || {
	echo "FAIL: LICENSE is not the ISC licence"
	failed=$((failed + 1))
}
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 100 ]
