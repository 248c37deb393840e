#!/usr/bin/env python3
"""Query plans of the hot paths on a real (seeded) database, as markdown.

The queries are those of tests/api/plans.rs (read from that file, so the list has one home):
each has the shape the server sends on the notice, the logs, the queue, the ticket, the
tracking page, sessions and the checkpoint.

    python3 bench/plans.py /path/to/bench.db
    python3 bench/plans.py postgres://postgres@127.0.0.1:5432/corrigenda_bench_123

SQLite plans come from `EXPLAIN QUERY PLAN`, PostgreSQL plans from `EXPLAIN` (through psql,
with the planner's real statistics: run ANALYZE after seeding).
"""

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "tests" / "api" / "plans.rs"


def hot_queries():
    text = SOURCE.read_text()
    for name, body in re.findall(r'name: "([^"]+)",\s*sql: ((?:"(?:[^"\\]|\\.)*"\s*)+),', text, re.S):
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', body, re.S)
        sql = "".join(parts)
        sql = re.sub(r"\\\n\s*", "", sql).replace('\\"', '"')
        yield name, re.sub(r"\s+", " ", sql)


def sqlite_plan(path, sql):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    return "\n".join(row[3] for row in rows)


def postgres_plan(url, sql):
    out = subprocess.run(["psql", url, "-XAtq", "-c", f"EXPLAIN {sql}"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    target = sys.argv[1]
    plan = postgres_plan if target.startswith(("postgres://", "postgresql://")) else sqlite_plan
    for name, sql in hot_queries():
        print(f"**{name}**\n\n```sql\n{sql}\n```\n\n```\n{plan(target, sql)}\n```\n")


if __name__ == "__main__":
    main()
