//! The server's log holds no secret and no reader's data: the real binary, its stdout and
//! stderr captured, is driven through a whole journey (first-run setup, staff sign-in, an API
//! token, a reader's report, reply and tracking page, a subscription confirmed and ended, desk
//! moves, a published correction, mail over SMTP with a user name and password), and the log
//! is then searched for every password, token, cookie, address and name used.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use corrigenda::db::{Db, DbTarget};
use corrigenda::domain::sessions;

use crate::helpers::{article_json, cli, csrf_in, listening_address, mail_dir, wait, Backend, TestDb};

const SMTP_USER: &str = "mailer";
const SMTP_PASSWORD: &str = "smtp-Pa55word-never-logged";
const DB_PASSWORD: &str = "db-Pa55word-never-logged";
const DB_PASSWORD_PARAMETER: &str = "db-Pa55word-as-a-parameter";
const SETUP_PASSWORD: &str = "first standards editor's passphrase";
const EDITOR_PASSWORD: &str = "the editor's own passphrase";
const WRONG_PASSWORD: &str = "a mistyped passphrase, also secret";
const READER_NAME: &str = "Adelheid Quellenreich";
const READER_EMAIL: &str = "adelheid.quellen@reader.example";
const BOUNCING_NAME: &str = "Bartholomew Ruckprall";
const BOUNCING_EMAIL: &str = "bart.ruckprall@bounce.example";
const SUBSCRIBER_EMAIL: &str = "fiona.folgend@subscriber.example";

/// Polls `done` until it holds, for up to `limit`.
fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    wait::until(what, limit, || done().then_some(()));
}

/// A message as the sink received it.
#[derive(Debug, Clone)]
struct Mail {
    to: Vec<String>,
    raw: String,
}

/// An SMTP server that requires `AUTH PLAIN` with one user name and password before it takes
/// mail, answers the first sign-in with a temporary failure, and refuses one address with a
/// 550 that quotes it (as Postfix does): both failures are logged by the server.
struct AuthSmtp {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    /// Sign-ins tried, and accepted.
    logins: Arc<Mutex<(usize, usize)>>,
}

impl AuthSmtp {
    fn start(refuse: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let logins = Arc::new(Mutex::new((0, 0)));
        let (m, l) = (mails.clone(), logins.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (m, l) = (m.clone(), l.clone());
                std::thread::spawn(move || {
                    let _ = Self::session(stream, &m, &l, refuse);
                });
            }
        });
        Self { port, mails, logins }
    }

    fn session(
        stream: TcpStream,
        mails: &Mutex<Vec<Mail>>,
        logins: &Mutex<(usize, usize)>,
        refuse: &str,
    ) -> std::io::Result<()> {
        let mut out = stream.try_clone()?;
        let mut lines = BufReader::new(stream);
        let expected = STANDARD.encode(format!("\0{SMTP_USER}\0{SMTP_PASSWORD}"));
        let (mut authenticated, mut to) = (false, Vec::new());
        out.write_all(b"220 sink.test ESMTP\r\n")?;
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_owned();
            let upper = command.to_ascii_uppercase();
            let answer = if upper.starts_with("EHLO") {
                "250-sink.test\r\n250 AUTH PLAIN".to_owned()
            } else if let Some(given) = command.strip_prefix("AUTH PLAIN ") {
                let mut logins = logins.lock().unwrap();
                logins.0 += 1;
                authenticated = given.trim() == expected && logins.0 > 1;
                if authenticated {
                    logins.1 += 1;
                    "235 2.7.0 Authentication successful".to_owned()
                } else if logins.0 == 1 {
                    "454 4.7.0 Temporary authentication failure".to_owned()
                } else {
                    "535 5.7.8 Authentication credentials invalid".to_owned()
                }
            } else if upper.starts_with("MAIL FROM") {
                if authenticated {
                    "250 OK".to_owned()
                } else {
                    "530 5.7.0 Authentication required".to_owned()
                }
            } else if upper.starts_with("RCPT TO") {
                let address = command[command.find('<').map_or(8, |i| i + 1)..].trim_end_matches('>').to_owned();
                if address == refuse {
                    format!("550 5.1.1 <{address}>: Recipient address rejected: User unknown")
                } else {
                    to.push(address);
                    "250 OK".to_owned()
                }
            } else if upper == "DATA" {
                out.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                let mut raw = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    raw.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                mails.lock().unwrap().push(Mail { to: std::mem::take(&mut to), raw });
                "250 OK: queued".to_owned()
            } else if upper == "RSET" {
                to.clear();
                "250 OK".to_owned()
            } else if upper == "NOOP" {
                "250 OK".to_owned()
            } else if upper == "QUIT" {
                out.write_all(b"221 Bye\r\n")?;
                return Ok(());
            } else {
                "502 Command not implemented".to_owned()
            };
            out.write_all(format!("{answer}\r\n").as_bytes())?;
        }
    }

    fn to(&self, address: &str) -> Vec<Mail> {
        self.mails.lock().unwrap().iter().filter(|m| m.to.iter().any(|t| t == address)).cloned().collect()
    }
}

impl Mail {
    /// A header's decoded value.
    fn header(&self, name: &str) -> Option<String> {
        use mailparse::MailHeaderMap;
        mailparse::parse_mail(self.raw.as_bytes()).ok()?.headers.get_first_value(name)
    }
}

/// The decoded text part of a message.
fn text_of(mail: &Mail) -> String {
    let parsed = mailparse::parse_mail(mail.raw.as_bytes()).unwrap();
    let part = parsed.subparts.iter().find(|p| p.ctype.mimetype == "text/plain").unwrap();
    part.get_body().unwrap()
}

/// The first link in `text` that starts with `prefix`.
fn link(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    text[start..].split_whitespace().next().unwrap().to_owned()
}

/// The running binary, with everything it writes to stdout and stderr.
struct Server {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

fn capture(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stream);
        let mut line = Vec::new();
        while lines.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            into.lock().unwrap().push_str(&String::from_utf8_lossy(&line));
            line.clear();
        }
    })
}

impl Server {
    /// Starts the binary on a port it picks: see [`Self::address`].
    fn start(database: &TestDb, database_url: &str, smtp_url: &str, log: Log) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_corrigenda"));
        command
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env("CORRIGENDA_SIGNING_KEY", &database.key_path)
            .env("CORRIGENDA_MAIL_DIR", mail_dir(database))
            .env("SMTP_URL", smtp_url)
            .env_remove("SMTP_USERNAME")
            .env_remove("SMTP_PASSWORD")
            .env_remove("RUST_LOG")
            .env_remove("CORRIGENDA_LOG_FORMAT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(level) = log.level {
            command.env("RUST_LOG", level);
        }
        if log.json {
            command.env("CORRIGENDA_LOG_FORMAT", "json");
        }
        let mut child = command.spawn().unwrap();
        let (stdout, stderr) = (Arc::new(Mutex::new(String::new())), Arc::new(Mutex::new(String::new())));
        let readers = vec![
            capture(child.stdout.take().unwrap(), stdout.clone()),
            capture(child.stderr.take().unwrap(), stderr.clone()),
        ];
        Self { child, stdout, stderr, readers }
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// The address it bound, once it says so (a minute at most).
    fn address(&self) -> String {
        wait::until("the server to say where it listens", Duration::from_secs(60), || listening_address(&self.stdout()))
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Stops the server with SIGTERM; returns everything it wrote: stdout, stderr.
    fn stop(mut self) -> (String, String) {
        // SAFETY: kill only sends a signal to the child started above.
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) }, 0);
        let status =
            wait::until("the server to exit after SIGTERM", Duration::from_secs(60), || self.child.try_wait().unwrap());
        assert!(status.success(), "serve exited with {status:?}");
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        (self.stdout(), self.stderr())
    }
}

/// What a journey used that must never be logged, by kind.
#[derive(Default)]
struct Secrets(Vec<(&'static str, String)>);

impl Secrets {
    fn add(&mut self, kind: &'static str, value: impl Into<String>) {
        let value = value.into();
        assert!(value.len() >= 8, "{kind} {value:?} is too short to search for");
        self.0.push((kind, value));
    }
}

/// The value of the cookie `name` that `response` sets.
fn cookie(response: &reqwest::Response, name: &str) -> String {
    response.cookies().find(|c| c.name() == name).map(|c| c.value().to_owned()).unwrap_or_else(|| panic!("no {name}"))
}

/// The path and query of a `Location` header.
fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// How the server logs: at a level (`None`: the default a publisher runs), in text or JSON.
#[derive(Debug, Clone, Copy)]
struct Log {
    level: Option<&'static str>,
    json: bool,
}

/// The request ID the journey's last request sends, to be found on its log line.
const REQUEST_ID: &str = "journey-last-request-0001";

/// A whole journey through the server, logging as `log` says.
async fn the_log_holds_no_secret(backend: Backend, logging: Log) {
    let database = TestDb::new(backend);
    let mut secrets = Secrets::default();
    let database_url = match backend {
        // The test cluster trusts local connections, so a password in the URL is carried, unused.
        Backend::Postgres => {
            secrets.add("database password", DB_PASSWORD);
            secrets.add("database password", DB_PASSWORD_PARAMETER);
            let mut url = url::Url::parse(&database.url).unwrap();
            url.set_password(Some(DB_PASSWORD)).unwrap();
            url.query_pairs_mut().append_pair("password", DB_PASSWORD_PARAMETER);
            url.to_string()
        }
        Backend::Sqlite => database.url.clone(),
    };
    let smtp = AuthSmtp::start(BOUNCING_EMAIL);
    let smtp_url = format!("smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{}", smtp.port);
    secrets.add("SMTP password", SMTP_PASSWORD);
    secrets.add("SMTP credentials as sent", STANDARD.encode(format!("\0{SMTP_USER}\0{SMTP_PASSWORD}")));
    let server = Server::start(&database, &database_url, &smtp_url, logging);
    let base = format!("http://{}", server.address());
    let url = |path: &str| format!("{base}{path}");

    // First run: no terminal, so no setup link is printed; the link is made as a terminal would
    // have been shown it, then followed to create the first standards editor.
    wait_for("the server to start", Duration::from_secs(60), || server.stdout().contains("No account exists yet"));
    let (db, _) = Db::open(&DbTarget::parse(&database.url).unwrap()).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let setup = db.write_blocking(|c| sessions::setup_link(c, now)).unwrap().unwrap();
    secrets.add("setup token", &setup);
    let setup_url = url(&format!("/setup/{setup}"));
    let sam =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = sam.get(&setup_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csrf = csrf_in(&page.text().await.unwrap());
    secrets.add("CSRF token", &csrf);
    secrets.add("password", SETUP_PASSWORD);
    let form = [
        ("email", "sam.standards@news.example"),
        ("name", "Sam Standards"),
        ("password", SETUP_PASSWORD),
        ("password_confirm", SETUP_PASSWORD),
        ("csrf", csrf.as_str()),
    ];
    let created = sam.post(&setup_url).form(&form).send().await.unwrap();
    assert_eq!(created.status(), 303);
    secrets.add("session cookie", cookie(&created, "corrigenda_session"));

    // An editor made on the command line, with an API token.
    secrets.add("password", EDITOR_PASSWORD);
    let eddie = "eddie.editor@news.example";
    let add = cli(
        &database,
        &["user", "add", "--email", eddie, "--name", "Eddie Editor", "--role", "editor", "--password-stdin"],
        Some(&format!("{EDITOR_PASSWORD}\n")),
    );
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));
    let made = cli(&database, &["token", "create", "--email", eddie, "--name", "cms"], None);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let token = String::from_utf8(made.stdout).unwrap().lines().last().unwrap().trim().to_owned();
    secrets.add("API token", &token);

    // The editor signs in after a wrong password, from a page that sent them to sign in.
    let editor =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let desk_search = format!("/desk?q={}", READER_EMAIL.replace('@', "%40"));
    let bounced = editor.get(url(&desk_search)).send().await.unwrap();
    assert_eq!(bounced.status(), 303);
    let login_url = url(&location(&bounced));
    assert!(login_url.contains("next="), "{login_url}");
    let page = editor.get(&login_url).send().await.unwrap();
    let login_csrf = cookie(&page, "corrigenda_login");
    secrets.add("CSRF token", &login_csrf);
    assert_eq!(csrf_in(&page.text().await.unwrap()), login_csrf);
    secrets.add("password", WRONG_PASSWORD);
    let sign_in = |password: &'static str| {
        let form = [("email", eddie), ("password", password), ("csrf", login_csrf.as_str()), ("next", &desk_search)];
        editor.post(url("/login")).form(&form).send()
    };
    assert_eq!(sign_in(WRONG_PASSWORD).await.unwrap().status(), 401);
    let signed_in = sign_in(EDITOR_PASSWORD).await.unwrap();
    assert_eq!(signed_in.status(), 303);
    secrets.add("session cookie", cookie(&signed_in, "corrigenda_session"));

    // The CMS registers the article with the token.
    let api = reqwest::Client::new();
    let put = api.put(url("/api/v1/articles/kursk")).bearer_auth(&token).json(&article_json()).send().await.unwrap();
    assert_eq!(put.status(), 201);

    // A reader files a report with their name and email, and one more reader whose mail bounces.
    let reader = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    secrets.add("reader name", READER_NAME);
    secrets.add("reader email", READER_EMAIL);
    let report = [
        ("category", "factual_error"),
        ("quote", "in the war that is approaching its four-year mark"),
        ("explanation", "The invasion began in February 2022: in December 2024 it was nearly three years."),
        ("evidence_urls", "https://en.wikipedia.org/wiki/Russian_invasion_of_Ukraine"),
        ("reporter_name", READER_NAME),
        ("reporter_email", READER_EMAIL),
        ("website", ""),
    ];
    let filed = reader.post(url("/articles/kursk/report")).form(&report).send().await.unwrap();
    assert_eq!(filed.status(), 303);
    let tracking_path = location(&filed);
    let tracking = tracking_path.trim_start_matches("/reports/").split('?').next().unwrap().to_owned();
    secrets.add("tracking token", &tracking);
    let page = reader.get(url(&format!("/reports/{tracking}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    // The same page by other spellings of its address, and a mistyped one.
    for path in [format!("/%72eports/{tracking}"), format!("//reports/{tracking}"), format!("/report/{tracking}")] {
        reader.get(url(&path)).send().await.unwrap();
    }
    secrets.add("reader name", BOUNCING_NAME);
    secrets.add("reader email", BOUNCING_EMAIL);
    let mut body = crate::helpers::report_json();
    body["reporter_name"] = json!(BOUNCING_NAME);
    body["reporter_email"] = json!(BOUNCING_EMAIL);
    let second = api.post(url("/api/v1/articles/kursk/reports")).json(&body).send().await.unwrap();
    assert_eq!(second.status(), 201);
    let second: Value = second.json().await.unwrap();
    secrets.add("tracking token", second["token"].as_str().unwrap());
    let tracked = api.get(url(&format!("/api/v1/reports/{}", second["token"].as_str().unwrap()))).send().await;
    assert_eq!(tracked.unwrap().status(), 200);

    // The desk finds the report by the reader's address, triages it on the ticket page (a form
    // with its CSRF token) and asks the reader a question through the API.
    let queue = api.get(url("/api/v1/desk/reports")).query(&[("q", READER_EMAIL)]).bearer_auth(&token).send().await;
    let queue: Value = queue.unwrap().json().await.unwrap();
    let id = queue["items"][0]["id"].as_i64().unwrap();
    let found = editor.get(url(&desk_search)).send().await.unwrap();
    assert_eq!(found.status(), 200);
    assert!(found.text().await.unwrap().contains(&format!("/desk/reports/{id}")), "the desk search found the report");
    let version = || async {
        let ticket = api.get(url(&format!("/api/v1/desk/reports/{id}"))).bearer_auth(&token).send().await.unwrap();
        ticket.json::<Value>().await.unwrap()["version"].as_i64().unwrap()
    };
    let ticket = editor.get(url(&format!("/desk/reports/{id}"))).send().await.unwrap();
    assert_eq!(ticket.status(), 200);
    let desk_csrf = csrf_in(&ticket.text().await.unwrap());
    secrets.add("CSRF token", &desk_csrf);
    let v = version().await.to_string();
    let triage = [("to", "triaged"), ("reason", ""), ("version", v.as_str()), ("csrf", desk_csrf.as_str())];
    let moved = editor.post(url(&format!("/desk/reports/{id}/transitions"))).form(&triage).send().await.unwrap();
    assert_eq!(moved.status(), 303, "{}", moved.text().await.unwrap());
    let ask = json!({"to": "needs_info", "reason": "Which source gives the start of the invasion?",
        "version": version().await});
    let asked = api.post(url(&format!("/api/v1/desk/reports/{id}/transitions"))).bearer_auth(&token).json(&ask).send();
    assert_eq!(asked.await.unwrap().status(), 200);

    // The reader answers on the tracking page, with the token in the address.
    let answer = [("body", "The BBC timeline says 24 February 2022.")];
    let answered = reader.post(url(&format!("/reports/{tracking}/reply"))).form(&answer).send().await.unwrap();
    assert_eq!(answered.status(), 303);

    // Someone subscribes to the article and confirms from the mail.
    secrets.add("subscriber email", SUBSCRIBER_EMAIL);
    let subscribed =
        reader.post(url("/articles/kursk/subscriptions")).form(&[("email", SUBSCRIBER_EMAIL)]).send().await.unwrap();
    assert_eq!(subscribed.status(), 303);
    wait_for("the confirmation mail", Duration::from_secs(60), || !smtp.to(SUBSCRIBER_EMAIL).is_empty());
    let confirm = link(&text_of(&smtp.to(SUBSCRIBER_EMAIL)[0]), &url("/subscriptions/"));
    secrets.add("confirmation token", confirm.trim_end_matches("/confirm").rsplit('/').next().unwrap());
    assert_eq!(reader.get(&confirm).send().await.unwrap().status(), 200);
    assert_eq!(reader.post(&confirm).send().await.unwrap().status(), 200);

    // The desk publishes a correction for the report.
    let correction = json!({"article_id": "kursk", "kind": "correction", "report_ids": [id],
        "text": "An earlier version of this article misstated how long the war had lasted."});
    let published = api.post(url("/api/v1/desk/corrections")).bearer_auth(&token).json(&correction).send();
    assert_eq!(published.await.unwrap().status(), 201);

    // The subscriber is told, and unsubscribes from that mail.
    wait_for("the correction mail", Duration::from_secs(60), || smtp.to(SUBSCRIBER_EMAIL).len() >= 2);
    let news = smtp.to(SUBSCRIBER_EMAIL)[1].clone();
    let unsubscribe = news.header("List-Unsubscribe").unwrap().trim_matches(['<', '>']).to_owned();
    secrets.add("unsubscribe token", unsubscribe.trim_end_matches("/unsubscribe").rsplit('/').next().unwrap());
    assert_eq!(reader.get(&unsubscribe).send().await.unwrap().status(), 200);
    let one_click = reader.post(&unsubscribe).form(&[("List-Unsubscribe", "One-Click")]).send().await.unwrap();
    assert_eq!(one_click.status(), 200);

    // The reader got every mail (receipt, question, correction); the bounce was refused and logged.
    wait_for("the reader's mail", Duration::from_secs(60), || smtp.to(READER_EMAIL).len() >= 3);
    wait_for("the refusal to be logged", Duration::from_secs(60), || {
        server.stderr().contains("mail refused permanently")
    });
    assert!(smtp.logins.lock().unwrap().1 > 0, "the server signed in to the SMTP server");

    // A request that names its ID, as a load balancer's would.
    let named = reader.get(url("/corrections")).header("x-request-id", REQUEST_ID).send().await.unwrap();
    assert_eq!(named.headers()["x-request-id"], REQUEST_ID);

    let (stdout, stderr) = server.stop();
    let log = format!("{stdout}{stderr}");
    let access_line = if logging.json {
        let lines = json_lines(&stderr);
        let line = lines.iter().find(|l| l["span"]["request_id"] == REQUEST_ID).unwrap_or_else(|| {
            panic!("no JSON line carries the request ID:\n{stderr}");
        });
        assert_eq!(line["level"], "INFO");
        line["message"].as_str().unwrap().to_owned()
    } else {
        let line = stderr.lines().find(|l| l.contains(&format!("request_id={REQUEST_ID}")));
        line.unwrap_or_else(|| panic!("no line carries the request ID:\n{stderr}")).to_owned()
    };
    assert!(access_line.contains("GET /corrections 200"), "{access_line}");
    // Not vacuous: the log has the start-up lines and a line per request.
    for expected in [
        "Corrigenda is listening on",
        "Mail: SMTP at smtp://127.0.0.1:",
        "GET /setup/[token] 200",
        "POST /setup/[token] 303",
        "POST /login 401",
        "POST /login 303",
        "GET /desk 303",
        "GET /desk 200",
        "POST /articles/kursk/report 303",
        "GET /reports/[token] 200",
        "GET /%72eports/[token] 200",
        "GET //reports/[token] 404",
        "POST /reports/[token]/reply 303",
        "GET /api/v1/reports/[token] 200",
        "POST /subscriptions/[token]/confirm 200",
        "POST /subscriptions/[token]/unsubscribe 200",
        "POST /api/v1/desk/corrections 201",
        "mail refused permanently",
        "mail not delivered yet",
    ] {
        assert!(log.contains(expected), "the log has no {expected:?}:\n{log}");
    }
    // Whatever the journey used or not: a secret address is logged only with its token masked.
    for prefix in ["/setup/", "/reports/", "/subscriptions/"] {
        for (at, _) in log.match_indices(prefix) {
            let rest = &log[at + prefix.len()..];
            let segment = rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).next();
            assert_ne!(segment.map(str::len), Some(43), "a {prefix} link with its token:\n{log}");
        }
    }
    // In JSON, also as the lines' strings read back (an escape must not hide a secret).
    let decoded: String = if logging.json {
        json_lines(&stderr).iter().flat_map(strings_in).collect::<Vec<_>>().join("\n")
    } else {
        String::new()
    };
    for (kind, value) in &secrets.0 {
        for form in [value.clone(), value.replace('@', "%40"), value.replace(' ', "+"), value.replace(' ', "%20")] {
            assert!(!log.contains(&form), "the log holds a {kind} ({form:?}):\n{log}");
            assert!(!decoded.contains(&form), "the JSON log holds a {kind} ({form:?}):\n{decoded}");
        }
    }
    assert!(log.contains("corrigenda user add --role standards_editor"), "says how to make the first account");
}

/// The server's JSON log lines: every line it wrote to stderr is one JSON object with a
/// timestamp, a level and a message (a note printed before logging starts excepted).
fn json_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter(|line| !line.starts_with("corrigenda: "))
        .map(|line| {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            assert!(
                value["timestamp"].is_string() && value["level"].is_string() && value["message"].is_string(),
                "not a log line: {line}"
            );
            value
        })
        .collect()
}

/// Every string in a JSON value, keys included.
fn strings_in(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(strings_in).collect(),
        Value::Object(map) => map.iter().flat_map(|(k, v)| std::iter::once(k.clone()).chain(strings_in(v))).collect(),
        _ => Vec::new(),
    }
}

async fn the_log_at_the_default_level_holds_no_secret(backend: Backend) {
    the_log_holds_no_secret(backend, Log { level: None, json: false }).await;
}

async fn the_log_at_debug_level_holds_no_secret(backend: Backend) {
    the_log_holds_no_secret(backend, Log { level: Some("debug"), json: false }).await;
}

async fn the_json_log_holds_no_secret_and_names_each_request(backend: Backend) {
    the_log_holds_no_secret(backend, Log { level: None, json: true }).await;
}

crate::both_backends!(
    the_log_at_the_default_level_holds_no_secret,
    the_log_at_debug_level_holds_no_secret,
    the_json_log_holds_no_secret_and_names_each_request,
);
