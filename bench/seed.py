"""Bulk data for the load benchmark: articles, reports, events, corrections and a valid log.

Rows go straight into the real schema (made by `corrigenda migrate`), never through the
HTTP API. Everything is generated in one pass per stage, in time order, so ids grow with
time and the public log is appended in publication order. A later stage continues where
the previous one stopped (same process), so one database grows from 10k to the full size.

Used by bench.py; only the Python standard library.
"""

import base64
import csv
import hashlib
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time

M64 = (1 << 64) - 1

SECTIONS = [
    "World", "Politics", "Business", "Technology", "Science", "Health", "Sport", "Culture",
    "Books", "Music", "Film", "Travel", "Food", "Opinion", "Local", "Education",
    "Environment", "Climate", "Money", "Obituaries",
]

# Report vocabulary (src/domain/reports.rs), with the share of reports in each.
CATEGORIES = [
    ("factual_error", 40), ("spelling", 18), ("misquote", 8), ("misattribution", 5),
    ("broken_link", 7), ("missing_context", 14), ("other", 8),
]
DEFAULT_SEVERITY = {
    "misquote": "high", "misattribution": "high", "spelling": "low", "broken_link": "low",
    "factual_error": "normal", "missing_context": "normal", "other": "normal",
}
SEVERITY_RANK = {"legal": 0, "high": 1, "normal": 2, "low": 3}
# Response targets (Targets::default), seconds.
TARGET_SECS = {"legal": 2 * 3600, "high": 24 * 3600, "normal": 72 * 3600, "low": 7 * 86400}
# Most reports are closed.
STATUSES = [
    ("new", 4), ("triaged", 2), ("in_review", 2), ("needs_info", 1), ("awaiting_approval", 0.5),
    ("appealed", 0.5), ("corrected", 25), ("no_change", 30), ("rejected", 20), ("duplicate", 15),
]
OPEN_STATUSES = {"new", "triaged", "in_review", "needs_info", "awaiting_approval", "appealed"}
DECIDED_STATUSES = {"corrected", "no_change", "rejected", "duplicate"}
# A correction's cause and how its error was found (when it resolves no report), in turn:
# deterministic, so the random draws of everything else stay as they were.
CAUSES = ["reporting", "reporting", "editing", "source", "production", "other"]
FOUND = ["staff", "staff", "subject", "other_outlet"]
# Correction kinds (src/domain/corrections.rs Kind).
KINDS = [("correction", 76), ("clarification", 10), ("update", 8), ("editors_note", 5), ("retraction", 1)]

ALL_STATUSES = [s for s, _ in STATUSES]
ALL_CATEGORIES = [c for c, _ in CATEGORIES]

FIRST = ["Ada", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi",
         "Liam", "Maya", "Nikolai", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Viktor",
         "Wen", "Ximena", "Yusuf", "Zoe"]
LAST = ["Adeyemi", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat", "Ivanova",
        "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quispe", "Rossi",
        "Schmidt", "Tanaka", "Urban", "Varga", "Weber", "Yilmaz", "Zhou"]
ROLES = ["the spokesperson", "the director", "the mayor", "the chief economist", "the head",
         "a senior official", "the chair", "the minister", "the lead researcher", "the president"]
ORGS = ["Ministry of Transport", "city council", "central bank", "National Health Service",
        "port authority", "weather service", "university hospital", "football association",
        "water board", "statistics office", "regional court", "energy regulator", "museum",
        "teachers' union", "chamber of commerce", "space agency", "rail operator"]
PLACES = ["Lisbon", "Tallinn", "Kyiv", "Kursk", "Nairobi", "Osaka", "Valparaiso", "Bergen", "Leeds",
          "Marseille", "Gdansk", "Porto", "Accra", "Tbilisi", "Hobart", "Quebec", "Cork", "Brno",
          "Riga", "Seville", "Dundee", "Tromso", "Mombasa", "Salzburg", "Utrecht"]
THINGS = ["homes", "jobs", "patients", "trains", "flights", "students", "troops", "visitors",
          "trees", "vehicles", "households", "schools", "beds", "contracts", "votes", "tickets"]
VERBS = ["affected", "delayed", "counted", "cancelled", "approved", "moved", "replaced", "inspected",
         "recorded", "lost", "added", "rebuilt", "closed", "reopened", "funded"]
ADVERBS = ["slightly", "considerably", "far", "somewhat", "markedly", "roughly a third"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TOPICS = ["budget", "bridge", "vaccine", "election", "strike", "harbour", "stadium", "tram line",
          "flood barrier", "library", "pension plan", "wind farm", "school meals", "ferry service"]
SOURCES = ["Reuters", "the Associated Press", "official figures", "the annual report",
           "a leaked memo", "court documents", "the census", "a parliamentary answer"]

SENTENCES = [
    "{name}, {role} of the {org}, said on {day} that {n1} {things} had been {verb} in {place}.",
    "The {org} estimated that {n1} to {n2} {things} were {verb}, according to {source}.",
    "Officials in {place} confirmed that the {topic} would cost about {money}, {adverb} more than planned.",
    "\"We have never seen {n1} {things} {verb} in a single week,\" {name} told reporters in {place}.",
    "The {topic} was first proposed in {year} and approved by the {org} {n3} years later.",
    "{name} said the figures had been checked against {source} before they were published.",
    "By {day} evening, {n1} {things} in {place} had been {verb} and {n2} more were expected.",
    "The {org} said it would publish a full review of the {topic} by the end of {month}.",
    "Critics, including {name} of the {org}, said the {topic} had been {verb} without consultation.",
    "In {year}, the same {org} reported that {n1} {things} had been {verb} across {place}.",
    "{name} was appointed {role2} of the {org} in {month} {year}, replacing {name2}.",
    "The vote in {place} was {n3} to {n4}, with {n5} members abstaining.",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
EXPLANATIONS = [
    "The article says {x} but the official record says otherwise; please check the source.",
    "This number is wrong. The {org} published a different figure last week.",
    "The quote is attributed to the wrong person: it was said by {name}, not the person named.",
    "The name is misspelled here; the correct spelling is on the {org} website.",
    "The link in this paragraph goes to an unrelated page.",
    "This leaves out that the decision was reversed a month later, which changes the meaning.",
    "The date is wrong: it happened in {year}, not the year given in the article.",
    "I was there, and the figure given is much higher than what was announced at the time.",
]
CORRECTION_TEXTS = [
    "An earlier version of this article said {wrong}. In fact it was {right}.",
    "This article originally gave the wrong figure: it is {right}, not {wrong}.",
    "An earlier version misattributed a quotation. It was said by {name}, not {name2}.",
    "We misspelled the name of {name} in an earlier version of this article.",
    "This article has been updated to make clear that the {topic} was approved in {year}.",
    "An earlier version of this article gave the date as {year}; the correct year is {year2}.",
    "Editor's note: this article did not include a response from the {org}, which has now been added.",
]


# The desks the benchmark describes (`corrigenda desk add`), in rule order: the legal desk
# first, then desks by groups of sections. Sport, Opinion and Obituaries match no desk: their
# reports stay in the general queue. Members are indexes into the bench's accounts: "s0" the
# standards editor the bench signs in with, "s1" the second standards editor, "eN" editor N.
DESKS = [
    {"slug": "legal", "name": "Legal desk", "severities": ["legal"], "sections": [], "categories": [],
     "assignment": "least_loaded", "members": ["s0", "s1", "e1"], "lead": "s0"},
    {"slug": "news", "name": "News desk", "severities": [], "categories": [],
     "sections": ["World", "Politics", "Business", "Money", "Local", "Education"],
     "assignment": "round_robin", "members": ["s0", "e2", "e3", "e4"], "lead": "e2"},
    {"slug": "science", "name": "Science and health desk", "severities": [], "categories": [],
     "sections": ["Science", "Health", "Technology", "Environment", "Climate"],
     "assignment": "least_loaded", "members": ["e5", "e6"], "lead": "e5"},
    {"slug": "culture", "name": "Culture desk", "severities": [], "categories": [],
     "sections": ["Culture", "Books", "Music", "Film", "Travel", "Food"],
     "assignment": "round_robin", "members": ["e7", "e8"], "lead": "e7"},
]
# An editor marked away: routing skips them, the desks page lists the open reports they hold.
AWAY = "e8"


class Router:
    """src/domain/routing.rs `matching`: the first desk (rule order) whose sections, categories
    and severities all match (an empty list matches anything); None is the general queue."""

    def __init__(self, desks):
        # desks: [{"id", "sections", "categories", "severities", "editors"}] in rule order
        self.desks = [(d["id"], {x.strip().lower() for x in d["sections"]}, set(d["categories"]),
                       set(d["severities"]), d["editors"]) for d in desks]
        self._cache = {}

    def route(self, section, category, severity):
        """(desk id, the desk's editors to assign from) or (None, None)."""
        key = (section, category, severity)
        hit = self._cache.get(key)
        if hit is None:
            hit = (None, None)
            low = section.strip().lower()
            for did, sections, categories, severities, editors in self.desks:
                if (not sections or low in sections) and (not categories or category in categories) \
                        and (not severities or severity in severities):
                    hit = (did, editors)
                    break
            self._cache[key] = hit
        return hit


def mix64(x):
    """splitmix64: a cheap, well-spread hash of an integer."""
    z = (x + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def weighted(rng, pairs, n=4096):
    """A lookup table for fast weighted choice: table[int(rng.random() * len)]."""
    total = sum(w for _, w in pairs)
    table = []
    for value, w in pairs:
        table.extend([value] * max(1, round(n * w / total)))
    return table


_DAYS = {}


def ts(epoch):
    """'YYYY-MM-DD HH:MM:SS' (UTC), as diesel stores timestamps in SQLite; cached per day."""
    d, s = divmod(int(epoch), 86400)
    day = _DAYS.get(d)
    if day is None:
        day = _DAYS[d] = time.strftime("%Y-%m-%d", time.gmtime(d * 86400))
    return f"{day} {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def rfc3339(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def canonical(cid, article_id, kind, text, original, corrected, standards, published_epoch, supersedes):
    """The log's canonical JSON, as `canonical()` in src/domain/log.rs makes it (ASCII text only)."""
    return json.dumps(
        {
            "id": cid, "article_id": article_id, "kind": kind, "text": text, "original": original,
            "corrected": corrected, "standards": standards, "published_at": rfc3339(published_epoch),
            "supersedes": supersedes,
        },
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )


def chain_hash(previous_raw, canonical_text):
    return hashlib.sha256(previous_raw + canonical_text.encode()).hexdigest()


def normalise(text):
    """src/domain/quote.rs normalise() for ASCII text: collapse whitespace, trim, lowercase."""
    return " ".join(text.split()).lower()


class TextPool:
    """Paragraphs made from templates; an article's body is a few of them, picked by its index."""

    SIZE = 4096

    def __init__(self, seed=1234):
        rng = random.Random(seed)
        self.paragraphs = []
        self.lower = []
        self.candidates = []  # per paragraph: [(start, end)] of quotable passages
        for _ in range(self.SIZE):
            sentences = [self._sentence(rng) for _ in range(rng.randint(2, 5))]
            text = " ".join(sentences)
            cands = []
            at = 0
            for s in sentences:
                cands.append((at, at + len(s)))
                words = s.split(" ")
                if len(words) > 8:  # a shorter passage from inside the sentence too
                    i = rng.randint(0, len(words) - 6)
                    j = i + rng.randint(4, 6)
                    start = at + len(" ".join(words[:i])) + (1 if i else 0)
                    cands.append((start, start + len(" ".join(words[i:j]))))
                at += len(s) + 1
            for s, e in cands:
                assert text[s:e] and text[s:e] == text[s:e].strip(), (text, s, e)
            self.paragraphs.append(text)
            self.lower.append(text.lower())
            self.candidates.append(cands)

    @staticmethod
    def _fill(rng, template):
        name = lambda: f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        return template.format(
            name=name(), name2=name(), role=rng.choice(ROLES), role2=rng.choice(ROLES).replace("the ", ""),
            org=rng.choice(ORGS), day=rng.choice(DAYS), n1=f"{rng.randint(2, 90) * 100:,}",
            n2=f"{rng.randint(91, 200) * 100:,}", n3=rng.randint(2, 40), n4=rng.randint(2, 40),
            n5=rng.randint(0, 9), things=rng.choice(THINGS), verb=rng.choice(VERBS), place=rng.choice(PLACES),
            source=rng.choice(SOURCES), topic=rng.choice(TOPICS), adverb=rng.choice(ADVERBS),
            money=f"{rng.randint(2, 900)} million euros", year=rng.randint(1990, 2025),
            month=rng.choice(MONTHS), x="one thing", wrong="", right="", year2=2000,
        )

    def _sentence(self, rng):
        return self._fill(rng, rng.choice(SENTENCES))


class Plan:
    """Sizes, the time line and the skew, fixed by the full sizes so every stage agrees."""

    def __init__(self, full_articles, full_reports, full_corrections, now_epoch, years=3.0):
        self.A = full_articles
        self.R = full_reports
        self.C = full_corrections
        self.t_end = int(now_epoch) - 600
        self.span = int(years * 365 * 86400)
        self.t0 = self.t_end - self.span
        # "Hot" articles: every HOT_EVERY-th, each with a burst of hundreds of reports and corrections.
        self.hot_every = max(4, (self.A // 20) // 4 * 4)
        self.hot_reports = {}      # report index -> hot article
        self.hot_corrections = {}  # correction index -> hot article
        spacing_r = self.hot_every * self.R / self.A
        spacing_c = self.hot_every * self.C / self.A
        for a in range(0, self.A, self.hot_every):
            h = mix64(a * 7 + 3)
            br = 400 if a == 0 else 200 + h % 400
            bc = 200 if a == 0 else 100 + (h >> 20) % 200
            br = int(min(br, spacing_r // 3))
            bc = int(min(bc, spacing_c // 3))
            r0 = int(a * self.R / self.A) + 1
            c0 = int(a * self.C / self.A) + 1
            for k in range(br):
                if r0 + 2 * k < self.R:
                    self.hot_reports[r0 + 2 * k] = a
            for k in range(bc):
                if c0 + 2 * k < self.C:
                    self.hot_corrections[c0 + 2 * k] = a

    def is_hot(self, a):
        return a % self.hot_every == 0

    # Articles with no reports and no corrections are a % 4 in (0, 2, 3) except hot ones:
    # reports and corrections go to "reportable" articles (a % 4 == 1), most to "popular" ones (a % 40 == 1).
    def cold_article(self, limit):
        """An article that never gets reports or corrections, below `limit`."""
        a = min(1002, limit - 1)
        while a > 0 and (a % 4 != 2 or self.is_hot(a)):
            a -= 1
        return a

    def stage(self, reports):
        """(articles, reports, corrections) when the database holds `reports` reports."""
        reports = min(reports, self.R)
        if reports >= self.R:
            return self.A, self.R, self.C
        a = max(1, -(-reports * self.A // self.R))
        c = max(1, reports * self.C // self.R)
        return min(a, self.A), reports, min(c, self.C)

    def article_time(self, a):
        return self.t0 + self.span * a // self.A

    def report_time(self, r):
        return self.t0 + self.span * r // self.R + 60

    def correction_time(self, c):
        return self.t0 + self.span * c // self.C + 3600


def article_id(a):
    return f"{SECTIONS[mix64(a) % 20].lower()}-{a:07d}"


class Articles:
    """Deterministic article contents from the index: body paragraphs, title, section."""

    def __init__(self, pool, plan):
        self.pool = pool
        self.plan = plan
        self._norm_cache = {}
        self._pid_cache = {}

    def pids(self, a):
        cache = self._pid_cache
        out = cache.get(a)
        if out is None:
            if len(cache) > 8192:
                cache.clear()
            out = cache[a] = self._pids(a)
        return out

    def _pids(self, a):
        h = mix64(a)
        n = 12 if self.plan.is_hot(a) else 1 + (h >> 5) % 5
        out = []
        x = h
        for k in range(n):
            if k % 4 == 0:
                x = mix64(x + k + 1)
            out.append((x >> (12 * (k % 4) + 8)) & (TextPool.SIZE - 1))
        return out

    def body(self, a):
        return "\n\n".join(self.pool.paragraphs[p] for p in self.pids(a))

    def normalised(self, a):
        cache = self._norm_cache
        text = cache.get(a)
        if text is None:
            if len(cache) > 4096:
                cache.clear()
            text = " ".join(self.pool.lower[p] for p in self.pids(a))
            cache[a] = text
        return text

    def quote(self, a, rnd):
        """A passage of the article's text: (quote, start, end) in its normalised text."""
        pids = self.pids(a)
        p = pids[int(rnd * len(pids))]
        cands = self.pool.candidates[p]
        s, e = cands[int((rnd * 7919.0) % 1.0 * len(cands))]
        q = self.pool.paragraphs[p][s:e]
        start = self.normalised(a).find(q.lower())
        if start < 0:
            raise AssertionError(f"quote {q!r} not in article {a}")
        return q, start, start + len(q)


class Progress:
    """One line on stderr, rewritten in place: rows done, rate, ETA."""

    def __init__(self, label, total, enabled=True):
        self.label = label
        self.total = max(1, total)
        self.done = 0
        self.start = time.monotonic()
        self.last = self.start
        self.enabled = enabled
        self.tty = sys.stderr.isatty()

    def add(self, n):
        self.done += n
        now = time.monotonic()
        if self.enabled and now - self.last > (0.5 if self.tty else 10.0):
            self.last = now
            self._draw(now)

    def _draw(self, now, end="\r"):
        el = max(now - self.start, 1e-6)
        rate = self.done / el
        eta = (self.total - self.done) / rate if rate > 0 else 0
        frac = min(1.0, self.done / self.total)
        bar = "#" * int(frac * 30)
        line = (f"  {self.label:<22} [{bar:<30}] {self.done:>10,}/{self.total:,} {frac * 100:5.1f}% "
                f"{rate / 1000:8.1f}k rows/s  {el:6.0f}s elapsed  ETA {eta:5.0f}s")
        sys.stderr.write(line + (end if self.tty else "\n"))
        sys.stderr.flush()

    def finish(self):
        if self.enabled:
            self._draw(time.monotonic(), end="\n")
        return time.monotonic() - self.start


COLUMNS = {
    "articles": ["id", "url", "title", "section", "authors", "published_at", "body", "created_at", "updated_at"],
    "reports": ["id", "article_id", "token_hash", "category", "quote", "explanation", "evidence_urls",
                "reporter_name", "reporter_email", "status", "severity", "deadline_at", "assignee_id",
                "duplicate_of", "version", "created_at", "updated_at", "severity_rank", "quote_start", "quote_end",
                "decided_at", "corrected_at", "desk_id"],
    "events": ["id", "report_id", "actor_id", "actor_kind", "kind", "public", "payload", "created_at"],
    "corrections": ["id", "article_id", "kind", "body", "original", "corrected", "headline", "supersedes",
                    "status", "created_by", "created_at", "approved_by", "published_by", "published_at", "cause", "found"],
    "correction_standards": ["correction_id", "standard_id"],
    "correction_reports": ["correction_id", "report_id"],
    "log_entries": ["idx", "correction_id", "canonical", "hash", "created_at"],
}


class SqliteSink:
    """Inserts through python's sqlite3: one transaction per chunk, triggers left on."""

    backend = "sqlite"

    def __init__(self, path, chunk=20000):
        self.path = path
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA cache_size = -1000000")  # 1 GB of page cache: the indexes stay in memory
        self.conn.execute("PRAGMA temp_store = MEMORY")
        self.chunk = chunk
        self.sql = {t: f"INSERT INTO {t} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})"
                    for t, c in COLUMNS.items()}
        self.buffers = {t: [] for t in COLUMNS}

    def query(self, sql):
        return self.conn.execute(sql).fetchall()

    def begin_stage(self):
        pass

    def begin_table(self, table):
        pass

    def add(self, table, row):
        buf = self.buffers[table]
        buf.append(row)
        if len(buf) >= self.chunk:
            self.flush(table)

    def flush(self, table):
        buf = self.buffers[table]
        if buf:
            self.conn.execute("BEGIN")
            self.conn.executemany(self.sql[table], buf)
            self.conn.execute("COMMIT")
            buf.clear()

    def end_table(self, table):
        self.flush(table)

    def end_stage(self, migration_sql):
        # Triggers stayed on: the tallies, sections and public version are already maintained.
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self):
        self.conn.close()


class PostgresSink:
    """Streams CSV into `COPY ... FROM STDIN` through one psql session: one transaction per stage.

    The migration's own triggers (report tallies, sections, public version, per-day counts,
    per-desk tallies) are disabled during the load and their tables rebuilt afterwards with the
    migration's own SELECTs; foreign keys stay checked.
    """

    backend = "postgres"
    TRIGGER_TABLES = ["articles", "reports", "corrections", "standards", "correction_standards", "log_entries"]

    def __init__(self, url, log_path):
        self.url = url
        self.log_path = log_path
        self.proc = None
        self.out = None
        self.writer = None

    def query(self, sql):
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", self.url,
                              "-c", sql], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return [tuple(line.split("\t")) for line in out.stdout.splitlines() if line]

    def _send(self, text):
        try:
            self.out.write(text)
        except BrokenPipeError:
            self._fail()

    def _fail(self):
        self.proc.wait()
        with open(self.log_path) as f:
            raise RuntimeError("psql stopped during the load:\n" + f.read()[-3000:])

    def begin_stage(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url],
                                     stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT)
        self.out = open(self.proc.stdin.fileno(), "w", buffering=1 << 20, encoding="utf-8", newline="",
                        closefd=False)
        self.writer = csv.writer(self.out, lineterminator="\n")
        self._send("\\o /dev/null\nBEGIN;\nSET LOCAL synchronous_commit = off;\n")
        for t in self.TRIGGER_TABLES:
            self._send(f"ALTER TABLE {t} DISABLE TRIGGER USER;\n")

    def begin_table(self, table):
        self._send(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN WITH (FORMAT csv);\n")

    def add(self, table, row):
        try:
            self.writer.writerow(row)
        except BrokenPipeError:
            self._fail()

    def end_table(self, table):
        self._send("\\.\n")

    def end_stage(self, migration_sql):
        for statement in migration_sql:
            self._send(statement + "\n")
        self._send("UPDATE public_version SET n = n + 1 WHERE id = 1;\n")
        for t in self.TRIGGER_TABLES:
            self._send(f"ALTER TABLE {t} ENABLE TRIGGER USER;\n")
        for t in ["reports", "corrections", "events"]:
            self._send(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}));\n")
        self._send("COMMIT;\n")
        try:
            self.out.flush()
            self.out.close()
            self.proc.stdin.close()
        except BrokenPipeError:
            self._fail()
        if self.proc.wait() != 0:
            self._fail()
        self.log.close()
        # What autovacuum would do after a bulk load: statistics and the visibility map.
        out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c",
                              "VACUUM (ANALYZE) articles, reports, events, corrections, correction_standards, "
                              "correction_reports, log_entries, report_tallies, sections, stats_days, desk_tallies"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"VACUUM failed: {out.stderr.strip()}")

    def close(self):
        pass


def rebuild_statements(up_sql):
    """The migration's own `TRUNCATE`-able rebuilds: its top-level INSERT ... SELECT for the
    report tallies and sections, taken verbatim from the migration file."""
    out = []
    for table in ("report_tallies", "sections"):
        m = re.search(rf"^INSERT INTO {table} \([^)]*\)\s*\n\s*SELECT.*?;", up_sql, re.S | re.M)
        if not m:
            raise RuntimeError(f"could not find the migration's INSERT INTO {table} ... SELECT")
        out.append(f"TRUNCATE {table};")
        out.append(m.group(0))
    return out


def desk_tallies_rebuild_statements(up_sql):
    """The per-desk tallies counted again. The migration's own INSERT ... SELECT counts every
    report in the general queue (no desk existed when it ran), so the desk column is the
    report's own here; the rest is the migration's statement."""
    m = re.search(r"^INSERT INTO desk_tallies \(desk_id, status, category, severity, assignee_id, n\)\s*\n"
                  r"\s*SELECT 0, status, category, severity, COALESCE\(assignee_id, 0\), COUNT\(\*\) FROM reports\s*\n"
                  r"\s*GROUP BY status, category, severity, COALESCE\(assignee_id, 0\);", up_sql, re.M)
    if not m:
        raise RuntimeError("could not find the migration's INSERT INTO desk_tallies ... SELECT")
    sql = m.group(0).replace("SELECT 0,", "SELECT COALESCE(desk_id, 0),").replace(
        "GROUP BY status,", "GROUP BY COALESCE(desk_id, 0), status,")
    return ["TRUNCATE desk_tallies;", sql]


def stats_rebuild_statements(up_sql):
    """The figures' per-day counts counted again: the migration's own closing INSERT ... SELECT
    statements (reports, then corrections), taken verbatim."""
    found = re.findall(r"^INSERT INTO stats_days \(day, metric, key, n\)\s*\n\s*SELECT day, metric, key, COUNT\(\*\).*?;",
                       up_sql, re.S | re.M)
    if len(found) != 2:
        raise RuntimeError(f"expected the migration's two INSERT INTO stats_days ... SELECT, found {len(found)}")
    return ["TRUNCATE stats_days;"] + found


class Seeder:
    """Generates stage after stage into one sink, keeping what later stages need to continue."""

    def __init__(self, sink, plan, users, standards, seed=1, events=True, token_sample=3000, progress=True,
                 desks=()):
        self.sink = sink
        self.plan = plan
        self.pool = TextPool()
        self.art = Articles(self.pool, plan)
        self.users = users              # {"editors": [ids], "standards": [ids]}
        self.router = Router(desks)     # the desks' rules, as the server routes a filed report
        self.standards = standards      # [(id, code, version)]
        self.seed = seed
        self.events = events
        self.progress = progress
        self.secret = os.urandom(16)
        self.token_every = max(1, plan.R // token_sample)
        self.tokens = []                # (token, report id, article index, status)
        self.a_done = self.r_done = self.c_done = 0
        self.primary = {}               # article -> (report id, quote, start, end) of its latest non-duplicate
        self.pending = {}               # article -> [report ids] corrected but not linked to a correction yet
        self.latest = {}                # article -> latest correction id (the one a superseding correction amends)
        self.log_idx = 0
        self.log_head = b"\0" * 32
        self.event_id = None
        self.counts = {t: 0 for t in COLUMNS}

    def token(self, r):
        raw = hashlib.sha256(self.secret + r.to_bytes(8, "little")).digest()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def grow(self, reports, migration_sql):
        """Adds rows until the database holds the stage with `reports` reports; returns seconds per phase."""
        A, R, C = self.plan.stage(reports)
        rows = self.sink.query("SELECT COALESCE(MAX(id), 0) FROM events")
        self.event_id = int(rows[0][0]) + 1
        have = int(self.sink.query("SELECT COUNT(*) FROM reports")[0][0])
        if have != self.r_done:
            raise RuntimeError(f"the database has {have} reports, expected {self.r_done}: use a fresh database")
        rng = random.Random(self.seed * 1000003 + R)
        times = {}
        self.sink.begin_stage()
        t = time.monotonic()
        self._articles(A)
        times["articles"] = time.monotonic() - t
        t = time.monotonic()
        self._reports(R, rng)
        times["reports+events"] = time.monotonic() - t
        t = time.monotonic()
        self._corrections(C, rng)
        times["corrections+log"] = time.monotonic() - t
        t = time.monotonic()
        self.sink.end_stage(migration_sql)
        times["finish"] = time.monotonic() - t
        return times

    # -- articles --------------------------------------------------------------------------------

    def _articles(self, A):
        sink, art, plan = self.sink, self.art, self.plan
        p = Progress("articles", A - self.a_done, self.progress)
        sink.begin_table("articles")
        for a in range(self.a_done, A):
            h = mix64(a + 17)
            section = SECTIONS[mix64(a) % 20]
            pub = plan.article_time(a)
            aid = article_id(a)
            first = self.pool.paragraphs[art.pids(a)[0]]
            title = first[: first.find(" ", 40) if len(first) > 60 else len(first)].rstrip(",.")
            if plan.is_hot(a):
                title = "Live: " + title
            authors = json.dumps([f"{FIRST[h % 26]} {LAST[(h >> 8) % 25]}"] +
                                 ([f"{FIRST[(h >> 16) % 26]} {LAST[(h >> 24) % 25]}"] if h % 5 == 0 else []))
            y, m = time.gmtime(pub)[:2]
            url = f"https://news.example/{section.lower()}/{y}/{m:02d}/{a}"
            created = ts(pub + 120)
            sink.add("articles", (aid, url, title, section, authors, ts(pub), art.body(a), created, created))
            if a % 2048 == 0:
                p.add(2048 if a + 2048 <= A else A - a)
        sink.end_table("articles")
        p.done = p.total
        p.finish()
        self.counts["articles"] += A - self.a_done
        self.a_done = A

    # -- reports and their events ---------------------------------------------------------------

    def _reports(self, R, rng):
        sink, art, plan = self.sink, self.art, self.plan
        rand = rng.random
        expo = rng.expovariate
        cats = weighted(rng, CATEGORIES)
        stats = weighted(rng, STATUSES)
        editors = self.users["editors"]
        standards_eds = self.users["standards"]
        hot_reports = plan.hot_reports
        route = self.router.route
        events = []
        p = Progress("reports", R - self.r_done, self.progress)
        sink.begin_table("reports")
        RA = plan.A / plan.R
        for r in range(self.r_done, R):
            rid = r + 1
            a = hot_reports.get(r)
            hot = a is not None
            if not hot:
                base = int(r * RA)
                a0 = base - min(base, int(expo(1 / 200)))
                if rand() < 0.5:
                    a = a0 - ((a0 - 1) % 40)
                else:
                    a = a0 - ((a0 - 1) % 4)
                if a < 1:
                    a = 1  # only bursts go to article 0, the measured hot article
            aid = article_id(a)
            created = plan.report_time(r)
            category = cats[int(rand() * len(cats))]
            severity = DEFAULT_SEVERITY[category]
            x = rand()
            if x < 0.005:
                severity = "legal"
            elif x < 0.05 and severity != "high":
                severity = "high"
            status = stats[int(rand() * len(stats))]
            if hot and rand() < 0.3:
                status = "duplicate"
            duplicate_of = None
            prim = self.primary.get(a)
            if status == "duplicate":
                if prim is None:
                    status = "rejected"
                else:
                    duplicate_of = prim[0]
                    quote, qs, qe = prim[1], prim[2], prim[3]
            if duplicate_of is None:
                quote, qs, qe = art.quote(a, rand())
                self.primary[a] = (rid, quote, qs, qe)
            # Routed as if filed with its final severity (a raised severity moves a report too).
            desk, desk_editors = route(SECTIONS[mix64(a) % 20], category, severity)
            assignee = None
            if status in ("in_review", "needs_info", "awaiting_approval") or \
                    (status == "triaged" and rand() < 0.5) or (status not in OPEN_STATUSES and rand() < 0.7):
                # One of the desk's editors (same draw as without desks, so the data is otherwise the same).
                pick = desk_editors or editors
                assignee = pick[int(rand() * len(pick))]
            elif status == "appealed":
                assignee = standards_eds[0]
            updated = created if status == "new" else created + 3600 + int(rand() * 5 * 86400)
            token = self.token(r)
            if r % self.token_every == 0:
                self.tokens.append((token, rid, a, status))
            name = f"{FIRST[r % 26]} {LAST[(r >> 5) % 25]}" if rand() < 0.4 else None
            email = f"reader{r}@example.net" if rand() < 0.6 else None
            evidence = f'["https://evidence.example/{r % 9973}"]' if rand() < 0.3 else "[]"
            explanation = EXPLANATIONS[r % len(EXPLANATIONS)].format(
                x=quote[:40], org=ORGS[r % len(ORGS)], name=f"{FIRST[(r >> 3) % 26]} {LAST[r % 25]}",
                year=1990 + r % 35)
            sink.add("reports", (
                rid, aid, hashlib.sha256(token.encode()).hexdigest(), category, quote, explanation, evidence,
                name, email, status, severity, ts(created + TARGET_SECS[severity]), assignee, duplicate_of, 1,
                ts(created), ts(updated), SEVERITY_RANK[severity], qs, qe,
                # The one recorded move decided it (the stats read these, not the events).
                ts(updated) if status in DECIDED_STATUSES else None,
                ts(updated) if status == "corrected" else None, desk))
            if status == "corrected":
                lst = self.pending.get(a)
                if lst is None:
                    self.pending[a] = [rid]
                elif len(lst) < 4:
                    lst.append(rid)
            if self.events:
                events.append((rid, created, category, status, updated, assignee, duplicate_of))
            if r % 2048 == 0:
                p.add(2048 if r + 2048 <= R else R - r)
        sink.end_table("reports")
        p.done = p.total
        p.finish()
        self.counts["reports"] += R - self.r_done
        self.r_done = R
        if self.events:
            self._events(events)

    def _events(self, reports):
        """report_filed for every report; status_changed for every report past `new`."""
        sink = self.sink
        p = Progress("events", len(reports), self.progress)
        sink.begin_table("events")
        eid = self.event_id
        n = 0
        for rid, created, category, status, updated, assignee, duplicate_of in reports:
            sink.add("events", (eid, rid, None, "reader", "report_filed", True,
                                '{"category":"%s"}' % category, ts(created)))
            eid += 1
            if status != "new":
                if status in ("no_change", "rejected"):
                    reason = "The passage was checked against the sources and stands."
                    message = f'"{reason}"'
                    reason_json = message
                else:
                    reason_json = message = "null"
                payload = ('{"duplicate_of":%s,"from":"new","public_message":%s,"reason":%s,"to":"%s"}'
                           % ("null" if duplicate_of is None else duplicate_of, message, reason_json, status))
                sink.add("events", (eid, rid, assignee or self.users["editors"][0], "user", "status_changed",
                                    True, payload, ts(updated)))
                eid += 1
            n += 1
            if n % 4096 == 0:
                p.add(4096)
        sink.end_table("events")
        p.done = p.total
        p.finish()
        self.counts["events"] += eid - self.event_id
        self.event_id = eid

    # -- corrections, their standards and reports, and the log --------------------------------

    def _corrections(self, C, rng):
        sink, art, plan = self.sink, self.art, self.plan
        rand = rng.random
        expo = rng.expovariate
        kinds = weighted(rng, KINDS)
        editors = self.users["editors"]
        approver = self.users["standards"][-1]
        by_code = sorted(self.standards, key=lambda s: s[1])
        std = {code: (sid, code, version) for sid, code, version in self.standards}
        accuracy = std.get("accuracy", by_code[0])
        hot_corrections = plan.hot_corrections
        CA = plan.A / plan.C
        cs_rows, cr_rows, log_rows = [], [], []
        p = Progress("corrections", C - self.c_done, self.progress)
        sink.begin_table("corrections")
        for c in range(self.c_done, C):
            cid = c + 1
            a = hot_corrections.get(c)
            if a is None:
                base = int(c * CA)
                a0 = base - min(base, int(expo(1 / 300)))
                if rand() < 0.5:
                    a = a0 - ((a0 - 1) % 40)
                else:
                    a = a0 - ((a0 - 1) % 4)
                if a < 1:
                    a = 1  # only bursts go to article 0, the measured hot article
            aid = article_id(a)
            published = plan.correction_time(c)
            created = published - 600 - int(rand() * 7200)
            kind = kinds[int(rand() * len(kinds))]
            headline = rand() < 0.03
            supersedes = None
            prev = self.latest.get(a)
            if prev is not None and rand() < 0.06:
                supersedes = prev
                kind = "correction"
            self.latest[a] = cid
            original = corrected = None
            if kind in ("correction", "clarification") and rand() < 0.7:
                q, _, _ = art.quote(a, rand())
                original = q
                corrected = re.sub(r"\d", lambda m: str((int(m.group(0)) + 1) % 10), q, count=1)
                if corrected == original:
                    corrected = original + " (amended)"
                text = f"An earlier version of this article said \"{original[:120]}\". It has been corrected."
            else:
                text = CORRECTION_TEXTS[c % len(CORRECTION_TEXTS)].format(
                    wrong=f"{(c % 90 + 2) * 100:,}", right=f"{(c % 90 + 3) * 100:,}",
                    name=f"{FIRST[c % 26]} {LAST[(c >> 3) % 25]}", name2=f"{FIRST[(c >> 5) % 26]} {LAST[c % 25]}",
                    topic=TOPICS[c % len(TOPICS)], year=1990 + c % 35, year2=1991 + c % 35, org=ORGS[c % len(ORGS)])
            cited = {accuracy}
            if rand() < 0.5:
                cited.add(self.standards[int(rand() * len(self.standards))])
            if headline:
                cited.add(std.get("headlines", accuracy))
            cited = sorted(cited, key=lambda s: s[1])
            needs_approval = headline or kind == "retraction"
            author = editors[int(rand() * len(editors))]
            publisher = approver if needs_approval else author
            resolves = bool(self.pending.get(a))
            sink.add("corrections", (cid, aid, kind, text, original, corrected, headline, supersedes, "published",
                                     author, ts(created), approver if needs_approval else None, publisher,
                                     ts(published), CAUSES[c % len(CAUSES)],
                                     "reader_report" if resolves else FOUND[(c // 7) % len(FOUND)]))
            for s in cited:
                cs_rows.append((cid, s[0]))
            lst = self.pending.get(a)
            if lst:
                for rid in lst[:2]:
                    cr_rows.append((cid, rid))
                del lst[:2]
                if not lst:
                    del self.pending[a]
            canon = canonical(cid, aid, kind, text, original, corrected,
                              [{"code": s[1], "version": s[2]} for s in cited], published, supersedes)
            h = chain_hash(self.log_head, canon)
            self.log_head = bytes.fromhex(h)
            log_rows.append((self.log_idx, cid, canon, h, ts(published)))
            self.log_idx += 1
            if c % 2048 == 0:
                p.add(2048 if c + 2048 <= C else C - c)
        sink.end_table("corrections")
        p.done = p.total
        p.finish()
        for table, rows in (("correction_standards", cs_rows), ("correction_reports", cr_rows),
                            ("log_entries", log_rows)):
            p = Progress(table, len(rows), self.progress)
            sink.begin_table(table)
            add = sink.add
            for i, row in enumerate(rows):
                add(table, row)
                if i % 8192 == 0:
                    p.add(8192 if i + 8192 <= len(rows) else len(rows) - i)
            sink.end_table(table)
            p.done = p.total
            p.finish()
            self.counts[table] += len(rows)
        self.counts["corrections"] += C - self.c_done
        self.c_done = C
