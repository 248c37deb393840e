//! Operations through the real binary: `corrigenda backup` copies a live SQLite database that
//! verifies and restores with every report acknowledged before it, and refuses to overwrite a
//! file or to copy PostgreSQL; `corrigenda healthcheck` succeeds only against a serving server.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{article_json, cli, mail_dir, report_json, wait, Backend, ServeOutput, TestDb};

both_backends!(healthcheck_succeeds_only_against_a_serving_server, backup_refuses_what_it_must_not_do);

/// Runs the binary with the test database's key and mail folder on `database_url`, and `env` added.
fn corrigenda(database: &TestDb, database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corrigenda"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("CORRIGENDA_SIGNING_KEY", &database.key_path)
        .env("CORRIGENDA_MAIL_DIR", mail_dir(database))
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `corrigenda serve` on `database_url`, with the test database's key and mail folder.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    address: String,
}

impl Server {
    /// Starts the binary on a port it picks and waits until `/healthz` answers 200.
    async fn start(database: &TestDb, database_url: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_corrigenda"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env("CORRIGENDA_SIGNING_KEY", &database.key_path)
            .env("CORRIGENDA_MAIL_DIR", mail_dir(database))
            .env("CORRIGENDA_REPORT_RATE_LIMIT", "0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let address =
            ServeOutput::follow(&mut child, std::io::sink()).address().expect("serve ended before it listened");
        let mut server = Self { child, address };
        let client = reqwest::Client::new();
        let url = server.url("/healthz");
        wait::until_async("the server to start", Duration::from_secs(60), || {
            assert!(server.child.try_wait().unwrap().is_none(), "the server exited at start-up");
            let answer = client.get(&url).send();
            async move { answer.await.ok().filter(|r| r.status() == 200).map(drop) }
        })
        .await;
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Stops it as a service manager does (SIGTERM) and waits for it to exit 0.
    fn stop(mut self) {
        // SAFETY: kill only sends a signal to the child this value owns.
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) }, 0);
        let status =
            wait::until("the server to exit after SIGTERM", Duration::from_secs(60), || self.child.try_wait().unwrap());
        assert!(status.success(), "the server exited with {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An editor's API token, made with the command line.
fn editor_token(database: &TestDb) -> String {
    let added =
        cli(database, &["user", "add", "--email", "desk@news.example", "--name", "Desk", "--role", "editor"], None);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let token = cli(database, &["token", "create", "--email", "desk@news.example", "--name", "load"], None);
    assert!(token.status.success(), "{}", text(&token.stderr));
    text(&token.stdout).lines().last().unwrap().trim().to_owned()
}

/// What the load was told: tracking tokens of reports answered 201, and any other answer.
#[derive(Default)]
struct Acked {
    reports: Mutex<Vec<String>>,
    unexpected: Mutex<Vec<String>>,
}

impl Acked {
    fn count(&self) -> usize {
        self.reports.lock().unwrap().len()
    }
}

/// Files reports through the API until told to stop.
async fn file_reports(client: reqwest::Client, base: String, stop: Arc<AtomicBool>, acked: Arc<Acked>) {
    while !stop.load(Ordering::SeqCst) {
        let mut body = report_json();
        body["reporter_email"] = json!(format!("r{}@readers.example", rand::random::<u64>()));
        let answer = client.post(format!("{base}/api/v1/articles/kursk/reports")).json(&body).send().await;
        let answer = match answer {
            Ok(response) => (response.status(), response.text().await.unwrap_or_default()),
            Err(err) => {
                acked.unexpected.lock().unwrap().push(format!("report: {err}"));
                return;
            }
        };
        if answer.0 != 201 {
            acked.unexpected.lock().unwrap().push(format!("report: {} {}", answer.0, answer.1));
            return;
        }
        let filed: Value = serde_json::from_str(&answer.1).unwrap();
        acked.reports.lock().unwrap().push(filed["token"].as_str().unwrap().to_owned());
    }
}

/// Waits until `acked` holds at least `n` reports (the load's failures fail the test at once).
async fn until_acked(acked: &Acked, n: usize) {
    let what = format!("{n} reports to be acknowledged");
    wait::until_async(&what, Duration::from_secs(120), || {
        let unexpected = acked.unexpected.lock().unwrap().clone();
        assert!(unexpected.is_empty(), "the server answered what it should not have: {unexpected:#?}");
        let done = acked.count() >= n;
        async move { done.then_some(()) }
    })
    .await;
}

/// Reports acknowledged before the backup starts, at least.
const REPORTS_BEFORE: usize = 30;

/// The README's backup and restore, on a server taking reports all along: `backup` copies the
/// database while reports are being filed, the copy verifies (`verify-log --database`) and holds
/// every report acknowledged before the backup began, and a server started on the restored copy,
/// with the same key and mail folder, serves them and a log that verifies over HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backup_under_load_verifies_and_restores_every_report_acknowledged_before_it() {
    let database = TestDb::new(Backend::Sqlite);
    let token = editor_token(&database);
    let server = Server::start(&database, &database.url).await;
    let client = reqwest::Client::new();
    let put = client.put(server.url("/api/v1/articles/kursk")).bearer_auth(&token).json(&article_json()).send().await;
    assert_eq!(put.unwrap().status(), 201);
    // A published correction, so the copy's log has an entry to verify.
    let correction = json!({"article_id": "kursk", "kind": "correction",
        "text": "An earlier version misstated how long the war had lasted."});
    let published = client.post(server.url("/api/v1/desk/corrections")).bearer_auth(&token).json(&correction);
    let published: Value = published.send().await.unwrap().json().await.unwrap();
    assert_eq!(published["status"], "published", "{published}");

    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Acked::default());
    let load: Vec<_> = (0..3)
        .map(|_| tokio::spawn(file_reports(client.clone(), server.url(""), stop.clone(), acked.clone())))
        .collect();
    until_acked(&acked, REPORTS_BEFORE).await;
    let before = acked.reports.lock().unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    let copy_arg = copy.to_string_lossy().into_owned();
    let backed_up = {
        let (url, key, mail) = (database.url.clone(), database.key_path.clone(), mail_dir(&database));
        let copy_arg = copy_arg.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_corrigenda"))
                .args(["backup", &copy_arg])
                .env("DATABASE_URL", url)
                .env("CORRIGENDA_SIGNING_KEY", key)
                .env("CORRIGENDA_MAIL_DIR", mail)
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    assert!(backed_up.status.success(), "backup failed: {}", text(&backed_up.stderr));
    assert!(text(&backed_up.stdout).contains(&copy_arg), "{}", text(&backed_up.stdout));
    // The server went on taking reports: the backup holds no lock writers wait on.
    let at_backup = acked.count();
    until_acked(&acked, at_backup + 10).await;
    stop.store(true, Ordering::SeqCst);
    for task in load {
        task.await.unwrap();
    }
    let unexpected = acked.unexpected.lock().unwrap().clone();
    assert!(unexpected.is_empty(), "the server answered what it should not have: {unexpected:#?}");
    server.stop();

    // One file, private like the database: it holds readers' addresses.
    assert!(!Path::new(&format!("{copy_arg}-wal")).exists(), "the copy needs no WAL file beside it");
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let verified = corrigenda(&database, &copy_arg, &["verify-log", "--database"], &[]);
    assert!(verified.status.success(), "the copy's log does not verify: {}", text(&verified.stderr));
    assert!(text(&verified.stdout).starts_with("log verified: 1 entries"), "{}", text(&verified.stdout));

    // The restore: the server is stopped, the copy takes the database file's place (its WAL
    // and shared-memory files must not outlive it), the key and the mail folder stay.
    for stale in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", database.url));
    }
    std::fs::copy(&copy, &database.url).unwrap();
    let restored = Server::start(&database, &database.url).await;
    for token in &before {
        let tracked = client.get(restored.url(&format!("/api/v1/reports/{token}"))).send().await.unwrap();
        assert_eq!(tracked.status(), 200, "a report acknowledged before the backup is not in the restored copy");
    }
    let remote = corrigenda(&database, &database.url, &["verify-log", "--url", &restored.url("")], &[]);
    assert!(remote.status.success(), "the restored server's log does not verify: {}", text(&remote.stderr));
    restored.stop();
}

/// On SQLite a backup never overwrites a file and never makes a database where there is none;
/// on PostgreSQL it refuses and names the tools to use. A refused backup leaves no file behind.
async fn backup_refuses_what_it_must_not_do(backend: Backend) {
    let database = TestDb::new(backend);
    let migrated = cli(&database, &["migrate"], None);
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("backup.db");
    let copy_arg = copy.to_string_lossy().into_owned();
    match backend {
        Backend::Postgres => {
            let refused = cli(&database, &["backup", &copy_arg], None);
            assert_eq!(refused.status.code(), Some(1));
            let said = text(&refused.stderr);
            assert!(said.contains("pg_dump -Fc") && said.contains("pg_restore"), "{said}");
            assert!(!copy.exists(), "a refused backup made {copy_arg}");
        }
        Backend::Sqlite => {
            std::fs::write(&copy, "an older backup").unwrap();
            let refused = cli(&database, &["backup", &copy_arg], None);
            assert_eq!(refused.status.code(), Some(1));
            let said = text(&refused.stderr);
            assert!(said.contains(&copy_arg) && said.contains("exists"), "{said}");
            assert_eq!(std::fs::read_to_string(&copy).unwrap(), "an older backup", "the file was overwritten");

            let missing = dir.path().join("missing.db").to_string_lossy().into_owned();
            let fresh = dir.path().join("fresh.db");
            let refused = corrigenda(&database, &missing, &["backup", &fresh.to_string_lossy()], &[]);
            assert_eq!(refused.status.code(), Some(1));
            assert!(text(&refused.stderr).contains(&missing), "{}", text(&refused.stderr));
            assert!(!Path::new(&missing).exists() && !fresh.exists(), "a refused backup made a file");
        }
    }
}

/// `healthcheck` exits 0 against a serving server (at `--url`, or at `CORRIGENDA_BIND`, where
/// 0.0.0.0 means the loopback address), and 1 on any other answer or none.
async fn healthcheck_succeeds_only_against_a_serving_server(backend: Backend) {
    let database = TestDb::new(backend);
    let server = Server::start(&database, &database.url).await;
    let base = server.url("");
    let port = server.address.rsplit(':').next().unwrap().to_owned();

    let healthy = corrigenda(&database, &database.url, &["healthcheck", "--url", &base], &[]);
    assert_eq!(healthy.status.code(), Some(0), "{}", text(&healthy.stderr));
    let everywhere = format!("0.0.0.0:{port}");
    let by_bind = corrigenda(&database, &database.url, &["healthcheck"], &[("CORRIGENDA_BIND", &everywhere)]);
    assert_eq!(by_bind.status.code(), Some(0), "{}", text(&by_bind.stderr));
    // A server that answers, but not 200 (here 404: no page at /elsewhere/healthz).
    let elsewhere = corrigenda(&database, &database.url, &["healthcheck", "--url", &format!("{base}/elsewhere")], &[]);
    assert_eq!(elsewhere.status.code(), Some(1), "{}", text(&elsewhere.stdout));
    assert!(text(&elsewhere.stderr).contains("404"), "{}", text(&elsewhere.stderr));
    server.stop();

    // The stopped server's address: nothing answers there now.
    let refused = corrigenda(&database, &database.url, &["healthcheck", "--url", &base], &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stdout));
    assert!(text(&refused.stderr).contains("unhealthy"), "{}", text(&refused.stderr));
}
