#!/usr/bin/env python3
"""district_server.py - a district server for tinbao's push tests, on 127.0.0.1.

Usage: district_server.py TOKEN_FILE GATEWAY_ID [CERT KEY]

Prints "PORT <api> <control>" on its first line, then serves:

  API (the gateway talks to it; HTTPS when CERT and KEY are given)
    POST /events                        the JSON protocol (docs/push-protocol.md)
    POST /api/dataValueSets?idScheme=CODE   DHIS2 aggregate data values

  control (the test talks to it; plain HTTP)
    POST /fault      {"kind": "ok"|"500"|"503"|"hang"|"reset"|"poison"|"empty"|
                      "garbage", "count": N (requests it lasts, 0: until changed),
                      "retry_after": S, "hang": S, "record": bool, "poison": "gw:N" or a list,
                      "echo_auth": bool}
    POST /outgoing   [{"id", "to", "text"}...]: SMS to ask for in every answer
    POST /dhis2      {"data_set", "org_units": [...], "elements": [[de, coc]...],
                      "conflict": de or null, "wrapped": bool}
    POST /stop, POST /start   stop listening (and drop open connections), listen again
    GET /log         "<event id> <times received>" per line, in first-arrival order
    GET /dump        the first arrival of every event, one JSON object per line
    GET /dhis2       "<dataElement> <categoryOptionCombo> <orgUnit> <period> <value>" lines
    GET /stats       "<key> <value>" lines

It checks every request against the protocol (headers, body shape, ids in
order) and answers 400 with the reason when it does not match, so a test
that expects no parked event also checks the body.  Events are recorded and
deduplicated by id; a repeat is counted, never recorded twice.
"""

import json
import re
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TYPES = {"report.created", "report.cancelled", "message.rejected", "gateway.status",
         "sms.sent", "sms.failed"}
AT_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")
REPORT_FIELDS = {"ref", "kind", "commune_code", "commune", "count", "period", "sender", "text"}


class State:
    def __init__(self, token, gateway):
        self.lock = threading.Lock()
        self.token = token
        self.gateway = gateway
        self.id_re = re.compile("^" + re.escape(gateway) + r":([1-9][0-9]*)$")
        self.fault = {"kind": "ok"}
        self.outgoing = []
        self.seen = {}  # id -> times received
        self.order = []  # ids, first arrival
        self.events = {}  # id -> event
        self.dhis2 = None
        self.values = {}
        self.stats = {"requests": 0, "accepted_batches": 0, "events": 0, "repeats": 0,
                      "connections": 0, "refused": 0, "faults": 0, "max_batch": 0,
                      "dhis2_imported": 0, "dhis2_updated": 0}
        self.conns = set()

    def take_fault(self):
        """The fault for this request, counting it down."""
        with self.lock:
            f = dict(self.fault)
            if f["kind"] != "ok" and f["kind"] != "poison" and f.get("count", 0) > 0:
                self.fault["count"] -= 1
                if self.fault["count"] == 0:
                    self.fault = {"kind": "ok"}
            return f


def check_event(st, e, last):
    if not isinstance(e, dict) or set(e) != {"id", "type", "at", "data"}:
        return "event must have exactly id, type, at, data"
    m = st.id_re.match(e["id"]) if isinstance(e["id"], str) else None
    if not m:
        return "bad event id %r" % (e["id"],)
    seq = int(m.group(1))
    if seq <= last:
        return "event ids out of order at %s" % e["id"]
    if e["type"] not in TYPES:
        return "unknown type %r" % (e["type"],)
    if not isinstance(e["at"], str) or not AT_RE.match(e["at"]):
        return "bad time %r" % (e["at"],)
    d = e["data"]
    if not isinstance(d, dict):
        return "data must be an object"
    if e["type"].startswith("report."):
        missing = REPORT_FIELDS - set(d)
        if d.get("kind") == "labour":
            missing |= {"trained"} - set(d)
        else:
            missing |= {"trade_code", "trade"} - set(d)
        if missing:
            return "report %s lacks %s" % (e["id"], ",".join(sorted(missing)))
    if e["type"] == "message.rejected" and not {"error", "sender", "text"} <= set(d):
        return "rejection %s lacks fields" % e["id"]
    if e["type"].startswith("sms.") and not {"id", "to"} <= set(d):
        return "sms outcome %s lacks fields" % e["id"]
    return seq


def check_body(st, body):
    """Returns (events, None) or (None, reason)."""
    try:
        doc = json.loads(body)
    except ValueError as ex:
        return None, "not JSON: %s" % ex
    if not isinstance(doc, dict) or set(doc) != {"gateway", "events"}:
        return None, "body must have exactly gateway and events"
    if doc["gateway"] != st.gateway:
        return None, "unknown gateway %r" % (doc["gateway"],)
    if not isinstance(doc["events"], list) or not doc["events"]:
        return None, "events must be a non-empty array"
    last = 0
    for e in doc["events"]:
        r = check_event(st, e, last)
        if isinstance(r, str):
            return None, r
        last = r
    return doc["events"], None


def check_dhis2(st, body):
    cfg = st.dhis2
    try:
        doc = json.loads(body)
    except ValueError as ex:
        return None, "not JSON: %s" % ex
    if not isinstance(doc, dict) or set(doc) != {"dataSet", "period", "orgUnit", "dataValues"}:
        return None, "body must have exactly dataSet, period, orgUnit, dataValues"
    if doc["dataSet"] != cfg["data_set"]:
        return None, "unknown data set %r" % (doc["dataSet"],)
    p = doc["period"]
    if not isinstance(p, str) or not re.match(r"^\d{4}(0[1-9]|1[0-2])$", p):
        return None, "period %r is not a month YYYYMM" % (p,)
    if doc["orgUnit"] not in cfg["org_units"]:
        return None, "unknown org unit %r" % (doc["orgUnit"],)
    dv = doc["dataValues"]
    if not isinstance(dv, list) or not dv:
        return None, "dataValues must be a non-empty array"
    pairs = {tuple(x) for x in cfg["elements"]}
    for v in dv:
        if not isinstance(v, dict) or set(v) != {"dataElement", "categoryOptionCombo", "value"}:
            return None, "a data value must have exactly dataElement, categoryOptionCombo, value"
        if not isinstance(v["value"], str) or not re.match(r"^(0|[1-9][0-9]*)$", v["value"]):
            return None, "value %r is not a count" % (v["value"],)
        if (v["dataElement"], v["categoryOptionCombo"]) not in pairs and \
                v["dataElement"] != cfg.get("conflict"):
            return None, "unknown data element %r" % (v["dataElement"],)
    return doc, None


class Api(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    st = None

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        # Headers and body leave in separate writes: without this, Nagle
        # and the client's delayed ACK cost 40 ms an answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.st.lock:
            self.st.stats["connections"] += 1
            self.st.conns.add(self.connection)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        with self.st.lock:
            self.st.conns.discard(self.connection)

    def answer(self, code, obj=None, headers=None, raw=None):
        body = raw if raw is not None else (b"" if obj is None else json.dumps(obj).encode())
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass

    def reset(self):
        """Half an answer, then a TCP reset."""
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 200\r\n\r\n{\"accep")
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def do_POST(self):
        st = self.st
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        with st.lock:
            st.stats["requests"] += 1
        url = urlparse(self.path)
        scheme = "ApiToken" if url.path == "/api/dataValueSets" else "Bearer"
        auth = self.headers.get("Authorization", "")
        if auth != scheme + " " + st.token:
            return self.answer(401, {"error": "bad token"})
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            return self.answer(415, {"error": "not JSON"})
        f = st.take_fault()
        if url.path == "/api/dataValueSets":
            return self.dhis2(url, body, f)
        if url.path != "/events":
            return self.answer(404, {"error": "no such endpoint"})
        events, why = check_body(st, body)
        if events is None:
            with st.lock:
                st.stats["refused"] += 1
            ans = {"error": why}
            if f.get("echo_auth"):
                ans["authorization"] = auth
            return self.answer(400, ans)
        ids = [e["id"] for e in events]
        poison = f.get("poison", [])
        bad = [i for i in ids if i in (poison if isinstance(poison, list) else [poison])]
        if f["kind"] == "poison" and bad:
            with st.lock:
                st.stats["refused"] += 1
            ans = {"error": "event %s: commune unknown to the district" % bad[0]}
            if f.get("echo_auth"):
                ans["authorization"] = auth
            return self.answer(400, ans)
        if f["kind"] not in ("ok", "poison", "empty"):
            with st.lock:
                st.stats["faults"] += 1
            if f.get("record"):
                self.record(events)
            return self.fault(f)
        self.record(events)
        if f["kind"] == "empty":
            return self.answer(200)
        ans = {"accepted": ids}
        with st.lock:
            if st.outgoing:
                ans["outgoing"] = st.outgoing
        self.answer(200, ans)

    def fault(self, f):
        k = f["kind"]
        if k == "500":
            return self.answer(500, {"error": "internal error"})
        if k == "503":
            return self.answer(503, {"error": "busy"},
                               {"Retry-After": str(f.get("retry_after", 1))})
        if k == "garbage":
            return self.answer(200, raw=b"<html>proxy login</html>")
        if k == "hang":
            time.sleep(f.get("hang", 2))
            self.close_connection = True
            return None
        if k == "reset":
            return self.reset()
        return self.answer(500, {"error": "unknown fault %s" % k})

    def record(self, events):
        st = self.st
        with st.lock:
            st.stats["accepted_batches"] += 1
            st.stats["max_batch"] = max(st.stats["max_batch"], len(events))
            for e in events:
                i = e["id"]
                if i in st.seen:
                    st.seen[i] += 1
                    st.stats["repeats"] += 1
                else:
                    st.seen[i] = 1
                    st.order.append(i)
                    st.events[i] = e
                    st.stats["events"] += 1

    def dhis2(self, url, body, f):
        st = self.st
        if st.dhis2 is None or parse_qs(url.query).get("idScheme") != ["CODE"]:
            return self.answer(404, {"error": "not a DHIS2 server, or idScheme is not CODE"})
        doc, why = check_dhis2(st, body)
        if doc is None:
            with st.lock:
                st.stats["refused"] += 1
            return self.answer(400, {"httpStatus": "Bad Request", "message": why})
        if f["kind"] not in ("ok", "poison", "empty"):
            with st.lock:
                st.stats["faults"] += 1
            return self.fault(f)
        imported = updated = ignored = 0
        conflicts = []
        with st.lock:
            st.stats["accepted_batches"] += 1
            for v in doc["dataValues"]:
                if v["dataElement"] == st.dhis2.get("conflict"):
                    ignored += 1
                    conflicts.append({"object": v["dataElement"],
                                      "value": "Data element not found or not accessible"})
                    continue
                key = (v["dataElement"], v["categoryOptionCombo"], doc["orgUnit"],
                       doc["period"])
                if key in st.values:
                    updated += 1
                else:
                    imported += 1
                st.values[key] = v["value"]
            st.stats["dhis2_imported"] += imported
            st.stats["dhis2_updated"] += updated
        summary = {"responseType": "ImportSummary",
                   "status": "WARNING" if conflicts else "SUCCESS",
                   "importCount": {"imported": imported, "updated": updated,
                                   "ignored": ignored, "deleted": 0},
                   "conflicts": conflicts, "dataSetComplete": "false"}
        if st.dhis2.get("wrapped"):
            code = 409 if conflicts else 200
            return self.answer(code, {"httpStatus": "Conflict" if conflicts else "OK",
                                      "httpStatusCode": code,
                                      "status": "WARNING" if conflicts else "OK",
                                      "message": "Import complete with conflicts"
                                      if conflicts else "Import was successful.",
                                      "response": summary})
        return self.answer(200, summary)


class Listener:
    """The API listener, which the test can stop and start again."""

    def __init__(self, st, ctx):
        self.st = st
        self.ctx = ctx
        self.port = 0
        self.srv = None
        self.start()

    def start(self):
        if self.srv is not None:
            return
        srv = ThreadingHTTPServer(("127.0.0.1", self.port), Api)
        srv.daemon_threads = True
        if self.ctx is not None:
            srv.socket = self.ctx.wrap_socket(srv.socket, server_side=True)
        self.port = srv.server_address[1]
        self.srv = srv
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def stop(self):
        if self.srv is None:
            return
        self.srv.shutdown()
        self.srv.server_close()
        self.srv = None
        with self.st.lock:
            conns = list(self.st.conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Control(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    st = None
    api = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, text, code=200):
        b = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        st = self.st
        with st.lock:
            if self.path == "/log":
                out = "".join("%s %d\n" % (i, st.seen[i]) for i in st.order)
            elif self.path == "/dump":
                out = "".join(json.dumps(st.events[i], ensure_ascii=False) + "\n"
                              for i in st.order)
            elif self.path == "/stats":
                out = "".join("%s %d\n" % kv for kv in sorted(st.stats.items()))
            elif self.path == "/dhis2":
                out = "".join("%s %s %s %s %s\n" % (k + (v,))
                              for k, v in sorted(st.values.items()))
            else:
                return self.reply("no such path\n", 404)
        self.reply(out)

    def do_POST(self):
        st = self.st
        n = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(n) or b"null")
        if self.path == "/fault":
            with st.lock:
                st.fault = body
        elif self.path == "/outgoing":
            with st.lock:
                st.outgoing = body
        elif self.path == "/dhis2":
            with st.lock:
                st.dhis2 = body
        elif self.path == "/stop":
            self.api.stop()
        elif self.path == "/start":
            self.api.start()
        else:
            return self.reply("no such path\n", 404)
        self.reply("ok\n")


def main():
    if len(sys.argv) not in (3, 5):
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[1]) as f:
        token = f.read().strip()
    st = State(token, sys.argv[2])
    ctx = None
    if len(sys.argv) == 5:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    Api.st = st
    api = Listener(st, ctx)
    Control.st = st
    Control.api = api
    ctl = ThreadingHTTPServer(("127.0.0.1", 0), Control)
    ctl.daemon_threads = True
    print("PORT %d %d" % (api.port, ctl.server_address[1]), flush=True)
    try:
        ctl.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
