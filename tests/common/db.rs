//! Test databases of either backend, shared by the test binaries (included with `#[path]`).
//!
//! Each test gets its own database: a SQLite file in a temporary folder, or a PostgreSQL
//! database created from a migrated template and dropped afterwards.

// Each test binary that includes this file uses a different part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use corrigenda::config::RawSettings;
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
    /// The backend's name, for test names and messages.
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
            "\n*** SKIPPED a PostgreSQL test: {} is unreachable. Start PostgreSQL or set CORRIGENDA_TEST_POSTGRES. ***",
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
            let mut files: Vec<PathBuf> = walk(&dir);
            files.sort();
            let mut hash = Sha256::new();
            for file in files {
                hash.update(file.strip_prefix(&dir).unwrap().to_string_lossy().as_bytes());
                hash.update(std::fs::read(&file).unwrap());
            }
            let name = format!("corrigenda_tpl_{}", &hex::encode(hash.finalize())[..16]);
            let mut admin = PgConnection::establish(&postgres_admin_url()).unwrap();
            // Other test processes may be making the same template: one at a time.
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
    /// The log signing key's file (made on first use).
    pub key_path: String,
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDb {
    /// A fresh, migrated database.
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
                    "corrigenda_test_{}_{}_{}",
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

impl TestDb {
    /// An empty PostgreSQL database, not migrated: for servers that race to migrate it.
    pub fn unmigrated_postgres() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key_path = dir.path().join("log.key").to_string_lossy().into_owned();
        let name = format!("corrigenda_test_{}_empty_{}", std::process::id(), rand::random::<u32>());
        let mut admin = PgConnection::establish(&postgres_admin_url()).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        Self { url: database_url(&name), key_path, pg_name: Some(name), _dir: dir }
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

/// The folder a test server writes mail to without `SMTP_URL`.
pub fn mail_dir(database: &TestDb) -> PathBuf {
    std::path::Path::new(&database.key_path).with_file_name("mail")
}

/// The default settings of a test server; tests change what they need.
pub fn settings(database: &TestDb) -> RawSettings {
    RawSettings {
        database_url: database.url.clone(),
        bind: "127.0.0.1:0".into(),
        base_url: None,
        publication: "The Test Gazette".into(),
        report_rate_limit: "0".into(),
        trusted_proxies: None,
        response_targets: "legal=2h,high=24h,normal=72h,low=7d".into(),
        timezone: "Europe/Berlin".into(),
        signing_key: database.key_path.clone(),
        smtp_url: None,
        smtp_username: None,
        smtp_password: None,
        mail_dir: mail_dir(database).to_string_lossy().into_owned(),
        mail_from: "Test Gazette Corrections <corrections@gazette.example>".into(),
        digest_hour: "8".into(),
        public_article_text: "false".into(),
        show_channels: "false".into(),
        sqlite_synchronous: "normal".into(),
        db_timeout: "10".into(),
        retention_days: None,
        log_format: "text".into(),
        metrics_token: None,
        log_check_seconds: None,
    }
}
