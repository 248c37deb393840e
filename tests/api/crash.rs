//! Crash safety: the real server, killed with SIGKILL while reports and corrections arrive, keeps
//! everything it acknowledged, leaves no half-written rows, and its log still verifies.
//!
//! `CORRIGENDA_CRASH_ROUNDS=N` repeats the load, kill and restart N times on one database (the
//! long form in `bench/README.md`); CI runs one round per backend.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{article_json, cli, mail_dir, report_json, wait, Backend, ServeOutput, TestDb};

both_backends!(acknowledged_reports_and_corrections_survive_sigkill_under_load);

/// Reports acknowledged in a round before the kill (at least; the kill lands while more arrive).
const REPORTS_PER_ROUND: usize = 40;
/// Corrections acknowledged as published in a round before the kill (at least).
const CORRECTIONS_PER_ROUND: usize = 3;
/// Retractions need a second person: every one is drafted by an editor and approved by a standards editor.
pub(crate) const RETRACTION_TEXT: &str = "This article has been retracted because its central claim does not stand.";
/// Standards editors made before the load: each pending correction asks every one of them to approve it.
pub(crate) const STANDARDS_EDITORS: i64 = 2;

/// The `corrigenda serve` process on a test database.
pub(crate) struct Server {
    child: Child,
    /// Its standard output, where it says which address it bound.
    output: ServeOutput,
    /// Its standard output and error.
    pub(crate) log: std::path::PathBuf,
}

impl Server {
    /// Starts the binary on `database` and waits until `/healthz` answers.
    async fn start(database: &TestDb, log: &std::path::Path) -> Self {
        let server = Self::spawn(database, log, &[("CORRIGENDA_MAIL_DIR", mail_dir(database).display().to_string())]);
        server.ready().await;
        server
    }

    /// Starts the binary on `database`, on a port it picks itself, with `env` besides the
    /// database, key and log settings; its output is appended to `log`. It may not listen yet:
    /// see [`Self::address`] and [`Self::ready`].
    pub(crate) fn spawn(database: &TestDb, log: &std::path::Path, env: &[(&str, String)]) -> Self {
        let log_file = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_corrigenda"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", &database.url)
            .env("CORRIGENDA_SIGNING_KEY", &database.key_path)
            .env("CORRIGENDA_REPORT_RATE_LIMIT", "0")
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::piped())
            .stderr(log_file.try_clone().unwrap())
            .spawn()
            .unwrap();
        let output = ServeOutput::follow(&mut child, log_file);
        Self { child, output, log: log.to_owned() }
    }

    /// `http://127.0.0.1:PORT`, the address it bound, once it says so (a minute at most).
    pub(crate) fn address(&self) -> String {
        let address = self.output.address().unwrap_or_else(|| {
            panic!("the server ended before it listened: {}", std::fs::read_to_string(&self.log).unwrap_or_default())
        });
        format!("http://{address}")
    }

    /// Waits until `/healthz` answers 200 (a minute at most).
    pub(crate) async fn ready(&self) {
        let client = reqwest::Client::new();
        let url = self.url("/healthz");
        let started = wait::poll("the server to start", Duration::from_secs(60), || async {
            client.get(&url).send().await.ok().filter(|r| r.status() == 200).map(drop)
        })
        .await;
        if let Err(why) = started {
            panic!("{why}: {}", std::fs::read_to_string(&self.log).unwrap_or_default());
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address())
    }

    /// SIGKILL: no handler runs, nothing is flushed or closed by the process.
    fn kill(mut self) {
        self.kill_now();
    }

    /// As [`Self::kill`], keeping the value (a no-op once the process has ended).
    pub(crate) fn kill_now(&mut self) {
        if self.child.try_wait().unwrap().is_none() {
            // SAFETY: kill only sends a signal to the child this value owns.
            assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGKILL) }, 0);
            self.child.wait().unwrap();
        }
    }

    /// SIGTERM, then waits (a minute at most) for the process to finish its requests and
    /// its dispatchers' rounds and exit successfully.
    pub(crate) async fn stop(&mut self) {
        // SAFETY: kill only sends a signal to the child this value owns.
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) }, 0);
        let child = &mut self.child;
        let status = wait::until_async("the server to stop after SIGTERM", Duration::from_secs(60), || {
            let status = child.try_wait().unwrap();
            async move { status }
        })
        .await;
        assert!(status.success(), "{status}: {}", std::fs::read_to_string(&self.log).unwrap_or_default());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill_now();
    }
}

/// What the server acknowledged, gathered from every client task.
#[derive(Default)]
pub(crate) struct Acked {
    /// Tracking tokens of reports answered 201 (API) or 303 to their tracking page (form).
    pub(crate) reports: Mutex<Vec<String>>,
    /// Reports of the count above filed through the HTML form.
    pub(crate) form_reports: AtomicUsize,
    /// Corrections answered 201 `pending`.
    pub(crate) drafted: Mutex<Vec<i64>>,
    /// Corrections answered 200 `published` on approval.
    pub(crate) published: Mutex<Vec<i64>>,
    /// Answers that were neither a success nor a dropped connection: each one fails the test.
    pub(crate) unexpected: Mutex<Vec<String>>,
}

impl Acked {
    pub(crate) fn reports(&self) -> usize {
        self.reports.lock().unwrap().len()
    }

    pub(crate) fn published(&self) -> usize {
        self.published.lock().unwrap().len()
    }

    pub(crate) fn unexpected(&self, what: String) {
        self.unexpected.lock().unwrap().push(what);
    }
}

/// The accounts the load acts as, made with the command line.
struct Staff {
    /// Drafts corrections and registers articles.
    editor: String,
    /// Approves what the editor drafts.
    approver: String,
}

/// Makes an account with `role` and returns a new API token of it.
pub(crate) fn account(database: &TestDb, email: &str, role: &str) -> String {
    let added = cli(database, &["user", "add", "--email", email, "--name", email, "--role", role], None);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let token = cli(database, &["token", "create", "--email", email, "--name", "load"], None);
    assert!(token.status.success(), "{}", String::from_utf8_lossy(&token.stderr));
    String::from_utf8(token.stdout).unwrap().lines().last().unwrap().trim().to_owned()
}

/// A unique reader address, so every report can be told apart.
pub(crate) fn reader_email(prefix: &str) -> String {
    format!("{prefix}-{}@readers.example", rand::random::<u64>())
}

/// Files reports through the API until told to stop or the server is gone.
async fn api_reports(client: reqwest::Client, base: String, stop: Arc<AtomicBool>, acked: Arc<Acked>) {
    while !stop.load(Ordering::SeqCst) {
        let mut body = report_json();
        body["reporter_email"] = json!(reader_email("api"));
        let Ok(response) = client.post(format!("{base}/api/v1/articles/kursk/reports")).json(&body).send().await else {
            return;
        };
        let status = response.status();
        let Ok(text) = response.text().await else { return };
        if status != 201 {
            acked.unexpected(format!("API report: {status} {text}"));
            return;
        }
        let filed: Value = serde_json::from_str(&text).unwrap();
        acked.reports.lock().unwrap().push(filed["token"].as_str().unwrap().to_owned());
    }
}

/// Files reports through the HTML form until told to stop or the server is gone.
async fn form_reports(client: reqwest::Client, base: String, stop: Arc<AtomicBool>, acked: Arc<Acked>) {
    while !stop.load(Ordering::SeqCst) {
        let email = reader_email("form");
        let fields = [
            ("category", "factual_error"),
            ("quote", "approaching its four-year mark"),
            ("explanation", "It was approaching its three-year mark in December 2024."),
            ("evidence_urls", "https://example.com/a\r\n"),
            ("reporter_name", "Form Reader"),
            ("reporter_email", email.as_str()),
            ("website", ""),
        ];
        let Ok(response) = client.post(format!("{base}/articles/kursk/report")).form(&fields).send().await else {
            return;
        };
        let status = response.status();
        let location = response.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_owned);
        if response.bytes().await.is_err() {
            return;
        }
        let token = location
            .as_deref()
            .and_then(|l| l.strip_prefix("/reports/"))
            .and_then(|l| l.strip_suffix("?filed=1"))
            .filter(|_| status == 303);
        let Some(token) = token else {
            acked.unexpected(format!("form report: {status} to {location:?}"));
            return;
        };
        acked.reports.lock().unwrap().push(token.to_owned());
        acked.form_reports.fetch_add(1, Ordering::SeqCst);
    }
}

/// Sends a request and reads a JSON answer of the `expected` status; `None` when the
/// connection dropped (the kill), and an unexpected answer is recorded.
async fn call(acked: &Acked, what: &str, request: reqwest::RequestBuilder, expected: u16) -> Option<Value> {
    let response = request.send().await.ok()?;
    let status = response.status();
    let text = response.text().await.ok()?;
    if status != expected {
        acked.unexpected(format!("{what}: {status} {text}"));
        return None;
    }
    Some(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Publishes retractions the way a newsroom does, until told to stop or the server is gone:
/// registers an article, a reader reports it, the editor drafts a retraction resolving the
/// report, and a standards editor approves it.
async fn corrections(
    client: reqwest::Client,
    base: String,
    staff: Arc<Staff>,
    stop: Arc<AtomicBool>,
    acked: Arc<Acked>,
) -> Option<()> {
    while !stop.load(Ordering::SeqCst) {
        let article = format!("c{}", rand::random::<u64>());
        let put =
            client.put(format!("{base}/api/v1/articles/{article}")).bearer_auth(&staff.editor).json(&article_json());
        call(&acked, "article", put, 201).await?;
        let email = reader_email("c");
        let mut report = report_json();
        report["reporter_email"] = json!(email);
        let filed = client.post(format!("{base}/api/v1/articles/{article}/reports")).json(&report);
        let filed = call(&acked, "report", filed, 201).await?;
        acked.reports.lock().unwrap().push(filed["token"].as_str().unwrap().to_owned());
        let queue =
            client.get(format!("{base}/api/v1/desk/reports")).query(&[("q", &email)]).bearer_auth(&staff.editor);
        let queue = call(&acked, "queue", queue, 200).await?;
        let report_id = queue["items"][0]["id"].as_i64().unwrap();
        let body = json!({
            "article_id": article,
            "kind": "retraction",
            "text": RETRACTION_TEXT,
            "report_ids": [report_id],
        });
        let draft = client.post(format!("{base}/api/v1/desk/corrections")).bearer_auth(&staff.editor).json(&body);
        let draft = call(&acked, "draft", draft, 201).await?;
        if draft["status"] != "pending" {
            acked.unexpected(format!("a retraction was not held for approval: {draft}"));
            return None;
        }
        let id = draft["id"].as_i64().unwrap();
        acked.drafted.lock().unwrap().push(id);
        let approve = client
            .post(format!("{base}/api/v1/desk/corrections/{id}/approval"))
            .bearer_auth(&staff.approver)
            .json(&json!({}));
        let approved = call(&acked, "approval", approve, 200).await?;
        if approved["status"] != "published" {
            acked.unexpected(format!("an approved retraction was not published: {approved}"));
            return None;
        }
        acked.published.lock().unwrap().push(id);
    }
    Some(())
}

/// Runs the load against `server` and kills it with SIGKILL once this round has had at least
/// `reports` reports and `corrections` corrections acknowledged, while requests are under way.
async fn load_then_kill(
    server: Server,
    log: &std::path::Path,
    staff: &Arc<Staff>,
    acked: &Arc<Acked>,
    reports: usize,
    corrections: usize,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let (reports_before, published_before) = (acked.reports(), acked.published());
    let mut tasks = Vec::new();
    for _ in 0..3 {
        tasks.push(tokio::spawn(api_reports(client.clone(), server.address(), stop.clone(), acked.clone())));
    }
    for _ in 0..2 {
        tasks.push(tokio::spawn(form_reports(client.clone(), server.address(), stop.clone(), acked.clone())));
    }
    for _ in 0..2 {
        let task = self::corrections(client.clone(), server.address(), staff.clone(), stop.clone(), acked.clone());
        tasks.push(tokio::spawn(async move {
            // `None`: the connection dropped (the kill), or an unexpected answer was recorded.
            let _ = task.await;
        }));
    }
    let what = format!("the load to reach {reports} reports and {corrections} corrections");
    wait::until_async(&what, Duration::from_secs(300), || {
        let unexpected = acked.unexpected.lock().unwrap().clone();
        assert!(
            unexpected.is_empty(),
            "the server answered what it should not have: {unexpected:#?}\nits log: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        let done = acked.reports() >= reports_before + reports && acked.published() >= published_before + corrections;
        async move { done.then_some(()) }
    })
    .await;
    server.kill();
    stop.store(true, Ordering::SeqCst);
    for task in tasks {
        task.await.unwrap();
    }
    let unexpected = acked.unexpected.lock().unwrap().clone();
    assert!(
        unexpected.is_empty(),
        "the server answered what it should not have: {unexpected:#?}\nits log: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

#[derive(QueryableByName)]
pub(crate) struct Count {
    #[diesel(sql_type = BigInt)]
    pub(crate) n: i64,
}

#[derive(QueryableByName)]
struct Tally {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct EventRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    payload: String,
}

#[derive(QueryableByName)]
struct CorrectionRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    status: String,
}

/// Checks over the tables that no transaction was half-written; returns (reports stored, corrections stored).
pub(crate) fn no_half_written_rows(database: &TestDb) -> (i64, BTreeMap<i64, String>) {
    let mut conn = corrigenda::db::DbTarget::parse(&database.url).unwrap().connect().unwrap();
    let mut count = |sql: &str| -> i64 { diesel::sql_query(sql).get_result::<Count>(&mut conn).unwrap().n };
    // Each statement counts the rows that break one rule, which must be none.
    let broken = [
        (
            "a report without its report_filed event",
            "SELECT count(*) AS n FROM reports r WHERE NOT EXISTS \
             (SELECT 1 FROM events e WHERE e.report_id = r.id AND e.kind = 'report_filed')",
        ),
        (
            "a report with more than one report_filed event",
            "SELECT count(*) AS n FROM (SELECT report_id FROM events WHERE kind = 'report_filed' \
             GROUP BY report_id HAVING count(*) > 1) twice",
        ),
        (
            "an event of a report that is not there",
            "SELECT count(*) AS n FROM events e WHERE e.report_id IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM reports r WHERE r.id = e.report_id)",
        ),
        (
            "a report of an article that is not there",
            "SELECT count(*) AS n FROM reports r WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = r.article_id)",
        ),
        (
            "a log entry without its correction",
            "SELECT count(*) AS n FROM log_entries l WHERE NOT EXISTS \
             (SELECT 1 FROM corrections c WHERE c.id = l.correction_id)",
        ),
        (
            "a log entry of a correction that is not published",
            "SELECT count(*) AS n FROM log_entries l JOIN corrections c ON c.id = l.correction_id \
             WHERE c.status <> 'published'",
        ),
        (
            "a published correction without its log entry",
            "SELECT count(*) AS n FROM corrections c WHERE c.status = 'published' AND NOT EXISTS \
             (SELECT 1 FROM log_entries l WHERE l.correction_id = c.id)",
        ),
        (
            "a correction in the log twice",
            "SELECT count(*) AS n FROM (SELECT correction_id FROM log_entries GROUP BY correction_id \
             HAVING count(*) > 1) twice",
        ),
        (
            "a published correction without its time or publisher",
            "SELECT count(*) AS n FROM corrections WHERE status = 'published' \
             AND (published_at IS NULL OR published_by IS NULL)",
        ),
        (
            "a link between a correction and a report, either not there",
            "SELECT count(*) AS n FROM correction_reports cr WHERE \
             NOT EXISTS (SELECT 1 FROM corrections c WHERE c.id = cr.correction_id) \
             OR NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = cr.report_id)",
        ),
        (
            "a report of a published correction not corrected, or of a pending one not awaiting approval",
            "SELECT count(*) AS n FROM correction_reports cr JOIN corrections c ON c.id = cr.correction_id \
             JOIN reports r ON r.id = cr.report_id \
             WHERE (c.status = 'published' AND r.status <> 'corrected') \
             OR (c.status = 'pending' AND r.status <> 'awaiting_approval')",
        ),
        (
            "a report corrected or awaiting approval without a correction resolving it",
            "SELECT count(*) AS n FROM reports r WHERE r.status IN ('corrected', 'awaiting_approval') \
             AND NOT EXISTS (SELECT 1 FROM correction_reports cr WHERE cr.report_id = r.id)",
        ),
        (
            "a report moved without its status_changed event",
            "SELECT count(*) AS n FROM reports r WHERE r.status <> 'new' AND NOT EXISTS \
             (SELECT 1 FROM events e WHERE e.report_id = r.id AND e.kind = 'status_changed')",
        ),
    ];
    let mut failures = Vec::new();
    for (rule, sql) in broken {
        let n = count(sql);
        if n != 0 {
            failures.push(format!("{n} x {rule}"));
        }
    }
    // The log's indexes run from 0 without a gap.
    let entries = count("SELECT count(*) AS n FROM log_entries");
    let next = count("SELECT COALESCE(max(idx) + 1, 0) AS n FROM log_entries");
    if entries != next || count("SELECT COALESCE(min(idx), 0) AS n FROM log_entries") != 0 {
        failures.push(format!("the log has {entries} entries but its indexes run to {next}"));
    }
    // Mail is written in the transaction of what causes it: a receipt for every reader who left
    // an address, and an approval request to every other standards editor for every retraction
    // drafted (an editor's retraction waits for approval; other kinds are published at once).
    let with_email = count("SELECT count(*) AS n FROM reports WHERE reporter_email IS NOT NULL");
    let receipts = count("SELECT count(*) AS n FROM outbox WHERE kind = 'reader_receipt'");
    if receipts != with_email {
        failures.push(format!("{with_email} reports with an address but {receipts} receipts in the outbox"));
    }
    let drafted = count("SELECT count(*) AS n FROM corrections WHERE kind = 'retraction'");
    let requests = count("SELECT count(*) AS n FROM outbox WHERE kind = 'approval_request'");
    if requests != drafted * STANDARDS_EDITORS {
        failures.push(format!("{drafted} retractions drafted but {requests} approval requests in the outbox"));
    }
    let reports = count("SELECT count(*) AS n FROM reports");
    // Counts kept by triggers match the rows they count.
    let mut tallies = |sql: &str| -> BTreeMap<String, i64> {
        diesel::sql_query(sql)
            .load::<Tally>(&mut conn)
            .unwrap()
            .into_iter()
            .filter(|t| t.n != 0)
            .map(|t| (t.key, t.n))
            .collect()
    };
    let pairs = [
        (
            "report_tallies",
            "SELECT status || ' ' || category || ' ' || severity || ' ' || CAST(assignee_id AS TEXT) AS key, \
             n FROM report_tallies",
            "SELECT status || ' ' || category || ' ' || severity || ' ' || CAST(COALESCE(assignee_id, 0) AS TEXT) \
             AS key, count(*) AS n FROM reports GROUP BY status, category, severity, COALESCE(assignee_id, 0)",
        ),
        (
            "sections' reports",
            "SELECT name AS key, reports AS n FROM sections",
            "SELECT a.section AS key, count(*) AS n FROM reports r JOIN articles a ON a.id = r.article_id \
             GROUP BY a.section",
        ),
        (
            "sections' corrections",
            "SELECT name AS key, corrections AS n FROM sections",
            "SELECT a.section AS key, count(*) AS n FROM corrections c JOIN articles a ON a.id = c.article_id \
             WHERE c.status = 'published' GROUP BY a.section",
        ),
    ];
    for (what, kept, counted) in pairs {
        let (kept, counted) = (tallies(kept), tallies(counted));
        if kept != counted {
            failures.push(format!("{what} kept as {kept:?} but counted as {counted:?}"));
        }
    }
    // Every correction has the event of its drafting, and every published one of its approval.
    let events: Vec<EventRow> = diesel::sql_query(
        "SELECT kind, payload FROM events WHERE kind IN ('correction_drafted', 'correction_published', 'correction_approved')",
    )
    .load(&mut conn)
    .unwrap();
    let mut with_event: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for e in &events {
        let payload: Value = serde_json::from_str(&e.payload).unwrap();
        let id = payload["correction_id"].as_i64().unwrap_or_else(|| panic!("{}", e.payload));
        with_event.entry(e.kind.as_str()).or_default().insert(id);
    }
    let stored: BTreeMap<i64, String> = diesel::sql_query("SELECT id, status FROM corrections")
        .load::<CorrectionRow>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.status))
        .collect();
    // Every correction has the event of its drafting (held for approval) or of its publication
    // at once, and a held one that is published the event of its approval.
    for (id, status) in &stored {
        let has = |kind: &str| with_event.get(kind).is_some_and(|s| s.contains(id));
        let (held, at_once, approved) =
            (has("correction_drafted"), has("correction_published"), has("correction_approved"));
        if held == at_once {
            failures.push(format!("correction #{id} drafted: {held}, published at once: {at_once}"));
        } else if held && approved != (status == "published") {
            failures.push(format!("correction #{id} is {status} but approved: {approved}"));
        } else if at_once && (status != "published" || approved) {
            failures.push(format!("correction #{id} published at once is {status}, approved: {approved}"));
        }
    }
    assert!(failures.is_empty(), "half-written rows after the kill:\n{}", failures.join("\n"));
    (reports, stored)
}

/// Every correction id in the public site-wide log, read page by page.
pub(crate) async fn public_log(client: &reqwest::Client, base: &str) -> BTreeSet<i64> {
    let mut ids = BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("limit", "500".to_owned())];
        if let Some(c) = &cursor {
            query.push(("cursor", c.clone()));
        }
        let page: Value =
            client.get(format!("{base}/api/v1/corrections")).query(&query).send().await.unwrap().json().await.unwrap();
        ids.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()));
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}

/// What the checks after a restart found.
struct Found {
    reports: usize,
    stored_reports: i64,
    corrections: usize,
}

/// After a restart: what was acknowledged is there, nothing is half-written, and the log verifies.
async fn check_after_restart(database: &TestDb, server: &Server, acked: &Acked) -> Found {
    let client = reqwest::Client::new();
    let tokens = acked.reports.lock().unwrap().clone();
    let mut missing = Vec::new();
    for token in &tokens {
        let response = client.get(server.url(&format!("/api/v1/reports/{token}"))).send().await.unwrap();
        if response.status() != 200 {
            missing.push(format!("{}: {}", response.status(), response.text().await.unwrap()));
        }
    }
    assert!(missing.is_empty(), "{} acknowledged reports are not readable by their token: {missing:?}", missing.len());

    let published: BTreeSet<i64> = acked.published.lock().unwrap().iter().copied().collect();
    let in_log = public_log(&client, &server.address()).await;
    let lost: Vec<&i64> = published.difference(&in_log).collect();
    assert!(lost.is_empty(), "corrections acknowledged as published are not in the public log: {lost:?}");

    let (stored_reports, stored) = no_half_written_rows(database);
    for id in acked.drafted.lock().unwrap().iter() {
        let status = stored.get(id).map(String::as_str);
        assert!(
            matches!(status, Some("pending" | "published")),
            "correction #{id} was acknowledged as drafted but is {status:?}"
        );
    }

    let verified = cli(database, &["verify-log", "--database"], None);
    assert!(
        verified.status.success(),
        "verify-log --database: {}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
    // The checkpoint is signed once the server's own start-up check of the log has passed.
    let url = server.url("/api/v1/log/checkpoint");
    let checkpoint: Value = wait::until_async("a signed checkpoint", Duration::from_secs(60), || async {
        let response = client.get(&url).send().await.unwrap();
        if response.status() == 200 {
            Some(response.json().await.unwrap())
        } else {
            None
        }
    })
    .await;
    let entries = stored.values().filter(|s| *s == "published").count();
    assert_eq!(checkpoint["size"].as_u64(), Some(entries as u64), "{checkpoint}");
    let verified = cli(database, &["verify-log", "--url", &server.address()], None);
    assert!(
        verified.status.success(),
        "verify-log --url: {}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
    Found {
        reports: tokens.len() - missing.len(),
        stored_reports,
        corrections: published.intersection(&in_log).count(),
    }
}

async fn acknowledged_reports_and_corrections_survive_sigkill_under_load(backend: Backend) {
    let rounds: usize = match std::env::var("CORRIGENDA_CRASH_ROUNDS") {
        Ok(n) => n.parse().expect("CORRIGENDA_CRASH_ROUNDS is a number of rounds"),
        Err(_) => 1,
    };
    let database = TestDb::new(backend);
    let log = std::path::Path::new(&database.key_path).with_file_name("serve.log");
    let staff = Arc::new(Staff {
        editor: account(&database, "desk@news.example", "editor"),
        approver: account(&database, "standards@news.example", "standards_editor"),
    });
    // A second standards editor: approval requests go to each standards editor but the author.
    account(&database, "standards2@news.example", "standards_editor");
    let acked = Arc::new(Acked::default());
    let mut server = Server::start(&database, &log).await;
    let client = reqwest::Client::new();
    let put =
        client.put(server.url("/api/v1/articles/kursk")).bearer_auth(&staff.editor).json(&article_json()).send().await;
    assert_eq!(put.unwrap().status(), 201);

    for round in 1..=rounds {
        // Each round kills at a different point of the load.
        let reports = REPORTS_PER_ROUND + rand::random::<usize>() % REPORTS_PER_ROUND;
        load_then_kill(server, &log, &staff, &acked, reports, CORRECTIONS_PER_ROUND).await;
        server = Server::start(&database, &log).await;
        let found = check_after_restart(&database, &server, &acked).await;
        eprintln!(
            "crash {} round {round}/{rounds}: reports acknowledged {} (form {}), found {} ({} stored); \
             corrections acknowledged as published {}, found in the log {}",
            backend.name(),
            acked.reports(),
            acked.form_reports.load(Ordering::SeqCst),
            found.reports,
            found.stored_reports,
            acked.published(),
            found.corrections,
        );
    }
}

/// The `synchronous` setting each of `connections` pooled connections reports, held all at once
/// (each nested read takes another connection from the pool).
fn synchronous_of_pooled(db: &corrigenda::db::Db, connections: usize, seen: &mut Vec<i64>) {
    if connections == 0 {
        return;
    }
    db.read_blocking(|c| {
        #[derive(QueryableByName)]
        struct Synchronous {
            #[diesel(sql_type = BigInt)]
            synchronous: i64,
        }
        seen.push(diesel::sql_query("PRAGMA synchronous").get_result::<Synchronous>(c)?.synchronous);
        synchronous_of_pooled(db, connections - 1, seen);
        Ok(())
    })
    .unwrap();
}

/// `CORRIGENDA_SQLITE_SYNCHRONOUS=full` is in effect on every connection of the server's pool
/// (`PRAGMA synchronous` reads 2; 1 is NORMAL, the default); PostgreSQL takes the setting and ignores it.
fn sqlite_synchronous_full_reaches_every_pooled_connection(backend: Backend) {
    for (given, expected) in [("normal", 1), ("full", 2)] {
        let database = TestDb::new(backend);
        let mut raw = crate::helpers::settings(&database);
        raw.sqlite_synchronous = given.into();
        let config = raw.parse().unwrap();
        let (db, _) = corrigenda::db::Db::open(&config.database).unwrap();
        if backend == Backend::Postgres {
            let reports = db.read_blocking(|c| {
                Ok(diesel::sql_query("SELECT count(*) AS n FROM reports").get_result::<Count>(c)?.n)
            });
            assert_eq!(reports.unwrap(), 0);
            continue;
        }
        let mut seen = Vec::new();
        synchronous_of_pooled(&db, 4, &mut seen);
        assert_eq!(seen, vec![expected; 4], "CORRIGENDA_SQLITE_SYNCHRONOUS={given}");
    }
}

#[test]
fn sqlite_synchronous_full_is_in_effect_on_pooled_connections() {
    sqlite_synchronous_full_reaches_every_pooled_connection(Backend::Sqlite);
}

#[test]
fn postgres_takes_the_sqlite_synchronous_setting_and_ignores_it() {
    if crate::helpers::postgres_available() {
        sqlite_synchronous_full_reaches_every_pooled_connection(Backend::Postgres);
    }
}
