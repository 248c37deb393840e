//! The optional retention of readers' details: on a schedule, reports closed for longer than
//! the setting lose their reader's name and email (see [`erasure::erase_closed`]), and the mail
//! files addressed to a reader no report holds any more are removed, as an erasure does.
//!
//! It lives beside the outbox because it removes the mail files, which only this layer knows.

use std::path::PathBuf;
use std::time::Duration;

use crate::clock::Clock;
use crate::db::Db;
use crate::domain::erasure;
use crate::error::AppError;

/// What one round erased.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    /// Reports whose reader's details were erased.
    pub reports: usize,
    /// Mail files removed.
    pub files: usize,
}

/// Erases readers' details of reports closed for more than `days` days.
#[derive(Clone)]
pub struct Retention {
    db: Db,
    mail_dir: PathBuf,
    clock: Clock,
    days: u32,
}

impl Retention {
    /// Retention over `db`, removing files from `mail_dir`.
    pub fn new(db: Db, mail_dir: PathBuf, clock: Clock, days: u32) -> Self {
        Self { db, mail_dir, clock, days }
    }

    /// A round now, then one every `every` until `stop` turns true; a round under way stops
    /// between two batches.
    pub async fn run(self, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            match self.round(Some(&stop)).await {
                Ok(erased) if erased.reports > 0 => tracing::info!(
                    reports = erased.reports,
                    mail_files = erased.files,
                    "erased readers' details from reports closed for more than {} days",
                    self.days
                ),
                Ok(_) => {}
                Err(err) => tracing::error!(error = ?err, "the retention erasure failed; it is tried again next round"),
            }
            // The pause ends early when the server stops.
            let _ = actix_web::rt::time::timeout(every, stop.changed()).await;
        }
    }

    /// Erases everything due, batch by batch (each its own short write transaction), until no
    /// report is left or `stop` turns true.
    pub async fn round(&self, stop: Option<&tokio::sync::watch::Receiver<bool>>) -> Result<Erased, AppError> {
        let (days, now) = (self.days, self.clock.now());
        let mut erased = Erased::default();
        let mut after = 0;
        loop {
            let batch = self.db.write(move |c| erasure::erase_closed(c, days, after, now)).await?;
            erased.reports += batch.reports;
            if !batch.released.is_empty() {
                let dir = self.mail_dir.clone();
                let released = batch.released;
                let removed =
                    actix_web::rt::task::spawn_blocking(move || crate::mail::files::erase_any(&dir, &released))
                        .await
                        .map_err(|e| AppError::Internal(anyhow::anyhow!("removing mail files stopped: {e}")))?;
                match removed {
                    Ok(n) => erased.files += n,
                    // The file names are random and the error names no address.
                    Err(e) => tracing::error!("could not remove the mail files of erased readers: {e}"),
                }
            }
            match batch.next {
                Some(next) if !stop.is_some_and(|s| *s.borrow()) => after = next,
                _ => return Ok(erased),
            }
        }
    }
}
