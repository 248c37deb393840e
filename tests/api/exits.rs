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
