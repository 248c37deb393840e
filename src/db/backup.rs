//! Online backups of a SQLite database: a consistent copy taken while the server runs.
//!
//! `VACUUM INTO` reads the database in one read transaction, so the copy is the database as it
//! was at one commit; in WAL mode that transaction blocks no writer, so the server keeps
//! serving while it runs. PostgreSQL is backed up with its own tools (`pg_dump`).

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::RunQueryDsl;

use super::{Backend, DbConnection, DbError, DbTarget};

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is PostgreSQL, which `pg_dump` backs up.
    #[error(
        "backup copies SQLite databases, and the database is {0}: back it up with `pg_dump -Fc` and restore it \
         with `pg_restore` (see the README's \"Backups and restore\")"
    )]
    Postgres(String),
    /// The SQLite file to copy is not there.
    #[error("there is no SQLite database at {0}")]
    NoDatabase(String),
    /// The copy's file exists already: a backup never overwrites a file.
    #[error("{0} exists already; not overwriting it (remove it or name another file)")]
    Exists(String),
    /// The copy's file could not be made.
    #[error("cannot create {0}: {1}")]
    Create(String, std::io::Error),
    /// The copy could not be made or does not read back as a sound database.
    #[error("the backup to {0} failed: {1}")]
    Copy(String, String),
}

/// Copies the SQLite database of `target` to the new file `to` (made with mode 0600: it holds
/// readers' addresses), checks that the copy reads back whole, and returns its size in bytes.
/// The file is removed again when anything fails.
pub fn sqlite(target: &DbTarget, to: &Path) -> Result<u64, BackupError> {
    if target.backend == Backend::Postgres {
        return Err(BackupError::Postgres(target.display()));
    }
    let shown = to.display().to_string();
    // `connect` would make an empty database where there is none.
    if !Path::new(&target.url).is_file() {
        return Err(BackupError::NoDatabase(target.url.clone()));
    }
    // Made here, atomically, so a file that appears meanwhile is not overwritten; SQLite
    // accepts an empty file as the target of `VACUUM INTO`.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(to) {
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => return Err(BackupError::Exists(shown)),
        Err(err) => return Err(BackupError::Create(shown, err)),
    }
    copy(target, to).map_err(|message| {
        let _ = std::fs::remove_file(to);
        BackupError::Copy(shown, message)
    })
}

fn copy(target: &DbTarget, to: &Path) -> Result<u64, String> {
    // An absolute path: SQLite would read a name starting with `file:` as a URI.
    let absolute = std::path::absolute(to).map_err(|e| e.to_string())?;
    let name = absolute.to_str().ok_or("the file name is not UTF-8")?;
    let mut source = target.connect().map_err(|e| e.to_string())?;
    diesel::sql_query("VACUUM INTO ?").bind::<Text, _>(name).execute(&mut source).map_err(|e| e.to_string())?;
    drop(source);
    // The copy is a database of its own: it must pass SQLite's check before it is called a backup.
    let copy = DbTarget { url: name.to_owned(), ..target.clone() };
    let mut conn = copy.connect().map_err(|e| e.to_string())?;
    let found = quick_check(&mut conn).map_err(|e| e.to_string())?;
    if found != "ok" {
        return Err(format!("the copy does not pass SQLite's check: {found}"));
    }
    // The copy is in WAL mode once opened: fold the WAL back so the one file is the whole copy.
    conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;").map_err(|e| e.to_string())?;
    drop(conn);
    let file = std::fs::File::open(&absolute).map_err(|e| e.to_string())?;
    file.sync_all().map_err(|e| e.to_string())?;
    Ok(file.metadata().map_err(|e| e.to_string())?.len())
}

#[derive(diesel::QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    quick_check: String,
}

fn quick_check(conn: &mut DbConnection) -> Result<String, DbError> {
    let rows: Vec<Check> = diesel::sql_query("PRAGMA quick_check").load(conn)?;
    Ok(rows.into_iter().map(|r| r.quick_check).collect::<Vec<_>>().join("; "))
}
