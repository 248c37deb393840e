//! A real server on its own database of either backend, seeded with the demo data.
//!
//! The database per test comes from `tests/common/db.rs`, shared with the API tests;
//! the server is started in-process.

use std::net::TcpListener;

use corrigenda::db::{Db, DbConnection};
use corrigenda::domain::accounts::Role;
use corrigenda::domain::demo::{self, Seeded};
use corrigenda::domain::notices::Notices;
use corrigenda::domain::reports::Status;
use corrigenda::domain::signing::LogKey;
use corrigenda::web::{self, AppState};

#[path = "../common/db.rs"]
mod db;

pub use db::*;

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
        let mut raw = settings(&database);
        raw.base_url = Some(public_url.to_owned());
        raw.report_rate_limit = "10/600".into();
        // The demonstration page shows the article's text to readers, who select words of it.
        raw.public_article_text = "true".into();
        let config = raw.parse().unwrap();
        let (db, _) = Db::open(&config.database).unwrap();
        let listener = TcpListener::bind(config.bind).unwrap();
        let bound = listener.local_addr().unwrap();
        let key = LogKey::load_or_create(&config.signing_key).unwrap().0;
        let state = AppState::new(db.clone(), config, bound, key);
        let mail = state.mail.clone();
        let notify = |c: &mut DbConnection, n: &Notices, at| corrigenda::mail::notify(c, &mail, n, at);
        let seeded = demo::seed(&db, &state.config.response_targets, &notify, state.now()).unwrap();
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
