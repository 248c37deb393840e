//! The command line: settings, subcommands and what each prints.

use std::io::{BufRead, IsTerminal};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{SubsecRound, Utc};
use clap::{Args, Parser, Subcommand};

use crate::config::{local_url, Config, LogFormat, RawSettings};
use crate::db::{Db, DbConnection};
use crate::domain::desks::{self, DeskInput, DeskSaved};
use crate::domain::keys::{self, KeyRange};
use crate::domain::log::LogGuard;
use crate::domain::notices::Notices;
use crate::domain::signing::{self, LogKey};
use crate::domain::verify::{self, Checkpoint, Entry, Export, Trust};
use crate::domain::{accounts, demo, erasure, import, secrets, sessions};
use crate::error::AppError;
use crate::mail;
use crate::mail::dispatch::Dispatcher;
use crate::mail::retention::Retention;
use crate::mail::webhooks::{self, EndpointInput, WebhookDispatcher};
use crate::web::{self, AppState};

/// Corrigenda: reader correction reports, the editors' desk, and a public, verifiable correction log.
#[derive(Debug, Parser)]
#[command(name = "corrigenda", version, about)]
pub struct Cli {
    #[command(flatten)]
    settings: SettingsArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Settings shared by every subcommand; flags override environment variables.
#[derive(Debug, Args)]
struct SettingsArgs {
    /// Database: a SQLite file path (default), or postgres://user:pass@host/db.
    #[arg(long, env = "DATABASE_URL", default_value = "corrigenda.db", global = true)]
    database_url: String,
    /// Address to listen on.
    #[arg(long, env = "CORRIGENDA_BIND", default_value = "127.0.0.1:8080", global = true)]
    bind: String,
    /// Public URL for links in mail and feeds [default: http://<bind address>].
    #[arg(long, env = "CORRIGENDA_BASE_URL", global = true)]
    base_url: Option<String>,
    /// The publication's name, shown on every page.
    #[arg(long, env = "CORRIGENDA_PUBLICATION", default_value = "The Daily Example", global = true)]
    publication: String,
    /// Reports accepted per client as COUNT/SECONDS; 0 turns the limit off.
    #[arg(long, env = "CORRIGENDA_REPORT_RATE_LIMIT", default_value = "10/600", global = true)]
    report_rate_limit: String,
    /// Comma-separated proxy IPs whose X-Forwarded-For is trusted [default: none].
    #[arg(long, env = "CORRIGENDA_TRUSTED_PROXIES", global = true)]
    trusted_proxies: Option<String>,
    /// Response time per severity (units m, h, d).
    #[arg(
        long,
        env = "CORRIGENDA_RESPONSE_TARGETS",
        default_value = "legal=2h,high=24h,normal=72h,low=7d",
        global = true
    )]
    response_targets: String,
    /// The publisher's time zone (IANA name), for dates shown besides UTC.
    #[arg(long, env = "CORRIGENDA_TIMEZONE", default_value = "UTC", global = true)]
    timezone: String,
    /// File with the Ed25519 key that signs checkpoints of the public log; made (mode 0600) when missing.
    #[arg(long, env = "CORRIGENDA_SIGNING_KEY", default_value = "corrigenda.key", global = true)]
    signing_key: String,
    /// SMTP server: smtp://host:port, smtps://host, smtp://host?tls=required (STARTTLS); user and password may be in the URL [default: none: write files].
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    smtp_url: Option<String>,
    /// SMTP user name, when not in SMTP_URL.
    #[arg(long, env = "SMTP_USERNAME", global = true)]
    smtp_username: Option<String>,
    /// SMTP password, when not in SMTP_URL.
    #[arg(long, env = "SMTP_PASSWORD", global = true, hide_env_values = true)]
    smtp_password: Option<String>,
    /// Folder for messages when SMTP_URL is not set.
    #[arg(long, env = "CORRIGENDA_MAIL_DIR", default_value = "mail", global = true)]
    mail_dir: String,
    /// The sender of every message.
    #[arg(long, env = "CORRIGENDA_MAIL_FROM", default_value = "Corrections <corrections@localhost>", global = true)]
    mail_from: String,
    /// Local hour (0-23, in CORRIGENDA_TIMEZONE) of the daily digest of overdue tickets.
    #[arg(long, env = "CORRIGENDA_DIGEST_HOUR", default_value = "8", global = true)]
    digest_hour: String,
    /// Let anyone read an article's text over the API (true or false); otherwise only staff and API tokens.
    #[arg(
        long,
        env = "CORRIGENDA_PUBLIC_ARTICLE_TEXT",
        default_value = "false",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        global = true
    )]
    public_article_text: String,
    /// Say on the public article log where else each correction went ("Also corrected in: ..."), true or false.
    #[arg(
        long,
        env = "CORRIGENDA_SHOW_CHANNELS",
        default_value = "false",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        global = true
    )]
    show_channels: String,
    /// SQLite only: normal (a commit survives a crash of the process) or full (also power loss).
    #[arg(long, env = "CORRIGENDA_SQLITE_SYNCHRONOUS", default_value = "normal", global = true)]
    sqlite_synchronous: String,
    /// Seconds a request waits on the database (a lock, a statement) before it is answered 503 with Retry-After, 1-600.
    #[arg(long, env = "CORRIGENDA_DB_TIMEOUT", default_value = "10", global = true)]
    db_timeout: String,
    /// Erase the reader's name and email from reports closed more than this many days ago [default: never].
    #[arg(long, env = "CORRIGENDA_RETENTION_DAYS", global = true)]
    retention_days: Option<String>,
    /// How log lines are written: text (one line each, for people) or json (one object a line).
    #[arg(long, env = "CORRIGENDA_LOG_FORMAT", default_value = "text", global = true)]
    log_format: String,
    /// Bearer token that /metrics asks for (16 or more characters) [default: none: loopback clients only].
    #[arg(long, env = "CORRIGENDA_METRICS_TOKEN", global = true, hide_env_values = true)]
    metrics_token: Option<String>,
    /// Seconds between checks of the log entries added since the last one, 1-86400 [default: 600].
    #[arg(long, env = "CORRIGENDA_LOG_CHECK_SECONDS", global = true)]
    log_check_seconds: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Seed realistic demo articles and reports.
    Demo,
    /// Verify the public correction log: every hash, the head, the size and the signature.
    VerifyLog(VerifyArgs),
    /// The public log: export it, print the key that signs it, or rotate that key.
    #[command(subcommand)]
    Log(LogCommand),
    /// Manage webhook and chat endpoints.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Manage desks: teams of editors and the rules that route reports to them.
    #[command(subcommand)]
    Desk(DeskCommand),
    /// Remove a reader's name and email from every report (the public log stays valid).
    EraseReporter {
        /// The reader's email.
        #[arg(long)]
        email: String,
    },
    /// Copy the SQLite database to FILE, consistently, while the server runs (PostgreSQL: use pg_dump).
    Backup {
        /// The copy: a new file (an existing one is never overwritten).
        file: PathBuf,
    },
    /// Exit 0 when the server answers GET /healthz with 200, 1 otherwise (for container health checks).
    Healthcheck {
        /// The server's base URL [default: http://<CORRIGENDA_BIND>, on 127.0.0.1 when bound to 0.0.0.0].
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Debug, Args)]
struct VerifyArgs {
    /// A Corrigenda site: fetches the checkpoint and every entry.
    #[arg(long, conflicts_with_all = ["file", "database"], required_unless_present_any = ["file", "database"])]
    url: Option<String>,
    /// An export made by `corrigenda log export`.
    #[arg(long, conflicts_with = "database")]
    file: Option<PathBuf>,
    /// This instance's database (also checks every entry against its correction).
    #[arg(long)]
    database: bool,
    /// Trust only this key (base64); give it again, or a comma-separated list, for several (e.g. before and after a rotation).
    #[arg(long, value_delimiter = ',')]
    pin: Vec<String>,
    /// An older checkpoint (JSON) the log must extend without changing anything before it.
    #[arg(long)]
    previous: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum LogCommand {
    /// Write every entry, a signed checkpoint and the key history to FILE (JSON).
    Export {
        /// Where to write.
        file: PathBuf,
    },
    /// Print the public key that signs checkpoints (base64).
    PublicKey,
    /// Replace the signing key: a new key signs from the log's current size on, the old one is kept.
    ///
    /// The old key file moves to `<key file>.<n>.retired` (the log's n-th key) and stays valid
    /// for the checkpoints it signed; running servers sign with the new key from their next checkpoint.
    RotateKey,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account.
    Add {
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// editor, standards_editor or auditor.
        #[arg(long)]
        role: String,
        /// Read the password from the first line of standard input (otherwise one is generated and printed).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: it cannot sign in, its sessions end and its API tokens are revoked.
    Disable {
        /// The account's email.
        #[arg(long)]
        email: String,
    },
    /// Re-enable a disabled account (its revoked API tokens stay revoked).
    Enable {
        /// The account's email.
        #[arg(long)]
        email: String,
    },
    /// Change an account's role.
    SetRole {
        /// The account's email.
        #[arg(long)]
        email: String,
        /// editor, standards_editor or auditor.
        #[arg(long)]
        role: String,
    },
    /// Set a new password (ends the account's sessions).
    ResetPassword {
        /// The account's email.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input (otherwise one is generated and printed).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token acting as a user; the token is printed once, on the last line.
    Create {
        /// The user the token acts as.
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "CMS production".
        #[arg(long)]
        name: String,
    },
    /// List tokens (never their values).
    List,
    /// Revoke a token by the id `token list` shows.
    Revoke {
        /// The token's id.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum WebhookCommand {
    /// Register an endpoint; its signing secret is printed once, on the last line.
    Add {
        /// Where to post: an http or https URL.
        #[arg(long)]
        url: String,
        /// Events it receives, comma separated [default: all of its kind's].
        #[arg(long)]
        events: Option<String>,
        /// webhook (signed events for a CMS) or chat (Slack-compatible alerts).
        #[arg(long, default_value = "webhook")]
        kind: String,
    },
    /// List endpoints (never their secrets).
    List,
    /// Remove an endpoint by the id `webhook list` shows; queued deliveries to it are cancelled.
    Remove {
        /// The endpoint's id.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum DeskCommand {
    /// Create a desk, or replace the one with this slug; prints what it did and the reports it moved.
    Add {
        /// Its slug: 1 to 40 lowercase letters, digits and inner hyphens (its address and the queue's filter).
        slug: String,
        /// What the newsroom calls it, e.g. "Sports desk".
        #[arg(long)]
        name: String,
        /// A member's email (an active editor); give it again for each member.
        #[arg(long = "member")]
        members: Vec<String>,
        /// The editor overdue reports are escalated to [default: none: the standards editors].
        #[arg(long)]
        lead: Option<String>,
        /// An article section it takes; again for each [default: any section].
        #[arg(long = "section")]
        sections: Vec<String>,
        /// A kind of error it takes (e.g. misquote); again for each [default: any].
        #[arg(long = "category")]
        categories: Vec<String>,
        /// A severity it takes (low, normal, high, legal); again for each [default: any].
        #[arg(long = "severity")]
        severities: Vec<String>,
        /// How its new reports are assigned: none, round_robin or least_loaded [default: none].
        #[arg(long)]
        assignment: Option<String>,
        /// Its place in the rule order, 1 first [default: last for a new desk, kept for a replaced one].
        #[arg(long)]
        position: Option<i64>,
        /// A chat endpoint (its id in `webhook list`) that hears of reports routed to it.
        #[arg(long)]
        endpoint: Option<i64>,
    },
    /// List the desks in rule order.
    List,
    /// Remove a desk; its open reports go back to routing (another desk's rules, or the general queue).
    Remove {
        /// The desk's slug.
        slug: String,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Upsert articles from CSV (header id,url,title,section,authors,published_at,text) or JSON lines.
    Articles {
        /// The file to read.
        file: PathBuf,
    },
}

impl From<&SettingsArgs> for RawSettings {
    fn from(a: &SettingsArgs) -> Self {
        Self {
            database_url: a.database_url.clone(),
            bind: a.bind.clone(),
            base_url: a.base_url.clone(),
            publication: a.publication.clone(),
            report_rate_limit: a.report_rate_limit.clone(),
            trusted_proxies: a.trusted_proxies.clone(),
            response_targets: a.response_targets.clone(),
            timezone: a.timezone.clone(),
            signing_key: a.signing_key.clone(),
            smtp_url: a.smtp_url.clone(),
            smtp_username: a.smtp_username.clone(),
            smtp_password: a.smtp_password.clone(),
            mail_dir: a.mail_dir.clone(),
            mail_from: a.mail_from.clone(),
            digest_hour: a.digest_hour.clone(),
            public_article_text: a.public_article_text.clone(),
            show_channels: a.show_channels.clone(),
            sqlite_synchronous: a.sqlite_synchronous.clone(),
            db_timeout: a.db_timeout.clone(),
            retention_days: a.retention_days.clone(),
            log_format: a.log_format.clone(),
            metrics_token: a.metrics_token.clone(),
            log_check_seconds: a.log_check_seconds.clone(),
        }
    }
}

/// Parses the command line and runs it; errors are one line on stderr.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    // Needs only the address, so a container's health check never fails on another setting
    // (and exits 0 or 1 only: Docker reserves 2).
    if let Some(Command::Healthcheck { url }) = &cli.command {
        return healthcheck(url.as_deref(), &cli.settings.bind);
    }
    let config = match RawSettings::from(&cli.settings).parse() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("corrigenda: {err}");
            return ExitCode::from(2);
        }
    };
    let _flush_logs_at_exit = init_logging(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => {
            open(&config).map(|(_, n)| println!("{n} migration(s) applied to {}", config.database.display()))
        }
        Command::User(UserCommand::Add { email, name, role, password_stdin }) => {
            add_user(&config, &email, &name, &role, password_stdin)
        }
        Command::User(UserCommand::Disable { email }) => disable_user(&config, &email),
        Command::User(UserCommand::Enable { email }) => {
            let now = now();
            account_change(&config, &format!("Enabled {email}"), |c| {
                accounts::set_disabled(c, &email, false, now).map(drop)
            })
        }
        Command::User(UserCommand::SetRole { email, role }) => parse_role(&role).and_then(|role| {
            account_change(&config, &format!("{email} is now {}", role.as_str()), |c| {
                accounts::set_role(c, &email, role)
            })
        }),
        Command::User(UserCommand::ResetPassword { email, password_stdin }) => {
            reset_password(&config, &email, password_stdin)
        }
        Command::Token(TokenCommand::Create { email, name }) => create_token(&config, &email, &name),
        Command::Token(TokenCommand::List) => list_tokens(&config),
        Command::Token(TokenCommand::Revoke { id }) => {
            let now = now();
            account_change(&config, &format!("Revoked token {id}"), |c| accounts::revoke_token(c, id, now))
        }
        Command::Import(ImportCommand::Articles { file }) => import_articles(&config, &file),
        Command::Demo => seed_demo(&config),
        Command::VerifyLog(args) => verify_log(&config, &args),
        Command::Log(LogCommand::Export { file }) => export_log(&config, &file),
        Command::Log(LogCommand::PublicKey) => signing_key(&config).map(|key| println!("{}", key.public_key())),
        Command::Log(LogCommand::RotateKey) => rotate_key(&config),
        Command::EraseReporter { email } => erase_reporter(&config, &email),
        Command::Webhook(command) => webhook(&config, command),
        Command::Desk(command) => desk(&config, command),
        Command::Backup { file } => backup(&config, &file),
        Command::Healthcheck { .. } => unreachable!("answered before the settings are read"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("corrigenda: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr through a writer thread that batches lines, so a busy server's access log
/// costs its request threads no system call per line; the guard flushes it at exit.
///
/// In JSON each line is one object: the event's fields at the top level, and the request's
/// span (its `request_id`) under `span`.
fn init_logging(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("log-writer")
        .finish(std::io::BufWriter::new(std::io::stderr()));
    let _ = match format {
        LogFormat::Text => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(writer)
            .try_init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter)
            .with_writer(writer)
            .try_init(),
    };
    guard
}

fn now() -> chrono::NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// Opens the database for a one-shot command: one connection on this thread, no pool.
fn open(config: &Config) -> anyhow::Result<(Db, usize)> {
    Ok(Db::open_one(&config.database)?)
}

/// Turns an [`AppError`] into a one-line command error.
fn cli_error(err: AppError) -> anyhow::Error {
    match err {
        AppError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        ),
        AppError::Internal(cause) => cause,
        other => anyhow::anyhow!("{}", other.public_message()),
    }
}

fn signing_key(config: &Config) -> anyhow::Result<LogKey> {
    let (key, created) = LogKey::load_or_create(&config.signing_key)?;
    if created {
        eprintln!(
            "corrigenda: made a new log signing key at {} (keep it safe; its public key is {})",
            config.signing_key.display(),
            key.public_key()
        );
    }
    Ok(key)
}

/// The key webhook secrets are sealed with derives from the log's first key (kept at rotations).
fn secrets_key(config: &Config) -> anyhow::Result<LogKey> {
    Ok(signing::secrets_root(&config.signing_key, &signing_key(config)?)?)
}

/// How long a stopping server waits for the dispatcher to finish the round it is sending.
const MAIL_SHUTDOWN: std::time::Duration = std::time::Duration::from_secs(30);
/// How often the dispatcher looks for mail to send when the outbox was empty.
const MAIL_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// How often the retention setting's erasure runs (and once at start-up).
const RETENTION_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// How often a running server re-verifies the whole log, every entry against its correction
/// row, from the database (the entries added since the last check are verified more often,
/// every `CORRIGENDA_LOG_CHECK_SECONDS`).
const LOG_FULL_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(86_400);

fn serve(config: Config) -> anyhow::Result<()> {
    let key = signing_key(&config)?;
    // A retired first key that cannot be read would lose the webhook secrets: stop here, not later.
    signing::secrets_root(&config.signing_key, &key)?;
    let mail = config.mail.build().map_err(|e| anyhow::anyhow!("invalid mail setting: {e}"))?;
    let (db, migrated) = Db::open(&config.database)?;
    let listener = TcpListener::bind(config.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {} (CORRIGENDA_BIND): {e}", config.bind))?;
    let bound = listener.local_addr()?;
    let database = config.database.display();
    // The first-run link is a credential: it goes to a person at a terminal, never into a log.
    let interactive = std::io::stdout().is_terminal();
    let setup = db.write_blocking(|c| sessions::first_run(c, interactive, now())).map_err(cli_error)?;
    let state = AppState::new(db.clone(), config, bound, key);
    // The address actually bound (port 0 asks for any free one), whatever the public URL is.
    let local = local_url(bound);
    println!("Corrigenda is listening on {local}");
    if state.base_url != local {
        println!("Public address: {}", state.base_url);
    }
    println!("Database: {database} ({migrated} migration(s) applied)");
    println!("Mail: {}", mail.description);
    if let Some(days) = state.config.retention_days {
        println!("Retention: readers' details are erased from reports closed more than {days} days ago, hourly");
    }
    match setup {
        sessions::FirstRun::Done => {}
        sessions::FirstRun::Link(token) => {
            println!("No account exists yet. Create the first standards editor at {}/setup/{token}", state.base_url);
        }
        sessions::FirstRun::NoTerminal => println!(
            "No account exists yet. Create the first standards editor with `corrigenda user add --role \
             standards_editor --email E --name N`, or start `corrigenda serve` in a terminal for a one-time \
             setup link (it is never written to a log)"
        ),
    }
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    actix_web::rt::System::new().block_on(async move {
        let server = web::serve(listener, state, workers)?;
        let shared = server.1.clone();
        let st = &server.1;
        let dispatcher = Dispatcher::new(st.db.clone(), mail, st.mail.clone(), st.clock.clone(), st.config.timezone);
        let (stop_mail, mail_stop) = tokio::sync::watch::channel(false);
        let retention = st.config.retention_days.map(|days| {
            let job = Retention::new(st.db.clone(), st.config.mail.dir.clone(), st.clock.clone(), days);
            actix_web::rt::spawn(job.run(RETENTION_EVERY, mail_stop.clone()))
        });
        let hooks = WebhookDispatcher::new(st.db.clone(), st.hooks.clone(), st.clock.clone());
        let hooking = actix_web::rt::spawn(hooks.run(MAIL_EVERY, mail_stop.clone()));
        let mailing = actix_web::rt::spawn(dispatcher.run(MAIL_EVERY, mail_stop));
        actix_web::rt::spawn(recheck_log(server.1));
        // SIGTERM or SIGINT: the server stops accepting and finishes its requests, then the
        // dispatcher finishes the round it is sending before the process exits.
        let stopped = server.0.await;
        shared.log.stop();
        let _ = stop_mail.send(true);
        if actix_web::rt::time::timeout(MAIL_SHUTDOWN, mailing).await.is_err() {
            tracing::warn!("the mail dispatcher did not finish its round in time; unsent rows stay queued");
        }
        if actix_web::rt::time::timeout(MAIL_SHUTDOWN, hooking).await.is_err() {
            tracing::warn!("the webhook dispatcher did not finish its round in time; undelivered rows stay queued");
        }
        // It stops between two batches; what it did not reach waits for the next start.
        if let Some(retention) = retention {
            let _ = actix_web::rt::time::timeout(MAIL_SHUTDOWN, retention).await;
        }
        stopped
    })?;
    // Every connection is closed here, before the process exits (see `Db::close`).
    db.close(std::time::Duration::from_secs(5));
    Ok(())
}

fn parse_role(role: &str) -> anyhow::Result<accounts::Role> {
    accounts::Role::parse(role)
        .ok_or_else(|| anyhow::anyhow!("--role {role:?} is not a role: use editor, standards_editor or auditor"))
}

/// The password from stdin, or a generated one (and whether it was generated, so it is printed).
fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((secrets::new_token()[..24].to_owned(), true))
    }
}

fn account_change(
    config: &Config,
    done: &str,
    change: impl FnOnce(&mut crate::db::DbConnection) -> Result<(), AppError>,
) -> anyhow::Result<()> {
    let (db, _) = open(config)?;
    db.write_blocking(change).map_err(cli_error)?;
    println!("{done}");
    Ok(())
}

fn disable_user(config: &Config, email: &str) -> anyhow::Result<()> {
    let (db, _) = open(config)?;
    let now = now();
    let revoked = db.write_blocking(|c| accounts::set_disabled(c, email, true, now)).map_err(cli_error)?;
    println!("Disabled {email}; its sessions ended and {revoked} API token(s) were revoked");
    Ok(())
}

fn reset_password(config: &Config, email: &str, from_stdin: bool) -> anyhow::Result<()> {
    let (password, generated) = password(from_stdin)?;
    account_change(config, &format!("New password set for {email}; their sessions were ended"), |c| {
        accounts::reset_password(c, email, &password)
    })?;
    if generated {
        println!("Password (shown once, store it safely):");
        println!("{password}");
    }
    Ok(())
}

fn list_tokens(config: &Config) -> anyhow::Result<()> {
    let (db, _) = open(config)?;
    let tokens = db.read_blocking(accounts::tokens).map_err(cli_error)?;
    if tokens.is_empty() {
        println!("No API tokens.");
    }
    for (token, email) in tokens {
        let state = match token.revoked_at {
            Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
            None => "active".to_owned(),
        };
        let used = token
            .last_used_at
            .map_or("never used".to_owned(), |at| format!("last used {}", at.format("%Y-%m-%d %H:%M")));
        let created = token.created_at.format("%Y-%m-%d");
        println!("{:>5}  {email}  {:?}  {state}  created {created}  {used}", token.id, token.name);
    }
    Ok(())
}

fn erase_reporter(config: &Config, email: &str) -> anyhow::Result<()> {
    let now = now();
    let (db, _) = open(config)?;
    let n = db.write_blocking(|c| erasure::erase_reporter(c, email, None, now)).map_err(cli_error)?;
    let dir = &config.mail.dir;
    let files = mail::files::erase(dir, email.trim())
        .map_err(|e| anyhow::anyhow!("the reports are erased, but not the mail files in {}: {e}", dir.display()))?;
    println!("Erased the name and email from {n} report(s) and {files} mail file(s); the public log is unchanged");
    Ok(())
}

/// How long the health check waits for the server's answer, connecting included.
const HEALTHCHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// `healthcheck`: GET `<url>/healthz`; success only on 200.
fn healthcheck(url: Option<&str>, bind: &str) -> ExitCode {
    let base = match url {
        Some(url) => url.trim().trim_end_matches('/').to_owned(),
        None => match std::net::ToSocketAddrs::to_socket_addrs(bind.trim()).ok().and_then(|mut a| a.next()) {
            Some(mut address) => {
                // A server bound to every interface answers on the loopback one.
                if address.ip().is_unspecified() {
                    address.set_ip(match address {
                        std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                        std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                    });
                }
                format!("http://{address}")
            }
            None => {
                eprintln!("corrigenda: invalid setting CORRIGENDA_BIND (--bind): {bind:?} is not an address");
                return ExitCode::FAILURE;
            }
        },
    };
    let url = format!("{base}/healthz");
    let agent = ureq::AgentBuilder::new().timeout(HEALTHCHECK_TIMEOUT).redirects(0).build();
    match agent.get(&url).call() {
        Ok(response) if response.status() == 200 => {
            println!("healthy: {url} answered 200");
            ExitCode::SUCCESS
        }
        Ok(response) => {
            eprintln!("corrigenda: unhealthy: {url} answered {}", response.status());
            ExitCode::FAILURE
        }
        Err(ureq::Error::Status(status, response)) => {
            let body = response.into_string().unwrap_or_default();
            eprintln!("corrigenda: unhealthy: {url} answered {status} {}", body.trim());
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("corrigenda: unhealthy: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `backup FILE`: an online, consistent copy of the SQLite database.
fn backup(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    let bytes = crate::db::backup::sqlite(&config.database, file)?;
    println!("Backed up {} to {} ({bytes} bytes)", config.database.display(), file.display());
    // A restore needs them too: the key signs the log's checkpoints, the folder holds the mail sent.
    let mail = match config.mail.smtp_url {
        None => format!(" and the mail folder {}", config.mail.dir.display()),
        Some(_) => String::new(),
    };
    println!("Keep the signing key {}{mail} with it", config.signing_key.display());
    Ok(())
}

/// Verifies new entries now and then and the whole log less often, so a change made behind
/// the server's back is found.
async fn recheck_log(state: actix_web::web::Data<AppState>) {
    let period = state.config.log_check_every;
    // A whole number of rounds makes a day, whatever the period (at least one round).
    let full_every = (LOG_FULL_CHECK_EVERY.as_secs() / period.as_secs().max(1)).max(1);
    let mut every = actix_web::rt::time::interval(period);
    every.tick().await;
    for round in 1u64.. {
        every.tick().await;
        if round % full_every == 0 {
            if let Err(err) = web::check_log_in_background(state.clone()) {
                tracing::error!(error = ?err, "could not start the daily check of the public log");
            }
            continue;
        }
        let st = state.clone();
        if let Err(err) = state.db.read(move |c| st.log.incremental_check(c).map(drop)).await {
            tracing::error!(error = ?err, "could not re-verify the public log");
        }
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not what was expected: {e}", path.display()))
}

/// A checkpoint file: a checkpoint, or an export (whose checkpoint is used).
fn read_checkpoint(path: &std::path::Path) -> anyhow::Result<Checkpoint> {
    let value: serde_json::Value = read_json(path)?;
    let inner = value.get("checkpoint").cloned().unwrap_or(value);
    serde_json::from_value(inner).map_err(|e| anyhow::anyhow!("{} holds no checkpoint: {e}", path.display()))
}

/// Fetches a site's checkpoint, its key history (none from a site without one), then its
/// entries up to that checkpoint.
fn fetch(url: &str) -> anyhow::Result<(Vec<Entry>, Checkpoint, Option<Vec<KeyRange>>)> {
    let base = url.trim_end_matches('/');
    let get = |path: &str| -> anyhow::Result<serde_json::Value> {
        ureq::get(&format!("{base}{path}"))
            .call()
            .map_err(|e| anyhow::anyhow!("cannot fetch {base}{path}: {e}"))?
            .into_json()
            .map_err(|e| anyhow::anyhow!("{base}{path} did not answer JSON: {e}"))
    };
    // The checkpoint first: a key history read after it names every key that may have signed it.
    let checkpoint: Checkpoint = serde_json::from_value(get("/api/v1/log/checkpoint")?)?;
    let keys = match ureq::get(&format!("{base}/api/v1/log/keys")).call() {
        Err(ureq::Error::Status(404, _)) => None,
        Err(e) => anyhow::bail!("cannot fetch {base}/api/v1/log/keys: {e}"),
        Ok(answer) => {
            let page: serde_json::Value =
                answer.into_json().map_err(|e| anyhow::anyhow!("{base}/api/v1/log/keys did not answer JSON: {e}"))?;
            Some(
                serde_json::from_value(page["items"].clone())
                    .map_err(|e| anyhow::anyhow!("{base}/api/v1/log/keys is not a key history: {e}"))?,
            )
        }
    };
    let mut entries: Vec<Entry> = Vec::new();
    while (entries.len() as i64) < checkpoint.size {
        let page = get(&format!("/api/v1/log/entries?from={}&to={}", entries.len(), checkpoint.size))?;
        let items: Vec<Entry> = serde_json::from_value(page["items"].clone())?;
        if items.is_empty() {
            anyhow::bail!("the server returned no entries from index {}", entries.len());
        }
        entries.extend(items);
    }
    Ok((entries, checkpoint, keys))
}

fn verify_log(config: &Config, args: &VerifyArgs) -> anyhow::Result<()> {
    let previous = args.previous.as_deref().map(read_checkpoint).transpose()?;
    let (entries, checkpoint, history) = if let Some(url) = &args.url {
        fetch(url)?
    } else if let Some(file) = &args.file {
        let export: Export = read_json(file)?;
        (export.entries, export.checkpoint, export.keys)
    } else {
        let key = signing_key(config)?;
        let (db, _) = open(config)?;
        if let Err(failure) = db.read_blocking(verify::database).map_err(cli_error)? {
            anyhow::bail!("log NOT verified: {failure}");
        }
        let stored = db.read_blocking(verify::stored_entries).map_err(cli_error)?;
        let history = db.read_blocking(keys::history).map_err(cli_error)?;
        let entries: Vec<Entry> =
            stored.into_iter().map(|e| Entry { index: e.idx, canonical: e.canonical, hash: e.hash }).collect();
        let head = entries.last().map_or_else(verify::empty_head, |e| e.hash.clone());
        let size = entries.len() as i64;
        let checkpoint = Checkpoint {
            size,
            signature: key.sign_checkpoint(size, &head),
            head_hash: head,
            public_key: key.public_key(),
        };
        (entries, checkpoint, Some(history).filter(|h| !h.is_empty()))
    };
    let pins = args.pin.iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
    let trust = Trust { pins, history };
    match verify::against_checkpoint(&entries, &checkpoint, &trust, previous.as_ref()) {
        Ok(verified) => {
            println!("{verified}");
            Ok(())
        }
        Err(failure) => anyhow::bail!("log NOT verified: {failure}"),
    }
}

/// `log rotate-key`: a new key at the key file's path signs from the log's current size on.
///
/// The new key is written beside the old one first (`<path>.next`), the hand-over is recorded
/// in the database, and only then is the old file kept as `<path>.<n>.retired` and the new one
/// renamed into place. Run again after an interruption, it finishes a recorded hand-over.
fn rotate_key(config: &Config) -> anyhow::Result<()> {
    let path = config.signing_key.as_path();
    let old = LogKey::load_existing(path)?;
    let (db, _) = open(config)?;
    let now = now();
    db.write_blocking(|c| keys::adopt(c, &old, now).map(drop)).map_err(cli_error)?;
    let mut next_path = path.as_os_str().to_owned();
    next_path.push(".next");
    let next_path = PathBuf::from(next_path);
    let history = db.read_blocking(keys::history).map_err(cli_error)?;
    let active = history.last().map(|k| k.public_key.clone()).unwrap_or_default();
    let pending = LogKey::load_existing(&next_path).ok().filter(|k| k.public_key() == active);
    let (new, size) = match pending {
        // Recorded before an interruption: only the files are left to move.
        Some(new) => (new, history.last().map_or(0, |k| k.from_size)),
        None => {
            let new = LogKey::generate();
            let _ = std::fs::remove_file(&next_path);
            new.write_private(&next_path, false)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", next_path.display()))?;
            let size = db.write_blocking(|c| keys::rotate(c, &old, &new, now)).map_err(|e| {
                let _ = std::fs::remove_file(&next_path);
                cli_error(e)
            })?;
            (new, size)
        }
    };
    let n = history.iter().position(|k| k.public_key == old.public_key()).map_or(history.len(), |i| i + 1);
    let retired = signing::retired_path(path, n);
    match std::fs::hard_link(path, &retired) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists
            && LogKey::load_existing(&retired).is_ok_and(|k| k.public_key() == old.public_key()) => {}
        Err(e) => anyhow::bail!(
            "the new key is recorded but {} could not be kept as {}: {e}; move it there and {} to {} by hand, or run this command again",
            path.display(),
            retired.display(),
            next_path.display(),
            path.display()
        ),
    }
    std::fs::rename(&next_path, path).map_err(|e| {
        anyhow::anyhow!(
            "the new key is recorded but {} could not be moved to {}: {e}; run this command again",
            next_path.display(),
            path.display()
        )
    })?;
    println!("The log is now signed by {} from size {size} on", new.public_key());
    println!(
        "The previous key {} stays valid for sizes up to {size}; its file is kept at {}",
        old.public_key(),
        retired.display()
    );
    Ok(())
}

fn export_log(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    let key = signing_key(config)?;
    let (db, _) = open(config)?;
    let guard = LogGuard::new(key);
    let (stored, checkpoint, history) = db
        .read_blocking(|c| {
            if let Err(failure) = guard.full_check(c)? {
                return Err(AppError::Unavailable(format!("the log does not verify ({failure}); not exporting it")));
            }
            let cp = guard.checkpoint(c)?;
            let stored = verify::stored_entries(c)?;
            Ok((stored, cp, keys::history(c)?))
        })
        .map_err(cli_error)?;
    let entries: Vec<Entry> = stored
        .into_iter()
        .take(checkpoint.size as usize)
        .map(|e| Entry { index: e.idx, canonical: e.canonical, hash: e.hash })
        .collect();
    let size = entries.len();
    let keys = Some(history).filter(|h| !h.is_empty());
    let json = serde_json::to_string_pretty(&Export { entries, checkpoint, keys })?;
    std::fs::write(file, json + "\n").map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
    println!("Exported {size} entries and a signed checkpoint to {}", file.display());
    Ok(())
}

fn add_user(config: &Config, email: &str, name: &str, role: &str, password_stdin: bool) -> anyhow::Result<()> {
    let role = parse_role(role)?;
    let (password, generated) = password(password_stdin)?;
    let (db, _) = open(config)?;
    let now = now();
    db.write_blocking(|c| accounts::add_user(c, email, name, role, &password, now)).map_err(cli_error)?;
    println!("Created {} account for {email}", role.as_str());
    if generated {
        println!("Password (shown once, store it safely):");
        println!("{password}");
    }
    Ok(())
}

fn create_token(config: &Config, email: &str, name: &str) -> anyhow::Result<()> {
    let (db, _) = open(config)?;
    let now = now();
    let token = db.write_blocking(|c| accounts::create_token(c, email, name, now)).map_err(cli_error)?;
    println!("API token {name:?} for {email} (shown once, store it safely):");
    println!("{token}");
    Ok(())
}

fn import_articles(config: &Config, file: &std::path::Path) -> anyhow::Result<()> {
    let (db, _) = open(config)?;
    let bar = indicatif::ProgressBar::new(0);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let notify = notifier(config)?;
    let summary = import::import_file(&db, file, &notify, now(), |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .map_err(|e| anyhow::anyhow!("cannot import {}: {e}", file.display()))?;
    bar.finish_and_clear();
    println!(
        "Imported {}: {} created, {} updated, {} refused",
        file.display(),
        summary.created,
        summary.updated,
        summary.refused.len()
    );
    for (line, reason) in &summary.refused {
        println!("  line {line}: {reason}");
    }
    if summary.refused.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} line(s) were refused; the others were imported", summary.refused.len())
    }
}

/// `webhook add | list | remove`.
fn webhook(config: &Config, command: WebhookCommand) -> anyhow::Result<()> {
    match command {
        WebhookCommand::Add { url, events, kind } => {
            let input = EndpointInput { url, kind, events: events.into_iter().collect() };
            // Checked before anything is opened or made, so a bad URL changes nothing.
            webhooks::check_url(&input.url).map_err(cli_error)?;
            let hooks = web::hooks(config, config.base_url(config.bind), &secrets_key(config)?);
            let (db, _) = open(config)?;
            let (id, secret) =
                db.write_blocking(|c| webhooks::register(c, &hooks, &input, now())).map_err(cli_error)?;
            let endpoint = db
                .read_blocking(move |c| Ok(webhooks::list(c)?.into_iter().find(|e| e.id == id)))
                .map_err(cli_error)?
                .ok_or_else(|| anyhow::anyhow!("the endpoint vanished"))?;
            println!("Endpoint {id} ({}) posts {} to {}", endpoint.kind, endpoint.events.join(", "), endpoint.url);
            println!("Its signing secret (shown once; keep it with the receiver):");
            println!("{secret}");
            Ok(())
        }
        WebhookCommand::List => {
            let (db, _) = open(config)?;
            let endpoints = db.read_blocking(webhooks::list).map_err(cli_error)?;
            if endpoints.is_empty() {
                println!("No endpoints.");
            }
            for e in endpoints {
                let last = match (e.last_status, &e.last_error) {
                    (_, Some(error)) => format!("last attempt failed: {error}"),
                    (Some(code), None) => format!("last answer {code}"),
                    (None, None) => "nothing sent yet".to_owned(),
                };
                println!("{}\t{}\t{}\t{}\t{last}", e.id, e.kind, e.url, e.events.join(","));
            }
            Ok(())
        }
        WebhookCommand::Remove { id } => {
            let (db, _) = open(config)?;
            db.write_blocking(move |c| webhooks::remove(c, id, now())).map_err(cli_error)?;
            println!("Removed endpoint {id}; nothing more is sent to it");
            Ok(())
        }
    }
}

/// `desk add | list | remove`, acting as no one: the events name the system.
fn desk(config: &Config, command: DeskCommand) -> anyhow::Result<()> {
    let (db, _) = open(config)?;
    let notify = notifier(config)?;
    let notifying = |step: &dyn Fn(&mut DbConnection, &mut Notices) -> Result<DeskSaved, AppError>| {
        let at = now();
        db.write_blocking(|c| {
            let mut notices = Notices::default();
            let out = step(c, &mut notices)?;
            notify(c, &notices, at)?;
            Ok(out)
        })
        .map_err(cli_error)
    };
    let affected = |saved: &DeskSaved| {
        for a in &saved.affected {
            println!("  {}", a.outcome);
        }
    };
    match command {
        DeskCommand::Add {
            slug,
            name,
            members,
            lead,
            sections,
            categories,
            severities,
            assignment,
            position,
            endpoint,
        } => {
            let input = DeskInput {
                name,
                members,
                lead,
                sections,
                categories,
                severities,
                assignment,
                position,
                endpoint_id: endpoint,
            };
            let created = std::cell::Cell::new(false);
            let saved = notifying(&|c, n| {
                let (new, saved) = desks::save(c, None, &slug, &input, n, now())?;
                created.set(new);
                Ok(saved)
            })?;
            let desk = saved.desk.as_ref().ok_or_else(|| anyhow::anyhow!("the desk vanished"))?;
            let members: Vec<&str> = desk.members.iter().map(|m| m.email.as_str()).collect();
            println!(
                "{} desk {} ({}): place {} in the rule order, {} member(s){}, assignment {}",
                if created.get() { "Created" } else { "Replaced" },
                desk.slug,
                desk.name,
                desk.position,
                members.len(),
                if members.is_empty() { String::new() } else { format!(" ({})", members.join(", ")) },
                desk.assignment.as_str()
            );
            if !saved.affected.is_empty() {
                println!("Reports that changed hands:");
                affected(&saved);
            }
            Ok(())
        }
        DeskCommand::List => {
            let list = db.read_blocking(desks::list).map_err(cli_error)?;
            if list.is_empty() {
                println!("No desks: every report goes to the general queue.");
                return Ok(());
            }
            println!(
                "{:>3}  {:<20} {:<24} {:<13} {:>7} {:>5}  RULES",
                "#", "SLUG", "NAME", "ASSIGNMENT", "MEMBERS", "OPEN"
            );
            for d in list {
                let any = |v: Vec<String>, what: &str| if v.is_empty() { format!("any {what}") } else { v.join(",") };
                let rules = format!(
                    "{} / {} / {}",
                    any(d.sections.clone(), "section"),
                    any(d.categories.iter().map(|c| c.as_str().to_owned()).collect(), "category"),
                    any(d.severities.iter().map(|s| s.as_str().to_owned()).collect(), "severity"),
                );
                println!(
                    "{:>3}  {:<20} {:<24} {:<13} {:>7} {:>5}  {rules}",
                    d.position,
                    d.slug,
                    d.name,
                    d.assignment.as_str(),
                    d.members.len(),
                    d.open_reports
                );
            }
            Ok(())
        }
        DeskCommand::Remove { slug } => {
            let saved = notifying(&|c, n| desks::remove(c, None, &slug, n, now()))?;
            println!("Removed desk {slug}; {} open report(s) went back to routing", saved.affected.len());
            affected(&saved);
            Ok(())
        }
    }
}

/// What a command that acts on the desk's behalf hands its notices to: the mail and webhook
/// outboxes, in the step's transaction, as the server does.
fn notifier(
    config: &Config,
) -> anyhow::Result<impl Fn(&mut DbConnection, &Notices, chrono::NaiveDateTime) -> Result<(), AppError>> {
    let base = config.base_url(config.bind);
    let mail = crate::mail::Context { base_url: base.clone(), publication: config.publication.clone() };
    let hooks = web::hooks(config, base, &secrets_key(config)?);
    Ok(move |c: &mut DbConnection, n: &Notices, at| {
        crate::mail::notify(c, &mail, n, at)?;
        crate::mail::webhooks::notify(c, &hooks, n, at)
    })
}

fn seed_demo(config: &Config) -> anyhow::Result<()> {
    let (db, _) = open(config)?;
    let base = config.base_url(config.bind);
    let notify = notifier(config)?;
    let seeded = demo::seed(&db, &config.response_targets, &notify, now()).map_err(cli_error)?;
    println!("Demo data in {}:", config.database.display());
    println!("Sign in at {base}/login with (passwords are new on every run):");
    for (email, role, password) in &seeded.accounts {
        println!("  {:<17} {email}  {password}", role.as_str());
    }
    for id in &seeded.articles {
        println!("  article {id}: report form at {base}/articles/{id}/report");
    }
    if seeded.reports.is_empty() {
        println!("  (reports were seeded before; not filed again)");
    }
    for (article, token, status) in &seeded.reports {
        println!("  report on {article} ({}): {base}/reports/{token}", status.as_str());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Command};

    #[test]
    fn the_public_article_text_flag_is_a_switch_that_leaves_the_subcommand_alone() {
        let on = Cli::try_parse_from(["corrigenda", "--public-article-text", "migrate"]);
        let on = on.map_err(|e| e.to_string());
        assert!(
            matches!(&on, Ok(cli) if cli.settings.public_article_text == "true" && matches!(cli.command, Some(Command::Migrate))),
            "{on:?}"
        );
        let off = Cli::try_parse_from(["corrigenda", "--public-article-text=false"]).map_err(|e| e.to_string());
        assert!(matches!(&off, Ok(cli) if cli.settings.public_article_text == "false"), "{off:?}");
    }
}
