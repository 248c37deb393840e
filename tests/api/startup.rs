//! `serve` started as a real process on a fresh database: it prints the first-run setup link
//! to the person at the terminal (never into its log), its mail dispatcher delivers, and its
//! periodic check of the public log runs.

use std::io::Read;
use std::os::fd::FromRawFd;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::helpers::{article_json, cli, mail_dir, postgres_available, report_json, wait, Backend, TestDb};

/// A `serve` process, sent SIGKILL if the test ends while it still runs.
struct Serve {
    child: Child,
    /// What it wrote to stdout so far.
    stdout: Arc<Mutex<Vec<u8>>>,
    /// Its log (stderr).
    log: std::path::PathBuf,
}

impl Serve {
    /// Starts `serve` on a port of its own choosing, stdout on a terminal (a pseudo-terminal
    /// read here) when `terminal`, else on a pipe; stderr to a file.
    fn start(database: &TestDb, terminal: bool, env: &[(&str, &str)]) -> Self {
        let log = std::path::Path::new(&database.key_path).with_file_name("serve.log");
        let (stdout_to, terminal) = match terminal {
            true => {
                let (follower, leader) = pseudo_terminal();
                (follower, Some(leader))
            }
            false => (Stdio::piped(), None),
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_corrigenda"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", &database.url)
            .env("CORRIGENDA_SIGNING_KEY", &database.key_path)
            .env("CORRIGENDA_MAIL_DIR", mail_dir(database))
            // As chatty as it gets: a secret that reaches any log line shows.
            .env("RUST_LOG", "debug")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(stdout_to)
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut reader: Box<dyn Read + Send> = match terminal {
            Some(leader) => Box::new(leader),
            None => Box::new(child.stdout.take().unwrap()),
        };
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let copy = stdout.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // A terminal whose last writer closed it answers EIO: the end, as for a pipe.
            while let Ok(n @ 1..) = reader.read(&mut buf) {
                copy.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Self { child, stdout, log }
    }

    /// Its stdout so far, as lines (a terminal's `\r\n` read as `\n`).
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).replace("\r\n", "\n")
    }

    /// The rest of the stdout line that starts with `start`, once it is printed.
    fn line_after(&self, start: &str) -> String {
        wait::until(&format!("serve to print {start:?}"), Duration::from_secs(60), || {
            self.stdout().lines().find_map(|l| l.strip_prefix(start).map(str::to_owned))
        })
    }

    /// Waits until it answers `/healthz` (its signal handlers are in place by then).
    async fn ready(&self, client: &reqwest::Client, base: &str) {
        wait::until_async("serve to answer /healthz", Duration::from_secs(60), || async {
            client.get(format!("{base}/healthz")).send().await.ok().filter(|r| r.status() == 200).map(drop)
        })
        .await;
    }

    /// Stops it with SIGTERM; its exit status.
    fn stop(&mut self) -> std::process::ExitStatus {
        // SAFETY: kill only sends a signal to the child started by the test.
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) }, 0);
        wait::until("serve to exit after SIGTERM", Duration::from_secs(60), || self.child.try_wait().unwrap())
    }

    /// Everything it logged.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new pseudo-terminal: its follower end for a child's stdout, and its leader to read from.
fn pseudo_terminal() -> (Stdio, std::fs::File) {
    // SAFETY: plain libc calls on a descriptor opened here; each result is checked, and the
    // descriptor is owned by the `File` made from it and by nothing else.
    let leader = unsafe {
        let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(fd >= 0, "posix_openpt: {}", std::io::Error::last_os_error());
        assert_eq!(libc::grantpt(fd), 0, "grantpt: {}", std::io::Error::last_os_error());
        assert_eq!(libc::unlockpt(fd), 0, "unlockpt: {}", std::io::Error::last_os_error());
        std::fs::File::from_raw_fd(fd)
    };
    let mut name = [0 as libc::c_char; 128];
    // SAFETY: the buffer is as long as the length given.
    let found = unsafe { libc::ptsname_r(std::os::fd::AsRawFd::as_raw_fd(&leader), name.as_mut_ptr(), name.len()) };
    assert_eq!(found, 0, "ptsname_r");
    // SAFETY: ptsname_r wrote a NUL-terminated path into the buffer.
    let path = unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }.to_str().unwrap().to_owned();
    let follower = std::fs::OpenOptions::new().read(true).write(true).open(path).unwrap();
    (Stdio::from(follower), leader)
}

/// The value of an unlabelled gauge in a `/metrics` answer.
fn gauge(metrics: &str, name: &str) -> Option<i64> {
    metrics.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// When the public log last passed a check, as `/metrics` says (0 before the first).
async fn last_verified(client: &reqwest::Client, base: &str) -> Option<i64> {
    let answer = client.get(format!("{base}/metrics")).send().await.ok()?;
    gauge(&answer.text().await.ok()?, "corrigenda_log_last_verified_timestamp_seconds")
}

/// On a fresh database `serve` prints a one-time setup link on its terminal and never logs
/// it; the dispatcher it starts writes a filed report's acknowledgement as an `.eml` file;
/// the log re-check runs every `CORRIGENDA_LOG_CHECK_SECONDS`.
async fn serve_prints_the_setup_link_delivers_mail_and_rechecks_the_log(backend: Backend) {
    let database = TestDb::new(backend);
    let articles = std::path::Path::new(&database.key_path).with_file_name("articles.jsonl");
    let mut article = article_json();
    article["id"] = "kursk".into();
    std::fs::write(&articles, format!("{article}\n")).unwrap();
    let imported = cli(&database, &["import", "articles", articles.to_str().unwrap()], None);
    assert_eq!(imported.status.code(), Some(0), "{}", String::from_utf8_lossy(&imported.stderr));
    // The folder is made by `serve` itself (its dispatcher's file transport), so whatever is
    // in it afterwards was written by that process.
    let mails = mail_dir(&database);
    let _ = std::fs::remove_dir_all(&mails);

    let mut serve = Serve::start(&database, true, &[("CORRIGENDA_LOG_CHECK_SECONDS", "1")]);
    let base = serve.line_after("Corrigenda is listening on ");
    let port: u16 = base.strip_prefix("http://127.0.0.1:").unwrap().parse().unwrap();
    assert_ne!(port, 0);
    let mail_line = serve.line_after("Mail: ");
    assert_eq!(mail_line, format!("no SMTP_URL: messages are written to {}", mails.display()));
    let link = serve.line_after("No account exists yet. Create the first standards editor at ");
    let token = link.strip_prefix(&format!("{base}/setup/")).unwrap_or_else(|| panic!("not a setup link: {link}"));
    assert_eq!(token.len(), 43, "256 random bits, base64url: {token}");
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");

    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    serve.ready(&client, &base).await;
    let setup = client.get(&link).send().await.unwrap();
    assert_eq!(setup.status(), 200);
    assert!(setup.text().await.unwrap().contains("name=\"password_confirm\""), "the setup form");

    // The dispatcher: the reader's acknowledgement is written to the mail folder.
    let filed = client.post(format!("{base}/api/v1/articles/kursk/reports")).json(&report_json()).send().await.unwrap();
    assert_eq!(filed.status(), 201);
    let written = wait::until("the acknowledgement to be written to the mail folder", Duration::from_secs(60), || {
        let files: Vec<_> = std::fs::read_dir(&mails).ok()?.map(|e| e.unwrap().path()).collect();
        (!files.is_empty()).then_some(files)
    });
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(written[0].extension().and_then(|e| e.to_str()), Some("eml"));
    let raw = std::fs::read(&written[0]).unwrap();
    let message = mailparse::parse_mail(&raw).unwrap();
    use mailparse::MailHeaderMap;
    assert_eq!(message.headers.get_first_value("To").as_deref(), Some("ada@example.com"));
    assert_eq!(message.headers.get_first_value("Subject").as_deref(), Some("We received your correction report"));

    // The log check: the start-up check passes once, then the re-check moves the time on, twice.
    let mut seen = Vec::new();
    for what in ["the start-up check of the log", "a re-check of the log", "another re-check of the log"] {
        let after = seen.last().copied().unwrap_or(0);
        let at = wait::until_async(what, Duration::from_secs(30), || async {
            last_verified(&client, &base).await.filter(|t| *t > after)
        })
        .await;
        seen.push(at);
    }

    let status = serve.stop();
    assert!(status.success(), "serve exited with {status:?}");
    let log = serve.log();
    assert!(log.contains("GET /setup/[token] 200"), "the setup page's access line, its token hidden: {log}");
    assert!(!log.contains(token), "the setup link's token is in the log");
}

/// Without a terminal `serve` makes no setup link: it says how to make the first account.
async fn serve_without_a_terminal_says_how_to_make_the_first_account(backend: Backend) {
    let database = TestDb::new(backend);
    let mut serve = Serve::start(&database, false, &[]);
    let base = serve.line_after("Corrigenda is listening on ");
    serve.ready(&reqwest::Client::new(), &base).await;
    let said = serve.line_after("No account exists yet. ");
    assert_eq!(
        said,
        "Create the first standards editor with `corrigenda user add --role standards_editor --email E --name N`, \
         or start `corrigenda serve` in a terminal for a one-time setup link (it is never written to a log)"
    );
    let status = serve.stop();
    assert!(status.success(), "serve exited with {status:?}");
    assert!(!serve.stdout().contains("/setup/"), "{}", serve.stdout());
    assert!(!serve.log().contains("/setup/"), "{}", serve.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_serve_prints_the_setup_link_delivers_mail_and_rechecks_the_log() {
    serve_prints_the_setup_link_delivers_mail_and_rechecks_the_log(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_serve_prints_the_setup_link_delivers_mail_and_rechecks_the_log() {
    if postgres_available() {
        serve_prints_the_setup_link_delivers_mail_and_rechecks_the_log(Backend::Postgres).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_serve_without_a_terminal_says_how_to_make_the_first_account() {
    serve_without_a_terminal_says_how_to_make_the_first_account(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_serve_without_a_terminal_says_how_to_make_the_first_account() {
    if postgres_available() {
        serve_without_a_terminal_says_how_to_make_the_first_account(Backend::Postgres).await;
    }
}

/// A log check period that is not whole seconds from 1 to a day stops `serve` before it opens
/// the database, with one line naming the setting and exit status 2.
#[test]
fn serve_refuses_a_bad_log_check_period() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("corrigenda.db");
    for given in ["0", "1.5", "10s", "86401"] {
        let out = Command::new(env!("CARGO_BIN_EXE_corrigenda"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", &database)
            .env("CORRIGENDA_SIGNING_KEY", dir.path().join("corrigenda.key"))
            .env("CORRIGENDA_LOG_CHECK_SECONDS", given)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{given:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "corrigenda: invalid setting CORRIGENDA_LOG_CHECK_SECONDS (--log-check-seconds): {given:?} is not a \
                 number of seconds from 1 to 86400\n"
            )
        );
        assert!(out.stdout.is_empty(), "{given:?}");
        assert!(!database.exists(), "{given:?}: the database was made");
    }
}
