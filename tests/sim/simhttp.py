"""Small HTTP plumbing shared by the Daraja simulator and the SMS provider double.

Standard library only.  An *app* is any object with a method
``handle(method, path, query, headers, body) -> Reply``; ``serve`` puts it on a
ThreadingHTTPServer in a daemon thread.  ``run`` writes the pid and ready files
and waits for SIGTERM/SIGINT.
"""

import json
import os
import signal
import threading
import time
import traceback
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Reply:
    """An HTTP answer: a JSON object (or raw bytes), or a dropped connection."""

    def __init__(self, status=200, obj=None, raw=None, content_type="application/json",
                 drop=False):
        self.status = status
        self.obj = obj
        self.raw = raw
        self.content_type = content_type
        self.drop = drop

    def body(self):
        if self.raw is not None:
            return self.raw if isinstance(self.raw, bytes) else self.raw.encode("utf-8")
        return (json.dumps(self.obj, ensure_ascii=False, default=str) + "\n").encode("utf-8")


class ControlError(Exception):
    """A control API request that cannot be served: 400 or 404 with {"error": ...}."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status
        self.message = message


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ispbill-sim"

    def log_message(self, *args):
        pass

    def _run(self, method):
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        body = self._body()
        try:
            reply = self.server.app.handle(method, url.path, query, self.headers, body)
        except ControlError as e:
            reply = Reply(e.status, {"error": e.message})
        except Exception as e:  # noqa: BLE001 - a simulator bug: say so, keep serving
            traceback.print_exc()
            reply = Reply(500, {"error": "simulator error: %r" % e})
        if reply.drop:
            self.close_connection = True
            return
        data = reply.body()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        self._run("GET")

    def do_POST(self):
        self._run("POST")

    def do_PUT(self):
        self._run("PUT")

    def do_PATCH(self):
        self._run("PATCH")

    def do_DELETE(self):
        self._run("DELETE")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128        # bursts of clients (the default 5 resets connections)


def serve(listen, app):
    """listen is "HOST:PORT" (PORT 0: a free one).  Returns the started server."""
    host, _, port = listen.rpartition(":")
    srv = Server((host or "127.0.0.1", int(port)), Handler)
    srv.app = app
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                     daemon=True).start()
    return srv


def url_of(srv):
    host, port = srv.server_address[:2]
    return "http://%s:%d" % (host, port)


def json_body(body, what="body"):
    """A control request body as a dict ({} when empty)."""
    if not body:
        return {}
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ControlError("%s is not JSON: %s" % (what, e))
    if not isinstance(data, dict):
        raise ControlError("%s must be a JSON object" % what)
    return data


def post_json(url, data, timeout=5.0, headers=None):
    """POST bytes as application/json.  Returns (status or None, response text, error)."""
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers=dict({"Content-Type": "application/json"},
                                              **(headers or {})))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace"), None
    except urllib.error.HTTPError as e:
        try:
            text = e.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        return e.code, text, None
    except (OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        return None, "", str(reason)


def write_atomic(path, text):
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def run(servers, ready, ready_file=None, pid_file=None, on_stop=None):
    """Write pid/ready files, then block until SIGTERM/SIGINT; shut down cleanly."""
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if pid_file:
        write_atomic(pid_file, "%d\n" % os.getpid())
    if ready_file:
        write_atomic(ready_file, json.dumps(ready, indent=1) + "\n")
    while not stop.wait(3600):
        pass
    if on_stop:
        on_stop()
    for srv in servers:
        srv.shutdown()
        srv.server_close()
    return 0


def now():
    return time.time()
