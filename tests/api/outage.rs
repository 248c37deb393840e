//! PostgreSQL stopped under load, then started again: the real binary answers 503 with
//! `Retry-After` and a plain message meanwhile (never a hang, never a 500, never the cause),
//! `/readyz` says the database is unreachable while `/healthz` still says the process is up,
//! and everything comes back without a restart.
//!
//! PostgreSQL only by nature: the test runs a cluster of its own (`initdb`, `pg_ctl`) on its
//! own data folder and port, which it can stop and start.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};

use crate::helpers::{wait, ServeOutput};

/// Longest any answer may take: a pool wait (5 s) with room to spare, short of a hang.
const ANSWER_BOUND: Duration = Duration::from_secs(15);
/// How long the app may take to serve again once PostgreSQL accepts connections.
const RECOVERY_BOUND: Duration = Duration::from_secs(60);
/// Driver and pool texts that must never reach a client.
const DRIVER_TEXTS: [&str; 9] = [
    "postgres://",
    "connection refused",
    "server closed the connection",
    "could not connect",
    "timed out waiting for connection",
    "terminating connection",
    "is the server running",
    "database query failed",
    "diesel",
];

/// The folder of PostgreSQL's server programs, the newest installed version first.
fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").exists())
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return Some(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    bin.join("initdb").exists().then_some(bin)
}

/// Ports PostgreSQL is offered, one after another, while the one offered is taken.
const PORT_TRIES: usize = 20;

/// A PostgreSQL cluster of the test's own, stopped and removed when dropped.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    /// `initdb` refuses to run as root: then every program runs as the `postgres` user.
    as_postgres: bool,
    dir: tempfile::TempDir,
}

impl Cluster {
    /// Makes and starts a cluster; `None` (said loudly) without PostgreSQL's programs, except under CI.
    fn start() -> Option<Self> {
        let Some(bin) = postgres_bin() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set and PostgreSQL's server programs (initdb, pg_ctl) are not installed"
            );
            eprintln!("\n*** SKIPPED the PostgreSQL outage test: initdb and pg_ctl are not installed. ***");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let as_postgres = run("id", &["-u"]).trim() == "0";
        if as_postgres {
            let owner = format!("{}:{}", run("id", &["-u", "postgres"]).trim(), run("id", &["-g", "postgres"]).trim());
            run("chown", &[&owner, dir.path().to_str().unwrap()]);
        }
        let mut cluster = Self { data: dir.path().join("data"), bin, port: 0, as_postgres, dir };
        // The C locale keeps the server's messages in English, which the app reads for timeouts.
        let data = cluster.data.to_str().unwrap().to_owned();
        cluster.program("initdb", &["-D", &data, "-U", "postgres", "-A", "trust", "--locale=C", "-E", "UTF8"]);
        cluster.first_up();
        let mut admin = PgConnection::establish(&cluster.url("postgres")).unwrap();
        diesel::sql_query("CREATE DATABASE corrigenda").execute(&mut admin).unwrap();
        Some(cluster)
    }

    /// Runs one of PostgreSQL's programs (as `postgres` when needed); fails the test if it fails.
    fn program(&self, name: &str, args: &[&str]) -> Output {
        let out = self.try_program(name, args);
        assert!(
            out.status.success(),
            "{name} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Runs one of PostgreSQL's programs (as `postgres` when needed).
    fn try_program(&self, name: &str, args: &[&str]) -> Output {
        let program = self.bin.join(name);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command.args(args).stdin(Stdio::null()).output().unwrap()
    }

    /// Starts the server the first time. It binds its port itself, so the test cannot bind it
    /// first and hand it over: it is offered ports until one is free, and keeps that one.
    fn first_up(&mut self) {
        use rand::Rng;
        let log = self.log();
        for _ in 0..PORT_TRIES {
            // Below the range the kernel hands out for port 0 and outgoing connections (32768
            // and up by default), so the other tests' servers and clients are not in the way.
            self.port = rand::thread_rng().gen_range(20_000..32_768);
            let before = std::fs::metadata(&log).map_or(0, |m| m.len() as usize);
            let out = self.try_up();
            if out.status.success() {
                return;
            }
            let said = std::fs::read(&log).unwrap_or_default();
            let said = String::from_utf8_lossy(said.get(before..).unwrap_or_default());
            assert!(
                said.contains("Address already in use"),
                "pg_ctl start failed: {}{}{said}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        panic!("PostgreSQL found each of the {PORT_TRIES} ports offered taken");
    }

    /// Starts the server again on its port and waits until it accepts connections.
    fn up(&self) {
        let out = self.try_up();
        let said = std::fs::read_to_string(self.log()).unwrap_or_default();
        assert!(out.status.success(), "pg_ctl start failed: {}{said}", String::from_utf8_lossy(&out.stderr));
    }

    /// Starts the server on its port and waits (a minute at most) until it accepts connections.
    fn try_up(&self) -> Output {
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
        let log = self.log();
        let (data, log) = (self.data.to_str().unwrap(), log.to_str().unwrap());
        self.try_program("pg_ctl", &["start", "-D", data, "-l", log, "-w", "-t", "60", "-o", &options])
    }

    /// The server's log, which `pg_ctl` appends to.
    fn log(&self) -> PathBuf {
        self.dir.path().join("postgres.log")
    }

    /// Stops the server at once, as a crash or a pulled plug would: no clean shutdown.
    fn down(&self) {
        self.program("pg_ctl", &["stop", "-D", self.data.to_str().unwrap(), "-m", "immediate", "-w"]);
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Whatever happened: the server stops; the folder goes with `dir`.
        let program = self.bin.join("pg_ctl");
        let data = self.data.to_str().unwrap_or_default().to_owned();
        let args = ["stop", "-D", &data, "-m", "immediate", "-w"];
        let _ = if self.as_postgres {
            Command::new("runuser").args(["-u", "postgres", "--"]).arg(&program).args(args).output()
        } else {
            Command::new(&program).args(args).output()
        };
    }
}

/// Runs a command and hands back its standard output.
fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The corrigenda server, killed when dropped; its log is shown when the test failed.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- server log ---\n{}", std::fs::read_to_string(&self.log).unwrap_or_default());
        }
    }
}

/// The binary with the test's settings; `serve` picks a port of its own.
fn corrigenda(cluster: &Cluster, dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_corrigenda"));
    command
        .env("DATABASE_URL", cluster.url("corrigenda"))
        .env("CORRIGENDA_BIND", "127.0.0.1:0")
        .env("CORRIGENDA_SIGNING_KEY", dir.join("log.key"))
        .env("CORRIGENDA_MAIL_DIR", dir.join("mail"))
        .env("CORRIGENDA_REPORT_RATE_LIMIT", "0")
        .env_remove("SMTP_URL")
        .stdin(Stdio::null());
    command
}

/// What the load sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// `POST /api/v1/articles/{id}/reports`.
    ApiReport,
    /// `POST /articles/{id}/report`, the reader's form.
    FormReport,
    /// `GET /api/v1/corrections`.
    ApiRead,
    /// `GET /articles/{id}/report`, a page that reads the article.
    PageRead,
    /// `GET /readyz`: whether this instance can serve.
    Ready,
    /// `GET /healthz`: whether the process is up, database or not.
    Live,
}

/// One request of the load and how it was answered.
#[derive(Debug)]
struct Answer {
    kind: Kind,
    sent: Instant,
    took: Duration,
    /// `None` when no answer came (the client gave up, or the connection failed).
    status: Option<u16>,
    retry_after: Option<String>,
    content_type: String,
    body: String,
    /// The tracking token of an acknowledged report (201 from the API, 303 from the form).
    token: Option<String>,
}

const ARTICLE: &str = "outage-1";
const QUOTE: &str = "approaching its four-year mark";

fn report_body(i: usize) -> serde_json::Value {
    serde_json::json!({
        "category": "factual_error",
        "quote": QUOTE,
        "explanation": format!("Report {i}: the invasion began in February 2022."),
        "reporter_email": format!("reader{i}@example.com"),
    })
}

/// Sends one request of `kind` and records the answer.
async fn send(client: &reqwest::Client, base: &str, kind: Kind, i: usize) -> Answer {
    let request = match kind {
        Kind::ApiReport => client.post(format!("{base}/api/v1/articles/{ARTICLE}/reports")).json(&report_body(i)),
        Kind::FormReport => client.post(format!("{base}/articles/{ARTICLE}/report")).form(&[
            ("category", "factual_error"),
            ("quote", QUOTE),
            ("explanation", "Sent through the form during the test."),
        ]),
        Kind::ApiRead => client.get(format!("{base}/api/v1/corrections")),
        Kind::PageRead => client.get(format!("{base}/articles/{ARTICLE}/report")),
        Kind::Ready => client.get(format!("{base}/readyz")),
        Kind::Live => client.get(format!("{base}/healthz")),
    };
    let sent = Instant::now();
    let mut answer = Answer {
        kind,
        sent,
        took: Duration::ZERO,
        status: None,
        retry_after: None,
        content_type: String::new(),
        body: String::new(),
        token: None,
    };
    match request.send().await {
        Ok(response) => {
            answer.status = Some(response.status().as_u16());
            let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
            answer.retry_after = header("retry-after");
            answer.content_type = header("content-type").unwrap_or_default();
            if let Some(location) = header("location") {
                let token = location.strip_prefix("/reports/").and_then(|rest| rest.split('?').next());
                answer.token = token.map(str::to_owned);
            }
            answer.body = response.text().await.unwrap_or_default();
            if answer.status == Some(201) {
                let filed: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
                answer.token = filed["token"].as_str().map(str::to_owned);
            }
        }
        Err(err) => answer.body = format!("no answer: {err}"),
    }
    answer.took = sent.elapsed();
    answer
}

/// Polls `done` for up to `limit`; true once it held.
async fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    wait::poll("a condition", limit, || {
        let held = done();
        async move { held.then_some(()) }
    })
    .await
    .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_outage_answers_503_then_recovers() {
    let Some(cluster) = Cluster::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles.csv");
    std::fs::write(
        &articles,
        format!(
            "id,url,title,section,authors,published_at,text\n\
             {ARTICLE},https://news.example/{ARTICLE},The war goes on,World,Maria Okafor,2026-11-25T08:00:00Z,\
             The war that is {QUOTE} goes on.\n"
        ),
    )
    .unwrap();
    let imported = corrigenda(&cluster, dir.path()).args(["import", "articles"]).arg(&articles).output();
    let imported = imported.unwrap();
    assert!(imported.status.success(), "import: {}", String::from_utf8_lossy(&imported.stderr));

    let log = dir.path().join("server.log");
    let mut child = corrigenda(&cluster, dir.path())
        .arg("serve")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let output = ServeOutput::follow(&mut child, std::io::sink());
    let mut server = Server { child, log };
    let base = format!("http://{}", output.address().expect("the server ended before it listened"));
    let client = reqwest::Client::builder()
        .timeout(ANSWER_BOUND * 2)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let up = Instant::now();
    wait::until_async("the server to start", Duration::from_secs(60), || async {
        (send(&client, &base, Kind::Ready, 0).await.status == Some(200)).then_some(())
    })
    .await;

    // The load: one task per kind of request, each sending one after another until told to stop.
    let answers: Arc<Mutex<Vec<Answer>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for kind in
        [Kind::ApiReport, Kind::ApiReport, Kind::FormReport, Kind::ApiRead, Kind::PageRead, Kind::Ready, Kind::Live]
    {
        let (client, base, answers, stop) = (client.clone(), base.clone(), answers.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            let mut pace = wait::Pace::every(Duration::from_millis(20));
            while !stop.load(Ordering::SeqCst) {
                pace.step().await;
                let answer = send(&client, &base, kind, i + 1_000_000 * kind as usize).await;
                answers.lock().unwrap().push(answer);
                i += 1;
            }
        }));
    }
    let count = |answers: &Arc<Mutex<Vec<Answer>>>, after: Instant, kind: Kind, status: u16| {
        answers.lock().unwrap().iter().filter(|a| a.sent >= after && a.kind == kind && a.status == Some(status)).count()
    };
    assert!(
        wait_for(Duration::from_secs(60), || count(&answers, up, Kind::ApiReport, 201) >= 10).await,
        "reports are acknowledged before the outage"
    );

    cluster.down();
    let stopped = Instant::now();
    // Every kind of request is refused at least twice while PostgreSQL is down.
    let refused_all = wait_for(Duration::from_secs(120), || {
        [Kind::ApiReport, Kind::FormReport, Kind::ApiRead, Kind::PageRead, Kind::Ready]
            .into_iter()
            .all(|kind| count(&answers, stopped, kind, 503) >= 2)
    })
    .await;
    assert!(refused_all, "every kind of request was answered 503 during the outage");
    // Nothing sent while the database was down was acknowledged.
    let restarted_at = Instant::now();
    {
        let answers = answers.lock().unwrap();
        // The liveness probe is the exception: the process is up, and says so.
        let during = answers
            .iter()
            .filter(|a| a.kind != Kind::Live && a.sent >= stopped + Duration::from_secs(1) && a.sent < restarted_at);
        let acknowledged: Vec<&Answer> = during.filter(|a| matches!(a.status, Some(200..=399))).collect();
        assert!(acknowledged.is_empty(), "answered as if nothing were wrong during the outage: {acknowledged:?}");
    }

    cluster.up();
    let started = Instant::now();
    let recovered = wait_for(RECOVERY_BOUND, || {
        count(&answers, started, Kind::ApiReport, 201) >= 3
            && count(&answers, started, Kind::Ready, 200) >= 1
            && count(&answers, started, Kind::PageRead, 200) >= 1
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    for task in tasks {
        task.await.unwrap();
    }
    assert!(recovered, "the server serves again within {RECOVERY_BOUND:?} of PostgreSQL's restart, unrestarted");
    assert!(server.child.try_wait().unwrap().is_none(), "the server kept running through the outage");

    let answers = std::mem::take(&mut *answers.lock().unwrap());
    let port = cluster.port.to_string();
    let mut statuses: BTreeMap<(Kind, Option<u16>), usize> = BTreeMap::new();
    for a in &answers {
        *statuses.entry((a.kind, a.status)).or_default() += 1;
        let what = format!("{:?} sent {:?} after the stop", a.kind, a.sent.checked_duration_since(stopped));
        assert!(a.took < ANSWER_BOUND, "{what} took {:?}: {}", a.took, a.body);
        let status = a.status.unwrap_or_else(|| panic!("{what} got no answer: {}", a.body));
        if a.kind == Kind::Live {
            assert_eq!(status, 200, "{what}: the process is up, whatever the database: {}", a.body);
            continue;
        }
        assert!(matches!(status, 200 | 201 | 303 | 503), "{what} answered {status}: {}", a.body);
        if status >= 400 {
            let body = a.body.to_lowercase();
            for text in DRIVER_TEXTS.iter().chain([&port.as_str()]) {
                assert!(!body.contains(text), "{what} answered {status} naming {text:?}: {}", a.body);
            }
        }
        if status != 503 {
            continue;
        }
        let retry_after: u64 = a.retry_after.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
        assert!(retry_after > 0, "{what}: 503 with Retry-After {:?}", a.retry_after);
        match a.kind {
            Kind::ApiReport | Kind::ApiRead => {
                let body: serde_json::Value = serde_json::from_str(&a.body).unwrap();
                assert_eq!(body["error"]["code"], "unavailable", "{what}");
                assert!(body["error"]["message"].as_str().unwrap().contains("try again"), "{what}: {}", a.body);
            }
            Kind::FormReport | Kind::PageRead => {
                assert!(a.content_type.starts_with("text/html"), "{what}: a page, not {}", a.content_type);
                assert!(a.body.contains("try again"), "{what}: {}", a.body);
            }
            Kind::Ready => {
                assert!(a.body.starts_with("not ready: database unreachable"), "{what}: {}", a.body);
                assert!(a.content_type.starts_with("text/plain"), "{what}: plain text, not {}", a.content_type);
            }
            Kind::Live => unreachable!("checked above"),
        }
    }

    // What was acknowledged is all there, before the outage and after it, from either form.
    let tokens: Vec<&str> = answers.iter().filter_map(|a| a.token.as_deref()).collect();
    for token in &tokens {
        let tracked = client.get(format!("{base}/api/v1/reports/{token}")).send().await.unwrap();
        assert_eq!(tracked.status(), 200, "an acknowledged report is readable by its token");
    }
    // The mail dispatcher kept going through the outage: the confirmations queued after it are sent.
    let mut db = PgConnection::establish(&cluster.url("corrigenda")).unwrap();
    let queued = |db: &mut PgConnection| -> i64 {
        use diesel::dsl::sql;
        diesel::select(sql::<diesel::sql_types::BigInt>("(SELECT count(*) FROM outbox WHERE status = 'queued')"))
            .get_result(db)
            .unwrap()
    };
    let sent_all = wait_for(Duration::from_secs(60), || queued(&mut db) == 0).await;
    assert!(sent_all, "the dispatcher sends again after the outage ({} still queued)", queued(&mut db));

    let first_refusal = answers
        .iter()
        .filter(|a| a.status == Some(503))
        .filter_map(|a| (a.sent + a.took).checked_duration_since(stopped))
        .min()
        .unwrap();
    let longest = answers.iter().map(|a| a.took).max().unwrap();
    let recovery = answers
        .iter()
        .filter(|a| a.sent >= started && a.kind == Kind::ApiReport && a.status == Some(201))
        .map(|a| (a.sent + a.took).duration_since(started))
        .min()
        .unwrap();
    eprintln!(
        "outage: {} requests; first 503 {first_refusal:?} after PostgreSQL stopped; longest answer {longest:?}; \
         first report acknowledged {recovery:?} after it started again; {} reports acknowledged and found; \
         answers by kind and status: {statuses:?}",
        answers.len(),
        tokens.len()
    );
}
