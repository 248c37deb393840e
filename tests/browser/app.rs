//! A real server on its own database of either backend, seeded with the demo data.
//!
//! A minimal copy of what `tests/api/helpers.rs` does (a test binary cannot import
//! another's modules): the database per test (PostgreSQL from a migrated template),
//! the loud skip when PostgreSQL is unreachable (a failure under `CI`), and the
//! server started in-process.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use corrigenda::config::RawSettings;
use corrigenda::db::Db;
use corrigenda::domain::accounts::Role;
use corrigenda::domain::demo::{self, Seeded};
use corrigenda::domain::reports::Status;
use corrigenda::domain::signing::LogKey;
use corrigenda::web::{self, AppState};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The maintenance database URL for PostgreSQL tests.
fn postgres_admin_url() -> String {
    std::env::var("CORRIGENDA_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether PostgreSQL tests can run; fails the run under CI when they cannot, else says so loudly.
pub fn postgres_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    let available = *AVAILABLE.get_or_init(|| match PgConnection::establish(&postgres_admin_url()) {
        Ok(_) => true,
        Err(err) => {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set and PostgreSQL at {} is unreachable: {err}", postgres_admin_url());
            }
            false
        }
    });
    if !available {
        // Written to the real stderr, past the test harness's capture, so nobody misses it.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED a PostgreSQL browser test: {} is unreachable. Start PostgreSQL or set CORRIGENDA_TEST_POSTGRES. ***",
            postgres_admin_url()
        );
    }
    available
}

/// A migrated template database, made once per migration set and reused (creating from it is fast).
fn postgres_template() -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
            let mut files = walk(&dir);
            files.sort();
            let mut hash = Sha256::new();
            for file in files {
                hash.update(file.strip_prefix(&dir).unwrap().to_string_lossy().as_bytes());
                hash.update(std::fs::read(&file).unwrap());
            }
            // The same name as the API tests' template: either binary may make it, the other reuses it.
            let name = format!("corrigenda_tpl_{}", &hex::encode(hash.finalize())[..16]);
            let mut admin = PgConnection::establish(&postgres_admin_url()).unwrap();
            admin.batch_execute("SELECT pg_advisory_lock(4242)").unwrap();
            let ready: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}' AND datistemplate)"
            )))
            .get_result(&mut admin)
            .unwrap();
            if !ready {
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
                admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
                let mut conn = corrigenda::db::DbTarget::parse(&database_url(&name)).unwrap().connect().unwrap();
                corrigenda::db::migrate(&mut conn).unwrap();
                drop(conn);
                admin.batch_execute(&format!("ALTER DATABASE {name} IS_TEMPLATE true")).unwrap();
            }
            admin.batch_execute("SELECT pg_advisory_unlock(4242)").unwrap();
            name
        })
        .clone()
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flat_map(|e| {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

fn database_url(name: &str) -> String {
    let mut url = url::Url::parse(&postgres_admin_url()).unwrap();
    url.set_path(name);
    url.to_string()
}

/// A database of either kind that is removed when dropped, with a folder for the signing key.
pub struct TestDb {
    pub url: String,
    pub key_path: String,
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    /// A fresh, migrated database (SQLite migrates when the server opens it).
    pub fn new(backend: Backend) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = tempfile::tempdir().unwrap();
        let key_path = dir.path().join("log.key").to_string_lossy().into_owned();
        match backend {
            Backend::Sqlite => Self {
                url: dir.path().join("test.db").to_string_lossy().into_owned(),
                key_path,
                pg_name: None,
                _dir: dir,
            },
            Backend::Postgres => {
                let name = format!(
                    "corrigenda_browser_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    rand::random::<u32>()
                );
                let template = postgres_template();
                let mut admin = PgConnection::establish(&postgres_admin_url()).unwrap();
                admin.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}")).unwrap();
                Self { url: database_url(&name), key_path, pg_name: Some(name), _dir: dir }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut admin) = PgConnection::establish(&postgres_admin_url()) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A staff account of the demo data.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub password: String,
}

/// The server, reached through `public_url` (the recording proxy), with the demo data in it.
pub struct TestApp {
    /// Where the server itself listens.
    pub upstream: String,
    pub seeded: Seeded,
    server: actix_web::dev::ServerHandle,
    _database: TestDb,
}

impl TestApp {
    /// Starts a server whose public address (for the links it prints) is `public_url`, and seeds the demo.
    pub async fn start(backend: Backend, public_url: &str) -> Self {
        let database = TestDb::new(backend);
        let raw = RawSettings {
            database_url: database.url.clone(),
            bind: "127.0.0.1:0".into(),
            base_url: Some(public_url.to_owned()),
            publication: "The Test Gazette".into(),
            report_rate_limit: "10/600".into(),
            trusted_proxies: None,
            response_targets: "legal=2h,high=24h,normal=72h,low=7d".into(),
            timezone: "Europe/Berlin".into(),
            signing_key: database.key_path.clone(),
            smtp_url: None,
            smtp_username: None,
            smtp_password: None,
            // Mail goes to files beside the database, never to a real server.
            mail_dir: std::path::Path::new(&database.key_path).with_file_name("mail").to_string_lossy().into_owned(),
            mail_from: "Test Gazette Corrections <corrections@gazette.example>".into(),
            digest_hour: "8".into(),
        };
        let config = raw.parse().unwrap();
        let (db, _) = Db::open(&config.database).unwrap();
        let listener = TcpListener::bind(config.bind).unwrap();
        let bound = listener.local_addr().unwrap();
        let key = LogKey::load_or_create(&config.signing_key).unwrap().0;
        let state = AppState::new(db.clone(), config, bound, key);
        let seeded = demo::seed(&db, &state.config.response_targets, &state.mail, state.now()).unwrap();
        let (server, _) = web::serve(listener, state, 1).unwrap();
        let handle = server.handle();
        tokio::spawn(server);
        Self { upstream: format!("http://{bound}"), seeded, server: handle, _database: database }
    }

    /// The demo account with `role`.
    pub fn account(&self, role: Role) -> Account {
        let (email, _, password) = self.seeded.accounts.iter().find(|(_, r, _)| *r == role).unwrap();
        Account { email: email.clone(), password: password.clone() }
    }

    /// The tracking token of the demo report on `article` that ended in `status`.
    pub fn demo_token(&self, article: &str, status: Status) -> String {
        let (_, token, _) = self.seeded.reports.iter().find(|(a, _, s)| a == article && *s == status).unwrap();
        token.clone()
    }

    pub async fn stop(self) {
        self.server.stop(true).await;
    }
}
