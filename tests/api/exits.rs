//! Every one-shot command exits cleanly, run after run: no connection is still being opened
//! or closed by another thread when the process exits. (A pool thread opening a TLS
//! connection through libpq while OpenSSL's exit handlers ran crashed about one run in seven.)

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::helpers::{cli, postgres_available, wait, Backend, ServeOutput, TestDb};

/// Runs per command: a crash in one run of 20 passes 100 runs with probability 0.95^100 < 0.6%.
const RUNS: usize = 100;

/// Fails unless the test PostgreSQL offers TLS (as Debian's default cluster does), when `CI` is set.
fn postgres_offers_tls(database: &TestDb) -> bool {
    use diesel::Connection;
    let sep = if database.url.contains('?') { '&' } else { '?' };
    let offered = diesel::PgConnection::establish(&format!("{}{sep}sslmode=require", database.url)).is_ok();
    if !offered {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set and the test PostgreSQL does not offer TLS: .ci/run turns `ssl` on, as Debian's default cluster has it"
        );
        eprintln!("*** The test PostgreSQL does not offer TLS: the TLS path of the exit test is not exercised. ***");
    }
    offered
}

/// Runs `args` `runs` times, two at a time; every run must exit with status 0.
fn run_many(database: &TestDb, runs: usize, args: &(dyn Fn(usize) -> Vec<String> + Sync), stdin: Option<&str>) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= runs {
                    break;
                }
                let owned = args(i);
                let argv: Vec<&str> = owned.iter().map(String::as_str).collect();
                let out = cli(database, &argv, stdin);
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "run {i} of `corrigenda {}` ended with {:?}\nstdout: {}\nstderr: {}",
                    argv.join(" "),
                    out.status,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            });
        }
    });
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn one_shot_commands_exit_cleanly(backend: Backend, runs: usize) {
    let database = TestDb::new(backend);
    if backend == Backend::Postgres {
        postgres_offers_tls(&database);
    }
    let dir = tempfile::tempdir().unwrap();
    // One file per run: two imports creating the same article at once are told to send it again.
    let articles = |i: usize| {
        let file = dir.path().join(format!("articles-{i}.csv"));
        std::fs::write(
            &file,
            format!(
                "id,url,title,section,authors,published_at,text\n\
                 e{i},https://news.example/e{i},Budget approved,Local,Maria Okafor,2026-11-25T08:00:00Z,The council met.\n"
            ),
        )
        .unwrap();
        file.to_string_lossy().into_owned()
    };
    let export = dir.path().join("export.json");

    run_many(&database, runs, &|_| args(&["migrate"]), None);
    run_many(
        &database,
        runs,
        &|i| args(&["user", "add", "--email", &format!("e{i}@news.example"), "--name", "E", "--role", "editor"]),
        None,
    );
    run_many(
        &database,
        runs,
        &|i| args(&["token", "create", "--email", &format!("e{i}@news.example"), "--name", "cms"]),
        None,
    );
    run_many(&database, runs, &|_| args(&["token", "list"]), None);
    run_many(&database, runs, &|i| args(&["user", "disable", "--email", &format!("e{i}@news.example")]), None);
    run_many(&database, runs, &|_| args(&["verify-log", "--database"]), None);
    let export_arg = export.to_string_lossy().into_owned();
    run_many(&database, runs, &|_| args(&["log", "export", &export_arg]), None);
    run_many(&database, runs, &|_| args(&["erase-reporter", "--email", "reader@example.com"]), None);
    run_many(&database, runs, &|i| args(&["import", "articles", &articles(i)]), None);
}

#[test]
fn postgres_one_shot_commands_exit_cleanly_every_time() {
    if postgres_available() {
        one_shot_commands_exit_cleanly(Backend::Postgres, RUNS);
    }
}

#[test]
fn sqlite_one_shot_commands_exit_cleanly_every_time() {
    one_shot_commands_exit_cleanly(Backend::Sqlite, RUNS / 4);
}

/// A `serve` process on a port of 127.0.0.1 it picks, with `env` added; returns it and the
/// address it bound once it accepts.
fn start_serve(database: &TestDb, env: &[(&str, &str)]) -> (std::process::Child, String) {
    use std::net::TcpStream;
    use std::time::Duration;
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_corrigenda"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &database.url)
        .env("CORRIGENDA_SIGNING_KEY", &database.key_path)
        .env("CORRIGENDA_MAIL_DIR", crate::helpers::mail_dir(database))
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let address = ServeOutput::follow(&mut server, std::io::sink()).address().expect("serve ended before it listened");
    wait::until("the server to start", Duration::from_secs(60), || TcpStream::connect(&address).ok());
    (server, address)
}

/// Sends SIGTERM to `server`.
fn signal_term(server: &std::process::Child) {
    // SAFETY: kill only sends a signal to the child started by the test.
    assert_eq!(unsafe { libc::kill(server.id() as libc::pid_t, libc::SIGTERM) }, 0);
}

/// Waits (a bounded time) for `server` to exit, and returns its status.
fn exit_status(server: &mut std::process::Child) -> std::process::ExitStatus {
    wait::until("the server to exit after SIGTERM", std::time::Duration::from_secs(60), || server.try_wait().unwrap())
}

/// `serve` stopped with SIGTERM while a request is still arriving: it stops accepting new
/// connections, answers the request under way, and exits with status 0.
fn serve_finishes_its_requests_and_exits_0_on_sigterm(backend: Backend) {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;
    let database = TestDb::new(backend);
    let (mut server, address) = start_serve(&database, &[]);
    let mut stream = TcpStream::connect(&address).unwrap();
    // A request whose body has not all arrived yet. Its `100 Continue` shows a worker has
    // taken it: a connection still in the listener's backlog when the server stops accepting
    // is reset, not served.
    let body = br#"{"category": "factual_error", "quote": "a", "explanation": "b"}"#;
    let head = format!(
        "POST /api/v1/articles/unknown/reports HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(&body[..10]).unwrap();
    signal_term(&server);
    // New connections are refused once the server stops accepting.
    wait::until("the server to stop accepting connections after SIGTERM", Duration::from_secs(10), || {
        TcpStream::connect(&address).is_err().then_some(())
    });
    stream.write_all(&body[10..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 404"), "the request under way was not answered: {answer:?}");
    let status = exit_status(&mut server);
    assert!(status.success(), "serve exited with {status:?} after SIGTERM");
}

#[test]
fn sqlite_serve_exits_0_on_sigterm_after_its_requests() {
    serve_finishes_its_requests_and_exits_0_on_sigterm(Backend::Sqlite);
}

#[test]
fn postgres_serve_exits_0_on_sigterm_after_its_requests() {
    if postgres_available() {
        serve_finishes_its_requests_and_exits_0_on_sigterm(Backend::Postgres);
    }
}

/// `serve` stopped with SIGTERM while the dispatcher waits for a slow SMTP server to accept a
/// message: the send is finished and recorded as sent before the process exits with status 0,
/// so the message is neither cut off nor sent again by the next start.
fn serve_finishes_a_mail_send_under_way_on_sigterm(backend: Backend) {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;
    let database = TestDb::new(backend);
    let articles = std::path::Path::new(&database.key_path).with_file_name("articles.jsonl");
    let mut article = crate::helpers::article_json();
    article["id"] = "kursk".into();
    std::fs::write(&articles, format!("{article}\n")).unwrap();
    let imported = cli(&database, &["import", "articles", articles.to_str().unwrap()], None);
    assert_eq!(imported.status.code(), Some(0), "{}", String::from_utf8_lossy(&imported.stderr));
    // Held until the server is stopping (at most 20 s, within the 30 s a stopping server gives the dispatcher).
    let smtp = crate::smtp::Smtp::start_slow(Duration::from_secs(20));
    let (mut server, address) = start_serve(&database, &[("SMTP_URL", &smtp.url())]);

    let body = crate::helpers::report_json().to_string();
    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /api/v1/articles/kursk/reports HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "the report was not filed: {answer:?}");

    // The reader's acknowledgement has reached the SMTP server, which has not accepted it yet.
    wait::until("the dispatcher to start sending", Duration::from_secs(30), || smtp.holding().then_some(()));
    assert!(smtp.received().is_empty(), "the slow server accepted the message before SIGTERM");
    signal_term(&server);
    wait::until("the server to stop accepting connections after SIGTERM", Duration::from_secs(10), || {
        TcpStream::connect(&address).is_err().then_some(())
    });
    assert!(server.try_wait().unwrap().is_none(), "serve exited while its message was still being sent");
    smtp.release();
    let status = exit_status(&mut server);
    assert!(status.success(), "serve exited with {status:?} after SIGTERM");

    assert_eq!(smtp.to("ada@example.com").len(), 1, "the message under way was not delivered whole");
    let config = crate::helpers::settings(&database).parse().unwrap();
    let (db, _) = corrigenda::db::Db::open(&config.database).unwrap();
    let statuses: Vec<String> = db
        .read_blocking(|c| {
            use corrigenda::db::schema::outbox;
            use diesel::prelude::*;
            Ok(outbox::table.order(outbox::id.asc()).select(outbox::status).load(c)?)
        })
        .unwrap();
    assert_eq!(statuses, ["sent"], "the send was not recorded before the process exited");
}

#[test]
fn sqlite_serve_finishes_a_mail_send_under_way_on_sigterm() {
    serve_finishes_a_mail_send_under_way_on_sigterm(Backend::Sqlite);
}

#[test]
fn postgres_serve_finishes_a_mail_send_under_way_on_sigterm() {
    if postgres_available() {
        serve_finishes_a_mail_send_under_way_on_sigterm(Backend::Postgres);
    }
}
