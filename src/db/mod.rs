//! Storage: one diesel code path for SQLite and PostgreSQL.
//!
//! The backend is chosen by the URL scheme. Backend-specific SQL (pragmas,
//! migration locking) lives in the small `match`es of this module only.

pub mod backup;
pub mod json;
pub mod models;
pub mod schema;
pub mod vocabulary;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use sha2::{Digest, Sha256};

use crate::error::AppError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a request waits on the database by default: for a lock, or for a statement.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest a request waits for a pooled connection: when the database is down, every
/// request waits this long before it is answered 503, so it is kept short.
const POOL_WAIT: Duration = Duration::from_secs(5);

/// Arbitrary but fixed key of the advisory lock that serialises migrations across instances.
const MIGRATION_LOCK_KEY: i64 = 0x636f_7272_6967;

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// The embedded default.
    Sqlite(SqliteConnection),
    /// The production backend.
    Postgres(PgConnection),
}

/// Which backend a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A file path (or `sqlite://path`).
    Sqlite,
    /// `postgres://` or `postgresql://`.
    Postgres,
}

/// How SQLite syncs commits to disk (`PRAGMA synchronous`, in WAL mode); PostgreSQL ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// A commit survives a process crash; on power loss or an OS crash the last ones may roll back.
    #[default]
    Normal,
    /// Every commit is synced to disk before it is acknowledged, so it survives power loss too.
    Full,
}

impl SqliteSync {
    /// `normal` or `full` (any case); nothing means `normal`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" | "normal" => Ok(Self::Normal),
            "full" => Ok(Self::Full),
            _ => Err(format!("{raw:?} is not normal or full")),
        }
    }

    fn pragma(self) -> &'static str {
        match self {
            Self::Normal => "NORMAL",
            Self::Full => "FULL",
        }
    }
}

/// Where the database is, parsed from `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub struct DbTarget {
    /// The backend the URL selects.
    pub backend: Backend,
    /// What the backend's driver is given: a file path for SQLite, the URL for PostgreSQL.
    pub url: String,
    /// SQLite's `synchronous` setting for every connection.
    pub sqlite_sync: SqliteSync,
    /// How long a server's request waits for a lock (SQLite's busy timeout, our writer lock) or
    /// a statement (PostgreSQL's `statement_timeout`) before it is answered 503.
    pub timeout: Duration,
}

impl std::fmt::Debug for DbTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_tuple("DbTarget").field(&self.display()).finish()
    }
}

impl DbTarget {
    /// Parses a `DATABASE_URL`: `postgres://...` selects PostgreSQL, a path or `sqlite://path` SQLite.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("is empty".into());
        }
        let target = |backend, url: &str| Self {
            backend,
            url: url.to_owned(),
            sqlite_sync: SqliteSync::Normal,
            timeout: DEFAULT_TIMEOUT,
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(target(Backend::Postgres, url));
        }
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err("names no SQLite file".into());
            }
            return Ok(target(Backend::Sqlite, path));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(format!("uses the unsupported scheme {scheme:?}; use postgres://... or a SQLite file path"));
        }
        Ok(target(Backend::Sqlite, url))
    }

    /// The same target with another wait limit (see [`DbTarget::timeout`]).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    /// A description safe to print: PostgreSQL passwords are masked.
    pub fn display(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("SQLite file {}", self.url),
            Backend::Postgres => match url::Url::parse(&self.url) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    // libpq also takes the password as a parameter: `?password=...`.
                    if parsed.query_pairs().any(|(k, _)| k == "password") {
                        let pairs: Vec<(String, String)> = parsed
                            .query_pairs()
                            .map(|(k, v)| {
                                let v = if k == "password" { "***".into() } else { v.into_owned() };
                                (k.into_owned(), v)
                            })
                            .collect();
                        parsed.query_pairs_mut().clear().extend_pairs(pairs);
                    }
                    format!("PostgreSQL {parsed}")
                }
                Err(_) => "PostgreSQL".into(),
            },
        }
    }

    /// Opens one connection of the right kind, with the real error when it fails.
    pub fn connect(&self) -> Result<DbConnection, DbError> {
        match self.backend {
            Backend::Sqlite => {
                #[cfg(unix)]
                create_private(&self.url)?;
                let mut conn = SqliteConnection::establish(&self.url)
                    .map_err(|e| DbError::Connect(format!("cannot open SQLite file {}: {e}", self.url)))?;
                // Pragmas are per connection; `sql_query` would run only the first statement.
                // A 16 MB page cache (the default is 2 MB) keeps a search's pages from being read
                // from the file again for every request; the soft heap limit (for the process, not
                // the connection) makes the caches share 32 MB rather than each growing to its size.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = {}; \
                     PRAGMA cache_size = -16384; PRAGMA soft_heap_limit = 33554432;",
                    self.timeout.as_millis(),
                    self.sqlite_sync.pragma()
                ))?;
                Ok(DbConnection::Sqlite(conn))
            }
            Backend::Postgres => {
                let conn = PgConnection::establish(&self.url)
                    .map_err(|e| DbError::Connect(format!("cannot connect to {}: {e}", self.display())))?;
                Ok(DbConnection::Postgres(conn))
            }
        }
    }
}

/// Creates a missing SQLite file with mode 0600 before SQLite opens it: it holds readers'
/// addresses, and SQLite gives its `-wal` and `-shm` files the database file's permissions.
/// An existing file is left as it is.
#[cfg(unix)]
fn create_private(path: &str) -> Result<(), DbError> {
    use std::os::unix::fs::OpenOptionsExt;
    if path.is_empty() || path == ":memory:" || path.starts_with("file:") {
        return Ok(());
    }
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(DbError::Connect(format!("cannot create SQLite file {path}: {err}"))),
    }
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Query(err) => err.into(),
            // r2d2 names the last connection failure, if any; without one, the pool's
            // connections were all in use for the whole wait.
            DbError::Pool(err) if err.to_string() == "timed out waiting for connection" => Self::database_busy(&err),
            DbError::Pool(_) | DbError::Connect(_) => Self::database_unreachable(&err),
            DbError::Migrate(_) => Self::Internal(anyhow::Error::new(err)),
        }
    }
}

/// A storage failure outside a query's normal results.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database could not be opened or reached.
    #[error("{0}")]
    Connect(String),
    /// A query failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migrate(String),
    /// No pooled connection became free in time.
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
}

#[diesel::expression::functions::declare_sql_function]
extern "SQL" {
    /// SHA-256 as lowercase hex, as `domain::secrets::token_hash` stores tokens (SQLite only, for migrations).
    fn corrigenda_sha256_hex(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Runs the pending migrations of the connection's backend; returns how many ran.
pub fn migrate(conn: &mut DbConnection) -> Result<usize, DbError> {
    match conn {
        DbConnection::Sqlite(c) => {
            // A migration that hashes tokens kept in clear needs SHA-256, which SQLite lacks.
            corrigenda_sha256_hex_utils::register_impl(c, |text: String| hex::encode(Sha256::digest(text.as_bytes())))?;
            // Several processes may start at once: the write lock, taken before looking at what
            // is pending, lets one migrate at a time (each migration nests as a savepoint).
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            let result = c.run_pending_migrations(SQLITE_MIGRATIONS).map(|done| done.len()).map_err(|e| e.to_string());
            match result {
                Ok(n) => {
                    <AnsiTransactionManager as TransactionManager<SqliteConnection>>::commit_transaction(c)?;
                    Ok(n)
                }
                Err(e) => {
                    <AnsiTransactionManager as TransactionManager<SqliteConnection>>::rollback_transaction(c)?;
                    Err(DbError::Migrate(e))
                }
            }
        }
        DbConnection::Postgres(c) => {
            // Several instances may start at once: only one migrates at a time.
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|done| done.len())
                .map_err(|e| DbError::Migrate(e.to_string()));
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            result
        }
    }
}

/// How many of this build's migrations the database has not applied (a newer build's extra ones
/// are not counted: they are another instance's business).
pub fn pending_migrations(conn: &mut DbConnection) -> Result<usize, DbError> {
    let pending = match conn {
        DbConnection::Sqlite(c) => c.pending_migrations(SQLITE_MIGRATIONS).map(|p| p.len()),
        DbConnection::Postgres(c) => c.pending_migrations(POSTGRES_MIGRATIONS).map(|p| p.len()),
    };
    pending.map_err(|e| DbError::Migrate(e.to_string()))
}

/// Arbitrary but fixed key of the advisory lock that serialises log appends across instances.
const LOG_LOCK_KEY: i64 = 0x636f_7272_6c6f;

/// Serialises appends to the public log until the current transaction ends.
///
/// PostgreSQL: a transaction-scoped advisory lock, so several app instances keep one
/// chain head. SQLite: writes are already serialised by the single writer.
pub fn lock_log(conn: &mut DbConnection) -> Result<(), DbError> {
    match conn {
        DbConnection::Sqlite(_) => Ok(()),
        DbConnection::Postgres(c) => Ok(c.batch_execute(&format!("SELECT pg_advisory_xact_lock({LOG_LOCK_KEY})"))?),
    }
}

/// Arbitrary but fixed key of the advisory lock taken before writes that move shared counters.
const COUNTERS_LOCK_KEY: i64 = 0x636f_7272_636e;

/// Serialises, until the current transaction ends, the writes that move the counters kept by
/// triggers (report tallies, sections, the public version) in different orders.
///
/// PostgreSQL: a filed report locks its tally and then its section, a draft the public version
/// and then a tally, an approval its section and then the public version: three such writes
/// at once deadlocked, and one was answered 500. Taken before the first of those rows, this
/// lock makes them queue instead. SQLite: writes are already serialised by the single writer.
pub fn lock_counters(conn: &mut DbConnection) -> Result<(), DbError> {
    match conn {
        DbConnection::Sqlite(_) => Ok(()),
        DbConnection::Postgres(c) => {
            Ok(c.batch_execute(&format!("SELECT pg_advisory_xact_lock({COUNTERS_LOCK_KEY})"))?)
        }
    }
}

/// Makes pooled connections by URL scheme (the derived `establish` would hide the real error).
#[derive(Debug)]
pub struct Manager(DbTarget);

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        let mut conn = self.0.connect()?;
        if let DbConnection::Postgres(c) = &mut conn {
            // Only the server's connections: migrations and one-shot commands may take longer.
            c.batch_execute(&format!("SET statement_timeout = {}", self.0.timeout.as_millis()))?;
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        Ok(conn.batch_execute("SELECT 1")?)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        // A connection whose transaction could not be ended is not handed out again; one lost
        // with its server is caught when checked out (`is_valid`) and replaced.
        match conn {
            DbConnection::Sqlite(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
            DbConnection::Postgres(c) => AnsiTransactionManager::is_broken_transaction_manager(c),
        }
    }
}

/// The connection pool plus what callers need to run queries safely.
///
/// Cheap to clone: every clone shares one set of connections.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    conns: Conns,
    backend: Backend,
    /// SQLite has one writer: taking this in-process avoids busy errors between our own writers.
    write_lock: WriterLock,
    /// How long a write waits for `write_lock`.
    timeout: Duration,
    /// Writes waiting to be committed together (see [`Db::write_grouped`]).
    grouped: Mutex<Vec<Box<dyn Grouped>>>,
    /// Held by whoever commits a group.
    committing: Mutex<()>,
    /// Callers waiting for a pooled connection now.
    waiting: AtomicUsize,
}

/// The pool at a glance, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolState {
    /// Connections open, in use or idle.
    pub open: u32,
    /// Open connections nobody is using.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
    /// Callers waiting for a connection.
    pub waiting: usize,
}

/// Where connections come from.
enum Conns {
    /// The server's pool. Connections are opened only on behalf of a waiting request
    /// (no minimum idle count, no reaper), so no pool thread is left opening or closing a
    /// connection when its caller is done: libpq's TLS set-up racing OpenSSL's exit
    /// handlers crashed the process at exit.
    Pool(r2d2::Pool<Manager>),
    /// One connection opened on the caller's thread, for a one-shot command.
    One(Mutex<DbConnection>),
}

impl Db {
    /// Connects, migrates, and builds the server's pool; fails fast with the real cause.
    pub fn open(target: &DbTarget) -> Result<(Self, usize), DbError> {
        let migrated = migrate(&mut target.connect()?)?;
        let max_size = match target.backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        };
        // Every connection is checked (`SELECT 1`) when taken from the pool: one the database
        // dropped (a restart, an outage) is closed and a new one opened, so the server recovers
        // without a restart once the database is back.
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(0))
            .idle_timeout(None)
            .max_lifetime(None)
            .test_on_check_out(true)
            .connection_timeout(POOL_WAIT.min(target.timeout))
            .build_unchecked(Manager(target.clone()));
        Ok((Self::with(Conns::Pool(pool), target), migrated))
    }

    /// Connects and migrates on this thread, for a one-shot command: no pool, no threads.
    pub fn open_one(target: &DbTarget) -> Result<(Self, usize), DbError> {
        let mut conn = target.connect()?;
        let migrated = migrate(&mut conn)?;
        Ok((Self::with(Conns::One(Mutex::new(conn)), target), migrated))
    }

    fn with(conns: Conns, target: &DbTarget) -> Self {
        Self {
            inner: Arc::new(Inner {
                conns,
                backend: target.backend,
                write_lock: WriterLock::default(),
                timeout: target.timeout,
                grouped: Mutex::new(Vec::new()),
                committing: Mutex::new(()),
                waiting: AtomicUsize::new(0),
            }),
        }
    }

    /// The pool's connections now (a one-shot command's single connection counts as a pool of one).
    pub fn pool_state(&self) -> PoolState {
        let waiting = self.inner.waiting.load(Ordering::Relaxed);
        match &self.inner.conns {
            Conns::Pool(pool) => {
                let state = pool.state();
                PoolState { open: state.connections, idle: state.idle_connections, max: pool.max_size(), waiting }
            }
            Conns::One(_) => PoolState { open: 1, idle: 0, max: 1, waiting },
        }
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// Closes every connection on this thread once the other holders are gone (or after `wait`).
    ///
    /// The server calls this after it stopped, so no connection is opened or closed by
    /// another thread while the process exits.
    pub fn close(self, wait: Duration) {
        let until = std::time::Instant::now() + wait;
        while Arc::strong_count(&self.inner) > 1 && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        if let Conns::Pool(pool) = &self.inner.conns {
            // A connection still being opened for a request that gave up waiting would land here.
            while pool.state().connections != pool.state().idle_connections && std::time::Instant::now() < until {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        drop(self);
    }

    /// Runs `f` in a read-only way on a pooled connection, off the async threads.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let (db, span) = (self.clone(), tracing::Span::current());
        // What the query logs belongs to the request that asked for it.
        actix_web::web::block(move || span.in_scope(|| db.read_blocking(f)))
            .await
            .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?
    }

    /// Runs `f` in one write transaction on a pooled connection, off the async threads.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let (db, span) = (self.clone(), tracing::Span::current());
        actix_web::web::block(move || span.in_scope(|| db.write_blocking(f)))
            .await
            .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?
    }

    /// Runs `read` on a pooled connection, then `write` with what it read in a write transaction
    /// shared with other writes sent at the same time, each in its own savepoint: a burst of
    /// small writes (reader reports) costs one commit, not one each, and one trip off the async
    /// threads. The answer comes only after the commit; if `read` or `write` fails, nothing of
    /// this call is written and the others are unaffected.
    pub async fn read_then_write_grouped<R, T, P, F>(&self, read: P, write: F) -> Result<T, AppError>
    where
        P: FnOnce(&mut DbConnection) -> Result<R, AppError> + Send + 'static,
        F: FnOnce(&mut DbConnection, R) -> Result<T, AppError> + Send + 'static,
        R: Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let db = self.clone();
        actix_web::web::block(move || {
            let input = db.read_blocking(read)?;
            let f = move |c: &mut DbConnection| write(c, input);
            db.lock_grouped().push(Box::new(Job { f: Some(f), result: None, tx }));
            db.commit_grouped();
            Ok::<(), AppError>(())
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))??;
        rx.await.map_err(|_| AppError::Internal(anyhow::anyhow!("a grouped write was dropped before it ran")))?
    }

    fn lock_grouped(&self) -> std::sync::MutexGuard<'_, Vec<Box<dyn Grouped>>> {
        self.inner.grouped.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Commits the waiting writes, a group per transaction, until none is left; returns at once
    /// when another thread is committing (it will take what waits, see below).
    fn commit_grouped(&self) {
        loop {
            let Ok(_committing) = self.inner.committing.try_lock() else { return };
            loop {
                let mut jobs = std::mem::take(&mut *self.lock_grouped());
                if jobs.is_empty() {
                    break;
                }
                let outcome = self.write_blocking(|conn| {
                    for job in &mut jobs {
                        job.run(conn);
                    }
                    Ok(())
                });
                tracing::debug!(writes = jobs.len(), "committed a group of writes");
                let failed = outcome.err();
                for job in jobs {
                    job.deliver(failed.as_ref());
                }
            }
            drop(_committing);
            // A write queued after the last look but before the lock was released found it
            // taken and left: look once more, now that it is free.
            if self.lock_grouped().is_empty() {
                return;
            }
        }
    }

    /// Runs `f` with a connection of this `Db`, pooled or its only one.
    fn with_conn<T>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>) -> Result<T, AppError> {
        match &self.inner.conns {
            Conns::Pool(pool) => {
                self.inner.waiting.fetch_add(1, Ordering::Relaxed);
                let conn = pool.get();
                self.inner.waiting.fetch_sub(1, Ordering::Relaxed);
                f(&mut *conn.map_err(DbError::from)?)
            }
            Conns::One(conn) => f(&mut conn.lock().unwrap_or_else(|p| p.into_inner())),
        }
    }

    /// Blocking form of [`Db::read`], for the command line.
    pub fn read_blocking<T>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>) -> Result<T, AppError> {
        self.with_conn(f)
    }

    /// Blocking form of [`Db::write`], for the command line.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>) -> Result<T, AppError> {
        let _guard = match self.inner.backend {
            // Waiting behind our own writers longer than SQLite would wait for another
            // process's lock is refused the same way: 503, not an ever longer queue.
            Backend::Sqlite => Some(self.inner.write_lock.acquire(self.inner.timeout).ok_or_else(|| {
                AppError::database_busy(&format_args!("no write slot within {:?}", self.inner.timeout))
            })?),
            Backend::Postgres => None,
        };
        self.with_conn(|conn| {
            if let DbConnection::Sqlite(c) = conn {
                // Take the write lock at BEGIN: a deferred transaction that reads first and
                // writes later fails at once when another process (a CLI command, a second
                // instance) wrote in between, instead of waiting for it.
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
                let result = f(conn);
                if let DbConnection::Sqlite(c) = conn {
                    match &result {
                        Ok(_) => {
                            <AnsiTransactionManager as TransactionManager<SqliteConnection>>::commit_transaction(c)?
                        }
                        Err(_) => {
                            <AnsiTransactionManager as TransactionManager<SqliteConnection>>::rollback_transaction(c)?
                        }
                    }
                }
                return result;
            }
            conn.transaction(f)
        })
    }
}

/// The in-process writer lock of SQLite, which a writer waits for only so long.
#[derive(Default)]
struct WriterLock {
    held: Mutex<bool>,
    freed: Condvar,
}

/// Holds the [`WriterLock`] until dropped.
struct WriterGuard<'a>(&'a WriterLock);

impl WriterLock {
    /// Takes the lock, waiting at most `wait`; `None` when it stayed taken.
    fn acquire(&self, wait: Duration) -> Option<WriterGuard<'_>> {
        let held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let (mut held, _) = self.freed.wait_timeout_while(held, wait, |held| *held).unwrap_or_else(|p| p.into_inner());
        if *held {
            return None;
        }
        *held = true;
        Some(WriterGuard(self))
    }
}

impl Drop for WriterGuard<'_> {
    fn drop(&mut self) {
        *self.0.held.lock().unwrap_or_else(|p| p.into_inner()) = false;
        self.0.freed.notify_one();
    }
}

/// A write waiting for a shared commit.
trait Grouped: Send {
    /// Runs the write in its own savepoint, keeping its result.
    fn run(&mut self, conn: &mut DbConnection);
    /// Hands the result over, or the shared transaction's failure when it failed.
    fn deliver(self: Box<Self>, commit_failed: Option<&AppError>);
}

struct Job<T, F> {
    f: Option<F>,
    result: Option<Result<T, AppError>>,
    tx: tokio::sync::oneshot::Sender<Result<T, AppError>>,
}

impl<T, F> Grouped for Job<T, F>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send,
    T: Send,
{
    fn run(&mut self, conn: &mut DbConnection) {
        let Some(f) = self.f.take() else { return };
        // A panic must not leave the shared transaction half-written: it undoes this write only.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| conn.transaction(f)))
            .unwrap_or_else(|_| Err(AppError::Internal(anyhow::anyhow!("a grouped write panicked"))));
        self.result = Some(result);
    }

    fn deliver(self: Box<Self>, commit_failed: Option<&AppError>) {
        // A shared transaction that could not begin or commit (the database unreachable or
        // locked) fails each of its writes the same way: retryable stays retryable.
        let result = match (commit_failed, self.result) {
            (Some(why), Some(Ok(_)) | None) => Err(why.again()),
            (_, Some(result)) => result,
            (None, None) => Err(AppError::Internal(anyhow::anyhow!("a grouped write did not run"))),
        };
        let _ = self.tx.send(result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figures_triggers_take_the_counters_lock() {
        // The PostgreSQL triggers of the per-day counts take the same advisory lock as
        // `lock_counters`, written out as a number in their migration.
        let sql = include_str!("../../migrations/postgres/2026-12-01-000013_stats_days/up.sql");
        let taken = format!("pg_advisory_xact_lock({COUNTERS_LOCK_KEY})");
        assert_eq!(sql.matches(&taken).count(), sql.matches("pg_advisory_xact_lock(").count());
        assert_eq!(sql.matches(&taken).count(), 4);
    }

    #[test]
    fn url_scheme_selects_the_backend() {
        assert_eq!(DbTarget::parse("corrigenda.db").map(|t| t.backend), Ok(Backend::Sqlite));
        assert_eq!(DbTarget::parse("sqlite:///tmp/x.db").map(|t| t.url), Ok("/tmp/x.db".to_owned()));
        assert_eq!(DbTarget::parse("postgres://u@h/db").map(|t| t.backend), Ok(Backend::Postgres));
        assert!(DbTarget::parse("mysql://h/db").is_err());
        assert!(DbTarget::parse("  ").is_err());
    }

    #[test]
    fn a_writer_waits_for_the_writer_lock_only_so_long() {
        let lock = WriterLock::default();
        let held = lock.acquire(Duration::ZERO).expect("a free lock is taken at once");
        assert!(lock.acquire(Duration::from_millis(50)).is_none(), "a held lock is refused after the wait");
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| lock.acquire(Duration::from_secs(60)).is_some());
            drop(held);
            assert!(waiter.join().unwrap(), "a lock freed during the wait is taken");
        });
    }

    #[test]
    fn display_masks_the_password() {
        let target = DbTarget::parse("postgres://me:secret@db.example/news").map(|t| t.display());
        assert_eq!(target, Ok("PostgreSQL postgres://me:***@db.example/news".to_owned()));
        let target = DbTarget::parse("postgres://me@db.example/news?sslmode=require&password=secret").unwrap();
        assert_eq!(target.display(), "PostgreSQL postgres://me@db.example/news?sslmode=require&password=***");
        assert!(!format!("{target:?}").contains("secret"), "{target:?}");
    }
}
