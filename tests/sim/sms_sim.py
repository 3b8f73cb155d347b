#!/usr/bin/python3
"""SMS provider double for ispbill's tests: Advanta (Kenya) and a generic HTTP provider.

One port serves both providers' send APIs; another serves a JSON control API that
lists every message sent and makes the next sends fail.  Standard library only;
run with Debian's /usr/bin/python3.  See README.md here.
"""

import argparse
import copy
import json
import os
import re
import secrets
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import simhttp  # noqa: E402
from simhttp import ControlError, Reply, json_body  # noqa: E402

P_ADVANTA = "/api/services/sendsms"
P_GENERIC = "/sms/send"
PHONE_RE = re.compile(r"254[17]\d{8}")
MAX_CHARS = 1600

DEFAULTS = {
    "advanta_apikey": "sim-advanta-apikey",
    "advanta_partner_id": "12345",
    "advanta_senders": ["ISPBILL"],   # allowed sender ids (shortcode); [] = any non-empty
    "credits": 1000.0,                # Advanta units; a message costs one per part
    "generic_api_key": "sim-generic-key",
    "strict_mobile": True,            # only 2547XXXXXXXX / 2541XXXXXXXX accepted
    "advanta_code_key": "response-code",  # or "respose-code", as some samples of the API spell it
}

ADVANTA_CODES = {
    200: "Success",
    1001: "Invalid sender id",
    1002: "Network not allowed",
    1003: "Invalid mobile number",
    1004: "Low bulk credits",
    1005: "Failed. System error",
    1006: "Invalid credentials",
    1007: "Failed. System error",
    1009: "Unsupported data type",
    1010: "Unsupported request type",
    4090: "Internal Error. Try again after 5 minutes",
    4091: "No Partner ID is Set",
    4092: "No API KEY Provided",
    4093: "Details Not Found",
}
# Codes Advanta answers for the whole request rather than per mobile number.
ADVANTA_REQUEST_CODES = (1006, 1009, 1010, 4090, 4091, 4092, 4093)

GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
           "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€")


def sms_parts(text):
    """How many SMS a message takes (GSM-7: 160/153 characters, else UCS-2: 70/67)."""
    gsm = all(c in GSM7 for c in text)
    single, multi = (160, 153) if gsm else (70, 67)
    n = len(text) + (sum(1 for c in text if c in "^{}\\[~]|€") if gsm else 0)
    return 1 if n <= single else -(-n // multi)


class Sms:
    def __init__(self, settings=None):
        self.lock = threading.RLock()
        self.initial = dict(DEFAULTS, **(settings or {}))
        self.reset()

    def reset(self):
        with self.lock:
            self.settings = copy.deepcopy(self.initial)
            self.messages = []
            self.failures = []
            self.next_advanta_id = 8290842

    # ---- provider API

    def handle(self, method, path, query, headers, body):
        p = path.rstrip("/")
        if p == P_ADVANTA and method in ("GET", "POST"):
            return self.guard("advanta", lambda f: self.advanta(method, query, headers, body, f))
        if p == P_GENERIC and method == "POST":
            return self.guard("generic", lambda f: self.generic(headers, body, f))
        if p.startswith("/sms/") and method == "GET":
            return self.generic_status(headers, p[len("/sms/"):])
        return Reply(404, {"error": "not found"})

    def guard(self, provider, fn):
        """Apply a queued failure (delay, drop, error) for this provider, else serve."""
        with self.lock:
            fail = None
            for f in self.failures:
                if f["provider"] in (provider, "any"):
                    fail = f
                    f["count"] -= 1
                    if f["count"] <= 0:
                        self.failures.remove(f)
                    break
        if fail and fail.get("delay_ms"):
            time.sleep(float(fail["delay_ms"]) / 1000.0)
        if fail and fail.get("drop"):
            return Reply(drop=True)
        return fn(fail if fail and (fail.get("code") or fail.get("status")) else None)

    def record(self, provider, to, message, sender, msg_id, status, error=None):
        entry = {"t": time.time(), "provider": provider, "to": to, "message": message,
                 "sender": sender, "id": msg_id, "status": status, "error": error,
                 "parts": sms_parts(message) if isinstance(message, str) and message else 0}
        with self.lock:
            entry["seq"] = len(self.messages)
            self.messages.append(entry)
        return entry

    def advanta(self, method, query, headers, body, forced):
        if method == "GET":
            req = dict(query)
        else:
            try:
                req = json.loads(body.decode("utf-8")) if body else {}
            except (UnicodeDecodeError, ValueError):
                req = None
            if not isinstance(req, dict):
                return self.advanta_error(1009)
        partner, apikey = req.get("partnerID"), req.get("apikey")
        message, sender, mobiles = req.get("message"), req.get("shortcode"), req.get("mobile")
        with self.lock:
            s = self.settings
            if partner in (None, ""):
                return self.advanta_error(4091)
            if apikey in (None, ""):
                return self.advanta_error(4092)
            if str(partner) != s["advanta_partner_id"] or str(apikey) != s["advanta_apikey"]:
                return self.advanta_error(1006)
            if forced and not forced.get("code"):
                return self.advanta_error(4090, int(forced["status"]), forced.get("description"))
            if forced and forced.get("code") in ADVANTA_REQUEST_CODES:
                return self.advanta_error(forced["code"], forced.get("http_status", 200),
                                          forced.get("description"))
            responses = []
            for mobile in str(mobiles if mobiles is not None else "").split(","):
                mobile = mobile.strip()
                code = self.advanta_check(mobile, message, sender, forced)
                out = {"response-code": code, "response-description": ADVANTA_CODES.get(code),
                       "mobile": int(mobile) if mobile.isdigit() else mobile}
                if code == 200:
                    self.settings["credits"] -= sms_parts(message)
                    msg_id = self.next_advanta_id
                    self.next_advanta_id += 1
                    out.update(messageid=msg_id, networkid="1")
                    self.record("advanta", mobile, message, sender, msg_id, "sent")
                else:
                    if forced and forced.get("description"):
                        out["response-description"] = forced["description"]
                    self.record("advanta", mobile, message, sender, None, "failed",
                                "%d %s" % (code, out["response-description"]))
                responses.append(out)
        status = forced.get("http_status", 200) if forced else 200
        return Reply(status, {"responses": [self.spell(r) for r in responses]})

    def spell(self, answer):
        key = self.settings["advanta_code_key"]
        return {key if k == "response-code" else k: v for k, v in answer.items()}

    def advanta_check(self, mobile, message, sender, forced):
        s = self.settings
        if forced and forced.get("code"):
            return int(forced["code"])
        if not isinstance(sender, str) or not sender or (
                s["advanta_senders"] and sender not in s["advanta_senders"]):
            return 1001
        if not (PHONE_RE.fullmatch(mobile) if s["strict_mobile"] else re.fullmatch(
                r"(\+?254|0)?[17]\d{8}", mobile)):
            return 1003
        if not isinstance(message, str) or not message:
            return 1005
        if s["credits"] < sms_parts(message):
            return 1004
        return 200

    def advanta_error(self, code, http_status=200, description=None):
        return Reply(http_status, self.spell({"response-code": code, "response-description":
                                              description or ADVANTA_CODES[code]}))

    def generic(self, headers, body, forced):
        auth = headers.get("Authorization") or ""
        scheme, _, key = auth.partition(" ")
        with self.lock:
            good_key = self.settings["generic_api_key"]
            strict = self.settings["strict_mobile"]
        if scheme.lower() != "bearer" or key.strip() != good_key:
            return Reply(401, {"error": "invalid API key"})
        try:
            req = json_body(body)
        except ControlError:
            return Reply(400, {"error": "body must be a JSON object"})
        to, message, sender = req.get("to"), req.get("message"), req.get("sender")
        to_s = str(to) if isinstance(to, (str, int)) and not isinstance(to, bool) else ""
        if not (PHONE_RE.fullmatch(to_s) if strict else re.fullmatch(r"\+?\d{9,15}", to_s)):
            self.record("generic", to, message, sender, None, "failed", "invalid recipient")
            return Reply(400, {"error": "invalid recipient"})
        if not isinstance(message, str) or not 1 <= len(message) <= MAX_CHARS:
            self.record("generic", to_s, message, sender, None, "failed", "invalid message")
            return Reply(400, {"error": "message must be 1 to %d characters" % MAX_CHARS})
        if sender is not None and not isinstance(sender, str):
            return Reply(400, {"error": "sender must be a string"})
        if forced:
            err = forced.get("error") or "provider unavailable"
            self.record("generic", to_s, message, sender, None, "failed", err)
            return Reply(int(forced.get("status") or 503), {"error": err})
        msg_id = "msg_" + secrets.token_hex(8)
        self.record("generic", to_s, message, sender, msg_id, "queued")
        return Reply(200, {"id": msg_id, "status": "queued"})

    def generic_status(self, headers, msg_id):
        auth = headers.get("Authorization") or ""
        with self.lock:
            if auth.partition(" ")[2].strip() != self.settings["generic_api_key"]:
                return Reply(401, {"error": "invalid API key"})
            for m in self.messages:
                if m["provider"] == "generic" and m["id"] == msg_id:
                    return Reply(200, {"id": msg_id, "status": "delivered", "to": m["to"]})
        return Reply(404, {"error": "no such message"})

    # ---- control API

    def control(self, method, path, query, headers, body):
        parts = [p for p in path.split("/") if p]
        data = json_body(body) if method in ("POST", "PUT", "PATCH") else {}
        if parts == ["health"]:
            return Reply(200, {"ok": True})
        if parts == ["reset"] and method == "POST":
            self.reset()
            return Reply(200, {"ok": True})
        if parts == ["messages"]:
            with self.lock:
                if method == "DELETE":
                    self.messages = []
                    return Reply(200, {"ok": True})
                items = self.messages[int(query.get("since", 0)):]
                for k in ("provider", "to", "status", "sender"):
                    if k in query:
                        items = [m for m in items if str(m.get(k)) == query[k]]
                return Reply(200, {"messages": items, "count": len(self.messages)})
        if parts == ["fail"]:
            with self.lock:
                if method == "DELETE":
                    self.failures = []
                elif method == "POST":
                    self.failures.append(self.failure(data))
                return Reply(200, {"failures": copy.deepcopy(self.failures)})
        if parts == ["settings"]:
            with self.lock:
                if method == "POST":
                    for k, v in data.items():
                        if k not in DEFAULTS:
                            raise ControlError("unknown setting %s" % k)
                        want = type(DEFAULTS[k])
                        if want is float and isinstance(v, int) and not isinstance(v, bool):
                            v = float(v)
                        if not isinstance(v, want):
                            raise ControlError("%s is a %s" % (k, want.__name__))
                        if k == "advanta_code_key" and v not in ("response-code", "respose-code"):
                            raise ControlError("advanta_code_key is response-code or respose-code")
                        self.settings[k] = v
                return Reply(200, {"settings": copy.deepcopy(self.settings)})
        raise ControlError("no such endpoint %s %s" % (method, path), 404)

    def failure(self, data):
        bad = set(data) - {"provider", "count", "code", "description", "http_status", "status",
                           "error", "drop", "delay_ms"}
        if bad:
            raise ControlError("unknown field %s" % ", ".join(sorted(bad)))
        f = dict(data)
        f.setdefault("provider", "any")
        f.setdefault("count", 1)
        if f["provider"] not in ("advanta", "generic", "any"):
            raise ControlError("provider is advanta, generic or any")
        if "code" in f and f["code"] not in ADVANTA_CODES:
            raise ControlError("code is an Advanta response code: %s"
                               % ", ".join(str(c) for c in ADVANTA_CODES))
        if not any(f.get(k) for k in ("code", "status", "drop", "delay_ms")):
            f["code"] = 1004     # Advanta: low credit; the generic provider answers 503
        return f


class ControlApp:
    def __init__(self, sms):
        self.sms = sms

    def handle(self, method, path, query, headers, body):
        return self.sms.control(method, path, query, headers, body)


def main(argv=None):
    ap = argparse.ArgumentParser(description="SMS provider double (Advanta and generic)")
    ap.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT of the provider APIs")
    ap.add_argument("--control", default="127.0.0.1:0", help="HOST:PORT of the control API")
    ap.add_argument("--advanta-apikey", default=DEFAULTS["advanta_apikey"])
    ap.add_argument("--advanta-partner-id", default=DEFAULTS["advanta_partner_id"])
    ap.add_argument("--advanta-sender", action="append", default=[],
                    help="allowed Advanta sender id (repeatable; default ISPBILL)")
    ap.add_argument("--generic-key", default=DEFAULTS["generic_api_key"])
    ap.add_argument("--ready-file", help="write JSON with the URLs here once listening")
    ap.add_argument("--pid-file", help="write the process id here")
    args = ap.parse_args(argv)

    sms = Sms({"advanta_apikey": args.advanta_apikey,
               "advanta_partner_id": args.advanta_partner_id,
               "advanta_senders": args.advanta_sender or DEFAULTS["advanta_senders"],
               "generic_api_key": args.generic_key})
    api = simhttp.serve(args.listen, sms)
    ctl = simhttp.serve(args.control, ControlApp(sms))
    base = simhttp.url_of(api)
    ready = {"pid": os.getpid(), "base_url": base, "port": api.server_address[1],
             "advanta_url": base + P_ADVANTA + "/", "generic_url": base + P_GENERIC,
             "control": simhttp.url_of(ctl), "control_port": ctl.server_address[1],
             "settings": sms.settings}
    return simhttp.run([api, ctl], ready, args.ready_file, args.pid_file)


if __name__ == "__main__":
    sys.exit(main())
