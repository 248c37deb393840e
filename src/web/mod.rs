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
pub mod ops;
pub mod pages;
pub mod present;
pub mod ratelimit;
pub mod steps;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, DefaultHeaders, ErrorHandlers};
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

/// How long a client has to send a request's head (line and headers) once it connected or
/// began a request: a client trickling its headers (slowloris) is answered 408 and dropped.
const REQUEST_HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// How long an answered connection may linger while the client does not close it.
const DISCONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);
/// How long an idle connection is kept open for a next request.
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(15);

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
    /// The public figures, reused while current.
    pub figures: cache::FiguresCache,
    /// What webhooks need: the site, the secrets' box, the notice renderer.
    pub hooks: crate::mail::webhooks::Hooks,
    /// Requests counted and timed, for `/metrics`.
    pub metrics: ops::Metrics,
}

impl AppState {
    /// Builds the state for a server whose listener is bound to `bound`.
    ///
    /// Brings the transparency figures' per-day counts to the publisher's time zone first (a
    /// pass over reports and corrections when it changed). Should that fail, the figures are
    /// counted from the indexes instead, correct but slower, and the cause is logged.
    pub fn new(db: Db, config: Config, bound: std::net::SocketAddr, key: LogKey) -> Self {
        Self::with_clock(db, config, bound, key, Clock::default())
    }

    /// [`AppState::new`] on `clock` (tests give a clock that stands still until moved).
    pub fn with_clock(db: Db, config: Config, bound: std::net::SocketAddr, key: LogKey, clock: Clock) -> Self {
        let timezone = config.timezone;
        match db.write_blocking(move |c| crate::domain::stats::days::follow_zone(c, timezone)) {
            Ok(true) => tracing::info!(zone = timezone.name(), "transparency figures counted again in the zone's days"),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(error = %e, "transparency figures: the per-day counts do not follow the time zone; counting from the indexes")
            }
        }
        // The first start with a key records it as the log's first key; a rotated key is
        // picked up from the history when the next checkpoint is signed.
        let now = clock.now();
        let adopted = db.write_blocking(|c| crate::domain::keys::adopt(c, &key, now));
        match adopted {
            Ok(active) if active.public_key != key.public_key() => tracing::warn!(
                active = %active.public_key,
                loaded = %key.public_key(),
                "the signing key file does not hold the log's active key; checkpoints are refused until it does"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "could not record the log signing key in the key history"),
        }
        let secrets_key = crate::domain::signing::secrets_root(&config.signing_key, &key).unwrap_or_else(|e| {
            tracing::error!(error = %e, "webhook secrets: the first log key cannot be read; using the current key");
            key.clone()
        });
        Self {
            db,
            base_url: config.base_url(bound),
            layout: Layout { publication: config.publication.clone(), staff: None },
            limiter: config.report_rate_limit.map(|l| ClientLimiter::new(l, "reports", clock.clone())),
            login_limiter: ClientLimiter::new(LOGIN_ATTEMPTS, "sign-in attempts", clock.clone()),
            clock,
            log: LogGuard::with_file(key, config.signing_key.clone()),
            mail: crate::mail::Context { base_url: config.base_url(bound), publication: config.publication.clone() },
            mail_transport: match &config.mail.smtp_url {
                Some(_) => "an SMTP server (SMTP_URL)".to_owned(),
                None => format!("files in {} (no SMTP_URL)", config.mail.dir.display()),
            },
            public: cache::PublicCache::new(PUBLIC_CACHE_BYTES),
            figures: cache::FiguresCache::default(),
            hooks: hooks(&config, config.base_url(bound), &secrets_key),
            metrics: ops::Metrics::new(),
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
    /// reports happened to every consumer of notices (mail's outbox, the webhooks' outbox).
    pub async fn write_notifying<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection, &mut Notices) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let (ctx, hooks, now) = (self.mail.clone(), self.hooks.clone(), self.now());
        self.db
            .write(move |c| {
                let mut notices = Notices::default();
                let out = f(c, &mut notices)?;
                crate::mail::notify(c, &ctx, &notices, now)?;
                crate::mail::webhooks::notify(c, &hooks, &notices, now)?;
                Ok(out)
            })
            .await
    }

    /// An absolute URL for a path on this site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// What webhooks need for a server at `base_url`: the secrets' key derives from `key`, the
/// log's first signing key (see [`crate::domain::signing::secrets_root`]).
pub fn hooks(config: &Config, base_url: String, key: &LogKey) -> crate::mail::webhooks::Hooks {
    use crate::mail::webhooks::{Hooks, SecretBox, KEY_PURPOSE};
    Hooks {
        notice: pages::corrections::notice_renderer(base_url.clone(), config.timezone),
        base_url,
        publication: config.publication.clone(),
        secrets: SecretBox::new(key.derive_key(KEY_PURPOSE)),
    }
}

/// The route table: every path the server answers.
///
/// One resource per path, so a method the path does not have is answered 405 with an `Allow`
/// header naming the ones it has (actix's default for a resource; [`errors`] gives it a body).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .service(web::resource("/openapi.json").get(openapi::document))
            .service(web::resource("/articles/{id}").put(api::articles::put_article).get(api::articles::get_article))
            .service(web::resource("/articles/{id}/reports").post(api::reports::file_report))
            .service(web::resource("/articles/{id}/corrections").get(api::corrections::article_corrections_json))
            .service(web::resource("/corrections").get(api::corrections::site_corrections_json))
            .service(web::resource("/log/checkpoint").get(api::log::checkpoint))
            .service(web::resource("/log/entries").get(api::log::entries))
            .service(web::resource("/log/keys").get(api::log::keys))
            .service(web::resource("/audit/events").get(api::audit::events_json))
            .service(web::resource("/stats").get(api::stats::public))
            .service(web::resource("/desk/stats").get(api::stats::desk))
            .service(web::resource("/desk/corrections").post(api::corrections::publish))
            .service(web::resource("/desk/corrections/{id}/approval").post(api::corrections::approve))
            .service(web::resource("/desk/corrections/{id}/return").post(api::corrections::return_to_author))
            .service(web::resource("/desk/corrections/{id}/withdraw").post(api::corrections::withdraw))
            .service(web::resource("/desk/corrections/{id}/channels").get(api::channels::checklist))
            .service(web::resource("/desk/corrections/{id}/channels/{channel_id}").post(api::channels::mark))
            .service(web::resource("/desk/channels").get(api::channels::list).post(api::channels::create))
            .service(web::resource("/desk/channels/{id}").put(api::channels::change))
            .service(web::resource("/desk/desks").get(api::desks::list))
            .service(
                web::resource("/desk/desks/{slug}")
                    .get(api::desks::get)
                    .put(api::desks::put)
                    .delete(api::desks::delete),
            )
            .service(web::resource("/desk/me/availability").post(api::desks::availability))
            .service(web::resource("/reports/{token}").get(api::reports::track_report))
            .service(web::resource("/reports/{token}/replies").post(api::reports::reply))
            .service(web::resource("/reports/{token}/appeal").post(api::reports::appeal))
            .service(web::resource("/desk/reports").get(api::desk::queue))
            .service(web::resource("/desk/reports/bulk").post(api::desk::bulk))
            .service(web::resource("/desk/reports/{id}").get(api::desk::ticket))
            .service(web::resource("/desk/reports/{id}/transitions").post(api::desk::transition))
            .service(web::resource("/desk/reports/{id}/assignment").post(api::desk::assign))
            .service(web::resource("/desk/reports/{id}/severity").post(api::desk::severity))
            .service(web::resource("/desk/reports/{id}/desk").post(api::desks::move_report))
            .service(web::resource("/desk/reports/{id}/notes").post(api::desk::note))
            .service(web::resource("/desk/responses").get(api::responses::list).post(api::responses::create))
            .service(web::resource("/desk/responses/{id}").put(api::responses::update).delete(api::responses::delete))
            .service(web::resource("/desk/wordings").get(api::wordings::list))
            .service(web::resource("/desk/wordings/{kind}").put(api::wordings::update).delete(api::wordings::reset)),
    )
    .service(web::resource("/").get(pages::public::home))
    .service(web::resource("/standards").get(pages::corrections::standards_page))
    .service(web::resource("/corrections").get(pages::corrections::site_corrections))
    .service(web::resource("/corrections.atom").get(pages::corrections::site_corrections_atom))
    .service(web::resource("/corrections.csv").get(pages::corrections::site_corrections_csv))
    .service(web::resource("/transparency").get(pages::transparency::public))
    .service(web::resource("/transparency.csv").get(pages::transparency::csv))
    .service(web::resource("/desk/transparency").get(pages::transparency::desk))
    .service(web::resource("/articles/{id}/corrections").get(pages::corrections::article_corrections))
    .service(web::resource("/articles/{id}/corrections.atom").get(pages::corrections::article_corrections_atom))
    .service(web::resource("/articles/{id}/notice").get(pages::corrections::notice))
    .service(web::resource("/embed/report.js").get(pages::embed::script))
    .service(web::resource("/embed/demo/{id}").get(pages::embed::demo))
    .service(web::resource("/desk/corrections").get(pages::drafting::pending).post(pages::drafting::submit))
    .service(web::resource("/desk/corrections/new").get(pages::drafting::new_form))
    .service(web::resource("/desk/corrections/{id}").get(pages::channels::correction))
    .service(web::resource("/desk/corrections/{id}/channels/{channel_id}").post(pages::channels::mark))
    .service(web::resource("/desk/channels").get(pages::channels::channels_page).post(pages::channels::add))
    .service(web::resource("/desk/channels/{id}").post(pages::channels::change))
    .service(web::resource("/desk/channels/{id}/retire").post(pages::channels::retire))
    .service(web::resource("/desk/desks").get(pages::desks::desks_page).post(pages::desks::add))
    .service(web::resource("/desk/desks/{slug}").post(pages::desks::change))
    .service(web::resource("/desk/desks/{slug}/delete").post(pages::desks::remove))
    .service(web::resource("/desk/me/availability").post(pages::desks::availability))
    .service(web::resource("/desk/corrections/{id}/approval").post(pages::drafting::approve))
    .service(web::resource("/desk/corrections/{id}/return").post(pages::drafting::return_to_author))
    .service(web::resource("/desk/corrections/{id}/withdraw").post(pages::drafting::withdraw))
    .service(web::resource("/desk/standards").get(pages::drafting::standards).post(pages::drafting::save_standard))
    .service(web::resource("/audit").get(pages::audit::audit))
    .service(web::resource("/audit/verify").get(pages::audit::verify))
    .service(web::resource("/desk/erasure").get(pages::erasure::erasure_form).post(pages::erasure::erase))
    .service(web::resource("/desk/outbox").get(pages::outbox::outbox))
    .service(web::resource("/desk/webhooks").get(pages::webhooks::webhooks).post(pages::webhooks::add))
    .service(web::resource("/desk/webhooks/{id}/test").post(pages::webhooks::test))
    .service(web::resource("/desk/webhooks/{id}/delete").post(pages::webhooks::remove))
    .service(web::resource("/articles/{id}/subscriptions").post(pages::subscriptions::subscribe))
    .service(
        web::resource("/subscriptions/{token}/confirm")
            .get(pages::subscriptions::confirm_page)
            .post(pages::subscriptions::confirm),
    )
    .service(
        web::resource("/subscriptions/{token}/unsubscribe")
            .get(pages::subscriptions::unsubscribe_page)
            .post(pages::subscriptions::unsubscribe),
    )
    .service(web::resource("/static/style.css").get(pages::public::stylesheet))
    .service(web::resource("/favicon.ico").get(pages::public::favicon))
    .service(web::resource("/healthz").get(ops::health))
    .service(web::resource("/readyz").get(ops::ready))
    .service(web::resource("/metrics").get(ops::metrics))
    .service(web::resource("/articles").get(pages::public::find_article))
    .service(
        web::resource("/articles/{id}/report").get(pages::reports::report_form).post(pages::reports::submit_report),
    )
    .service(web::resource("/reports/{token}").get(pages::reports::tracking))
    .service(web::resource("/reports/{token}/reply").post(pages::reports::reply))
    .service(web::resource("/reports/{token}/appeal").post(pages::reports::appeal))
    .service(web::resource("/login").get(pages::accounts::login_form).post(pages::accounts::login))
    .service(web::resource("/logout").post(pages::accounts::logout))
    .service(web::resource("/setup/{token}").get(pages::accounts::setup_form).post(pages::accounts::setup))
    .service(web::resource("/desk").get(pages::desk::queue))
    .service(web::resource("/desk/bulk").post(pages::desk::bulk))
    .service(web::resource("/desk/reports/{id}").get(pages::desk::ticket))
    .service(web::resource("/desk/reports/{id}/transitions").post(pages::desk::transition))
    .service(web::resource("/desk/reports/{id}/assignment").post(pages::desk::assign))
    .service(web::resource("/desk/reports/{id}/severity").post(pages::desk::severity))
    .service(web::resource("/desk/reports/{id}/desk").post(pages::desk::move_to_desk))
    .service(web::resource("/desk/reports/{id}/notes").post(pages::desk::note))
    .service(web::resource("/desk/responses").get(pages::responses::responses).post(pages::responses::create))
    .service(web::resource("/desk/responses/{id}").get(pages::responses::edit).post(pages::responses::update))
    .service(web::resource("/desk/responses/{id}/delete").post(pages::responses::delete))
    .service(web::resource("/desk/wordings").get(pages::wordings::wordings))
    .service(web::resource("/desk/wordings/{kind}").post(pages::wordings::save))
    .service(web::resource("/desk/wordings/{kind}/reset").post(pages::wordings::reset));
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
            .wrap(from_fn(headers::head_as_get))
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
            // Outermost, so the request ID, the count and the log line cover every answer.
            .wrap(from_fn(ops::observe))
    })
    .workers(workers.max(1))
    .client_request_timeout(REQUEST_HEAD_TIMEOUT)
    .client_disconnect_timeout(DISCONNECT_TIMEOUT)
    .keep_alive(KEEP_ALIVE)
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

/// The path as logged: the token of a secret address (however it is spelt) and any segment
/// shaped like a token (a mistyped address may hold one) are masked; the rest is logged as
/// sent, still percent-encoded, so no decoded control character reaches the log.
fn log_path(path: &str) -> String {
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let segments: Vec<&str> = path.split('/').collect();
    let decoded: Vec<String> = segments.iter().map(|s| decode(s)).collect();
    let routed = decoded.join("/");
    let secret = headers::SECRET_PREFIXES.iter().find(|p| routed.starts_with(*p)).map(|p| p.matches('/').count());
    segments
        .iter()
        .zip(&decoded)
        .enumerate()
        .map(|(i, (raw, plain))| {
            let token = Some(i) == secret || plain.split('/').any(crate::domain::secrets::looks_like_token);
            if token {
                "[token]"
            } else {
                raw
            }
        })
        .collect::<Vec<_>>()
        .join("/")
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
        assert_eq!(super::log_path("/desk/reports/12"), "/desk/reports/12");
    }

    #[test]
    fn tokens_are_masked_however_the_path_is_spelt() {
        let token = crate::domain::secrets::new_token();
        assert_eq!(super::log_path(&format!("/%72eports/{token}")), "/%72eports/[token]");
        assert_eq!(super::log_path("/api/v1/%72eports/abc/replies"), "/api/v1/%72eports/[token]/replies");
        assert_eq!(super::log_path(&format!("//reports/{token}")), "//reports/[token]");
        assert_eq!(super::log_path(&format!("/report/{token}/x")), "/report/[token]/x");
        assert_eq!(super::log_path(&format!("/reports%2F{token}")), "/[token]");
        assert_eq!(super::log_path("/articles/caf%C3%A9%0A/report"), "/articles/caf%C3%A9%0A/report");
    }
}
