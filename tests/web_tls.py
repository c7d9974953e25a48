#!/usr/bin/env python3
"""web_tls.py PORT CERT - asks https://127.0.0.1:PORT/login for the login
form, trusting only the certificate CERT (as a browser told to trust the
console's own certificate): exit 0 when the console answers 200 over a
verified TLS connection with its session cookie marked Secure, 1 when it
does not (another certificate, no TLS, no answer), each said on stderr."""
import http.client
import socket
import ssl
import sys

port, cert = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=cert)
try:
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
    conn.request("GET", "/login")
    r = conn.getresponse()
    r.read()
    cookie = r.getheader("Set-Cookie") or ""
    conn.close()
except (ssl.SSLError, OSError, http.client.HTTPException) as e:
    print("web_tls: %s" % e, file=sys.stderr)
    sys.exit(1)
if r.status != 200 or "; Secure" not in cookie:
    print("web_tls: %d, cookie %s" % (r.status, cookie), file=sys.stderr)
    sys.exit(1)
sys.exit(0)
