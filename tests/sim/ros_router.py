"""State and command semantics of one simulated RouterOS router.

Nothing here touches sockets: Router.handle() takes a decoded sentence (list
of str, bytes decoded as UTF-8 with surrogateescape so any byte round-trips)
and a Session, and answers with a list of reply sentences or a stream object
that the connection layer drives (ping, monitor-traffic).
"""

import hashlib
import os
import re
import threading
import time

V6_VERSION = "6.49.10 (long-term)"
V7_VERSION = "7.19.4 (stable)"
LEGACY_VERSION = "6.40.9 (bugfix)"

BAD_LOGIN = "invalid user name or password (6)"
BAD_LOGIN_LEGACY = "cannot log in"
FATAL_QUIT = "session terminated on request"


class Trap(Exception):
    def __init__(self, message, category=None):
        Exception.__init__(self, message)
        self.message = message
        self.category = category


# ---------------------------------------------------------------- values

_DUR_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DUR_RE = re.compile(r"(\d+)(ms|us|w|d|h|m|s)")


def parse_duration(text):
    """RouterOS time value -> seconds (int).  Raises ValueError."""
    s = text.strip()
    if not s:
        raise ValueError(text)
    if s.isdigit():
        return int(s)
    days = 0
    m = re.fullmatch(r"(?:(\d+)d\s*)?(\d+):(\d{1,2}):(\d{1,2})", s)
    if m:
        days = int(m.group(1) or 0)
        return days * 86400 + int(m.group(2)) * 3600 + int(m.group(3)) * 60 + int(m.group(4))
    total = 0
    pos = 0
    for mm in _DUR_RE.finditer(s):
        if mm.start() != pos:
            raise ValueError(text)
        pos = mm.end()
        unit = mm.group(2)
        if unit in ("ms", "us"):
            continue
        total += int(mm.group(1)) * _DUR_UNITS[unit]
    if pos != len(s):
        raise ValueError(text)
    return total


def format_duration(seconds):
    seconds = int(seconds)
    if seconds <= 0:
        return "0s"
    out = []
    for unit in ("w", "d", "h", "m", "s"):
        n, seconds = divmod(seconds, _DUR_UNITS[unit])
        if n:
            out.append("%d%s" % (n, unit))
    return "".join(out)


def parse_bool(text):
    t = text.strip().lower()
    if t in ("yes", "true"):
        return "true"
    if t in ("no", "false"):
        return "false"
    raise ValueError(text)


def parse_mac(text):
    parts = re.split(r"[:\-]", text.strip())
    if len(parts) != 6 or not all(re.fullmatch(r"[0-9A-Fa-f]{1,2}", p) for p in parts):
        raise ValueError(text)
    return ":".join(p.upper().zfill(2) for p in parts)


def parse_rate(text):
    """'2M' -> '2000000'; '512k' -> '512000'."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)([kKmMgG]?)\s*", text)
    if not m:
        raise ValueError(text)
    mult = {"": 1, "k": 1000, "m": 1000000, "g": 1000000000}[m.group(2).lower()]
    return str(int(float(m.group(1)) * mult))


def parse_rate_pair(text):
    parts = text.split("/")
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2:
        raise ValueError(text)
    return "/".join(parse_rate(p) for p in parts)


def parse_target(text):
    out = []
    for t in text.split(","):
        t = t.strip()
        if not t:
            continue
        if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", t):
            t += "/32"
        out.append(t)
    return ",".join(out)


def id_str(n):
    return "*%X" % n


# ---------------------------------------------------------------- menus

class F:
    """One property of a menu item."""

    def __init__(self, name, kind="str", default=None, ro=False, choices=None, ref=None):
        self.name = name
        self.kind = kind          # str bool dur int mac enum ref rate2 target
        self.default = default    # None: omitted from print until set
        self.ro = ro              # read-only through the API
        self.choices = choices
        self.ref = ref            # menu path whose names this must match

    def normalise(self, router, value):
        k = self.kind
        try:
            if k == "bool":
                return parse_bool(value)
            if k == "dur":
                if value.strip() in ("none", "unlimited"):
                    return value.strip()
                return format_duration(parse_duration(value))
            if k == "int":
                if not re.fullmatch(r"\d+", value.strip()):
                    raise ValueError(value)
                return str(int(value))
            if k == "mac":
                return parse_mac(value)
            if k == "rate2":
                return parse_rate_pair(value)
            if k == "target":
                return parse_target(value)
        except ValueError:
            if k == "bool":
                raise Trap("value of %s must be yes or no" % self.name, 1)
            if k == "dur":
                raise Trap("invalid time value for argument %s" % self.name, 1)
            if k == "mac":
                raise Trap("invalid value of %s, mac address required" % self.name, 1)
            raise Trap("invalid value for argument %s" % self.name, 1)
        if k == "enum" and value not in self.choices:
            raise Trap("input does not match any value of %s" % self.name, 1)
        if k == "ref":
            menu = router.menus[self.ref]
            if not any(it.get("name") == value for it in menu.items):
                raise Trap("input does not match any value of %s" % self.name, 1)
        return value


class MenuSpec:
    def __init__(self, path, fields, key="name", dup=None, api_add=True,
                 api_set=True, singleton=False, toggle=True, auto_name=None,
                 dynamic_uptime=False):
        self.path = path
        self.fields = fields
        self.by_name = {f.name: f for f in fields}
        self.key = key
        self.dup = dup
        self.api_add = api_add
        self.api_set = api_set
        self.singleton = singleton
        self.toggle = toggle and "disabled" in self.by_name
        self.auto_name = auto_name
        self.dynamic_uptime = dynamic_uptime


def _counters(*names):
    return [F(n, "int", "0", ro=True) for n in names]


def build_specs(kind):
    v7 = kind == "v7"
    never = "1970-01-01 00:00:00" if v7 else "jan/01/1970 00:00:00"
    specs = [
        MenuSpec("/ip/hotspot/user", [
            F("server", "enum", "all", choices=("all", "hotspot1")),
            F("name"), F("password"),
            F("profile", "ref", "default", ref="/ip/hotspot/user/profile"),
            F("mac-address", "mac"), F("address"), F("email"), F("routes"),
            F("limit-uptime", "dur"), F("limit-bytes-in", "int"),
            F("limit-bytes-out", "int"), F("limit-bytes-total", "int"),
            F("uptime", "dur", "0s", ro=True)]
            + _counters("bytes-in", "bytes-out", "packets-in", "packets-out") + [
            F("dynamic", "bool", "false", ro=True),
            F("disabled", "bool", "false"), F("comment")],
            dup="failure: already have user with this name for this server"),
        MenuSpec("/ip/hotspot/user/profile", [
            F("name"), F("idle-timeout", "dur", "none"),
            F("keepalive-timeout", "dur", "2m"), F("status-autorefresh", "dur", "1m"),
            F("shared-users", "str", "1"), F("rate-limit"),
            F("add-mac-cookie", "bool", "true"), F("mac-cookie-timeout", "dur", "3d"),
            F("address-list", "str", ""), F("address-pool", "str", "none"),
            F("transparent-proxy", "bool", "false"), F("on-login"), F("on-logout"),
            F("default", "bool", "false", ro=True)],
            dup="failure: already have profile with such name", toggle=False),
        MenuSpec("/ip/hotspot/active", [
            F("server", "str", "hotspot1"), F("user"), F("domain"), F("address"),
            F("mac-address", "mac"), F("login-by", "str", "http-chap"),
            F("uptime", "dur", "0s"), F("idle-time", "dur", "0s"),
            F("session-time-left", "dur"), F("idle-timeout", "dur"),
            F("keepalive-timeout", "dur", "2m")]
            + [F(n, "int", "0") for n in ("bytes-in", "bytes-out", "packets-in", "packets-out")]
            + [F("radius", "bool", "false")],
            key=None, api_add=False, api_set=False, dynamic_uptime=True),
        MenuSpec("/ppp/secret", [
            F("name"),
            F("service", "enum", "any",
              choices=("any", "async", "l2tp", "ovpn", "pppoe", "pptp", "sstp")),
            F("caller-id", "str", ""), F("password", "str", ""),
            F("profile", "ref", "default", ref="/ppp/profile"),
            F("local-address"), F("remote-address"),
            F("routes", "str", ""), F("ipv6-routes", "str", ""),
            F("limit-bytes-in", "int", "0"), F("limit-bytes-out", "int", "0"),
            F("last-logged-out", "str", never, ro=True),
            F("last-caller-id", ro=True), F("last-disconnect-reason", ro=True),
            F("disabled", "bool", "false"), F("comment")],
            dup="failure: secret with the same name already exists"),
        MenuSpec("/ppp/profile", [
            F("name"), F("local-address"), F("remote-address"),
            F("bridge-learning", "str", "default"), F("use-mpls", "str", "default"),
            F("use-compression", "str", "default"), F("use-encryption", "str", "default"),
            F("only-one", "str", "default"), F("change-tcp-mss", "str", "default"),
            F("use-upnp", "str", "default"), F("address-list", "str", ""),
            F("dns-server"), F("rate-limit"), F("on-up", "str", ""), F("on-down", "str", ""),
            F("comment"), F("default", "bool", "false", ro=True)],
            dup="failure: profile with the same name already exists", toggle=False),
        MenuSpec("/ppp/active", [
            F("name"), F("service", "str", "pppoe"), F("caller-id", "str", ""),
            F("encoding", "str", ""), F("address"), F("uptime", "dur", "0s"),
            F("limit-bytes-in", "int", "0"), F("limit-bytes-out", "int", "0"),
            F("radius", "bool", "false"), F("session-id")],
            key=None, api_add=False, api_set=False, dynamic_uptime=True),
        MenuSpec("/interface", [
            F("name"), F("default-name", ro=True),
            F("type", "str", "ether", ro=True), F("mtu", "int", "1500"),
            F("actual-mtu", "int", "1500", ro=True), F("l2mtu", ro=True),
            F("mac-address", "mac", ro=True), F("last-link-up-time", ro=True),
            F("link-downs", "int", "0", ro=True)]
            + _counters("rx-byte", "tx-byte", "rx-packet", "tx-packet", "rx-drop",
                        "tx-drop", "tx-queue-drop", "rx-error", "tx-error", "fp-rx-byte",
                        "fp-tx-byte", "fp-rx-packet", "fp-tx-packet") + [
            F("running", "bool", "true", ro=True), F("slave", "bool", "false", ro=True),
            F("dynamic", "bool", "false", ro=True),
            F("disabled", "bool", "false"), F("comment")],
            dup="failure: already have interface with such name", api_add=False),
        MenuSpec("/queue/simple", [
            F("name"), F("target", "target", ""), F("parent", "str", "none"),
            F("packet-marks", "str", ""), F("priority", "str", "8/8"),
            F("queue", "str", "default-small/default-small"),
            F("limit-at", "rate2", "0/0"), F("max-limit", "rate2", "0/0"),
            F("burst-limit", "rate2", "0/0"), F("burst-threshold", "rate2", "0/0"),
            F("burst-time", "str", "0s/0s"), F("bucket-size", "str", "0.1/0.1"),
            F("bytes", "str", "0/0", ro=True), F("total-bytes", "int", "0", ro=True),
            F("packets", "str", "0/0", ro=True), F("total-packets", "int", "0", ro=True),
            F("dropped", "str", "0/0", ro=True), F("rate", "str", "0/0", ro=True),
            F("packet-rate", "str", "0/0", ro=True),
            F("invalid", "bool", "false", ro=True), F("dynamic", "bool", "false", ro=True),
            F("disabled", "bool", "false"), F("comment")],
            dup="failure: already have queue with such name", auto_name="queue"),
        MenuSpec("/system/resource", [
            F("uptime", "dur", "0s", ro=True), F("version", ro=True),
            F("build-time", ro=True), F("factory-software", ro=True),
            F("free-memory", "int", ro=True), F("total-memory", "int", ro=True),
            F("cpu", ro=True), F("cpu-count", "int", ro=True),
            F("cpu-frequency", "int", ro=True), F("cpu-load", "int", ro=True),
            F("free-hdd-space", "int", ro=True), F("total-hdd-space", "int", ro=True),
            F("write-sect-since-reboot", "int", ro=True),
            F("write-sect-total", "int", ro=True), F("bad-blocks", ro=True),
            F("architecture-name", ro=True), F("board-name", ro=True),
            F("platform", ro=True)],
            key=None, singleton=True, api_set=False, dynamic_uptime=True),
        MenuSpec("/system/identity", [F("name")], key=None, singleton=True),
    ]
    return {s.path: s for s in specs}


class Menu:
    def __init__(self, spec):
        self.spec = spec
        self.items = []
        self.next_id = 1

    def new_id(self):
        i = self.next_id
        self.next_id += 1
        return id_str(i)

    def find(self, ref):
        for it in self.items:
            if it[".id"] == ref:
                return it
        if self.spec.key:
            for it in self.items:
                if it.get(self.spec.key) == ref:
                    return it
        return None


# ---------------------------------------------------------------- sessions

class Session:
    """Per-connection login state."""

    def __init__(self):
        self.logged_in = False
        self.challenge = None
        self.user = None


class Reply:
    """Sentences to send for one command; close=True closes afterwards."""

    def __init__(self, sentences, close=False):
        self.sentences = sentences
        self.close = close


def trap(message, category=None):
    words = ["!trap"]
    if category is not None:
        words.append("=category=%s" % category)
    words.append("=message=%s" % message)
    return words


def parse_command(sentence):
    """-> (command, attrs dict, api dict, queries list)."""
    cmd = sentence[0]
    attrs = {}
    api = {}
    queries = []
    for w in sentence[1:]:
        if w.startswith("="):
            name, sep, value = w[1:].partition("=")
            if name.startswith("."):
                api[name[1:]] = value
                if name == ".id":
                    attrs[".id"] = value
            else:
                attrs[name] = value
        elif w.startswith("."):
            name, _, value = w[1:].partition("=")
            api[name] = value
        elif w.startswith("?"):
            queries.append(w[1:])
    return cmd, attrs, api, queries


# ---------------------------------------------------------------- streams

class Stream:
    """A command that keeps answering: the connection calls step() at
    next_at (monotonic seconds) until it reports it is finished."""

    command = None

    def __init__(self, interval):
        self.interval = interval
        self.next_at = time.monotonic()
        self.wake = None           # set by the connection: wakes its loop

    def step(self):
        raise NotImplementedError

    def kick(self):
        """Run step() now (the connection thread does it)."""
        self.next_at = time.monotonic()
        if self.wake is not None:
            self.wake()


class PingStream(Stream):
    command = "/ping"

    def __init__(self, router, address, count, interval, size):
        Stream.__init__(self, interval)
        self.router = router
        self.address = address
        self.count = count
        self.size = size
        self.seq = 0
        self.sent = 0
        self.received = 0
        self.rtts = []

    def step(self):
        r = self.router
        cfg = r.ping_behaviour(self.address)
        self.sent += 1
        words = ["!re", "=seq=%d" % self.seq, "=host=%s" % self.address]
        if cfg.get("timeout"):
            words.append("=status=timeout")
        else:
            t = float(cfg.get("time_ms", 1))
            self.received += 1
            self.rtts.append(t)
            words += ["=size=%d" % self.size, "=ttl=%d" % int(cfg.get("ttl", 64)),
                      "=time=%s" % r.fmt_ms(t)]
        loss = 100 * (self.sent - self.received) // self.sent
        words += ["=sent=%d" % self.sent, "=received=%d" % self.received,
                  "=packet-loss=%d" % loss]
        if self.rtts:
            words += ["=min-rtt=%s" % r.fmt_ms(min(self.rtts)),
                      "=avg-rtt=%s" % r.fmt_ms(sum(self.rtts) / len(self.rtts)),
                      "=max-rtt=%s" % r.fmt_ms(max(self.rtts))]
        self.seq += 1
        out = [words]
        done = bool(self.count) and self.seq >= self.count
        if done:
            out.append(["!done"])
        return out, done


class MonitorStream(Stream):
    command = "/interface/monitor-traffic"

    def __init__(self, router, names, interval, once, duration, items):
        Stream.__init__(self, interval)
        self.router = router
        self.names = names
        self.items = items         # the /interface items monitored (not aggregate)
        self.once = once
        self.until = time.monotonic() + duration if duration else None

    def watches(self, item):
        return any(it is item for it in self.items)

    def step(self):
        ifs = self.router.menus["/interface"].items
        if any(not any(it is x for x in ifs) for it in self.items):
            # a dynamic interface (a PPPoE session's) went away under us
            return [trap(IFACE_GONE), ["!done"]], True
        out = [self.router.monitor_words(n) for n in self.names]
        done = self.once or (self.until is not None and time.monotonic() + self.interval > self.until)
        if done:
            out.append(["!done"])
        return out, done


# ---------------------------------------------------------------- router

# What a monitor-traffic ends with when its interface disappears (a PPPoE
# session ends).  Not confirmed against a real router; see README.md.
IFACE_GONE = "no such item"

# Counters that move with the rates set on the control API:
# {counter: (rate key, divisor)}; bps / 8 = bytes per second.
IFACE_MOVING = {"rx-byte": ("rx_bps", 8), "tx-byte": ("tx_bps", 8),
                "rx-packet": ("rx_pps", 1), "tx-packet": ("tx_pps", 1)}
HOTSPOT_MOVING = {"bytes-in": ("rx_bps", 8), "bytes-out": ("tx_bps", 8),
                  "packets-in": ("rx_pps", 1), "packets-out": ("tx_pps", 1)}

STREAM_COUNTS = ("started", "cancelled", "finished", "dropped")

RATE_KEYS = ("rx_bps", "tx_bps", "rx_pps", "tx_pps")

FAULT_KEYS = ("delay_ms", "drop_after_words", "split", "refuse_login", "offline",
              "blackhole", "close_on_accept", "fatal", "trap")


class Router:
    def __init__(self, name, kind="v6", version=None, user="admin", password="simpass"):
        if kind not in ("v6", "v7", "legacy"):
            raise ValueError("router kind must be v6, v7 or legacy")
        self.name = name
        self.kind = kind
        self.version = version or {"v6": V6_VERSION, "v7": V7_VERSION,
                                   "legacy": LEGACY_VERSION}[kind]
        self.initial_user = user
        self.initial_password = password
        self.lock = threading.RLock()
        self.log = []
        self.reset()

    # ---- state

    def reset(self):
        with self.lock:
            self.user = self.initial_user
            self.password = self.initial_password
            self.specs = build_specs(self.kind)
            self.menus = {p: Menu(s) for p, s in self.specs.items()}
            self.traffic = {}
            self.pings = {}
            self.settings = {"ping_interval_ms": 1000, "monitor_interval_ms": 1000}
            self.faults = {}
            self.log = []
            self.streams = {}      # Stream -> {"conn", "tag", "command", "args"}
            self.stream_counts = dict.fromkeys(STREAM_COUNTS, 0)
            self.booted = time.monotonic()
            self._seed()

    def version_tuple(self):
        m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", self.version)
        return tuple(int(x or 0) for x in m.groups()) if m else (0, 0, 0)

    def has_empty(self):
        return self.version_tuple() >= (7, 18, 0)

    def _put(self, path, values, fixed_id=None):
        menu = self.menus[path]
        item = {".id": fixed_id or menu.new_id()}
        for f in menu.spec.fields:
            if f.default is not None:
                item[f.name] = f.default
        item.update(values)
        if menu.spec.dynamic_uptime:
            item["_up0"] = parse_duration(item.get("uptime", "0s"))
            item["_t0"] = time.monotonic()
        menu.items.append(item)
        return item

    def _seed(self):
        self._put("/ip/hotspot/user/profile", {"name": "default", "default": "true"}, "*0")
        self._put("/ppp/profile", {"name": "default", "default": "true"}, "*0")
        self._put("/ppp/profile", {"name": "default-encryption", "default": "true",
                                   "use-encryption": "yes"}, "*FFFFFFFE")
        for i in range(1, 6):
            self._put("/interface", {
                "name": "ether%d" % i, "default-name": "ether%d" % i,
                "l2mtu": "1598", "mac-address": "4C:5E:0C:00:00:%02X" % i,
                "last-link-up-time": "jan/01/1970 00:00:05" if self.kind != "v7"
                else "1970-01-01 00:00:05",
                "running": "true" if i == 1 else "false"})
        v7 = self.kind == "v7"
        self._put("/system/resource", {
            "uptime": "1w2d3h4m5s", "version": self.version,
            "build-time": "2025-06-11 09:41:02" if v7 else "Sep/20/2023 07:30:15",
            "factory-software": "6.44.6", "free-memory": "201326592",
            "total-memory": "268435456", "cpu": "MIPS 1004Kc V2.15",
            "cpu-count": "4", "cpu-frequency": "880", "cpu-load": "3",
            "free-hdd-space": "4009984", "total-hdd-space": "16777216",
            "write-sect-since-reboot": "512", "write-sect-total": "102400",
            "bad-blocks": "0", "architecture-name": "mmips",
            "board-name": "hEX", "platform": "MikroTik"}, "*0")
        self._put("/system/identity", {"name": self.name}, "*0")

    # ---- output

    def fmt_ms(self, t):
        if self.kind == "v7" and t != int(t):
            ms = int(t)
            return "%dms%dus" % (ms, int(round((t - ms) * 1000)))
        return "%dms" % int(round(t))

    def item_view(self, menu, item):
        """Ordered (key, value) pairs as print shows them."""
        out = []
        if not menu.spec.singleton:
            out.append((".id", item[".id"]))
        for f in menu.spec.fields:
            if f.name == "uptime" and menu.spec.dynamic_uptime:
                v = format_duration(item["_up0"] + time.monotonic() - item["_t0"])
            else:
                v = self._moving(item, f.name)
            if v is not None:
                out.append((f.name, v))
        return out

    # ---- counters that move with a rate: item["_mv"] = (t0, {counter: per second});
    # the stored value is the counter at t0.

    def _moving(self, item, name):
        v = item.get(name)
        mv = item.get("_mv")
        if mv is None or v is None or name not in mv[1]:
            return v
        return str(int(v) + int(mv[1][name] * (time.monotonic() - mv[0])))

    def _settle(self, item):
        """Fold the movement so far into the stored counters (before a
        counter or a rate changes)."""
        mv = item.get("_mv")
        if mv is None:
            return
        now = time.monotonic()
        for name in mv[1]:
            item[name] = self._moving(item, name)
        item["_mv"] = (now, mv[1])

    def _set_rates(self, item, table, rates):
        """rates {"rx_bps": N, ...} -> the counters of table move from now."""
        self._settle(item)
        per_s = {}
        for counter, (key, div) in table.items():
            if rates.get(key):
                per_s[counter] = float(rates[key]) / div
        if per_s:
            item["_mv"] = (time.monotonic(), per_s)
        else:
            item.pop("_mv", None)

    # ---- streaming commands running on the connections

    def stream_started(self, stream, conn_id, tag, attrs):
        with self.lock:
            self.streams[stream] = {"conn": conn_id, "tag": tag, "command": stream.command,
                                    "args": {k: v for k, v in attrs.items() if k != ".id"}}
            self.stream_counts["started"] += 1

    def stream_ended(self, stream, how):
        """how: cancelled (by /cancel), finished (by itself), dropped (its
        connection closed).  Not counted after a reset forgot it."""
        with self.lock:
            stream.wake = None
            if self.streams.pop(stream, None) is not None:
                self.stream_counts[how] += 1

    def ctl_streams(self, zero=False):
        with self.lock:
            out = {"running": [dict(v) for v in self.streams.values()]}
            out.update(self.stream_counts)
            if zero:
                self.stream_counts = dict.fromkeys(STREAM_COUNTS, 0)
            return out

    def monitor_words(self, name):
        t = self.traffic.get(name, {})
        w = ["!re", "=name=%s" % name]
        for d in ("rx", "tx"):
            w += ["=%s-packets-per-second=%d" % (d, int(t.get(d + "_pps", 0))),
                  "=%s-bits-per-second=%d" % (d, int(t.get(d + "_bps", 0))),
                  "=fp-%s-packets-per-second=0" % d, "=fp-%s-bits-per-second=0" % d,
                  "=%s-drops-per-second=0" % d, "=%s-errors-per-second=0" % d]
            if d == "tx":
                w.insert(-2, "=tx-queue-drops-per-second=0")
        return w

    def ping_behaviour(self, address):
        with self.lock:
            return dict(self.pings.get(address) or self.pings.get("*") or {"time_ms": 1})

    # ---- queries

    def _cmp_key(self, field, a, b):
        if field is not None and field.kind == "dur":
            try:
                return parse_duration(a), parse_duration(b)
            except ValueError:
                pass
        if re.fullmatch(r"-?\d+", a or "") and re.fullmatch(r"-?\d+", b or ""):
            return int(a), int(b)
        return a, b

    def match(self, menu, view, queries):
        props = dict(view)
        stack = []
        for q in queries:
            if q.startswith("#"):
                for op in q[1:]:
                    if op == "!":
                        if not stack:
                            raise Trap("invalid query", 1)
                        stack.append(not stack.pop())
                    elif op in "|&":
                        if len(stack) < 2:
                            raise Trap("invalid query", 1)
                        b, a = stack.pop(), stack.pop()
                        stack.append((a or b) if op == "|" else (a and b))
                    elif op == ".":
                        if not stack:
                            raise Trap("invalid query", 1)
                        stack.append(stack[-1])
                    elif op.isdigit():
                        idx = int(op)
                        if idx >= len(stack):
                            raise Trap("invalid query", 1)
                        stack.append(stack[idx])
                    else:
                        raise Trap("invalid query", 1)
                continue
            if q.startswith("-"):
                stack.append(q[1:] not in props)
                continue
            op = "="
            if q[:1] in ("<", ">", "="):      # ?<name=x ?>name=x ?=name=x
                op, q = q[0], q[1:]
            name, sep, value = q.partition("=")
            if not sep:
                stack.append(name in props if op == "=" else False)
                continue
            field = menu.spec.by_name.get(name)
            if field is not None and field.kind == "bool":
                try:
                    value = parse_bool(value)
                except ValueError:
                    pass
            have = props.get(name)
            if op == "=":
                stack.append((have if have is not None else "") == value)
            elif have is None:
                stack.append(False)
            else:
                a, b = self._cmp_key(field, have, value)
                try:
                    stack.append(a < b if op == "<" else a > b)
                except TypeError:
                    stack.append(False)
        return all(stack)

    # ---- command dispatch

    def record(self, sentence, conn_id):
        """Add a received sentence to the command log."""
        with self.lock:
            self.log.append({"conn": conn_id, "t": round(time.time(), 3),
                             "words": list(sentence)})

    def handle(self, sentence, session):
        """Run one command sentence.  Returns a Reply or a Stream."""
        with self.lock:
            cmd, attrs, api, queries = parse_command(sentence)
            fatal = self.faults.get("fatal")
            if fatal:
                self.faults.pop("fatal", None)
                reason = fatal if isinstance(fatal, str) else FATAL_QUIT
                return Reply([["!fatal", reason]], close=True)
            if cmd == "/quit":
                return Reply([["!fatal", FATAL_QUIT]], close=True)
            try:
                if cmd == "/login":
                    return self.login(attrs, session)
                if not session.logged_in:
                    raise Trap("not logged in")
                self._injected_trap(cmd)
                return self.dispatch(cmd, attrs, api, queries)
            except _DoubleTrap as t:
                return unknown_menu_reply(t.word)
            except Trap as t:
                return Reply([trap(t.message, t.category), ["!done"]])

    def _injected_trap(self, cmd):
        spec = self.faults.get("trap")
        if not spec or spec.get("command") not in (None, cmd):
            return
        n = spec.get("count")
        if n is not None:
            if n <= 0:
                return
            spec["count"] = n - 1
        raise Trap(spec.get("message", "failure: simulated failure"), spec.get("category"))

    def login(self, attrs, session):
        refuse = self.faults.get("refuse_login")
        if self.kind == "legacy":
            if "response" in attrs:
                ok = False
                resp = attrs["response"]
                if session.challenge and not refuse and attrs.get("name") == self.user:
                    digest = hashlib.md5(b"\x00" + self.password.encode("utf-8", "surrogateescape")
                                         + session.challenge).hexdigest()
                    ok = resp.lower() == "00" + digest
                session.challenge = None
                if not ok:
                    raise Trap(BAD_LOGIN_LEGACY)
                session.logged_in = True
                session.user = self.user
                return Reply([["!done"]])
            session.challenge = os.urandom(16)
            return Reply([["!done", "=ret=%s" % session.challenge.hex()]])
        if "name" not in attrs or "password" not in attrs or refuse \
                or attrs["name"] != self.user or attrs["password"] != self.password:
            raise Trap(BAD_LOGIN)
        session.logged_in = True
        session.user = self.user
        return Reply([["!done"]])

    def dispatch(self, cmd, attrs, api, queries):
        if cmd == "/ping":
            return self.ping(attrs)
        if cmd == "/interface/monitor-traffic":
            return self.monitor(attrs, api)
        path, _, verb = cmd.rpartition("/")
        menu = self.menus.get(path)
        if menu is None or not verb:
            self._no_such(cmd)
        spec = menu.spec
        if verb in ("print", "getall"):
            return self.print_(menu, attrs, api, queries)
        if verb == "get":
            return self.get(menu, attrs)
        if verb == "add" and spec.api_add and not spec.singleton:
            return Reply([["!done", "=ret=%s" % self.add(menu, attrs)]])
        if verb == "set" and spec.api_set:
            self.set_(menu, attrs)
            return Reply([["!done"]])
        if verb == "remove" and not spec.singleton:
            self.remove(menu, attrs)
            return Reply([["!done"]])
        if verb in ("enable", "disable") and spec.toggle:
            v = "false" if verb == "enable" else "true"
            for it in self.targets(menu, attrs):
                it["disabled"] = v
            return Reply([["!done"]])
        if verb == "reset-counters" and path == "/ip/hotspot/user":
            for it in self.targets(menu, attrs):
                for k in ("uptime",):
                    it[k] = "0s"
                for k in ("bytes-in", "bytes-out", "packets-in", "packets-out"):
                    it[k] = "0"
            return Reply([["!done"]])
        raise Trap("no such command", 0)

    def _no_such(self, cmd):
        """Unknown command in a known directory: one trap; a path through an
        unknown directory: the two traps RouterOS answers."""
        parts = [p for p in cmd.split("/") if p]
        dirs = set()
        for p in self.menus:
            segs = [s for s in p.split("/") if s]
            for i in range(1, len(segs) + 1):
                dirs.add(tuple(segs[:i]))
        for i, word in enumerate(parts):
            if tuple(parts[:i + 1]) in dirs:
                continue
            if 0 < i == len(parts) - 1:
                break
            raise _DoubleTrap(word)
        raise Trap("no such command", 0)

    # ---- generic menu commands

    def targets(self, menu, attrs, required=True):
        if menu.spec.singleton:
            return list(menu.items)
        ref = attrs.get(".id", attrs.get("numbers"))
        if ref is None:
            if required:
                raise Trap("missing value(s) of argument(s) numbers", 1)
            return []
        out = []
        for r in ref.split(","):
            r = r.strip()
            it = menu.find(r)
            if it is None:
                raise Trap("no such item", 1)
            if it not in out:
                out.append(it)
        return out

    def print_(self, menu, attrs, api, queries):
        proplist = api.get("proplist", attrs.get(".proplist"))
        rows = []
        for it in menu.items:
            view = self.item_view(menu, it)
            if queries and not self.match(menu, view, queries):
                continue
            rows.append(view)
        if "count-only" in attrs:
            return Reply([["!done", "=ret=%d" % len(rows)]])
        out = []
        keep = None
        if proplist:
            keep = [p for p in proplist.split(",") if p]
        for view in rows:
            words = ["!re"]
            for k, v in view:
                if keep is None or k in keep:
                    words.append("=%s=%s" % (k, v))
            out.append(words)
        if not out and self.has_empty():
            out.append(["!empty"])
        out.append(["!done"])
        return Reply(out)

    def get(self, menu, attrs):
        name = attrs.get("value-name")
        if name is None:
            raise Trap("missing value(s) of argument(s) value-name", 1)
        its = self.targets(menu, attrs)
        if len(its) != 1:
            raise Trap("no such item", 1)
        view = dict(self.item_view(menu, its[0]))
        if name not in view:
            if name in menu.spec.by_name:
                return Reply([["!done"]])
            raise Trap("no such property", 1)
        return Reply([["!done", "=ret=%s" % view[name]]])

    def _apply(self, menu, item, values, control=False):
        spec = menu.spec
        staged = {}
        for k, v in values.items():
            if k in (".id", "numbers"):
                continue
            f = spec.by_name.get(k)
            if f is None or (f.ro and not control):
                raise Trap("unknown parameter %s" % k, 1)
            if v == "" and f.default is None:
                staged[k] = None          # an empty value unsets the property
                continue
            staged[k] = f.normalise(self, v)
            if f.name == "uptime" and spec.dynamic_uptime:
                staged["_up0"] = parse_duration(staged[k])
                staged["_t0"] = time.monotonic()
        key = spec.key
        if key and key in staged:
            new = staged[key]
            if not new:
                raise Trap("failure: %s not specified" % key, 1)
            for other in menu.items:
                if other is item or other.get(key) != new:
                    continue
                if menu.spec.path == "/ip/hotspot/user":
                    s1 = staged.get("server", item.get("server") if item else "all")
                    s2 = other.get("server", "all")
                    if "all" not in (s1, s2) and s1 != s2:
                        continue
                raise Trap(spec.dup or "failure: already have such item", 1)
        return staged

    def add(self, menu, attrs, control=False):
        spec = menu.spec
        values = dict(attrs)
        if spec.key and not values.get(spec.key):
            if spec.auto_name:
                n = 1
                names = {it.get(spec.key) for it in menu.items}
                while "%s%d" % (spec.auto_name, n) in names:
                    n += 1
                values[spec.key] = "%s%d" % (spec.auto_name, n)
            elif not control:
                raise Trap("failure: %s not specified" % spec.key, 1)
        staged = self._apply(menu, None, values, control)
        item = self._put(spec.path, {k: v for k, v in staged.items() if v is not None
                                     and not k.startswith("_")})
        item.update({k: v for k, v in staged.items() if k.startswith("_")})
        if spec.path == "/ppp/active" and item.get("service") == "pppoe":
            self._put("/interface", {
                "name": "<pppoe-%s>" % item.get("name", ""), "type": "pppoe-in",
                "mtu": "1480", "actual-mtu": "1480", "dynamic": "true",
                "_ppp": item[".id"]})
        return item[".id"]

    def set_(self, menu, attrs, control=False):
        its = self.targets(menu, attrs)
        for it in its:
            self._settle(it)
            staged = self._apply(menu, it, attrs, control)
            for k, v in staged.items():
                if v is None:
                    it.pop(k, None)
                else:
                    it[k] = v

    def remove(self, menu, attrs):
        for it in self.targets(menu, attrs):
            self._drop(menu, it)

    def _drop(self, menu, it):
        if it in menu.items:
            menu.items.remove(it)
        if menu.spec.path == "/ppp/active":
            ifs = self.menus["/interface"]
            for x in list(ifs.items):
                if x.get("_ppp") == it[".id"]:
                    ifs.items.remove(x)
                    self.traffic.pop(x.get("name"), None)
                    for s in self.streams:
                        if isinstance(s, MonitorStream) and s.watches(x):
                            s.kick()

    # ---- streaming commands

    def _interval(self, attrs, setting):
        if "interval" in attrs:
            v = attrs["interval"].strip()
            try:
                if v.endswith("ms"):
                    return max(0.001, float(v[:-2]) / 1000.0)
                if re.fullmatch(r"\d+(\.\d+)?", v):
                    return max(0.001, float(v))
                return max(0.001, float(parse_duration(v)))
            except ValueError:
                raise Trap("invalid time value for argument interval", 1)
        return self.settings[setting] / 1000.0

    def ping(self, attrs):
        addr = attrs.get("address", "").strip()
        if not addr:
            raise Trap("missing value(s) of argument(s) address", 1)
        count = 0
        if "count" in attrs:
            if not attrs["count"].isdigit():
                raise Trap("invalid value for argument count", 1)
            count = int(attrs["count"])
        size = int(attrs["size"]) if attrs.get("size", "").isdigit() else 56
        return PingStream(self, addr, count, self._interval(attrs, "ping_interval_ms"), size)

    def monitor(self, attrs, api):
        names = [n for n in attrs.get("interface", "").split(",") if n]
        if not names:
            raise Trap("missing value(s) of argument(s) interface", 1)
        ifs = self.menus["/interface"]
        items = []
        for n in names:
            if n == "aggregate":
                continue
            it = ifs.find(n)
            if it is None:
                raise Trap("input does not match any value of interface", 1)
            items.append(it)
        once = "once" in attrs and attrs["once"].lower() not in ("no", "false")
        duration = 0
        if attrs.get("duration"):
            try:
                duration = parse_duration(attrs["duration"])
            except ValueError:
                raise Trap("invalid time value for argument duration", 1)
        return MonitorStream(self, names, self._interval(attrs, "monitor_interval_ms"),
                             once, duration, items)

    # ---- control-API helpers (no API restrictions)

    def ctl_items(self, path):
        with self.lock:
            menu = self._menu(path)
            return [dict(self.item_view(menu, it)) for it in menu.items]

    def _menu(self, path):
        menu = self.menus.get(path)
        if menu is None:
            raise KeyError("no such menu %s" % path)
        return menu

    def ctl_add(self, path, values):
        with self.lock:
            menu = self._menu(path)
            if menu.spec.singleton:
                raise Trap("menu holds a single item: set it instead")
            return self.add(menu, values, control=True)

    def ctl_set(self, path, ref, values):
        with self.lock:
            menu = self._menu(path)
            attrs = dict(values)
            if not menu.spec.singleton:
                attrs[".id"] = ref
            self.set_(menu, attrs, control=True)

    def ctl_remove(self, path, ref=None):
        with self.lock:
            menu = self._menu(path)
            if ref is None:
                for it in list(menu.items):
                    self._drop(menu, it)
                return
            self.remove(menu, {".id": ref})

    def set_traffic(self, iface, values):
        with self.lock:
            ifs = self.menus["/interface"]
            it = ifs.find(iface)
            if it is None:
                raise KeyError("no such interface %s" % iface)
            bad = [k for k in values if k != "interface" and k not in RATE_KEYS
                   and k.replace("_", "-") not in ifs.spec.by_name]
            if bad:
                raise KeyError("unknown traffic key %s" % ", ".join(bad))
            self._settle(it)
            t = self.traffic.setdefault(it["name"], {})
            for k, v in values.items():
                if k in RATE_KEYS:
                    t[k] = int(v)
                elif k != "interface":
                    it[k.replace("_", "-")] = str(int(v))
            self._set_rates(it, IFACE_MOVING, t)

    def set_hotspot_rate(self, user, values):
        """Rates of the /ip/hotspot/active sessions of user: bytes-in moves
        with rx_bps / 8, bytes-out with tx_bps / 8, packets-in/out with
        rx_pps/tx_pps (any subset; the others keep theirs)."""
        bad = [k for k in values if k != "user" and k not in RATE_KEYS]
        if bad:
            raise ValueError("unknown rate key %s" % ", ".join(bad))
        with self.lock:
            its = [it for it in self.menus["/ip/hotspot/active"].items
                   if it.get("user") == user]
            if not its:
                raise KeyError("no active hotspot session of user %s" % user)
            for it in its:
                rates = it.setdefault("_rates", {})
                rates.update({k: int(v) for k, v in values.items() if k in RATE_KEYS})
                self._set_rates(it, HOTSPOT_MOVING, rates)
            return [dict(it["_rates"], id=it[".id"]) for it in its]


class _DoubleTrap(Trap):
    """An unknown menu: RouterOS answers two traps."""

    def __init__(self, word):
        Trap.__init__(self, "no such command prefix")
        self.word = word


def unknown_menu_reply(word):
    return Reply([trap("no such command or directory (%s)" % word, 0),
                  trap("no such command prefix"), ["!done"]])
