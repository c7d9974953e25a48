"""webtest.py - what the web console's tests (web_client.py, web_browser.py)
share: counting failed checks, and the replies to the test SMS as the
database holds them."""
import sqlite3
import sys

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("%s: FAILED: %s" % (sys.argv[0], what), file=sys.stderr)


def replies(database):
    """The texts of the replies to the SMS with <script> in it."""
    db = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
    try:
        return [t for (t,) in db.execute(
            "SELECT o.text FROM outbox o JOIN inbox i ON i.id = o.inbox_id "
            "WHERE i.text LIKE '%<script>%'")]
    finally:
        db.close()


def sender_row(database, number):
    """The registry's row of number: (name, role, commune, active), or None."""
    db = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
    try:
        return db.execute("SELECT name, role, commune_code, active FROM senders "
                          "WHERE number = ?", (number,)).fetchone()
    finally:
        db.close()


def done():
    sys.exit(1 if failures else 0)
