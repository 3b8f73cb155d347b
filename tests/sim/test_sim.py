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


def wait_for(pred, timeout=3.0):
    """Poll pred() until it is true (returns its value) or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.02)


def timed(read):
    """(value, t0, t1): read() and the monotonic clock around it (the
    simulator runs on the same CLOCK_MONOTONIC)."""
    t0 = time.monotonic()
    v = read()
    return v, t0, time.monotonic()


class StreamListTest(Base):
    """GET/DELETE /routers/NAME/streams: the streaming commands running."""

    def streams(self, name="v6"):
        st, body = SIM.http("GET", "/routers/%s/streams" % name)
        self.assertEqual(st, 200, body)
        return body

    def test_running_and_counts(self):
        SIM.http("POST", "/routers/v6/settings", {"monitor_interval_ms": 30, "ping_interval_ms": 30})
        a = self.client("v6")
        b = self.client("v6")
        a.send("/interface/monitor-traffic", "=interface=ether1", ".tag=7")
        b.send("/ping", "=address=10.0.0.9", ".tag=p1")
        self.assertEqual(a.read()[0], "!re")
        self.assertEqual(b.read()[0], "!re")
        body = self.streams()
        run = {e["command"]: e for e in body["running"]}
        self.assertEqual(len(body["running"]), 2)
        self.assertNotEqual(run["/ping"]["conn"], run["/interface/monitor-traffic"]["conn"])
        self.assertEqual(run["/interface/monitor-traffic"],
                         {"conn": run["/interface/monitor-traffic"]["conn"], "tag": "7",
                          "command": "/interface/monitor-traffic",
                          "args": {"interface": "ether1"}})
        self.assertEqual(run["/ping"], {"conn": run["/ping"]["conn"], "tag": "p1",
                                        "command": "/ping", "args": {"address": "10.0.0.9"}})
        st, info = SIM.http("GET", "/routers/v6/log")
        by_conn = {e["words"][0]: e["conn"] for e in info["log"]}
        self.assertEqual(by_conn["/ping"], run["/ping"]["conn"])
        self.assertEqual((body["started"], body["cancelled"], body["finished"], body["dropped"]),
                         (2, 0, 0, 0))
        # another router's list is its own
        self.assertEqual(self.streams("v7")["running"], [])
        a.send("/cancel", "=tag=7", ".tag=8")
        while a.read() != ["!done", ".tag=8"]:
            pass
        body = self.streams()
        self.assertEqual([e["command"] for e in body["running"]], ["/ping"])
        self.assertEqual((body["started"], body["cancelled"]), (2, 1))
        # a command that ends by itself, and one whose connection goes away
        a.talk("/interface/monitor-traffic", "=interface=ether1", "=once=")
        b.close()
        body = wait_for(lambda: (lambda x: x if not x["running"] else None)(self.streams()))
        self.assertIsNotNone(body, "the closed connection's ping still listed")
        self.assertEqual((body["started"], body["cancelled"], body["finished"], body["dropped"]),
                         (3, 1, 1, 1))
        # DELETE answers the counts and zeroes them; running streams stay listed
        a.send("/interface/monitor-traffic", "=interface=ether2", ".tag=9")
        a.read()
        st, body = SIM.http("DELETE", "/routers/v6/streams")
        self.assertEqual((st, body["started"]), (200, 4))
        body = self.streams()
        self.assertEqual((body["started"], body["cancelled"], len(body["running"])), (0, 0, 1))
        # /cancel without a tag cancels every running command, each counted
        a.send("/ping", "=address=10.0.0.1", ".tag=10")
        a.send("/cancel", ".tag=11")
        while a.read() != ["!done", ".tag=11"]:
            pass
        body = self.streams()
        self.assertEqual((body["running"], body["started"], body["cancelled"]), ([], 1, 2))

    def test_reset_forgets_streams(self):
        a = self.client("v6")
        a.send("/interface/monitor-traffic", "=interface=ether1", ".tag=1")
        a.read()
        self.assertEqual(self.streams()["started"], 1)
        SIM.http("POST", "/routers/v6/reset")
        time.sleep(0.1)    # the connection closes after the reset
        body = self.streams()
        self.assertEqual((body["running"], body["started"], body["dropped"]), ([], 0, 0))

    def test_bad_method(self):
        st, body = SIM.http("POST", "/routers/v6/streams", {})
        self.assertEqual(st, 404)
        st, body = SIM.http("GET", "/routers/nope/streams")
        self.assertEqual(st, 404)


class PppoeInterfaceTest(Base):
    """<pppoe-USER> interfaces come and go with /ppp/active."""

    def session(self, name="joe", router="v7"):
        st, body = SIM.http("POST", "/routers/%s/menu?path=/ppp/active" % router,
                            {"name": name, "service": "pppoe", "address": "10.9.0.2"})
        self.assertEqual(st, 200, body)
        return body["id"]

    def test_interface_traffic_and_gone_trap(self):
        sid = self.session()
        c = self.client("v7")
        a = attrs(c.talk("/interface/print", "?name=<pppoe-joe>")[0])
        self.assertEqual((a["type"], a["running"], a["dynamic"]), ("pppoe-in", "true", "true"))
        st, body = SIM.http("POST", "/routers/v7/traffic",
                            {"interface": "<pppoe-joe>", "rx_bps": 2000000, "tx_bps": 8000000,
                             "rx_pps": 300, "tx_pps": 700})
        self.assertEqual(st, 200, body)
        # a long interval: the trap must come when the session ends, not a tick later
        SIM.http("POST", "/routers/v7/settings", {"monitor_interval_ms": 5000})
        c.send("/interface/monitor-traffic", "=interface=<pppoe-joe>", ".tag=m")
        a = attrs(c.read())
        self.assertEqual((a["name"], a["rx-bits-per-second"], a["tx-bits-per-second"],
                          a["rx-packets-per-second"], a["tx-packets-per-second"]),
                         ("<pppoe-joe>", "2000000", "8000000", "300", "700"))
        t = time.monotonic()
        st, _ = SIM.http("DELETE", "/routers/v7/menu?path=/ppp/active&id=" + sid)
        self.assertEqual(st, 200)
        self.assertEqual(c.read(), ["!trap", "=message=no such item", ".tag=m"])
        self.assertEqual(c.read(), ["!done", ".tag=m"])
        self.assertLess(time.monotonic() - t, 1.0)
        st, body = SIM.http("GET", "/routers/v7/streams")
        self.assertEqual((body["running"], body["finished"]), ([], 1))
        self.assertEqual(c.talk("/interface/monitor-traffic", "=interface=<pppoe-joe>",
                                "=once=")[0][-1],
                         "=message=input does not match any value of interface")
        st, body = SIM.http("POST", "/routers/v7/traffic", {"interface": "<pppoe-joe>",
                                                           "rx_bps": 1})
        self.assertEqual(st, 404)
        # a new session is a new interface, at rest
        self.session()
        a = attrs(c.talk("/interface/monitor-traffic", "=interface=<pppoe-joe>", "=once=")[0])
        self.assertEqual(a["rx-bits-per-second"], "0")

    def test_kick_over_the_api_ends_only_that_monitor(self):
        self.session("ann")
        self.session("bob")
        SIM.http("POST", "/routers/v7/settings", {"monitor_interval_ms": 40})
        c = self.client("v7")
        c.send("/interface/monitor-traffic", "=interface=<pppoe-ann>", ".tag=a")
        c.send("/interface/monitor-traffic", "=interface=<pppoe-bob>,ether1", ".tag=b")
        admin = self.client("v7")
        act = admin.talk("/ppp/active/print", "?name=ann")
        admin.talk("/ppp/active/remove", "=.id=" + attrs(act[0])[".id"])
        seen = []
        while ["!done", ".tag=a"] not in seen:
            seen.append(c.read())
        self.assertIn(["!trap", "=message=no such item", ".tag=a"], seen)
        for _ in range(4):      # bob's (and ether1's) keep coming
            self.assertEqual(c.read()[-1], ".tag=b")
        st, body = SIM.http("GET", "/routers/v7/streams")
        self.assertEqual([e["tag"] for e in body["running"]], ["b"])


class MovingCountersTest(Base):
    """Counters advance with the rates set on the control API."""

    def iface(self, c, name):
        return attrs(c.talk("/interface/print", "?name=" + name)[0])

    def check_moved(self, before, after, key, per_s):
        (a, t0, t1), (b, t2, t3) = before, after
        moved = int(b[key]) - int(a[key])
        lo, hi = per_s * (t2 - t1) - 1, per_s * (t3 - t0) + 1
        self.assertTrue(lo <= moved <= hi, "%s moved %d, want %.0f..%.0f" % (key, moved, lo, hi))

    def test_interface_counters(self):
        c = self.client("v6")
        SIM.http("POST", "/routers/v6/traffic", {"interface": "ether1", "rx_bps": 800000,
                                                "tx_bps": 80000, "rx_pps": 500, "rx_byte": 1000})
        one = timed(lambda: self.iface(c, "ether1"))
        time.sleep(0.3)
        two = timed(lambda: self.iface(c, "ether1"))
        self.assertGreaterEqual(int(one[0]["rx-byte"]), 1000)
        self.check_moved(one, two, "rx-byte", 100000)
        self.check_moved(one, two, "tx-byte", 10000)
        self.check_moved(one, two, "rx-packet", 500)
        self.assertEqual(two[0]["tx-packet"], "0")
        self.assertGreater(int(two[0]["rx-byte"]) - int(one[0]["rx-byte"]), 20000)
        # the control API's menu view moves too, and a query sees the moving value
        st, body = SIM.http("GET", "/routers/v6/menu?path=/interface")
        self.assertGreater(int(body["items"][0]["rx-byte"]), int(two[0]["rx-byte"]))
        self.assertEqual(len(c.talk("/interface/print", "?>rx-byte=%s" % two[0]["rx-byte"])), 2)
        # rates to 0: the counters stop where they are
        SIM.http("POST", "/routers/v6/traffic", {"interface": "ether1", "rx_bps": 0,
                                                "tx_bps": 0, "rx_pps": 0})
        three = self.iface(c, "ether1")
        time.sleep(0.1)
        self.assertEqual(self.iface(c, "ether1")["rx-byte"], three["rx-byte"])
        self.assertGreaterEqual(int(three["rx-byte"]), int(two[0]["rx-byte"]))
        # a counter set while moving starts again from the value set
        SIM.http("POST", "/routers/v6/traffic", {"interface": "ether2", "tx_bps": 8000})
        SIM.http("POST", "/routers/v6/traffic", {"interface": "ether2", "tx_byte": 5})
        self.assertLess(int(self.iface(c, "ether2")["tx-byte"]), 5 + 100)
        st, body = SIM.http("POST", "/routers/v6/traffic", {"interface": "ether2", "rx_bsp": 1})
        self.assertEqual((st, body["error"]), (404, "unknown traffic key rx_bsp"))

    def hs(self, c):
        return attrs(c.talk("/ip/hotspot/active/print", "?user=amy")[0])

    def test_hotspot_counters(self):
        st, body = SIM.http("POST", "/routers/v6/menu?path=/ip/hotspot/active",
                            {"user": "amy", "address": "10.5.0.7"})
        sid = body["id"]
        # counters are settable on the control API (PATCH), as any property
        st, _ = SIM.http("PATCH", "/routers/v6/menu?path=/ip/hotspot/active&id=" + sid,
                         {"bytes-in": 100, "bytes-out": 200, "packets-in": 3, "packets-out": 4})
        self.assertEqual(st, 200)
        c = self.client("v6")
        a = self.hs(c)
        self.assertEqual((a["bytes-in"], a["bytes-out"], a["packets-in"], a["packets-out"]),
                         ("100", "200", "3", "4"))
        st, body = SIM.http("POST", "/routers/v6/hotspot-rate",
                            {"user": "amy", "rx_bps": 400000, "tx_bps": 4000000, "tx_pps": 400})
        self.assertEqual(st, 200, body)
        self.assertEqual(body["sessions"], [{"id": sid, "rx_bps": 400000, "tx_bps": 4000000,
                                             "tx_pps": 400}])
        one = timed(lambda: self.hs(c))
        time.sleep(0.3)
        two = timed(lambda: self.hs(c))
        self.check_moved(one, two, "bytes-in", 50000)
        self.check_moved(one, two, "bytes-out", 500000)
        self.check_moved(one, two, "packets-out", 400)
        self.assertEqual(two[0]["packets-in"], "3")
        self.assertGreater(int(two[0]["bytes-out"]), 200 + 100000)
        # a PATCH while moving sets the base; the rate goes on
        SIM.http("PATCH", "/routers/v6/menu?path=/ip/hotspot/active&id=" + sid, {"bytes-in": 7})
        self.assertLess(int(self.hs(c)["bytes-in"]), 7 + 5000)
        # a subset changes only what it names
        SIM.http("POST", "/routers/v6/hotspot-rate", {"user": "amy", "rx_bps": 0})
        st, body = SIM.http("POST", "/routers/v6/hotspot-rate", {"user": "amy"})
        self.assertEqual(body["sessions"][0], {"id": sid, "rx_bps": 0, "tx_bps": 4000000,
                                               "tx_pps": 400})
        bi = self.hs(c)["bytes-in"]
        time.sleep(0.05)
        self.assertEqual(self.hs(c)["bytes-in"], bi)
        # errors: unknown user, unknown key, no user
        st, body = SIM.http("POST", "/routers/v6/hotspot-rate", {"user": "zed", "rx_bps": 1})
        self.assertEqual((st, body["error"]), (404, "no active hotspot session of user zed"))
        st, body = SIM.http("POST", "/routers/v6/hotspot-rate", {"user": "amy", "rx": 1})
        self.assertEqual((st, body["error"]), (400, "unknown rate key rx"))
        st, body = SIM.http("POST", "/routers/v6/hotspot-rate", {"rx_bps": 1})
        self.assertEqual(st, 400)
        # a new session of the same user starts at rest
        SIM.http("DELETE", "/routers/v6/menu?path=/ip/hotspot/active&id=" + sid)
        SIM.http("POST", "/routers/v6/menu?path=/ip/hotspot/active", {"user": "amy"})
        a = self.hs(c)
        time.sleep(0.05)
        self.assertEqual(self.hs(c)["bytes-out"], a["bytes-out"])


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
