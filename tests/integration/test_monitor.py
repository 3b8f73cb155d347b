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
import json
import os
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


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


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


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    print("RESULT monitor %d %d" % (res.testsRun, len(res.failures) + len(res.errors)))
    return 0 if res.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
