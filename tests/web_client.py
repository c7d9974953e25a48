#!/usr/bin/env python3
"""web_client.py URL USER PASSWORD DATABASE - talks HTTP to a running `tinbao
web` (tests/test_web.c starts it) as a browser would, and checks the
console's doors (login, sessions, CSRF, roles, escaping, the throttle) and
its changes (quarantine, sending, the registry).  The database holds an SMS
with <script> in it and its reply, the reports of two unregistered numbers
in quarantine, officers of the communes 06388 and 06391, and a viewer "vic"
with the same password as the admin USER.  Exit status 0
when every check passed, 1 otherwise (each failure printed)."""
import http.client
import re
import sqlite3
import sys
import urllib.parse

from webtest import check, done, replies, sender_row

url, user, password, database = sys.argv[1:5]
host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port

def request(method, path, cookie=None, form=None, login=None, headers=None):
    """A request with the session cookie (cookie) or the login form's
    (login), a form body, headers of its own (a Host, say)."""
    c = http.client.HTTPConnection(host, port, timeout=10)
    headers = dict(headers or {})
    body = None
    if cookie:
        headers["Cookie"] = "tinbao_sid=" + cookie
    if login:
        headers["Cookie"] = "tinbao_login=" + login
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    body = r.read()
    c.close()
    ctype = r.getheader("Content-Type") or ""
    return r, body.decode("utf-8") if "charset=utf-8" in ctype else body


def upload(path, cookie, fields, filename, content):
    """A multipart/form-data POST, as a browser sends a form with a file."""
    b = "----tinbaotest7MA4YWxk"
    parts = []
    for k, v in fields.items():
        parts.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                      % (b, k, v)).encode())
    parts.append(('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                  'Content-Type: text/csv\r\n\r\n' % (b, filename)).encode() + content +
                 b"\r\n")
    body = b"".join(parts) + ("--%s--\r\n" % b).encode()
    c = http.client.HTTPConnection(host, port, timeout=10)
    c.request("POST", path, body=body, headers={
        "Cookie": "tinbao_sid=" + cookie,
        "Content-Type": "multipart/form-data; boundary=" + b})
    r = c.getresponse()
    text = r.read().decode("utf-8", "replace")
    c.close()
    return r, text


def set_cookie(r, name):
    """The Set-Cookie of cookie name in the answer r, whole, or None."""
    for c in r.headers.get_all("Set-Cookie") or []:
        if c.startswith(name + "="):
            return c
    return None


def sid_of(r):
    m = re.match(r"tinbao_sid=([0-9a-f]*);", set_cookie(r, "tinbao_sid") or "")
    return m.group(1) if m else None


def login_token_of(r):
    m = re.match(r"tinbao_login=([0-9a-f]*);", set_cookie(r, "tinbao_login") or "")
    return m.group(1) if m else None


def csrf_of(text):
    m = re.search(r'name="csrf" value="([0-9a-f]+)"', text)
    return m.group(1) if m else None


def login_form():
    """The login form's token, as its cookie and its field carry it."""
    r, text = request("GET", "/login")
    check(r.status == 200, "GET /login: %d" % r.status)
    cookie = set_cookie(r, "tinbao_login") or ""
    for attr in ("HttpOnly", "SameSite=Strict", "Path=/login"):
        check(attr in cookie, "the login form's cookie lacks %s: %s" % (attr, cookie))
    check(set_cookie(r, "tinbao_sid") is None, "the login form set a session cookie")
    check(login_token_of(r) == csrf_of(text), "the login form's token is not its cookie's")
    return login_token_of(r), csrf_of(text)


def login(name, pw):
    token, csrf = login_form()
    return request("POST", "/login", form={"user": name, "password": pw, "csrf": csrf},
                   login=token)


# Without a session every page goes to /login.
for path in ("/", "/messages", "/number?n=0912000001", "/nowhere"):
    r, _ = request("GET", path)
    check(r.status == 303 and r.getheader("Location") == "/login",
          "GET %s without a session: %d %s" % (path, r.status, r.getheader("Location")))
r, _ = request("GET", "/", "0" * 64)
check(r.status == 303, "GET / with a made-up session: %d" % r.status)

# A wrong password, a wrong user, a login without the form's token.
r, text = login(user, password + "x")
check(r.status == 200 and 'id="error"' in text and login_token_of(r) is not None,
      "wrong password: %d" % r.status)
check(sid_of(r) is None, "the wrong password gave a session")
r, text = login("nobody", password)
check('id="error"' in text, "unknown user: no error shown")
token, csrf = login_form()
r, _ = request("POST", "/login", form={"user": user, "password": password}, login=token)
check(r.status == 403, "login without the CSRF token: %d" % r.status)
r, _ = request("POST", "/login", form={"user": user, "password": password, "csrf": csrf})
check(r.status == 403, "login without the form's cookie (another site's post): %d" % r.status)
other, _ = login_form()
r, _ = request("POST", "/login", form={"user": user, "password": password, "csrf": csrf},
               login=other)
check(r.status == 403, "login with another form's cookie: %d" % r.status)
made = "ab" * 32  # a cookie and field another site on this PC could set: not this console's
r, _ = request("POST", "/login", form={"user": user, "password": password, "csrf": made},
               login=made)
check(r.status == 403, "login with a token the console never made: %d" % r.status)
# Asking for the form again and again keeps nothing: the first still logs in.
for _ in range(3 * 64):
    request("GET", "/login")

# The right password: a new session, the overview.
r, _ = request("POST", "/login", form={"user": user, "password": password, "csrf": csrf},
               login=token)
check(r.status == 303 and r.getheader("Location") == "/", "login: %d" % r.status)
check((set_cookie(r, "tinbao_login") or "").startswith("tinbao_login=;"),
      "the login did not clear the form's cookie")
sid = sid_of(r)
r, _ = request("GET", "/login", sid)
check(r.status == 303 and set_cookie(r, "tinbao_sid") is None,
      "the login form asked for while logged in: %d %s" % (r.status, r.getheader("Set-Cookie")))
# A page of another site whose name points at 127.0.0.1 gets nothing.
for bad in ("evil.example", "evil.example:%d" % port, "127.0.0.1.evil.example"):
    r, _ = request("GET", "/login", headers={"Host": bad})
    check(r.status == 421, "Host %s: %d" % (bad, r.status))
r, _ = request("GET", "/login", headers={"Host": "localhost:%d" % port})
check(r.status == 200, "Host localhost: %d" % r.status)
# A body bigger than a form's, from no one logged in, is not read as a file.
r, _ = upload("/senders/import", "", {"csrf": "0" * 64}, "big.csv", b"x" * 100000)
check(r.status == 413, "a file from no session: %d" % r.status)
r, text = request("GET", "/", sid)
check(r.status == 200 and "Tổng quan" in text, "overview: %d" % r.status)
csrf = csrf_of(text)
check(csrf is not None, "the overview has no logout form with a token")
csp = r.getheader("Content-Security-Policy") or ""
check("default-src 'none'" in csp, "no Content-Security-Policy: " + csp)

# The SMS with <script> shows as text, with its reply.
r, text = request("GET", "/messages", sid)
check(r.status == 200, "messages: %d" % r.status)
check("&lt;script&gt;alert(1)&lt;/script&gt;" in text, "the SMS is not shown escaped")
check("<script>" not in text, "the page holds a <script> element")
texts = replies(database)
check(len(texts) > 0, "the test SMS has no reply in the database")
for t in texts:
    escaped = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&quot;").replace("'", "&#39;")
    check(escaped in text, "the reply is not on the messages page: " + t)
# The last received first (an SMS the centre took in 2022 but read today
# among them, with that time too); the page after a row lists the rows that
# follow it.
ro = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
order = [i for (i,) in ro.execute("SELECT id FROM inbox ORDER BY received DESC, id DESC")]
ro.close()
shown = [int(i) for i in re.findall(r'<tr id="m(\d+)"', text)]
check(len(order) > 1 and shown == order, "messages in the order %s, not %s" % (shown, order))
check("gửi lúc 01/03/2022 09:00" in text, "the SMS centre's time is not shown")
r, text = request("GET", "/messages?before=%d" % order[0], sid)
shown = [int(i) for i in re.findall(r'<tr id="m(\d+)"', text)]
check(shown == order[1:], "the page after row %d: %s" % (order[0], shown))
r, text = request("GET", "/number?n=0912000001", sid)
check(r.status == 200 and "&lt;script&gt;" in text, "the number's history: %d" % r.status)
r, text = request("GET", "/messages?number=0912999999", sid)
check("&lt;script&gt;" not in text, "the number filter lets other numbers through")
r, text = request("GET", "/messages?state=new&from=2000-01-01&to=2000-01-02", sid)
check(r.status == 200 and "&lt;script&gt;" not in text, "the state and date filters")

# The quarantine: a POST without the token changes nothing; with it, the
# admin accepts the report, which is counted and recorded on the page.
db = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
held = db.execute("SELECT id FROM inbox WHERE error = 'quarantined'").fetchone()[0]
r, text = request("GET", "/quarantine", sid)
check(r.status == 200 and 'id="q%d"' % held in text, "the held SMS is not listed")
r, _ = request("POST", "/quarantine", sid, {"id": held, "action": "accept"})
check(r.status == 403, "accept without the token: %d" % r.status)
check(db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0,
      "a refused POST stored a report")
r, _ = request("POST", "/quarantine", sid, {"id": held, "action": "accept", "csrf": csrf})
check(r.status == 303, "accept: %d" % r.status)
check(db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1,
      "the accepted report is not counted")
db.close()
r, text = request("GET", "/quarantine", sid)
check('id="q%d"' % held not in text, "the accepted SMS is still listed")
check(re.search(r'<ul id="audit"><li>[^<]*%s: accepted SMS #%d' % (user, held), text),
      "the decision is not shown on the page")

# Accept and register: a commune that is none registers nothing; a right
# one registers the number as officer, then its report is counted.
db = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
held2 = db.execute("SELECT id FROM inbox WHERE error = 'quarantined'").fetchone()[0]
db.close()
r, text = request("GET", "/quarantine", sid)
check('value="register"' in text and 'name="role"' in text and 'value="06448"' in text,
      "no accept-and-register form")
reg = {"id": held2, "action": "register", "role": "officer", "name": "Bà <b>Lan</b>"}
r, _ = request("POST", "/quarantine", sid, dict(reg, commune="06448"))
check(r.status == 403, "register without the token: %d" % r.status)
r, text = request("POST", "/quarantine", sid, dict(reg, commune="99999", csrf=csrf))
check(r.status == 400 and 'id="error"' in text, "register in no commune: %d" % r.status)
r, text = request("POST", "/quarantine", sid, dict(reg, commune="", csrf=csrf))
check(r.status == 400 and 'id="error"' in text, "an officer of no commune: %d" % r.status)
db = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
check(db.execute("SELECT count(*) FROM senders WHERE number = '+84912000005'").fetchone()[0]
      == 0 and db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1,
      "a refused registration changed the database")
db.close()
r, _ = request("POST", "/quarantine", sid, dict(reg, commune="06448", csrf=csrf))
check(r.status == 303, "accept and register: %d" % r.status)
db = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
row = db.execute("SELECT role, commune_code, name, active FROM senders "
                 "WHERE number = '+84912000005'").fetchone()
check(row == ("officer", "06448", "Bà <b>Lan</b>", 1), "the registration: %s" % (row,))
check(db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2,
      "the registered number's report is not counted")
db.close()
r, text = request("GET", "/quarantine", sid)
check('id="q%d"' % held2 not in text, "the registered number's SMS is still listed")
check(re.search(r"%s: registered \+84912000005 as officer of 06448 and accepted SMS #%d"
                % (user, held2), text), "the registration is not shown on the page")

# An SMS to one number, through the outbox as a notice, recorded on the page.
r, _ = request("POST", "/send", sid, {"number": "0912000009", "text": "Họp lúc 8h"})
check(r.status == 403, "send without the token: %d" % r.status)
r, text = request("POST", "/send", sid, {"number": "12", "text": "x", "csrf": csrf})
check(r.status == 400 and 'id="error"' in text, "send to a bad number: %d" % r.status)
r, _ = request("POST", "/send", sid, {"number": "0912000009", "text": "Họp lúc 8h",
                                      "csrf": csrf})
check(r.status == 303, "send: %d" % r.status)
db = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
sent = db.execute("SELECT id, text FROM outbox WHERE recipient = '+84912000009' "
                  "AND reason = 'notice'").fetchall()
db.close()
check(len(sent) == 1 and sent[0][1] == "Họp lúc 8h", "the SMS is not in the outbox: %s" % sent)
r, text = request("GET", "/send", sid)
check(sent and "SMS #%d to +84912000009" % sent[0][0] in text, "the SMS is not shown as sent")

# To a commune's officers, and to all officers: the registry's numbers, each
# once, through the outbox, one record each.
r, text = request("POST", "/send", sid, {"to": "commune", "commune": "99999", "text": "x",
                                         "csrf": csrf})
check(r.status == 400 and 'id="error"' in text, "send to no commune: %d" % r.status)
r, _ = request("POST", "/send", sid, {"to": "commune", "commune": "06388",
                                      "text": "Họp xã", "csrf": csrf})
check(r.status == 303, "send to a commune: %d" % r.status)
r, _ = request("POST", "/send", sid, {"to": "all", "text": "Họp huyện", "csrf": csrf})
check(r.status == 303, "send to all officers: %d" % r.status)
db = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
commune = sorted(x[0] for x in db.execute("SELECT recipient FROM outbox WHERE text = 'Họp xã'"))
everyone = sorted(x[0] for x in db.execute("SELECT recipient FROM outbox "
                                           "WHERE text = 'Họp huyện'"))
db.close()
check(commune == ["+84912000003"], "the commune's officers: %s" % commune)
check(everyone == ["+84912000003", "+84912000004", "+84912000005"],
      "all officers (the one registered above too): %s" % everyone)
r, text = request("GET", "/send", sid)
check(re.search(r"anna: 1 SMS #\d+-#\d+ to the officers of commune 06388", text) and
      re.search(r"anna: 3 SMS #\d+-#\d+ to all officers", text),
      "the sendings to officers are not shown")

# The registry: the table, an admin's add and edit (escaped), deactivation,
# each recorded; the export as a CSV download.
r, text = request("GET", "/senders", sid)
check(r.status == 200 and "+84912000001" in text and 'value="deactivate"' in text,
      "the registry page: %d" % r.status)
hoa = {"action": "save", "number": "0912000006", "name": "<i>Hoa</i>", "role": "can bo xa"}
r, _ = request("POST", "/senders", sid, dict(hoa, commune="06448"))
check(r.status == 403, "a registry change without the token: %d" % r.status)
r, text = request("POST", "/senders", sid, dict(hoa, commune="", csrf=csrf))
check(r.status == 400 and 'id="error"' in text, "an officer without a commune: %d" % r.status)
check(sender_row(database, "+84912000006") is None, "a refused change was written")
r, _ = request("POST", "/senders", sid, dict(hoa, commune="06448", csrf=csrf))
check(r.status == 303, "add a number: %d" % r.status)
check(sender_row(database, "+84912000006") == ("<i>Hoa</i>", "officer", "06448", 1),
      "the number added: %s" % (sender_row(database, "+84912000006"),))
r, text = request("GET", "/senders?edit=0912000006", sid)
check("&lt;i&gt;Hoa&lt;/i&gt;" in text and "<i>" not in text, "the name is not escaped")
check('value="+84912000006"' in text and 'value="06448" selected' in text,
      "the edit form is not filled in")
r, _ = request("POST", "/senders", sid, dict(hoa, role="district", commune="", csrf=csrf))
check(r.status == 303 and sender_row(database, "+84912000006") == ("<i>Hoa</i>", "district", None, 1),
      "edit a number: %d %s" % (r.status, sender_row(database, "+84912000006")))
off = {"action": "deactivate", "number": "+84912000006", "csrf": csrf}
r, _ = request("POST", "/senders", sid, off)
check(r.status == 303 and sender_row(database, "+84912000006")[3] == 0, "deactivate: %d" % r.status)
r, text = request("POST", "/senders", sid, off)
check(r.status == 400 and 'id="error"' in text, "deactivate twice: %d" % r.status)
r, text = request("GET", "/senders", sid)
for what in ("saved +84912000006: officer of 06448", "saved +84912000006: district",
             "deactivated +84912000006"):
    check("anna: " + what in text, "the change is not shown: " + what)
r, text = request("GET", "/senders?export=csv", sid)
check(r.status == 200 and (r.getheader("Content-Type") or "").startswith("text/csv") and
      r.getheader("Content-Disposition") == 'attachment; filename="tinbao-senders.csv"',
      "the export: %d %s" % (r.status, r.getheader("Content-Disposition")))
check(text.startswith("\ufeffnumber,name,role,commune,active\n") and
      "+84912000006,<i>Hoa</i>,district,,0\n" in text, "the export's content")

# An Excel-saved registry imported from the page: a preview that writes
# nothing, then the confirmation; a file with an error imports nothing.
excel = ("\ufeffSố điện thoại;Họ tên;Vai trò;Xã\r\n"
         "0912 000 007;Nguyễn <b>Văn</b> A;cán bộ xã;Minh Sơn\r\n"
         "912000008;Trần B;huyện;\r\n").encode()
r, _ = upload("/senders/import", sid, {}, "registry.csv", excel)
check(r.status == 403, "an upload without the token: %d" % r.status)
r, text = upload("/senders/import", sid, {"csrf": csrf}, "registry.csv", excel)
check(r.status == 200 and text.count("<td>added</td>") == 2 and
      "Nguyễn &lt;b&gt;Văn&lt;/b&gt; A" in text and 'name="confirm"' in text,
      "the import's preview: %d" % r.status)
check(sender_row(database, "+84912000007") is None, "the preview wrote to the registry")
r, _ = request("POST", "/senders/import", sid, {"confirm": "1", "csrf": csrf})
check(r.status == 303 and r.getheader("Location") == "/senders", "confirm: %d" % r.status)
check(sender_row(database, "+84912000007") == ("Nguyễn <b>Văn</b> A", "officer", "06448", 1) and
      sender_row(database, "+84912000008") == ("Trần B", "district", None, 1),
      "the imported rows: %s %s" % (sender_row(database, "+84912000007"), sender_row(database, "+84912000008")))
r, _ = request("POST", "/senders/import", sid, {"confirm": "1", "csrf": csrf})
check(r.status == 400, "a second confirmation: %d" % r.status)
r, text = upload("/senders/import", sid, {"csrf": csrf}, "bad.csv",
                 b"number,role\n8.49123E+10,officer\n")
check(r.status == 400 and "bad.csv:2: 8.49123E+10: written in scientific notation" in text
      and 'name="confirm"' not in text, "a file with an error: %d" % r.status)
# A district has a few hundred numbers: a file past the registry's cap is
# refused at its first row past it, told in Vietnamese.
big = ("number,role\n" + "".join("09121%05d,district\n" % i for i in range(10001))).encode()
r, text = upload("/senders/import", sid, {"csrf": csrf}, "big.csv", big)
check(r.status == 400 and "big.csv:10002: quá 10000 số" in text and
      'name="confirm"' not in text and "<td>added</td>" not in text,
      "a file past the cap: %d" % r.status)
r, text = request("GET", "/senders", sid)
check("anna: imported 2 senders from registry.csv: 2 added, 0 changed" in text,
      "the import is not shown on the page")

# Two admins preview at once: each confirms the file it uploaded.
r, _ = login(user, password)
sid2 = sid_of(r)
csrf2 = csrf_of(request("GET", "/", sid2)[1])
r, _ = upload("/senders/import", sid, {"csrf": csrf}, "mine.csv",
              b"number,role,commune\n0912000013,officer,06448\n")
r2, _ = upload("/senders/import", sid2, {"csrf": csrf2}, "theirs.csv",
               b"number,role\n0912000014,district\n")
check(r.status == 200 and r2.status == 200, "two previews: %d %d" % (r.status, r2.status))
r, _ = request("POST", "/senders/import", sid, {"confirm": "1", "csrf": csrf})
check(r.status == 303 and sender_row(database, "+84912000013") is not None and
      sender_row(database, "+84912000014") is None,
      "the first admin's confirmation: %d %s %s" % (r.status, sender_row(database, "+84912000013"),
                                                    sender_row(database, "+84912000014")))
r, _ = request("POST", "/senders/import", sid2, {"confirm": "1", "csrf": csrf2})
check(r.status == 303 and sender_row(database, "+84912000014") == ("", "district", None, 1),
      "the second admin's confirmation: %d %s" % (r.status, sender_row(database, "+84912000014")))

# The report of a period, for download; the accepted report in it.
r, text = request("GET", "/reports", sid)
check(r.status == 200 and 'name="period"' in text, "the reports form: %d" % r.status)
r, text = request("GET", "/reports?period=2022-H1&format=csv", sid)
check(r.status == 200 and (r.getheader("Content-Type") or "").startswith("text/csv"),
      "the CSV report: %d %s" % (r.status, r.getheader("Content-Type")))
check('attachment; filename="tinbao-2022-H1.csv"' == r.getheader("Content-Disposition"),
      "the CSV is no download: %s" % r.getheader("Content-Disposition"))
check(text.startswith("\ufeff") and "06448" in text, "the CSV report's content")
r, body = request("GET", "/reports?period=2022&format=xlsx", sid)
check(r.status == 200 and body[:2] == b"PK", "the xlsx report: %d" % r.status)
# A workbook uploaded under a long name (a Vietnamese one is long in bytes)
# is still read as a workbook: its errors are a row's, the name whole.
long_name = "Danh sách cán bộ chuyên trách y tế các xã huyện Minh Sơn năm 2022.xlsx"
r, text = upload("/senders/import", sid, {"csrf": csrf}, long_name, body)
check(r.status == 400 and (long_name + ": row 1: ") in text,
      "a workbook with a long name: %d %s" % (r.status, re.findall(r"colspan=\"6\">([^<]*)", text)[:2]))
r, text = request("GET", "/reports?period=2022-H3&format=csv", sid)
check(r.status == 400, "a period that is none: %d" % r.status)

# A POST without the session's CSRF token is refused, and changes nothing.
r, _ = request("POST", "/logout", sid, {})
check(r.status == 403, "logout without the token: %d" % r.status)
r, _ = request("POST", "/logout", sid, {"csrf": "0" * 64})
check(r.status == 403, "logout with a wrong token: %d" % r.status)
check(request("GET", "/", sid)[0].status == 200, "a refused POST ended the session")
r, _ = request("POST", "/logout", sid, {"csrf": csrf})
check(r.status == 303 and r.getheader("Location") == "/login", "logout: %d" % r.status)
check(request("GET", "/", sid)[0].status == 303, "the session outlived the logout")

# A viewer reads but may not decide.
r, _ = login("vic", password)
vsid = sid_of(r)
r, text = request("GET", "/quarantine", vsid)
check(r.status == 200 and 'value="accept"' not in text, "a viewer sees decision buttons")
r, text = request("GET", "/", vsid)
r, _ = request("POST", "/quarantine", vsid, {"id": held, "action": "reject",
                                              "csrf": csrf_of(text)})
check(r.status == 403, "a viewer's decision: %d" % r.status)
r, _ = request("POST", "/send", vsid, {"number": "0912000009", "text": "x",
                                       "csrf": csrf_of(text)})
check(r.status == 403, "a viewer's SMS: %d" % r.status)
r, text = request("GET", "/senders", vsid)
check(r.status == 200 and 'value="deactivate"' not in text and 'id="edit"' not in text,
      "a viewer sees the registry's forms")
r, _ = request("POST", "/senders", vsid, {"action": "deactivate", "number": "0912000003",
                                          "csrf": csrf_of(text)})
check(r.status == 403, "a viewer's registry change: %d" % r.status)
r, _ = upload("/senders/import", vsid, {"csrf": csrf_of(text)}, "registry.csv", excel)
check(r.status == 403, "a viewer's import: %d" % r.status)

# A flood of strangers' SMS: the quarantine page shows the oldest 100.
db = sqlite3.connect(database)
db.executemany("INSERT INTO inbox(sender, received, text, coding, fingerprint, state, error) "
               "VALUES (?, 1646200000, 'x', 'gsm7', ?, 'rejected', 'quarantined')",
               [("+8497000%04d" % i, "flood%d" % i) for i in range(150)])
db.commit()
r, _ = login(user, password)
r, text = request("GET", "/quarantine", sid_of(r))
check(r.status == 200 and text.count('<tr id="q') == 100 and 'id="more"' in text,
      "the quarantine page over 150 held SMS: %d rows" % text.count('<tr id="q'))
db.execute("DELETE FROM inbox WHERE fingerprint LIKE 'flood%'")
db.commit()
db.close()

# A session stands only for as long as its user and password do.
db = sqlite3.connect(database)
db.execute("UPDATE web_users SET role = 'viewer' WHERE name = ?", (user,))
db.commit()
r, _ = login(user, password)
asid = sid_of(r)
r, text = request("GET", "/senders", asid)
r, _ = request("POST", "/senders", asid, {"action": "deactivate", "number": "0912000003",
                                          "csrf": csrf_of(text)})
check(r.status == 403, "an admin made a viewer still changes: %d" % r.status)
db.execute("UPDATE web_users SET role = 'admin' WHERE name = ?", (user,))
db.commit()
check(request("GET", "/", vsid)[0].status == 200, "the viewer's session")
db.execute("UPDATE web_users SET hash = hash || 'x' WHERE name = 'vic'")
db.commit()
check(request("GET", "/", vsid)[0].status == 303, "a session outlived its password")
row = db.execute("SELECT * FROM web_users WHERE name = ?", (user,)).fetchone()
db.execute("DELETE FROM web_users WHERE name = ?", (user,))
db.commit()
check(request("GET", "/", asid)[0].status == 303, "a session outlived its user")
db.execute("INSERT INTO web_users VALUES (%s)" % ", ".join("?" * len(row)), row)
db.commit()
db.close()

# Failed logins from one address: after a few, the next must wait.
statuses = [login(user, "wrong-%d" % i)[0].status for i in range(6)]
check(statuses[-1] == 429, "six failed logins in a row: %s" % statuses)
r, _ = login(user, password)
check(r.status == 429, "the right password while throttled: %d" % r.status)
# Every address of 127.0.0.0/8 is this PC, and a program on it may speak
# from any of them: another one waits as long.
if host.startswith("127."):
    c = http.client.HTTPConnection(host, port, timeout=10, source_address=("127.0.0.2", 0))
    c.request("POST", "/login", body=urllib.parse.urlencode({"user": user, "password": "x"}),
              headers={"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    c.close()
    check(r.status == 429, "a login from 127.0.0.2 after 127.0.0.1's failures: %d" % r.status)

done()
