#!/usr/bin/env python3
"""Load and scale benchmark for a running Corrigenda server (run by hand, never by CI).

Seeds articles, reader reports and published corrections through the public API, then
measures the latency of the pages and API calls that grow with the data: the desk queue,
the site-wide log, an article's notice, the log entries and the signed checkpoint.

    cargo build --release
    export DATABASE_URL=bench.db CORRIGENDA_REPORT_RATE_LIMIT=0 CORRIGENDA_BIND=127.0.0.1:8090
    ./target/release/corrigenda user add --email bench@example.com --name Bench --role standards_editor
    TOKEN=$(./target/release/corrigenda token create --email bench@example.com --name bench | tail -n 1)
    ./target/release/corrigenda serve &
    python3 bench/load.py --url http://127.0.0.1:8090 --token "$TOKEN" --articles 500 --reports 5000 --corrections 1000

Only the Python standard library is used. Requests run from a thread pool, so the numbers
include the client's own overhead; compare runs on the same machine.
"""

import argparse
import concurrent.futures
import json
import statistics
import time
import urllib.error
import urllib.request

TEXT = (
    "In early November, the Pentagon said that an estimated 11,000 to 12,000 North Korean troops "
    "had arrived in the region. The war is approaching its four-year mark, according to Reuters."
)


def call(url, method="GET", token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        err.read()
        status = err.code
    return status, (time.perf_counter() - start) * 1000


def run(jobs, workers):
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda job: call(*job), jobs))


def summary(name, results, expected):
    times = sorted(t for _, t in results)
    bad = [s for s, _ in results if s not in expected]
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print(f"{name:<34} n={len(times):>6}  p50={p(0.5):8.1f} ms  p95={p(0.95):8.1f} ms  "
          f"max={times[-1]:8.1f} ms  mean={statistics.mean(times):8.1f} ms  errors={len(bad)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--corrections", type=int, default=500)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--reads", type=int, default=200)
    a = ap.parse_args()
    u = a.url.rstrip("/")

    article = lambda i: {
        "url": f"https://news.example/bench/{i}", "title": f"Bench article {i}", "section": ["World", "Local", "Science"][i % 3],
        "authors": ["Bench Writer"], "published_at": "2026-11-01T09:00:00Z", "text": TEXT,
    }
    summary("PUT /api/v1/articles/{id}", run([(f"{u}/api/v1/articles/bench-{i}", "PUT", a.token, article(i))
                                             for i in range(a.articles)], a.workers), {200, 201})
    report = lambda i: {
        "category": ["factual_error", "misquote", "spelling"][i % 3], "quote": "approaching its four-year mark",
        "explanation": "It was approaching its three-year mark in December 2024.", "evidence_urls": [],
        "reporter_email": f"reader{i}@example.com",
    }
    summary("POST /api/v1/articles/{id}/reports", run([(f"{u}/api/v1/articles/bench-{i % a.articles}/reports", "POST", None, report(i))
                                                      for i in range(a.reports)], a.workers), {201})
    correction = lambda i: {
        "article_id": f"bench-{i % a.articles}", "kind": "correction", "standards": ["accuracy"],
        "text": f"Correction {i}: we said four years; it was three.",
        "original": "approaching its four-year mark", "corrected": "approaching its three-year mark",
    }
    summary("POST /api/v1/desk/corrections", run([(f"{u}/api/v1/desk/corrections", "POST", a.token, correction(i))
                                                 for i in range(a.corrections)], a.workers), {201})

    reads = [
        ("GET /api/v1/desk/reports (queue)", f"{u}/api/v1/desk/reports?status=new&sort=deadline", a.token),
        ("GET /api/v1/desk/reports?sort=severity", f"{u}/api/v1/desk/reports?sort=severity&limit=100", a.token),
        ("GET /corrections (page)", f"{u}/corrections", None),
        ("GET /api/v1/corrections?standard=", f"{u}/api/v1/corrections?standard=accuracy", None),
        ("GET /articles/{id}/notice", f"{u}/articles/bench-1/notice", None),
        ("GET /api/v1/log/entries (1000)", f"{u}/api/v1/log/entries?from=0", None),
        ("GET /api/v1/log/checkpoint", f"{u}/api/v1/log/checkpoint", None),
    ]
    for name, url, token in reads:
        summary(name, run([(url, "GET", token, None)] * a.reads, a.workers), {200})


if __name__ == "__main__":
    main()
