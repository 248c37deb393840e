import base64, hashlib, hmac, http.server, os, time

def verify(secret, headers, body, tolerance=300):
    """True when `body` (bytes) was signed with `secret` ("whsec_...") less than 5 minutes ago."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id, stamp = headers.get("webhook-id") or "", headers.get("webhook-timestamp") or ""
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > tolerance:
        return False  # no time, or too old (a replay) or too far ahead
    signed = f"{msg_id}.{stamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected.encode(), s[3:].encode())
               for s in (headers.get("webhook-signature") or "").split() if s.startswith("v1,"))

class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        ok = verify(os.environ["CORRIGENDA_WEBHOOK_SECRET"], self.headers, body)
        self.send_response(204 if ok else 401)  # then act on json.loads(body)["type"]
        self.end_headers()

if __name__ == "__main__":
    http.server.HTTPServer(("", 8000), Receiver).serve_forever()
