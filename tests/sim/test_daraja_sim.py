"""Tests of the Daraja simulator and the SMS provider double.

Run from the repository root:
    /usr/bin/python3 -m unittest discover -s tests/sim -p 'test_daraja_sim.py'
"""

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import daraja_core  # noqa: E402
import simhttp  # noqa: E402
from daraja_core import SANDBOX_PASSKEY, nairobi_now, stk_password, timestamp  # noqa: E402
from sms_sim import sms_parts  # noqa: E402

DARAJA = SMS = RECV = None
PHONE = "254708374149"
DROP = object()


def start(script, *args):
    tmp = tempfile.mkdtemp(prefix="ispbill-sim-test-")
    ready = os.path.join(tmp, "ready.json")
    pid = os.path.join(tmp, "pid")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, script), "--ready-file", ready,
                             "--pid-file", pid] + list(args))
    deadline = time.time() + 10
    while not os.path.exists(ready):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError("%s did not start" % script)
        time.sleep(0.01)
    with open(ready) as f:
        info = json.load(f)
    with open(pid) as f:
        assert int(f.read()) == proc.pid
    return proc, info


def call(method, url, body=None, headers=None, raw=None, ctype="application/json"):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    h = {"Content-Type": ctype} if data is not None and ctype else {}
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def wait_for(pred, timeout=3.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.01)
    return pred()


class Receiver:
    """Callback receiver: records every POST; /fail answers 500, /reject rejects a validation."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []
        outer = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                text = self.rfile.read(n).decode()
                with outer.lock:
                    outer.posts.append({"path": self.path, "raw": text, "body": json.loads(text),
                                        "ctype": self.headers.get("Content-Type")})
                code, answer = 200, {"ResultCode": 0, "ResultDesc": "Accepted"}
                if self.path.startswith("/fail"):
                    code = 500
                if self.path.startswith("/reject"):
                    answer = {"ResultCode": "C2B00012", "ResultDesc": "Rejected"}
                data = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.srv = simhttp.Server(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d" % self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def got(self, path=None, checkout=None):
        with self.lock:
            out = list(self.posts)
        if path:
            out = [p for p in out if p["path"] == path]
        if checkout:
            out = [p for p in out if p["body"].get("Body", {}).get("stkCallback", {})
                   .get("CheckoutRequestID") == checkout]
        return out

    def clear(self):
        with self.lock:
            self.posts = []


def setUpModule():
    global DARAJA, SMS, RECV
    DARAJA = start("daraja_sim.py")
    SMS = start("sms_sim.py")
    RECV = Receiver()


def tearDownModule():
    for proc, _ in (DARAJA, SMS):
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
    RECV.srv.shutdown()


def ctl(method, path, body=None):
    return call(method, DARAJA[1]["control"] + path, body)


def api(method, path, body=None, token=None, **kw):
    headers = {"Authorization": "Bearer " + token} if token else {}
    return call(method, DARAJA[1]["base_url"] + path, body, headers=headers, **kw)


def get_token(key="sim-consumer-key", secret="sim-consumer-secret", grant="client_credentials"):
    basic = base64.b64encode(("%s:%s" % (key, secret)).encode()).decode()
    return call("GET", DARAJA[1]["base_url"] + "/oauth/v1/generate?grant_type=" + grant,
                headers={"Authorization": "Basic " + basic})


def push_body(**over):
    ts = timestamp()
    b = {"BusinessShortCode": "174379", "Password": stk_password("174379", SANDBOX_PASSKEY, ts),
         "Timestamp": ts, "TransactionType": "CustomerPayBillOnline", "Amount": 1,
         "PartyA": PHONE, "PartyB": "174379", "PhoneNumber": PHONE,
         "CallBackURL": RECV.url + "/cb", "AccountReference": "INV001",
         "TransactionDesc": "Hotspot 1h"}
    for k, v in over.items():
        if v is DROP:
            b.pop(k, None)
        else:
            b[k] = v
    return b


class Base(unittest.TestCase):
    def setUp(self):
        self.assertEqual(ctl("POST", "/reset")[0], 200)
        RECV.clear()
        st, t = get_token()
        self.assertEqual(st, 200, t)
        self.token = t["access_token"]

    def push(self, expect=200, **over):
        st, r = api("POST", daraja_core.P_STK, push_body(**over), self.token)
        self.assertEqual(st, expect, r)
        return r

    def query(self, cid, **over):
        ts = timestamp()
        body = {"BusinessShortCode": "174379", "Timestamp": ts, "CheckoutRequestID": cid,
                "Password": stk_password("174379", SANDBOX_PASSKEY, ts)}
        body.update(over)
        return api("POST", daraja_core.P_QUERY, body, self.token)

    def callback_of(self, cid, n=1, timeout=3.0):
        got = wait_for(lambda: len(RECV.got(checkout=cid)) >= n and RECV.got(checkout=cid),
                       timeout)
        self.assertTrue(got, "no callback for %s" % cid)
        return got

    def assert_error(self, reply, status, code, message):
        st, body = reply
        self.assertEqual(st, status, body)
        self.assertEqual(body["errorCode"], code, body)
        self.assertEqual(body["errorMessage"], message, body)
        self.assertTrue(body["requestId"])


class TestPassword(unittest.TestCase):
    def test_documentation_sample(self):
        sample = ("MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZi"
                  "NzJhZGExZWQyYzkxOTIwMTYwMjE2MTY1NjI3")
        self.assertEqual(stk_password("174379", SANDBOX_PASSKEY, "20160216165627"), sample)
        self.assertTrue(daraja_core.verify_password(sample, "174379", SANDBOX_PASSKEY,
                                                    "20160216165627"))
        self.assertFalse(daraja_core.verify_password(sample, "174379", SANDBOX_PASSKEY,
                                                     "20160216165628"))
        self.assertFalse(daraja_core.verify_password(None, "174379", SANDBOX_PASSKEY,
                                                     "20160216165627"))

    def test_helpers(self):
        self.assertEqual(daraja_core.mask_msisdn("254708374149"), "2547*****149")
        self.assertEqual(len(daraja_core.receipt()), 10)
        self.assertEqual(timestamp(nairobi_now())[:8], nairobi_now().strftime("%Y%m%d"))
        self.assertEqual(sms_parts("a" * 160), 1)
        self.assertEqual(sms_parts("a" * 161), 2)
        self.assertEqual(sms_parts("ü" * 70), 1)
        self.assertEqual(sms_parts("€" * 70), 1)
        self.assertEqual(sms_parts("\u20b9" * 71), 2)


class TestOAuth(Base):
    def test_token_string_and_number(self):
        st, t = get_token()
        self.assertEqual(st, 200)
        self.assertEqual(t["expires_in"], "3599")
        self.assertEqual(len(t["access_token"]), 28)
        ctl("POST", "/settings", {"expires_in_type": "number", "token_ttl_s": 120})
        self.assertEqual(get_token()[1]["expires_in"], 120)

    def test_bad_credentials(self):
        self.assert_error(get_token(secret="wrong"), 400, "400.008.01",
                          "Invalid Authentication passed")
        self.assert_error(get_token(key="nobody"), 400, "400.008.01",
                          "Invalid Authentication passed")
        self.assert_error(get_token(grant="password"), 400, "400.008.02",
                          "Invalid grant type passed")
        st, r = call("GET", DARAJA[1]["base_url"] + daraja_core.P_OAUTH
                     + "?grant_type=client_credentials")
        self.assertEqual((st, r["errorCode"]), (400, "400.008.01"))
        ctl("POST", "/settings", {"oauth_error_style": "result_code"})
        self.assertEqual(get_token(key="nobody"),
                         (400, {"resultCode": "999991", "resultDesc": "Invalid client id passed"}))

    def test_more_apps(self):
        ctl("POST", "/apps", {"consumer_key": "tenant2", "consumer_secret": "s2"})
        self.assertEqual(get_token("tenant2", "s2")[0], 200)

    def test_token_expiry_and_revocation(self):
        self.push()
        ctl("POST", "/settings", {"token_ttl_s": 1})
        st, t = get_token()
        short = t["access_token"]
        self.assertEqual(t["expires_in"], "1")
        self.assertEqual(api("POST", daraja_core.P_STK, push_body(), short)[0], 200)
        time.sleep(1.05)
        self.assert_error(api("POST", daraja_core.P_STK, push_body(), short), 401,
                          "404.001.03", "Invalid Access Token")
        # A token Daraja drops before the expires_in it announced.
        ctl("POST", "/settings", {"token_ttl_s": 3599, "token_life_s": 0.2})
        st, t = get_token()
        self.assertEqual(t["expires_in"], "3599")
        time.sleep(0.25)
        self.assert_error(api("POST", daraja_core.P_STK, push_body(), t["access_token"]), 401,
                          "404.001.03", "Invalid Access Token")
        self.push()                                   # the long-lived token still works
        self.assertEqual(ctl("POST", "/tokens/revoke")[0], 200)
        self.assert_error(api("POST", daraja_core.P_STK, push_body(), self.token), 401,
                          "404.001.03", "Invalid Access Token")
        self.assert_error(api("POST", daraja_core.P_STK, push_body(), "garbage"), 401,
                          "404.001.03", "Invalid Access Token")
        self.assert_error(api("POST", daraja_core.P_STK, push_body()), 401,
                          "404.001.03", "Invalid Access Token")
        self.assertEqual(ctl("GET", "/tokens")[1]["issued"], 3)


class TestStkRules(Base):
    def bad(self, field, **over):
        st, r = api("POST", daraja_core.P_STK, push_body(**over), self.token)
        self.assertEqual((st, r.get("errorCode"), r.get("errorMessage")),
                         (400, "400.002.02", "Bad Request - Invalid " + field), over)

    def test_accepted(self):
        r = self.push()
        self.assertEqual(r["ResponseCode"], "0")
        self.assertEqual(r["ResponseDescription"], "Success. Request accepted for processing")
        self.assertEqual(r["CustomerMessage"], "Success. Request accepted for processing")
        self.assertRegex(r["MerchantRequestID"], r"^\d+-\d+-\d$")
        self.assertRegex(r["CheckoutRequestID"], r"^ws_CO_\d{14}\d{3}708374149$")
        self.assertEqual(r["CheckoutRequestID"][6:14], nairobi_now().strftime("%d%m%Y"))
        # Numbers as JSON numbers or strings, as clients send them.
        for over in ({"Amount": "10"}, {"Amount": 250000}, {"Amount": 10.0},
                     {"BusinessShortCode": 174379, "PartyB": 174379},
                     {"PartyA": 254708374149, "PhoneNumber": 254708374149},
                     {"PhoneNumber": "254112345678", "PartyA": "254112345678"},
                     {"AccountReference": "A" * 12, "TransactionDesc": "D" * 13},
                     {"AccountReference": "", "TransactionDesc": ""},
                     {"TransactionType": "CustomerBuyGoodsOnline", "PartyB": "4035555"}):
            self.push(**over)
        ids = [t["CheckoutRequestID"] for t in ctl("GET", "/stk")[1]["transactions"]]
        self.assertEqual(len(ids), len(set(ids)))

    def test_request_format(self):
        self.assert_error(api("POST", daraja_core.P_STK, push_body(), self.token,
                              ctype="text/plain"), 400, "400.002.05", "Invalid Request Payload")
        self.assert_error(api("POST", daraja_core.P_STK, None, self.token, raw=b"{not json"),
                          400, "400.002.05", "Invalid Request Payload")
        self.assert_error(api("POST", daraja_core.P_STK, None, self.token, raw=b"[1]"),
                          400, "400.002.05", "Invalid Request Payload")
        st, _ = api("POST", daraja_core.P_STK, push_body(), self.token,
                    ctype="application/json; charset=utf-8")
        self.assertEqual(st, 200)

    def test_shortcode_password_timestamp(self):
        self.bad("BusinessShortCode", BusinessShortCode="abc")
        self.bad("BusinessShortCode", BusinessShortCode=DROP)
        ts = timestamp()
        self.assert_error(api("POST", daraja_core.P_STK, push_body(
            BusinessShortCode="999999", PartyB="999999",
            Password=stk_password("999999", SANDBOX_PASSKEY, ts), Timestamp=ts), self.token),
            500, "500.001.1001", "Merchant does not exist")
        self.assert_error(api("POST", daraja_core.P_STK, push_body(
            Password=stk_password("174379", "wrongpasskey", ts), Timestamp=ts), self.token),
            500, "500.001.1001", "Wrong credentials")
        self.bad("Password", Password="!!not base64!!")
        self.bad("Password", Password="")
        self.bad("Password", Password=DROP)
        self.bad("Timestamp", Timestamp="2024")
        self.bad("Timestamp", Timestamp="20241332250000")
        self.bad("Timestamp", Timestamp=20240101120000)
        # Well-formed, password right, but too far from now: old, and UTC instead of Nairobi.
        for when in (nairobi_now() - timedelta(minutes=11), nairobi_now() + timedelta(minutes=11),
                     nairobi_now().replace(tzinfo=None) - timedelta(hours=3)):
            ts = when.strftime("%Y%m%d%H%M%S")
            self.bad("Timestamp", Timestamp=ts, Password=stk_password("174379", SANDBOX_PASSKEY, ts))
        ts = (nairobi_now() - timedelta(minutes=9)).strftime("%Y%m%d%H%M%S")
        self.push(Timestamp=ts, Password=stk_password("174379", SANDBOX_PASSKEY, ts))
        ctl("POST", "/settings", {"timestamp_skew_s": 60})
        self.bad("Timestamp", Timestamp=ts, Password=stk_password("174379", SANDBOX_PASSKEY, ts))

    def test_fields(self):
        self.bad("TransactionType", TransactionType="CustomerPayBill")
        self.bad("TransactionType", TransactionType=DROP)
        for amount in (0, -1, 250001, 10.5, "10.5", "ten", None, True, "", [1]):
            self.bad("Amount", Amount=amount)
        self.bad("Amount", Amount=DROP)
        for phone in ("0708374149", "+254708374149", "25470837414", "2547083741490",
                      "255708374149", "254208374149", 708374149, None):
            self.bad("PartyA", PartyA=phone)
            self.bad("PhoneNumber", PhoneNumber=phone)
        self.bad("PartyB", PartyB="600000")
        self.bad("PartyB", PartyB=DROP)
        self.bad("PartyB", TransactionType="CustomerBuyGoodsOnline", PartyB="174379")
        for url in ("not a url", "ftp://example.com/cb", "", "/relative", None, " http://x/"):
            self.bad("CallBackURL", CallBackURL=url)
        self.bad("CallBackURL", CallBackURL=DROP)
        for field, n in (("AccountReference", 12), ("TransactionDesc", 13)):
            self.bad(field, **{field: "x" * (n + 1)})
            self.bad(field, **{field: None})
            self.bad(field, **{field: DROP})
            self.bad(field, **{field: 123})
        ctl("POST", "/settings", {"require_https": True, "reject_mpesa_in_callback_url": True})
        self.bad("CallBackURL")
        self.bad("CallBackURL", CallBackURL="https://example.com/api/mpesa/callback/x/")
        self.push(CallBackURL="https://example.com/api/pay/callback/x/")

    def test_shortcodes_and_lock_subscriber(self):
        ctl("POST", "/shortcodes", {"shortcode": "600100", "passkey": "pk2", "tills": ["5001"]})
        ts = timestamp()
        self.push(BusinessShortCode="600100", Password=stk_password("600100", "pk2", ts),
                  Timestamp=ts, TransactionType="CustomerBuyGoodsOnline", PartyB="5001")
        ctl("POST", "/settings", {"lock_subscriber": True})
        ctl("POST", "/outcomes", {"default": "never"})
        self.push(PhoneNumber="254711111111")
        self.assert_error(api("POST", daraja_core.P_STK, push_body(PhoneNumber="254711111111"),
                              self.token), 500, "500.001.1001", "Unable to lock subscriber, a "
                          "transaction is already in process for the current subscriber")


class TestStkCallbacks(Base):
    def test_success_body(self):
        r = self.push(Amount=5)
        cid = r["CheckoutRequestID"]
        post = self.callback_of(cid)[0]
        self.assertEqual(post["path"], "/cb")
        self.assertEqual(post["ctype"], "application/json")
        cb = post["body"]["Body"]["stkCallback"]
        self.assertEqual(cb["MerchantRequestID"], r["MerchantRequestID"])
        self.assertEqual(cb["ResultCode"], 0)
        self.assertEqual(cb["ResultDesc"], "The service request is processed successfully.")
        items = cb["CallbackMetadata"]["Item"]
        self.assertEqual([i["Name"] for i in items],
                         ["Amount", "MpesaReceiptNumber", "Balance", "TransactionDate",
                          "PhoneNumber"])
        self.assertIn('{"Name": "Amount", "Value": 5.00}', post["raw"])
        self.assertNotIn("Value", items[2])
        self.assertRegex(items[1]["Value"], r"^[A-Z][A-Z0-9]{9}$")
        self.assertIsInstance(items[3]["Value"], int)
        self.assertEqual(str(items[3]["Value"])[:8], nairobi_now().strftime("%Y%m%d"))
        self.assertEqual(items[4]["Value"], 254708374149)
        tx = ctl("GET", "/stk/" + cid)[1]
        self.assertEqual((tx["status"], tx["result"], tx["receipt"]),
                         ("decided", "success", items[1]["Value"]))
        log = wait_for(lambda: ctl("GET", "/callbacks?checkout_request_id=" + cid)[1]["callbacks"])
        self.assertEqual(log[0]["status"], 200)
        self.assertEqual(log[0]["body"], post["body"])

    def test_failures(self):
        for outcome, code, desc in (("cancelled", 1032, "Request cancelled by user"),
                                    ("timeout", 1037, "DS timeout user cannot be reached"),
                                    ("wrong_pin", 2001, "The initiator information is invalid."),
                                    ("insufficient", 1,
                                     "The balance is insufficient for the transaction.")):
            ctl("POST", "/outcomes", {"default": outcome})
            cid = self.push()["CheckoutRequestID"]
            cb = self.callback_of(cid)[0]["body"]["Body"]["stkCallback"]
            self.assertEqual((cb["ResultCode"], cb["ResultDesc"]), (code, desc))
            self.assertNotIn("CallbackMetadata", cb)
            st, q = self.query(cid)
            self.assertEqual((st, q["ResultCode"], q["ResultDesc"]), (200, str(code), desc))

    def test_shape_variants(self):
        ctl("POST", "/settings", {"amount_style": "integer", "result_code_style": "string",
                                  "phone_style": "string", "balance_value": True,
                                  "reverse_items": True})
        cid = self.push(Amount=7)["CheckoutRequestID"]
        post = self.callback_of(cid)[0]
        cb = post["body"]["Body"]["stkCallback"]
        self.assertEqual(cb["ResultCode"], "0")
        items = {i["Name"]: i.get("Value") for i in cb["CallbackMetadata"]["Item"]}
        self.assertEqual(cb["CallbackMetadata"]["Item"][0]["Name"], "PhoneNumber")
        self.assertIn('"Value": 7}', post["raw"])
        self.assertEqual((items["PhoneNumber"], items["Balance"]), (PHONE, 0))
        # Per-push shape override through an outcome.
        ctl("POST", "/outcomes", {"queue": [{"outcome": "success", "amount_style": "decimal",
                                             "result_code_style": "number"}]})
        cid = self.push(Amount=7)["CheckoutRequestID"]
        post = self.callback_of(cid)[0]
        self.assertIn('"Value": 7.00}', post["raw"])
        self.assertIn('"ResultCode": 0,', post["raw"])

    def test_duplicated(self):
        ctl("POST", "/outcomes", {"default": {"outcome": "duplicated", "times": 5}})
        cid = self.push()["CheckoutRequestID"]
        posts = self.callback_of(cid, 5)
        time.sleep(0.1)
        posts = RECV.got(checkout=cid)
        self.assertEqual(len(posts), 5)
        self.assertEqual(len({p["raw"] for p in posts}), 1)
        self.assertEqual(ctl("GET", "/stk/" + cid)[1]["callbacks_sent"], 5)

    def test_late_then_query(self):
        ctl("POST", "/outcomes", {"default": {"outcome": "late", "delay_ms": 400}})
        cid = self.push()["CheckoutRequestID"]
        time.sleep(0.15)
        self.assertEqual(RECV.got(checkout=cid), [])
        self.assert_error(self.query(cid), 500, "500.001.1001", "The transaction is being processed")
        self.callback_of(cid)
        st, q = self.query(cid)
        self.assertEqual(st, 200, q)
        self.assertEqual(q, {"ResponseCode": "0",
                             "ResponseDescription":
                                 "The service request has been accepted successsfully",
                             "MerchantRequestID": q["MerchantRequestID"],
                             "CheckoutRequestID": cid, "ResultCode": "0",
                             "ResultDesc": "The service request is processed successfully."})

    def test_never_then_decided(self):
        ctl("POST", "/outcomes", {"default": "never"})
        cid = self.push()["CheckoutRequestID"]
        time.sleep(0.15)
        self.assert_error(self.query(cid), 500, "500.001.1001", "The transaction is being processed")
        st, r = ctl("POST", "/stk/%s/decide" % cid, {"result": "success"})
        self.assertEqual((st, r["transaction"]["status"], r["callbacks"]), (200, "decided", []))
        st, q = self.query(cid)
        self.assertEqual((st, q["ResultCode"]), (200, "0"))
        self.assertEqual(RECV.got(checkout=cid), [])
        self.assertEqual(ctl("POST", "/stk/%s/decide" % cid, {})[0], 409)
        # A replay sends the callback (again), with the receipt fixed at decision time.
        st, r = ctl("POST", "/stk/%s/callback" % cid, {"times": 2})
        self.assertEqual([c["status"] for c in r["callbacks"]], [200, 200])
        posts = RECV.got(checkout=cid)
        self.assertEqual(len(posts), 2)
        self.assertEqual(posts[0]["body"]["Body"]["stkCallback"]["CallbackMetadata"]["Item"][1]
                         ["Value"], r["transaction"]["receipt"])

    def test_lost(self):
        ctl("POST", "/outcomes", {"default": {"outcome": "lost", "result": "cancelled"}})
        cid = self.push()["CheckoutRequestID"]
        q = wait_for(lambda: self.query(cid)[0] == 200 and self.query(cid)[1])
        self.assertEqual(q["ResultCode"], "1032")
        self.assertEqual(RECV.got(checkout=cid), [])

    def test_outcome_selection(self):
        other = "254722000000"
        ctl("POST", "/outcomes", {"default": "timeout", "phones": {other: "wrong_pin"},
                                  "queue": ["insufficient", "cancelled"]})
        cids = [self.push(PhoneNumber=p)["CheckoutRequestID"]
                for p in (PHONE, PHONE, other, PHONE)]
        codes = [self.callback_of(c)[0]["body"]["Body"]["stkCallback"]["ResultCode"]
                 for c in cids]
        self.assertEqual(codes, [1, 1032, 2001, 1037])
        self.assertEqual(ctl("POST", "/outcomes", {"default": "bogus"})[0], 400)
        self.assertEqual(ctl("DELETE", "/outcomes")[1]["default"], {"outcome": "success"})

    def test_callback_failures_recorded(self):
        cid1 = self.push(CallBackURL=RECV.url + "/fail")["CheckoutRequestID"]
        cid2 = self.push(CallBackURL="http://127.0.0.1:9/cb")["CheckoutRequestID"]
        log = wait_for(lambda: len(ctl("GET", "/callbacks")[1]["callbacks"]) == 2
                       and ctl("GET", "/callbacks")[1]["callbacks"])
        by = {c["checkout_request_id"]: c for c in log}
        self.assertEqual((by[cid1]["status"], by[cid1]["error"]), (500, None))
        self.assertIsNone(by[cid2]["status"])
        self.assertIn("refused", by[cid2]["error"].lower())
        self.assertEqual(self.query(cid1)[1]["ResultCode"], "0")

    def test_requests_log_and_faults(self):
        ctl("DELETE", "/requests")
        self.push()
        api("POST", daraja_core.P_STK, push_body(Amount=0), self.token)
        log = ctl("GET", "/requests?path=" + daraja_core.P_STK)[1]["requests"]
        self.assertEqual([e["status"] for e in log], [200, 400])
        self.assertEqual(log[1]["body"]["Amount"], 0)
        self.assertEqual(log[1]["response"]["errorMessage"], "Bad Request - Invalid Amount")
        self.assertEqual(log[0]["headers"]["Authorization"], "Bearer " + self.token)
        ctl("POST", "/faults", {"path": daraja_core.P_STK, "status": 503, "count": 1})
        self.assertEqual(api("POST", daraja_core.P_STK, push_body(), self.token)[0], 503)
        self.push()
        ctl("POST", "/faults", {"path": daraja_core.P_OAUTH, "drop": True, "count": 1})
        with self.assertRaises((urllib.error.URLError, ConnectionError, OSError)):
            get_token()
        self.assertEqual(get_token()[0], 200)
        self.assertEqual(ctl("POST", "/faults", {"bogus": 1})[0], 400)


class TestQuery(Base):
    def test_query_rules(self):
        cid = self.push()["CheckoutRequestID"]
        self.callback_of(cid)
        self.assertEqual(self.query(cid)[0], 200)
        self.assert_error(self.query("ws_CO_000000000000000000000"), 400, "400.002.02",
                          "Bad Request - Invalid CheckoutRequestID")
        self.assert_error(self.query(None), 400, "400.002.02",
                          "Bad Request - Invalid CheckoutRequestID")
        self.assert_error(self.query(cid, Password=stk_password("174379", "x", timestamp())),
                          500, "500.001.1001", "Wrong credentials")
        self.assert_error(self.query(cid, Timestamp="20200101000000"), 400, "400.002.02",
                          "Bad Request - Invalid Timestamp")
        self.assert_error(api("POST", daraja_core.P_QUERY, {"CheckoutRequestID": cid}),
                          401, "404.001.03", "Invalid Access Token")


class TestC2B(Base):
    def register(self, expect=200, **over):
        body = {"ShortCode": "174379", "ResponseType": "Completed",
                "ConfirmationURL": RECV.url + "/confirm", "ValidationURL": RECV.url + "/validate"}
        body.update(over)
        st, r = api("POST", "/mpesa/c2b/v1/registerurl", body, self.token)
        self.assertEqual(st, expect, r)
        return r

    def simulate(self, **over):
        body = {"ShortCode": "174379", "CommandID": "CustomerPayBillOnline", "Amount": 10,
                "Msisdn": PHONE, "BillRefNumber": "ACC42"}
        body.update(over)
        return api("POST", "/mpesa/c2b/v1/simulate", body, self.token)

    def test_register_rules(self):
        r = self.register()
        self.assertEqual((r["ResponseCode"], r["ResponseDescription"]), ("0", "success"))
        self.assertTrue(r["OriginatorCoversationID"])
        for over, field in (({"ShortCode": "999"}, "ShortCode"),
                            ({"ResponseType": "completed"}, "ResponseType"),
                            ({"ConfirmationURL": "nope"}, "ConfirmationURL"),
                            ({"ConfirmationURL": RECV.url + "/api/mpesa/c2b"}, "ConfirmationURL"),
                            ({"ValidationURL": RECV.url + "/Safaricom/v"}, "ValidationURL"),
                            ({"ValidationURL": RECV.url + "/v?query=1"}, "ValidationURL")):
            r = self.register(400, **over)
            self.assertEqual(r["errorMessage"], "Bad Request - Invalid " + field)
        ctl("POST", "/settings", {"c2b_url_keyword_check": False})
        self.register(ConfirmationURL=RECV.url + "/api/mpesa/c2b")

    def test_validation_then_confirmation(self):
        self.register()
        st, r = self.simulate()
        self.assertEqual((st, r["ResponseCode"], r["ResponseDescription"]),
                         (200, "0", "Accept the service request successfully."))
        conf = wait_for(lambda: RECV.got("/confirm"))
        val = RECV.got("/validate")
        self.assertEqual(len(val), 1)
        v, c = val[0]["body"], conf[0]["body"]
        self.assertEqual(c["TransactionType"], "Pay Bill")
        self.assertEqual(c["TransAmount"], "10.00")
        self.assertEqual(c["MSISDN"], "2547*****149")
        self.assertEqual(c["BusinessShortCode"], "174379")
        self.assertEqual(c["BillRefNumber"], "ACC42")
        self.assertRegex(c["TransID"], r"^[A-Z][A-Z0-9]{9}$")
        self.assertRegex(c["TransTime"], r"^\d{14}$")
        self.assertRegex(c["OrgAccountBalance"], r"^\d+\.\d\d$")
        self.assertEqual(v["OrgAccountBalance"], "")
        self.assertEqual(c["TransID"], v["TransID"])
        self.assertEqual((c["FirstName"], c["MiddleName"], c["LastName"]), ("John", "", ""))
        kinds = [e["kind"] for e in ctl("GET", "/callbacks")[1]["callbacks"]]
        self.assertEqual(kinds, ["c2b_validation", "c2b_confirmation"])

    def test_rejected_and_msisdn_modes(self):
        self.register(ValidationURL=RECV.url + "/reject")
        self.simulate()
        wait_for(lambda: RECV.got("/reject"))
        time.sleep(0.1)
        self.assertEqual(RECV.got("/confirm"), [])
        self.assertEqual(ctl("GET", "/c2b")[1]["transactions"][0]["status"], "rejected")
        self.register(ValidationURL="")
        for mode, want in (("plain", PHONE), ("hashed", hashlib.sha256(PHONE.encode()).hexdigest())):
            RECV.clear()
            ctl("POST", "/settings", {"c2b_msisdn": mode})
            self.simulate(CommandID="CustomerBuyGoodsOnline", Amount="25")
            c = wait_for(lambda: RECV.got("/confirm"))[0]["body"]
            self.assertEqual((c["MSISDN"], c["TransactionType"], c["TransAmount"]),
                             (want, "Buy Goods", "25.00"))
        self.assertEqual(RECV.got("/validate"), [])
        for over, field in (({"Amount": 0}, "Amount"), ({"Msisdn": "0708374149"}, "Msisdn"),
                            ({"CommandID": "Pay"}, "CommandID"), ({"ShortCode": "1"}, "ShortCode")):
            st, r = self.simulate(**over)
            self.assertEqual((st, r["errorMessage"]), (400, "Bad Request - Invalid " + field))

    def test_same_receipt_as_stk(self):
        self.register()
        cid = self.push(Amount=3)["CheckoutRequestID"]
        cb = self.callback_of(cid)[0]["body"]["Body"]["stkCallback"]
        rcpt = cb["CallbackMetadata"]["Item"][1]["Value"]
        st, r = ctl("POST", "/c2b/confirm", {"same_receipt_as": cid})
        self.assertEqual(st, 200, r)
        self.assertEqual([c["kind"] for c in r["callbacks"]], ["c2b_confirmation"])
        c = RECV.got("/confirm")[0]["body"]
        self.assertEqual((c["TransID"], c["TransAmount"], c["BillRefNumber"]),
                         (rcpt, "3.00", "INV001"))
        st, r = ctl("POST", "/c2b/confirm", {"amount": 50, "msisdn": "254111000111",
                                             "trans_id": "SAB1234567", "validate": True})
        self.assertEqual([c["kind"] for c in r["callbacks"]],
                         ["c2b_validation", "c2b_confirmation"])
        self.assertEqual(RECV.got("/confirm")[-1]["body"]["TransID"], "SAB1234567")


class TestSms(unittest.TestCase):
    def setUp(self):
        self.base = SMS[1]["base_url"]
        call("POST", SMS[1]["control"] + "/reset")

    def ctl(self, method, path, body=None):
        return call(method, SMS[1]["control"] + path, body)

    def advanta(self, **over):
        body = {"apikey": "sim-advanta-apikey", "partnerID": "12345", "message": "Paid KES 50",
                "shortcode": "ISPBILL", "mobile": PHONE}
        body.update(over)
        body = {k: v for k, v in body.items() if v is not DROP}
        return call("POST", SMS[1]["advanta_url"], body)

    def generic(self, key="sim-generic-key", **over):
        body = {"to": PHONE, "message": "Paid KES 50", "sender": "ISPBILL"}
        body.update(over)
        return call("POST", SMS[1]["generic_url"], body,
                    headers={"Authorization": "Bearer " + key} if key else {})

    def test_advanta(self):
        st, r = self.advanta()
        self.assertEqual(st, 200)
        one = r["responses"][0]
        self.assertEqual((one["response-code"], one["response-description"], one["mobile"],
                          one["networkid"]), (200, "Success", 254708374149, "1"))
        self.assertIsInstance(one["messageid"], int)
        st, r = self.advanta(mobile="254708374149,254711000222")
        self.assertEqual([x["response-code"] for x in r["responses"]], [200, 200])
        msgs = self.ctl("GET", "/messages?provider=advanta")[1]["messages"]
        self.assertEqual([(m["to"], m["message"], m["sender"], m["status"]) for m in msgs][0],
                         (PHONE, "Paid KES 50", "ISPBILL", "sent"))
        self.assertEqual(msgs[0]["id"], one["messageid"])
        self.assertEqual(len(msgs), 3)
        st, r = call("GET", self.base + "/api/services/sendsms/?apikey=sim-advanta-apikey"
                     "&partnerID=12345&message=hi&shortcode=ISPBILL&mobile=" + PHONE)
        self.assertEqual(r["responses"][0]["response-code"], 200)
        self.ctl("POST", "/settings", {"advanta_code_key": "respose-code"})
        self.assertEqual(self.advanta()[1]["responses"][0]["respose-code"], 200)
        self.assertEqual(self.advanta(apikey="x")[1]["respose-code"], 1006)
        self.assertEqual(self.ctl("POST", "/settings", {"advanta_code_key": "x"})[0], 400)

    def test_advanta_errors(self):
        self.assertEqual(self.advanta(apikey="x")[1],
                         {"response-code": 1006, "response-description": "Invalid credentials"})
        self.assertEqual(self.advanta(partnerID=DROP)[1]["response-code"], 4091)
        self.assertEqual(self.advanta(apikey=DROP)[1]["response-code"], 4092)
        for over, code in (({"shortcode": "OTHER"}, 1001), ({"mobile": "0708374149"}, 1003),
                           ({"message": ""}, 1005)):
            r = self.advanta(**over)[1]["responses"][0]
            self.assertEqual((r["response-code"], r["response-description"]),
                             (code, {1001: "Invalid sender id", 1003: "Invalid mobile number",
                                     1005: "Failed. System error"}[code]))
        self.ctl("POST", "/settings", {"credits": 1})
        self.assertEqual(self.advanta()[1]["responses"][0]["response-code"], 200)
        r = self.advanta()[1]["responses"][0]
        self.assertEqual((r["response-code"], r["response-description"]), (1004, "Low bulk credits"))
        failed = self.ctl("GET", "/messages?status=failed")[1]["messages"]
        self.assertEqual(failed[-1]["error"], "1004 Low bulk credits")

    def test_forced_failures(self):
        self.ctl("POST", "/fail", {"provider": "advanta", "count": 2, "code": 1004})
        self.assertEqual(self.advanta()[1]["responses"][0]["response-code"], 1004)
        self.assertEqual(self.advanta()[1]["responses"][0]["response-code"], 1004)
        self.assertEqual(self.advanta()[1]["responses"][0]["response-code"], 200)
        self.ctl("POST", "/fail", {"provider": "advanta", "code": 1006})
        self.assertEqual(self.advanta()[1]["response-code"], 1006)
        self.ctl("POST", "/fail", {"provider": "generic", "status": 500, "error": "boom"})
        self.assertEqual(self.generic(), (500, {"error": "boom"}))
        self.assertEqual(self.generic()[0], 200)
        self.ctl("POST", "/fail", {"drop": True})
        with self.assertRaises((urllib.error.URLError, ConnectionError, OSError)):
            self.generic()
        self.assertEqual(self.ctl("POST", "/fail", {"code": 7})[0], 400)

    def test_generic(self):
        st, r = self.generic()
        self.assertEqual((st, r["status"]), (200, "queued"))
        self.assertTrue(r["id"])
        st, s = call("GET", self.base + "/sms/" + r["id"],
                     headers={"Authorization": "Bearer sim-generic-key"})
        self.assertEqual((st, s["status"]), (200, "delivered"))
        self.assertEqual(self.generic(key="wrong"), (401, {"error": "invalid API key"}))
        self.assertEqual(self.generic(key=None)[0], 401)
        self.assertEqual(self.generic(to="0708374149"), (400, {"error": "invalid recipient"}))
        self.assertEqual(self.generic(message="x" * 1600)[0], 200)
        self.assertEqual(self.generic(message="x" * 1601)[0], 400)
        self.assertEqual(self.generic(message="")[0], 400)
        msgs = self.ctl("GET", "/messages?provider=generic")[1]["messages"]
        # Refused keys are not messages; bad recipients and texts are recorded as failed.
        self.assertEqual([m["status"] for m in msgs], ["queued", "failed", "queued", "failed",
                                                       "failed"])
        self.assertEqual(msgs[0]["id"], r["id"])
        self.assertEqual(msgs[2]["parts"], 11)
        self.assertEqual(self.ctl("DELETE", "/messages")[0], 200)
        self.assertEqual(self.ctl("GET", "/messages")[1]["messages"], [])


if __name__ == "__main__":
    unittest.main()
