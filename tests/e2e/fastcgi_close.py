#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""How a worker ends a FastCGI connection (src/lib/app.c, finish()).

Runs one userpatch-users worker on a listening socket of its own (Unix, then
TCP on 127.0.0.1) and talks FastCGI to it directly:

  A  sends a whole request and reads the answer up to the end of the stream,
     then keeps its end of the connection open;
  B  then sends the same request.

And a third client sends a body larger than the limit slowly, the way a web
server streams one: the worker answers 413 before it has read it all, and
the rest of the body must still be accepted (a close on unread input would
make these writes fail, and Apache would take the backend out of service).

On a Unix socket the worker closes as soon as its answer is queued, so B is
answered at once although A never closes.  On TCP it keeps libfcgi's careful
close (shut down the writing side, wait up to 2 s for the server's close),
so B waits for that.  Prints one "ok"/"FAIL" line per check; exit 1 on any
failure.

usage: fastcgi_close.py PROGRAM
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

BEGIN, END, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6
failed = 0


def check(ok, what):
    global failed
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failed += 1


def record(kind, body=b""):
    return struct.pack(">BBHHBx", 1, kind, 1, len(body), 0) + body


def nv(name, value):
    n, v = name.encode(), value.encode()
    return bytes([len(n), len(v)]) + n + v


def head(method="GET", extra=()):
    params = b"".join(nv(k, v) for k, v in [
        ("REQUEST_METHOD", method), ("REQUEST_URI", "/api/users/usr-1"),
        ("SCRIPT_NAME", ""), ("PATH_INFO", "/api/users/usr-1"),
        ("QUERY_STRING", ""), ("SERVER_PROTOCOL", "HTTP/1.1"),
        ("REMOTE_ADDR", "127.0.0.1"), *extra])
    return record(BEGIN, struct.pack(">HB5x", 1, 0)) + record(PARAMS, params) + record(PARAMS)


def request():
    return head() + record(STDIN)


BIG = 200000  # bytes of body, over the default 64 KiB limit


def big_body(family, addr, label):
    """The body over the limit, streamed in pieces; the worker answers 413 early."""
    s = connect(family, addr)
    s.sendall(head("PATCH", [("CONTENT_TYPE", "application/json-patch+json"),
                             ("CONTENT_LENGTH", str(BIG))]))
    sent, error = 0, None
    try:
        while sent < BIG:
            n = min(60000, BIG - sent)
            s.sendall(record(STDIN, b" " * n))
            sent += n
            time.sleep(0.2)  # the worker answers (and closes) meanwhile
        s.sendall(record(STDIN))
    except OSError as e:
        error = e
    check(error is None, f"{label}: the rest of a refused body is still accepted ({error})")
    out, ended = read_answer(s)
    s.close()
    check(out.startswith(b"Status: 413") and ended, f"{label}: the answer is 413 ({out[:15]!r})")


def read_answer(s):
    """Records up to the end of the stream: (stdout bytes, saw END_REQUEST)."""
    data, out, ended = b"", b"", False
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    while len(data) >= 8:
        _, kind, _, length, pad = struct.unpack(">BBHHB", data[:7])
        body = data[8:8 + length]
        data = data[8 + length + pad:]
        if kind == STDOUT:
            out += body
        elif kind == END:
            ended = True
    return out, ended


def connect(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(addr)
    return s


def run(label, family, addr, listener, prog, lingers):
    worker = subprocess.Popen([prog], stdin=listener.fileno(), close_fds=True)
    try:
        a = connect(family, addr)
        a.sendall(request())
        out, ended = read_answer(a)
        check(out.startswith(b"Status: ") and ended,
              f"{label}: A gets a whole answer ({out[:15]!r}..., END_REQUEST {ended})")
        # A keeps its connection open; B asks next.
        start = time.monotonic()
        b = connect(family, addr)
        b.sendall(request())
        out, ended = read_answer(b)
        waited = time.monotonic() - start
        b.close()
        check(ended, f"{label}: B gets a whole answer")
        if lingers:
            check(waited >= 1.5, f"{label}: the worker waited for A's close ({waited:.2f} s)")
        else:
            check(waited < 1.0, f"{label}: B was answered while A stayed open ({waited:.2f} s)")
        a.close()
        big_body(family, addr, label)
    finally:
        worker.terminate()
        worker.wait(10)


def main():
    prog = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "worker.sock")
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        unix.bind(path)
        unix.listen(8)
        run("unix socket", socket.AF_UNIX, path, unix, prog, lingers=False)
        unix.close()
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    run("tcp socket", socket.AF_INET, tcp.getsockname(), tcp, prog, lingers=True)
    tcp.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
