#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# How a worker ends its FastCGI connections: at once on a Unix socket, with
# libfcgi's careful close on TCP (tests/e2e/fastcgi_close.py).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${USERPATCH_CONFIG:?run this test through tests/harness/run-test}"
: "${top_builddir:?run this test through tests/harness/run-test}"
python3 "$here/fastcgi_close.py" "$top_builddir/src/endpoints/userpatch-users"
