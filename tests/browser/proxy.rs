//! A recording reverse proxy in front of the server, and a stand-in for the publisher's CMS.
//!
//! The browser talks only to the proxy, which passes every request to the server
//! unchanged and keeps a copy of every HTML document it answers with: those exact
//! bytes (not the browser's re-serialised DOM) go to the Nu HTML Checker, and the
//! proxy's count of documents proves that every page the browser loaded was checked.
//!
//! `/cms/articles/{id}` is the publisher's article page: the article's title and an
//! opening paragraph with the server's `/articles/{id}/notice` fragment embedded
//! under it, as a CMS does. It carries one script of its own, which marks the page
//! when JavaScript runs, so a test can tell that JavaScript really is off.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

/// A page built to fail the checks, served by the proxy and never recorded: each run first
/// proves on it that axe-core and the Nu HTML Checker report what they should.
pub const CANARY_PATH: &str = "/cms/canary";
/// An image without a text alternative, and grey text on white.
pub const CANARY: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
     <title>Canary</title>\n</head>\n<body>\n<main>\n<h1>Canary</h1>\n<img src=\"/static/none.png\">\n\
     <p style=\"color:#bbb;background:#fff\">Too faint to read.</p>\n</main>\n</body>\n</html>\n";
/// What axe-core must report on the canary.
pub const CANARY_AXE_RULES: [&str; 2] = ["image-alt", "color-contrast"];

/// One HTML document the browser received.
#[derive(Debug, Clone)]
pub struct Document {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub status: u16,
    pub body: String,
}

/// Documents in the order they were served.
pub type Recording = Arc<Mutex<Vec<Document>>>;

struct ProxyState {
    upstream: String,
    client: reqwest::Client,
    recording: Recording,
}

/// The running proxy.
pub struct Proxy {
    /// Where the browser goes: `http://127.0.0.1:PORT`.
    pub address: String,
    pub recording: Recording,
    listener: Option<TcpListener>,
    server: Option<actix_web::dev::ServerHandle>,
}

/// Hop-by-hop headers and those the proxy sets itself.
/// Conditional headers are dropped too: every page the browser shows then comes from the
/// server whole (not as a 304 for its cached copy), so each is checked. (ETags and 304s have
/// their own tests in `tests/api/caching.rs`.)
const SKIPPED_REQUEST_HEADERS: [&str; 7] =
    ["host", "connection", "content-length", "accept-encoding", "keep-alive", "if-none-match", "if-modified-since"];
const SKIPPED_RESPONSE_HEADERS: [&str; 4] = ["connection", "content-length", "transfer-encoding", "keep-alive"];

impl Proxy {
    /// Reserves the proxy's address (the server must know it before it starts, for its links).
    pub fn bind() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        Self { address, recording: Recording::default(), listener: Some(listener), server: None }
    }

    /// Starts passing requests to `upstream`.
    pub fn start(&mut self, upstream: &str) {
        let listener = self.listener.take().unwrap();
        let (upstream, recording) = (upstream.to_owned(), self.recording.clone());
        let server = HttpServer::new(move || {
            let state = ProxyState {
                upstream: upstream.clone(),
                client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
                recording: recording.clone(),
            };
            App::new()
                .app_data(web::Data::new(state))
                .app_data(web::PayloadConfig::new(8 * 1024 * 1024))
                .route("/cms/articles/{id}", web::get().to(cms_article))
                .route(
                    CANARY_PATH,
                    web::get()
                        .to(|| async { HttpResponse::Ok().content_type("text/html; charset=utf-8").body(CANARY) }),
                )
                .default_service(web::to(forward))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        self.server = Some(server.handle());
        tokio::spawn(server);
    }

    pub async fn stop(self) {
        if let Some(server) = self.server {
            server.stop(true).await;
        }
    }
}

fn bad_gateway(message: String) -> HttpResponse {
    HttpResponse::BadGateway().content_type("text/plain; charset=utf-8").body(message)
}

/// Passes a request to the server and its answer back, keeping HTML documents.
async fn forward(req: HttpRequest, body: web::Bytes, state: web::Data<ProxyState>) -> HttpResponse {
    let target = req.uri().path_and_query().map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
    let Ok(method) = reqwest::Method::from_bytes(req.method().as_str().as_bytes()) else {
        return bad_gateway(format!("unsupported method {}", req.method()));
    };
    let mut upstream = state.client.request(method, format!("{}{target}", state.upstream));
    for (name, value) in req.headers() {
        if !SKIPPED_REQUEST_HEADERS.contains(&name.as_str()) {
            upstream = upstream.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = match upstream.body(body.to_vec()).send().await {
        Ok(answer) => answer,
        Err(err) => return bad_gateway(format!("the server did not answer: {err}")),
    };
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let bytes = match answer.bytes().await {
        Ok(bytes) => bytes,
        Err(err) => return bad_gateway(format!("the server's answer broke off: {err}")),
    };
    let is_html = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    // Only what the browser shows as a page: not, say, the error page answering its favicon request.
    let document = req.headers().get("sec-fetch-dest").is_none_or(|dest| dest.as_bytes() == b"document");
    if is_html && document {
        state.recording.lock().unwrap().push(Document {
            method: req.method().to_string(),
            target,
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY));
    for (name, value) in &headers {
        if SKIPPED_RESPONSE_HEADERS.contains(&name.as_str()) {
            continue;
        }
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name.as_str().as_bytes()), HeaderValue::from_bytes(value.as_bytes()))
        {
            response.append_header((name, value));
        }
    }
    response.body(bytes.to_vec())
}

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The publisher's article page with the notice embedded, as a CMS would render it.
async fn cms_article(path: web::Path<String>, state: web::Data<ProxyState>) -> HttpResponse {
    let id = path.into_inner();
    let article = state.client.get(format!("{}/api/v1/articles/{id}", state.upstream)).send().await;
    let article: serde_json::Value = match article {
        Ok(answer) if answer.status().is_success() => answer.json().await.unwrap_or_default(),
        _ => return HttpResponse::NotFound().content_type("text/plain; charset=utf-8").body("no such article"),
    };
    let notice = match state.client.get(format!("{}/articles/{id}/notice", state.upstream)).send().await {
        Ok(answer) if answer.status().is_success() => answer.text().await.unwrap_or_default(),
        Ok(answer) => return bad_gateway(format!("the notice answered {}", answer.status())),
        Err(err) => return bad_gateway(format!("the notice did not answer: {err}")),
    };
    let title = article["title"].as_str().unwrap_or("An article");
    let opening = article["text"].as_str().and_then(|t| t.split("\n\n").next()).unwrap_or("The article's text.");
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · News Example</title>\n\
         <style>body{{font-family:Georgia,serif;max-width:40rem;margin:0 auto;padding:1rem;line-height:1.5;\
         color:#1a1a1a;background:#fff}}a{{color:#0b4f9c}}</style>\n\
         <script>document.documentElement.setAttribute('data-js', 'ran');</script>\n\
         </head>\n<body>\n<header><p>News Example</p></header>\n<main>\n<article>\n<h1>{title}</h1>\n\
         <p>{opening}</p>\n{notice}\n</article>\n</main>\n</body>\n</html>\n",
        title = escape(title),
        opening = escape(opening),
    );
    state.recording.lock().unwrap().push(Document {
        method: "GET".into(),
        target: format!("/cms/articles/{id}"),
        status: 200,
        body: page.clone(),
    });
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(page)
}
