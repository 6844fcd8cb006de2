#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A webhook receiver for the delivery tests, on 127.0.0.1.

It checks each POST's signature with the Standard Webhooks algorithm (the
base64 HMAC-SHA256, under the key of the whsec_ secret, of
"<webhook-id>.<webhook-timestamp>.<body>"; any of the space-separated
"v1,<sig>" may match), and writes one JSON line per request to the log:
path, id, ts, sig (true/false), signature (the header), status, body,
start and end (seconds).

What it answers depends on the path's first segment:
  /ok/...           200
  /fail-first/...   500 to the first request of each webhook-id, then 200
  /stall-first/...  the first request of each webhook-id waits 3 s (the
                    deliverer's timeout is shorter), then 200
  /always500/...    500
  /slow/...         200 after 20 ms
  /redirect/...     302 to /ok/redirected (which a deliverer must not follow)
  /big/...          200 with a 1 MiB body
  /hold/...         creates the file <log>.held, then waits until the file
                    <log>.release exists (at most 10 s), then 200: the
                    test looks at the database while a request is in flight
Secrets: the file --secrets holds "PATH SECRET" lines, read on each request.

usage: webhook_receiver.py --port-file FILE --log FILE --secrets FILE
"""
import argparse
import os
import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SEEN = set()


def secrets_for(path, secrets_file):
    found = []
    try:
        with open(secrets_file, encoding="ascii") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[0] == path:
                    found.append(parts[1])
    except FileNotFoundError:
        pass
    return found


def verified(secret, msg_id, ts, body, header):
    if not secret.startswith("whsec_"):
        return False
    key = base64.b64decode(secret[len("whsec_"):])
    signed = msg_id.encode() + b"." + ts.encode() + b"." + body
    want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for sig in header.split(" "):
        version, _, value = sig.partition(",")
        if version == "v1" and hmac.compare_digest(value, want):
            return True
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        start = time.time()
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        msg_id = self.headers.get("webhook-id", "")
        ts = self.headers.get("webhook-timestamp", "")
        sig = self.headers.get("webhook-signature", "")
        ok = any(verified(s, msg_id, ts, body, sig)
                 for s in secrets_for(self.path, self.server.secrets))
        mode = self.path.split("/")[1]
        with LOCK:
            first = (self.path, msg_id) not in SEEN
            SEEN.add((self.path, msg_id))
        status = 200
        if mode == "always500" or (mode == "fail-first" and first):
            status = 500
        elif mode == "stall-first" and first:
            time.sleep(3)
        elif mode == "slow":
            time.sleep(0.02)
        elif mode == "redirect":
            status = 302
        elif mode == "hold":
            with open(self.server.log + ".held", "w", encoding="ascii"):
                pass
            deadline = time.time() + 10
            while (not os.path.exists(self.server.log + ".release")
                   and time.time() < deadline):
                time.sleep(0.05)
        record = {"path": self.path, "id": msg_id, "ts": ts, "sig": ok,
                  "status": status, "body": body.decode("utf-8", "replace"),
                  "signature": sig,
                  "ctype": self.headers.get("content-type", ""),
                  "agent": self.headers.get("user-agent", ""),
                  "start": start, "end": time.time()}
        with LOCK:
            with open(self.server.log, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        answer = b"x" * (1 << 20) if mode == "big" else b"ok"
        try:
            self.send_response(status)
            if status == 302:
                self.send_header("location", "/ok/redirected")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # two deliverers' connections at once

    def handle_error(self, request, client_address):
        pass  # a deliverer that hangs up (timeout, cut-off answer) is expected


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--secrets", required=True)
    a = ap.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    server.log = a.log
    server.secrets = a.secrets
    with open(a.port_file + ".tmp", "w", encoding="ascii") as f:
        f.write(str(server.server_address[1]))

    os.rename(a.port_file + ".tmp", a.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
