#!/usr/bin/python3
"""RouterOS API simulator for ispbill's integration tests.

One process serves several simulated routers, each on its own TCP port(s)
(plain API, api-ssl with a certificate, api-ssl without a certificate using
anonymous Diffie-Hellman), plus a JSON control API over HTTP.  Standard
library only; run with Debian's /usr/bin/python3.  See README.md here.
"""

import argparse
import json
import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ros_codec import ProtocolError, SentenceReader, encode_sentence, encode_word  # noqa: E402
from ros_router import (FAULT_KEYS, Reply, Router, Session, Stream, Trap,  # noqa: E402
                        parse_command, trap)

MODES = ("plain", "ssl", "ssl-nocert")
KINDS = ("v6", "v7", "legacy")

ADH_CIPHERS = ("ADH-AES256-GCM-SHA384:ADH-AES128-GCM-SHA256:ADH-AES256-SHA256:"
               "ADH-AES128-SHA256:ADH-AES256-SHA:ADH-AES128-SHA:@SECLEVEL=0")

# RFC 7919 ffdhe2048 group (a published constant).
FFDHE2048_PEM = """-----BEGIN DH PARAMETERS-----
MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz
+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a
87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7
YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi
7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD
ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==
-----END DH PARAMETERS-----
"""


class Dropped(Exception):
    """The connection is to be closed now (fault or peer gone)."""


# ---------------------------------------------------------------- TLS

def make_certs(directory):
    """Self-signed CA and a server certificate for localhost / 127.0.0.1."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), cwd=directory, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
        "-subj", "/CN=ispbill RouterOS simulator CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(directory, "server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "3650", "-extfile", "server.ext")
    return {k: os.path.join(directory, v) for k, v in
            (("ca", "ca.pem"), ("cert", "server.pem"), ("key", "server.key"))}


def ssl_context(mode, certs, dh_file):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if mode == "ssl":
        ctx.load_cert_chain(certs["cert"], certs["key"])
    else:
        # RouterOS api-ssl without a certificate: anonymous DH only, TLS 1.2 at most.
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(ADH_CIPHERS)
        ctx.load_dh_params(dh_file)
    return ctx


# ---------------------------------------------------------------- connections

class Conn:
    """One client connection: one thread does all its reads and writes."""

    ids = 0
    ids_lock = threading.Lock()

    def __init__(self, sim, sock, ctx):
        self.sim = sim
        self.router = sim.router
        self.raw = sock
        self.sock = sock
        self.ctx = ctx
        self.session = Session()
        self.streams = []          # [tag, Stream]
        self.words_sent = 0        # words sent after the login reply
        self.counting = False
        self.dead = False
        self.wake_r, self.wake_w = os.pipe()
        with Conn.ids_lock:
            Conn.ids += 1
            self.id = Conn.ids

    def kill(self):
        self.dead = True
        self.poke()

    def poke(self):
        """Wake the loop (a stream is due now, or the connection dies)."""
        try:
            os.write(self.wake_w, b"x")
        except OSError:
            pass

    def run(self):
        try:
            self.raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.ctx is not None:
                self.raw.settimeout(10)
                self.sock = self.ctx.wrap_socket(self.raw, server_side=True)
            self.sock.setblocking(False)
            self.loop()
        except (Dropped, OSError, ssl.SSLError, ProtocolError, ValueError):
            pass
        finally:
            self.close()

    def close(self):
        self.dead = True
        self.sim.forget(self)
        for _, stream in self.streams:
            self.router.stream_ended(stream, "dropped")
        self.streams = []
        for s in (self.sock, self.raw):
            try:
                s.close()
            except OSError:
                pass
        for fd in (self.wake_r, self.wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def loop(self):
        reader = SentenceReader()
        while not self.dead:
            timeout = None
            if self.streams:
                timeout = max(0.0, min(s.next_at for _, s in self.streams) - time.monotonic())
            pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()
            if pending:
                ready = [self.sock]
            else:
                ready, _, _ = select.select([self.sock, self.wake_r], [], [], timeout)
            if self.dead:
                return
            if self.wake_r in ready:
                os.read(self.wake_r, 64)
            if self.sock in ready:
                try:
                    data = self.sock.recv(65536)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    data = None
                if data == b"":
                    return
                if data and not self.router.faults.get("blackhole"):
                    for sentence in reader.feed(data):
                        self.on_sentence(sentence)
                        if self.dead:
                            return
            if self.router.faults.get("blackhole"):
                continue
            self.run_streams()

    # ---- commands

    def on_sentence(self, raw_words):
        words = [w.decode("utf-8", "surrogateescape") for w in raw_words]
        self.router.record(words, self.id)
        delay = self.router.faults.get("delay_ms")
        if delay:
            time.sleep(float(delay) / 1000.0)
        cmd, attrs, api, _ = parse_command(words)
        tag = api.get("tag")
        was_in = self.session.logged_in
        if cmd == "/cancel" and was_in and not self.router.faults.get("fatal"):
            self.cancel(attrs.get("tag"), tag)
            return
        try:
            result = self.router.handle(words, self.session)
        except Exception as e:  # a simulator bug: say so to the client, keep serving
            traceback.print_exc()
            result = Reply([trap("simulator error: %r" % e), ["!done"]])
        self.counting = was_in
        if isinstance(result, Stream):
            result.wake = self.poke
            self.router.stream_started(result, self.id, tag, attrs)
            self.streams.append([tag, result])
            return
        for s in result.sentences:
            self.send(s, tag)
        if result.close:
            raise Dropped()

    def cancel(self, target, tag):
        keep = []
        for stag, stream in self.streams:
            if target is None or stag == target:
                self.router.stream_ended(stream, "cancelled")
                self.send(trap("interrupted", 2), stag)
                self.send(["!done"], stag)
            else:
                keep.append([stag, stream])
        self.streams = keep
        self.send(["!done"], tag)

    def run_streams(self):
        now = time.monotonic()
        for entry in list(self.streams):
            tag, stream = entry
            if stream.next_at > now or entry not in self.streams:
                continue
            with self.router.lock:
                sentences, done = stream.step()
            stream.next_at += stream.interval
            if stream.next_at < now:
                stream.next_at = now + stream.interval
            if done:
                self.streams.remove(entry)
                self.router.stream_ended(stream, "finished")
            for s in sentences:
                self.send(s, tag)

    # ---- writing

    def send(self, words, tag=None):
        if tag is not None and words[0] != "!fatal":
            words = list(words) + [".tag=%s" % tag]
        faults = self.router.faults
        drop = faults.get("drop_after_words")
        split = faults.get("split")
        if drop is None and not split:
            self.write(encode_sentence(words))
            return
        for w in list(words) + [""]:
            if drop is not None and self.counting and w != "":
                if self.words_sent >= int(drop):
                    raise Dropped()
                self.words_sent += 1
            data = encode_word(w)
            if split:
                self.write_split(data)
            else:
                self.write(data)

    def write_split(self, data):
        """Several TCP writes per word: the length prefix byte by byte, then
        the payload in up to three pieces, with short sleeps between."""
        n = len(data)
        first = data[0]
        plen = 1 if first < 0x80 else 2 if first < 0xC0 else 3 if first < 0xE0 \
            else 4 if first < 0xF0 else 5
        cuts = list(range(1, min(plen, n) + 1))
        rest = n - plen
        if rest > 2:
            cuts += [plen + rest // 3, plen + 2 * rest // 3]
        cuts.append(n)
        start = 0
        for c in sorted(set(cuts)):
            if c <= start:
                continue
            self.write(data[start:c])
            start = c
            time.sleep(0.003)

    def write(self, data):
        try:
            self.sock.settimeout(10)
            self.sock.sendall(data)
        finally:
            try:
                self.sock.setblocking(False)
            except OSError:
                pass


# ---------------------------------------------------------------- listeners

class Listener:
    def __init__(self, sim, mode, host, port, ctx):
        self.sim = sim
        self.mode = mode
        self.host = host
        self.port = port
        self.ctx = ctx
        self.lsock = None
        self.wake_r, self.wake_w = os.pipe()
        self.thread = None
        self.lock = threading.Lock()

    def start(self):
        with self.lock:
            if self.lsock is not None:
                return
            fam = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((self.host, self.port))
            s.listen(64)
            self.port = s.getsockname()[1]
            self.lsock = s
            self.thread = threading.Thread(target=self.accept_loop, args=(s,), daemon=True)
            self.thread.start()

    def stop(self):
        with self.lock:
            s, self.lsock = self.lsock, None
            if s is None:
                return
            os.write(self.wake_w, b"x")
        self.thread.join(2)
        s.close()
        while select.select([self.wake_r], [], [], 0)[0]:
            os.read(self.wake_r, 64)

    def accept_loop(self, s):
        while True:
            ready, _, _ = select.select([s, self.wake_r], [], [])
            if self.wake_r in ready or self.lsock is not s:
                return
            try:
                c, _ = s.accept()
            except OSError:
                continue
            faults = self.sim.router.faults
            if faults.get("close_on_accept") or faults.get("offline"):
                c.close()
                continue
            self.sim.spawn(c, self.ctx)


class SimRouter:
    """A Router plus its listeners and open connections."""

    def __init__(self, router):
        self.router = router
        self.listeners = []
        self.conns = set()
        self.lock = threading.Lock()

    def spawn(self, sock, ctx):
        conn = Conn(self, sock, ctx)
        with self.lock:
            self.conns.add(conn)
        threading.Thread(target=conn.run, daemon=True).start()

    def forget(self, conn):
        with self.lock:
            self.conns.discard(conn)

    def kill_all(self):
        with self.lock:
            conns = list(self.conns)
        for c in conns:
            c.kill()

    def apply_faults(self):
        if self.router.faults.get("offline"):
            for lst in self.listeners:
                lst.stop()
            self.kill_all()
        else:
            for lst in self.listeners:
                lst.start()

    def info(self, sim):
        r = self.router
        ports = {}
        for lst in self.listeners:
            ports.setdefault(lst.mode, lst.port)
        with self.lock:
            nconn = len(self.conns)
        return {"name": r.name, "kind": r.kind, "version": r.version,
                "user": r.user, "password": r.password,
                "port": self.listeners[0].port, "mode": self.listeners[0].mode,
                "ports": ports, "ca_file": sim.certs["ca"] if sim.certs else None,
                "faults": r.faults, "connections": nconn,
                "settings": r.settings}


# ---------------------------------------------------------------- control API

class Control(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "routeros-sim"

    def log_message(self, *args):
        pass

    def reply(self, code, obj):
        body = (json.dumps(obj, ensure_ascii=False, default=str,
                           ) + "\n").encode("utf-8", "replace")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if not n:
            return {}
        data = json.loads(self.rfile.read(n).decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("body must be a JSON object")
        return data

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_PATCH(self):
        self.route("PATCH")

    def do_DELETE(self):
        self.route("DELETE")

    def route(self, method):
        sim = self.server.sim
        url = urlparse(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        parts = [p for p in url.path.split("/") if p]
        try:
            body = self.body() if method != "GET" else {}
            code, obj = sim.control(method, parts, q, body)
        except (KeyError, LookupError) as e:
            code, obj = 404, {"error": str(e.args[0] if e.args else e)}
        except Trap as t:
            code, obj = 400, {"error": t.message}
        except (ValueError, TypeError) as e:
            code, obj = 400, {"error": str(e)}
        except Exception as e:  # noqa: BLE001 - a simulator bug
            traceback.print_exc()
            code, obj = 500, {"error": "simulator error: %r" % e}
        self.reply(code, obj)


def jsonable_items(items):
    """Values as JSON strings; bytes that are not UTF-8 also given as hex."""
    out = []
    for it in items:
        row = {}
        raw = {}
        for k, v in it.items():
            try:
                v.encode("utf-8")
                row[k] = v
            except UnicodeEncodeError:
                b = v.encode("utf-8", "surrogateescape")
                row[k] = b.decode("utf-8", "replace")
                raw[k] = b.hex()
        if raw:
            row["_hex"] = raw
        out.append(row)
    return out


def jsonable_words(words):
    return [w.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for w in words]


class Sim:
    def __init__(self, host):
        self.host = host
        self.routers = {}
        self.certs = None
        self.tmp = None
        self.stop = threading.Event()
        self.http = None

    def get(self, name):
        if name not in self.routers:
            raise KeyError("no such router %s" % name)
        return self.routers[name]

    def control(self, method, parts, q, body):
        if parts == ["health"]:
            return 200, {"ok": True}
        if parts == ["reset"] and method == "POST":
            for sr in self.routers.values():
                self.reset_router(sr)
            return 200, {"ok": True}
        if parts in (["routers"], []) and method == "GET":
            return 200, {"routers": [sr.info(self) for sr in self.routers.values()],
                         "ca_file": self.certs["ca"] if self.certs else None}
        if len(parts) < 2 or parts[0] != "routers":
            raise KeyError("no such endpoint /%s" % "/".join(parts))
        sr = self.get(parts[1])
        r = sr.router
        what = parts[2] if len(parts) > 2 else ""
        if what == "" and method == "GET":
            return 200, sr.info(self)
        if what == "reset" and method == "POST":
            self.reset_router(sr)
            return 200, {"ok": True}
        if what == "menu":
            return self.menu(r, method, q, body)
        if what == "fault":
            if method == "GET":
                return 200, {"faults": r.faults}
            if method == "DELETE":
                with r.lock:
                    r.faults = {}
            else:
                bad = [k for k in body if k not in FAULT_KEYS]
                if bad:
                    raise ValueError("unknown fault %s" % ", ".join(bad))
                if isinstance(body.get("trap"), str):
                    body["trap"] = {"message": body["trap"]}
                if body.get("trap") not in (None, False) and not isinstance(body["trap"], dict):
                    raise ValueError("trap is a message or an object")
                with r.lock:
                    r.faults.update({k: v for k, v in body.items() if v not in (None, False)})
                    for k, v in body.items():
                        if v in (None, False):
                            r.faults.pop(k, None)
            sr.apply_faults()
            return 200, {"faults": r.faults}
        if what == "log":
            if method == "DELETE":
                with r.lock:
                    r.log = []
                return 200, {"ok": True}
            since = int(q.get("since", 0))
            with r.lock:
                log = r.log[since:]
            return 200, {"log": [dict(e, words=jsonable_words(e["words"])) for e in log],
                         "count": since + len(log)}
        if what == "traffic" and method == "POST":
            iface = body.get("interface")
            if not iface:
                raise ValueError("interface is required")
            r.set_traffic(iface, body)
            return 200, {"traffic": r.traffic}
        if what == "streams":
            if method not in ("GET", "DELETE"):
                raise KeyError("no such endpoint")
            return 200, r.ctl_streams(zero=method == "DELETE")
        if what == "hotspot-rate" and method == "POST":
            user = body.get("user")
            if not user:
                raise ValueError("user is required")
            return 200, {"sessions": r.set_hotspot_rate(user, body)}
        if what == "ping":
            with r.lock:
                if method == "DELETE":
                    r.pings = {}
                elif method == "POST":
                    addr = body.get("address")
                    if not addr:
                        raise ValueError("address is required ('*' for every other address)")
                    r.pings[addr] = {k: v for k, v in body.items() if k != "address"}
                return 200, {"ping": r.pings}
        if what == "settings":
            with r.lock:
                if method == "POST":
                    for k, v in body.items():
                        if k in r.settings:
                            r.settings[k] = float(v)
                        elif k in ("user", "password"):
                            setattr(r, k, str(v))
                        else:
                            raise ValueError("unknown setting %s" % k)
                return 200, {"settings": r.settings, "user": r.user, "password": r.password}
        if what == "connections":
            if method == "DELETE":
                sr.kill_all()
            with sr.lock:
                return 200, {"connections": len(sr.conns)}
        raise KeyError("no such endpoint /%s" % "/".join(parts))

    def menu(self, r, method, q, body):
        path = q.get("path")
        if not path:
            raise ValueError("path is required, e.g. ?path=/ip/hotspot/user")
        ref = q.get("id") or body.pop(".id", None)
        values = {k: v if isinstance(v, str) else
                  ("true" if v is True else "false" if v is False else str(v))
                  for k, v in body.items()}
        if method == "GET":
            return 200, {"items": jsonable_items(r.ctl_items(path))}
        if method == "DELETE":
            r.ctl_remove(path, ref)
            return 200, {"ok": True}
        if method in ("PUT", "PATCH") or (method == "POST" and (ref or r.menus.get(path)
                                                               and r.menus[path].spec.singleton)):
            r.ctl_set(path, ref, values)
            return 200, {"ok": True}
        if method == "POST":
            return 200, {"id": r.ctl_add(path, values)}
        raise KeyError("no such endpoint")

    def reset_router(self, sr):
        sr.router.reset()
        sr.kill_all()
        sr.apply_faults()


# ---------------------------------------------------------------- main

def parse_router(spec):
    """NAME:PORT[:mode][:kind][:user=U][:password=P][:version=V]"""
    parts = spec.split(":")
    if len(parts) < 2 or not parts[0] or not parts[1].isdigit():
        raise argparse.ArgumentTypeError("router spec is NAME:PORT[:plain|ssl|ssl-nocert]"
                                         "[:v6|v7|legacy][:user=U][:password=P][:version=V]")
    out = {"name": parts[0], "port": int(parts[1]), "mode": "plain", "kind": None}
    for p in parts[2:]:
        if p in MODES:
            out["mode"] = p
        elif p in KINDS:
            out["kind"] = p
        elif "=" in p and p.split("=", 1)[0] in ("user", "password", "version"):
            k, v = p.split("=", 1)
            out[k] = v
        else:
            raise argparse.ArgumentTypeError("bad router option %r in %r" % (p, spec))
    return out


def write_atomic(path, text):
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="RouterOS API simulator")
    ap.add_argument("--control", default="127.0.0.1:0", help="HOST:PORT of the HTTP control API")
    ap.add_argument("--router", action="append", type=parse_router, default=[],
                    help="NAME:PORT[:plain|ssl|ssl-nocert][:v6|v7|legacy][:user=U]"
                         "[:password=P][:version=V]; repeat NAME to add listeners")
    ap.add_argument("--host", default="127.0.0.1", help="address the routers listen on")
    ap.add_argument("--ready-file", help="write JSON with the ports here once listening")
    ap.add_argument("--pid-file", help="write the process id here")
    ap.add_argument("--tmpdir", help="directory for certificates (default: a new temp dir)")
    args = ap.parse_args(argv)
    if not args.router:
        args.router = [parse_router("r1:0")]

    sim = Sim(args.host)
    modes = {r["mode"] for r in args.router}
    keep_tmp = bool(args.tmpdir)
    sim.tmp = args.tmpdir or tempfile.mkdtemp(prefix="routeros-sim-")
    os.makedirs(sim.tmp, exist_ok=True)
    ctxs = {"plain": None}
    if "ssl" in modes:
        sim.certs = make_certs(sim.tmp)
        ctxs["ssl"] = ssl_context("ssl", sim.certs, None)
    if "ssl-nocert" in modes:
        dh = os.path.join(sim.tmp, "ffdhe2048.pem")
        with open(dh, "w") as f:
            f.write(FFDHE2048_PEM)
        ctxs["ssl-nocert"] = ssl_context("ssl-nocert", None, dh)

    for spec in args.router:
        sr = sim.routers.get(spec["name"])
        if sr is None:
            router = Router(spec["name"], spec["kind"] or "v6", spec.get("version"),
                            spec.get("user", "admin"), spec.get("password", "simpass"))
            sr = sim.routers[spec["name"]] = SimRouter(router)
        elif spec["kind"] and spec["kind"] != sr.router.kind:
            ap.error("router %s given two kinds" % spec["name"])
        lst = Listener(sr, spec["mode"], args.host, spec["port"], ctxs[spec["mode"]])
        lst.start()
        sr.listeners.append(lst)

    chost, _, cport = args.control.rpartition(":")
    sim.http = ThreadingHTTPServer((chost or "127.0.0.1", int(cport)), Control)
    sim.http.daemon_threads = True
    sim.http.sim = sim
    threading.Thread(target=sim.http.serve_forever, daemon=True).start()

    def on_signal(signum, frame):
        sim.stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    if args.pid_file:
        write_atomic(args.pid_file, "%d\n" % os.getpid())
    if args.ready_file:
        ready = {"pid": os.getpid(),
                 "control": "http://%s:%d" % (sim.http.server_address[0],
                                              sim.http.server_address[1]),
                 "control_port": sim.http.server_address[1],
                 "ca_file": sim.certs["ca"] if sim.certs else None,
                 "routers": {n: sr.info(sim) for n, sr in sim.routers.items()}}
        write_atomic(args.ready_file, json.dumps(ready, indent=1) + "\n")

    while not sim.stop.wait(3600):
        pass
    sim.http.shutdown()
    sim.http.server_close()
    for sr in sim.routers.values():
        for lst in sr.listeners:
            lst.stop()
        sr.kill_all()
    if not keep_tmp:
        shutil.rmtree(sim.tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
