"""Times the transparency figures on a database the bench script kept (`--keep`).

Starts the release server on DATABASE (a SQLite file or a postgres:// URL), makes an API token
for the bench's standards editor, and asks each figure once (the count) and five times more
(reused, or counted again for the desk, whose figures are never kept), printing the first
time, the median and the maximum of the rest.

    python3 bench/stats_timing.py target/release/corrigenda /tmp/bench/bench.db 18555
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

binary, database, port = sys.argv[1], sys.argv[2], sys.argv[3]
work = tempfile.mkdtemp(prefix="corrigenda-stats-timing-")
env = dict(os.environ, DATABASE_URL=database, CORRIGENDA_BIND=f"127.0.0.1:{port}",
           CORRIGENDA_SIGNING_KEY=os.path.join(work, "signing.key"), CORRIGENDA_MAIL_DIR=os.path.join(work, "mail"),
           RUST_LOG="warn", CORRIGENDA_REPORT_RATE_LIMIT="0")
out = subprocess.run([binary, "token", "create", "--email", "bench-standards@example.com", "--name", "timing"],
                     env=env, capture_output=True, text=True, check=True)
token = out.stdout.strip().splitlines()[-1].strip()
server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"
for _ in range(1200):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1)
        break
    except OSError:
        time.sleep(0.5)


def get(path, auth):
    headers = {"Authorization": f"Bearer {token}"} if auth else {}
    started = time.perf_counter()
    body = urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=600).read()
    return (time.perf_counter() - started) * 1000, body


# The bench's data spans the three years before today; ten years is the longest period asked.
everything = f"from={time.gmtime().tm_year - 9}-01-01"
try:
    for label, path, auth in [("stats, default 12 months", "/api/v1/stats", False),
                              ("stats, all data", f"/api/v1/stats?{everything}", False),
                              ("desk stats, default 12 months", "/api/v1/desk/stats", True),
                              ("desk stats, all data", f"/api/v1/desk/stats?{everything}", True),
                              ("stats, all data, one section", f"/api/v1/stats?{everything}&section=World", False)]:
        first, body = get(path, auth)
        rest = [get(path, auth)[0] for _ in range(5)]
        n = json.loads(body)["reports"]["received"]
        print(f"{label}: first {first:,.1f} ms, then median {statistics.median(rest):,.1f} ms, "
              f"max {max(rest):,.1f} ms ({n:,} reports)", flush=True)
finally:
    server.terminate()
    server.wait()
