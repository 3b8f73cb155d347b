"""State and rules of the Safaricom Daraja (M-Pesa) simulator.

``Daraja.handle`` answers the Daraja API (OAuth, STK push, STK query, C2B
register/simulate); ``Daraja.control`` answers the control API.  Callbacks are
posted from background threads.  Standard library only; see README.md.
"""

import base64
import binascii
import copy
import hashlib
import hmac
import json
import random
import re
import secrets
import string
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

from simhttp import ControlError, Reply, json_body, post_json

NAIROBI = timezone(timedelta(hours=3))

# The Daraja sandbox's published Lipa na M-Pesa Online shortcode and passkey.
SANDBOX_SHORTCODE = "174379"
SANDBOX_PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
DEFAULT_TILL = "4035555"
DEFAULT_CONSUMER_KEY = "sim-consumer-key"
DEFAULT_CONSUMER_SECRET = "sim-consumer-secret"

P_OAUTH = "/oauth/v1/generate"
P_STK = "/mpesa/stkpush/v1/processrequest"
P_QUERY = "/mpesa/stkpushquery/v1/query"
P_C2B_REGISTER = ("/mpesa/c2b/v1/registerurl", "/mpesa/c2b/v2/registerurl")
P_C2B_SIMULATE = ("/mpesa/c2b/v1/simulate", "/mpesa/c2b/v2/simulate")

TRANSACTION_TYPES = ("CustomerPayBillOnline", "CustomerBuyGoodsOnline")
MAX_AMOUNT = 250000

# STK results: ResultCode and ResultDesc as Daraja sends them in the callback.
RESULTS = {
    "success": (0, "The service request is processed successfully."),
    "cancelled": (1032, "Request cancelled by user"),
    "timeout": (1037, "DS timeout user cannot be reached"),
    "wrong_pin": (2001, "The initiator information is invalid."),
    "insufficient": (1, "The balance is insufficient for the transaction."),
}
OUTCOMES = tuple(RESULTS) + ("duplicated", "late", "never", "lost")

DEFAULT_SETTINGS = {
    "token_ttl_s": 3599.0,            # expires_in answered (whole seconds, at least 1) and life
    "token_life_s": 0.0,              # if > 0: the real life, shorter or longer than expires_in
    "expires_in_type": "string",      # "string" ("3599", as Daraja) or "number"
    "timestamp_skew_s": 600.0,        # STK Timestamp must be within this of now (Nairobi)
    "callback_delay_ms": 50.0,        # push -> callback (and C2B simulate -> validation)
    "late_delay_ms": 1500.0,          # the "late" outcome's delay
    "duplicate_times": 3,             # the "duplicated" outcome sends the callback this often
    "duplicate_interval_ms": 20.0,
    "callback_timeout_s": 5.0,
    "amount_style": "decimal",        # callback Amount: "decimal" (1.00) or "integer" (1)
    "result_code_style": "number",    # callback ResultCode: "number" or "string"
    "phone_style": "number",          # callback PhoneNumber: "number" or "string"
    "balance_value": False,           # callback Balance item carries a Value
    "reverse_items": False,           # callback metadata items in reverse order
    "require_https": False,           # CallBackURL must be https
    "reject_mpesa_in_callback_url": False,   # CallBackURL containing "mpesa" is refused
    "c2b_url_keyword_check": True,    # register: URLs with M-PESA/Safaricom/exe/cmd/sql/query refused
    "c2b_msisdn": "masked",           # C2B MSISDN: "masked" (2547*****149), "plain", "hashed"
    "c2b_first_name": "John",
    "lock_subscriber": False,         # a second push to a phone with one pending -> 500
    "oauth_error_style": "error_code",  # "error_code" {errorCode...} or "result_code" {resultCode...}
}
CHOICES = {
    "expires_in_type": ("string", "number"),
    "amount_style": ("decimal", "integer"),
    "result_code_style": ("number", "string"),
    "phone_style": ("number", "string"),
    "c2b_msisdn": ("masked", "plain", "hashed"),
    "oauth_error_style": ("error_code", "result_code"),
}
# Outcome fields that override the callback shape settings for one push.
SHAPE_KEYS = ("amount_style", "result_code_style", "phone_style", "balance_value", "reverse_items")

C2B_URL_KEYWORDS = re.compile(r"m-?pesa|safaricom|exe|cmd|sql|query", re.I)
PHONE_RE = re.compile(r"254[17]\d{8}")


# ---------------------------------------------------------------- pure helpers

def nairobi_now():
    return datetime.now(NAIROBI)


def timestamp(dt=None):
    """YYYYMMDDHHmmss in Nairobi time."""
    return (dt or nairobi_now()).astimezone(NAIROBI).strftime("%Y%m%d%H%M%S")


def stk_password(shortcode, passkey, ts):
    """Daraja's Password: base64(shortcode + passkey + timestamp)."""
    return base64.b64encode(("%s%s%s" % (shortcode, passkey, ts)).encode("utf-8")).decode("ascii")


def verify_password(password, shortcode, passkey, ts):
    if not isinstance(password, str):
        return False
    return hmac.compare_digest(password.encode("utf-8"),
                               stk_password(shortcode, passkey, ts).encode("utf-8"))


def parse_timestamp(ts):
    """A datetime (Nairobi) for a well-formed YYYYMMDDHHmmss, else None."""
    if not isinstance(ts, str) or not re.fullmatch(r"\d{14}", ts):
        return None
    try:
        return datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=NAIROBI)
    except ValueError:
        return None


def digits(v):
    """A number given as a JSON integer or a string of digits, as a string; else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int) and v >= 0:
        return str(v)
    if isinstance(v, str) and re.fullmatch(r"\d+", v):
        return v
    return None


def parse_phone(v):
    s = digits(v)
    return s if s and PHONE_RE.fullmatch(s) else None


def parse_amount(v):
    """A whole number of shillings 1..250000 (JSON number or digit string), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        n = v
    elif isinstance(v, float):
        if not v.is_integer():
            return None
        n = int(v)
    elif isinstance(v, str) and re.fullmatch(r"\d+", v):
        n = int(v)
    else:
        return None
    return n if 1 <= n <= MAX_AMOUNT else None


def valid_url(v, require_https=False):
    if not isinstance(v, str) or not v or v != v.strip():
        return False
    u = urlparse(v)
    schemes = ("https",) if require_https else ("http", "https")
    return u.scheme in schemes and bool(u.hostname)


def mask_msisdn(msisdn):
    return msisdn[:4] + "*****" + msisdn[-3:]


def request_id():
    return "%d-%d-%d" % (random.randint(1000, 99999), random.randint(1000000, 99999999),
                         random.randint(1, 3))


def receipt():
    """A 10-character M-Pesa receipt number, e.g. NLJ7RT61SV."""
    alnum = string.ascii_uppercase + string.digits
    return random.choice(string.ascii_uppercase) + "".join(random.choice(alnum) for _ in range(9))


def error(status, code, message):
    return Reply(status, {"requestId": request_id(), "errorCode": code, "errorMessage": message})


def bad(field):
    return error(400, "400.002.02", "Bad Request - Invalid %s" % field)


INVALID_TOKEN = (401, "404.001.03", "Invalid Access Token")
INVALID_PAYLOAD = (400, "400.002.05", "Invalid Request Payload")
NOT_FOUND = (404, "404.001.01", "Resource not found")


class Refused(Exception):
    """A Daraja API request refused with this reply."""

    def __init__(self, reply):
        super().__init__(reply.obj)
        self.reply = reply


def need(req, field, parse):
    """req[field] through parse; a None result refuses the request as Invalid <field>."""
    v = parse(req.get(field))
    if v is None:
        raise Refused(bad(field))
    return v


def number_text(obj, raw_numbers):
    """JSON text of obj where the strings listed in raw_numbers become bare numbers."""
    text = json.dumps(obj, ensure_ascii=False)
    for placeholder, literal in raw_numbers.items():
        text = text.replace(json.dumps(placeholder), literal)
    return text


# ---------------------------------------------------------------- the simulator

class Daraja:
    def __init__(self, apps=None, shortcodes=None):
        self.lock = threading.RLock()
        self.initial_apps = dict(apps or {DEFAULT_CONSUMER_KEY: DEFAULT_CONSUMER_SECRET})
        self.initial_shortcodes = copy.deepcopy(shortcodes or {
            SANDBOX_SHORTCODE: {"passkey": SANDBOX_PASSKEY, "tills": [DEFAULT_TILL]}})
        self.generation = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.generation += 1
            self.apps = dict(self.initial_apps)
            self.shortcodes = copy.deepcopy(self.initial_shortcodes)
            self.settings = dict(DEFAULT_SETTINGS)
            self.tokens = {}            # token -> {"app", "expires"} (monotonic)
            self.tokens_issued = 0
            self.outcome_default = {"outcome": "success"}
            self.outcome_phones = {}
            self.outcome_queue = []
            self.stk = {}               # CheckoutRequestID -> transaction
            self.stk_order = []
            self.c2b_urls = {}          # shortcode -> registration
            self.c2b = []               # C2B transactions
            self.receipts = set()
            self.requests = []
            self.callbacks = []
            self.faults = []
            self.org_balance = {}

    # ---- outcomes

    def outcome(self, spec):
        """Normalise an outcome: a name or {"outcome": name, ...overrides}."""
        if isinstance(spec, str):
            spec = {"outcome": spec}
        if not isinstance(spec, dict):
            raise ControlError("an outcome is a name or an object")
        spec = dict(spec)
        name = spec.get("outcome", "success")
        if name not in OUTCOMES:
            raise ControlError("unknown outcome %r (one of %s)" % (name, ", ".join(OUTCOMES)))
        result = spec.get("result", name if name in RESULTS else "success")
        if result not in RESULTS:
            raise ControlError("unknown result %r (one of %s)" % (result, ", ".join(RESULTS)))
        bad_keys = set(spec) - {"outcome", "result", "times", "delay_ms", "result_code",
                                "result_desc"} - set(SHAPE_KEYS)
        if bad_keys:
            raise ControlError("unknown outcome field %s" % ", ".join(sorted(bad_keys)))
        for k in SHAPE_KEYS:
            if k in spec and k in CHOICES and spec[k] not in CHOICES[k]:
                raise ControlError("%s is one of %s" % (k, ", ".join(CHOICES[k])))
        spec["outcome"] = name
        spec["result"] = result
        return spec

    def pick_outcome(self, phone):
        if self.outcome_queue:
            return self.outcome_queue.pop(0)
        return self.outcome_phones.get(phone, self.outcome_default)

    # ---- the Daraja API

    def handle(self, method, path, query, headers, body):
        p = path.rstrip("/") or "/"
        with self.lock:
            fault = self.take_fault(p)
        if fault:
            if fault.get("delay_ms"):
                time.sleep(float(fault["delay_ms"]) / 1000.0)
            if fault.get("drop"):
                self.record_request(method, p, query, headers, body, None, "dropped")
                return Reply(drop=True)
            if fault.get("status"):
                reply = Reply(int(fault["status"]), fault.get("body") or {
                    "requestId": request_id(), "errorCode": "500.001.1001",
                    "errorMessage": "Unable to process the request"})
                self.record_request(method, p, query, headers, body, reply)
                return reply
        try:
            reply = self.route(method, p, query, headers, body)
        except Refused as r:
            reply = r.reply
        self.record_request(method, p, query, headers, body, reply)
        return reply

    def route(self, method, p, query, headers, body):
        if p == P_OAUTH and method == "GET":
            return self.oauth(query, headers)
        posts = {P_STK: self.stk_push, P_QUERY: self.stk_query}
        posts.update({x: self.c2b_register for x in P_C2B_REGISTER})
        posts.update({x: self.c2b_simulate for x in P_C2B_SIMULATE})
        if p in posts and method == "POST":
            self.check_token(headers)
            return posts[p](self.json_request(headers, body))
        return error(*NOT_FOUND)

    def take_fault(self, p):
        for f in self.faults:
            if f.get("path") and not p.startswith(f["path"].rstrip("/")):
                continue
            if "count" in f:
                f["count"] -= 1
                if f["count"] <= 0:
                    self.faults.remove(f)
            return f
        return None

    def record_request(self, method, p, query, headers, body, reply, note=None):
        try:
            parsed = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            parsed = body.decode("utf-8", "replace")
        entry = {"t": time.time(), "method": method, "path": p, "query": query,
                 "headers": {k: headers.get(k) for k in ("Authorization", "Content-Type")
                             if headers.get(k) is not None},
                 "body": parsed,
                 "status": reply.status if reply else None,
                 "response": reply.obj if reply else None}
        if note:
            entry["note"] = note
        with self.lock:
            entry["seq"] = len(self.requests)
            self.requests.append(entry)

    def oauth(self, query, headers):
        style = self.settings["oauth_error_style"]

        def refuse(code, message, result_code, result_desc):
            if style == "result_code":
                return Reply(400, {"resultCode": result_code, "resultDesc": result_desc})
            return error(400, code, message)
        if query.get("grant_type") != "client_credentials":
            return refuse("400.008.02", "Invalid grant type passed",
                          "999998", "Required parameter [grant_type] is invalid or empty")
        auth = headers.get("Authorization") or ""
        scheme, _, cred = auth.partition(" ")
        if scheme.lower() != "basic" or not cred.strip():
            return refuse("400.008.01", "Invalid Authentication passed",
                          "999996", "Invalid Authentication passed")
        try:
            key, sep, secret = base64.b64decode(cred.strip(), validate=True).decode(
                "utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            key, sep, secret = "", "", ""
        with self.lock:
            if not sep or key not in self.apps:
                return refuse("400.008.01", "Invalid Authentication passed",
                              "999991", "Invalid client id passed")
            if not hmac.compare_digest(self.apps[key].encode(), secret.encode()):
                return refuse("400.008.01", "Invalid Authentication passed",
                              "999997", "Invalid Authorization Header")
            expires_in = max(1, int(round(float(self.settings["token_ttl_s"]))))
            life = float(self.settings["token_life_s"]) or expires_in
            token = "".join(secrets.choice(string.ascii_letters + string.digits)
                            for _ in range(28))
            self.tokens[token] = {"app": key, "expires": time.monotonic() + life}
            self.tokens_issued += 1
            if self.settings["expires_in_type"] == "string":
                expires_in = str(expires_in)
        return Reply(200, {"access_token": token, "expires_in": expires_in})

    def check_token(self, headers):
        auth = headers.get("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        with self.lock:
            t = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
            if t is None or t["expires"] <= time.monotonic():
                raise Refused(error(*INVALID_TOKEN))

    def json_request(self, headers, body):
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise Refused(error(*INVALID_PAYLOAD))
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Refused(error(*INVALID_PAYLOAD))
        if not isinstance(data, dict):
            raise Refused(error(*INVALID_PAYLOAD))
        return data

    def check_credentials(self, req):
        """BusinessShortCode, Timestamp and Password of a push or a query.  Returns the shortcode."""
        code = digits(req.get("BusinessShortCode"))
        if not code:
            raise Refused(bad("BusinessShortCode"))
        ts = req.get("Timestamp")
        when = parse_timestamp(ts)
        if when is None:
            raise Refused(bad("Timestamp"))
        password = req.get("Password")
        if not isinstance(password, str) or not password:
            raise Refused(bad("Password"))
        try:
            base64.b64decode(password, validate=True)
        except binascii.Error:
            raise Refused(bad("Password"))
        with self.lock:
            sc = self.shortcodes.get(code)
            skew = float(self.settings["timestamp_skew_s"])
        if sc is None:
            raise Refused(error(500, "500.001.1001", "Merchant does not exist"))
        if abs((when - nairobi_now()).total_seconds()) > skew:
            raise Refused(bad("Timestamp"))
        if not verify_password(password, code, sc["passkey"], ts):
            raise Refused(error(500, "500.001.1001", "Wrong credentials"))
        return code

    def stk_push(self, req):
        code = self.check_credentials(req)
        ttype = need(req, "TransactionType", lambda v: v if v in TRANSACTION_TYPES else None)
        amount = need(req, "Amount", parse_amount)
        party_a = need(req, "PartyA", parse_phone)
        party_b = digits(req.get("PartyB"))
        with self.lock:
            tills = list(self.shortcodes[code].get("tills") or [])
            settings = dict(self.settings)
        if party_b is None or (ttype == "CustomerPayBillOnline" and party_b != code) or (
                ttype == "CustomerBuyGoodsOnline" and party_b not in tills):
            raise Refused(bad("PartyB"))
        phone = need(req, "PhoneNumber", parse_phone)
        url = req.get("CallBackURL")
        if not valid_url(url, settings["require_https"]) or (
                settings["reject_mpesa_in_callback_url"] and "mpesa" in url.lower()):
            raise Refused(bad("CallBackURL"))
        for field, limit in (("AccountReference", 12), ("TransactionDesc", 13)):
            v = req.get(field)
            if not isinstance(v, str) or len(v) > limit:
                raise Refused(bad(field))
        with self.lock:
            if settings["lock_subscriber"] and any(
                    t["phone"] == phone and t["status"] == "pending" for t in self.stk.values()):
                raise Refused(error(500, "500.001.1001", "Unable to lock subscriber, a transaction"
                                    " is already in process for the current subscriber"))
            outcome = self.outcome(self.pick_outcome(phone))
            now = nairobi_now()
            ms = now.microsecond // 1000
            while True:
                cid = "ws_CO_%s%03d%s" % (now.strftime("%d%m%Y%H%M%S"), ms % 1000, phone[3:])
                if cid not in self.stk:
                    break
                ms += 1
            tx = {"CheckoutRequestID": cid, "MerchantRequestID": request_id(),
                  "shortcode": code, "transaction_type": ttype, "amount": amount,
                  "party_a": party_a, "party_b": party_b, "phone": phone, "callback_url": url,
                  "account_reference": req["AccountReference"],
                  "transaction_desc": req["TransactionDesc"], "created": time.time(),
                  "outcome": outcome, "status": "pending", "result": None,
                  "result_code": None, "result_desc": None, "receipt": None,
                  "transaction_date": None, "callback_body": None, "callbacks_sent": 0}
            self.stk[cid] = tx
            self.stk_order.append(cid)
            gen = self.generation
        if outcome["outcome"] != "never":
            delay = outcome.get("delay_ms")
            if delay is None:
                delay = settings["late_delay_ms"] if outcome["outcome"] == "late" \
                    else settings["callback_delay_ms"]
            self.later(float(delay), self.fire_stk, cid, gen)
        text = "Success. Request accepted for processing"
        return Reply(200, {"MerchantRequestID": tx["MerchantRequestID"], "CheckoutRequestID": cid,
                           "ResponseCode": "0", "ResponseDescription": text,
                           "CustomerMessage": text})

    def stk_query(self, req):
        code = self.check_credentials(req)
        cid = req.get("CheckoutRequestID")
        with self.lock:
            tx = self.stk.get(cid) if isinstance(cid, str) else None
            if tx is None or tx["shortcode"] != code:
                raise Refused(bad("CheckoutRequestID"))
            if tx["status"] == "pending":
                raise Refused(error(500, "500.001.1001", "The transaction is being processed"))
            return Reply(200, {
                "ResponseCode": "0",
                "ResponseDescription": "The service request has been accepted successsfully",
                "MerchantRequestID": tx["MerchantRequestID"], "CheckoutRequestID": cid,
                "ResultCode": str(tx["result_code"]), "ResultDesc": tx["result_desc"]})

    # ---- STK results and callbacks

    def later(self, delay_ms, fn, *args):
        t = threading.Timer(max(0.0, delay_ms) / 1000.0, fn, args)
        t.daemon = True
        t.start()

    def decide(self, tx, result=None):
        """Fix the result of a pending transaction and build its callback body (lock held)."""
        if tx["status"] != "pending":
            return
        o = tx["outcome"]
        result = result or o["result"]
        code, desc = RESULTS[result]
        if result == o["result"]:
            code = o.get("result_code", code)
            desc = o.get("result_desc", desc)
        tx.update(status="decided", result=result, result_code=code, result_desc=desc,
                  decided_at=time.time())
        if code == 0:
            tx["receipt"] = self.new_receipt()
            tx["transaction_date"] = timestamp()
        tx["callback_body"] = self.stk_callback_text(tx)

    def new_receipt(self):
        while True:
            r = receipt()
            if r not in self.receipts:
                self.receipts.add(r)
                return r

    def stk_callback_text(self, tx):
        shape = {k: tx["outcome"].get(k, self.settings[k]) for k in SHAPE_KEYS}
        raw = {}
        code = tx["result_code"]
        cb = {"MerchantRequestID": tx["MerchantRequestID"],
              "CheckoutRequestID": tx["CheckoutRequestID"],
              "ResultCode": str(code) if shape["result_code_style"] == "string" else code,
              "ResultDesc": tx["result_desc"]}
        if code == 0:
            amount = tx["amount"]
            if shape["amount_style"] == "decimal":
                raw["@amount@"] = "%d.00" % amount
                amount = "@amount@"
            balance = {"Name": "Balance"}
            if shape["balance_value"]:
                balance["Value"] = 0
            phone = tx["phone"] if shape["phone_style"] == "string" else int(tx["phone"])
            items = [{"Name": "Amount", "Value": amount},
                     {"Name": "MpesaReceiptNumber", "Value": tx["receipt"]},
                     balance,
                     {"Name": "TransactionDate", "Value": int(tx["transaction_date"])},
                     {"Name": "PhoneNumber", "Value": phone}]
            if shape["reverse_items"]:
                items.reverse()
            cb["CallbackMetadata"] = {"Item": items}
        return number_text({"Body": {"stkCallback": cb}}, raw)

    def fire_stk(self, cid, gen):
        with self.lock:
            tx = self.stk.get(cid)
            if gen != self.generation or tx is None:
                return
            self.decide(tx)
            o = tx["outcome"]
            if o["outcome"] in ("never", "lost"):
                return
            times = int(o.get("times", self.settings["duplicate_times"]
                              if o["outcome"] == "duplicated" else 1))
            interval = float(self.settings["duplicate_interval_ms"])
        for i in range(times):
            if i:
                time.sleep(interval / 1000.0)
            with self.lock:
                if gen != self.generation:
                    return
            self.deliver_stk(cid)

    def deliver_stk(self, cid):
        with self.lock:
            tx = self.stk[cid]
            tx["callbacks_sent"] += 1
            url, text = tx["callback_url"], tx["callback_body"]
        return self.deliver("stk", url, text, checkout_request_id=cid)

    def deliver(self, kind, url, text, **ids):
        status, resp, err = post_json(url, text.encode("utf-8"),
                                      timeout=float(self.settings["callback_timeout_s"]))
        entry = dict(ids, t=time.time(), kind=kind, url=url, body=json.loads(text), raw=text,
                     status=status, response=resp, error=err)
        with self.lock:
            entry["seq"] = len(self.callbacks)
            self.callbacks.append(entry)
        return entry

    # ---- C2B

    def known_shortcode(self, v):
        code = digits(v)
        with self.lock:
            return code if code in self.shortcodes else None

    def c2b_register(self, req):
        code = need(req, "ShortCode", self.known_shortcode)
        with self.lock:
            settings = dict(self.settings)
        if req.get("ResponseType") not in ("Completed", "Cancelled"):
            raise Refused(bad("ResponseType"))
        urls = {}
        for field, required in (("ConfirmationURL", True), ("ValidationURL", False)):
            v = req.get(field)
            if not required and v in (None, ""):
                urls[field] = None
                continue
            if not valid_url(v, settings["require_https"]) or (
                    settings["c2b_url_keyword_check"] and C2B_URL_KEYWORDS.search(v)):
                raise Refused(bad(field))
            urls[field] = v
        conv = request_id() + secrets.token_hex(4)
        with self.lock:
            self.c2b_urls[code] = {"shortcode": code, "response_type": req["ResponseType"],
                                   "confirmation_url": urls["ConfirmationURL"],
                                   "validation_url": urls["ValidationURL"],
                                   "registered": time.time()}
        return Reply(200, {"OriginatorCoversationID": conv, "ResponseCode": "0",
                           "ResponseDescription": "success"})

    def c2b_simulate(self, req):
        code = need(req, "ShortCode", self.known_shortcode)
        command = need(req, "CommandID", lambda v: v if v in TRANSACTION_TYPES else None)
        amount = need(req, "Amount", parse_amount)
        msisdn = need(req, "Msisdn", parse_phone)
        ref = req.get("BillRefNumber")
        ref = "" if ref is None else str(ref)
        with self.lock:
            tx = self.new_c2b(code, command, amount, msisdn, ref, None)
            gen = self.generation
        self.later(float(self.settings["callback_delay_ms"]), self.run_c2b, tx, True, gen)
        return Reply(200, {"OriginatorCoversationID": tx["conversation_id"], "ResponseCode": "0",
                           "ResponseDescription": "Accept the service request successfully."})

    def new_c2b(self, code, command, amount, msisdn, ref, trans_id):
        tx = {"TransID": trans_id or self.new_receipt(), "conversation_id": request_id(),
              "shortcode": code, "command": command, "amount": amount, "msisdn": msisdn,
              "bill_ref": ref, "created": time.time(), "trans_time": timestamp(),
              "status": "pending"}
        self.c2b.append(tx)
        return tx

    def c2b_body(self, tx, balance):
        mode = self.settings["c2b_msisdn"]
        msisdn = tx["msisdn"]
        if mode == "masked":
            msisdn = mask_msisdn(msisdn)
        elif mode == "hashed":
            msisdn = hashlib.sha256(msisdn.encode()).hexdigest()
        return {"TransactionType": "Pay Bill" if tx["command"] == "CustomerPayBillOnline"
                else "Buy Goods",
                "TransID": tx["TransID"], "TransTime": tx["trans_time"],
                "TransAmount": "%d.00" % tx["amount"], "BusinessShortCode": tx["shortcode"],
                "BillRefNumber": tx["bill_ref"], "InvoiceNumber": "",
                "OrgAccountBalance": balance, "ThirdPartyTransID": "", "MSISDN": msisdn,
                "FirstName": self.settings["c2b_first_name"], "MiddleName": "", "LastName": ""}

    def run_c2b(self, tx, validate, gen=None, urls=None):
        """Validation (if a ValidationURL is registered and validate) then confirmation."""
        with self.lock:
            if gen is not None and gen != self.generation:
                return []
            reg = urls or self.c2b_urls.get(tx["shortcode"])
            if reg is None:
                tx["status"] = "no URLs registered"
                return []
        sent = []
        ids = {"trans_id": tx["TransID"]}
        if validate and reg.get("validation_url"):
            with self.lock:
                text = json.dumps(self.c2b_body(tx, ""))
            v = self.deliver("c2b_validation", reg["validation_url"], text, **ids)
            sent.append(v)
            accepted = reg.get("response_type", "Completed") == "Completed"
            if v["status"] == 200:
                try:
                    answer = json.loads(v["response"])
                    accepted = str(answer.get("ResultCode")) == "0"
                except (ValueError, AttributeError):
                    pass
            if not accepted:
                with self.lock:
                    tx["status"] = "rejected"
                return sent
        with self.lock:
            bal = self.org_balance.get(tx["shortcode"], 49197.0) + tx["amount"]
            self.org_balance[tx["shortcode"]] = bal
            text = json.dumps(self.c2b_body(tx, "%.2f" % bal))
            tx["status"] = "confirmed"
        sent.append(self.deliver("c2b_confirmation", reg["confirmation_url"], text, **ids))
        return sent

    # ---- control API

    def control(self, method, path, query, headers, body):
        parts = [p for p in path.split("/") if p]
        data = json_body(body) if method in ("POST", "PUT", "PATCH") else {}
        if parts == ["health"]:
            return Reply(200, {"ok": True})
        if parts == ["reset"] and method == "POST":
            self.reset()
            return Reply(200, {"ok": True})
        if parts[:1] == ["config"] and method == "GET":
            return Reply(200, self.config())
        if parts[:1] == ["settings"]:
            return self.ctl_settings(method, data)
        if parts[:1] == ["apps"]:
            return self.ctl_apps(method, query, data)
        if parts[:1] == ["shortcodes"]:
            return self.ctl_shortcodes(method, query, data)
        if parts[:1] == ["outcomes"]:
            return self.ctl_outcomes(method, data)
        if parts[:1] == ["stk"]:
            return self.ctl_stk(method, parts[1:], data)
        if parts[:1] in (["requests"], ["callbacks"]):
            return self.ctl_log(parts[0], method, query)
        if parts[:1] == ["tokens"]:
            if method == "POST" and parts[1:] == ["revoke"] or method == "DELETE":
                with self.lock:
                    n = len(self.tokens)
                    self.tokens = {}
                return Reply(200, {"revoked": n})
            with self.lock:
                live = sum(1 for t in self.tokens.values() if t["expires"] > time.monotonic())
                return Reply(200, {"issued": self.tokens_issued, "live": live})
        if parts[:1] == ["faults"]:
            return self.ctl_faults(method, data)
        if parts[:1] == ["c2b"]:
            return self.ctl_c2b(method, parts[1:], data)
        if parts[:1] == ["password"] and method == "GET":
            code = query.get("shortcode", SANDBOX_SHORTCODE)
            with self.lock:
                sc = self.shortcodes.get(code)
            if sc is None:
                raise ControlError("no such shortcode %s" % code, 404)
            ts = query.get("timestamp") or timestamp()
            return Reply(200, {"BusinessShortCode": code, "Timestamp": ts,
                               "Password": stk_password(code, sc["passkey"], ts)})
        raise ControlError("no such endpoint %s %s" % (method, path), 404)

    def config(self):
        with self.lock:
            return {"apps": [{"consumer_key": k, "consumer_secret": v}
                             for k, v in self.apps.items()],
                    "shortcodes": copy.deepcopy(self.shortcodes),
                    "settings": dict(self.settings)}

    def ctl_settings(self, method, data):
        if method == "POST":
            with self.lock:
                for k, v in data.items():
                    if k not in DEFAULT_SETTINGS:
                        raise ControlError("unknown setting %s" % k)
                    kind = type(DEFAULT_SETTINGS[k])
                    if kind is bool:
                        if not isinstance(v, bool):
                            raise ControlError("%s is true or false" % k)
                    elif kind in (int, float):
                        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                            raise ControlError("%s is a number >= 0" % k)
                        v = kind(v)
                    elif k in CHOICES and v not in CHOICES[k]:
                        raise ControlError("%s is one of %s" % (k, ", ".join(CHOICES[k])))
                    elif not isinstance(v, str):
                        raise ControlError("%s is a string" % k)
                    self.settings[k] = v
        with self.lock:
            return Reply(200, {"settings": dict(self.settings)})

    def ctl_apps(self, method, query, data):
        with self.lock:
            if method == "POST":
                k, s = data.get("consumer_key"), data.get("consumer_secret")
                if not isinstance(k, str) or not k or not isinstance(s, str) or not s:
                    raise ControlError("consumer_key and consumer_secret are required")
                self.apps[k] = s
            elif method == "DELETE":
                if self.apps.pop(query.get("consumer_key"), None) is None:
                    raise ControlError("no such app", 404)
            return Reply(200, self.config())

    def ctl_shortcodes(self, method, query, data):
        with self.lock:
            if method == "POST":
                code = digits(data.get("shortcode"))
                passkey = data.get("passkey")
                tills = [digits(t) for t in data.get("tills") or []]
                if not code or not isinstance(passkey, str) or not passkey or None in tills:
                    raise ControlError("shortcode (digits), passkey and tills (digits) expected")
                self.shortcodes[code] = {"passkey": passkey, "tills": tills}
            elif method == "DELETE":
                if self.shortcodes.pop(query.get("shortcode"), None) is None:
                    raise ControlError("no such shortcode", 404)
            return Reply(200, self.config())

    def ctl_outcomes(self, method, data):
        with self.lock:
            if method == "DELETE":
                self.outcome_default = {"outcome": "success"}
                self.outcome_phones = {}
                self.outcome_queue = []
            elif method == "POST":
                if "default" in data:
                    self.outcome_default = self.outcome(data["default"])
                for phone, o in (data.get("phones") or {}).items():
                    p = parse_phone(phone)
                    if p is None:
                        raise ControlError("phone %r is not 2547XXXXXXXX or 2541XXXXXXXX" % phone)
                    if o is None:
                        self.outcome_phones.pop(p, None)
                    else:
                        self.outcome_phones[p] = self.outcome(o)
                if "queue" in data:
                    queue = [self.outcome(o) for o in data["queue"]]
                    if data.get("append"):
                        self.outcome_queue.extend(queue)
                    else:
                        self.outcome_queue = queue
            return Reply(200, {"default": self.outcome_default, "phones": self.outcome_phones,
                               "queue": self.outcome_queue})

    def stk_view(self, tx):
        v = {k: val for k, val in tx.items() if k != "callback_body"}
        v["callback"] = json.loads(tx["callback_body"]) if tx["callback_body"] else None
        return v

    def ctl_stk(self, method, rest, data):
        with self.lock:
            if not rest and method == "GET":
                return Reply(200, {"transactions": [self.stk_view(self.stk[c])
                                                    for c in self.stk_order]})
            tx = self.stk.get(rest[0]) if rest else None
            if tx is None:
                raise ControlError("no such CheckoutRequestID", 404)
            if len(rest) == 1 and method == "GET":
                return Reply(200, self.stk_view(tx))
            what = rest[1] if len(rest) == 2 and method == "POST" else None
            if what not in ("decide", "callback"):
                raise ControlError("no such endpoint", 404)
            result = data.get("result")
            if result is not None and result not in RESULTS:
                raise ControlError("unknown result %r" % result)
            if what == "decide" and tx["status"] != "pending":
                raise ControlError("transaction already decided (%s)" % tx["result"], 409)
            self.decide(tx, result)
            send = data.get("callback", False) if what == "decide" else True
            times = int(data.get("times", 1))
            url = data.get("url")
            if url:
                tx["callback_url"] = url
        sent = [self.deliver_stk(tx["CheckoutRequestID"]) for _ in range(times if send else 0)]
        with self.lock:
            return Reply(200, {"transaction": self.stk_view(tx), "callbacks": sent})

    def ctl_log(self, which, method, query):
        with self.lock:
            log = self.requests if which == "requests" else self.callbacks
            if method == "DELETE":
                log.clear()
                return Reply(200, {"ok": True})
            since = int(query.get("since", 0))
            items = log[since:]
            for k in ("path", "kind", "checkout_request_id", "trans_id", "url"):
                if k in query:
                    items = [e for e in items if e.get(k) == query[k]]
            return Reply(200, {which: items, "count": len(log)})

    def ctl_faults(self, method, data):
        with self.lock:
            if method == "DELETE":
                self.faults = []
            elif method == "POST":
                bad_keys = set(data) - {"path", "delay_ms", "status", "body", "drop", "count"}
                if bad_keys:
                    raise ControlError("unknown fault field %s" % ", ".join(sorted(bad_keys)))
                if not any(data.get(k) for k in ("delay_ms", "status", "drop")):
                    raise ControlError("a fault needs delay_ms, status or drop")
                self.faults.append(dict(data))
            return Reply(200, {"faults": copy.deepcopy(self.faults)})

    def ctl_c2b(self, method, rest, data):
        if method == "GET" and not rest:
            with self.lock:
                return Reply(200, {"registrations": copy.deepcopy(self.c2b_urls),
                                   "transactions": copy.deepcopy(self.c2b)})
        if method != "POST" or rest != ["confirm"]:
            raise ControlError("no such endpoint", 404)
        # A C2B payment pushed by the control API, e.g. one carrying the receipt of an STK success.
        with self.lock:
            trans_id = data.get("trans_id")
            stk_id = data.get("same_receipt_as")
            stk = self.stk.get(stk_id) if stk_id else None
            if stk_id and (stk is None or not stk["receipt"]):
                raise ControlError("same_receipt_as: no successful STK transaction %s" % stk_id)
            code = digits(data.get("shortcode") or (stk and stk["shortcode"])
                          or next(iter(self.c2b_urls), None) or SANDBOX_SHORTCODE)
            amount = parse_amount(data.get("amount", stk["amount"] if stk else None))
            msisdn = parse_phone(data.get("msisdn", stk["phone"] if stk else None))
            command = data.get("command", "CustomerPayBillOnline")
            if amount is None or msisdn is None or command not in TRANSACTION_TYPES:
                raise ControlError("amount (1..250000), msisdn (2547/2541...) and a valid "
                                   "command are required")
            ref = str(data.get("bill_ref", stk["account_reference"] if stk else ""))
            urls = None
            if data.get("confirmation_url"):
                urls = {"confirmation_url": data["confirmation_url"],
                        "validation_url": data.get("validation_url"),
                        "response_type": "Completed"}
            elif code not in self.c2b_urls:
                raise ControlError("no URLs registered for %s (or give confirmation_url)" % code)
            tx = self.new_c2b(code, command, amount, msisdn, ref,
                              trans_id or (stk and stk["receipt"]))
        sent = self.run_c2b(tx, bool(data.get("validate", False)), urls=urls)
        with self.lock:
            return Reply(200, {"transaction": copy.deepcopy(tx), "callbacks": sent})
