//! Typed settings, parsed once from flags and environment variables.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::db::{DbTarget, SqliteSync};
use crate::domain::reports::Targets;

/// A limit of `count` requests per `per` for one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in one window.
    pub count: u32,
    /// The window.
    pub per: Duration,
}

/// Everything the server needs to know, checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the data lives.
    pub database: DbTarget,
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Public URL for links in mail and feeds; `None` means derived from the bound address.
    pub base_url: Option<url::Url>,
    /// The publication's name, shown on every page.
    pub publication: String,
    /// Report submissions per client; `None` turns the limit off.
    pub report_rate_limit: Option<RateLimit>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Response time per severity.
    pub response_targets: Targets,
    /// The publisher's time zone, for dates shown to readers besides UTC.
    pub timezone: chrono_tz::Tz,
    /// The file holding the key that signs log checkpoints (made when missing).
    pub signing_key: std::path::PathBuf,
    /// Outgoing mail.
    pub mail: MailSettings,
    /// Whether anyone may read an article's text over the API (otherwise only staff and API tokens).
    pub public_article_text: bool,
    /// Whether the public article log says which channels each correction also reached.
    pub show_channels: bool,
    /// Days after which a closed report loses its reader's details; `None` keeps them.
    pub retention_days: Option<u32>,
    /// How log lines are written.
    pub log_format: LogFormat,
    /// The bearer token `/metrics` asks for; `None` answers loopback clients only.
    pub metrics_token: Option<MetricsToken>,
    /// How often a running server verifies the log entries added since its last check.
    pub log_check_every: Duration,
}

/// How the server writes its log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One line of text each, for people.
    #[default]
    Text,
    /// One JSON object a line, for log collectors.
    Json,
}

/// The secret that opens `/metrics`; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// The token as given.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(***)")
    }
}

/// Mail settings as given; [`MailSettings::build`] makes the transport.
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://`, `smtps://` or `smtp://...?tls=required`; `None` writes files.
    pub smtp_url: Option<String>,
    /// SMTP user, when not in the URL.
    pub smtp_username: Option<String>,
    /// SMTP password, when not in the URL; never printed.
    pub smtp_password: Option<String>,
    /// Folder for messages when there is no SMTP server.
    pub dir: std::path::PathBuf,
    /// The sender, e.g. `Corrections <corrections@news.example>`.
    pub from: String,
    /// Local hour of the daily digest of overdue tickets.
    pub digest_hour: u32,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL and password may carry credentials.
        f.debug_struct("MailSettings").field("dir", &self.dir).field("from", &self.from).finish_non_exhaustive()
    }
}

impl MailSettings {
    /// Builds the transport (nothing is connected yet).
    pub fn build(&self) -> Result<crate::mail::dispatch::MailConfig, String> {
        crate::mail::dispatch::MailConfig::new(
            self.smtp_url.as_deref(),
            self.smtp_username.as_deref(),
            self.smtp_password.as_deref(),
            &self.dir,
            &self.from,
            self.digest_hour,
        )
    }
}

/// The raw values as given on the command line or in the environment.
#[derive(Debug, Clone, Default)]
pub struct RawSettings {
    pub database_url: String,
    pub bind: String,
    pub base_url: Option<String>,
    pub publication: String,
    pub report_rate_limit: String,
    pub trusted_proxies: Option<String>,
    pub response_targets: String,
    pub timezone: String,
    pub signing_key: String,
    pub smtp_url: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub mail_dir: String,
    pub mail_from: String,
    pub digest_hour: String,
    pub public_article_text: String,
    pub show_channels: String,
    pub sqlite_synchronous: String,
    pub db_timeout: String,
    pub retention_days: Option<String>,
    pub log_format: String,
    pub metrics_token: Option<String>,
    pub log_check_seconds: Option<String>,
}

/// A setting that cannot be used, as one line naming it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {message}")]
pub struct ConfigError {
    name: &'static str,
    message: String,
}

fn bad(name: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { name, message: message.into() }
}

impl RawSettings {
    /// Checks every value and builds the config.
    pub fn parse(&self) -> Result<Config, ConfigError> {
        let mut database = DbTarget::parse(&self.database_url)
            .map_err(|m| bad("DATABASE_URL (--database-url)", m))?
            .with_timeout(parse_db_timeout(&self.db_timeout)?);
        database.sqlite_sync = SqliteSync::parse(&self.sqlite_synchronous)
            .map_err(|m| bad("CORRIGENDA_SQLITE_SYNCHRONOUS (--sqlite-synchronous)", m))?;
        let bind = parse_bind(&self.bind)?;
        let base_url = match self.base_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(parse_base_url(raw)?),
        };
        let publication = self.publication.trim().to_owned();
        if publication.is_empty() || publication.chars().count() > 100 || publication.chars().any(char::is_control) {
            return Err(bad("CORRIGENDA_PUBLICATION (--publication)", "must be 1 to 100 characters on one line"));
        }
        Ok(Config {
            database,
            bind,
            base_url,
            publication,
            report_rate_limit: parse_rate_limit(&self.report_rate_limit)?,
            trusted_proxies: parse_proxies(self.trusted_proxies.as_deref().unwrap_or(""))?,
            response_targets: Targets::parse(&self.response_targets)
                .map_err(|m| bad("CORRIGENDA_RESPONSE_TARGETS (--response-targets)", m))?,
            signing_key: match self.signing_key.trim() {
                "" => return Err(bad("CORRIGENDA_SIGNING_KEY (--signing-key)", "is empty: give a file path")),
                path => path.into(),
            },
            mail: {
                let digest_hour = self.digest_hour.trim().parse::<u32>().ok().filter(|h| *h < 24).ok_or_else(|| {
                    bad(
                        "CORRIGENDA_DIGEST_HOUR (--digest-hour)",
                        format!("{:?} is not an hour from 0 to 23", self.digest_hour),
                    )
                })?;
                let from: Result<lettre::message::Mailbox, _> = self.mail_from.trim().parse();
                if let Err(e) = from {
                    return Err(bad(
                        "CORRIGENDA_MAIL_FROM (--mail-from)",
                        format!("{:?} is not a sender address: {e}", self.mail_from),
                    ));
                }
                if let Some(url) = self.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                    let ok = url::Url::parse(url)
                        .is_ok_and(|u| matches!(u.scheme(), "smtp" | "smtps") && u.host_str().is_some());
                    if !ok {
                        return Err(bad(
                            "SMTP_URL (--smtp-url)",
                            "must look like smtp://host:port or smtps://user:password@host (not shown)",
                        ));
                    }
                }
                MailSettings {
                    smtp_url: self.smtp_url.clone().filter(|u| !u.trim().is_empty()),
                    smtp_username: self.smtp_username.clone(),
                    smtp_password: self.smtp_password.clone(),
                    dir: self.mail_dir.trim().into(),
                    from: self.mail_from.trim().to_owned(),
                    digest_hour,
                }
            },
            retention_days: parse_retention(self.retention_days.as_deref())?,
            log_format: parse_log_format(&self.log_format)?,
            metrics_token: parse_metrics_token(self.metrics_token.as_deref())?,
            log_check_every: parse_log_check(self.log_check_seconds.as_deref())?,
            public_article_text: parse_switch(
                "CORRIGENDA_PUBLIC_ARTICLE_TEXT (--public-article-text)",
                &self.public_article_text,
            )?,
            show_channels: parse_switch("CORRIGENDA_SHOW_CHANNELS (--show-channels)", &self.show_channels)?,
            timezone: self.timezone.trim().parse().map_err(|_| {
                bad(
                    "CORRIGENDA_TIMEZONE (--timezone)",
                    format!("{:?} is not a time zone name like Europe/Berlin", self.timezone),
                )
            })?,
        })
    }
}

const BIND: &str = "CORRIGENDA_BIND (--bind)";
const RATE: &str = "CORRIGENDA_REPORT_RATE_LIMIT (--report-rate-limit)";

fn parse_bind(raw: &str) -> Result<SocketAddr, ConfigError> {
    let raw = raw.trim();
    if let Ok(addr) = raw.parse() {
        return Ok(addr);
    }
    raw.to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| bad(BIND, format!("{raw:?} is not an address like 127.0.0.1:8080")))
}

fn parse_base_url(raw: &str) -> Result<url::Url, ConfigError> {
    const NAME: &str = "CORRIGENDA_BASE_URL (--base-url)";
    let url = url::Url::parse(raw).map_err(|e| bad(NAME, format!("{raw:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad(NAME, format!("{raw:?} must be an http:// or https:// URL")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad(NAME, format!("{raw:?} must not have a query or fragment")));
    }
    Ok(url)
}

fn parse_rate_limit(raw: &str) -> Result<Option<RateLimit>, ConfigError> {
    let raw = raw.trim();
    if raw == "0" {
        return Ok(None);
    }
    let expected = || bad(RATE, format!("{raw:?} is not COUNT/SECONDS like 10/600, or 0 for no limit"));
    let (count, secs) = raw.split_once('/').ok_or_else(expected)?;
    let count: u32 = count.trim().parse().map_err(|_| expected())?;
    let secs: u64 = secs.trim().parse().map_err(|_| expected())?;
    if count == 0 || secs == 0 || secs > 86_400 * 30 {
        return Err(bad(RATE, "COUNT and SECONDS must be positive, SECONDS at most 30 days; use 0 for no limit"));
    }
    Ok(Some(RateLimit { count, per: Duration::from_secs(secs) }))
}

/// The database wait limit in whole seconds, 1 to 600.
fn parse_db_timeout(raw: &str) -> Result<Duration, ConfigError> {
    const NAME: &str = "CORRIGENDA_DB_TIMEOUT (--db-timeout)";
    match raw.trim().parse::<u64>() {
        Ok(secs @ 1..=600) => Ok(Duration::from_secs(secs)),
        _ => Err(bad(NAME, format!("{raw:?} is not a number of seconds from 1 to 600"))),
    }
}

/// An on/off setting: `true`, `1`, `yes` or `on`; `false`, `0`, `no`, `off` or nothing.
fn parse_switch(name: &'static str, raw: &str) -> Result<bool, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        _ => Err(bad(name, format!("{raw:?} is not true or false"))),
    }
}

/// Days as a positive whole number, or nothing (off).
fn parse_retention(raw: Option<&str>) -> Result<Option<u32>, ConfigError> {
    const NAME: &str = "CORRIGENDA_RETENTION_DAYS (--retention-days)";
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => match raw.parse::<u32>() {
            Ok(days) if (1..=36_500).contains(&days) => Ok(Some(days)),
            _ => Err(bad(
                NAME,
                format!("{raw:?} is not a number of days from 1 to 36500; leave it unset to keep details"),
            )),
        },
    }
}

/// How often the log is re-checked when nothing is given: every ten minutes.
const LOG_CHECK_DEFAULT: Duration = Duration::from_secs(600);

/// Whole seconds from 1 to a day, or nothing (the default).
fn parse_log_check(raw: Option<&str>) -> Result<Duration, ConfigError> {
    const NAME: &str = "CORRIGENDA_LOG_CHECK_SECONDS (--log-check-seconds)";
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(LOG_CHECK_DEFAULT),
        Some(raw) => match raw.parse::<u64>() {
            Ok(secs @ 1..=86_400) => Ok(Duration::from_secs(secs)),
            _ => Err(bad(NAME, format!("{raw:?} is not a number of seconds from 1 to 86400"))),
        },
    }
}

/// `text` (or nothing) or `json`.
fn parse_log_format(raw: &str) -> Result<LogFormat, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" | "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err(bad("CORRIGENDA_LOG_FORMAT (--log-format)", format!("{raw:?} is not text or json"))),
    }
}

/// The shortest metrics token taken: long enough not to be guessed.
const METRICS_TOKEN_MIN: usize = 16;

/// A token of visible ASCII that fits a header, or nothing (loopback only).
fn parse_metrics_token(raw: Option<&str>) -> Result<Option<MetricsToken>, ConfigError> {
    const NAME: &str = "CORRIGENDA_METRICS_TOKEN (--metrics-token)";
    let Some(token) = raw.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    // The value itself is never repeated: it is a secret.
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad(NAME, "must be printable ASCII without spaces (it is sent in a header)"));
    }
    if token.len() < METRICS_TOKEN_MIN || token.len() > 256 {
        return Err(bad(NAME, format!("must be {METRICS_TOKEN_MIN} to 256 characters long")));
    }
    Ok(Some(MetricsToken(token.to_owned())))
}

fn parse_proxies(raw: &str) -> Result<Vec<IpAddr>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| {
                bad("CORRIGENDA_TRUSTED_PROXIES (--trusted-proxies)", format!("{s:?} is not an IP address"))
            })
        })
        .collect()
}

impl Config {
    /// The public base URL, without a trailing slash.
    pub fn base_url(&self, bound: SocketAddr) -> String {
        match &self.base_url {
            Some(url) => url.as_str().trim_end_matches('/').to_owned(),
            None => local_url(bound),
        }
    }
}

/// The URL of a server listening on `bound`, as reached from this machine.
pub fn local_url(bound: SocketAddr) -> String {
    let host = match bound.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    format!("http://{host}:{}", bound.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawSettings {
        RawSettings {
            database_url: "corrigenda.db".into(),
            bind: "127.0.0.1:8080".into(),
            publication: "The Example Times".into(),
            report_rate_limit: "10/600".into(),
            response_targets: "legal=2h,high=24h,normal=72h,low=7d".into(),
            timezone: "UTC".into(),
            signing_key: "corrigenda.key".into(),
            mail_dir: "mail".into(),
            mail_from: "Corrections <corrections@localhost>".into(),
            digest_hour: "8".into(),
            db_timeout: "10".into(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_parse() {
        let config = raw().parse().unwrap();
        assert_eq!(config.report_rate_limit, Some(RateLimit { count: 10, per: Duration::from_secs(600) }));
        assert_eq!(config.base_url(config.bind), "http://127.0.0.1:8080");
    }

    #[test]
    fn rate_limit_zero_turns_it_off_and_garbage_is_named() {
        assert_eq!(parse_rate_limit("0").unwrap(), None);
        for bad in ["ten", "10", "10/0", "0/10", "10/x"] {
            let err = parse_rate_limit(bad).unwrap_err().to_string();
            assert!(err.contains("CORRIGENDA_REPORT_RATE_LIMIT"), "{err}");
        }
    }

    #[test]
    fn a_bad_setting_is_one_line_naming_it() {
        let mut settings = raw();
        settings.bind = "not an address".into();
        let err = settings.parse().unwrap_err().to_string();
        assert!(err.contains("CORRIGENDA_BIND") && !err.contains('\n'), "{err}");
        let mut settings = raw();
        settings.base_url = Some("ftp://x".into());
        assert!(settings.parse().unwrap_err().to_string().contains("CORRIGENDA_BASE_URL"));
        let mut settings = raw();
        settings.trusted_proxies = Some("10.0.0.1, nope".into());
        assert!(settings.parse().unwrap_err().to_string().contains("CORRIGENDA_TRUSTED_PROXIES"));
        let mut settings = raw();
        settings.response_targets = "urgent=1h".into();
        assert!(settings.parse().unwrap_err().to_string().contains("CORRIGENDA_RESPONSE_TARGETS"));
        let mut settings = raw();
        settings.public_article_text = "sometimes".into();
        assert!(settings.parse().unwrap_err().to_string().contains("CORRIGENDA_PUBLIC_ARTICLE_TEXT"));
        let mut settings = raw();
        settings.show_channels = "maybe".into();
        assert!(settings.parse().unwrap_err().to_string().contains("CORRIGENDA_SHOW_CHANNELS"));
        assert!(!raw().parse().unwrap().show_channels, "off unless asked for");
    }

    #[test]
    fn the_database_wait_limit_is_whole_seconds_and_named_when_bad() {
        assert_eq!(raw().parse().unwrap().database.timeout, Duration::from_secs(10));
        let mut settings = raw();
        settings.db_timeout = " 2 ".into();
        assert_eq!(settings.parse().unwrap().database.timeout, Duration::from_secs(2));
        for given in ["0", "601", "1.5", "10s", "", "-1"] {
            let mut settings = raw();
            settings.db_timeout = given.into();
            let err = settings.parse().unwrap_err().to_string();
            assert!(err.contains("CORRIGENDA_DB_TIMEOUT"), "{given:?}: {err}");
        }
    }

    #[test]
    fn retention_is_off_unless_a_positive_number_of_days() {
        assert_eq!(raw().parse().unwrap().retention_days, None);
        for (given, days) in [(Some(""), None), (Some("30"), Some(30)), (Some(" 1 "), Some(1))] {
            let mut settings = raw();
            settings.retention_days = given.map(Into::into);
            assert_eq!(settings.parse().unwrap().retention_days, days, "{given:?}");
        }
        for given in ["0", "-3", "thirty", "1.5", "30d", "36501"] {
            let mut settings = raw();
            settings.retention_days = Some(given.into());
            let err = settings.parse().unwrap_err().to_string();
            assert!(err.contains("CORRIGENDA_RETENTION_DAYS (--retention-days)") && err.contains(given), "{err}");
        }
    }

    #[test]
    fn the_log_check_is_every_ten_minutes_unless_whole_seconds_are_given() {
        assert_eq!(raw().parse().unwrap().log_check_every, Duration::from_secs(600));
        for (given, secs) in [("", 600), ("1", 1), (" 30 ", 30), ("86400", 86_400)] {
            let mut settings = raw();
            settings.log_check_seconds = Some(given.into());
            assert_eq!(settings.parse().unwrap().log_check_every, Duration::from_secs(secs), "{given:?}");
        }
        for given in ["0", "-1", "1.5", "10s", "ten", "86401"] {
            let mut settings = raw();
            settings.log_check_seconds = Some(given.into());
            let err = settings.parse().unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "invalid setting CORRIGENDA_LOG_CHECK_SECONDS (--log-check-seconds): {given:?} is not a number \
                     of seconds from 1 to 86400"
                )
            );
        }
    }

    #[test]
    fn the_log_format_is_text_unless_json_and_garbage_is_named() {
        assert_eq!(raw().parse().unwrap().log_format, LogFormat::Text);
        for (given, format) in [("json", LogFormat::Json), (" JSON ", LogFormat::Json), ("text", LogFormat::Text)] {
            let mut settings = raw();
            settings.log_format = given.into();
            assert_eq!(settings.parse().unwrap().log_format, format, "{given:?}");
        }
        for given in ["yaml", "logfmt", "jsonl"] {
            let mut settings = raw();
            settings.log_format = given.into();
            let err = settings.parse().unwrap_err().to_string();
            assert!(err.contains("CORRIGENDA_LOG_FORMAT (--log-format)") && err.contains(given), "{err}");
        }
    }

    #[test]
    fn the_metrics_token_is_long_printable_and_never_repeated() {
        assert_eq!(raw().parse().unwrap().metrics_token, None);
        let mut settings = raw();
        settings.metrics_token = Some(" ".into());
        assert_eq!(settings.parse().unwrap().metrics_token, None, "blank is unset");
        let mut settings = raw();
        settings.metrics_token = Some("0123456789abcdef-scraper".into());
        let config = settings.parse().unwrap();
        assert_eq!(config.metrics_token.as_ref().map(MetricsToken::expose), Some("0123456789abcdef-scraper"));
        assert!(!format!("{config:?}").contains("0123456789abcdef"), "Debug hides it");
        for given in ["short", "a token with spaces in it", "caf\u{e9}-caf\u{e9}-caf\u{e9}-caf\u{e9}"] {
            let mut settings = raw();
            settings.metrics_token = Some(given.into());
            let err = settings.parse().unwrap_err().to_string();
            assert!(err.contains("CORRIGENDA_METRICS_TOKEN (--metrics-token)") && !err.contains(given), "{err}");
        }
    }

    #[test]
    fn article_text_is_private_unless_turned_on() {
        assert!(!raw().parse().unwrap().public_article_text);
        for (given, public) in
            [("true", true), ("ON", true), ("1", true), ("false", false), ("off", false), ("", false)]
        {
            let mut settings = raw();
            settings.public_article_text = given.into();
            assert_eq!(settings.parse().unwrap().public_article_text, public, "{given:?}");
        }
    }

    #[test]
    fn sqlite_synchronous_is_normal_unless_full_and_garbage_is_named() {
        assert_eq!(raw().parse().unwrap().database.sqlite_sync, SqliteSync::Normal);
        for (given, sync) in [("full", SqliteSync::Full), ("FULL", SqliteSync::Full), ("normal", SqliteSync::Normal)] {
            let mut settings = raw();
            settings.sqlite_synchronous = given.into();
            assert_eq!(settings.parse().unwrap().database.sqlite_sync, sync, "{given:?}");
        }
        for given in ["off", "extra", "2", "fully"] {
            let mut settings = raw();
            settings.sqlite_synchronous = given.into();
            let err = settings.parse().unwrap_err().to_string();
            assert!(
                err.contains("CORRIGENDA_SQLITE_SYNCHRONOUS (--sqlite-synchronous)") && !err.contains('\n'),
                "{err}"
            );
        }
    }

    #[test]
    fn response_targets_of_wide_characters_or_huge_numbers_are_refused() {
        // Found by a property test: both once panicked while the settings were read.
        for bad in ["high=1\u{e9}", "high=\u{1f600}", "low=99999999999999d", "low=3651d", "legal=9223372036854775807m"]
        {
            let mut settings = raw();
            settings.response_targets = bad.into();
            assert!(settings.parse().unwrap_err().to_string().contains("CORRIGENDA_RESPONSE_TARGETS"), "{bad}");
        }
        let mut settings = raw();
        settings.response_targets = "low=3650d".into();
        assert_eq!(settings.parse().unwrap().response_targets.low, chrono::Duration::days(3650));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::domain::cases;

        proptest! {
            #![proptest_config(cases::config(256))]

            #[test]
            fn every_setting_is_taken_or_refused_naming_it(
                (rate, targets, proxies, base_url) in (
                    prop_oneof!["[0-9]{1,12}/[0-9]{1,12}", cases::text()],
                    prop_oneof!["((legal|high|normal|low)=[0-9]{1,20}[mhd\u{e9}],?){0,4}", cases::text()],
                    prop_oneof!["([0-9]{1,3}\\.){3}[0-9]{1,3}(, ?::1)?", cases::text()],
                    proptest::option::of(prop_oneof!["https?://[a-z.]{1,12}(:[0-9]{1,5})?/[a-z/]{0,8}", cases::text()]),
                ),
                (publication, switch, hour) in (cases::text(), cases::text(), cases::text()),
            ) {
                let mut settings = raw();
                settings.report_rate_limit = rate;
                settings.response_targets = targets;
                settings.trusted_proxies = Some(proxies);
                settings.base_url = base_url;
                settings.publication = publication;
                settings.public_article_text = switch;
                settings.digest_hour = hour;
                match settings.parse() {
                    Ok(config) => {
                        let now = chrono::Utc::now().naive_utc();
                        for severity in crate::domain::reports::Severity::ALL {
                            let target = config.response_targets.of(*severity);
                            prop_assert!(target > chrono::Duration::zero());
                            prop_assert!(now.checked_add_signed(target).is_some());
                        }
                        if let Some(limit) = config.report_rate_limit {
                            let written = format!("{}/{}", limit.count, limit.per.as_secs());
                            prop_assert_eq!(parse_rate_limit(&written).unwrap(), Some(limit));
                        }
                        let written = config.trusted_proxies.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
                        prop_assert_eq!(parse_proxies(&written).unwrap(), config.trusted_proxies.clone());
                        if let Some(url) = &config.base_url {
                            prop_assert!(matches!(url.scheme(), "http" | "https"));
                        }
                    }
                    Err(e) => {
                        let line = e.to_string();
                        prop_assert!(line.starts_with("invalid setting ") && line.contains('(') && !line.contains('\n'), "{line}");
                    }
                }
            }
        }
    }
}
