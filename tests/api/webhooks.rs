//! Webhooks and chat alerts, heard by a real HTTP receiver on a loopback port that checks every
//! signature with its own HMAC-SHA256 (built here from SHA-256, not the product's signing code).

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Duration;
use corrigenda::domain::accounts::Role;
use corrigenda::domain::signing::LogKey;
use corrigenda::mail::webhooks::{self, EndpointInput, Hooks, SecretBox, WebhookDispatcher, KEY_PURPOSE};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::both_backends;
use crate::helpers::wait::{self, Gate};
use crate::helpers::{article_json, csrf_in, report_json, Backend, TestApp, TestUser};

both_backends!(
    every_event_is_signed_and_carries_no_reader_data,
    a_500_is_retried_until_it_is_delivered,
    a_400_is_not_retried,
    two_dispatchers_deliver_each_event_once,
    a_removed_endpoint_gets_nothing_more,
    chat_alerts_say_what_happened_with_links_to_the_desk,
    the_cli_adds_lists_and_removes_endpoints,
    the_desk_page_adds_tests_and_removes_an_endpoint,
    a_channel_with_a_webhook_is_done_when_its_endpoint_accepts_the_corrective,
    the_channel_forms_choose_a_webhook,
    a_report_made_urgent_later_is_alerted_in_chat,
);

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Heard {
    pub(crate) headers: HashMap<String, String>,
    pub(crate) body: String,
}

impl Heard {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A small HTTP/1.1 server (shared with the several-instances test): records each request and answers the next scripted status (200 when none is left).
pub(crate) struct Receiver {
    pub(crate) url: String,
    heard: Arc<Mutex<Vec<Heard>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
    /// Requests read whole whose answer is being held right now (a slow receiver only).
    holding: Arc<AtomicUsize>,
    gate: Arc<Gate>,
}

impl Receiver {
    pub(crate) fn start() -> Self {
        Self::start_slow(StdDuration::ZERO)
    }

    /// A receiver that holds each request, once read whole, until [`Receiver::release`] or
    /// for `hold` at most, before answering it.
    fn start_slow(hold: StdDuration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let heard = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let holding = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(Gate::default());
        let (h, s, held, g) = (heard.clone(), script.clone(), holding.clone(), gate.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (h, s, held, g) = (h.clone(), s.clone(), held.clone(), g.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut headers = HashMap::new();
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap();
                        let header = header.trim_end();
                        if header.is_empty() {
                            break;
                        }
                        let (name, value) = header.split_once(':').unwrap();
                        headers.insert(name.trim().to_lowercase(), value.trim().to_owned());
                    }
                    let length: usize = headers.get("content-length").map_or(0, |l| l.parse().unwrap());
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    if !hold.is_zero() {
                        held.fetch_add(1, Ordering::SeqCst);
                        g.hold(hold);
                        held.fetch_sub(1, Ordering::SeqCst);
                    }
                    let status = s.lock().unwrap().pop_front().unwrap_or(200);
                    h.lock().unwrap().push(Heard { headers, body: String::from_utf8(body).unwrap() });
                    let answer =
                        format!("HTTP/1.1 {status} Scripted\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                    let _ = stream.write_all(answer.as_bytes());
                });
            }
        });
        Self { url, heard, script, holding, gate }
    }

    /// How many requests are being held right now (a slow receiver only).
    fn holding(&self) -> usize {
        self.holding.load(Ordering::SeqCst)
    }

    /// Answers every request held now and later at once (a slow receiver only).
    fn release(&self) {
        self.gate.open();
    }

    fn answer(&self, statuses: &[u16]) {
        self.script.lock().unwrap().extend(statuses);
    }

    pub(crate) fn heard(&self) -> Vec<Heard> {
        self.heard.lock().unwrap().clone()
    }
}

/// HMAC-SHA256 (RFC 2104), written out here so the test does not trust the product's.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).chain(message.iter().copied()).collect();
    let inner_hash = Sha256::digest(&inner);
    let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).chain(inner_hash.iter().copied()).collect();
    Sha256::digest(&outer).into()
}

/// Checks a request's Standard Webhooks headers against `secret`.
fn assert_signed(heard: &Heard, secret: &str, app: &TestApp) {
    let id = &heard.headers["webhook-id"];
    let timestamp = &heard.headers["webhook-timestamp"];
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    assert_eq!(key.len(), 32);
    let expected = STANDARD.encode(hmac_sha256(&key, format!("{id}.{timestamp}.{}", heard.body).as_bytes()));
    let signatures: Vec<&str> = heard.headers["webhook-signature"].split(' ').collect();
    assert!(signatures.contains(&format!("v1,{expected}").as_str()), "{:?} != v1,{expected}", signatures);
    assert!(id.starts_with("msg_"), "{id}");
    let sent: i64 = timestamp.parse().unwrap();
    assert!((sent - app.clock.now().and_utc().timestamp()).abs() < 60, "the timestamp is unix seconds, now");
    assert_eq!(heard.headers["content-type"], "application/json");
}

/// The hooks of the test server (same key file, so the same secrets' box).
pub(crate) fn hooks(app: &TestApp) -> Hooks {
    let key = LogKey::load_or_create(std::path::Path::new(&app.database.key_path)).unwrap().0;
    Hooks {
        base_url: app.address.clone(),
        publication: "The Daily Example".into(),
        secrets: SecretBox::new(key.derive_key(KEY_PURPOSE)),
        notice: corrigenda::web::pages::corrections::notice_renderer(app.address.clone(), chrono_tz::UTC),
    }
}

pub(crate) fn dispatcher(app: &TestApp) -> WebhookDispatcher {
    WebhookDispatcher::with_timeout(app.db.clone(), hooks(app), app.clock.clone(), StdDuration::from_secs(5))
}

/// Rounds until one handles nothing; returns deliveries handled.
pub(crate) async fn deliver(d: &WebhookDispatcher) -> usize {
    let mut total = 0;
    for _ in 0..100 {
        let n = d.round().await.unwrap();
        if n == 0 {
            return total;
        }
        total += n;
    }
    panic!("the webhook outbox did not empty")
}

/// Registers an endpoint directly; returns (id, secret).
pub(crate) fn register(app: &TestApp, url: &str, kind: &str, events: &[&str]) -> (i64, String) {
    let hooks = hooks(app);
    let input = EndpointInput {
        url: url.to_owned(),
        kind: kind.to_owned(),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
    };
    let now = app.clock.now();
    app.db.write_blocking(|c| webhooks::register(c, &hooks, &input, now)).unwrap()
}

/// Queues one test event for endpoint `id`, as the page's button does.
fn queue_test_event(app: &TestApp, id: i64) {
    let hooks = hooks(app);
    let now = app.clock.now();
    app.db.write_blocking(|c| webhooks::send_test(c, &hooks, id, now)).unwrap();
}

async fn post(app: &TestApp, user: &TestUser, path: &str, body: &Value) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(&user.token).json(body).send().await.unwrap()
}

fn retraction(report: i64) -> Value {
    json!({
        "article_id": "kursk",
        "kind": "retraction",
        "text": "This article has been retracted because its central claim does not stand.",
        "report_ids": [report],
    })
}

/// (status, attempts, last response) of every delivery, oldest first.
fn deliveries(app: &TestApp) -> Vec<(String, i32, Option<i32>)> {
    use corrigenda::db::schema::webhook_deliveries as d;
    use diesel::prelude::*;
    app.db
        .read_blocking(|c| {
            Ok(d::table.order(d::id.asc()).select((d::status, d::attempts, d::last_status)).load::<(
                String,
                i32,
                Option<i32>,
            )>(c)?)
        })
        .unwrap()
}

async fn every_event_is_signed_and_carries_no_reader_data(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let receiver = Receiver::start();
    let (_, secret) = register(&app, &receiver.url, "webhook", &[]);
    let author = app.user(Role::Editor);
    let approver = app.user(Role::StandardsEditor);

    let (report, tracking) = app.filed().await;
    let (_, version) = app.state_of(report);
    let moved = app.move_report(&author.token, report, json!({"to": "triaged", "version": version})).await;
    assert_eq!(moved.status(), 200);
    let pending: Value =
        post(&app, &author, "/api/v1/desk/corrections", &retraction(report)).await.json().await.unwrap();
    let first = pending["id"].as_i64().unwrap();
    let path = format!("/api/v1/desk/corrections/{first}/return");
    assert_eq!(post(&app, &approver, &path, &json!({"reason": "Cite the ruling."})).await.status(), 200);
    let again: Value = post(&app, &author, "/api/v1/desk/corrections", &retraction(report)).await.json().await.unwrap();
    let second = again["id"].as_i64().unwrap();
    let path = format!("/api/v1/desk/corrections/{second}/withdraw");
    assert_eq!(post(&app, &author, &path, &json!({"reason": "Not needed after all."})).await.status(), 200);
    let text = "An earlier version of this article misstated how long the war had lasted.";
    let body = json!({"article_id": "kursk", "kind": "correction", "text": text, "report_ids": [report]});
    let published = post(&app, &author, "/api/v1/desk/corrections", &body).await;
    assert_eq!(published.status(), 201);
    let published: Value = published.json().await.unwrap();

    let d = dispatcher(&app);
    assert!(deliver(&d).await > 0);
    let heard = receiver.heard();
    for h in &heard {
        assert_signed(h, &secret, &app);
        for private in ["Ada Reader", "ada@example.com", tracking.as_str(), "The invasion began in February 2022"] {
            assert!(!h.body.contains(private), "{private} leaked in {}", h.body);
        }
    }
    let ids: std::collections::HashSet<&String> = heard.iter().map(|h| &h.headers["webhook-id"]).collect();
    assert_eq!(ids.len(), heard.len(), "each delivery has its own id");
    let of = |kind: &str| -> Vec<Value> { heard.iter().map(Heard::json).filter(|j| j["type"] == kind).collect() };
    for kind in webhooks::EVENTS {
        assert!(
            !of(kind).is_empty(),
            "no {kind} in {:?}",
            heard.iter().map(|h| h.json()["type"].clone()).collect::<Vec<_>>()
        );
    }
    for j in heard.iter().map(Heard::json) {
        assert!(j["timestamp"].as_str().unwrap().ends_with('Z'), "{j}");
        assert_eq!(j.as_object().unwrap().len(), 3, "type, timestamp, data: {j}");
    }

    let filed = &of("report.filed")[0]["data"];
    assert_eq!(filed["report_id"], report);
    assert_eq!(filed["article_id"], "kursk");
    assert_eq!(filed["status"], "new");
    assert_eq!(filed["category"], "factual_error");
    assert_eq!(filed["desk_url"], app.url(&format!("/desk/reports/{report}")));

    // Posted side by side, so heard in any order.
    let mut moves: Vec<(String, String)> = of("report.status_changed")
        .iter()
        .map(|j| (j["data"]["from"].as_str().unwrap().to_owned(), j["data"]["to"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("new", "triaged"),
        ("triaged", "awaiting_approval"),
        ("awaiting_approval", "in_review"),
        ("in_review", "awaiting_approval"),
        ("awaiting_approval", "in_review"),
        ("in_review", "corrected"),
    ];
    let mut expected = expected.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec();
    moves.sort();
    expected.sort();
    assert_eq!(moves, expected);
    let corrected = of("report.status_changed").into_iter().find(|j| j["data"]["to"] == "corrected").unwrap();
    assert_eq!(corrected["data"]["correction_id"], published["id"]);
    assert_eq!(corrected["data"]["report_id"], report);
    assert_eq!(corrected["data"]["article_id"], "kursk");

    let pendings = of("correction.pending");
    assert_eq!(pendings.len(), 2, "drafted twice");
    let pending = &pendings.iter().find(|j| j["data"]["correction_id"] == first).unwrap()["data"];
    assert_eq!(pending["correction_id"], first);
    assert_eq!(pending["article_id"], "kursk");
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["report_ids"], json!([report]));
    assert_eq!(pending["correction"]["kind"], "retraction");
    assert_eq!(pending["correction"]["hash"], Value::Null);
    assert_eq!(of("correction.returned")[0]["data"]["status"], "returned");
    assert_eq!(of("correction.returned")[0]["data"]["correction_id"], first);
    assert_eq!(of("correction.withdrawn")[0]["data"]["status"], "withdrawn");
    assert_eq!(of("correction.withdrawn")[0]["data"]["correction_id"], second);

    let done = &of("correction.published")[0]["data"];
    assert_eq!(done["correction_id"], published["id"]);
    assert_eq!(done["status"], "published");
    assert_eq!(done["correction"]["text"], text);
    // As the public log has it: the same index, hash and canonical entry.
    let entries: Value =
        app.client.get(app.url("/api/v1/log/entries?from=0")).send().await.unwrap().json().await.unwrap();
    let entry = &entries["items"][0];
    assert_eq!(entry["index"], 0, "{entries}");
    assert_eq!(done["correction"]["log_index"], entry["index"]);
    assert_eq!(done["correction"]["hash"], entry["hash"]);
    assert_eq!(done["log_entry"]["index"], entry["index"]);
    assert_eq!(done["log_entry"]["hash"], entry["hash"]);
    assert_eq!(done["log_entry"]["canonical"], entry["canonical"]);
    // The notice as the public notice renders it, and its JSON-LD.
    let notice = app.client.get(app.url("/articles/kursk/notice")).send().await.unwrap().text().await.unwrap();
    assert_eq!(done["notice"]["html"], notice);
    assert_eq!(done["notice"]["json_ld"]["@type"], "NewsArticle");
    assert_eq!(done["notice"]["json_ld"]["correction"][0]["text"], text);
    assert_eq!(done["log_url"], app.url("/articles/kursk/corrections"));

    assert!(deliveries(&app).iter().all(|(s, a, code)| s == "sent" && *a == 1 && *code == Some(200)));
    app.deliver_mail().await;
}

async fn a_500_is_retried_until_it_is_delivered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let receiver = Receiver::start();
    receiver.answer(&[500, 503]);
    let (id, secret) = register(&app, &receiver.url, "webhook", &[]);
    queue_test_event(&app, id);
    let d = dispatcher(&app);
    assert_eq!(deliver(&d).await, 1);
    assert_eq!(deliveries(&app), [("queued".to_owned(), 1, Some(500))], "kept for a retry");
    assert_eq!(deliver(&d).await, 0, "not before its backoff");
    app.clock.advance(Duration::seconds(16));
    assert_eq!(deliver(&d).await, 1);
    assert_eq!(deliveries(&app), [("queued".to_owned(), 2, Some(503))]);
    app.clock.advance(Duration::seconds(31));
    assert_eq!(deliver(&d).await, 1);
    assert_eq!(deliveries(&app), [("sent".to_owned(), 3, Some(200))]);
    let heard = receiver.heard();
    assert_eq!(heard.len(), 3);
    assert!(
        heard.iter().all(|h| h.headers["webhook-id"] == heard[0].headers["webhook-id"]),
        "one id for every attempt"
    );
    for h in &heard {
        assert_signed(h, &secret, &app);
        assert_eq!(h.json()["type"], "webhook.test");
    }
    // The outbox page shows the deliveries with their last answer.
    let standards = app.user(Role::StandardsEditor);
    let browser = app.signed_in(&standards).await;
    let page = browser.get(app.url("/desk/outbox")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("webhook.test") && page.contains(&receiver.url) && page.contains(">200<"), "{page}");
}

async fn a_400_is_not_retried(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let receiver = Receiver::start();
    receiver.answer(&[400]);
    let (id, _) = register(&app, &receiver.url, "webhook", &[]);
    queue_test_event(&app, id);
    let d = dispatcher(&app);
    assert_eq!(deliver(&d).await, 1);
    app.clock.advance(Duration::hours(3));
    assert_eq!(deliver(&d).await, 0);
    assert_eq!(receiver.heard().len(), 1);
    assert_eq!(deliveries(&app), [("failed".to_owned(), 1, Some(400))]);
    let listed = app.db.read_blocking(webhooks::list).unwrap();
    assert_eq!(listed[0].last_status, Some(400));
    assert!(listed[0].last_error.as_deref().unwrap().contains("400"));
}

async fn two_dispatchers_deliver_each_event_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Each post is held until both dispatchers have theirs under way at once.
    let receiver = Receiver::start_slow(StdDuration::from_secs(45));
    let (id, _) = register(&app, &receiver.url, "webhook", &[]);
    let hooks = hooks(&app);
    let now = app.clock.now();
    app.db
        .write_blocking(|c| {
            for _ in 0..60 {
                webhooks::send_test(c, &hooks, id, now)?;
            }
            Ok(())
        })
        .unwrap();
    // Patient enough to outlast the hold below.
    let patient = || {
        WebhookDispatcher::with_timeout(app.db.clone(), hooks.clone(), app.clock.clone(), StdDuration::from_secs(60))
    };
    let (one, two) = (patient(), patient());
    // One round claims at most 50 (BATCH): all 60 held at once means both dispatchers claimed
    // while the other's posts were under way.
    let both_under_way = async {
        wait::until_async("60 posts held at once", StdDuration::from_secs(30), || {
            let holding = receiver.holding();
            async move { (holding >= 60).then_some(()) }
        })
        .await;
        receiver.release();
    };
    let (a, b, ()) = tokio::join!(deliver(&one), deliver(&two), both_under_way);
    assert_eq!((a.min(b), a.max(b)), (10, 50), "each dispatcher sent what it claimed, one batch each");
    let heard = receiver.heard();
    assert_eq!(heard.len(), 60);
    let ids: std::collections::HashSet<&String> = heard.iter().map(|h| &h.headers["webhook-id"]).collect();
    assert_eq!(ids.len(), 60, "no event was posted twice");
}

async fn a_removed_endpoint_gets_nothing_more(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let receiver = Receiver::start();
    receiver.answer(&[500]);
    let (id, _) = register(&app, &receiver.url, "webhook", &[]);
    queue_test_event(&app, id);
    let d = dispatcher(&app);
    assert_eq!(deliver(&d).await, 1);
    let now = app.clock.now();
    app.db.write_blocking(|c| webhooks::remove(c, id, now)).unwrap();
    app.filed().await;
    app.clock.advance(Duration::hours(1));
    assert_eq!(deliver(&d).await, 0);
    assert_eq!(receiver.heard().len(), 1, "only the attempt before it was removed");
    assert_eq!(deliveries(&app), [("cancelled".to_owned(), 1, Some(500))]);
    assert!(app.db.read_blocking(webhooks::list).unwrap().is_empty());
    app.deliver_mail().await;
}

async fn chat_alerts_say_what_happened_with_links_to_the_desk(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let receiver = Receiver::start();
    register(&app, &receiver.url, "chat", &[]);
    let author = app.user(Role::Editor);
    app.user(Role::StandardsEditor);
    let d = dispatcher(&app);
    let texts = |receiver: &Receiver| -> Vec<String> {
        receiver.heard().iter().map(|h| h.json()["text"].as_str().unwrap().to_owned()).collect()
    };

    // A normal report is not alerted; a misquote (high severity) is.
    let (normal, _) = app.filed().await;
    let mut misquote = report_json();
    misquote["category"] = json!("misquote");
    let filed: Value = app.file_report("kursk", &misquote).await.json().await.unwrap();
    let urgent = app
        .db
        .read_blocking(|c| Ok(corrigenda::domain::reports::for_token(c, filed["token"].as_str().unwrap())?.id))
        .unwrap();
    deliver(&d).await;
    let title = article_json()["title"].as_str().unwrap().to_owned();
    let heard = texts(&receiver);
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert!(
        heard[0].starts_with(&format!("High severity report #{urgent} on \u{201c}{title}\u{201d} (misquote), due "))
    );
    assert!(heard[0].ends_with(&app.url(&format!("/desk/reports/{urgent}"))), "{}", heard[0]);
    assert!(!heard[0].contains("Ada") && !heard[0].contains("ada@"));
    assert!(receiver.heard()[0].json().as_object().unwrap().keys().eq(["text"]));

    // A correction waiting for approval, then one published.
    let pending: Value =
        post(&app, &author, "/api/v1/desk/corrections", &retraction(normal)).await.json().await.unwrap();
    let pending = pending["id"].as_i64().unwrap();
    let text = "An earlier version of this article misstated how long the war had lasted.";
    let body = json!({"article_id": "kursk", "kind": "correction", "text": text, "report_ids": [urgent]});
    let published: Value = post(&app, &author, "/api/v1/desk/corrections", &body).await.json().await.unwrap();
    let published = published["id"].as_i64().unwrap();
    deliver(&d).await;
    let mut heard = texts(&receiver);
    assert_eq!(heard.len(), 3, "{heard:?}");
    // Posted side by side, so heard in either order.
    heard[1..].sort();
    assert_eq!(
        heard[1],
        format!(
            "Correction #{pending} (retraction) on \u{201c}{title}\u{201d} by {} waits for approval: {}",
            author.actor.name,
            app.url("/desk/corrections")
        )
    );
    assert_eq!(
        heard[2],
        format!(
            "Published: correction #{published} on \u{201c}{title}\u{201d}: \u{201c}{text}\u{201d} {}",
            app.url(&format!("/articles/kursk/corrections#correction-{published}"))
        )
    );

    // The normal report's deadline (72 h) passes: one alert, however many rounds follow.
    app.clock.advance(Duration::hours(73));
    deliver(&d).await;
    app.clock.advance(Duration::minutes(2));
    deliver(&d).await;
    let heard = texts(&receiver);
    assert_eq!(heard.len(), 4, "{heard:?}");
    assert!(
        heard[3].starts_with(&format!("Overdue: report #{normal} on \u{201c}{title}\u{201d} (normal severity, ")),
        "{}",
        heard[3]
    );
    assert!(heard[3].ends_with(&app.url(&format!("/desk/reports/{normal}"))), "{}", heard[3]);
    app.deliver_mail().await;
}

async fn the_cli_adds_lists_and_removes_endpoints(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let receiver = Receiver::start();

    let refused = app.cli(&["webhook", "add", "--url", "ftp://cms.example/hooks"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("url:") && stderr.contains("https://"), "{stderr}");
    let refused = app.cli(&["webhook", "add", "--url", &receiver.url, "--events", "report.filed,nonsense"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("events:"), "unknown events are named");
    assert!(app.db.read_blocking(webhooks::list).unwrap().is_empty(), "nothing was registered");

    let added = app.cli(&["webhook", "add", "--url", &receiver.url, "--events", "report.filed"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let stdout = String::from_utf8(added.stdout).unwrap();
    let secret = stdout.lines().last().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{stdout}");
    assert_eq!(STANDARD.decode(&secret[6..]).unwrap().len(), 32);
    assert!(!app.database_text(&[]).contains(&secret[6..]), "the secret is not stored in clear");

    let listed = String::from_utf8(app.cli(&["webhook", "list"]).stdout).unwrap();
    let line = listed.lines().find(|l| l.contains(&receiver.url)).unwrap().to_owned();
    let id = line.split('\t').next().unwrap().to_owned();
    assert!(line.contains("webhook") && line.contains("report.filed") && !line.contains("whsec_"), "{line}");

    // What it signs verifies with the secret the CLI printed.
    app.filed().await;
    deliver(&dispatcher(&app)).await;
    let heard = receiver.heard();
    assert_eq!(heard.len(), 1, "report.filed only");
    assert_signed(&heard[0], &secret, &app);

    let removed = app.cli(&["webhook", "remove", &id]);
    assert!(removed.status.success());
    assert!(!String::from_utf8(app.cli(&["webhook", "list"]).stdout).unwrap().contains(&receiver.url));
    assert!(!app.cli(&["webhook", "remove", &id]).status.success(), "removed once");
    app.deliver_mail().await;
}

async fn the_desk_page_adds_tests_and_removes_an_endpoint(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let receiver = Receiver::start();
    let editor = app.user(Role::Editor);
    let browser = app.signed_in(&editor).await;
    assert_eq!(browser.get(app.url("/desk/webhooks")).send().await.unwrap().status(), 403, "standards editors only");

    let standards = app.user(Role::StandardsEditor);
    let browser = app.signed_in(&standards).await;
    let page = browser.get(app.url("/desk/webhooks")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("No endpoint is registered."));
    let csrf = csrf_in(&page);

    let bad = browser
        .post(app.url("/desk/webhooks"))
        .form(&[("csrf", csrf.as_str()), ("url", "javascript:alert(1)"), ("kind", "webhook")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("href=\"#field-url\"") && bad.contains("The address must start with https://"), "{bad}");

    let added = browser
        .post(app.url("/desk/webhooks"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("url", receiver.url.as_str()),
            ("kind", "webhook"),
            ("events", "correction.published"),
            ("events", "report.filed"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let added = added.text().await.unwrap();
    let at = added.find("whsec_").expect("the secret is shown once");
    let secret: String = added[at..].chars().take_while(|c| *c != '<').collect();
    let page = browser.get(app.url("/desk/webhooks")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("whsec_"), "and only once");
    assert!(page.contains(&receiver.url) && page.contains("correction.published, report.filed"), "{page}");
    assert!(page.contains("Nothing sent yet"));
    let id = app.db.read_blocking(webhooks::list).unwrap()[0].id;

    let tested = browser
        .post(app.url(&format!("/desk/webhooks/{id}/test")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(tested.status(), 303);
    deliver(&dispatcher(&app)).await;
    let heard = receiver.heard();
    assert_eq!(heard.len(), 1);
    assert_signed(&heard[0], &secret, &app);
    assert_eq!(heard[0].json()["type"], "webhook.test");
    assert_eq!(heard[0].json()["data"]["endpoint_id"], id);
    let page = browser.get(app.url("/desk/webhooks")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Answered 200 on"), "{page}");

    let forged = browser.post(app.url(&format!("/desk/webhooks/{id}/delete"))).form(&[("csrf", "x")]).send().await;
    assert_eq!(forged.unwrap().status(), 403);
    let removed = browser
        .post(app.url(&format!("/desk/webhooks/{id}/delete")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 303);
    let page = browser.get(app.url("/desk/webhooks?done=removed")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("No endpoint is registered.") && page.contains("Endpoint removed"), "{page}");
}

/// One item of a correction's checklist, as the API has it.
async fn checklist_item(app: &TestApp, user: &TestUser, id: i64, channel: i64) -> Value {
    let list = app.get_as(&user.token, &format!("/api/v1/desk/corrections/{id}/channels")).await;
    list["items"].as_array().unwrap().iter().find(|i| i["channel_id"] == channel).unwrap().clone()
}

async fn a_channel_with_a_webhook_is_done_when_its_endpoint_accepts_the_corrective(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let receiver = Receiver::start();
    // Subscribed to another event only: naming it on a channel is what asks for the corrective.
    let (endpoint, secret) = register(&app, &receiver.url, "webhook", &["report.filed"]);
    let (chat, _) = register(&app, &receiver.url, "chat", &["report.overdue"]);
    let standards = app.user(Role::StandardsEditor);
    let editor = app.user(Role::Editor);

    // Only a registered signed webhook can carry a channel's correctives: anything else is a 409 naming the field.
    for bad in [json!(chat), json!(999_999), json!(-1)] {
        let refused = post(
            &app,
            &standards,
            "/api/v1/desk/channels",
            &json!({"name": "Push", "kind": "push", "endpoint_id": bad}),
        )
        .await;
        assert_eq!(refused.status(), 409, "{bad}");
        let refused: Value = refused.json().await.unwrap();
        assert_eq!(refused["error"]["field"], "endpoint_id", "{refused}");
    }
    let added = post(
        &app,
        &standards,
        "/api/v1/desk/channels",
        &json!({"name": "Social accounts", "kind": "social", "endpoint_id": endpoint}),
    )
    .await;
    assert_eq!(added.status(), 201);
    let social: Value = added.json().await.unwrap();
    assert_eq!(social["endpoint_id"], endpoint);
    let social = social["id"].as_i64().unwrap();
    let print: Value = post(&app, &standards, "/api/v1/desk/channels", &json!({"name": "Print", "kind": "print"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(print["endpoint_id"], Value::Null);
    let print = print["id"].as_i64().unwrap();

    let text = "An earlier version of this article misstated how long the war had lasted.";
    let body = json!({"article_id": "kursk", "kind": "correction", "text": text, "channels": [social, print]});
    let published = post(&app, &editor, "/api/v1/desk/corrections", &body).await;
    assert_eq!(published.status(), 201);
    let id = published.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // The endpoint is down at first: the item waits, then is done by the retry it accepts.
    receiver.answer(&[503]);
    let d = dispatcher(&app);
    assert_eq!(deliver(&d).await, 1, "the corrective, and nothing else");
    let waiting = checklist_item(&app, &standards, id, social).await;
    assert_eq!((waiting["done"].clone(), waiting["outstanding"].clone()), (json!(false), json!(1)), "{waiting}");
    let browser = app.signed_in(&standards).await;
    let page = browser.get(app.url(&format!("/desk/corrections/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Waiting for its webhook to accept the corrective"), "{page}");
    app.clock.advance(Duration::seconds(16));
    assert_eq!(deliver(&d).await, 1);
    let done = checklist_item(&app, &standards, id, social).await;
    assert_eq!(done["done"], true, "{done}");
    assert_eq!(done["done_via"], "webhook");
    assert_eq!(done["done_by"], Value::Null);
    assert_eq!(done["outstanding"], 0);
    assert_eq!(
        checklist_item(&app, &standards, id, print).await["done"],
        false,
        "a channel without a webhook waits for an editor"
    );

    let heard = receiver.heard();
    assert_eq!(heard.len(), 2);
    for h in &heard {
        assert_signed(h, &secret, &app);
        let j = h.json();
        assert_eq!(j["type"], webhooks::CORRECTIVE_EVENT);
        assert_eq!(j["data"]["channel"], json!({"id": social, "name": "Social accounts", "kind": "social"}));
        assert_eq!(j["data"]["correction_id"], id);
        assert_eq!(j["data"]["correction"]["text"], text);
        assert_eq!(j["data"]["log_url"], app.url("/articles/kursk/corrections"));
    }
    let auditor = app.user(Role::Auditor);
    let events = app.get_as(&auditor.token, "/api/v1/audit/events?kind=channel_done").await;
    let events = events["items"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["payload"]["via"], "webhook");
    assert_eq!(events[0]["payload"]["channel_id"], social);
    let page = browser.get(app.url(&format!("/desk/corrections/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Accepted by its webhook"), "{page}");

    // The settings page shows the endpoint and offers it on the forms; removing it unsets it.
    let settings = browser.get(app.url("/desk/channels")).send().await.unwrap().text().await.unwrap();
    assert!(settings.contains(&format!("#{endpoint}: {}", receiver.url)), "{settings}");
    assert!(settings.contains(&format!("<option value=\"{endpoint}\" selected")), "{settings}");
    assert!(!settings.contains(&format!("<option value=\"{chat}\"")), "chat endpoints are not offered");
    let now = app.clock.now();
    app.db.write_blocking(|c| webhooks::remove(c, endpoint, now)).unwrap();
    let channel = app.get_as(&standards.token, "/api/v1/desk/channels").await;
    let listed = channel["items"].as_array().unwrap().iter().find(|c| c["id"] == social).unwrap().clone();
    assert_eq!(listed["endpoint_id"], Value::Null, "{listed}");
    app.deliver_mail().await;
}

async fn the_channel_forms_choose_a_webhook(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let receiver = Receiver::start();
    let (endpoint, _) = register(&app, &receiver.url, "webhook", &[]);
    let standards = app.user(Role::StandardsEditor);
    let browser = app.signed_in(&standards).await;
    let settings = browser.get(app.url("/desk/channels")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&settings);
    let form = [("csrf", csrf.as_str()), ("name", "Push alerts"), ("kind", "push"), ("endpoint_id", "x1")];
    let refused = browser.post(app.url("/desk/channels")).form(&form).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("The webhook"), "the error names the field");
    let endpoint_text = endpoint.to_string();
    let form =
        [("csrf", csrf.as_str()), ("name", "Push alerts"), ("kind", "push"), ("endpoint_id", endpoint_text.as_str())];
    let added = browser.post(app.url("/desk/channels")).form(&form).send().await.unwrap();
    assert_eq!(added.status(), 303);
    let listed = app.db.read_blocking(corrigenda::domain::channels::list).unwrap();
    assert_eq!(listed[0].endpoint_id, Some(endpoint));
    // The change form without a choice of endpoint keeps it; choosing none unsets it.
    let path = format!("/desk/channels/{}", listed[0].id);
    let kept = browser.post(app.url(&path)).form(&[("csrf", csrf.as_str()), ("name", "Push")]).send().await.unwrap();
    assert_eq!(kept.status(), 303);
    assert_eq!(app.db.read_blocking(corrigenda::domain::channels::list).unwrap()[0].endpoint_id, Some(endpoint));
    let form = [("csrf", csrf.as_str()), ("name", "Push"), ("endpoint_id", "")];
    assert_eq!(browser.post(app.url(&path)).form(&form).send().await.unwrap().status(), 303);
    let now = app.db.read_blocking(corrigenda::domain::channels::list).unwrap();
    assert_eq!((now[0].name.as_str(), now[0].endpoint_id), ("Push", None));
}

async fn a_report_made_urgent_later_is_alerted_in_chat(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let receiver = Receiver::start();
    // Chosen: urgent reports only (which covers reports made urgent), and a webhook that is not told.
    register(&app, &receiver.url, "chat", &["report.filed"]);
    let hook = Receiver::start();
    register(&app, &hook.url, "webhook", &[]);
    let editor = app.user(Role::Editor);
    let browser = app.signed_in(&editor).await;
    let (id, _) = app.filed().await;
    let d = dispatcher(&app);
    let severity = |to: &'static str| {
        let (app, editor) = (&app, &editor);
        async move {
            let body = json!({"severity": to, "version": app.state_of(id).1});
            post(app, editor, &format!("/api/v1/desk/reports/{id}/severity"), &body).await
        }
    };
    assert_eq!(severity("low").await.status(), 200, "lowered: nothing to alert");
    assert_eq!(severity("normal").await.status(), 200, "raised, but not urgent");
    deliver(&d).await;
    assert!(receiver.heard().is_empty());

    assert_eq!(severity("legal").await.status(), 200);
    deliver(&d).await;
    let heard: Vec<String> = receiver.heard().iter().map(|h| h.json()["text"].as_str().unwrap().to_owned()).collect();
    let title = article_json()["title"].as_str().unwrap().to_owned();
    assert_eq!(heard.len(), 1, "{heard:?}");
    let start = format!(
        "Report #{id} on \u{201c}{title}\u{201d} raised from normal to legal severity by {}, due ",
        editor.actor.name
    );
    assert!(heard[0].starts_with(&start), "{}", heard[0]);
    assert!(heard[0].ends_with(&app.url(&format!("/desk/reports/{id}"))), "{}", heard[0]);

    // Down to high is not news; up again from high by the desk's form is.
    assert_eq!(severity("high").await.status(), 200);
    deliver(&d).await;
    assert_eq!(receiver.heard().len(), 1);
    let page = browser.get(app.url(&format!("/desk/reports/{id}"))).send().await.unwrap().text().await.unwrap();
    let version = app.state_of(id).1.to_string();
    let form = [("csrf", csrf_in(&page)), ("severity", "legal".to_owned()), ("version", version)];
    let raised = browser.post(app.url(&format!("/desk/reports/{id}/severity"))).form(&form).send().await.unwrap();
    assert_eq!(raised.status(), 303);
    deliver(&d).await;
    let heard = receiver.heard();
    assert_eq!(heard.len(), 2);
    assert!(heard[1].json()["text"].as_str().unwrap().contains("raised from high to legal severity"));
    let types: Vec<Value> = hook.heard().iter().map(|h| h.json()["type"].clone()).collect();
    assert!(!types.contains(&json!(webhooks::SEVERITY_RAISED)), "a chat alert, not a webhook event: {types:?}");
    app.deliver_mail().await;
}
