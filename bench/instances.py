#!/usr/bin/env python3
"""Public-log throughput through nginx with one, two and three instances on one PostgreSQL
database (run by hand, never by CI). See bench/README.md, "Several instances".

    python3 bench/instances.py                 # builds the release binary first
    python3 bench/instances.py --no-build --reports 300k --duration 8

Seeds one PostgreSQL database with bench.py's data (straight into the tables), then for
N = 1, 2, 3 starts N `corrigenda serve` processes on it behind an nginx upstream
(round-robin, as in the README) and measures the public log with wrk through nginx; also
once straight at one instance, for nginx's own cost. For each run it records the CPU time
spent by wrk, nginx, the instances and PostgreSQL, which says what the two cores were doing.
Installs wrk, nginx and the PostgreSQL client with apt-get when missing (as root).
Results: a markdown table on stdout and bench/results/<UTC time>-instances.json.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench  # noqa: E402
import seed  # noqa: E402
from bench import Database, Server, Wrk, cli, die, free_port, http_get, log, parse_size  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def install_tools():
    """wrk, nginx, psql: installed from Debian when missing (nginx-light where the release has it)."""
    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk")
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        missing.append("nginx")
    if shutil.which("psql") is None:
        missing.append("postgresql-client")
    if missing:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            die(f"missing {', '.join(missing)}: install them (apt-get install wrk nginx-light postgresql-client)")
        log(f"installing {', '.join(missing)}")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        if "nginx" in missing and subprocess.run(["apt-cache", "show", "nginx-light"], capture_output=True).returncode == 0:
            missing[missing.index("nginx")] = "nginx-light"
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, stdout=subprocess.DEVNULL)
    if shutil.which("nginx") is None:
        os.environ["PATH"] += os.pathsep + "/usr/sbin"


def cpu_seconds(pid):
    """utime + stime of a live process, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def postgres_cpu_seconds():
    """CPU time of every live process named postgres (the server and its backends), by pid."""
    seen = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    seen[entry.name] = cpu_seconds(entry.name)
            except OSError:
                pass
    return seen


def machine_busy_seconds():
    """CPU seconds the whole machine spent not idle, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICK


class Balancer:
    """nginx in front of the instances: the README's upstream, its own prefix, no root paths."""

    def __init__(self, workdir, ports, workers, buffers):
        self.dir = workdir / f"nginx-{len(ports)}"
        for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / d).mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in ports)
        d = self.dir
        # Responses up to 512 KB (the hot article's log is ~200 KB) are held in memory; with
        # nginx's default buffers (8 of 4 KB) a larger one goes through a temporary file.
        buffering = "" if buffers == "default" else (
            f"proxy_buffer_size 16k;\n            proxy_buffers {buffers};")
        conf = f"""
worker_processes {workers};
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    keepalive_requests 100000000;
    upstream corrigenda {{
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{self.port};
        location / {{
            proxy_pass http://corrigenda;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_next_upstream error timeout http_502;
            {buffering}
        }}
    }}
}}
"""
        (d / "nginx.conf").write_text(conf)
        argv = ["nginx", "-p", str(d), "-c", str(d / "nginx.conf"), "-e", str(d / "error.log")]
        test = subprocess.run(argv + ["-t"], capture_output=True, text=True)
        if test.returncode != 0:
            die(f"nginx rejected its configuration:\n{test.stderr}")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                if http_get(self.port, "/healthz", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        die(f"nginx did not start; see {d / 'error.log'}")

    def spilled(self):
        """Responses nginx has buffered to a temporary file so far (its warnings)."""
        try:
            return (self.dir / "error.log").read_text().count("buffered to a temporary file")
        except OSError:
            return 0

    def pids(self):
        """The master and its workers."""
        pids = [self.proc.pid]
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Instances(bench.Bench):
    """bench.py's preparation and seeding, then the instance counts."""

    def save(self):
        out_dir = Path(self.args.results_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        if not hasattr(self, "results_path"):
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            self.results_path = out_dir / f"{stamp}-instances.json"
        self.results_path.write_text(bench.without_paths(json.dumps(self.results, indent=2, default=str)) + "\n")

    def cleanup(self):
        for thing in reversed(getattr(self, "running", [])):
            thing.stop()
        super().cleanup()

    def run_all(self):
        args = self.args
        self.prepare()
        self.seed_stage(args.full_reports, "full")
        self.wrk = Wrk(args, self.workdir)
        hot = seed.article_id(0)
        size = int(self.db.scalar("SELECT COUNT(*) FROM log_entries"))
        frm = max(0, size // 2 - 50)
        self.paths = [
            ("article log JSON (hot)", f"/api/v1/articles/{hot}/corrections"),
            ("article log HTML (hot)", f"/articles/{hot}/corrections"),
            ("log entries (100)", f"/api/v1/log/entries?from={frm}&to={frm + 100}"),
            ("site log JSON, first page", "/api/v1/corrections"),
        ]
        self.results["runs"] = []
        counts = sorted({int(n) for n in args.instances.split(",")})
        self.measure(1, through_nginx=False)
        for n in counts:
            self.measure(n, through_nginx=True)
        self.finish()

    def measure(self, n, through_nginx):
        servers = []
        self.running = []
        for i in range(n):
            self.port = free_port()
            server = Server(self.binary, self.env(), self.workdir, f"{n}-{i}")
            server.start(self.args.startup_timeout)
            servers.append(server)
            self.running.append(server)
        balancer = None
        if through_nginx:
            balancer = Balancer(self.workdir, [s.port for s in servers], self.args.nginx_workers,
                                self.args.proxy_buffers)
            self.running.append(balancer)
        port = balancer.port if balancer else servers[0].port
        setup = f"{n} instance(s) through nginx" if through_nginx else "1 instance, no nginx"
        for name, path in self.paths:
            status, _, body = http_get(port, path)
            if status != 200:
                die(f"{setup}: GET {path} answered {status}")
            spilled_before = balancer.spilled() if balancer else 0
            before = self.cpu(servers, balancer)
            r = self.wrk.run(port, path)
            after = self.cpu(servers, balancer)
            # A backend that ended meanwhile is left out (its time is lost, never negative).
            pg_before, pg_after = before.pop("postgres"), after.pop("postgres")
            cpu = {k: round(after[k] - before[k], 2) for k in before}
            cpu["postgres"] = round(sum(t - pg_before.get(pid, 0.0) for pid, t in pg_after.items()), 2)
            secs = r["seconds"] or 1
            share = {k: round(v / secs, 2) for k, v in cpu.items()}
            # Whatever else ran on the machine meanwhile (other processes, the kernel's share not charged to these).
            share["others"] = round(max(0.0, share["machine"] - sum(v for k, v in share.items() if k != "machine")), 2)
            # CPU per request, which other work on the machine does not change much: the whole
            # path (wrk, nginx, the instances, PostgreSQL), and the instances alone.
            ours = sum(v for k, v in cpu.items() if k not in ("machine",))
            per_request = {"path_us": round(ours * 1e6 / r["requests"]) if r["requests"] else None,
                           "corrigenda_us": round(cpu["corrigenda"] * 1e6 / r["requests"]) if r["requests"] else None}
            flagged = bool(r["non2xx"] or r["socket_errors"])
            spilled = (balancer.spilled() if balancer else 0) - spilled_before
            log(f"{setup:<32} {name:<28} {r['rps']:>9,.0f} req/s  p99 {r['p99_ms']:.1f} ms  "
                f"cores: {' '.join(f'{k} {v}' for k, v in share.items())}  nginx temp files {spilled}  "
                f"CPU us/request {per_request['path_us']} (corrigenda {per_request['corrigenda_us']})"
                + ("  !!! ERRORS" if flagged else ""))
            self.results["runs"].append({"instances": n, "nginx": through_nginx, "endpoint": name, "path": path,
                                         "bytes_per_response": len(body), "cores_busy": share,
                                         "nginx_temp_file_warnings": spilled, "cpu_per_request": per_request,
                                         "errors_flagged": flagged, **r})
            for s in servers:
                s.settle()
            self.save()
        # nginx first: its idle upstream connections would hold the instances' graceful stop.
        for thing in reversed(self.running):
            thing.stop()
        self.running = []

    def cpu(self, servers, balancer):
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "machine": machine_busy_seconds(),
            # wrk is the only child waited for during a run.
            "wrk": usage.ru_utime + usage.ru_stime,
            "nginx": sum(cpu_seconds(p) for p in balancer.pids()) if balancer else 0.0,
            "corrigenda": sum(cpu_seconds(s.proc.pid) for s in servers),
            "postgres": postgres_cpu_seconds(),
        }

    def finish(self):
        self.results["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.save()
        print(markdown(self.results))
        log(f"results: {self.results_path}")
        flagged = [f"{r['endpoint']} ({r['instances']})" for r in self.results["runs"] if r["errors_flagged"]]
        if flagged:
            bench.loud(f"ERRORS in {len(flagged)} run(s): {', '.join(flagged)} -- these numbers are not valid")


def markdown(res):
    rows = ["| endpoint | setup | req/s | p50 ms | p99 ms | cores busy: all | wrk | nginx | corrigenda | postgres | others "
            "| CPU µs/request: path | corrigenda |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in res["runs"]:
        setup = f"{r['instances']} behind nginx" if r["nginx"] else "1, no nginx"
        c = r["cores_busy"]
        rows.append(f"| {r['endpoint']} | {setup} | {r['rps']:,.0f}{' ERRORS' if r['errors_flagged'] else ''} | "
                    f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {c['machine']} | {c['wrk']} | {c['nginx']} | "
                    f"{c['corrigenda']} | {c['postgres']} | {c['others']} | {r['cpu_per_request']['path_us']} | "
                    f"{r['cpu_per_request']['corrigenda_us']} |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=lambda s: parse_size(s, 0), default=300_000,
                    help="reports seeded (articles and corrections a third of it each; default 300k)")
    ap.add_argument("--instances", default="1,2,3", help="instance counts behind nginx (default 1,2,3)")
    ap.add_argument("--nginx-workers", default="auto", help="nginx worker_processes (default auto: one per core)")
    ap.add_argument("--proxy-buffers", default="32 16k",
                    help="nginx proxy_buffers (default '32 16k', as in the README); 'default' for nginx's own")
    ap.add_argument("--no-build", action="store_true", help="skip cargo build --release --locked")
    ap.add_argument("--binary", default=str(bench.REPO / "target" / "release" / "corrigenda"))
    ap.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    ap.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432",
                    help="PostgreSQL server (user and password in the URL if needed)")
    ap.add_argument("--keep", action="store_true", help="keep the database and the work directory")
    ap.add_argument("--results-dir", default=str(HERE / "results"))
    ap.add_argument("--startup-timeout", type=int, default=900)
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    args = ap.parse_args()
    # What bench.py's preparation and seeding read.
    args.backend = "postgres"
    args.full_reports = args.reports
    args.full_articles = args.full_corrections = None
    args.pg_database = args.workdir = args.db_path = None
    args.seed, args.no_events, args.count_codes, args.server_log = 1, False, False, "warn"
    install_tools()
    Instances(args).main()


if __name__ == "__main__":
    main()
