//! The HTTP server: shared state, the one route table, and start-up.
//!
//! Handlers are split by audience, then by resource: [`api`] answers JSON under `/api/v1`,
//! [`pages`] answers HTML. What both do alike is in [`steps`], what pages share in
//! [`present`]; the rest (sign-in, caching, errors, reading requests, limits) is infrastructure.

pub mod api;
pub mod auth;
pub mod cache;
pub mod errors;
pub mod extract;
pub mod headers;
pub mod openapi;
pub mod pages;
pub mod present;
pub mod ratelimit;
pub mod steps;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, DefaultHeaders, ErrorHandlers, Logger};
use actix_web::{web, App, HttpRequest, HttpServer};
use chrono::NaiveDateTime;
use corrigenda_templates::Layout;

use crate::clock::Clock;
use crate::config::{Config, RateLimit};
use crate::db::{Db, DbConnection};
use crate::domain::log::LogGuard;
use crate::domain::notices::Notices;
use crate::domain::signing::LogKey;
use crate::error::AppError;
use ratelimit::ClientLimiter;

/// Sign-in attempts allowed per client IP (failures per account are limited separately, in the database).
const LOGIN_ATTEMPTS: RateLimit = RateLimit { count: 30, per: std::time::Duration::from_secs(900) };

/// Memory for rendered public answers: thousands of articles' notices and log pages.
const PUBLIC_CACHE_BYTES: u64 = 48 << 20;

/// The shared state as handlers take it.
pub type State = web::Data<AppState>;

/// What every handler can reach.
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The checked settings.
    pub config: Config,
    /// Public base URL without a trailing slash.
    pub base_url: String,
    /// The page frame.
    pub layout: Layout,
    /// Report submission limiter; `None` when turned off.
    pub limiter: Option<ClientLimiter>,
    /// Sign-in attempts per client.
    pub login_limiter: ClientLimiter,
    /// What "now" is (tests move it).
    pub clock: Clock,
    /// The signing key, and the verification state of the public log.
    pub log: LogGuard,
    /// What mails need to know about the site.
    pub mail: crate::mail::Context,
    /// How mail leaves this server, for the outbox page.
    pub mail_transport: String,
    /// Rendered public answers, reused while current.
    pub public: cache::PublicCache,
}

impl AppState {
    /// Builds the state for a server whose listener is bound to `bound`.
    pub fn new(db: Db, config: Config, bound: std::net::SocketAddr, key: LogKey) -> Self {
        Self {
            db,
            base_url: config.base_url(bound),
            layout: Layout { publication: config.publication.clone(), staff: None },
            limiter: config.report_rate_limit.map(|l| ClientLimiter::new(l, "reports")),
            login_limiter: ClientLimiter::new(LOGIN_ATTEMPTS, "sign-in attempts"),
            clock: Clock::default(),
            log: LogGuard::new(key),
            mail: crate::mail::Context { base_url: config.base_url(bound), publication: config.publication.clone() },
            mail_transport: match &config.mail.smtp_url {
                Some(_) => "an SMTP server (SMTP_URL)".to_owned(),
                None => format!("files in {} (no SMTP_URL)", config.mail.dir.display()),
            },
            public: cache::PublicCache::new(PUBLIC_CACHE_BYTES),
            config,
        }
    }

    /// The current time as stored: UTC, microsecond precision (what PostgreSQL keeps).
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// Whether cookies must be `Secure` (the public URL is https).
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// Runs a domain step in one write transaction, and in the same transaction hands what it
    /// reports happened to every consumer of notices (today: mail's outbox).
    pub async fn write_notifying<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection, &mut Notices) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let (ctx, now) = (self.mail.clone(), self.now());
        self.db
            .write(move |c| {
                let mut notices = Notices::default();
                let out = f(c, &mut notices)?;
                crate::mail::notify(c, &ctx, &notices, now)?;
                Ok(out)
            })
            .await
    }

    /// An absolute URL for a path on this site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// The route table: every path the server answers.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .route("/openapi.json", web::get().to(openapi::document))
            .route("/articles/{id}", web::put().to(api::articles::put_article))
            .route("/articles/{id}", web::get().to(api::articles::get_article))
            .route("/articles/{id}/reports", web::post().to(api::reports::file_report))
            .route("/articles/{id}/corrections", web::get().to(api::corrections::article_corrections_json))
            .route("/corrections", web::get().to(api::corrections::site_corrections_json))
            .route("/log/checkpoint", web::get().to(api::log::checkpoint))
            .route("/log/entries", web::get().to(api::log::entries))
            .route("/audit/events", web::get().to(api::audit::events_json))
            .route("/desk/corrections", web::post().to(api::corrections::publish))
            .route("/desk/corrections/{id}/approval", web::post().to(api::corrections::approve))
            .route("/desk/corrections/{id}/return", web::post().to(api::corrections::return_to_author))
            .route("/desk/corrections/{id}/withdraw", web::post().to(api::corrections::withdraw))
            .route("/reports/{token}", web::get().to(api::reports::track_report))
            .route("/reports/{token}/replies", web::post().to(api::reports::reply))
            .route("/reports/{token}/appeal", web::post().to(api::reports::appeal))
            .route("/desk/reports", web::get().to(api::desk::queue))
            .route("/desk/reports/bulk", web::post().to(api::desk::bulk))
            .route("/desk/reports/{id}", web::get().to(api::desk::ticket))
            .route("/desk/reports/{id}/transitions", web::post().to(api::desk::transition))
            .route("/desk/reports/{id}/assignment", web::post().to(api::desk::assign))
            .route("/desk/reports/{id}/severity", web::post().to(api::desk::severity))
            .route("/desk/reports/{id}/notes", web::post().to(api::desk::note))
            .route("/desk/responses", web::get().to(api::responses::list))
            .route("/desk/responses", web::post().to(api::responses::create))
            .route("/desk/responses/{id}", web::put().to(api::responses::update))
            .route("/desk/responses/{id}", web::delete().to(api::responses::delete))
            .route("/desk/wordings", web::get().to(api::wordings::list))
            .route("/desk/wordings/{kind}", web::put().to(api::wordings::update))
            .route("/desk/wordings/{kind}", web::delete().to(api::wordings::reset)),
    )
    .route("/", web::get().to(pages::public::home))
    .route("/standards", web::get().to(pages::corrections::standards_page))
    .route("/corrections", web::get().to(pages::corrections::site_corrections))
    .route("/corrections.atom", web::get().to(pages::corrections::site_corrections_atom))
    .route("/corrections.csv", web::get().to(pages::corrections::site_corrections_csv))
    .route("/articles/{id}/corrections", web::get().to(pages::corrections::article_corrections))
    .route("/articles/{id}/corrections.atom", web::get().to(pages::corrections::article_corrections_atom))
    .route("/articles/{id}/notice", web::get().to(pages::corrections::notice))
    .route("/desk/corrections", web::get().to(pages::drafting::pending))
    .route("/desk/corrections", web::post().to(pages::drafting::submit))
    .route("/desk/corrections/new", web::get().to(pages::drafting::new_form))
    .route("/desk/corrections/{id}/approval", web::post().to(pages::drafting::approve))
    .route("/desk/corrections/{id}/return", web::post().to(pages::drafting::return_to_author))
    .route("/desk/corrections/{id}/withdraw", web::post().to(pages::drafting::withdraw))
    .route("/desk/standards", web::get().to(pages::drafting::standards))
    .route("/desk/standards", web::post().to(pages::drafting::save_standard))
    .route("/audit", web::get().to(pages::audit::audit))
    .route("/audit/verify", web::get().to(pages::audit::verify))
    .route("/desk/erasure", web::get().to(pages::erasure::erasure_form))
    .route("/desk/erasure", web::post().to(pages::erasure::erase))
    .route("/desk/outbox", web::get().to(pages::outbox::outbox))
    .route("/articles/{id}/subscriptions", web::post().to(pages::subscriptions::subscribe))
    .route("/subscriptions/{token}/confirm", web::get().to(pages::subscriptions::confirm_page))
    .route("/subscriptions/{token}/confirm", web::post().to(pages::subscriptions::confirm))
    .route("/subscriptions/{token}/unsubscribe", web::get().to(pages::subscriptions::unsubscribe_page))
    .route("/subscriptions/{token}/unsubscribe", web::post().to(pages::subscriptions::unsubscribe))
    .route("/static/style.css", web::get().to(pages::public::stylesheet))
    .route("/favicon.ico", web::get().to(pages::public::favicon))
    .route("/healthz", web::get().to(pages::public::health))
    .route("/articles", web::get().to(pages::public::find_article))
    .route("/articles/{id}/report", web::get().to(pages::reports::report_form))
    .route("/articles/{id}/report", web::post().to(pages::reports::submit_report))
    .route("/reports/{token}", web::get().to(pages::reports::tracking))
    .route("/reports/{token}/reply", web::post().to(pages::reports::reply))
    .route("/reports/{token}/appeal", web::post().to(pages::reports::appeal))
    .route("/login", web::get().to(pages::accounts::login_form))
    .route("/login", web::post().to(pages::accounts::login))
    .route("/logout", web::post().to(pages::accounts::logout))
    .route("/setup/{token}", web::get().to(pages::accounts::setup_form))
    .route("/setup/{token}", web::post().to(pages::accounts::setup))
    .route("/desk", web::get().to(pages::desk::queue))
    .route("/desk/bulk", web::post().to(pages::desk::bulk))
    .route("/desk/reports/{id}", web::get().to(pages::desk::ticket))
    .route("/desk/reports/{id}/transitions", web::post().to(pages::desk::transition))
    .route("/desk/reports/{id}/assignment", web::post().to(pages::desk::assign))
    .route("/desk/reports/{id}/severity", web::post().to(pages::desk::severity))
    .route("/desk/reports/{id}/notes", web::post().to(pages::desk::note))
    .route("/desk/responses", web::get().to(pages::responses::responses))
    .route("/desk/responses", web::post().to(pages::responses::create))
    .route("/desk/responses/{id}", web::get().to(pages::responses::edit))
    .route("/desk/responses/{id}", web::post().to(pages::responses::update))
    .route("/desk/responses/{id}/delete", web::post().to(pages::responses::delete))
    .route("/desk/wordings", web::get().to(pages::wordings::wordings))
    .route("/desk/wordings/{kind}", web::post().to(pages::wordings::save))
    .route("/desk/wordings/{kind}/reset", web::post().to(pages::wordings::reset));
}

/// Answers paths no route matches: JSON under `/api/`, a page elsewhere.
async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound(format!("nothing is at {}", req.path())))
}

/// Starts serving on `listener` with `workers` threads; also hands back the shared state.
pub fn serve(listener: TcpListener, state: AppState, workers: usize) -> std::io::Result<(Server, web::Data<AppState>)> {
    let state = web::Data::new(state);
    let shared = state.clone();
    // Refuse to sign over a log changed behind our back: check it all, beside the server so a
    // long log does not delay start-up; no checkpoint is signed until this has passed.
    check_log_in_background(state.clone())?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(routes)
            .default_service(web::to(not_found))
            .wrap(ErrorHandlers::new().default_handler(errors::html_error_pages))
            .wrap(from_fn(headers::circumstantial))
            .wrap(
                // Adds only what an answer has not set itself.
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add((
                        "Content-Security-Policy",
                        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                         frame-ancestors 'none'; base-uri 'none'",
                    )),
            )
            .wrap(
                Logger::new("%{method}xi %{path}xi %s %b %Dms")
                    .custom_request_replace("method", |req| req.method().to_string())
                    .custom_request_replace("path", |req| log_path(req.path()))
                    .exclude("/healthz"),
            )
    })
    .workers(workers.max(1))
    .listen(listener)?
    .run();
    Ok((server, shared))
}

/// Verifies the whole log on a thread of its own, at a lower priority: on a large log the
/// check takes a core for a minute or more, and pages must not queue behind it.
pub fn check_log_in_background(state: web::Data<AppState>) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("log-check".into()).spawn(move || {
        lower_priority();
        if let Err(err) = state.db.read_blocking(|c| state.log.full_check(c)) {
            tracing::error!(error = ?err, "could not verify the public log");
        }
    })
}

/// Lowers the calling thread's scheduling priority (nice 10).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: takes no pointers; on Linux it changes the priority of the calling thread only.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// The path as logged: tracking tokens are secrets and never reach the log.
fn log_path(path: &str) -> String {
    for prefix in headers::SECRET_PREFIXES {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}[token]{tail}");
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn the_log_check_runs_at_a_lower_priority() {
        // SAFETY: getpriority takes no pointers; it reads the calling thread's nice value.
        let nice = std::thread::spawn(|| {
            super::lower_priority();
            unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
        })
        .join()
        .unwrap();
        assert!(nice >= 10, "nice {nice}");
        // SAFETY: as above; the test's own thread keeps its priority.
        assert!(unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) } < nice);
    }

    #[test]
    fn tokens_are_masked_in_logged_paths() {
        assert_eq!(super::log_path("/reports/abc"), "/reports/[token]");
        assert_eq!(super::log_path("/api/v1/reports/abc/replies"), "/api/v1/reports/[token]/replies");
        assert_eq!(super::log_path("/subscriptions/abc/unsubscribe"), "/subscriptions/[token]/unsubscribe");
        assert_eq!(super::log_path("/setup/abc"), "/setup/[token]");
        assert_eq!(super::log_path("/articles/x/report"), "/articles/x/report");
    }
}
