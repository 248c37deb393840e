//! Writes committed together (reader reports in a burst): each succeeds or fails on its own,
//! and none is answered before the commit that holds it.

use corrigenda::db::{Db, DbConnection, DbTarget};
use corrigenda::error::AppError;
use diesel::prelude::*;

use crate::both_backends;
use crate::helpers::{Backend, TestDb};

both_backends!(grouped_writes_fail_alone_and_answer_after_their_commit);

fn days(conn: &mut DbConnection) -> Vec<String> {
    use corrigenda::db::schema::digest_runs;
    digest_runs::table.select(digest_runs::day).order(digest_runs::day.asc()).load(conn).unwrap()
}

async fn grouped_writes_fail_alone_and_answer_after_their_commit(backend: Backend) {
    use corrigenda::db::schema::digest_runs;
    let database = TestDb::new(backend);
    let (db, _) = Db::open(&DbTarget::parse(&database.url).unwrap()).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let calls: Vec<_> = (0..60)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                let answer = db
                    .read_then_write_grouped(
                        move |_| Ok(format!("day-{i:02}")),
                        move |c, day| {
                            diesel::insert_into(digest_runs::table)
                                .values((digest_runs::day.eq(&day), digest_runs::created_at.eq(now)))
                                .execute(c)?;
                            match i % 6 {
                                // Fails after writing: its row must go, the others' stay.
                                0 => Err(AppError::invalid("day", "refused after writing")),
                                // Fails in the database: a duplicate key inside its own savepoint.
                                1 => {
                                    diesel::insert_into(digest_runs::table)
                                        .values((digest_runs::day.eq(&day), digest_runs::created_at.eq(now)))
                                        .execute(c)?;
                                    Ok(day)
                                }
                                _ => Ok(day),
                            }
                        },
                    )
                    .await;
                // Answered only after the commit: another connection sees the row already.
                if let Ok(day) = &answer {
                    let seen = db.read(|c| Ok(days(c))).await.unwrap();
                    assert!(seen.contains(day), "{day} was answered before it was committed");
                }
                (i, answer)
            })
        })
        .collect();
    let mut expected = Vec::new();
    for call in calls {
        let (i, answer) = call.await.unwrap();
        match i % 6 {
            0 | 1 => assert!(answer.is_err(), "call {i} should have failed"),
            _ => {
                assert_eq!(answer.unwrap(), format!("day-{i:02}"));
                expected.push(format!("day-{i:02}"));
            }
        }
    }
    let stored = db.read(|c| Ok(days(c))).await.unwrap();
    assert_eq!(stored, expected);
}
