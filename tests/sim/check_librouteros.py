#!/usr/bin/python3
"""Independent check of the RouterOS simulator with Debian's python3-librouteros.

Starts the simulator on free ports, then logs in (plain, api-ssl without a
certificate over ADH, api-ssl with the simulator's CA, legacy challenge
login), prints, adds and removes through librouteros and checks the values.
Exits 0 on success; non-zero with a message naming the failed step.

    /usr/bin/python3 tests/sim/check_librouteros.py
"""

import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(msg):
    print("check_librouteros: FAIL: %s" % msg, file=sys.stderr)
    sys.exit(1)


def expect(cond, msg):
    if not cond:
        fail(msg)


def main():
    try:
        import librouteros
        from librouteros import login as ros_login
        from librouteros.exceptions import TrapError, MultiTrapError
        from librouteros.query import Key
    except ImportError as e:
        fail("python3-librouteros is not installed (%s)" % e)

    tmp = tempfile.mkdtemp(prefix="check-librouteros-")
    ready = os.path.join(tmp, "ready.json")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "routeros_sim.py"),
                             "--ready-file", ready,
                             "--router", "r6:0:plain:v6",
                             "--router", "r7:0:plain:v7",
                             "--router", "r7:0:ssl-nocert",
                             "--router", "r7:0:ssl",
                             "--router", "old:0:plain:legacy"])
    try:
        deadline = time.time() + 10
        while not os.path.exists(ready):
            if proc.poll() is not None or time.time() > deadline:
                fail("simulator did not start")
            time.sleep(0.02)
        with open(ready) as f:
            info = json.load(f)
        run_checks(info, librouteros, ros_login, TrapError, MultiTrapError, Key)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    print("check_librouteros: OK (plain v6/v7, api-ssl ADH, api-ssl with CA, legacy login)")
    return 0


def run_checks(info, librouteros, ros_login, TrapError, MultiTrapError, Key):
    routers = info["routers"]

    def connect(name, mode="plain", **kw):
        port = routers[name]["ports"][mode]
        try:
            return librouteros.connect("127.0.0.1", "admin", "simpass", port=port,
                                       timeout=5, **kw)
        except Exception as e:  # noqa: BLE001 - report any failure plainly
            fail("login to %s (%s) failed: %r" % (name, mode, e))

    # -- plain, RouterOS 6.49
    api = connect("r6")
    users = api.path("ip", "hotspot", "user")
    uid = users.add(name="alice", password="pw1", profile="default",
                    **{"limit-uptime": "1d", "mac-address": "aa:bb:cc:00:11:22"})
    expect(uid == "*1", "first hotspot user id is %r, want *1" % uid)
    rows = list(users)
    expect(len(rows) == 1, "print returned %d users, want 1" % len(rows))
    row = rows[0]
    expect(row.get("name") == "alice", "name is %r" % row.get("name"))
    expect(row.get("limit-uptime") == "1d", "limit-uptime is %r" % row.get("limit-uptime"))
    expect(row.get("mac-address") == "AA:BB:CC:00:11:22", "mac is %r" % row.get("mac-address"))
    expect(row.get("disabled") is False, "disabled is %r" % row.get("disabled"))
    try:
        users.add(name="alice")
        fail("duplicate add did not trap")
    except TrapError as e:
        expect(e.message == "failure: already have user with this name for this server",
               "duplicate trap message %r" % e.message)
    users.update(**{".id": uid, "disabled": True, "comment": "suspended"})
    sel = list(users.select(Key("name"), Key("comment")).where(Key("disabled") == True))  # noqa: E712
    expect(sel == [{"name": "alice", "comment": "suspended"}],
           "select/where returned %r" % sel)
    uid2 = users.add(name="bob")
    sel = list(users.select(Key("name")).where(Key("name").In("alice", "bob")))
    expect(sorted(r["name"] for r in sel) == ["alice", "bob"], "In() returned %r" % sel)
    users.remove(uid, uid2)
    expect(list(users) == [], "users left after remove: %r" % list(users))
    try:
        tuple(api("/system/routerboard/print"))
        fail("unknown menu did not trap")
    except MultiTrapError as e:
        expect("no such command prefix" in str(e), "unknown menu traps: %s" % e)
    res = list(api.path("system", "resource"))[0]
    expect(res.get("version") == "6.49.10 (long-term)", "version is %r" % res.get("version"))
    expect(res.get("platform") == "MikroTik", "platform is %r" % res.get("platform"))
    pings = list(api("/ping", address="192.0.2.1", count=2, interval="10ms"))
    expect(len(pings) == 2 and pings[1].get("received") == 2,
           "ping replies %r" % pings)
    mon = list(api("/interface/monitor-traffic", interface="ether1", once=""))
    expect(len(mon) == 1 and mon[0].get("name") == "ether1", "monitor-traffic %r" % mon)
    api.close()

    # -- plain, RouterOS 7 (!empty on an empty print)
    api = connect("r7")
    secrets = api.path("ppp", "secret")
    expect(list(secrets) == [], "r7 secrets not empty")
    sid = secrets.add(name="joe", password="x", service="pppoe")
    got = list(secrets.select(Key("name"), Key("service"), Key("profile")))
    expect(got == [{"name": "joe", "service": "pppoe", "profile": "default"}],
           "ppp secret print %r" % got)
    secrets.remove(sid)
    api.close()

    # -- api-ssl without a certificate: anonymous DH, TLS 1.2
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ADH:@SECLEVEL=0")
    api = connect("r7", "ssl-nocert", ssl_wrapper=ctx.wrap_socket)
    cipher = api.protocol.transport.sock.cipher()[0]
    expect(cipher.startswith("ADH-"), "ssl-nocert cipher is %s" % cipher)
    ident = list(api.path("system", "identity"))
    expect(ident == [{"name": "r7"}], "identity over ADH %r" % ident)
    api.close()

    # -- api-ssl with the simulator's CA, hostname checked
    cactx = ssl.create_default_context(cafile=info["ca_file"])
    api = connect("r7", "ssl",
                  ssl_wrapper=lambda s: cactx.wrap_socket(s, server_hostname="localhost"))
    expect(list(api.path("system", "identity")) == [{"name": "r7"}], "identity over TLS")
    api.close()

    # -- legacy (pre-6.43) challenge login
    api = connect("old", login_method=ros_login.token)
    res = list(api.path("system", "resource"))[0]
    expect(res.get("version") == "6.40.9 (bugfix)", "legacy version %r" % res.get("version"))
    api.close()
    try:
        librouteros.connect("127.0.0.1", "admin", "wrong", port=routers["old"]["ports"]["plain"],
                            timeout=5, login_method=ros_login.token)
        fail("legacy login with a wrong password succeeded")
    except TrapError as e:
        expect(e.message == "cannot log in", "legacy bad login message %r" % e.message)
    try:
        librouteros.connect("127.0.0.1", "admin", "wrong", port=routers["r6"]["ports"]["plain"],
                            timeout=5)
        fail("login with a wrong password succeeded")
    except TrapError as e:
        expect(e.message == "invalid user name or password (6)", "bad login %r" % e.message)


if __name__ == "__main__":
    sys.exit(main())
