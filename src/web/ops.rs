//! What operators and their machines ask of a running server: liveness (`/healthz`),
//! readiness (`/readyz`), metrics (`/metrics`), and what every request carries for them: a
//! request ID, its access log line, and its count and timing.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, ContentType, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};
use subtle::ConstantTimeEq;
use tracing::Instrument;

use super::{log_path, AppState, State};
use crate::config::MetricsToken;
use crate::db::models::{Queue, Report};
use crate::db::{self, PoolState};
use crate::domain::log::LogState;
use crate::error::{AppError, RETRY_AFTER_SECS};

/// The request ID header, read from the client and sent back on every answer.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request ID taken from a client; a longer one is replaced.
const REQUEST_ID_MAX: usize = 128;

/// Paths answered to machines in plain text: never turned into HTML pages or sign-in redirects.
pub const MACHINE_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The request ID for a request: the client's when it is sane (1 to 128 printable ASCII
/// characters, no spaces), otherwise a new random one.
pub fn request_id(given: Option<&HeaderValue>) -> String {
    given
        .and_then(|v| v.to_str().ok())
        .filter(|id| !id.is_empty() && id.len() <= REQUEST_ID_MAX && id.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| format!("{:032x}", rand::random::<u128>()), str::to_owned)
}

/// Whether a request gets an access log line: probes are asked every few seconds and would
/// drown the log; a scrape is logged only when it was refused.
fn logged(path: &str, status: StatusCode) -> bool {
    match path {
        "/healthz" | "/readyz" => false,
        "/metrics" => status != StatusCode::OK,
        _ => true,
    }
}

/// The outermost middleware: gives the request its ID and a span carrying it (so every line
/// logged while it is handled names it), answers the ID in `X-Request-Id` (errors included),
/// counts and times the request by route template, and writes its access log line.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id(req.headers().get(&REQUEST_ID));
    let span = tracing::info_span!("request", request_id = %id);
    let (method, path, route) = (req.method().clone(), req.path().to_owned(), req.match_pattern());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let header = HeaderValue::from_str(&id).ok();
    let outcome = next.call(req).instrument(span.clone()).await;
    let took = started.elapsed();
    let (status, size) = match &outcome {
        Ok(res) => (res.status(), res.response().body().size()),
        Err(err) => (err.as_response_error().status_code(), BodySize::Stream),
    };
    if let Some(state) = state {
        state.metrics.observe(&method, route.as_deref(), status, took);
    }
    if logged(&path, status) {
        let size = match size {
            BodySize::Sized(n) => n.to_string(),
            BodySize::None => "0".to_owned(),
            BodySize::Stream => "-".to_owned(),
        };
        let ms = took.as_secs_f64() * 1000.0;
        span.in_scope(|| tracing::info!("{method} {} {} {size} {ms:.6}ms", log_path(&path), status.as_u16()));
    }
    match outcome {
        Ok(mut res) => {
            if let Some(value) = header {
                res.headers_mut().insert(REQUEST_ID, value);
            }
            Ok(res.map_into_boxed_body())
        }
        // Answered by the server from the error itself: that answer gets the ID too.
        Err(err) => {
            let mut answer = err.error_response();
            if let Some(value) = header {
                answer.headers_mut().insert(REQUEST_ID, value);
            }
            Err(actix_web::error::InternalError::from_response(err, answer).into())
        }
    }
}

/// The counters kept as requests are answered; the rest is read from the database at scrape time.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Empty counters.
    #[allow(clippy::expect_used)] // Constant names and labels: any mistake fails every test at once.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("corrigenda_http_requests_total", "HTTP requests answered, by method, route template and status"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "corrigenda_http_request_duration_seconds",
                "Time from a request's arrival to its answer's head, by method and route template",
            ),
            &["method", "route"],
        )
        .expect("valid metric");
        registry.register(Box::new(requests.clone())).expect("registered once");
        registry.register(Box::new(latency.clone())).expect("registered once");
        Self { registry, requests, latency }
    }

    /// Counts one answered request. The route is the template (`/reports/{token}`), never the
    /// path, so no token reaches the metrics and the series stay few; `unmatched` otherwise.
    pub fn observe(&self, method: &Method, route: Option<&str>, status: StatusCode, took: Duration) {
        // Any other method string a client sends would be a new series.
        let method = match *method {
            Method::GET => "GET",
            Method::HEAD => "HEAD",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::DELETE => "DELETE",
            Method::PATCH => "PATCH",
            Method::OPTIONS => "OPTIONS",
            _ => "other",
        };
        let route = route.unwrap_or("unmatched");
        self.requests.with_label_values(&[method, route, status.as_str()]).inc();
        self.latency.with_label_values(&[method, route]).observe(took.as_secs_f64());
    }

    /// The text exposition of the request counters and of `snapshot`.
    pub fn render(&self, snapshot: &Snapshot) -> Result<String, prometheus::Error> {
        let mut families = self.registry.gather();
        families.extend(snapshot.registry()?.gather());
        families.sort_by(|a, b| a.name().cmp(b.name()));
        let mut out = Vec::new();
        prometheus::TextEncoder::new().encode(&families, &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// What the database and the log guard say at scrape time.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The connection pool.
    pub pool: PoolState,
    /// Mail's and webhooks' backlogs, with the oldest queued row's age in seconds.
    pub queues: Vec<(&'static str, db::models::Backlog, f64)>,
    /// Reports per status.
    pub reports: Vec<(&'static str, i64)>,
    /// Entries in the public log.
    pub log_entries: i64,
    /// When the log last verified (Unix seconds), if it has since start-up.
    pub log_verified_at: Option<i64>,
    /// Whether a check of the log failed.
    pub log_broken: bool,
}

impl Snapshot {
    /// Reads it: a handful of indexed queries, whatever the size of the data.
    async fn read(state: &AppState) -> Result<Self, AppError> {
        let now = state.now();
        let (queues, reports, log_entries) = state
            .db
            .read(move |c| {
                let mut queues = Vec::new();
                for (kind, queue) in [("mail", Queue::Mail), ("webhook", Queue::Webhooks)] {
                    let backlog = queue.backlog(c)?;
                    let age = backlog.oldest_queued.map_or(0.0, |t| ((now - t).num_milliseconds().max(0)) as f64 / 1e3);
                    queues.push((kind, backlog, age));
                }
                let reports = Report::count_by_status(c)?.into_iter().map(|(s, n)| (s.as_str(), n)).collect();
                let size = db::models::LogEntry::head(c)?.map_or(0, |h| h.idx + 1);
                Ok((queues, reports, size))
            })
            .await?;
        Ok(Self {
            pool: state.db.pool_state(),
            queues,
            reports,
            log_entries,
            log_verified_at: state.log.last_passed(),
            log_broken: matches!(state.log.state(), LogState::Broken(_)),
        })
    }

    /// The snapshot as gauges in a registry of its own, made for one scrape.
    fn registry(&self) -> Result<Registry, prometheus::Error> {
        let registry = Registry::new();
        let vec = |name: &str, help: &str, label: &str| -> Result<IntGaugeVec, prometheus::Error> {
            let gauge = IntGaugeVec::new(Opts::new(name, help), &[label])?;
            registry.register(Box::new(gauge.clone()))?;
            Ok(gauge)
        };
        let one = |name: &str, help: &str, value: i64| -> Result<(), prometheus::Error> {
            let gauge = IntGauge::new(name, help)?;
            gauge.set(value);
            registry.register(Box::new(gauge))
        };
        let pool = vec("corrigenda_db_pool_connections", "Database connections by state (in_use, idle)", "state")?;
        pool.with_label_values(&["in_use"]).set(i64::from(self.pool.open.saturating_sub(self.pool.idle)));
        pool.with_label_values(&["idle"]).set(i64::from(self.pool.idle));
        one("corrigenda_db_pool_max_connections", "The most connections the pool opens", i64::from(self.pool.max))?;
        one(
            "corrigenda_db_pool_waiting",
            "Requests waiting for a database connection",
            i64::try_from(self.pool.waiting).unwrap_or(i64::MAX),
        )?;
        let queued =
            vec("corrigenda_outbox_queued", "Messages waiting or being sent, by kind (mail, webhook)", "kind")?;
        let failed =
            vec("corrigenda_outbox_failed", "Messages refused or given up on, by kind (mail, webhook)", "kind")?;
        let oldest = prometheus::GaugeVec::new(
            Opts::new(
                "corrigenda_outbox_oldest_queued_age_seconds",
                "Age of the oldest message still waiting, by kind (mail, webhook); 0 when none waits",
            ),
            &["kind"],
        )?;
        registry.register(Box::new(oldest.clone()))?;
        for (kind, backlog, age) in &self.queues {
            queued.with_label_values(&[kind]).set(backlog.queued);
            failed.with_label_values(&[kind]).set(backlog.failed);
            oldest.with_label_values(&[kind]).set(*age);
        }
        let reports = vec("corrigenda_reports", "Reports by status", "status")?;
        for (status, n) in &self.reports {
            reports.with_label_values(&[status]).set(*n);
        }
        one("corrigenda_log_entries", "Entries in the public correction log", self.log_entries)?;
        one(
            "corrigenda_log_last_verified_timestamp_seconds",
            "When the public log last passed a check (Unix seconds); 0 before the first since start-up",
            self.log_verified_at.unwrap_or(0),
        )?;
        one("corrigenda_log_broken", "1 once a check of the public log failed, else 0", i64::from(self.log_broken))?;
        Ok(registry)
    }
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsAccess {
    /// Answer.
    Allowed,
    /// 401: a token is set and was not sent, or not this one.
    Unauthorized,
    /// 403: no token is set and the client is not on this machine.
    Forbidden,
}

/// The decision: with a token set, exactly that bearer token (compared in constant time),
/// wherever the client is; without one, clients on loopback only, by the connection's own
/// peer address (a header such as `X-Forwarded-For` is never believed here).
pub fn metrics_access(
    token: Option<&MetricsToken>,
    authorization: Option<&str>,
    peer: Option<IpAddr>,
) -> MetricsAccess {
    match token {
        Some(token) => {
            let given = authorization.and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).unwrap_or_default();
            if bool::from(given.as_bytes().ct_eq(token.expose().as_bytes())) {
                MetricsAccess::Allowed
            } else {
                MetricsAccess::Unauthorized
            }
        }
        None if peer.is_some_and(|ip| ip.to_canonical().is_loopback()) => MetricsAccess::Allowed,
        None => MetricsAccess::Forbidden,
    }
}

fn plain(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::plaintext())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// `GET /metrics`: the Prometheus text exposition, to the holder of the metrics token or, when
/// none is set, to clients on this machine.
pub async fn metrics(state: State, req: HttpRequest) -> HttpResponse {
    let authorization = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let peer = req.peer_addr().map(|a| a.ip());
    match metrics_access(state.config.metrics_token.as_ref(), authorization, peer) {
        MetricsAccess::Allowed => {}
        MetricsAccess::Unauthorized => {
            let mut refused = plain(StatusCode::UNAUTHORIZED, "the metrics need the bearer token\n".into());
            refused.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return refused;
        }
        MetricsAccess::Forbidden => {
            return plain(
                StatusCode::FORBIDDEN,
                "the metrics answer this machine only, unless CORRIGENDA_METRICS_TOKEN is set\n".into(),
            )
        }
    }
    let rendered = match Snapshot::read(&state).await {
        Ok(snapshot) => state.metrics.render(&snapshot).map_err(|e| e.to_string()),
        Err(err) => Err(err.public_message()),
    };
    match rendered {
        Ok(text) => HttpResponse::Ok()
            .content_type(prometheus::TEXT_FORMAT)
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(text),
        Err(why) => {
            tracing::error!(error = %why, "the metrics could not be read");
            let mut refused = plain(StatusCode::SERVICE_UNAVAILABLE, format!("metrics unavailable: {why}\n"));
            refused.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
            refused
        }
    }
}

/// `GET /healthz`: 200 while the process runs and answers; it asks nothing of the database,
/// so a database outage does not get every instance restarted.
pub async fn health() -> HttpResponse {
    plain(StatusCode::OK, "ok\n".into())
}

/// One line of the readiness answer: what was checked, and whether it is fine.
struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
}

/// `GET /readyz`: 200 when this instance can serve: the database answers, every migration of
/// this build is applied, the signing key held is the log's active one and the public log verified. Otherwise 503
/// (with `Retry-After`) whose first line names what failed, e.g. `not ready: database unreachable`.
pub async fn ready(state: State) -> HttpResponse {
    let mut checks = Vec::new();
    let st = state.clone();
    let database = state
        .db
        .read(move |c| {
            let pending = db::pending_migrations(c)?;
            let key = match st.log.key_ready(c) {
                Ok(()) => Ok(()),
                Err(AppError::Unavailable(why)) => Err(why),
                Err(other) => return Err(other),
            };
            Ok((pending, key))
        })
        .await;
    match database {
        Ok((pending, key)) => {
            checks.push(Check { name: "database", ok: true, detail: "reachable".into() });
            let detail = match pending {
                0 => "current".to_owned(),
                n => format!("{n} not applied (run `corrigenda migrate`)"),
            };
            checks.push(Check { name: "migrations", ok: pending == 0, detail });
            let (ok, detail) = match key {
                Ok(()) => (true, "loaded".to_owned()),
                Err(why) => (false, why),
            };
            checks.push(Check { name: "signing key", ok, detail });
        }
        Err(err) => {
            if let AppError::Internal(cause) = &err {
                tracing::error!(error = ?cause, "the readiness check's query failed");
            }
            checks.push(Check { name: "database", ok: false, detail: "unreachable".into() });
            checks.push(Check { name: "migrations", ok: false, detail: "unknown (database unreachable)".into() });
            let loaded = !state.log.key().public_key().is_empty();
            checks.push(Check { name: "signing key", ok: loaded, detail: "loaded".into() });
        }
    }
    let (ok, detail) = match state.log.state() {
        LogState::Verified => (true, "verified".to_owned()),
        LogState::Pending => (false, "still being verified after start-up".to_owned()),
        LogState::Broken(why) => (false, format!("failed verification: {why}")),
    };
    checks.push(Check { name: "log", ok, detail });
    let failed: Vec<String> = checks.iter().filter(|c| !c.ok).map(|c| format!("{} {}", c.name, c.detail)).collect();
    let mut body = if failed.is_empty() { "ready\n".to_owned() } else { format!("not ready: {}\n", failed.join("; ")) };
    for check in &checks {
        let _ = writeln!(body, "{}: {}{}", check.name, if check.ok { "" } else { "FAILED, " }, check.detail);
    }
    if failed.is_empty() {
        return plain(StatusCode::OK, body);
    }
    let mut refused = plain(StatusCode::SERVICE_UNAVAILABLE, body);
    refused.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    refused
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use super::*;

    fn token() -> MetricsToken {
        let mut raw = crate::config::RawSettings {
            database_url: "x.db".into(),
            bind: "127.0.0.1:0".into(),
            publication: "P".into(),
            report_rate_limit: "0".into(),
            response_targets: "legal=2h,high=24h,normal=72h,low=7d".into(),
            timezone: "UTC".into(),
            signing_key: "k".into(),
            mail_from: "a@b.example".into(),
            digest_hour: "8".into(),
            db_timeout: "10".into(),
            ..Default::default()
        };
        raw.metrics_token = Some("scrape-0123456789abcdef".into());
        raw.parse().unwrap().metrics_token.unwrap()
    }

    #[test]
    fn without_a_token_only_loopback_peers_may_read_the_metrics() {
        let loopback = [
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9)),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()),
        ];
        for ip in loopback {
            assert_eq!(metrics_access(None, None, Some(ip)), MetricsAccess::Allowed, "{ip}");
        }
        let outside = [
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)),
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            IpAddr::V6(Ipv4Addr::new(192, 0, 2, 7).to_ipv6_mapped()),
        ];
        for ip in outside {
            assert_eq!(metrics_access(None, None, Some(ip)), MetricsAccess::Forbidden, "{ip}");
            // A bearer header is no key when no token is set.
            assert_eq!(metrics_access(None, Some("Bearer anything"), Some(ip)), MetricsAccess::Forbidden, "{ip}");
        }
        assert_eq!(metrics_access(None, None, None), MetricsAccess::Forbidden, "no peer address: refused");
    }

    #[test]
    fn with_a_token_exactly_that_bearer_token_opens_the_metrics_from_anywhere() {
        let token = token();
        let outside = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)));
        let loopback = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
        for peer in [outside, loopback] {
            let access = |header: Option<&str>| metrics_access(Some(&token), header, peer);
            assert_eq!(access(Some("Bearer scrape-0123456789abcdef")), MetricsAccess::Allowed);
            for wrong in [
                None,
                Some(""),
                Some("Bearer "),
                Some("Bearer scrape-0123456789abcde"),
                Some("Bearer scrape-0123456789abcdeff"),
                Some("Basic scrape-0123456789abcdef"),
                Some("scrape-0123456789abcdef"),
            ] {
                assert_eq!(access(wrong), MetricsAccess::Unauthorized, "{wrong:?} from {peer:?}");
            }
        }
    }

    #[test]
    fn request_ids_are_taken_when_sane_and_made_otherwise() {
        let given = |v: &str| request_id(Some(&HeaderValue::from_str(v).unwrap()));
        assert_eq!(given("abc-123_x.y:z"), "abc-123_x.y:z");
        assert_eq!(given(&"a".repeat(128)), "a".repeat(128));
        let made = request_id(None);
        assert!(made.len() == 32 && made.bytes().all(|b| b.is_ascii_hexdigit()), "{made}");
        assert_ne!(request_id(None), made, "each one new");
        for bad in ["", "has space", "tab\there", &"a".repeat(129)] {
            let got = given(bad);
            assert!(got.len() == 32 && got != bad, "{bad:?} gave {got:?}");
        }
        let high = HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap();
        assert_eq!(request_id(Some(&high)).len(), 32, "not ASCII: replaced");
    }

    #[test]
    fn routes_are_counted_by_template_and_render_as_prometheus_text() {
        let metrics = Metrics::new();
        let took = Duration::from_millis(12);
        metrics.observe(&Method::GET, Some("/reports/{token}"), StatusCode::OK, took);
        metrics.observe(&Method::from_bytes(b"BREW").unwrap(), None, StatusCode::NOT_FOUND, took);
        let text = metrics.render(&Snapshot::default()).unwrap();
        assert!(
            text.contains(r#"corrigenda_http_requests_total{method="GET",route="/reports/{token}",status="200"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"corrigenda_http_requests_total{method="other",route="unmatched",status="404"} 1"#),
            "{text}"
        );
        assert!(text.contains("# TYPE corrigenda_http_request_duration_seconds histogram"), "{text}");
        assert!(text.contains("corrigenda_log_last_verified_timestamp_seconds 0"), "{text}");
    }
}
