"""Tests of the RouterOS API simulator.

Run from the repository root:
    /usr/bin/python3 -m unittest discover -s tests/sim -p 'test_sim.py'
"""

import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from ros_codec import (ProtocolError, SentenceReader, decode_all, decode_length,  # noqa: E402
                       encode_length, encode_sentence, encode_word)
from ros_client import Client, attrs  # noqa: E402

SIM = None


def start_sim(*router_specs):
    tmp = tempfile.mkdtemp(prefix="routeros-sim-test-")
    ready = os.path.join(tmp, "ready.json")
    cmd = [sys.executable, os.path.join(HERE, "routeros_sim.py"), "--ready-file", ready,
           "--pid-file", os.path.join(tmp, "pid")]
    for s in router_specs:
        cmd += ["--router", s]
    proc = subprocess.Popen(cmd)
    deadline = time.time() + 10
    while not os.path.exists(ready):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError("simulator did not start")
        time.sleep(0.02)
    with open(ready) as f:
        info = json.load(f)
    return proc, info


class Sim:
    def __init__(self, proc, info):
        self.proc = proc
        self.info = info
        self.base = info["control"]

    def port(self, name, mode="plain"):
        return self.info["routers"][name]["ports"][mode]

    def http(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                return r.status, json.loads(r.read().decode())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode())

    def client(self, name, login=True, mode="plain", **kw):
        c = Client(self.port(name, mode), **kw)
        if login:
            r = c.login()
            assert r[-1][0] == "!done", r
        return c


def setUpModule():
    global SIM
    proc, info = start_sim("v6:0:v6", "v7:0:v7", "v7:0:ssl-nocert", "leg:0:legacy",
                           "tls:0:ssl:v7", "f:0:v6", "old7:0:v7:version=7.16")
    SIM = Sim(proc, info)


def tearDownModule():
    SIM.proc.terminate()
    SIM.proc.wait(5)


class Base(unittest.TestCase):
    def setUp(self):
        st, _ = SIM.http("POST", "/reset")
        self.assertEqual(st, 200)
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            try:
                c.close()
            except OSError:
                pass

    def client(self, name, **kw):
        c = SIM.client(name, **kw)
        self.clients.append(c)
        return c


# ---------------------------------------------------------------- codec

class CodecTest(unittest.TestCase):
    EDGES = [(0, 1), (0x7F, 1), (0x80, 2), (0x3FFF, 2), (0x4000, 3), (0x1FFFFF, 3),
             (0x200000, 4), (0xFFFFFFF, 4), (0x10000000, 5)]

    def test_length_sizes_and_round_trip(self):
        for n, size in self.EDGES:
            enc = encode_length(n)
            self.assertEqual(len(enc), size, hex(n))
            self.assertEqual(decode_length(enc), (n, size), hex(n))
            self.assertIsNone(decode_length(enc[:-1]), hex(n))

    def test_known_encodings(self):
        self.assertEqual(encode_length(0x80), b"\x80\x80")
        self.assertEqual(encode_length(0x3FFF), b"\xbf\xff")
        self.assertEqual(encode_length(0x4000), b"\xc0\x40\x00")
        self.assertEqual(encode_length(0x200000), b"\xe0\x20\x00\x00")
        self.assertEqual(encode_length(0x10000000), b"\xf0\x10\x00\x00\x00")

    def test_words_of_edge_lengths(self):
        for n, _ in self.EDGES[:7]:
            word = bytes([0x41 + i % 26 for i in range(n)])
            data = encode_sentence([b"!re", word]) if n else encode_sentence([b"!done"])
            got = decode_all(data)
            self.assertEqual(got, [[b"!re", word]] if n else [[b"!done"]])
            # fed one byte at a time
            r = SentenceReader()
            out = []
            step = 1 if n < 0x4000 else 4096
            for i in range(0, len(data), step):
                out += r.feed(data[i:i + step])
            self.assertEqual(out, got)

    def test_reserved_control_byte(self):
        for b in (0xF8, 0xFF):
            with self.assertRaises(ProtocolError):
                SentenceReader().feed(bytes([b, 0, 0, 0, 0]))

    def test_empty_sentence_ignored_and_binary_words(self):
        word = b"=comment=\xff\xfe\x00\x80"
        self.assertEqual(decode_all(b"\x00" + encode_sentence([b"/x", word])),
                         [[b"/x", word]])
        self.assertEqual(encode_word(""), b"\x00")


# ---------------------------------------------------------------- login

class LoginTest(Base):
    def test_post_643_login(self):
        for name in ("v6", "v7"):
            c = self.client(name, login=False)
            self.assertEqual(c.talk("/system/identity/print"),
                             [["!trap", "=message=not logged in"], ["!done"]])
            self.assertEqual(c.talk("/login", "=name=admin", "=password=nope"),
                             [["!trap", "=message=invalid user name or password (6)"],
                              ["!done"]])
            self.assertEqual(c.talk("/login", "=name=admin", "=password=simpass"), [["!done"]])
            r = c.talk("/system/identity/print")
            self.assertEqual(attrs(r[0])["name"], name)

    def test_legacy_login(self):
        c = self.client("leg", login=False)
        r = c.talk("/login", "=name=admin", "=password=simpass")
        self.assertEqual(r[0][0], "!done")
        ret = attrs(r[0])["ret"]
        self.assertRegex(ret, "^[0-9a-f]{32}$")
        self.assertEqual(c.talk("/login", "=name=admin", "=response=00" + "0" * 32),
                         [["!trap", "=message=cannot log in"], ["!done"]])
        self.assertEqual(c.login()[-1], ["!done"])
        self.assertEqual(c.talk("/system/resource/print", "=.proplist=version")[0],
                         ["!re", "=version=6.40.9 (bugfix)"])

    def test_refuse_login(self):
        SIM.http("POST", "/routers/f/fault", {"refuse_login": True})
        c = self.client("f", login=False)
        self.assertEqual(c.login()[0][0], "!trap")
        SIM.http("DELETE", "/routers/f/fault")
        self.assertEqual(c.login(), [["!done"]])

    def test_password_from_control(self):
        SIM.http("POST", "/routers/f/settings", {"password": "other"})
        c = self.client("f", login=False)
        self.assertEqual(c.login()[0][0], "!trap")
        self.assertEqual(c.login(password="other"), [["!done"]])


# ---------------------------------------------------------------- menus

class MenuTest(Base):
    def test_unknown_menu_and_command(self):
        c = self.client("v7")
        self.assertEqual(c.talk("/system/routerboard/print"), [
            ["!trap", "=category=0", "=message=no such command or directory (routerboard)"],
            ["!trap", "=message=no such command prefix"], ["!done"]])
        self.assertEqual(c.talk("/ip/hotspot/user/frobnicate"),
                         [["!trap", "=category=0", "=message=no such command"], ["!done"]])

    def test_empty_on_718_only(self):
        self.assertEqual(self.client("v7").talk("/ppp/secret/print"), [["!empty"], ["!done"]])
        self.assertEqual(self.client("v6").talk("/ppp/secret/print"), [["!done"]])
        self.assertEqual(self.client("old7").talk("/ppp/secret/print"), [["!done"]])
        c = self.client("v7")
        self.assertEqual(c.talk("/ppp/secret/print", ".tag=4"),
                         [["!empty", ".tag=4"], ["!done", ".tag=4"]])

    def test_hotspot_user_cycle(self):
        c = self.client("v6")
        r = c.talk("/ip/hotspot/user/add", "=name=alice", "=password=pw", "=limit-uptime=1d2h",
                   "=mac-address=aa-bb-cc-dd-ee-0f", "=comment=plan 1", ".tag=7")
        self.assertEqual(r, [["!done", "=ret=*1", ".tag=7"]])
        self.assertEqual(c.talk("/ip/hotspot/user/add", "=name=alice"), [
            ["!trap", "=category=1",
             "=message=failure: already have user with this name for this server"], ["!done"]])
        self.assertEqual(c.talk("/ip/hotspot/user/add", "=name=bob", "=speed=1")[0][-1],
                         "=message=unknown parameter speed")
        self.assertEqual(c.talk("/ip/hotspot/user/add", "=name=bob", "=profile=gold")[0][-1],
                         "=message=input does not match any value of profile")
        a = attrs(c.talk("/ip/hotspot/user/print", "?name=alice")[0])
        self.assertEqual(a["limit-uptime"], "1d2h")
        self.assertEqual(a["mac-address"], "AA:BB:CC:DD:EE:0F")
        self.assertEqual(a["profile"], "default")
        self.assertEqual(a["disabled"], "false")
        self.assertEqual(c.talk("/ip/hotspot/user/disable", "=numbers=alice"), [["!done"]])
        self.assertEqual(c.talk("/ip/hotspot/user/get", "=.id=*1", "=value-name=disabled"),
                         [["!done", "=ret=true"]])
        self.assertEqual(c.talk("/ip/hotspot/user/set", "=.id=*9", "=comment=x")[0][-1],
                         "=message=no such item")
        self.assertEqual(c.talk("/ip/hotspot/user/remove", "=numbers=*1"), [["!done"]])
        self.assertEqual(c.talk("/ip/hotspot/user/print"), [["!done"]])
        # ids keep counting
        self.assertEqual(c.talk("/ip/hotspot/user/add", "=name=carol")[0], ["!done", "=ret=*2"])

    def test_ids_in_hex(self):
        c = self.client("v6")
        for i in range(1, 28):
            r = c.talk("/queue/simple/add", "=target=10.0.0.%d" % i, "=max-limit=2M/5M")
        self.assertEqual(r[0], ["!done", "=ret=*1B"])
        a = attrs(c.talk("/queue/simple/print", "?.id=*1B")[0])
        self.assertEqual((a["name"], a["target"], a["max-limit"]),
                         ("queue27", "10.0.0.27/32", "2000000/5000000"))

    def test_ppp(self):
        c = self.client("v7")
        self.assertEqual(c.talk("/ppp/profile/add", "=name=10M", "=rate-limit=10M/10M"),
                         [["!done", "=ret=*1"]])
        self.assertEqual(c.talk("/ppp/secret/add", "=name=joe", "=password=x",
                                "=service=pppoe", "=profile=10M"), [["!done", "=ret=*1"]])
        self.assertEqual(c.talk("/ppp/secret/add", "=name=joe")[0][-1],
                         "=message=failure: secret with the same name already exists")
        self.assertEqual(c.talk("/ppp/secret/add", "=name=x", "=service=bogus")[0][-1],
                         "=message=input does not match any value of service")
        names = [attrs(s)["name"] for s in c.talk("/ppp/profile/print")[:-1]]
        self.assertEqual(names, ["default", "default-encryption", "10M"])
        st, _ = SIM.http("POST", "/routers/v7/menu?path=/ppp/active",
                         {"name": "joe", "service": "pppoe", "address": "10.9.0.2",
                          "caller-id": "AA:BB:CC:00:11:22", "uptime": "1h"})
        self.assertEqual(st, 200)
        act = c.talk("/ppp/active/print")
        self.assertEqual(attrs(act[0])["uptime"][:2], "1h")
        self.assertEqual(c.talk("/interface/print", "?type=pppoe-in", "=.proplist=name")[0],
                         ["!re", "=name=<pppoe-joe>"])
        self.assertEqual(c.talk("/ppp/active/remove", "=.id=" + attrs(act[0])[".id"]),
                         [["!done"]])
        self.assertEqual(c.talk("/ppp/active/print"), [["!empty"], ["!done"]])
        self.assertEqual(c.talk("/interface/print", "=count-only=", "?type=pppoe-in"),
                         [["!done", "=ret=0"]])

    def test_queries(self):
        c = self.client("v6")
        for n, d in (("a", "no"), ("b", "yes"), ("c", "no")):
            c.talk("/ip/hotspot/user/add", "=name=" + n, "=disabled=" + d)
        names = lambda r: [attrs(s)["name"] for s in r[:-1]]  # noqa: E731
        self.assertEqual(names(c.talk("/ip/hotspot/user/print", "?name=a", "?name=b", "?#|")),
                         ["a", "b"])
        self.assertEqual(names(c.talk("/ip/hotspot/user/print", "?disabled=true", "?#!")),
                         ["a", "c"])
        self.assertEqual(names(c.talk("/ip/hotspot/user/print", "?name=a", "?name=c", "?#|!")),
                         ["b"])
        self.assertEqual(names(c.talk("/ip/hotspot/user/print", "?-comment", "?>name=a")),
                         ["b", "c"])
        self.assertEqual(names(c.talk("/interface/print", "?<name=ether3")), ["ether1", "ether2"])
        self.assertEqual(names(c.talk("/ip/hotspot/user/print", "?=name=c")), ["c"])
        self.assertEqual(names(c.talk("/ip/hotspot/user/print", "?name")), ["a", "b", "c"])

    def test_non_utf8_comment_round_trip(self):
        c = self.client("v6")
        comment = b"=comment=caf\xe9 \xff\x00x"
        c.sock.sendall(encode_sentence([b"/ip/hotspot/user/add", b"=name=u", comment]))
        self.assertEqual(c.until_done()[0][0], "!done")
        c.sock.sendall(encode_sentence([b"/ip/hotspot/user/print", b"=.proplist=comment"]))
        raw = []
        while not raw or raw[-1][0] != b"!done":
            raw += c.reader.feed(c.sock.recv(65536))
        self.assertEqual(raw[0], [b"!re", comment])
        st, body = SIM.http("GET", "/routers/v6/menu?path=/ip/hotspot/user")
        self.assertEqual(body["items"][0]["_hex"]["comment"], comment[9:].hex())

    def test_system_and_log(self):
        c = self.client("v6")
        a = attrs(c.talk("/system/resource/print")[0])
        self.assertEqual(a["version"], "6.49.10 (long-term)")
        self.assertEqual(a["platform"], "MikroTik")
        self.assertRegex(a["uptime"], r"^1w2d3h4m\d+s$")
        self.assertEqual(c.talk("/system/identity/set", "=name=core"), [["!done"]])
        self.assertEqual(c.talk("/system/identity/get", "=value-name=name"),
                         [["!done", "=ret=core"]])
        c.talk("/ip/hotspot/user/add", "=name=once")
        st, log = SIM.http("GET", "/routers/v6/log")
        adds = [e for e in log["log"] if e["words"][0] == "/ip/hotspot/user/add"]
        self.assertEqual(len(adds), 1)
        self.assertEqual(adds[0]["words"], ["/ip/hotspot/user/add", "=name=once"])

    def test_control_menu(self):
        st, body = SIM.http("POST", "/routers/v6/menu?path=/ip/hotspot/active",
                            {"user": "alice", "address": "10.5.0.9",
                             "mac-address": "02:00:00:00:00:01", "bytes-in": 1000})
        self.assertEqual((st, body), (200, {"id": "*1"}))
        c = self.client("v6")
        self.assertEqual(attrs(c.talk("/ip/hotspot/active/print")[0])["bytes-in"], "1000")
        self.assertEqual(c.talk("/ip/hotspot/active/add", "=user=x")[0][-1],
                         "=message=no such command")
        st, _ = SIM.http("POST", "/routers/v6/menu?path=/ip/hotspot/active&id=*1",
                         {"bytes-out": "5"})
        self.assertEqual(attrs(c.talk("/ip/hotspot/active/print")[0])["bytes-out"], "5")
        c.talk("/ip/hotspot/active/remove", "=numbers=*1")
        st, body = SIM.http("GET", "/routers/v6/menu?path=/ip/hotspot/active")
        self.assertEqual(body["items"], [])
        st, body = SIM.http("GET", "/routers/v6/menu?path=/nope")
        self.assertEqual(st, 404)


# ---------------------------------------------------------------- streams

class StreamTest(Base):
    def test_monitor_once(self):
        SIM.http("POST", "/routers/v6/traffic",
                 {"interface": "ether1", "rx_bps": 1500000, "tx_bps": 250000, "rx_pps": 120})
        c = self.client("v6")
        r = c.talk("/interface/monitor-traffic", "=interface=ether1", "=once=")
        a = attrs(r[0])
        self.assertEqual((a["name"], a["rx-bits-per-second"], a["tx-bits-per-second"],
                          a["rx-packets-per-second"]), ("ether1", "1500000", "250000", "120"))
        self.assertEqual(r[1], ["!done"])
        self.assertEqual(c.talk("/interface/monitor-traffic", "=interface=nope", "=once=")[0][-1],
                         "=message=input does not match any value of interface")

    def test_tags_and_cancel(self):
        SIM.http("POST", "/routers/v7/settings", {"monitor_interval_ms": 50})
        c = self.client("v7")
        c.send("/interface/monitor-traffic", "=interface=ether1", ".tag=1")
        c.send("/interface/monitor-traffic", "=interface=ether2", ".tag=2")
        seen = {"1": 0, "2": 0}
        while min(seen.values()) < 3:
            s = c.read()
            self.assertEqual(s[0], "!re")
            seen[s[-1][5:]] += 1
        c.send("/system/identity/print", ".tag=3")
        mine = []
        while not mine or mine[-1][0] != "!done":
            s = c.read()
            if s[-1] == ".tag=3":
                mine.append(s)
        self.assertEqual(mine, [["!re", "=name=v7", ".tag=3"], ["!done", ".tag=3"]])
        c.send("/cancel", "=tag=1", ".tag=4")
        got = []
        while True:
            s = c.read()
            if s[-1] == ".tag=2":
                continue
            got.append(s)
            if s[-1] == ".tag=4":
                break
        self.assertEqual(got[-3:], [["!trap", "=category=2", "=message=interrupted", ".tag=1"],
                                    ["!done", ".tag=1"], ["!done", ".tag=4"]])
        # tag 2 keeps streaming; tag 1 is gone
        for _ in range(3):
            self.assertEqual(c.read()[-1], ".tag=2")
        c.send("/cancel", "=tag=2", ".tag=5")
        tail = []
        while not tail or tail[-1] != ["!done", ".tag=5"]:
            s = c.read()
            if s[0] != "!re":
                tail.append(s)
        self.assertEqual(tail, [["!trap", "=category=2", "=message=interrupted", ".tag=2"],
                                ["!done", ".tag=2"], ["!done", ".tag=5"]])

    def test_ping(self):
        SIM.http("POST", "/routers/v6/ping", {"address": "10.0.0.1", "time_ms": 7})
        SIM.http("POST", "/routers/v6/ping", {"address": "10.0.0.2", "timeout": True})
        c = self.client("v6")
        r = c.talk("/ping", "=address=10.0.0.1", "=count=3", "=interval=20ms")
        self.assertEqual(len(r), 4)
        a = attrs(r[2])
        self.assertEqual((a["seq"], a["time"], a["sent"], a["received"], a["packet-loss"]),
                         ("2", "7ms", "3", "3", "0"))
        r = c.talk("/ping", "=address=10.0.0.2", "=count=2", "=interval=20ms")
        a = attrs(r[1])
        self.assertEqual((a["status"], a["sent"], a["received"], a["packet-loss"]),
                         ("timeout", "2", "0", "100"))
        SIM.http("POST", "/routers/v6/settings", {"ping_interval_ms": 20})
        c.send("/ping", "=address=10.0.0.1", ".tag=9")
        for _ in range(3):
            self.assertEqual(c.read()[0], "!re")
        c.send("/cancel", ".tag=10")
        tail = []
        while not tail or tail[-1] != ["!done", ".tag=10"]:
            s = c.read()
            if s[0] != "!re":
                tail.append(s)
        self.assertEqual(tail[0], ["!trap", "=category=2", "=message=interrupted", ".tag=9"])


# ---------------------------------------------------------------- faults

class FaultTest(Base):
    def tearDown(self):
        SIM.http("DELETE", "/routers/f/fault")
        Base.tearDown(self)

    def fault(self, **kw):
        st, body = SIM.http("POST", "/routers/f/fault", kw)
        self.assertEqual(st, 200, body)

    def test_delay(self):
        c = self.client("f")
        self.fault(delay_ms=300)
        t = time.time()
        c.talk("/system/identity/print")
        self.assertGreaterEqual(time.time() - t, 0.28)

    def test_drop_after_words(self):
        c = self.client("f")
        for n in "abc":
            c.talk("/ip/hotspot/user/add", "=name=" + n)
        self.fault(drop_after_words=4)
        c.send("/ip/hotspot/user/print", "=.proplist=.id,name")
        got = []
        with self.assertRaises(EOFError):
            while True:
                got.append(c.read())
        self.assertEqual(got, [["!re", "=.id=*1", "=name=a"]])
        self.assertTrue(c.reader.pending())          # cut inside a sentence
        c2 = self.client("f")                        # login still works
        self.assertEqual(c2.talk("/system/identity/print", "=.proplist=name"),
                         [["!re", "=name=f"], ["!done"]])

    def test_split(self):
        c = self.client("f")
        c.talk("/ip/hotspot/user/add", "=name=u", "=comment=" + "x" * 300)
        self.fault(split=True)
        c.send("/ip/hotspot/user/print", "=.proplist=comment")
        chunks = []
        data = b""
        sentences = []
        while not sentences or sentences[-1][0] != b"!done":
            piece = c.sock.recv(65536)
            chunks.append(piece)
            data += piece
            sentences += c.reader.feed(piece)
        self.assertEqual(sentences[0], [b"!re", b"=comment=" + b"x" * 300])
        self.assertGreater(len(chunks), 5)

    def test_split_cuts_length_prefix(self):
        import routeros_sim
        writes = []

        class Fake:
            def write(self, data):
                writes.append(data)
        for n in (0x135, 0x4000, 0x200000):
            writes.clear()
            data = encode_word(b"y" * n)
            routeros_sim.Conn.write_split(Fake(), data)
            self.assertEqual(b"".join(writes), data)
            plen = len(encode_length(n))
            self.assertEqual(writes[:plen], [bytes([b]) for b in data[:plen]])
            self.assertGreater(len(writes), plen + 1)

    def test_offline_blackhole_close_on_accept(self):
        port = SIM.port("f")
        self.fault(offline=True)
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2)
        SIM.http("DELETE", "/routers/f/fault")
        self.client("f").talk("/system/identity/print")
        self.fault(blackhole=True)
        c = self.client("f", login=False, timeout=0.4)
        c.send("/login", "=name=admin", "=password=simpass")
        with self.assertRaises(socket.timeout):
            c.read()
        SIM.http("DELETE", "/routers/f/fault")
        self.fault(close_on_accept=True)
        c = self.client("f", login=False)
        with self.assertRaises((EOFError, ConnectionResetError)):
            c.talk("/login", "=name=admin", "=password=simpass")

    def test_fatal_and_quit(self):
        c = self.client("f")
        self.fault(fatal=True)
        self.assertEqual(c.talk("/system/identity/print"),
                         [["!fatal", "session terminated on request"]])
        with self.assertRaises(EOFError):
            c.read()
        c = self.client("f")   # one-shot
        self.assertEqual(c.talk("/quit"), [["!fatal", "session terminated on request"]])

    def test_injected_trap(self):
        c = self.client("f")
        self.fault(trap={"command": "/ppp/secret/add", "message": "failure: busy", "count": 1})
        self.assertEqual(c.talk("/ppp/secret/add", "=name=a"),
                         [["!trap", "=message=failure: busy"], ["!done"]])
        self.assertEqual(c.talk("/ppp/secret/add", "=name=a"), [["!done", "=ret=*1"]])

    def test_malformed_input_closes_only_that_connection(self):
        c = self.client("f", login=False)
        c.sock.sendall(b"\xf8garbage")
        with self.assertRaises((EOFError, ConnectionResetError)):
            c.read()
        self.assertEqual(self.client("f").talk("/system/identity/print")[-1], ["!done"])


# ---------------------------------------------------------------- TLS

class TlsTest(Base):
    def test_adh_without_certificate(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers("ADH:@SECLEVEL=0")
        c = self.client("v7", mode="ssl-nocert", wrap=ctx.wrap_socket)
        self.assertTrue(c.sock.cipher()[0].startswith("ADH-"))
        self.assertEqual(c.talk("/ppp/secret/print"), [["!empty"], ["!done"]])
        with self.assertRaises(ssl.SSLError):
            Client(SIM.port("v7", "ssl-nocert"),
                   wrap=lambda s: ssl.create_default_context().wrap_socket(
                       s, server_hostname="localhost"))

    def test_certificate(self):
        ctx = ssl.create_default_context(cafile=SIM.info["ca_file"])
        c = self.client("tls", mode="ssl",
                        wrap=lambda s: ctx.wrap_socket(s, server_hostname="localhost"))
        self.assertEqual(c.talk("/system/identity/print"), [["!re", "=name=tls"], ["!done"]])


if __name__ == "__main__":
    unittest.main()
