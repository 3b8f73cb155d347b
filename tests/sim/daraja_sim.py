#!/usr/bin/python3
"""Safaricom Daraja (M-Pesa) simulator for ispbill's tests.

Serves the Daraja API (OAuth, STK push, STK query, C2B register/simulate) on one
port and a JSON control API on another; posts STK and C2B callbacks.  Standard
library only; run with Debian's /usr/bin/python3.  See README.md here.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import simhttp  # noqa: E402
from daraja_core import (DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET, DEFAULT_TILL,  # noqa: E402
                         SANDBOX_PASSKEY, SANDBOX_SHORTCODE, Daraja, digits)


class ControlApp:
    def __init__(self, daraja):
        self.daraja = daraja

    def handle(self, method, path, query, headers, body):
        return self.daraja.control(method, path, query, headers, body)


def parse_shortcode(spec):
    """CODE:PASSKEY[:TILL[,TILL...]]"""
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not digits(parts[0]) or not parts[1]:
        raise argparse.ArgumentTypeError("shortcode spec is CODE:PASSKEY[:TILL,TILL...]")
    tills = [t for t in (parts[2].split(",") if len(parts) == 3 else []) if t]
    if any(not digits(t) for t in tills):
        raise argparse.ArgumentTypeError("tills are digits")
    return parts[0], {"passkey": parts[1], "tills": tills}


def parse_app(spec):
    key, sep, secret = spec.partition(":")
    if not sep or not key or not secret:
        raise argparse.ArgumentTypeError("consumer spec is KEY:SECRET")
    return key, secret


def main(argv=None):
    ap = argparse.ArgumentParser(description="Safaricom Daraja simulator")
    ap.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT of the Daraja API")
    ap.add_argument("--control", default="127.0.0.1:0", help="HOST:PORT of the control API")
    ap.add_argument("--shortcode", action="append", type=parse_shortcode, default=[],
                    help="CODE:PASSKEY[:TILL,...] (repeatable; default %s with the sandbox "
                         "passkey and till %s)" % (SANDBOX_SHORTCODE, DEFAULT_TILL))
    ap.add_argument("--consumer", action="append", type=parse_app, default=[],
                    help="KEY:SECRET of an app (repeatable; default %s:%s)"
                         % (DEFAULT_CONSUMER_KEY, DEFAULT_CONSUMER_SECRET))
    ap.add_argument("--ready-file", help="write JSON with the URLs here once listening")
    ap.add_argument("--pid-file", help="write the process id here")
    args = ap.parse_args(argv)

    daraja = Daraja(apps=dict(args.consumer) or None, shortcodes=dict(args.shortcode) or None)
    api = simhttp.serve(args.listen, daraja)
    ctl = simhttp.serve(args.control, ControlApp(daraja))
    cfg = daraja.config()
    ready = {"pid": os.getpid(), "base_url": simhttp.url_of(api), "port": api.server_address[1],
             "control": simhttp.url_of(ctl), "control_port": ctl.server_address[1],
             "apps": cfg["apps"], "shortcodes": cfg["shortcodes"],
             "sandbox": {"shortcode": SANDBOX_SHORTCODE, "passkey": SANDBOX_PASSKEY}}
    return simhttp.run([api, ctl], ready, args.ready_file, args.pid_file)


if __name__ == "__main__":
    sys.exit(main())
