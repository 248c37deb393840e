//! The command line: settings, subcommands and what each prints.

use std::io::{BufRead, IsTerminal};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{SubsecRound, Utc};
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, RawSettings};
use crate::db::Db;
use crate::domain::{accounts, demo, import, secrets};
use crate::error::AppError;
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
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "corrigenda.db",
        global = true
    )]
    database_url: String,
    /// Address to listen on.
    #[arg(
        long,
        env = "CORRIGENDA_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    bind: String,
    /// Public URL for links in mail and feeds [default: http://<bind address>].
    #[arg(long, env = "CORRIGENDA_BASE_URL", global = true)]
    base_url: Option<String>,
    /// The publication's name, shown on every page.
    #[arg(
        long,
        env = "CORRIGENDA_PUBLICATION",
        default_value = "The Daily Example",
        global = true
    )]
    publication: String,
    /// Reports accepted per client as COUNT/SECONDS; 0 turns the limit off.
    #[arg(
        long,
        env = "CORRIGENDA_REPORT_RATE_LIMIT",
        default_value = "10/600",
        global = true
    )]
    report_rate_limit: String,
    /// Comma-separated proxy IPs whose X-Forwarded-For is trusted [default: none].
    #[arg(long, env = "CORRIGENDA_TRUSTED_PROXIES", global = true)]
    trusted_proxies: Option<String>,
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
        }
    }
}

/// Parses the command line and runs it; errors are one line on stderr.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let config = match RawSettings::from(&cli.settings).parse() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("corrigenda: {err}");
            return ExitCode::from(2);
        }
    };
    init_logging();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => open(&config)
            .map(|(_, n)| println!("{n} migration(s) applied to {}", config.database.display())),
        Command::User(UserCommand::Add {
            email,
            name,
            role,
            password_stdin,
        }) => add_user(&config, &email, &name, &role, password_stdin),
        Command::Token(TokenCommand::Create { email, name }) => {
            create_token(&config, &email, &name)
        }
        Command::Import(ImportCommand::Articles { file }) => import_articles(&config, &file),
        Command::Demo => seed_demo(&config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("corrigenda: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn now() -> chrono::NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

fn open(config: &Config) -> anyhow::Result<(Db, usize)> {
    Ok(Db::open(&config.database)?)
}

/// Turns an [`AppError`] into a one-line command error.
fn cli_error(err: AppError) -> anyhow::Error {
    match err {
        AppError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        AppError::Internal(cause) => cause,
        other => anyhow::anyhow!("{}", other.public_message()),
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let (db, migrated) = open(&config)?;
    let listener = TcpListener::bind(config.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {} (CORRIGENDA_BIND): {e}", config.bind))?;
    let bound = listener.local_addr()?;
    let database = config.database.display();
    let state = AppState::new(db, config, bound);
    println!("Corrigenda is listening on {}", state.base_url);
    println!("Database: {database} ({migrated} migration(s) applied)");
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    actix_web::rt::System::new()
        .block_on(async move { web::serve(listener, state, workers)?.await })?;
    Ok(())
}

fn add_user(
    config: &Config,
    email: &str,
    name: &str,
    role: &str,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let role = accounts::Role::parse(role).ok_or_else(|| {
        anyhow::anyhow!("--role {role:?} is not a role: use editor, standards_editor or auditor")
    })?;
    let (password, generated) = if password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        (line.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (secrets::new_token()[..24].to_owned(), true)
    };
    let (db, _) = open(config)?;
    let now = now();
    db.write_blocking(|c| accounts::add_user(c, email, name, role, &password, now))
        .map_err(cli_error)?;
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
    let token = db
        .write_blocking(|c| accounts::create_token(c, email, name, now))
        .map_err(cli_error)?;
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
    let summary = import::import_file(&db, file, now(), |done, total| {
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
        anyhow::bail!(
            "{} line(s) were refused; the others were imported",
            summary.refused.len()
        )
    }
}

fn seed_demo(config: &Config) -> anyhow::Result<()> {
    let (db, _) = open(config)?;
    let seeded = demo::seed(&db, now()).map_err(cli_error)?;
    let base = config.base_url(config.bind);
    println!("Demo data in {}:", config.database.display());
    for id in &seeded.articles {
        println!("  article {id}: report form at {base}/articles/{id}/report");
    }
    if seeded.reports.is_empty() {
        println!("  (reports were seeded before; not filed again)");
    }
    for (article, token, status) in &seeded.reports {
        println!(
            "  report on {article} ({}): {base}/reports/{token}",
            status.as_str()
        );
    }
    Ok(())
}
