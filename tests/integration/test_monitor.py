#!/usr/bin/python3
"""test_monitor.py - ispbill-monitor's WebSocket streams through nginx, with
Debian's python3-websockets, against the world of tests/integration/harness
(the RouterOS simulator plays the routers).

Run after `harness start D BUILD` with D's env file in the environment
(scripts/test does this) or named by ISPBILL_TEST_ENV:

    ISPBILL_TEST_ENV=$D/env /usr/bin/python3 tests/integration/test_monitor.py

Ends with the line `RESULT monitor <run> <failed>` that scripts/test tallies.
One class per area; the shared helpers are at the top.
"""
import asyncio
import calendar
import functools
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

import websockets

# ---- the world ----


def load_env():
    path = os.environ.get("ISPBILL_TEST_ENV")
    if not path and os.environ.get("ISPBILL_TEST_DIR"):
        path = os.path.join(os.environ["ISPBILL_TEST_DIR"], "env")
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, sep, v = line.strip().partition("=")
                if sep and k not in os.environ:
                    os.environ[k] = v
    missing = [k for k in ("ISPBILL_TEST_PORT", "ISPBILL_TEST_SIM",
                           "ISPBILL_TEST_MONITOR_PORT") if k not in os.environ]
    if missing:
        sys.exit("test_monitor.py: no harness environment (%s); set ISPBILL_TEST_ENV" %
                 ", ".join(missing))


load_env()
BASE = int(os.environ["ISPBILL_TEST_PORT"])
NATIVE = "127.0.0.1:%d" % BASE
MIKROBILL = "127.0.0.1:%d" % (BASE + 4)
MONITOR = "127.0.0.1:%s" % os.environ["ISPBILL_TEST_MONITOR_PORT"]
SIM = os.environ["ISPBILL_TEST_SIM"]
TIMEOUT = 5.0
TS_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
HTTPConnection = http.client.HTTPConnection   # `http` is the helper below


def http(method, url, body=None, headers=None):
    """(status, parsed JSON or None) of one request."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json",
                                          **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def native(method, path, body=None, token=None):
    return http(method, "http://%s%s" % (NATIVE, path), body,
                {"Authorization": "Bearer " + token} if token else {})


def mikrobill(method, path, body=None, token=None, key=None):
    h = {"Authorization": "Bearer " + token} if token else {}
    if key:
        h["X-Client-Key"] = key
    return http(method, "http://%s%s" % (MIKROBILL, path), body, h)


def sim(method, path, body=None):
    status, doc = http(method, SIM + path, body)
    assert status == 200, (path, status, doc)
    return doc


def sql(query):
    """Run SQL on the harness's database (as root); its output lines."""
    out = subprocess.run(["mariadb", "--no-defaults", "--socket=%s/mysql.sock" %
                          os.environ["ISPBILL_TEST_DIR"], "-uroot", "-N", "ispbill", "-e", query],
                         check=True, capture_output=True, text=True).stdout
    return out.splitlines()


def client_key(scopes, token=None):
    """A new API client (X-Client-Key) of the admin's tenant with these scopes."""
    status, doc = mikrobill("POST", "/v1/internal/client-upsert",
                            {"name": uniq("monbot"), "scopes": scopes}, token or admin_token())
    assert status == 201, (status, doc)
    return doc["data"]["api_key"]


_admin = None


def admin_token():
    """The harness's admin (super user), logged in once."""
    global _admin
    if _admin is None:
        status, doc = native("POST", "/api/auth/login/",
                             {"username": "admin",
                              "password": os.environ["ISPBILL_TEST_ADMIN_PASSWORD"]})
        assert status == 200, (status, doc)
        _admin = doc["data"]["tokens"]["access"]
    return _admin


def uniq(prefix):
    return "%s-%d-%d" % (prefix, os.getpid(), time.monotonic_ns() % 10**9)


def make_router(sim_name="v7", token=None):
    """A router record (admin's tenant) for simulated router sim_name: its id."""
    port = int(os.environ["ISPBILL_TEST_SIM_PORT_" + sim_name.upper()])
    status, doc = native("POST", "/api/network/routers/",
                         {"name": uniq("mon"), "host": "127.0.0.1", "api_port": port,
                          "username": "admin", "password": "simpass"},
                         token or admin_token())
    assert status == 201, (status, doc)
    return doc["data"]["id"] if "data" in doc else doc["id"]


def sim_fast(sim_name="v7", ms=50):
    """Streams of the simulated router answer every ms milliseconds."""
    sim("POST", "/routers/%s/settings" % sim_name,
        {"monitor_interval_ms": ms, "ping_interval_ms": ms})


def run(coro, timeout=30):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def ws_url(host, path):
    return "ws://%s%s" % (host, path)


async def frames(url, n, headers=None, skip_types=()):
    """The first n frames (parsed) of a stream."""
    out = []
    async with websockets.connect(url, extra_headers=headers or {}, open_timeout=TIMEOUT) as ws:
        while len(out) < n:
            f = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
            if f.get("type") not in skip_types:
                out.append(f)
    return out


async def refused(url, headers=None):
    """The HTTP status of a refused handshake (None when it was accepted)."""
    try:
        async with websockets.connect(url, extra_headers=headers or {}, open_timeout=TIMEOUT):
            return None
    except websockets.exceptions.InvalidStatusCode as e:
        return e.status_code


async def closed_with(url, headers=None, send=None):
    """Connect, send `send` (if any), and return (code, reason) of the close."""
    async with websockets.connect(url, extra_headers=headers or {}, open_timeout=TIMEOUT,
                                  max_size=None) as ws:
        if send is not None:
            await ws.send(send)
        try:
            while True:
                await asyncio.wait_for(ws.recv(), TIMEOUT)
        except websockets.exceptions.ConnectionClosed as e:
            return (e.rcvd.code, e.rcvd.reason) if e.rcvd else (None, None)


def bearer(token=None):
    return {"Authorization": "Bearer " + (token or admin_token())}


def iface_path(router_id, iface):
    return "/api/network/routers/%d/interfaces/%s/stream/" % (router_id, iface)


# ---- a world of our own: two tenants, routers, customers ----

PW = "Mon-Passw0rd-1"
_world = None


class World:
    """Made once: two tenants of our own (so that tenant 1's routers from the
    C suites stay out of sight, and 004's "active device" of tenant A is its
    first router, v6), each with an admin (token) and a "*" API client key;
    tenant A's routers on the simulated v6 and v7."""

    def __init__(self):
        self.a = self.tenant("mona")
        self.b = self.tenant("monb")
        self.v6 = make_router("v6", self.a["tok"])
        self.v7 = make_router("v7", self.a["tok"])
        status, doc = native("POST", "/api/plans/", {
            "name": uniq("Mon plan"), "speed": "5M/2M", "price": 50, "duration_value": 1,
            "duration_unit": "HOURS", "connection_type": "hotspot"}, self.a["tok"])
        assert status == 201, (status, doc)
        self.plan = doc["data"]["id"]
        for r in ("v6", "v7"):
            sim_fast(r, 100)

    @staticmethod
    def tenant(prefix):
        code = uniq(prefix)
        status, doc = native("POST", "/api/tenants/", {"name": "Org " + code, "code": code},
                             admin_token())
        assert status == 201, (status, doc)
        tid = doc["data"]["id"]
        name = uniq(prefix + "adm")
        status, doc = native("POST", "/api/auth/users/", {
            "username": name, "email": name + "@example.org", "password": PW,
            "password_confirm": PW, "user_type": "admin", "tenant_id": tid}, admin_token())
        assert status == 201, (status, doc)
        status, doc = native("POST", "/api/auth/login/", {"username": name, "password": PW})
        assert status == 200, (status, doc)
        tok = doc["data"]["tokens"]["access"]
        return {"id": tid, "tok": tok, "key": client_key(["*"], tok)}

    def customer(self, router, access, username, static_ip=None):
        """A customer of tenant A with an active subscription on router."""
        status, doc = native("POST", "/api/customers/", {"name": uniq("Mon cust")}, self.a["tok"])
        assert status == 201, (status, doc)
        cust = doc["data"]["id"]
        body = {"customer_id": cust, "plan_id": self.plan, "router_id": router,
                "username": username, "password": "x-" + username, "access_method": access,
                "status": "active"}
        if static_ip:
            body["static_ip"] = static_ip
        status, doc = native("POST", "/api/subscriptions/", body, self.a["tok"])
        assert status == 201, (status, doc)
        return cust


def world():
    global _world
    if _world is None:
        _world = World()
    return _world


def session(router, access, user, **props):
    """A live session of user on the simulated router: /ppp/active (with its
    <pppoe-USER> interface) or /ip/hotspot/active.  Its id there."""
    if access == "pppoe":
        return sim("POST", "/routers/%s/menu?path=/ppp/active" % router,
                   dict(props, name=user, service="pppoe"))["id"]
    return sim("POST", "/routers/%s/menu?path=/ip/hotspot/active" % router,
               dict(props, user=user))["id"]


def new_admin(t, prefix):
    """A new admin user of tenant t, logged in: (access, refresh)."""
    name = uniq(prefix)
    status, doc = native("POST", "/api/auth/users/", {
        "username": name, "email": name + "@example.org", "password": PW,
        "password_confirm": PW, "user_type": "admin", "tenant_id": t["id"]}, admin_token())
    assert status == 201, (status, doc)
    status, doc = native("POST", "/api/auth/login/", {"username": name, "password": PW})
    assert status == 200, (status, doc)
    return doc["data"]["tokens"]["access"], doc["data"]["tokens"]["refresh"]


def online_customer(router, access, prefix, **props):
    """A customer of tenant A on simulated router "v6" or "v7" with a live
    session: (its user name, customer id, session id)."""
    user = user_name(prefix)
    cust = world().customer(getattr(world(), router), access, user)
    return user, cust, session(router, access, user, **props)


def key_of(t):
    return {"X-Client-Key": t["key"]}


def user_name(prefix):
    """A RouterOS-friendly unique user name."""
    return "%s%d" % (prefix, time.monotonic_ns() % 10**10)


def monitor_traffic(router, interface=None):
    """(the simulated router's running monitor-traffic commands (on one
    interface), its whole /streams answer)."""
    doc = sim("GET", "/routers/%s/streams" % router)
    run_ = [e for e in doc["running"] if e["command"] == "/interface/monitor-traffic"
            and (interface is None or e["args"].get("interface") == interface)]
    return run_, doc


def running_pings(router, address):
    return [e for e in sim("GET", "/routers/%s/streams" % router)["running"]
            if e["command"] == "/ping" and e["args"].get("address") == address]


async def settle(pred, timeout=5.0, every=0.05):
    """Poll pred() (blocking calls are fine: they are quick) until it holds."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        await asyncio.sleep(every)


def streaming(fn):
    """An async test method run in its own event loop (30 s at most); the
    WebSockets it opened with self.open() are closed after it."""
    @functools.wraps(fn)
    def wrapper(self):
        self.socks = []

        async def body():
            try:
                return await fn(self)
            finally:
                for ws in self.socks:
                    await ws.close()
        return run(body())
    return wrapper


class StreamCase(unittest.TestCase):
    """Tests that hold WebSockets open (see streaming)."""

    async def open(self, host, path, headers=None, **kw):
        """A WebSocket as tenant A's key unless headers say otherwise."""
        ws = await websockets.connect(ws_url(host, path), open_timeout=TIMEOUT,
                                      extra_headers=key_of(world().a) if headers is None
                                      else headers, **kw)
        self.socks.append(ws)
        return ws


async def until(ws, pred, timeout=8.0):
    """(the first frame pred accepts, the frames before it); fails with the
    last frames seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no frame wanted within %.1f s; the last: %s" %
                                 (timeout, seen[-6:]))
        try:
            f = json.loads(await asyncio.wait_for(ws.recv(), left))
        except asyncio.TimeoutError:
            continue
        if pred(f):
            return f, seen
        seen.append(f)


def traffic_of(**want):
    return lambda f: f.get("type") == "traffic" and all(f.get(k) == v for k, v in want.items())


async def closed(ws, timeout=8.0):
    """(code, reason) of the server's close of ws."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.exceptions.ConnectionClosed:
        pass
    return ws.close_code, ws.close_reason


def handshake(host, path, headers=None):
    """(status, body) of a WebSocket handshake made by hand: the refusal's
    body, which websockets does not show."""
    h, _, p = host.rpartition(":")
    c = HTTPConnection(h, int(p), timeout=10)
    c.request("GET", path, headers={"Upgrade": "websocket", "Connection": "Upgrade",
                                    "Sec-WebSocket-Version": "13",
                                    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                                    **(headers or {})})
    r = c.getresponse()
    body = r.read().decode(errors="replace") if r.status != 101 else ""
    c.close()
    return r.status, body


def monitor_pid():
    with open(os.path.join(os.environ["ISPBILL_TEST_DIR"], "ispbill-monitor.pid")) as f:
        return int(f.read())


# ---- the daemon ----


class TestHealth(unittest.TestCase):
    def test_health_counts(self):
        status, doc = http("GET", "http://%s/health" % MONITOR)
        self.assertEqual(status, 200)
        self.assertIs(doc["ok"], True)
        for k in ("streams", "subscribers", "routers_connected"):
            self.assertIsInstance(doc[k], int)

    def test_unknown_http_path_is_404(self):
        status, doc = http("GET", "http://%s/nothing" % MONITOR)
        self.assertEqual(status, 404)
        self.assertEqual(doc["error"], "not_found")


# ---- interface traffic ----


class TestInterfaceTraffic(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sim_fast("v7")
        cls.router = make_router("v7")

    def test_frames_carry_the_simulators_values(self):
        sim("POST", "/routers/v7/traffic",
            {"interface": "ether2", "rx_bps": 1500000, "tx_bps": 250000,
             "rx_pps": 120, "tx_pps": 40})
        got = run(frames(ws_url(NATIVE, iface_path(self.router, "ether2")), 3, bearer()))
        for f in got:
            self.assertEqual(f["type"], "traffic")
            self.assertEqual(f["router_id"], self.router)
            self.assertEqual(f["interface"], "ether2")
            self.assertEqual((f["rx_bps"], f["tx_bps"], f["rx_pps"], f["tx_pps"]),
                             (1500000, 250000, 120, 40))
            self.assertRegex(f["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_new_values_show_in_the_running_stream(self):
        sim("POST", "/routers/v7/traffic", {"interface": "ether3", "rx_bps": 1000, "tx_bps": 2000,
                                            "rx_pps": 1, "tx_pps": 2})

        async def go():
            url = ws_url(NATIVE, iface_path(self.router, "ether3"))
            async with websockets.connect(url, extra_headers=bearer()) as ws:
                f = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
                self.assertEqual(f["rx_bps"], 1000)
                sim("POST", "/routers/v7/traffic", {"interface": "ether3", "rx_bps": 777777})
                for _ in range(50):
                    f = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
                    if f["rx_bps"] == 777777:
                        return f
                self.fail("the new value never came")

        f = run(go())
        self.assertEqual(f["tx_bps"], 2000)

    def test_without_trailing_slash(self):
        sim("POST", "/routers/v7/traffic", {"interface": "ether4", "rx_bps": 42})
        path = iface_path(self.router, "ether4").rstrip("/")
        got = run(frames(ws_url(NATIVE, path), 1, bearer()))
        self.assertEqual(got[0]["rx_bps"], 42)

    def test_mikrobill_path_with_router_id(self):
        sim("POST", "/routers/v7/traffic", {"interface": "ether5", "tx_bps": 4321})
        path = "/v1/internal/monitor/traffic/ether5?router_id=%d" % self.router
        got = run(frames(ws_url(MIKROBILL, path), 1, bearer()))
        self.assertEqual(got[0]["interface"], "ether5")
        self.assertEqual(got[0]["tx_bps"], 4321)


# ---- tickets ----


class TestTickets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sim_fast("v7")
        cls.router = make_router("v7")

    def native_ticket(self):
        status, doc = native("POST", "/api/network/stream-tickets/", {}, admin_token())
        self.assertEqual(status, 201, doc)
        body = doc.get("data", doc)
        self.assertEqual(body["expires_in"], 30)
        self.assertRegex(body["ticket"], r"^[A-Za-z0-9_-]{43}$")
        return body["ticket"]

    def test_a_ticket_works_once(self):
        t = self.native_ticket()
        url = ws_url(NATIVE, iface_path(self.router, "ether1") + "?ticket=" + t)
        got = run(frames(url, 1))
        self.assertEqual(got[0]["type"], "traffic")
        self.assertEqual(run(refused(url)), 401)

    def test_mikrobill_ticket(self):
        status, doc = mikrobill("POST", "/v1/internal/monitor/ticket", {}, admin_token())
        self.assertEqual(status, 201, doc)
        self.assertIs(doc["success"], True)
        self.assertEqual(doc["data"]["expires_in"], 30)
        path = "/v1/internal/monitor/traffic/ether1?router_id=%d&ticket=%s" % (
            self.router, doc["data"]["ticket"])
        got = run(frames(ws_url(MIKROBILL, path), 1))
        self.assertEqual(got[0]["router_id"], self.router)

    def test_an_expired_ticket_is_401(self):
        t = self.native_ticket()
        sql("UPDATE stream_tickets SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND "
            "WHERE used_at IS NULL")
        url = ws_url(NATIVE, iface_path(self.router, "ether1") + "?ticket=" + t)
        self.assertEqual(run(refused(url)), 401)

    def test_tickets_are_kept_hashed(self):
        t = self.native_ticket()
        self.assertEqual(sql("SELECT COUNT(*) FROM stream_tickets WHERE ticket_hash = '%s'" % t),
                         ["0"])
        last = sql("SELECT ticket_hash FROM stream_tickets ORDER BY id DESC LIMIT 1")[0]
        self.assertRegex(last, r"^[0-9a-f]{64}$")

    def test_unknown_ticket_is_401(self):
        url = ws_url(NATIVE, iface_path(self.router, "ether1") + "?ticket=" + "A" * 43)
        self.assertEqual(run(refused(url)), 401)

    def test_ticket_needs_a_credential(self):
        status, _ = native("POST", "/api/network/stream-tickets/", {})
        self.assertEqual(status, 401)


# ---- refusals and close codes ----


class TestRefusals(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sim_fast("v7")
        cls.router = make_router("v7")

    def test_no_credential_is_401(self):
        self.assertEqual(run(refused(ws_url(NATIVE, iface_path(self.router, "ether1")))), 401)
        self.assertEqual(run(refused(ws_url(MIKROBILL, "/v1/internal/monitor/traffic/ether1"))),
                         401)

    def test_bad_token_and_bad_key_are_401(self):
        url = ws_url(NATIVE, iface_path(self.router, "ether1"))
        self.assertEqual(run(refused(url, {"Authorization": "Bearer nonsense"})), 401)
        self.assertEqual(run(refused(url, {"X-Client-Key": "abcdefghijkl." + "0" * 40})), 401)

    def test_client_key_with_routers_view(self):
        key = client_key(["routers.view"])
        path = "/v1/internal/monitor/traffic/ether1?router_id=%d" % self.router
        got = run(frames(ws_url(MIKROBILL, path), 1, {"X-Client-Key": key}))
        self.assertEqual(got[0]["type"], "traffic")

    def test_client_key_without_routers_view_is_403(self):
        key = client_key(["customers.view"])
        url = ws_url(NATIVE, iface_path(self.router, "ether1"))
        self.assertEqual(run(refused(url, {"X-Client-Key": key})), 403)

    def test_unknown_router_is_404(self):
        url = ws_url(NATIVE, iface_path(99999999, "ether1"))
        self.assertEqual(run(refused(url, bearer())), 404)

    def test_client_frames_are_refused(self):
        url = ws_url(NATIVE, iface_path(self.router, "ether1"))
        code, _ = run(closed_with(url, bearer(), send="hello"))
        self.assertEqual(code, 1003)
        code, _ = run(closed_with(url, bearer(), send="x" * 5000))
        self.assertEqual(code, 1009)


# ---- customer traffic ----


class TestCustomerTraffic(StreamCase):
    @streaming
    async def test_pppoe_customer_gets_its_interface(self):
        w = world()
        user = user_name("mpp")
        iface = "<pppoe-%s>" % user
        cust = w.customer(w.v7, "pppoe", user)
        sid = session("v7", "pppoe", user, address="10.66.0.9")
        sim("POST", "/routers/v7/traffic", {"interface": iface, "rx_bps": 2500000,
                                            "tx_bps": 9100000, "rx_pps": 250, "tx_pps": 910})
        ws = await self.open(NATIVE, "/api/customers/%d/traffic/stream/" % cust)
        f, _ = await until(ws, traffic_of(rx_bps=2500000))
        self.assertRegex(f.pop("ts"), TS_RE)
        self.assertEqual(f, {"type": "traffic", "router_id": w.v7, "customer_id": cust,
                             "interface": iface, "rx_bps": 2500000, "tx_bps": 9100000,
                             "rx_pps": 250, "tx_pps": 910})
        self.assertEqual(len(monitor_traffic("v7", iface)[0]), 1)
        # the session ends: the customer is offline until it is back
        sim("DELETE", "/routers/v7/menu?path=/ppp/active&id=" + sid)
        f, _ = await until(ws, lambda f: f.get("type") == "error")
        self.assertEqual((f["code"], f["retry_in_ms"]), ("customer_offline", 1000), f)
        session("v7", "pppoe", user)
        sim("POST", "/routers/v7/traffic", {"interface": iface, "rx_bps": 123, "tx_bps": 456})
        f, seen = await until(ws, lambda f: f.get("type") in ("resumed", "traffic"), 12)
        self.assertEqual(f["type"], "resumed", seen)
        await until(ws, traffic_of(customer_id=cust, rx_bps=123, tx_bps=456))

    @streaming
    async def test_pppoe_customer_on_mikrobill_path(self):
        w = world()
        user = user_name("mpm")
        cust = w.customer(w.v6, "pppoe", user)
        session("v6", "pppoe", user)
        sim("POST", "/routers/v6/traffic", {"interface": "<pppoe-%s>" % user,
                                            "rx_bps": 640000, "tx_bps": 320000})
        ws = await self.open(MIKROBILL, "/v1/internal/customer/%d/traffic/stream" % cust)
        await until(ws, traffic_of(customer_id=cust, router_id=w.v6, rx_bps=640000,
                                   tx_bps=320000))

    @streaming
    async def test_hotspot_customer_rates_from_its_counters(self):
        w = world()
        user = user_name("mhs")
        cust = w.customer(w.v6, "hotspot", user)
        session("v6", "hotspot", user, address="10.5.0.33", **{"mac-address": "02:00:00:00:33:01"})
        sim("POST", "/routers/v6/hotspot-rate",
            {"user": user, "rx_bps": 800000, "tx_bps": 4000000, "rx_pps": 100, "tx_pps": 400})
        ws = await self.open(NATIVE, "/api/customers/%d/traffic/stream/" % cust)
        # the first frame comes after the second reading of the counters
        f, _ = await until(ws, lambda f: f.get("type") == "traffic", 6)
        got = [f] + [(await until(ws, lambda f: True, 3))[0] for _ in range(2)]
        for f in got:
            self.assertEqual((f["type"], f["customer_id"], f["router_id"]),
                             ("traffic", cust, w.v6), f)
            self.assertNotIn("interface", f)
            self.assertRegex(f["ts"], TS_RE)
            # rates from deltas over the monitor's own clock (the replies'
            # latency varies on a loaded machine): within 20%
            self.assertAlmostEqual(f["rx_bps"], 800000, delta=160000, msg=f)
            self.assertAlmostEqual(f["tx_bps"], 4000000, delta=800000, msg=f)
            self.assertAlmostEqual(f["rx_pps"], 100, delta=20, msg=f)
            self.assertAlmostEqual(f["tx_pps"], 400, delta=80, msg=f)

    @streaming
    async def test_hotspot_session_ends_and_comes_back(self):
        user, cust, sid = online_customer("v7", "hotspot", "mhe", address="10.5.0.44")
        sim("POST", "/routers/v7/hotspot-rate", {"user": user, "tx_bps": 160000})
        ws = await self.open(NATIVE, "/api/customers/%d/traffic/stream/" % cust)
        await until(ws, lambda f: f.get("type") == "traffic" and f["tx_bps"] > 0, 6)
        sim("DELETE", "/routers/v7/menu?path=/ip/hotspot/active&id=" + sid)
        f, _ = await until(ws, lambda f: f.get("type") == "error", 6)
        self.assertEqual(f["code"], "customer_offline", f)
        session("v7", "hotspot", user, address="10.5.0.44")
        sim("POST", "/routers/v7/hotspot-rate", {"user": user, "tx_bps": 320000})
        f, seen = await until(ws, lambda f: f.get("type") in ("resumed", "traffic"), 12)
        self.assertEqual(f["type"], "resumed", seen)
        f, _ = await until(ws, lambda f: f.get("type") == "traffic" and f["tx_bps"] > 0, 6)
        self.assertAlmostEqual(f["tx_bps"], 320000, delta=64000, msg=f)

    @streaming
    async def test_static_service_has_no_traffic_stream(self):
        w = world()
        cust = w.customer(w.v6, "static_ip", user_name("mst"), static_ip="10.79.0.3")
        status, body = handshake(NATIVE, "/api/customers/%d/traffic/stream/" % cust,
                                 key_of(w.a))
        self.assertEqual(status, 404, body)


# ---- ping ----


class TestPing(StreamCase):
    @streaming
    async def test_replies_then_timeouts(self):
        w = world()
        cust = w.customer(w.v6, "pppoe", user_name("mpg"), static_ip="10.77.0.5")
        sim("POST", "/routers/v6/ping", {"address": "10.77.0.5", "time_ms": 7, "ttl": 61})
        ws = await self.open(NATIVE, "/api/customers/%d/ping/stream/" % cust)
        f, _ = await until(ws, lambda f: f.get("type") == "ping")
        g, _ = await until(ws, lambda f: True)
        for x in (f, g):
            self.assertEqual((x["type"], x["customer_id"], x["router_id"], x["address"],
                              x["time_ms"], x["ttl"], x["loss_pct"]),
                             ("ping", cust, w.v6, "10.77.0.5", 7.0, 61, 0.0), x)
            self.assertEqual(x["received"], x["sent"], x)
            self.assertNotIn("timeout", x)
            self.assertRegex(x["ts"], TS_RE)
        self.assertEqual((g["seq"], g["sent"]), (f["seq"] + 1, f["sent"] + 1))
        self.assertEqual(len(running_pings("v6", "10.77.0.5")), 1)
        sim("POST", "/routers/v6/ping", {"address": "10.77.0.5", "timeout": True})
        t, _ = await until(ws, lambda f: f.get("timeout") is True)
        self.assertNotIn("time_ms", t)
        self.assertNotIn("ttl", t)
        self.assertLess(t["received"], t["sent"])
        self.assertAlmostEqual(t["loss_pct"], 100.0 * (t["sent"] - t["received"]) / t["sent"],
                               delta=0.051)
        await ws.close()
        self.assertTrue(await settle(lambda: not running_pings("v6", "10.77.0.5")),
                        "the /ping outlives its last subscriber")

    @streaming
    async def test_mikrobill_path_pings_the_sessions_address(self):
        w = world()
        user = user_name("mpa")
        cust = w.customer(w.v7, "pppoe", user)
        session("v7", "pppoe", user, address="10.78.0.9")
        sim("POST", "/routers/v7/ping", {"address": "10.78.0.9", "time_ms": 12, "ttl": 63})
        ws = await self.open(MIKROBILL, "/v1/internal/customer/%d/ping/stream" % cust)
        f, _ = await until(ws, lambda f: f.get("type") == "ping")
        self.assertEqual((f["customer_id"], f["address"], f["time_ms"], f["ttl"]),
                         (cust, "10.78.0.9", 12.0, 63))


    @streaming
    async def test_a_new_session_address_is_pinged(self):
        # the session's address is looked up when the ping starts; when the
        # customer comes back with another one, timeouts to the old address
        # make the monitor look it up again
        user, cust, sid = online_customer("v7", "pppoe", "mpn", address="10.78.1.10")
        sim("POST", "/routers/v7/ping", {"address": "10.78.1.10", "time_ms": 4, "ttl": 64})
        sim("POST", "/routers/v7/ping", {"address": "10.78.1.11", "time_ms": 9, "ttl": 62})
        ws = await self.open(NATIVE, "/api/customers/%d/ping/stream/" % cust)
        f, _ = await until(ws, lambda f: f.get("type") == "ping")
        self.assertEqual((f["address"], f["time_ms"]), ("10.78.1.10", 4.0), f)
        sim("DELETE", "/routers/v7/menu?path=/ppp/active&id=" + sid)
        sim("POST", "/routers/v7/ping", {"address": "10.78.1.10", "timeout": True})
        session("v7", "pppoe", user, address="10.78.1.11")
        f, seen = await until(ws, lambda f: f.get("address") == "10.78.1.11", 15)
        self.assertEqual((f["type"], f["time_ms"], f["ttl"]), ("ping", 9.0, 62), f)
        self.assertTrue(await settle(lambda: not running_pings("v7", "10.78.1.10")),
                        "the ping to the old address still runs")
        self.assertEqual(len(running_pings("v7", "10.78.1.11")), 1)


    @streaming
    async def test_hotspot_session_offline_until_it_is_there_then_pinged(self):
        w = world()
        user = user_name("mph")
        cust = w.customer(w.v7, "hotspot", user)
        sim("POST", "/routers/v7/ping", {"address": "10.5.7.21", "time_ms": 3, "ttl": 60})
        ws = await self.open(NATIVE, "/api/customers/%d/ping/stream/" % cust)
        # no session yet: nothing to ping
        f, _ = await until(ws, lambda f: True)
        self.assertEqual((f["type"], f["code"]), ("error", "customer_offline"), f)
        self.assertEqual(running_pings("v7", "10.5.7.21"), [])
        sid = session("v7", "hotspot", user, address="10.5.7.21")
        f, seen = await until(ws, lambda f: f.get("type") in ("resumed", "ping"), 12)
        self.assertEqual(f["type"], "resumed", seen)
        f, _ = await until(ws, lambda f: f.get("type") == "ping")
        self.assertEqual((f["address"], f["time_ms"], f["ttl"]), ("10.5.7.21", 3.0, 60), f)
        self.assertEqual(len(running_pings("v7", "10.5.7.21")), 1)
        sim("DELETE", "/routers/v7/menu?path=/ip/hotspot/active&id=" + sid)


class TestCustomerByUuid(StreamCase):
    @streaming
    async def test_mikrobill_customer_stream_by_uuid(self):
        w = world()
        user = user_name("mpu")
        cust = w.customer(w.v6, "pppoe", user)
        status, doc = native("GET", "/api/customers/%d/" % cust, token=w.a["tok"])
        self.assertEqual(status, 200, doc)
        session("v6", "pppoe", user)
        sim("POST", "/routers/v6/traffic", {"interface": "<pppoe-%s>" % user, "tx_bps": 8080})
        ws = await self.open(MIKROBILL, "/v1/internal/customer/%s/traffic/stream"
                             % doc["data"]["uuid"])
        await until(ws, traffic_of(customer_id=cust, tx_bps=8080))


# ---- sharing one router command ----


class TestSharing(StreamCase):
    @streaming
    async def test_second_subscriber_shares_and_last_one_cancels(self):
        w = world()
        sim("POST", "/routers/v6/traffic", {"interface": "ether5", "rx_bps": 5005})
        before = sim("GET", "/routers/v6/streams")
        a = await self.open(NATIVE, iface_path(w.v6, "ether5"))
        await until(a, traffic_of(interface="ether5", rx_bps=5005))
        # the mikrobill path and a bearer token: the same stream all the same
        b = await self.open(MIKROBILL, "/v1/internal/monitor/traffic/ether5?router_id=%d" % w.v6,
                            bearer(w.a["tok"]))
        await until(b, traffic_of(interface="ether5", rx_bps=5005))
        run_, now = monitor_traffic("v6", "ether5")
        self.assertEqual(len(run_), 1, now)
        self.assertEqual(now["started"] - before["started"], 1, (before, now))
        # one leaves: the command stays, the other still gets frames
        await b.close()
        await asyncio.sleep(0.5)
        run_, now = monitor_traffic("v6", "ether5")
        self.assertEqual((len(run_), now["cancelled"]), (1, before["cancelled"]), now)
        await until(a, traffic_of(interface="ether5"))
        # the last one leaves: /cancel
        await a.close()
        self.assertTrue(await settle(lambda: not monitor_traffic("v6", "ether5")[0]),
                        "the command still runs after the last subscriber left")
        now = sim("GET", "/routers/v6/streams")
        self.assertEqual(now["cancelled"] - before["cancelled"], 1, (before, now))
        self.assertEqual(now["dropped"], before["dropped"], (before, now))

    @streaming
    async def test_subscribers_of_two_routers_share_nothing(self):
        w = world()
        a = await self.open(NATIVE, iface_path(w.v6, "ether3"))
        b = await self.open(NATIVE, iface_path(w.v7, "ether3"))
        fa, _ = await until(a, traffic_of(interface="ether3"))
        fb, _ = await until(b, traffic_of(interface="ether3"))
        self.assertEqual((fa["router_id"], fb["router_id"]), (w.v6, w.v7))
        self.assertEqual(len(monitor_traffic("v6", "ether3")[0]), 1)
        self.assertEqual(len(monitor_traffic("v7", "ether3")[0]), 1)

    @streaming
    async def test_a_stalled_client_delays_nobody(self):
        """One subscriber of a stream stops reading (a raw socket with a
        4 KiB receive buffer, straight to the monitor: nginx would read for
        it) while the router sends 100 frames a second: the other subscriber
        keeps getting them all, without a pause; the stalled one, reading
        again, is served up to the present, having skipped to the latest
        frame (the monitor's small send buffer: MON_SNDBUF), not sent a
        queue of every frame."""
        w = world()
        path = iface_path(w.v6, "ether2")
        sim_fast("v6", 10)
        stalled = socket.socket()
        try:
            quick = await self.open(MONITOR, path)
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stalled.connect(("127.0.0.1", int(MONITOR.rpartition(":")[2])))
            stalled.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "X-Client-Key: %s\r\n\r\n" % (path, w.a["key"])).encode())
            head = b""
            while b"\r\n\r\n" not in head:
                head += stalled.recv(1)
            self.assertTrue(head.startswith(b"HTTP/1.1 101"), head)
            await until(quick, traffic_of(interface="ether2"))
            t0, n, gap, last = time.monotonic(), 0, 0.0, time.monotonic()
            while time.monotonic() - t0 < 4:
                await asyncio.wait_for(quick.recv(), TIMEOUT)
                now = time.monotonic()
                gap, last, n = max(gap, now - last), now, n + 1
            # (loose bounds for a loaded machine: a stall would be the whole 4 s)
            self.assertGreater(n, 4 * 100 * 0.4, "the quick subscriber got %d frames in 4 s" % n)
            self.assertLess(gap, 1.5, "the quick subscriber waited %.2f s for a frame" % gap)
            # the stalled one reads again: frames up to now
            stalled.settimeout(5)
            data, latest, until_t, got = b"", None, time.monotonic() + 8, 0
            while latest is None or time.time() - latest > 1.0:
                self.assertLess(time.monotonic(), until_t, "the stalled subscriber is "
                                "still %.1f s behind" % (time.time() - (latest or 0)))
                data += stalled.recv(65536)
                frames = []
                while len(data) >= 2:
                    size, at = data[1] & 0x7F, 2
                    if size == 126:
                        size, at = int.from_bytes(data[2:4], "big"), 4
                    if len(data) < at + size:
                        break
                    frames.append(json.loads(data[at:at + size]))
                    data = data[at + size:]
                got += len(frames)
                if frames:
                    latest = calendar.timegm(time.strptime(frames[-1]["ts"][:19],
                                                           "%Y-%m-%dT%H:%M:%S"))
            # it skipped to the latest: far fewer frames than were sent
            # meanwhile (the quick one's n), not a queue of all of them
            self.assertLess(got, n * 0.5, "the stalled subscriber was sent %d frames of %d: a "
                            "queue, not the latest" % (got, n))
        finally:
            stalled.close()
            sim_fast("v6", 100)

    @streaming
    async def test_a_vanished_client_is_let_go(self):
        w = world()
        ws = await websockets.connect(ws_url(NATIVE, iface_path(w.v7, "ether4")),
                                      extra_headers=key_of(w.a))
        await until(ws, traffic_of(interface="ether4"))
        ws.transport.abort()       # no close frame: the TCP connection is simply gone
        self.assertTrue(await settle(lambda: not monitor_traffic("v7", "ether4")[0], 10),
                        "the router command outlives a vanished client")

    @streaming
    async def test_health_counts_what_runs(self):
        w = world()
        ws = await self.open(NATIVE, iface_path(w.v7, "ether2"))
        await until(ws, traffic_of(interface="ether2"))
        status, doc = http("GET", "http://%s/health" % MONITOR)
        self.assertEqual(status, 200, doc)
        self.assertGreaterEqual(doc["streams"], 1)
        self.assertGreaterEqual(doc["subscribers"], 1)
        self.assertGreaterEqual(doc["routers_connected"], 1)


# ---- a router that goes away ----


class TestRouterFaults(StreamCase):
    def tearDown(self):
        sim("DELETE", "/routers/v7/fault")

    @streaming
    async def test_router_killed_mid_stream_then_back(self):
        w = world()
        sim("POST", "/routers/v7/traffic", {"interface": "ether5", "rx_bps": 7007})
        ws = await self.open(NATIVE, iface_path(w.v7, "ether5"))
        await until(ws, traffic_of(interface="ether5", rx_bps=7007))
        sim("POST", "/routers/v7/fault", {"offline": True})
        f, _ = await until(ws, lambda f: f.get("type") == "error")
        self.assertEqual(f["code"], "router_unreachable", f)
        self.assertIsInstance(f["message"], str)
        self.assertTrue(1000 <= f["retry_in_ms"] <= 30000, f)
        # the retries back off: 1 s, 2 s, ...
        g, _ = await until(ws, lambda f: f.get("type") == "error", 4)
        self.assertGreater(g["retry_in_ms"], f["retry_in_ms"], (f, g))
        sim("DELETE", "/routers/v7/fault")
        sim("POST", "/routers/v7/traffic", {"interface": "ether5", "rx_bps": 7117})
        f, seen = await until(ws, lambda f: f.get("type") in ("resumed", "traffic"), 15)
        self.assertEqual(f["type"], "resumed", seen)
        self.assertTrue(all(x.get("type") == "error" for x in seen), seen)
        await until(ws, traffic_of(interface="ether5", rx_bps=7117))
        self.assertEqual(len(monitor_traffic("v7", "ether5")[0]), 1)

    @streaming
    async def test_refused_login_is_a_router_error(self):
        w = world()
        ws = await self.open(NATIVE, iface_path(w.v7, "ether1"))
        await until(ws, traffic_of(interface="ether1"))
        sim("POST", "/routers/v7/fault", {"refuse_login": True})
        sim("DELETE", "/routers/v7/connections")
        f, _ = await until(ws, lambda f: f.get("type") == "error")
        self.assertEqual(f["code"], "router_unreachable", f)
        f, _ = await until(ws, lambda f: f.get("type") == "error" and
                           f["code"] == "router_error", 6)
        self.assertIn("invalid user name or password", f["message"])
        sim("DELETE", "/routers/v7/fault")
        f, seen = await until(ws, lambda f: f.get("type") in ("resumed", "traffic"), 15)
        self.assertEqual(f["type"], "resumed", seen)

    @streaming
    async def test_fatal_reason_reaches_the_subscribers(self):
        # the !fatal's reason lives in the connection's buffer: it must be
        # read before the connection is freed (ASan saw it used after)
        w = world()
        ws = await self.open(NATIVE, iface_path(w.v7, "ether2"))
        await until(ws, traffic_of(interface="ether2"))
        reason = "fatal-reason-" + uniq("x") + "-" + "z" * 64
        sim("POST", "/routers/v7/fault", {"fatal": reason})
        # a new command on the connection gets the !fatal
        ws2 = await self.open(NATIVE, iface_path(w.v7, "ether3"))
        for s in (ws, ws2):
            f, seen = await until(s, lambda f: f.get("type") == "error")
            self.assertEqual((f["code"], f["message"]), ("router_error", reason), (f, seen))
        f, seen = await until(ws, lambda f: f.get("type") in ("resumed", "traffic"), 15)
        self.assertEqual(f["type"], "resumed", seen)
        self.assertEqual(http("GET", "http://%s/health" % MONITOR)[0], 200)


# ---- who may watch ----


class TestTenancy(StreamCase):
    def test_another_tenants_credentials_see_nothing(self):
        w = world()
        cust = w.customer(w.v6, "pppoe", user_name("mot"), static_ip="10.79.0.9")
        for host, path in ((NATIVE, iface_path(w.v6, "ether1")),
                           (MIKROBILL, "/v1/internal/monitor/traffic/ether1?router_id=%d" % w.v6),
                           (NATIVE, "/api/customers/%d/traffic/stream/" % cust),
                           (NATIVE, "/api/customers/%d/ping/stream/" % cust),
                           (MIKROBILL, "/v1/internal/customer/%d/traffic/stream" % cust),
                           (MIKROBILL, "/v1/internal/customer/%d/ping/stream" % cust)):
            for creds in (key_of(w.b), bearer(w.b["tok"])):
                status, body = handshake(host, path, creds)
                self.assertEqual(status, 404, (path, body))
            # a ticket of the other tenant too
            status, doc = native("POST", "/api/network/stream-tickets/", {}, w.b["tok"])
            self.assertEqual(status, 201, doc)
            t = doc.get("data", doc)["ticket"]
            status, body = handshake(host, path + ("&" if "?" in path else "?") + "ticket=" + t)
            self.assertEqual(status, 404, (path, body))
        # tenant B has no router: 004's active device is none
        status, body = handshake(MIKROBILL, "/v1/internal/monitor/traffic/ether1", key_of(w.b))
        self.assertEqual(status, 404, body)

    @streaming
    async def test_mikrobill_active_device_is_the_tenants_first_router(self):
        w = world()
        sim("POST", "/routers/v6/traffic", {"interface": "ether4", "rx_bps": 31000})
        ws = await self.open(MIKROBILL, "/v1/internal/monitor/traffic/ether4")
        await until(ws, traffic_of(router_id=w.v6, interface="ether4", rx_bps=31000))

    def test_refusals_are_small_json(self):
        w = world()
        for host, path, creds, status in (
                (NATIVE, iface_path(w.v6, "ether1"), {}, 401),
                (MONITOR, iface_path(w.v6, "ether1"), {}, 401),
                (NATIVE, iface_path(w.v6, "ether1") + "?ticket=nope", {}, 401),
                (NATIVE, iface_path(w.v6, "ether1"),
                 {"X-Client-Key": client_key(["customers.view"], w.a["tok"])}, 403),
                (NATIVE, "/api/customers/99999999/ping/stream/", key_of(w.a), 404),
                # (nginx proxies only the stream paths: the monitor's own answer)
                (MONITOR, "/api/network/routers/%d/nope/stream/" % w.v6, key_of(w.a), 404)):
            got, body = handshake(host, path, creds)
            self.assertEqual(got, status, (path, body))
            doc = json.loads(body)
            self.assertIsInstance(doc.get("error"), str, body)
            self.assertLess(len(body), 512)

    @streaming
    async def test_a_revoked_token_is_refused(self):
        w = world()
        tok, refresh = new_admin(w.a, "mrv")
        ws = await self.open(NATIVE, iface_path(w.v6, "ether1"), bearer(tok))
        await until(ws, traffic_of(interface="ether1"))
        status, doc = native("POST", "/api/auth/logout/", {"refresh": refresh}, tok)
        self.assertEqual(status, 200, doc)
        status, body = handshake(NATIVE, iface_path(w.v6, "ether1"), bearer(tok))
        self.assertEqual(status, 401, body)


# ---- client frames ----


class TestClientFrames(StreamCase):
    @streaming
    async def test_binary_frame_closes_1003(self):
        ws = await self.open(NATIVE, iface_path(world().v6, "ether1"))
        await ws.send(b"\x00\x01")
        self.assertEqual((await closed(ws))[0], 1003)

    @streaming
    async def test_pings_are_answered_and_frames_go_on(self):
        ws = await self.open(NATIVE, iface_path(world().v6, "ether1"))
        await asyncio.wait_for(await ws.ping(b"are you there"), TIMEOUT)
        await until(ws, traffic_of(interface="ether1"))

    @streaming
    async def test_a_frame_of_exactly_4_KiB_is_not_too_big(self):
        ws = await self.open(NATIVE, iface_path(world().v6, "ether1"))
        await ws.send("x" * 4096)
        self.assertEqual((await closed(ws))[0], 1003)


# ---- limits (lowered in the configuration, reloaded by SIGHUP) ----


class TestLimits(StreamCase):
    def setUp(self):
        self.conf = os.path.join(os.environ["ISPBILL_TEST_DIR"], "ispbill.conf")
        with open(self.conf) as f:
            self.saved = f.read()

    def tearDown(self):
        with open(self.conf, "w") as f:
            f.write(self.saved)
        os.kill(monitor_pid(), signal.SIGHUP)
        time.sleep(0.3)

    async def setting(self, **settings):
        """monitor_KEY = VALUE lines appended to the configuration, reloaded."""
        with open(self.conf, "a") as f:
            for k, v in settings.items():
                f.write("monitor_%s = %d\n" % (k, v))
        os.kill(monitor_pid(), signal.SIGHUP)
        await asyncio.sleep(0.3)

    async def limit(self, **limits):
        await self.setting(**{"max_" + k: v for k, v in limits.items()})

    async def over(self, host, path, reason):
        """The handshake over a limit is accepted, then closed 4429."""
        ws = await self.open(host, path)
        self.assertEqual(await closed(ws), (4429, reason))

    @streaming
    async def test_streams_per_tenant(self):
        w = world()
        await self.limit(streams_per_tenant=2)
        for name in ("ether1", "ether2"):
            ws = await self.open(NATIVE, iface_path(w.v7, name))
            await until(ws, traffic_of(interface=name))
        await self.over(NATIVE, iface_path(w.v7, "ether3"), "too many streams")
        self.assertEqual(monitor_traffic("v7", "ether3")[0], [])
        # another subscriber of a running stream is no new stream
        ws = await self.open(MIKROBILL, "/v1/internal/monitor/traffic/ether1?router_id=%d" % w.v7)
        await until(ws, traffic_of(interface="ether1"))

    @streaming
    async def test_subscribers_per_router(self):
        w = world()
        await self.limit(subscribers_per_router=2)
        for _ in range(2):
            ws = await self.open(NATIVE, iface_path(w.v6, "ether1"))
            await until(ws, traffic_of(interface="ether1"))
        await self.over(NATIVE, iface_path(w.v6, "ether1"), "too many subscribers")
        # another router counts its own
        ws = await self.open(NATIVE, iface_path(w.v7, "ether1"))
        await until(ws, traffic_of(interface="ether1"))

    @streaming
    async def test_subscribers_per_tenant(self):
        w = world()
        await self.limit(subscribers_per_tenant=2)
        for rid in (w.v6, w.v7):
            ws = await self.open(NATIVE, iface_path(rid, "ether2"))
            await until(ws, traffic_of(interface="ether2"))
        await self.over(NATIVE, iface_path(w.v6, "ether2"), "too many subscribers")
        # another tenant is not held to tenant A's count
        status, body = handshake(NATIVE, iface_path(w.v6, "ether2"), key_of(w.b))
        self.assertEqual(status, 404, body)

    @streaming
    async def test_revoked_credentials_close_running_streams(self):
        # a credential checked once at the handshake must not watch forever:
        # a logout, a disabled API client or a lost permission ends the
        # stream at the next re-check (monitor_recheck_seconds)
        w = world()
        await self.setting(recheck_seconds=1)
        tok, refresh = new_admin(w.a, "mrc")
        key, key2 = (client_key(["routers.view"], w.a["tok"]) for _ in range(2))
        by_token = await self.open(NATIVE, iface_path(w.v6, "ether1"), bearer(tok))
        by_key = await self.open(NATIVE, iface_path(w.v6, "ether1"), {"X-Client-Key": key})
        by_key2 = await self.open(NATIVE, iface_path(w.v6, "ether1"), {"X-Client-Key": key2})
        stays = await self.open(NATIVE, iface_path(w.v6, "ether1"))
        for ws in (by_token, by_key, by_key2, stays):
            await until(ws, traffic_of(interface="ether1"))
        status, doc = native("POST", "/api/auth/logout/", {"refresh": refresh}, tok)
        self.assertEqual(status, 200, doc)
        sql("UPDATE api_clients SET is_active = 0 WHERE key_prefix = '%s'" % key.split(".")[0])
        sql("UPDATE api_clients SET scopes = '[\"customers.view\"]' WHERE key_prefix = '%s'"
            % key2.split(".")[0])
        for ws in (by_token, by_key):
            self.assertEqual(await closed(ws, 6), (4401, "credentials no longer valid"))
        self.assertEqual(await closed(by_key2, 6), (4403, "permission routers.view is required"))
        # the others' stream goes on
        await until(stays, traffic_of(interface="ether1"))


    @streaming
    async def test_database_down_keeps_running_streams(self):
        # a re-check that cannot reach MariaDB closes nothing
        w = world()
        await self.setting(recheck_seconds=1)
        tok, _ = new_admin(w.a, "mdb")
        ws = await self.open(NATIVE, iface_path(w.v7, "ether1"), bearer(tok))
        await until(ws, traffic_of(interface="ether1"))
        harness = os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness")
        subprocess.run([harness, "db-stop", os.environ["ISPBILL_TEST_DIR"]], check=True)
        try:
            await asyncio.sleep(2.5)
            sim("POST", "/routers/v7/traffic", {"interface": "ether1", "rx_bps": 5151})
            await until(ws, traffic_of(interface="ether1", rx_bps=5151))
        finally:
            subprocess.run([harness, "db-start", os.environ["ISPBILL_TEST_DIR"]], check=True)
        # back: still checked, still good
        await asyncio.sleep(1.5)
        await until(ws, traffic_of(interface="ether1", rx_bps=5151))


# ---- SIGTERM (a second monitor of our own: the harness's keeps running) ----


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class TestZDrain(StreamCase):
    @streaming
    async def test_sigterm_closes_1001_and_exits_0(self):
        w = world()
        port = free_port()
        host = "127.0.0.1:%d" % port
        d = os.environ["ISPBILL_TEST_DIR"]
        with open(os.path.join(d, "monitor-drain.log"), "ab") as log:
            proc = subprocess.Popen(
                [os.path.join(os.environ["ISPBILL_TEST_BUILD"], "ispbill-monitor"),
                 "--config", os.path.join(d, "ispbill.conf"), "--foreground",
                 "--pid-file", os.path.join(d, "monitor-drain.pid")],
                stdout=log, stderr=log, env=dict(os.environ, ISPBILL_MONITOR_PORT=str(port)))
        try:
            def up():
                try:
                    return proc.poll() is not None or http("GET", "http://%s/health" % host)[0] == 200
                except OSError:
                    return False
            self.assertTrue(await settle(up, 10, 0.1) and proc.poll() is None,
                            "the second monitor did not start")
            a = await self.open(host, iface_path(w.v6, "ether3"))
            b = await self.open(host, iface_path(w.v7, "ether3"))
            for ws in (a, b):
                await until(ws, traffic_of(interface="ether3"))
            before = sim("GET", "/routers/v6/streams")["cancelled"]
            proc.send_signal(signal.SIGTERM)
            for ws in (a, b):
                self.assertEqual(await closed(ws), (1001, "server shutting down"))
            rc = await asyncio.get_running_loop().run_in_executor(None, proc.wait, 10)
            self.assertEqual(rc, 0)
            self.assertGreater(sim("GET", "/routers/v6/streams")["cancelled"], before)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    print("RESULT monitor %d %d" % (res.testsRun, len(res.failures) + len(res.errors)))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
