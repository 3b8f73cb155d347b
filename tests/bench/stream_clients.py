#!/usr/bin/python3
"""stream_clients.py - the load of `scripts/bench streams`: N WebSocket
subscribers held open at once by one asyncio process (Debian's
python3-websockets), each counting the frames it gets.

After every subscriber has had its first frame (the warm-up), frames are
counted for SECONDS; meanwhile the daemon's CPU time (/proc/PID/stat utime +
stime) is read at both ends of that window, the simulator's running commands
(GET /routers/NAME/streams) half way through, and the daemon's memory
(VmHWM, VmRSS of /proc/PID/status) at the end.  One JSON object on stdout.

    stream_clients.py --url URL [--url URL ...] --count 500 --seconds 60 \
        --header 'X-Client-Key: K' --pid PID --sim http://127.0.0.1:P \
        --router r1 --router r2 [--interval-ms 1000]

Subscriber i takes the i-th URL modulo their number.
"""

import argparse
import asyncio
import json
import os
import sys
import time
import urllib.request

import websockets


def cpu_ticks(pid):
    """utime + stime of pid, in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        # the command name may hold spaces: fields counted after its ')'
        rest = f.read().rpartition(")")[2].split()
    return int(rest[11]) + int(rest[12])


def memory_kb(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(val.split()[0])
    return out


def sim_running(sim, routers):
    """Running commands per router, as the simulator lists them."""
    out = {}
    for r in routers:
        with urllib.request.urlopen("%s/routers/%s/streams" % (sim, r), timeout=5) as resp:
            body = json.loads(resp.read().decode())
        out[r] = [e for e in body["running"] if e["command"] == "/interface/monitor-traffic"]
    return out


class Sub:
    def __init__(self, url):
        self.url = url
        self.frames = 0            # traffic frames, all along
        self.first = asyncio.Event()
        self.other = {}            # other frame types seen: {type: count}
        self.error = None          # why it ended early
        self.close_code = None


async def subscribe(sub, headers, stop):
    try:
        async with websockets.connect(sub.url, extra_headers=headers, open_timeout=30,
                                      ping_interval=None, max_queue=None,
                                      compression=None) as ws:
            while not stop.is_set():
                try:
                    msg = await asyncio.wait_for(ws.recv(), 1.0)
                except asyncio.TimeoutError:
                    continue
                try:
                    t = json.loads(msg).get("type")
                except (ValueError, AttributeError):
                    t = "unparsable"
                if t == "traffic":
                    sub.frames += 1
                    sub.first.set()
                else:
                    sub.other[t] = sub.other.get(t, 0) + 1
    except websockets.exceptions.ConnectionClosed as e:
        sub.close_code = e.code
        sub.error = "closed %s %s" % (e.code, e.reason)
    except Exception as e:  # noqa: BLE001 - reported, not fatal to the others
        sub.error = "%s: %s" % (type(e).__name__, e)
    finally:
        sub.first.set()


async def run(args):
    headers = [tuple(h.split(":", 1)) for h in args.header]
    headers = [(k.strip(), v.strip()) for k, v in headers]
    stop = asyncio.Event()
    subs = [Sub(args.url[i % len(args.url)]) for i in range(args.count)]
    t_conn = time.monotonic()
    tasks = []
    # connect in batches: a burst of 500 handshakes at once is not what is measured
    for i, s in enumerate(subs):
        tasks.append(asyncio.ensure_future(subscribe(s, headers, stop)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)
    try:
        await asyncio.wait_for(asyncio.gather(*(s.first.wait() for s in subs)), args.warmup_timeout)
    except asyncio.TimeoutError:
        pass
    warm = time.monotonic() - t_conn
    failed = [s for s in subs if s.error or not s.frames]
    # the window
    base = [s.frames for s in subs]
    c0, t0 = cpu_ticks(args.pid), time.monotonic()
    await asyncio.sleep(args.seconds / 2.0)
    running = await asyncio.get_running_loop().run_in_executor(
        None, sim_running, args.sim, args.router)
    await asyncio.sleep(args.seconds - args.seconds / 2.0)
    c1, t1 = cpu_ticks(args.pid), time.monotonic()
    got = sum(s.frames - b for s, b in zip(subs, base))
    mem = memory_kb(args.pid)
    stop.set()
    await asyncio.wait(tasks, timeout=10)
    span = t1 - t0
    per_s = 1000.0 / args.interval_ms
    expected = args.count * span * per_s
    hz = os.sysconf("SC_CLK_TCK")
    ended = [s for s in subs if s.error]
    other = {}
    for s in subs:
        for k, v in s.other.items():
            other[k] = other.get(k, 0) + v
    return {
        "subscribers": args.count,
        "connected_with_frames": args.count - len(failed),
        "warmup_s": round(warm, 2),
        "window_s": round(span, 2),
        "frames": got,
        "frames_per_s": round(got / span, 1),
        "expected_per_s": round(expected / span, 1),
        "delivered_ratio": round(got / expected, 4) if expected else 0,
        "cpu_pct_one_core": round(100.0 * (c1 - c0) / hz / span, 2),
        "vm_hwm_kb": mem.get("VmHWM"),
        "vm_rss_kb": mem.get("VmRSS"),
        "router_commands": {r: len(v) for r, v in running.items()},
        "router_commands_total": sum(len(v) for v in running.values()),
        "interfaces": sorted({"%s/%s" % (r, e["args"].get("interface")) for r, v in running.items()
                              for e in v}),
        "other_frames": other,
        "ended_early": len(ended),
        "first_errors": sorted({s.error for s in ended})[:5],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", action="append", required=True)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--pid", type=int, required=True, help="the daemon's pid")
    ap.add_argument("--sim", required=True, help="the RouterOS simulator's control URL")
    ap.add_argument("--router", action="append", default=[], help="simulated router names")
    ap.add_argument("--interval-ms", type=float, default=1000,
                    help="the routers' monitor interval: frames expected per subscriber")
    ap.add_argument("--warmup-timeout", type=float, default=60)
    args = ap.parse_args()
    out = asyncio.run(run(args))
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
