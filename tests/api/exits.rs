//! Every one-shot command exits cleanly, run after run: no connection is still being opened
//! or closed by another thread when the process exits. (A pool thread opening a TLS
//! connection through libpq while OpenSSL's exit handlers ran crashed about one run in seven.)

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::helpers::{cli, postgres_available, Backend, TestDb};

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

/// `serve` stopped with SIGTERM while a request is still arriving: it stops accepting new
/// connections, answers the request under way, and exits with status 0.
fn serve_finishes_its_requests_and_exits_0_on_sigterm(backend: Backend) {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::time::{Duration, Instant};
    let database = TestDb::new(backend);
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let address = format!("127.0.0.1:{port}");
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_corrigenda"))
        .args(["serve", "--bind", &address])
        .env("DATABASE_URL", &database.url)
        .env("CORRIGENDA_SIGNING_KEY", &database.key_path)
        .env("CORRIGENDA_MAIL_DIR", crate::helpers::mail_dir(&database))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut stream = loop {
        match TcpStream::connect(&address) {
            Ok(stream) => break stream,
            Err(_) if started.elapsed() < Duration::from_secs(60) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("the server did not start: {e}"),
        }
    };
    // A request whose body has not all arrived yet.
    let body = br#"{"category": "factual_error", "quote": "a", "explanation": "b"}"#;
    let head = format!(
        "POST /api/v1/articles/unknown/reports HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: kill only sends a signal to the child started above.
    assert_eq!(unsafe { libc::kill(server.id() as libc::pid_t, libc::SIGTERM) }, 0);
    // New connections are refused once the server stops accepting.
    let refused = Instant::now();
    while TcpStream::connect(&address).is_ok() {
        assert!(refused.elapsed() < Duration::from_secs(10), "the server still accepts connections after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    stream.write_all(&body[10..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 404"), "the request under way was not answered: {answer:?}");
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(stopping.elapsed() < Duration::from_secs(40), "the server did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
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
