//! A real SMTP server for the tests: it accepts (or refuses) mail and keeps what it received.

use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server};

use crate::helpers::wait::Gate;

/// A message as it arrived, parsed.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Received {
    /// A header's decoded value.
    pub fn header(&self, name: &str) -> Option<String> {
        use mailparse::MailHeaderMap;
        mailparse::parse_mail(&self.raw).ok()?.headers.get_first_value(name)
    }

    /// The decoded text and HTML parts.
    pub fn parts(&self) -> (String, String) {
        let parsed = mailparse::parse_mail(&self.raw).unwrap();
        let mut text = String::new();
        let mut html = String::new();
        for part in &parsed.subparts {
            match part.ctype.mimetype.as_str() {
                "text/plain" => text = part.get_body().unwrap(),
                "text/html" => html = part.get_body().unwrap(),
                _ => {}
            }
        }
        (text, html)
    }
}

#[derive(Clone)]
struct Sink {
    store: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<Vec<String>>,
    to: Vec<String>,
    data: Vec<u8>,
    /// How long at most to hold a message's end before accepting it, as a slow server does.
    hold: Duration,
    /// Ends the holds before their time when the test opens it.
    gate: Arc<Gate>,
    /// Turns true once a message's end has arrived and is being held.
    holding: Arc<AtomicBool>,
    /// While true, every recipient is refused for now (451), as a server out of service does.
    down: Arc<AtomicBool>,
    /// Messages whose end has arrived and whose acceptance is being held right now.
    held: Arc<AtomicUsize>,
}

impl Handler for Sink {
    fn rcpt(&mut self, to: &str) -> Response {
        if self.down.load(Ordering::SeqCst) {
            return Response::custom(451, "4.3.0 Service unavailable, try again later".to_owned());
        }
        if self.refuse.iter().any(|r| r == to) {
            // As Postfix does: the refusal quotes the address.
            return Response::custom(550, format!("5.1.1 <{to}>: Recipient address rejected: User unknown"));
        }
        self.to.push(to.to_owned());
        OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if !self.hold.is_zero() {
            self.holding.store(true, Ordering::SeqCst);
            self.held.fetch_add(1, Ordering::SeqCst);
            self.gate.hold(self.hold);
        }
        let to = std::mem::take(&mut self.to);
        // Accepted, even when the sender has gone meanwhile: it will be told OK if it is still there.
        self.store.lock().unwrap().push(Received { to, raw: std::mem::take(&mut self.data) });
        if !self.hold.is_zero() {
            self.held.fetch_sub(1, Ordering::SeqCst);
        }
        OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        OK
    }
}

/// A running SMTP server on 127.0.0.1.
pub struct Smtp {
    pub port: u16,
    store: Arc<Mutex<Vec<Received>>>,
    holding: Arc<AtomicBool>,
    down: Arc<AtomicBool>,
    held: Arc<AtomicUsize>,
    gate: Arc<Gate>,
}

impl Smtp {
    /// Starts a server on a free port (bound here, so no other test can take it first).
    pub fn start() -> Self {
        Self::start_with(TcpListener::bind("127.0.0.1:0").unwrap(), &[], Duration::ZERO)
    }

    /// Starts a server on a free port that refuses the addresses in `refuse` with 550, naming them.
    pub fn start_refusing(refuse: &[&str]) -> Self {
        Self::start_with(TcpListener::bind("127.0.0.1:0").unwrap(), refuse, Duration::ZERO)
    }

    /// Starts a server that refuses every recipient for now (451) until [`Smtp::come_up`].
    pub fn start_down() -> Self {
        let smtp = Self::start();
        smtp.down.store(true, Ordering::SeqCst);
        smtp
    }

    /// Accepts mail from now on.
    pub fn come_up(&self) {
        self.down.store(false, Ordering::SeqCst);
    }

    /// Starts a server on a free port that answers each message's end after `hold`, or
    /// sooner once [`Smtp::release`] is called.
    pub fn start_slow(hold: Duration) -> Self {
        Self::start_with(TcpListener::bind("127.0.0.1:0").unwrap(), &[], hold)
    }

    fn start_with(listener: TcpListener, refuse: &[&str], hold: Duration) -> Self {
        let port = listener.local_addr().unwrap().port();
        let holding = Arc::new(AtomicBool::new(false));
        let down = Arc::new(AtomicBool::new(false));
        let held = Arc::new(AtomicUsize::new(0));
        let store = Arc::new(Mutex::new(Vec::new()));
        let gate = Arc::new(Gate::default());
        let sink = Sink {
            store: store.clone(),
            refuse: Arc::new(refuse.iter().map(|s| (*s).to_owned()).collect()),
            to: Vec::new(),
            data: Vec::new(),
            hold,
            gate: gate.clone(),
            holding: holding.clone(),
            down: down.clone(),
            held: held.clone(),
        };
        let mut server = Server::new(sink);
        server.with_name("sink.test").with_num_threads(2).with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, store, holding, down, held, gate }
    }

    /// Accepts every message held now and later at once (a slow server only).
    pub fn release(&self) {
        self.gate.open();
    }

    /// Whether a message has arrived whole and its acceptance is being held (a slow server only).
    pub fn holding(&self) -> bool {
        self.holding.load(Ordering::SeqCst)
    }

    /// Whether a message has arrived whole and its acceptance is being held right now (a slow server only).
    pub fn holding_now(&self) -> bool {
        self.held.load(Ordering::SeqCst) > 0
    }

    /// The URL for SMTP_URL.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Everything received so far (a message is here once the dispatcher's send returned).
    pub fn received(&self) -> Vec<Received> {
        self.store.lock().unwrap().clone()
    }

    /// Messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.received().into_iter().filter(|m| m.to.iter().any(|t| t == address)).collect()
    }
}
