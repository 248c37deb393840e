//! A real server per test, on its own database of either backend.

use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};

use corrigenda::clock::Clock;
use corrigenda::config::RawSettings;
use corrigenda::db::{Db, DbConnection};
use corrigenda::domain::accounts::{self, Actor, Role};
use corrigenda::domain::signing::LogKey;
use corrigenda::mail::dispatch::Dispatcher;
use corrigenda::web::{self, AppState};

#[path = "../common/db.rs"]
mod db;
#[path = "../common/wait.rs"]
pub mod wait;

pub use db::*;

/// Where every test server's clock stands until the test moves it: mid-morning in Berlin on a
/// winter weekday, far from a midnight or a change of daylight saving time.
pub const TEST_START: chrono::NaiveDateTime = match chrono::NaiveDate::from_ymd_opt(2026, 12, 1) {
    Some(day) => match day.and_hms_opt(9, 30, 0) {
        Some(t) => t,
        None => panic!("a valid time"),
    },
    None => panic!("a valid day"),
};

/// Runs each named `async fn(Backend)` once per backend, as `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::helpers::postgres_available() {
                        super::$name($crate::helpers::Backend::Postgres).await
                    }
                }
            )*
        }
    };
}

/// A running server with its own database and an editor's API token.
///
/// No dispatcher runs on its own: a test delivers the outbox with [`TestApp::deliver_mail`]
/// and then reads the mailbox. A test app that ends with mail still queued (or claimed)
/// fails the test, unless the test said it expects that ([`TestApp::expect_undelivered_mail`]).
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub token: String,
    /// Declared before `database`, which drops the database: fields drop in this order.
    mail_check: MailCheck,
    pub database: TestDb,
    /// The server's clock: tests move it forward.
    pub clock: Clock,
    server: actix_web::dev::ServerHandle,
    dispatcher: Dispatcher,
}

/// A second server on a test app's database, with its own dispatcher.
pub struct Instance {
    /// Its base URL, e.g. `http://127.0.0.1:4321`.
    pub address: String,
    dispatcher: Dispatcher,
}

impl Instance {
    /// Delivers everything due through this instance's dispatcher; returns how many rows it handled.
    pub async fn deliver_mail(&self) -> usize {
        deliver(&self.dispatcher).await
    }
}

/// An outbox row that has not been delivered (queued, or claimed by a dispatcher).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndeliveredMail {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
}

/// Fails the test, when the app it belongs to ends, if mail was left undelivered.
struct MailCheck {
    db: Db,
    /// Set by a test that leaves mail queued on purpose.
    expected: AtomicBool,
}

impl MailCheck {
    fn check(&self) -> Result<(), String> {
        if self.expected.load(Ordering::SeqCst) {
            return Ok(());
        }
        let left = undelivered(&self.db);
        if left.is_empty() {
            return Ok(());
        }
        let rows: Vec<String> = left
            .iter()
            .map(|m| format!("  #{} {} to {} ({}): {:?}", m.id, m.kind, m.recipient, m.status, m.subject))
            .collect();
        Err(format!(
            "the test ended with {} undelivered mail(s); deliver them with `app.deliver_mail().await` and assert on \
             them, or call `app.expect_undelivered_mail()` if leaving them is the point:\n{}",
            left.len(),
            rows.join("\n")
        ))
    }
}

impl Drop for MailCheck {
    fn drop(&mut self) {
        // A test that already failed says why; a second panic would abort the run.
        if std::thread::panicking() {
            return;
        }
        if let Err(message) = self.check() {
            panic!("{message}");
        }
    }
}

/// The outbox rows still `queued` or `sending`, oldest first.
fn undelivered(db: &Db) -> Vec<UndeliveredMail> {
    use corrigenda::db::schema::outbox;
    use corrigenda::db::vocabulary::OutboxStatus;
    use diesel::prelude::*;
    let rows: Vec<(i64, String, String, String, String, i32)> = db
        .read_blocking(|c| {
            Ok(outbox::table
                .filter(outbox::status.eq_any([OutboxStatus::Queued, OutboxStatus::Sending]))
                .order(outbox::id.asc())
                .select((
                    outbox::id,
                    outbox::kind,
                    outbox::recipient,
                    outbox::subject,
                    outbox::status,
                    outbox::attempts,
                ))
                .load(c)?)
        })
        .unwrap();
    rows.into_iter()
        .map(|(id, kind, recipient, subject, status, attempts)| UndeliveredMail {
            id,
            kind,
            recipient,
            subject,
            status,
            attempts,
        })
        .collect()
}

/// Runs dispatcher rounds until one handles nothing; returns the rows handled in all.
async fn deliver(dispatcher: &Dispatcher) -> usize {
    let mut total = 0;
    // A round takes at most a batch, and a row it could not send waits at least 15 s of the
    // test clock before it is due again: this ends unless rows keep arriving.
    for _ in 0..1000 {
        let handled = dispatcher.round().await.unwrap();
        if handled == 0 {
            return total;
        }
        total += handled;
    }
    panic!("the outbox did not empty after 1000 rounds ({total} rows handled)")
}

/// A staff account made for a test.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub email: String,
    pub password: String,
    pub token: String,
    pub actor: Actor,
}

impl TestApp {
    /// A server with default test settings.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// A server whose settings `configure` adjusts.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut RawSettings)) -> Self {
        Self::on(TestDb::new(backend), configure).await
    }

    /// A server on an existing database (e.g. to restart on the same data).
    pub async fn on(database: TestDb, configure: impl FnOnce(&mut RawSettings)) -> Self {
        let app = Self::bare_with(database, configure).await;
        let now = app.clock.now();
        let email = format!("desk{}@news.example", rand::random::<u32>());
        let token = app
            .db
            .write_blocking(|c| {
                accounts::add_user(c, &email, "Desk Editor", Role::Editor, "a long enough password", now)?;
                accounts::create_token(c, &email, "tests", now)
            })
            .unwrap();
        Self { token, ..app }
    }

    /// A server on an existing database, creating no account.
    pub async fn bare(database: TestDb) -> Self {
        Self::bare_with(database, |_| {}).await
    }

    async fn bare_with(database: TestDb, configure: impl FnOnce(&mut RawSettings)) -> Self {
        let mut raw = settings(&database);
        configure(&mut raw);
        let config = raw.parse().unwrap();
        let (db, _) = Db::open(&config.database).unwrap();
        let listener = TcpListener::bind(config.bind).unwrap();
        let bound = listener.local_addr().unwrap();
        let key = LogKey::load_or_create(&config.signing_key).unwrap().0;
        let mail = config.mail.build().unwrap();
        let timezone = config.timezone;
        let state = AppState::with_clock(db.clone(), config, bound, key, Clock::standing_at(TEST_START));
        let clock = state.clock.clone();
        let dispatcher = Dispatcher::new(db.clone(), mail, state.mail.clone(), clock.clone(), timezone);
        let (server, _) = web::serve(listener, state, 1).unwrap();
        let handle = server.handle();
        tokio::spawn(server);
        let token = String::new();
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mail_check = MailCheck { db: db.clone(), expected: AtomicBool::new(false) };
        Self {
            address: format!("http://{bound}"),
            client,
            db,
            token,
            mail_check,
            database,
            clock,
            server: handle,
            dispatcher,
        }
    }

    /// `GET path` with an API token; asserts 200 and returns the JSON body.
    pub async fn get_as(&self, token: &str, path: &str) -> serde_json::Value {
        let response = self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    /// Moves this server's standing clock to just after the system's time: for tests whose
    /// command-line runs (real processes, on the system's clock) wrote rows due "now".
    pub fn catch_up_with_the_system_clock(&self) {
        let behind = chrono::Utc::now().naive_utc() - self.clock.now();
        if behind > chrono::Duration::zero() {
            self.clock.advance(behind + chrono::Duration::seconds(1));
        }
    }

    /// Delivers everything due (dispatcher rounds until one handles nothing), as the
    /// server's dispatcher would; returns how many outbox rows were handled (sent, refused,
    /// or tried and left for a retry).
    pub async fn deliver_mail(&self) -> usize {
        deliver(&self.dispatcher).await
    }

    /// The outbox rows not delivered yet (`queued` or `sending`), oldest first.
    pub fn undelivered_mail(&self) -> Vec<UndeliveredMail> {
        undelivered(&self.db)
    }

    /// What ending the test now would report: an error listing the undelivered mail, unless
    /// there is none or the test expects it. Dropping the app panics with that error.
    pub fn check_mail(&self) -> Result<(), String> {
        self.mail_check.check()
    }

    /// Says this test leaves mail undelivered on purpose (e.g. its SMTP server never answers),
    /// so ending with queued mail does not fail it.
    pub fn expect_undelivered_mail(&self) {
        self.mail_check.expected.store(true, Ordering::SeqCst);
    }

    /// A new account with `role`, its password and an API token.
    pub fn user(&self, role: Role) -> TestUser {
        let n = rand::random::<u32>();
        let email = format!("{}{n}@news.example", role.as_str());
        let password = "correct horse battery staple".to_owned();
        let now = self.clock.now();
        let (id, token) = self
            .db
            .write_blocking(|c| {
                let id = accounts::add_user(c, &email, &format!("{} {n}", role.as_str()), role, &password, now)?;
                Ok((id, accounts::create_token(c, &email, "tests", now)?))
            })
            .unwrap();
        let actor = Actor { id, email: email.clone(), name: format!("{} {n}", role.as_str()), role };
        TestUser { email, password, token, actor }
    }

    /// A browser: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// Signs `user` in with `browser`; returns the response to the sign-in post.
    pub async fn login(&self, browser: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        let page = browser.get(self.url("/login")).send().await.unwrap().text().await.unwrap();
        let csrf = csrf_in(&page);
        browser
            .post(self.url("/login"))
            .form(&[("email", email), ("password", password), ("csrf", csrf.as_str()), ("next", "/desk")])
            .send()
            .await
            .unwrap()
    }

    /// A signed-in browser for `user`.
    pub async fn signed_in(&self, user: &TestUser) -> reqwest::Client {
        let browser = self.browser();
        let response = self.login(&browser, &user.email, &user.password).await;
        assert_eq!(response.status(), 303, "sign-in works");
        browser
    }

    /// Files the standard report on the standard article and returns (id, token).
    pub async fn filed(&self) -> (i64, String) {
        self.article().await;
        let filed: serde_json::Value = self.file_report("kursk", &report_json()).await.json().await.unwrap();
        let token = filed["token"].as_str().unwrap().to_owned();
        let id = self.db.read_blocking(|c| Ok(corrigenda::domain::reports::for_token(c, &token)?.id)).unwrap();
        (id, token)
    }

    /// Files a report on `kursk` (which must exist) straight through the domain, as the form
    /// does but without the per-client limit: for tests that need many reports. Returns its id.
    pub fn file_directly(&self) -> i64 {
        let input: corrigenda::domain::reports::ReportInput = serde_json::from_value(report_json()).unwrap();
        let now = self.clock.now();
        self.db
            .write_blocking(|c| {
                let mut notices = corrigenda::domain::notices::Notices::default();
                let targets = corrigenda::domain::reports::Targets::default();
                Ok(corrigenda::domain::reports::file(c, "kursk", &input, &targets, &mut notices, now, || Ok(()))?.id)
            })
            .unwrap()
    }

    /// Takes report `id`, just filed, to `status` through the product's own moves (made by
    /// `by`, a standards editor, and by the reader), so that every state it is in is one the
    /// product can reach: a duplicate has its primary, an appeal its appeal, a report awaiting
    /// approval its pending retraction (there must be a second standards editor to approve it),
    /// a corrected one its published correction.
    pub fn reach(&self, id: i64, status: &str, by: &Actor) {
        use corrigenda::domain::notices::Notices;
        use corrigenda::domain::workflow::{self, MoveRequest};
        let now = self.clock.now();
        let primary = (status == "duplicate").then(|| self.file_directly());
        let by = by.clone();
        let wanted = status.to_owned();
        let status = status.to_owned();
        self.db
            .write_blocking(move |c| {
                let mut notices = Notices::default();
                let step = |c: &mut DbConnection, to: &str, notices: &mut Notices| {
                    let version = corrigenda::db::models::Report::find(c, id)?.unwrap().version;
                    let request = MoveRequest {
                        to: to.into(),
                        reason: Some("Checked against the transcript.".into()),
                        version,
                        duplicate_of: primary,
                    };
                    workflow::transition(c, id, &by, &request, notices, now).map(drop)
                };
                match status.as_str() {
                    "new" => {}
                    "triaged" | "in_review" | "needs_info" | "no_change" | "rejected" | "duplicate" => {
                        step(c, &status, &mut notices)?
                    }
                    "appealed" => {
                        step(c, "rejected", &mut notices)?;
                        let report = corrigenda::db::models::Report::find(c, id)?.unwrap();
                        workflow::appeal(c, &report, "The transcript says otherwise.", &mut notices, now)?;
                    }
                    "awaiting_approval" | "corrected" => {
                        let kind = if status == "corrected" { "correction" } else { "retraction" };
                        let input: corrigenda::domain::corrections::CorrectionInput =
                            serde_json::from_value(serde_json::json!({
                                "article_id": "kursk",
                                "kind": kind,
                                "text": "An earlier version of this article misstated how long the war had lasted.",
                                "report_ids": [id],
                            }))
                            .unwrap();
                        corrigenda::domain::corrections::publish(c, &by, &input, &mut notices, now)?;
                    }
                    other => panic!("no move reaches {other:?}"),
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(self.state_of(id).0, wanted, "report {id} did not reach {wanted}");
    }

    /// Writes `status` into the report's row behind the product's back: only for the tests
    /// that need exactly that (a value this version does not know, a change the cache must not see).
    pub fn write_status_column(&self, id: i64, status: &str) {
        use corrigenda::db::schema::reports;
        use diesel::prelude::*;
        self.db
            .write_blocking(|c| {
                diesel::update(reports::table.find(id)).set(reports::status.eq(status)).execute(c)?;
                Ok(())
            })
            .unwrap();
    }

    /// The report's current (status, version).
    pub fn state_of(&self, id: i64) -> (String, i64) {
        let report = self.db.read_blocking(|c| Ok(corrigenda::db::models::Report::find(c, id)?.unwrap())).unwrap();
        (report.status.as_str().to_owned(), report.version)
    }

    /// The outbox rows, oldest first: (kind, recipient).
    pub fn outbox_rows_with_recipients(&self) -> Vec<(String, String)> {
        use corrigenda::db::schema::outbox;
        use diesel::prelude::*;
        self.db
            .read_blocking(|c| {
                Ok(outbox::table.order(outbox::id.asc()).select((outbox::kind, outbox::recipient)).load(c)?)
            })
            .unwrap()
    }

    /// The outbox rows, oldest first: (status, attempts, last error).
    pub fn outbox_rows(&self) -> Vec<(String, i32, Option<String>)> {
        use corrigenda::db::schema::outbox;
        use diesel::prelude::*;
        self.db
            .read_blocking(|c| {
                Ok(outbox::table
                    .order(outbox::id.asc())
                    .select((outbox::status, outbox::attempts, outbox::last_error))
                    .load(c)?)
            })
            .unwrap()
    }

    /// Every value of every table as text, leaving out the tables named in `except`: to look for
    /// what must never be stored.
    pub fn database_text(&self, except: &[&str]) -> String {
        self.tables_as_text()
            .into_iter()
            .filter(|(table, _)| !except.contains(&table.as_str()))
            .map(|(table, rows)| format!("{table}:\n{rows}\n"))
            .collect()
    }

    /// Each table with all its rows as text, one line a row (in no particular order).
    pub fn tables_as_text(&self) -> Vec<(String, String)> {
        use diesel::prelude::*;
        use diesel::sql_types::{Nullable, Text};
        #[derive(QueryableByName)]
        struct Name {
            #[diesel(sql_type = Text)]
            name: String,
        }
        #[derive(QueryableByName)]
        struct Rows {
            #[diesel(sql_type = Nullable<Text>)]
            rows: Option<String>,
        }
        self.db
            .read_blocking(|c| {
                let tables: Vec<Name> = match c {
                    DbConnection::Sqlite(_) => {
                        diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table'").load(c)?
                    }
                    DbConnection::Postgres(_) => diesel::sql_query(
                        "SELECT table_name::text AS name FROM information_schema.tables \
                         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                    )
                    .load(c)?,
                };
                let mut text = Vec::new();
                for Name { name: table } in tables {
                    let query = match c {
                        DbConnection::Sqlite(_) => {
                            let columns: Vec<Name> =
                                diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')")).load(c)?;
                            let values: Vec<String> = columns
                                .iter()
                                // FTS5 keeps blobs, which are not UTF-8: those are read as hex.
                                .map(|col| {
                                    let c = &col.name;
                                    format!(
                                        "coalesce(CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") \
                                         ELSE CAST(\"{c}\" AS TEXT) END, '')"
                                    )
                                })
                                .collect();
                            format!(
                                "SELECT group_concat({}, char(10)) AS rows FROM \"{table}\"",
                                values.join(" || ' ' || ")
                            )
                        }
                        DbConnection::Postgres(_) => {
                            format!("SELECT string_agg(t::text, E'\\n') AS rows FROM \"{table}\" t")
                        }
                    };
                    for Rows { rows } in diesel::sql_query(query).load::<Rows>(c)? {
                        text.push((table.clone(), rows.unwrap_or_default()));
                    }
                }
                Ok(text)
            })
            .unwrap()
    }

    /// The id of the newest report.
    pub fn state_of_last(&self) -> i64 {
        use corrigenda::db::schema::reports;
        use diesel::prelude::*;
        self.db
            .read_blocking(|c| Ok(reports::table.select(diesel::dsl::max(reports::id)).first::<Option<i64>>(c)?))
            .unwrap()
            .unwrap()
    }

    /// Sends a JSON move as `token`.
    pub async fn move_report(&self, token: &str, id: i64, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/v1/desk/reports/{id}/transitions")))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Starts a second server on the same database, key and clock (as a second app instance would be).
    pub async fn another_instance(&self) -> Instance {
        self.another_instance_with(|_| {}).await
    }

    /// A second instance whose settings `configure` adjusts.
    pub async fn another_instance_with(&self, configure: impl FnOnce(&mut RawSettings)) -> Instance {
        let mut raw = settings(&self.database);
        configure(&mut raw);
        let config = raw.parse().unwrap();
        let (db, _) = Db::open(&config.database).unwrap();
        let listener = TcpListener::bind(config.bind).unwrap();
        let bound = listener.local_addr().unwrap();
        let key = LogKey::load_or_create(&config.signing_key).unwrap().0;
        let mail = config.mail.build().unwrap();
        let timezone = config.timezone;
        let state = AppState::with_clock(db.clone(), config, bound, key, self.clock.clone());
        let dispatcher = Dispatcher::new(db, mail, state.mail.clone(), self.clock.clone(), timezone);
        let (server, _) = web::serve(listener, state, 1).unwrap();
        tokio::spawn(server);
        Instance { address: format!("http://{bound}"), dispatcher }
    }

    /// Stops the server and hands back its database (mail left undelivered fails the test, as at its end).
    pub async fn stop(self) -> TestDb {
        self.server.stop(true).await;
        self.database
    }

    /// An absolute URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Upserts an article through the API as the test editor.
    pub async fn put_article(&self, id: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .put(self.url(&format!("/api/v1/articles/{id}")))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Registers the standard test article (`kursk`, with text) and returns its id.
    pub async fn article(&self) -> &'static str {
        let response = self.put_article("kursk", &article_json()).await;
        assert!(response.status().is_success(), "{}", response.text().await.unwrap());
        "kursk"
    }

    /// Files a report through the API.
    pub async fn file_report(&self, article: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client.post(self.url(&format!("/api/v1/articles/{article}/reports"))).json(body).send().await.unwrap()
    }

    /// How many reports are stored.
    pub fn report_count(&self) -> i64 {
        use corrigenda::db::schema::reports;
        use diesel::prelude::*;
        self.db.read_blocking(|c: &mut DbConnection| Ok(reports::table.count().get_result(c)?)).unwrap()
    }

    /// Runs the `corrigenda` binary on this server's database.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        cli(&self.database, args, None)
    }
}

/// The value of the first hidden `csrf` field in a page.
pub fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\"").expect("the page has a csrf field");
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let value = tag.split("value=\"").nth(1).unwrap();
    value[..value.find('"').unwrap()].to_owned()
}

/// Runs the `corrigenda` binary against a test database and its key, a mail folder, optionally feeding stdin.
pub fn cli(database: &TestDb, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_corrigenda"))
        .args(args)
        .env("DATABASE_URL", &database.url)
        .env("CORRIGENDA_SIGNING_KEY", &database.key_path)
        .env("CORRIGENDA_MAIL_DIR", mail_dir(database))
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

/// The test article's text: a real news article, with curly quotes and dashes.
pub const ARTICLE_TEXT: &str = include_str!("../../fixtures/kursk.txt");

/// A valid article body for the API.
pub fn article_json() -> serde_json::Value {
    serde_json::json!({
        "url": "https://news.example/world/kursk",
        "title": "Russians Appear to Commit Disturbing Act to Faces of Dead North Koreans",
        "section": "World",
        "authors": ["Randy DeSoto"],
        "published_at": "2024-12-20T14:00:00Z",
        "text": ARTICLE_TEXT,
    })
}

/// A valid report body for the test article.
pub fn report_json() -> serde_json::Value {
    serde_json::json!({
        "category": "factual_error",
        "quote": "in the war that is approaching its four-year mark",
        "explanation": "The invasion began in February 2022: in December 2024 it was nearly three years.",
        "evidence_urls": ["https://en.wikipedia.org/wiki/Russian_invasion_of_Ukraine"],
        "reporter_name": "Ada Reader",
        "reporter_email": "ada@example.com",
    })
}

/// The start of the line `serve` prints once it listens; the rest is the address it bound.
const LISTENING: &str = "Corrigenda is listening on http://";

/// The address (`127.0.0.1:PORT`) a `serve` process printed it listens on, if its `stdout` has it.
pub fn listening_address(stdout: &str) -> Option<String> {
    stdout.lines().find_map(|l| l.strip_prefix(LISTENING)).map(str::to_owned)
}

/// A `serve` process's stdout, read as it arrives: kept for the test and copied to a sink.
pub struct ServeOutput {
    text: std::sync::Arc<std::sync::Mutex<String>>,
    /// Set once the process closed its stdout (it ended).
    ended: std::sync::Arc<AtomicBool>,
}

impl ServeOutput {
    /// Reads the piped stdout of `child` from now on, copying each line to `copy`.
    pub fn follow(child: &mut std::process::Child, mut copy: impl Write + Send + 'static) -> Self {
        use std::io::BufRead;
        let stdout = child.stdout.take().expect("serve was started with its stdout piped");
        let text: std::sync::Arc<std::sync::Mutex<String>> = std::sync::Arc::default();
        let ended = std::sync::Arc::new(AtomicBool::new(false));
        let (into, done) = (std::sync::Arc::clone(&text), std::sync::Arc::clone(&ended));
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout);
            let mut line = Vec::new();
            while lines.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                let _ = copy.write_all(&line);
                into.lock().unwrap_or_else(|p| p.into_inner()).push_str(&String::from_utf8_lossy(&line));
                line.clear();
            }
            done.store(true, Ordering::SeqCst);
        });
        Self { text, ended }
    }

    /// Everything it printed so far.
    pub fn text(&self) -> String {
        self.text.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Everything it printed, once it closed its stdout (it ended), a minute at most.
    pub fn finished(&self) -> String {
        wait::until("serve to close its stdout", std::time::Duration::from_secs(60), || {
            self.ended.load(Ordering::SeqCst).then_some(())
        });
        self.text()
    }

    /// The address it bound (`127.0.0.1:PORT`), once it says so; `None` if it ended first.
    pub fn address(&self) -> Option<String> {
        wait::until("serve to print the address it listens on", std::time::Duration::from_secs(60), || {
            // Whether it ended is read first: its last line is in the text by then.
            let ended = self.ended.load(Ordering::SeqCst);
            match listening_address(&self.text()) {
                Some(address) => Some(Some(address)),
                None => ended.then_some(None),
            }
        })
    }
}
