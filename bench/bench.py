#!/usr/bin/env python3
"""Corrigenda load benchmark (run by hand, never by CI). See bench/README.md.

    python3 bench/bench.py --backend sqlite
    python3 bench/bench.py --backend postgres

Builds the release binary, seeds a large data set straight into the real schema (bulk
inserts, not the API), starts `corrigenda serve`, and measures the public pages, feeds,
log API, tracking page, desk queue and report submission with wrk; serves the same bytes
from nginx for a baseline; measures the backend's raw single-row insert rate; repeats the
core measurements at three data sizes on one growing database. Results: a markdown table
on stdout and bench/results/<UTC time>-<backend>.json.

Only the Python standard library, plus wrk, nginx and (PostgreSQL) psql and pgbench.
"""

import argparse
import getpass
import hashlib
import html
import http.client
import json
import os
import platform
import pwd
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import seed  # noqa: E402

INSTALL_HINT = {
    "wrk": "apt-get install wrk",
    "nginx": "apt-get install nginx-light   (any nginx package works: nginx, nginx-light, nginx-core)",
    "psql": "apt-get install postgresql-client",
    "pgbench": "apt-get install postgresql-client   (pgbench ships with the client on Debian; "
               "else postgresql-contrib)",
    "cargo": "install Rust with rustup (https://rustup.rs), or pass --no-build with a built binary",
}


def die(message):
    print(f"\nbench: {message}", file=sys.stderr)
    sys.exit(1)


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def loud(message):
    bar = "!" * 78
    print(f"\n{bar}\n!! {message}\n{bar}\n", file=sys.stderr, flush=True)


def parse_size(raw, full):
    raw = raw.strip().lower().replace("_", "").replace(",", "")
    if raw == "full":
        return full
    mult = 1
    if raw.endswith("k"):
        mult, raw = 1000, raw[:-1]
    elif raw.endswith("m"):
        mult, raw = 1_000_000, raw[:-1]
    try:
        return int(float(raw) * mult)
    except ValueError:
        die(f"--sizes: {raw!r} is not a size like 10k, 1m or full")


def size_label(n, full):
    if n == full:
        return "full"
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def without_paths(text):
    """The results without this machine's folders: the repository's become relative, others `<tmp>`."""
    text = text.replace(str(REPO) + "/", "")
    return re.sub(r"/tmp/[^\s\"/]+", "<tmp>", text)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env=None, input=None, check=True, cwd=None):
    out = subprocess.run(cmd, env=env, input=input, capture_output=True, text=True, cwd=cwd)
    if check and out.returncode != 0:
        die(f"{' '.join(map(str, cmd))} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out


# -- the database --------------------------------------------------------------------------------

class Database:
    def __init__(self, args, workdir):
        self.backend = args.backend
        self.keep = args.keep
        if self.backend == "sqlite":
            self.path = Path(args.db_path).resolve() if args.db_path else workdir / "bench.db"
            if self.path.exists():
                die(f"{self.path} exists: the benchmark needs a fresh database (remove it or pick another --db-path)")
            self.url = str(self.path)
            self.display = f"SQLite file {self.path}"
        else:
            self.admin_url = args.pg_url.rstrip("/")
            self.name = args.pg_database or f"corrigenda_bench_{os.getpid()}"
            self.url = f"{self.admin_url}/{self.name}"
            self.display = f"PostgreSQL {self.url}"
            base = urllib.parse.urlsplit(self.admin_url)
            self.admin_db_url = urllib.parse.urlunsplit(base._replace(path="/postgres"))
            run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.admin_db_url,
                 "-c", f'CREATE DATABASE "{self.name}"'])

    def query(self, sql):
        if self.backend == "sqlite":
            conn = sqlite3.connect(self.path)
            try:
                return [tuple(r) for r in conn.execute(sql).fetchall()]
            finally:
                conn.close()
        out = run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c", sql])
        return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]

    def scalar(self, sql):
        return self.query(sql)[0][0]

    def execute(self, sql):
        """A statement that changes data, committed."""
        if self.backend == "sqlite":
            conn = sqlite3.connect(self.path)
            try:
                conn.execute(sql)
                conn.commit()
            finally:
                conn.close()
        else:
            run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c", sql])

    def size_bytes(self):
        if self.backend == "sqlite":
            return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
        return int(self.scalar(f"SELECT pg_database_size('{self.name}')"))

    def drop(self):
        if self.backend == "sqlite":
            if not self.keep:
                for p in self.path.parent.glob(self.path.name + "*"):
                    p.unlink()
        elif not self.keep:
            run(["psql", "-X", "-q", "-d", self.admin_db_url, "-c", f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'],
                check=False)


def migration_dirs(backend):
    return sorted(p for p in (REPO / "migrations" / backend).iterdir() if (p / "up.sql").exists())


def migration_version(d):
    return d.name.split("_", 1)[0].replace("-", "")


def ensure_migrations(db, backend, binary_output):
    """After `corrigenda migrate`: every migration in the source tree must be applied.

    A binary built before the newest migration was added leaves it out; then (only then) the
    benchmark applies the missing up.sql itself, records it as diesel would, and says so loudly.
    """
    applied = {r[0] for r in db.query("SELECT version FROM __diesel_schema_migrations")}
    missing = [d for d in migration_dirs(backend) if migration_version(d) not in applied]
    done = []
    for d in missing:
        loud(f"the binary does not know migration {d.name}; applying {d / 'up.sql'} directly "
             f"(rebuild the binary: the server under test is older than the schema)")
        sql = (d / "up.sql").read_text()
        version = migration_version(d)
        if backend == "sqlite":
            conn = sqlite3.connect(db.path, isolation_level=None)
            conn.executescript("BEGIN;\n" + sql + f"\nINSERT INTO __diesel_schema_migrations (version) VALUES ('{version}');\nCOMMIT;")
            conn.close()
        else:
            run(["psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", db.url, "-f", str(d / "up.sql"),
                 "-c", f"INSERT INTO __diesel_schema_migrations (version) VALUES ('{version}')"])
        done.append(d.name)
    return done


def scale_migration_sql(backend):
    """The migrations' rebuilds of the counters their triggers keep (run after a load with
    the triggers off): report tallies and sections, the figures' per-day counts, the per-desk
    tallies."""
    out, found = [], set()
    for d in migration_dirs(backend):
        text = (d / "up.sql").read_text()
        if "CREATE TABLE report_tallies" in text:
            out += seed.rebuild_statements(text)
            found.add("report_tallies")
        if "CREATE TABLE stats_days" in text:
            out += seed.stats_rebuild_statements(text)
            found.add("stats_days")
        if "CREATE TABLE desk_tallies" in text:
            out += seed.desk_tallies_rebuild_statements(text)
            found.add("desk_tallies")
    for table in ("report_tallies", "stats_days", "desk_tallies"):
        if table not in found:
            die(f"no migration in migrations/{backend} creates {table}")
    return out


# -- the server ----------------------------------------------------------------------------------

class Server:
    def __init__(self, binary, env, workdir, label):
        self.binary = binary
        self.env = env
        self.port = int(env["CORRIGENDA_BIND"].rsplit(":", 1)[1])
        self.log_path = workdir / f"server-{label}.log"
        self.proc = None
        self.startup = None

    def start(self, timeout):
        self.logf = open(self.log_path, "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen([str(self.binary), "serve"], env=self.env, stdout=self.logf,
                                     stderr=subprocess.STDOUT)
        while True:
            if self.proc.poll() is not None:
                die(f"the server exited ({self.proc.returncode}) before answering /healthz; see {self.log_path}:\n"
                    + self.log_path.read_text()[-3000:])
            try:
                status, _, _ = http_get(self.port, "/healthz", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() - t0 > timeout:
                self.stop()
                die(f"the server did not answer /healthz within {timeout}s; see {self.log_path}")
            time.sleep(0.02)
        self.startup = time.monotonic() - t0
        return self.startup

    def settle(self, limit=120.0):
        """Waits until requests queued by the last run are done: /readyz (which takes a pooled
        connection) answers within 50 ms three times in a row. Returns the seconds waited."""
        t0 = time.monotonic()
        fast = 0
        while fast < 3 and time.monotonic() - t0 < limit:
            t = time.monotonic()
            try:
                status, _, _ = http_get(self.port, "/readyz", timeout=limit)
            except OSError:
                status = 0
            fast = fast + 1 if status == 200 and time.monotonic() - t < 0.05 else 0
            if fast < 3:
                time.sleep(0.05)
        return time.monotonic() - t0

    def peak_rss_kb(self):
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            return None
        return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.logf.close()


def http_request(port, method, path, headers=None, body=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.getheaders(), data
    finally:
        conn.close()


def http_get(port, path, headers=None, timeout=60):
    return http_request(port, "GET", path, headers, timeout=timeout)


def header_lines(headers):
    return [f"{k}: {v}" for k, v in headers.items()]


def cookie_from(headers, name):
    for k, v in headers:
        if k.lower() == "set-cookie" and v.startswith(name + "="):
            return v.split(";", 1)[0].split("=", 1)[1]
    return None


def login(port, email, password):
    """GET /login for the CSRF token and cookie, POST the form; returns the session cookie header."""
    status, headers, body = http_get(port, "/login")
    if status != 200:
        die(f"GET /login answered {status}")
    page = body.decode()
    m = re.search(r'<input[^>]*name="csrf"[^>]*>', page)
    if not m:
        die("the sign-in page has no csrf field")
    csrf = html.unescape(re.search(r'value="([^"]*)"', m.group(0)).group(1))
    login_cookie = cookie_from(headers, "corrigenda_login")
    form = urllib.parse.urlencode({"email": email, "password": password, "csrf": csrf, "next": "/desk"})
    status, headers, body = http_request(port, "POST", "/login", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"corrigenda_login={login_cookie}",
    }, form)
    session = cookie_from(headers, "corrigenda_session")
    if status != 303 or not session:
        die(f"signing in failed: POST /login answered {status}: {body[:300]!r}")
    return f"corrigenda_session={session}"


# -- wrk and nginx ------------------------------------------------------------------------------

class Wrk:
    def __init__(self, args, workdir):
        self.threads = args.threads
        self.connections = args.connections
        self.duration = args.duration
        self.codes = args.count_codes
        self.script = HERE / "bench.lua"
        self.workdir = workdir

    def run(self, port, path, headers=None, paths_file=None, posts_file=None):
        env = dict(os.environ)
        env["BENCH_PATHS"] = str(paths_file or "")
        env["BENCH_POSTS"] = str(posts_file or "")
        env["BENCH_CODES"] = "1" if self.codes else "0"
        cmd = ["wrk", f"-t{self.threads}", f"-c{self.connections}", f"-d{self.duration}s", "--latency",
               "--timeout", "10s", "-s", str(self.script)]
        for h in header_lines(headers or {}):
            cmd += ["-H", h]
        cmd.append(f"http://127.0.0.1:{port}{path}")
        load = os.getloadavg()[0]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=self.duration + 60)
        m = re.search(r"^BENCHJSON (\{.*\})$", out.stdout, re.M)
        if out.returncode != 0 or not m:
            die(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        r = json.loads(m.group(1))
        secs = r["duration_us"] / 1e6
        errors = r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
        non2xx = r["non2xx_counted"] if r["codes_counted"] else r["status_errors"]
        nm = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
        return {
            "requests": r["requests"], "seconds": round(secs, 3),
            "rps": round(r["requests"] / secs, 1) if secs else 0.0,
            "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
            "max_ms": r["max_us"] / 1000, "mean_ms": round(r["mean_us"] / 1000, 3),
            "bytes": r["bytes"], "non2xx": non2xx, "socket_errors": errors, "timeouts": r["timeouts"],
            "wrk_non2xx_line": int(nm.group(1)) if nm else 0, "codes": r["codes"] if r["codes_counted"] else None,
            "loadavg_before": round(load, 2),
        }


class Nginx:
    """Serves fixed bytes per request URI from its own prefix: no root, no system config."""

    TYPES = {"html": "text/html", "json": "application/json", "atom": "application/atom+xml"}

    def __init__(self, workdir):
        self.dir = workdir / "nginx"
        self.static = self.dir / "static"
        self.static.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.routes = []  # (uri or regex, file)
        self.proc = None

    def add(self, name, uri, body, content_type, regex=False):
        ext = {"text/html": "html", "application/json": "json", "application/atom+xml": "atom"}.get(
            content_type.split(";")[0].strip(), "html")
        fname = f"{name}.{ext}"
        (self.static / fname).write_bytes(body)
        self.routes.append((uri, fname, regex))

    def start(self):
        for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
            (self.dir / d).mkdir(exist_ok=True)
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
        lines = []
        for uri, fname, regex in self.routes:
            key = f"~{uri}" if regex else uri
            lines.append(f'        "{key}" "{fname}";')
        conf = f"""
{user}
worker_processes 2;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    types {{ {' '.join(f'{v} {k};' for k, v in self.TYPES.items())} }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types application/json application/atom+xml;
    map_hash_bucket_size 1024;
    map_hash_max_size 8192;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000000;
    client_body_temp_path {self.dir}/client_body;
    proxy_temp_path {self.dir}/proxy;
    fastcgi_temp_path {self.dir}/fastcgi;
    uwsgi_temp_path {self.dir}/uwsgi;
    scgi_temp_path {self.dir}/scgi;
    map $request_uri $bench_file {{
        default "";
{chr(10).join(lines)}
    }}
    server {{
        listen 127.0.0.1:{self.port};
        root {self.static};
        location / {{
            if ($bench_file = "") {{ return 404; }}
            try_files /$bench_file =404;
        }}
    }}
}}
"""
        conf_path = self.dir / "nginx.conf"
        conf_path.write_text(conf)
        test = run(["nginx", "-t", "-p", str(self.dir), "-c", str(conf_path), "-e", str(self.dir / "logs/error.log")],
                   check=False)
        if test.returncode != 0:
            die(f"nginx rejected its configuration:\n{test.stderr}")
        self.proc = subprocess.Popen(["nginx", "-p", str(self.dir), "-c", str(conf_path),
                                      "-e", str(self.dir / "logs/error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                http_get(self.port, "/", timeout=1)
                return
            except OSError:
                time.sleep(0.05)
        die("nginx did not start; see " + str(self.dir / "logs/error.log"))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- raw insert rate --------------------------------------------------------------------------

def raw_insert_sqlite(db, workdir, seconds):
    """One report-sized row per transaction (BEGIN; INSERT; COMMIT) into a scratch WAL database."""
    ddl = db.query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'reports'")[0][0]
    ddl = re.sub(r"\bREFERENCES\s+\w+\s*\(\s*\w+\s*\)", "", ddl)
    ddl = re.sub(r"CREATE TABLE\s+\"?reports\"?", "CREATE TABLE scratch_reports", ddl, count=1)
    indexes = [r[0] for r in db.query("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reports' "
                                      "AND sql IS NOT NULL")]
    path = workdir / "scratch.db"
    for p in workdir.glob("scratch.db*"):
        p.unlink()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(ddl)
    for sql in indexes:
        conn.execute(re.sub(r"INDEX\s+(\w+)\s+ON\s+reports", r"INDEX scratch_\1 ON scratch_reports", sql))
    cols = [r[1] for r in conn.execute("PRAGMA table_info(scratch_reports)") if r[1] != "id"]
    values = _scratch_values(cols)
    sql = f"INSERT INTO scratch_reports ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    ti = cols.index("token_hash")
    n = 0
    t0 = time.monotonic()
    end = t0 + seconds
    while True:
        values[ti] = hashlib.sha256(n.to_bytes(8, "little")).hexdigest()
        conn.execute("BEGIN")
        conn.execute(sql, values)
        conn.execute("COMMIT")
        n += 1
        if n % 64 == 0 and time.monotonic() >= end:
            break
    secs = time.monotonic() - t0
    conn.close()
    for p in workdir.glob("scratch.db*"):
        p.unlink()
    return {"method": "python sqlite3, BEGIN; INSERT; COMMIT per row, WAL, synchronous=NORMAL, 1 connection",
            "rows": n, "seconds": round(secs, 2), "rows_per_s": round(n / secs, 1)}


def _scratch_values(cols):
    known = {
        "article_id": "world-0000001", "category": "factual_error",
        "quote": "the Pentagon said that an estimated 11,000 to 12,000 North Korean troops",
        "explanation": "The Pentagon said 11,000 to 12,000; the article says 20,000, which is wrong.",
        "evidence_urls": '["https://evidence.example/1"]', "reporter_name": "Ada Reader",
        "reporter_email": "ada@example.com", "status": "new", "severity": "normal",
        "deadline_at": "2026-12-04 10:00:00", "assignee_id": None, "duplicate_of": None, "version": 1,
        "created_at": "2026-12-01 10:00:00", "updated_at": "2026-12-01 10:00:00", "severity_rank": 2,
        "quote_start": 120, "quote_end": 190, "token_hash": "",
    }
    return [known.get(c) for c in cols]


def raw_insert_postgres(db, workdir, args):
    """pgbench: 64 clients, one single-row INSERT per transaction into a scratch table shaped like reports."""
    db.query("DROP TABLE IF EXISTS bench_scratch_reports; "
             "CREATE TABLE bench_scratch_reports (LIKE reports INCLUDING INDEXES); "
             "ALTER TABLE bench_scratch_reports ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
    cols = [r[0] for r in db.query("SELECT column_name FROM information_schema.columns WHERE table_name = "
                                   "'bench_scratch_reports' AND column_name <> 'id' ORDER BY ordinal_position")]
    vals = []
    for c, v in zip(cols, _scratch_values(cols)):
        if c == "token_hash":
            vals.append("md5(random()::text || clock_timestamp()::text) || md5(random()::text)")
        elif v is None:
            vals.append("NULL")
        elif isinstance(v, int):
            vals.append(str(v))
        else:
            vals.append("'" + str(v).replace("'", "''") + "'")
    script = workdir / "insert.sql"
    script.write_text(f"INSERT INTO bench_scratch_reports ({', '.join(cols)}) VALUES ({', '.join(vals)});\n")
    clients = args.connections
    out = run(["pgbench", "-n", "-c", str(clients), "-j", str(args.threads), "-T", str(args.duration),
               "-f", str(script), db.url], check=False)
    db.query("DROP TABLE IF EXISTS bench_scratch_reports")
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    if out.returncode != 0 or not m:
        die(f"pgbench failed:\n{out.stdout}\n{out.stderr}")
    tx = re.search(r"number of transactions actually processed: (\d+)", out.stdout)
    return {"method": f"pgbench -n -c {clients} -j {args.threads} -T {args.duration}, one INSERT per transaction",
            "rows": int(tx.group(1)) if tx else None, "seconds": args.duration, "rows_per_s": round(float(m.group(1)), 1)}


# -- the benchmark ---------------------------------------------------------------------------

def check_tools(args):
    need = ["wrk", "nginx"] + (["psql", "pgbench"] if args.backend == "postgres" else [])
    if not args.no_build:
        need.append("cargo")
    missing = [t for t in need if shutil.which(t) is None and not (t == "nginx" and Path("/usr/sbin/nginx").exists())]
    if missing:
        lines = "\n".join(f"  {t:<8} {INSTALL_HINT[t]}" for t in missing)
        die(f"missing tools:\n{lines}\n(on Debian/Ubuntu, as root: apt-get update && "
            f"apt-get install wrk nginx-light postgresql-client)")
    if shutil.which("nginx") is None:
        os.environ["PATH"] += os.pathsep + "/usr/sbin"


def build(args):
    if args.no_build:
        log("--no-build: using the existing binary")
        return
    log("cargo build --release --locked")
    t0 = time.monotonic()
    out = subprocess.run(["cargo", "build", "--release", "--locked"], cwd=REPO)
    if out.returncode != 0:
        die("cargo build failed")
    log(f"built in {time.monotonic() - t0:.0f}s")


def git_state():
    try:
        head = run(["git", "-C", str(REPO), "rev-parse", "HEAD"], check=False).stdout.strip()
        dirty = bool(run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                         check=False).stdout.strip())
        return {"commit": head, "dirty": dirty}
    except OSError:
        return {}


# Sections no desk of `seed.DESKS` takes: their reports stay in the general queue.
GENERAL = set(seed.SECTIONS) - {s for d in seed.DESKS for s in d["sections"]}


def cli(binary, env, *argv, input=None):
    return run([str(binary), *argv], env=env, input=input)


class Bench:
    def __init__(self, args):
        self.args = args
        self.results = {
            "backend": args.backend, "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "git": git_state(), "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                                            "python": platform.python_version()},
            "settings": {k: v for k, v in vars(args).items()}, "stages": [], "endpoints": [],
        }

    def main(self):
        args = self.args
        check_tools(args)
        build(args)
        self.binary = Path(args.binary).resolve()
        if not self.binary.exists():
            die(f"{self.binary} does not exist (build it, or drop --no-build)")
        st = self.binary.stat()
        if args.workdir:
            self.workdir = Path(args.workdir).resolve()
            self.workdir.mkdir(parents=True, exist_ok=True)
        else:
            self.workdir = Path(tempfile.mkdtemp(prefix="corrigenda-bench-"))
        log(f"work directory {self.workdir}")
        # A copy: a rebuild during the run must not change the server between stages.
        copy = self.workdir / "corrigenda"
        shutil.copy2(self.binary, copy)
        self.results["binary"] = {"path": str(self.binary), "mtime_utc": time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(st.st_mtime)),
            "sha256": hashlib.sha256(copy.read_bytes()).hexdigest()}
        self.binary = copy
        self.db = Database(args, self.workdir)
        try:
            self.run_all()
        finally:
            self.cleanup()

    def cleanup(self):
        for thing in ("server", "nginx"):
            obj = getattr(self, thing, None)
            if obj:
                obj.stop()
        if hasattr(self, "db"):
            self.db.drop()
            if self.args.keep:
                log(f"kept the database: {self.db.display}")
        if self.args.keep or self.args.workdir:
            log(f"kept the work directory {self.workdir}")
        elif hasattr(self, "workdir"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def env(self):
        hour = (time.gmtime().tm_hour + 12) % 24  # keep the daily digest out of the measurements
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.db.url,
            "CORRIGENDA_BIND": f"127.0.0.1:{self.port}",
            "CORRIGENDA_REPORT_RATE_LIMIT": "0",
            "CORRIGENDA_SIGNING_KEY": str(self.workdir / "signing.key"),
            "CORRIGENDA_MAIL_DIR": str(self.workdir / "mail"),
            "CORRIGENDA_DIGEST_HOUR": str(hour),
            "CORRIGENDA_TIMEZONE": "UTC",
            "RUST_LOG": self.args.server_log,
        })
        return env

    def prepare(self):
        """Migrate, create the staff accounts through the CLI, and open the seeder."""
        args = self.args
        self.port = free_port()
        env = self.env()
        (self.workdir / "mail").mkdir(exist_ok=True)
        t0 = time.monotonic()
        out = cli(self.binary, env, "migrate")
        log(out.stdout.strip())
        self.results["migrate_output"] = out.stdout.strip()
        self.results["migrations_applied_by_bench"] = ensure_migrations(self.db, args.backend, out.stdout)
        self.password = hashlib.sha256(os.urandom(16)).hexdigest()[:24]
        staff = [("bench-standards@example.com", "Bench Standards", "standards_editor"),
                 ("bench-approver@example.com", "Bench Approver", "standards_editor")]
        staff += [(f"bench-editor{i}@example.com", f"Bench Editor {i}", "editor") for i in range(1, 9)]
        for email, name, role in staff:
            cli(self.binary, env, "user", "add", "--email", email, "--name", name, "--role", role,
                "--password-stdin", input=self.password + "\n")
        self.email = staff[0][0]
        out = cli(self.binary, env, "token", "create", "--email", self.email, "--name", "bench")
        self.api_token = out.stdout.strip().splitlines()[-1].strip()
        rows = self.db.query("SELECT id, email, role FROM users ORDER BY id")
        by_email = {r[1]: int(r[0]) for r in rows}
        users = {"standards": [by_email[e] for e, _, r in staff if r == "standards_editor"],
                 "editors": [by_email[e] for e, _, r in staff if r == "editor"]}
        standards = [(int(i), c, int(v)) for i, c, v in self.db.query("SELECT id, code, version FROM standards")]
        desks = self.make_desks(env, staff, by_email)
        self.results["prepare_seconds"] = round(time.monotonic() - t0, 1)
        full_r = args.full_reports
        plan = seed.Plan(args.full_articles or max(1, full_r // 3), full_r,
                         args.full_corrections or max(1, full_r // 3), time.time())
        self.plan = plan
        if args.backend == "sqlite":
            sink = seed.SqliteSink(str(self.db.path))
        else:
            sink = seed.PostgresSink(self.db.url, self.workdir / "psql-load.log")
        self.seeder = seed.Seeder(sink, plan, users, standards, seed=args.seed, events=not args.no_events,
                                  progress=not args.quiet, desks=desks)
        self.migration_sql = scale_migration_sql(args.backend) if args.backend == "postgres" else []

    def make_desks(self, env, staff, by_email):
        """The desks of `seed.DESKS`, made with `corrigenda desk add` before any report exists;
        one editor marked away. Returns the rules as the seeder routes by them."""
        def email(code):
            if code.startswith("s"):
                return [e for e, _, r in staff if r == "standards_editor"][int(code[1:])]
            return f"bench-editor{int(code[1:])}@example.com"

        for d in seed.DESKS:
            argv = ["desk", "add", d["slug"], "--name", d["name"], "--assignment", d["assignment"],
                    "--lead", email(d["lead"])]
            for m in d["members"]:
                argv += ["--member", email(m)]
            for flag, key in (("--section", "sections"), ("--category", "categories"), ("--severity", "severities")):
                for v in d[key]:
                    argv += [flag, v]
            log(cli(self.binary, env, *argv).stdout.strip().splitlines()[0])
        self.db.execute(f"UPDATE users SET away = TRUE WHERE email = '{email(seed.AWAY)}'")
        ids = {slug: int(i) for i, slug in self.db.query("SELECT id, slug FROM desks ORDER BY position")}
        if list(ids) != [d["slug"] for d in seed.DESKS]:
            die(f"the desks are {list(ids)} in rule order, expected {[d['slug'] for d in seed.DESKS]}")
        self.desk_slug = "news"
        self.results["desks"] = [{**d, "id": ids[d["slug"]]} for d in seed.DESKS]
        return [{"id": ids[d["slug"]], "sections": d["sections"], "categories": d["categories"],
                 "severities": d["severities"],
                 "editors": [by_email[email(m)] for m in d["members"] if m.startswith("e")] or
                            [by_email[email(m)] for m in d["members"]]} for d in seed.DESKS]

    def run_all(self):
        args = self.args
        self.prepare()
        full = args.full_reports
        sizes = sorted({min(parse_size(s, full), full) for s in args.sizes.split(",") if s.strip()})
        if not sizes:
            die("--sizes names no size")
        self.results["sizes"] = sizes
        for n, reports in enumerate(sizes):
            last = n == len(sizes) - 1
            label = size_label(reports, full)
            stage = self.seed_stage(reports, label)
            if args.seed_only:
                continue
            if args.stats_only:
                self.measure_stats(stage)
                continue
            self.measure_stage(stage, last)
        self.finish()

    def seed_stage(self, reports, label):
        A, R, C = self.plan.stage(reports)
        log(f"seeding stage {label}: up to {A:,} articles, {R:,} reports, {C:,} published corrections")
        t0 = time.monotonic()
        phases = self.seeder.grow(reports, self.migration_sql)
        seconds = time.monotonic() - t0
        log(f"stage {label} seeded in {seconds:.1f}s ({', '.join(f'{k} {v:.1f}s' for k, v in phases.items())})")
        counts = {t: int(self.db.scalar(f"SELECT COUNT(*) FROM {t}")) for t in
                  ("articles", "reports", "events", "corrections", "correction_standards", "correction_reports",
                   "log_entries")}
        tallies = int(self.db.scalar("SELECT COALESCE(SUM(n), 0) FROM report_tallies"))
        if tallies != counts["reports"]:
            die(f"report_tallies sum to {tallies} but there are {counts['reports']} reports")
        self.check_desk_tallies("after seeding")
        by_desk = {str(d): int(n) for d, n in self.db.query(
            "SELECT COALESCE(desks.slug, 'general'), COUNT(*) FROM reports LEFT JOIN desks ON desks.id = reports.desk_id "
            "GROUP BY 1 ORDER BY 1")}
        open_by_desk = {str(d): int(n) for d, n in self.db.query(
            "SELECT COALESCE(desks.slug, 'general'), SUM(n) FROM desk_tallies LEFT JOIN desks ON desks.id = "
            "desk_tallies.desk_id WHERE status IN ('new', 'triaged', 'in_review', 'needs_info', 'awaiting_approval', "
            "'appealed') GROUP BY 1 ORDER BY 1")}
        log(f"reports per desk {by_desk}; open {open_by_desk}")
        sections = self.db.query("SELECT COALESCE(SUM(reports), 0), COALESCE(SUM(corrections), 0) FROM sections")[0]
        if int(sections[0]) != counts["reports"] or int(sections[1]) != counts["corrections"]:
            die(f"sections count {sections} but there are {counts['reports']} reports and "
                f"{counts['corrections']} corrections")
        by_status = dict((s, int(n)) for s, n in self.db.query(
            "SELECT status, COUNT(*) FROM reports GROUP BY status ORDER BY status"))
        t1 = time.monotonic()
        out = cli(self.binary, self.env(), "verify-log", "--database")
        verified = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
        if not verified.startswith("log verified"):
            die(f"verify-log did not verify the seeded log:\n{out.stdout}\n{out.stderr}")
        verify_s = time.monotonic() - t1
        log(f"{verified[:90]}... ({verify_s:.1f}s)")
        stage = {
            "label": label, "reports_target": reports, "seed_seconds": round(seconds, 1),
            "phases": {k: round(v, 1) for k, v in phases.items()}, "rows": counts, "report_statuses": by_status,
            "tallies_sum": tallies, "reports_by_desk": by_desk, "open_by_desk": open_by_desk,
            "verify_log": verified, "verify_log_seconds": round(verify_s, 1),
            "db_bytes": self.db.size_bytes(),
        }
        self.results["stages"].append(stage)
        self.save()
        return stage

    def check_desk_tallies(self, when):
        """The per-desk tallies, row for row against the reports they count."""
        reports = ("SELECT COALESCE(desk_id, 0), status, category, severity, COALESCE(assignee_id, 0), COUNT(*) "
                   "FROM reports GROUP BY 1, 2, 3, 4, 5")
        tallies = "SELECT desk_id, status, category, severity, assignee_id, n FROM desk_tallies WHERE n <> 0"
        off = [int(self.db.scalar(f"SELECT COUNT(*) FROM ({a} EXCEPT {b}) x"))
               for a, b in ((reports, tallies), (tallies, reports))]
        if any(off):
            die(f"desk_tallies disagree with the reports {when}: {off[0]} counts missing or wrong, {off[1]} extra")

    # -- measuring --------------------------------------------------------------------------

    def start_server(self, label):
        self.server = Server(self.binary, self.env(), self.workdir, label)
        log(f"starting the server ({label})")
        startup = self.server.start(self.args.startup_timeout)
        log(f"start-up (process start to first /healthz 200): {startup:.2f}s")
        return startup

    def endpoints(self, last):
        """(name, method, path, auth, nginx?, extra) for this stage; the scaling set always, the rest at the end."""
        port = self.server.port
        hot = seed.article_id(0)
        A, R, C = self.plan.stage(self.seeder.r_done)
        cold = seed.article_id(self.plan.cold_article(A))
        slug = self.desk_slug
        eps = [
            ("notice (hot article)", "GET", f"/articles/{hot}/notice", None, True, {}),
            ("notice (cold article)", "GET", f"/articles/{cold}/notice", None, True, {}),
            ("article log HTML (hot)", "GET", f"/articles/{hot}/corrections", None, True, {}),
            ("site log, first page", "GET", "/corrections", None, True, {}),
            ("desk queue /desk", "GET", "/desk?status=new&sort=deadline", "cookie", False, {}),
            ("desk queue API", "GET", "/api/v1/desk/reports?status=new&sort=deadline", "bearer", False, {}),
            # The bench's account belongs to desks, so its bare /desk opens on "My desks" (below).
            ("desk view open", "GET", "/desk?view=open", "cookie", False, {}),
            ("desk view mine", "GET", "/desk?view=mine", "cookie", False, {}),
            ("desk API view closed", "GET", "/api/v1/desk/reports?view=closed", "bearer", False, {}),
            ("desk search one word", "GET", "/desk?view=all&q=harbour", "cookie", False, {}),
            ("desk API search two words", "GET", "/api/v1/desk/reports?view=all&q=stadium+delayed", "bearer", False, {}),
            ("desk API search by number", "GET", "/api/v1/desk/reports?q=%2312345", "bearer", False, {}),
            # Desks: the queue under a desk filter, the members' default view, the desks page.
            ("desk as a member /desk (My desks)", "GET", "/desk", "cookie", False, {}),
            (f"desk ?desk={slug}", "GET", f"/desk?desk={slug}", "cookie", False, {}),
            (f"desk API ?desk={slug}&sort=deadline", "GET", f"/api/v1/desk/reports?desk={slug}&sort=deadline",
             "bearer", False, {}),
            ("desk API ?view=my_desks", "GET", "/api/v1/desk/reports?view=my_desks", "bearer", False, {}),
            ("desk API ?desk=none", "GET", "/api/v1/desk/reports?desk=none", "bearer", False, {}),
            ("desks page /desk/desks", "GET", "/desk/desks", "cookie", False, {}),
            ("desks API", "GET", "/api/v1/desk/desks", "bearer", False, {}),
        ]
        if not last:
            return eps
        deep = self.deep_cursor(port)
        size = int(self.db.scalar("SELECT COUNT(*) FROM log_entries"))
        frm = max(0, size // 2 - 50)
        ticket = self.db.scalar(f"SELECT MAX(id) FROM reports WHERE article_id = '{hot}'")
        tokens_file = self.workdir / "tracking-paths.txt"
        tokens_file.write_text("".join(f"/reports/{t[0]}\n" for t in self.seeder.tokens))
        eps += [
            ("article log JSON (hot)", "GET", f"/api/v1/articles/{hot}/corrections", None, True, {}),
            ("site log, deep page (~20 pages)", "GET", f"/corrections?cursor={urllib.parse.quote(deep)}", None,
             True, {}),
            ("site Atom feed", "GET", "/corrections.atom", None, True, {}),
            ("article Atom feed (hot)", "GET", f"/articles/{hot}/corrections.atom", None, True, {}),
            ("log checkpoint", "GET", "/api/v1/log/checkpoint", None, True, {}),
            ("log entries (100)", "GET", f"/api/v1/log/entries?from={frm}&to={frm + 100}", None, True, {}),
            (f"tracking page ({len(self.seeder.tokens)} tokens)", "GET", f"/reports/{self.seeder.tokens[0][0]}",
             None, True, {"paths_file": tokens_file}),
            ("desk queue /desk?category=misquote", "GET", "/desk?category=misquote&sort=severity", "cookie", False, {}),
            ("desk queue API ?category=misquote", "GET",
             "/api/v1/desk/reports?category=misquote&status=new,triaged,in_review", "bearer", False, {}),
            ("desk ticket (hot article)", "GET", f"/desk/reports/{ticket}", "cookie", False, {}),
            # Filing routes the report: the desks' rules, and on a desk that assigns automatically
            # a member chosen (desk row locked on PostgreSQL) and told. The general queue's
            # sections match no desk: the same work without the choice.
            ("report submission (POST)", "POST", "/api/v1/articles/{id}/reports", None, False,
             {"posts_file": self.posts_file("posts.tsv", lambda a: True)}),
            ("report submission (POST), routed to a desk", "POST", "/api/v1/articles/{id}/reports", None, False,
             {"posts_file": self.posts_file("posts-desk.tsv", lambda a: self.section(a) not in GENERAL)}),
            ("report submission (POST), general queue", "POST", "/api/v1/articles/{id}/reports", None, False,
             {"posts_file": self.posts_file("posts-general.tsv", lambda a: self.section(a) in GENERAL)}),
        ]
        return eps

    def deep_cursor(self, port, pages=20):
        path = "/api/v1/corrections?limit=50"
        cursor = None
        for _ in range(pages):
            status, _, body = http_get(port, path if cursor is None else f"{path}&cursor={urllib.parse.quote(cursor)}")
            if status != 200:
                die(f"GET {path} answered {status}")
            nxt = json.loads(body).get("next")
            if not nxt:
                break
            cursor = nxt
        return cursor or ""

    @staticmethod
    def section(a):
        return seed.SECTIONS[seed.mix64(a) % 20]

    def posts_file(self, name, keep):
        """Valid report bodies for ~1000 articles whose texts we know (those `keep` takes), spread
        over the whole range."""
        path = self.workdir / name
        A = self.seeder.a_done
        art = self.seeder.art
        lines = []
        step = max(1, A // 20000)
        chosen = [a for a in range(1, A, step) if keep(a)]
        chosen = chosen[::max(1, len(chosen) // 1000)]
        cats = seed.ALL_CATEGORIES
        for k, a in enumerate(chosen):
            for v in range(3):
                quote, _, _ = art.quote(a, ((k * 3 + v) * 0.6180339887) % 1.0)
                body = {
                    "category": cats[(k + v) % len(cats)], "quote": quote,
                    "explanation": "The figure in this passage does not match the official record published "
                                   "by the statistics office last week.",
                    "evidence_urls": [f"https://evidence.example/{k}/{v}"],
                    "reporter_name": "Bench Reader", "reporter_email": f"bench{k}.{v}@example.com",
                }
                lines.append(f"/api/v1/articles/{seed.article_id(a)}/reports\t{json.dumps(body)}\n")
        path.write_text("".join(lines))
        self.posts_count = len(lines)
        return path

    def auth_headers(self, auth):
        if auth == "cookie":
            return {"Cookie": self.cookie}
        if auth == "bearer":
            return {"Authorization": f"Bearer {self.api_token}"}
        return {}

    def preflight(self, method, path, headers, extra):
        """One request with the same headers: the status must be right (catches redirects wrk would not)."""
        if method == "POST":
            first = extra["posts_file"].read_text().splitlines()[0]
            p, body = first.split("\t", 1)
            status, hdrs, data = http_request(self.server.port, "POST", p, {**headers, "Content-Type":
                                                                               "application/json"}, body)
            return status, hdrs, data, status == 201
        status, hdrs, data = http_get(self.server.port, path, headers)
        return status, hdrs, data, status == 200

    def measure_stats(self, stage, runs=5):
        """The transparency figures, timed one request at a time (each reads the whole period,
        so concurrency would only queue them): the default twelve months, and all the data."""
        self.start_server(stage["label"])
        first_day = time.strftime("%Y-%m-%d", time.gmtime(self.plan.t0))
        bearer = self.auth_headers("bearer")
        rows = []
        for name, path, headers in (
                ("stats, default 12 months", "/api/v1/stats", {}),
                ("stats, all data", f"/api/v1/stats?from={first_day}", {}),
                ("desk stats, all data", f"/api/v1/desk/stats?from={first_day}", bearer),
                ("stats, all data, one section", f"/api/v1/stats?from={first_day}&section=World", {})):
            times = []
            first_ms = None
            for i in range(runs + 1):
                t = time.monotonic()
                status, _, body = http_get(self.server.port, path, headers, timeout=600)
                if status != 200:
                    die(f"{path} answered {status}: {body[:300]!r}")
                if i:  # the first request warms the caches (and counts the public figures it keeps)
                    times.append(time.monotonic() - t)
                else:
                    first_ms = round((time.monotonic() - t) * 1000, 1)
            figures = json.loads(body)
            row = {"name": name, "path": path, "runs": runs, "first_ms": first_ms,
                   "median_ms": round(sorted(times)[runs // 2] * 1000, 1),
                   "max_ms": round(max(times) * 1000, 1), "reports_received": figures["reports"]["received"],
                   "corrections_published": figures["corrections"]["published"]}
            log(f"{name}: first {first_ms:,.1f} ms, then median {row['median_ms']:,.1f} ms, max {row['max_ms']:,.1f} ms "
                f"({row['reports_received']:,} reports, {row['corrections_published']:,} corrections)")
            rows.append(row)
        stage["stats"] = rows
        stage["peak_rss_kb"] = self.server.peak_rss_kb()
        self.server.stop()
        self.server = None
        self.save()

    def measure_stage(self, stage, last):
        args = self.args
        stage["startup_seconds"] = round(self.start_server(stage["label"]), 3)
        self.cookie = login(self.server.port, self.email, self.password)
        wrk = Wrk(args, self.workdir)
        nginx = None
        if last and not args.skip_nginx:
            nginx = self.nginx = Nginx(self.workdir)
        rows = []
        eps = self.endpoints(last)
        # Report submissions change the data: they run last.
        for name, method, path, auth, public, extra in eps:
            headers = self.auth_headers(auth)
            status, hdrs, body, ok = self.preflight(method, path, headers, extra)
            if not ok:
                loud(f"{name}: {method} {path} answered {status} (expected {'201' if method == 'POST' else '200'}): "
                     f"{body[:200]!r}")
            log(f"wrk {name}: {method} {path[:80]}")
            r = wrk.run(self.server.port, path, headers, extra.get("paths_file"), extra.get("posts_file"))
            r["peak_rss_kb"] = self.server.peak_rss_kb()
            r["settle_seconds"] = round(self.server.settle(), 2)
            if r["settle_seconds"] > 1:
                log(f"  the server needed {r['settle_seconds']:.1f}s to finish the requests queued by this run")
            row = {"stage": stage["label"], "name": name, "method": method, "path": path, "auth": auth,
                   "preflight_status": status, "response_bytes": len(body), **r}
            if public and nginx:
                ctype = dict((k.lower(), v) for k, v in hdrs).get("content-type", "text/html")
                if extra.get("paths_file"):
                    nginx.add(f"e{len(rows)}", "^/reports/", body, ctype, regex=True)
                else:
                    nginx.add(f"e{len(rows)}", path, body, ctype)
                row["_nginx"] = extra
            # A redirect or error page mid-run would be much smaller than the page itself.
            avg = r["bytes"] / r["requests"] if r["requests"] else 0
            r["avg_response_bytes"] = round(avg)
            short = len(body) > 300 and r["requests"] > 0 and avg < 0.5 * len(body)
            if short:
                loud(f"{name}: responses averaged {avg:.0f} bytes, the pre-flight body had {len(body)}: "
                     "some were not the page (redirects or errors?)")
            if r["requests"] == 0:
                loud(f"{name}: not one request completed in {args.duration}s")
            if r["non2xx"] or r["socket_errors"] or not ok or short or r["requests"] == 0:
                loud(f"{name}: {r['non2xx']} non-2xx responses, {r['socket_errors']} socket errors/timeouts "
                     f"in {r['requests']} requests")
                row["errors_flagged"] = True
            rows.append(row)
            log(f"  {r['rps']:,.0f} req/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  "
                f"non-2xx {r['non2xx']}  peak RSS {(r['peak_rss_kb'] or 0) / 1024:.0f} MB")
        stage["peak_rss_kb"] = self.server.peak_rss_kb()
        stage["posts_filed"] = None
        self.server.stop()
        self.server = None
        if any(row["method"] == "POST" for row in rows):
            # Where the submissions went: routing at filing, and the tallies its triggers kept.
            seeded = self.seeder.r_done
            stage["posts_routed"] = {str(d): {"reports": int(n), "assigned": int(a)} for d, n, a in self.db.query(
                "SELECT COALESCE(desks.slug, 'general'), COUNT(*), COUNT(reports.assignee_id) FROM reports "
                f"LEFT JOIN desks ON desks.id = reports.desk_id WHERE reports.id > {seeded} GROUP BY 1 ORDER BY 1")}
            log(f"submissions by desk (reports, assigned on filing): {stage['posts_routed']}")
            self.check_desk_tallies("after the submissions")
        if nginx:
            nginx.start()
            log(f"nginx on 127.0.0.1:{nginx.port} serving the same bytes")
            for row in rows:
                extra = row.pop("_nginx", None)
                if extra is None:
                    continue
                n = wrk.run(nginx.port, row["path"], self.auth_headers(row["auth"]), extra.get("paths_file"))
                row["nginx"] = {k: n[k] for k in ("rps", "p50_ms", "p99_ms", "non2xx", "socket_errors", "requests")}
                row["ratio_to_nginx"] = round(row["rps"] / n["rps"], 4) if n["rps"] else None
                if n["non2xx"] or n["socket_errors"]:
                    loud(f"nginx {row['name']}: {n['non2xx']} non-2xx, {n['socket_errors']} socket errors")
                log(f"  nginx {row['name']}: {n['rps']:,.0f} req/s  p99 {n['p99_ms']:.2f} ms")
            nginx.stop()
            self.nginx = None
        if last and not args.skip_raw:
            log("raw insert rate")
            raw = raw_insert_sqlite(self.db, self.workdir, args.duration) if args.backend == "sqlite" \
                else raw_insert_postgres(self.db, self.workdir, args)
            self.results["raw_insert"] = raw
            for row in rows:
                if row["method"] == "POST":
                    row["ratio_to_raw_insert"] = round(row["rps"] / raw["rows_per_s"], 4)
            log(f"  raw insert: {raw['rows_per_s']:,.0f} rows/s ({raw['method']})")
        self.results["endpoints"].extend(rows)
        if last:
            tokens = self.workdir / "tracking-tokens.txt"
            tokens.write_text("".join(f"{t[0]}\t{t[1]}\t{seed.article_id(t[2])}\t{t[3]}\n" for t in self.seeder.tokens))
            self.results["tracking_tokens_file"] = str(tokens)
        self.save()

    # -- output -------------------------------------------------------------------------------

    def save(self):
        out_dir = Path(self.args.results_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        if not hasattr(self, "results_path"):
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            self.results_path = out_dir / f"{stamp}-{self.args.backend}.json"
        self.results_path.write_text(without_paths(json.dumps(self.results, indent=2, default=str)) + "\n")

    def finish(self):
        self.results["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.results["seed_seconds_total"] = round(sum(s["seed_seconds"] for s in self.results["stages"]), 1)
        self.save()
        print(markdown(self.results))
        log(f"results: {self.results_path}")
        flagged = [e["name"] for e in self.results["endpoints"] if e.get("errors_flagged")]
        if flagged:
            loud(f"ERRORS in {len(flagged)} run(s): {', '.join(flagged)} -- these numbers are not valid")


def fmt(x, digits=0):
    if x is None:
        return "-"
    if isinstance(x, float) and digits:
        return f"{x:,.{digits}f}"
    return f"{x:,.0f}" if isinstance(x, (int, float)) else str(x)


def markdown(res):
    out = []
    b = res["backend"]
    out.append(f"## Corrigenda load benchmark: {b}\n")
    git = res.get("git", {})
    out.append(f"Commit {git.get('commit', '?')[:12]}{' (dirty tree)' if git.get('dirty') else ''}, binary built "
               f"{res['binary']['mtime_utc']}, {res['machine']['cpus']} CPUs, wrk -t{res['settings']['threads']} "
               f"-c{res['settings']['connections']} -d{res['settings']['duration']}s on loopback.")
    if res.get("migrations_applied_by_bench"):
        out.append(f"\n**Warning:** the binary lacked migration(s) {', '.join(res['migrations_applied_by_bench'])}; "
                   "the benchmark applied them from the SQL files. Rebuild and re-run.")
    out.append("\n### Seeding\n")
    out.append("| stage | articles | reports | events | corrections (= log entries) | seed time | verify-log | "
               "start-up | DB size |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in res["stages"]:
        r = s["rows"]
        out.append(f"| {s['label']} | {r['articles']:,} | {r['reports']:,} | {r['events']:,} | "
                   f"{r['corrections']:,} | {s['seed_seconds']:.0f} s | {s['verify_log_seconds']:.0f} s | "
                   f"{fmt(s.get('startup_seconds'), 2)} s | {s['db_bytes'] / 2**30:.2f} GiB |")
    out.append(f"\nTotal seeding time: {res.get('seed_seconds_total', 0):.0f} s.")
    timed = [(st["label"], row) for st in res["stages"] for row in st.get("stats", [])]
    if timed:
        out.append("\n### Transparency figures (one request at a time)\n")
        out.append("| stage | request | reports in period | corrections in period | median ms | max ms |")
        out.append("|---|---|---:|---:|---:|---:|")
        for label, row in timed:
            out.append(f"| {label} | {row['name']} | {row['reports_received']:,} | {row['corrections_published']:,} | "
                       f"{row['median_ms']:,.1f} | {row['max_ms']:,.1f} |")
    stages = [s["label"] for s in res["stages"]]
    last = stages[-1] if stages else None
    eps = [e for e in res["endpoints"] if e["stage"] == last]
    if eps:
        out.append(f"\n### Endpoints at {last} ({res['stages'][-1]['rows']['reports']:,} reports)\n")
        out.append("| endpoint | req/s | p50 ms | p99 ms | nginx req/s | Corrigenda/nginx | non-2xx | errors | "
                   "peak RSS MB |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for e in eps:
            n = e.get("nginx")
            ratio = e.get("ratio_to_nginx")
            if e["method"] == "POST" and e.get("ratio_to_raw_insert") is not None:
                ratio_s = f"{e['ratio_to_raw_insert']:.3f} of raw insert"
            else:
                ratio_s = f"{ratio:.3f}" if ratio is not None else "-"
            flag = " **ERRORS**" if e.get("errors_flagged") else ""
            out.append(f"| {e['name']}{flag} | {fmt(e['rps'])} | {e['p50_ms']:.2f} | {e['p99_ms']:.2f} | "
                       f"{fmt(n['rps']) if n else '-'} | {ratio_s} | {e['non2xx']} | {e['socket_errors']} | "
                       f"{(e['peak_rss_kb'] or 0) / 1024:.0f} |")
    raw = res.get("raw_insert")
    if raw:
        post = next((e for e in eps if e["method"] == "POST"), None)
        out.append(f"\nRaw insert rate ({raw['method']}): {fmt(raw['rows_per_s'])} rows/s."
                   + (f" Report submissions: {fmt(post['rps'])}/s = {post['ratio_to_raw_insert']:.3f} of it."
                      if post and post.get("ratio_to_raw_insert") is not None else ""))
    if len(stages) > 1:
        first = stages[0]
        out.append(f"\n### Scaling: {' -> '.join(stages)} (ratio {last}/{first})\n")
        head = " | ".join(f"req/s {s}" for s in stages) + " | " + " | ".join(f"p99 ms {s}" for s in stages)
        out.append(f"| endpoint | {head} | req/s {last}/{first} | p99 {last}/{first} |")
        out.append("|---|" + "---:|" * (2 * len(stages) + 2))
        names = [e["name"] for e in res["endpoints"] if e["stage"] == first]
        for name in names:
            per = {e["stage"]: e for e in res["endpoints"] if e["name"] == name}
            if first not in per or last not in per:
                continue
            rps = " | ".join(fmt(per[s]["rps"]) if s in per and per[s]["requests"] else "-" for s in stages)
            p99 = " | ".join(f"{per[s]['p99_ms']:.2f}" if s in per and per[s]["requests"] else "-" for s in stages)
            ok = per[first]["requests"] and per[last]["requests"]
            r1 = f"{per[last]['rps'] / per[first]['rps']:.2f}" if ok else "- (a run completed no request)"
            r2 = f"{per[last]['p99_ms'] / per[first]['p99_ms']:.2f}" if ok and per[first]["p99_ms"] else "-"
            out.append(f"| {name} | {rps} | {p99} | {r1} | {r2} |")
    out.append("\nreq/s: requests per second over the run; p50/p99: latency percentiles from wrk; "
               "Corrigenda/nginx: req/s of Corrigenda divided by req/s of nginx serving the same bytes; "
               "non-2xx: responses with a status >= 400 (3xx are caught by a pre-flight request); "
               "errors: socket errors and timeouts; peak RSS: the server's VmHWM after the run.")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    ap.add_argument("--sizes", default="10k,1m,full",
                    help="data sizes measured, as report counts, growing one database (default 10k,1m,full)")
    ap.add_argument("--full-reports", type=lambda s: parse_size(s, 0), default=3_000_000,
                    help="reports in the full data set (default 3m); articles and corrections default to a third")
    ap.add_argument("--full-articles", type=lambda s: parse_size(s, 0), default=None)
    ap.add_argument("--full-corrections", type=lambda s: parse_size(s, 0), default=None)
    ap.add_argument("--no-build", action="store_true", help="skip cargo build --release --locked")
    ap.add_argument("--binary", default=str(REPO / "target" / "release" / "corrigenda"))
    ap.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    ap.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--db-path", help="SQLite: the database file (default: in the work directory)")
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432",
                    help="PostgreSQL server (default postgres://postgres@127.0.0.1:5432)")
    ap.add_argument("--pg-database", help="PostgreSQL: database name (default corrigenda_bench_<pid>)")
    ap.add_argument("--keep", action="store_true", help="keep the database and the work directory")
    ap.add_argument("--workdir", help="work directory (kept); default: a new temporary one, removed at the end")
    ap.add_argument("--results-dir", default=str(HERE / "results"))
    ap.add_argument("--seed", type=int, default=1, help="random seed of the data")
    ap.add_argument("--no-events", action="store_true", help="do not seed the reports' events (faster, less real)")
    ap.add_argument("--seed-only", action="store_true", help="seed and verify every stage, measure nothing")
    ap.add_argument("--stats-only", action="store_true",
                    help="at each stage, time only the transparency figures (/api/v1/stats), one request at a time")
    ap.add_argument("--skip-nginx", action="store_true")
    ap.add_argument("--skip-raw", action="store_true", help="skip the raw insert rate")
    ap.add_argument("--count-codes", action="store_true",
                    help="count every status code in wrk (a Lua response hook; slows wrk a little)")
    ap.add_argument("--server-log", default="warn", help="RUST_LOG for the server (default warn: no access log)")
    ap.add_argument("--startup-timeout", type=int, default=900)
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    args = ap.parse_args()
    if args.full_reports < 100:
        die("--full-reports must be at least 100")
    Bench(args).main()


if __name__ == "__main__":
    main()
