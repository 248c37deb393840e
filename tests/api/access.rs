//! Access control from the route table: every route the server registers, asked by every kind
//! of caller, against a literal table of the answers each must get.
//!
//! The routes are read from `routes()` in `src/web/mod.rs`, the one route table, so a route
//! added there without a row here fails the test; a route registered anywhere else fails it too.
//! Each row then says, for each caller, the exact answer: public routes answer everyone alike,
//! staff routes answer by role, and a disabled account, a signed-out session, a revoked token
//! or a forged form (the session cookie without its CSRF token) gets no further than nobody
//! would.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use corrigenda::domain::accounts::{self, Role};
use corrigenda::domain::notices::{Notice, Notices};
use corrigenda::domain::{reports, sessions, subscriptions};
use serde_json::{json, Value};

use crate::architecture::rust_files;
use crate::both_backends;
use crate::helpers::{article_json, csrf_in, Backend, TestApp, TestDb, TestUser};

both_backends!(every_route_answers_every_caller_as_the_table_says);

/// Who asks, in the order of the table's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Nobody signed in, no token.
    Anonymous,
    /// An editor: signed in on pages (forms carry the CSRF token), a bearer token on the API.
    Editor,
    /// A standards editor, likewise.
    Standards,
    /// An auditor, likewise.
    Auditor,
    /// A forged request: a standards editor's session cookie alone, without the form's CSRF
    /// token on pages and without a bearer token on the API (all a cross-site request carries).
    CookieOnly,
    /// A standards editor's session and its CSRF token, made before the account was disabled.
    DisabledSession,
    /// A standards editor's session cookie and its CSRF token, sent again after signing out.
    SignedOutSession,
    /// A disabled standards editor's API token (a bearer header on pages too).
    DisabledToken,
    /// A standards editor's revoked API token (a bearer header on pages too).
    RevokedToken,
}

/// The table's columns.
const CALLERS: [Who; 9] = [
    Who::Anonymous,
    Who::Editor,
    Who::Standards,
    Who::Auditor,
    Who::CookieOnly,
    Who::DisabledSession,
    Who::SignedOutSession,
    Who::DisabledToken,
    Who::RevokedToken,
];

/// What a caller must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// This status.
    Is(u16),
    /// `303` to the sign-in page (with `next` back here for a GET), no session cookie touched.
    SignIn,
    /// `303` to a location starting with this (path parameters filled in).
    SeeOther(&'static str),
    /// `303` to the sign-in page, the session cookie removed.
    SignedOut,
    /// `200` with a JSON object that has this field.
    With(&'static str),
    /// `200` with a JSON object that lacks this field.
    Without(&'static str),
}

use Expect::{Is, SeeOther};

const OK: Expect = Is(200);
const CREATED: Expect = Is(201);
const NO_CONTENT: Expect = Is(204);
const UNAUTH: Expect = Is(401);
const FORBID: Expect = Is(403);
const NOT_FOUND: Expect = Is(404);
const CONFLICT: Expect = Is(409);
const INVALID: Expect = Is(422);
const LOGIN: Expect = Expect::SignIn;
const SIGNED_OUT: Expect = Expect::SignedOut;
/// An article with its text, which only staff may read.
const TEXT: Expect = Expect::With("text");
const NO_TEXT: Expect = Expect::Without("text");

/// A request's body; `{caller}` is replaced by the caller's name (e.g. so that failed sign-ins
/// do not add up against one account).
#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    Json(&'static str),
    /// A form; the caller's CSRF token is added, if it has one for this form.
    Form(&'static str),
    /// The test article as its CMS sends it.
    Article,
}

/// One route-method: the request (path parameters as the route table names them, then any
/// query) and what each caller in [`CALLERS`] gets.
struct Row {
    method: &'static str,
    target: &'static str,
    body: Body,
    expect: [Expect; 9],
}

const fn row(method: &'static str, target: &'static str, body: Body, expect: [Expect; 9]) -> Row {
    Row { method, target, body, expect }
}

const REPORT_JSON: &str = r#"{"category": "factual_error",
    "quote": "in the war that is approaching its four-year mark",
    "explanation": "The invasion began in February 2022: in December 2024 it was nearly three years."}"#;
const REPORT_FORM: &str = "category=factual_error&quote=in+the+war+that+is+approaching+its+four-year+mark\
    &explanation=The+invasion+began+in+February+2022%3A+in+December+2024+it+was+nearly+three+years.";
const NOTE_JSON: &str = r#"{"body": "Checked against the ministry's figures."}"#;

use Body::{Form, Json};

/// The expected answers. Columns: anonymous, editor, standards editor, auditor, cookie only,
/// disabled session, signed-out session, disabled token, revoked token.
///
/// Rows run in this order. Allowed changes that would spoil the fixture are refused after the
/// access check (an empty body is a 422, a reader's move on a new report a 409) or come last:
/// approving, deleting and signing out.
#[rustfmt::skip]
const TABLE: &[Row] = &[
    // The API: public reads and the reader's routes, open to everyone; a token that is sent must be valid.
    row("GET",    "/api/v1/openapi.json",                    Body::None, [OK; 9]),
    row("GET",    "/api/v1/articles/{id}",                   Body::None, [NO_TEXT, TEXT, TEXT, TEXT, TEXT, NO_TEXT, NO_TEXT, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/articles/{id}/reports",           Json(REPORT_JSON), [CREATED; 9]),
    row("GET",    "/api/v1/articles/{id}/corrections",       Body::None, [OK; 9]),
    row("GET",    "/api/v1/corrections",                     Body::None, [OK; 9]),
    row("GET",    "/api/v1/log/checkpoint",                  Body::None, [OK; 9]),
    row("GET",    "/api/v1/log/entries",                     Body::None, [OK; 9]),
    row("GET",    "/api/v1/log/keys",                        Body::None, [OK; 9]),
    row("GET",    "/api/v1/stats",                           Body::None, [OK; 9]),
    row("GET",    "/api/v1/reports/{token}",                 Body::None, [OK; 9]),
    row("POST",   "/api/v1/reports/{token}/replies",         Json(r#"{"body": "It was 2022."}"#), [CONFLICT; 9]),
    row("POST",   "/api/v1/reports/{token}/appeal",          Json(r#"{"reason": "Please look again."}"#), [CONFLICT; 9]),
    // The API for staff: a bearer token of the right role, and nothing else.
    row("PUT",    "/api/v1/articles/{id}",                   Body::Article, [UNAUTH, OK, OK, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("GET",    "/api/v1/audit/events",                    Body::None, [UNAUTH, FORBID, OK, OK, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("GET",    "/api/v1/desk/stats",                      Body::None, [UNAUTH, FORBID, OK, OK, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/corrections",                Json("{}"), [UNAUTH, INVALID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/corrections/{id}/return",    Json("{}"), [UNAUTH, FORBID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/corrections/{id}/withdraw",  Json("{}"), [UNAUTH, FORBID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("GET",    "/api/v1/desk/reports",                    Body::None, [UNAUTH, OK, OK, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/reports/bulk",               Json("{}"), [UNAUTH, INVALID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("GET",    "/api/v1/desk/reports/{id}",               Body::None, [UNAUTH, OK, OK, OK, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/reports/{id}/transitions",   Json("{}"), [UNAUTH, INVALID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/reports/{id}/assignment",    Json("{}"), [UNAUTH, INVALID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/reports/{id}/severity",      Json("{}"), [UNAUTH, INVALID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/reports/{id}/notes",         Json(NOTE_JSON), [UNAUTH, CREATED, CREATED, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("GET",    "/api/v1/desk/responses",                  Body::None, [UNAUTH, OK, OK, OK, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/responses",                  Json("{}"), [UNAUTH, FORBID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("PUT",    "/api/v1/desk/responses/{id}",             Json("{}"), [UNAUTH, FORBID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("GET",    "/api/v1/desk/wordings",                   Body::None, [UNAUTH, OK, OK, OK, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("PUT",    "/api/v1/desk/wordings/{kind}",            Json("{}"), [UNAUTH, FORBID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("DELETE", "/api/v1/desk/wordings/{kind}",            Body::None, [UNAUTH, FORBID, OK, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("GET",    "/api/v1/desk/channels",                   Body::None, [UNAUTH, OK, OK, OK, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/channels",                   Json("{}"), [UNAUTH, FORBID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("PUT",    "/api/v1/desk/channels/{id}",              Json("{}"), [UNAUTH, FORBID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("GET",    "/api/v1/desk/corrections/{id}/channels",  Body::None, [UNAUTH, OK, OK, OK, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    // Desks: everyone on the staff reads them, standards editors describe them (the fixture has none).
    row("GET",    "/api/v1/desk/desks",                      Body::None, [UNAUTH, OK, OK, OK, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("GET",    "/api/v1/desk/desks/{slug}",               Body::None, [UNAUTH, NOT_FOUND, NOT_FOUND, NOT_FOUND, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("PUT",    "/api/v1/desk/desks/{slug}",               Json("{}"), [UNAUTH, FORBID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("DELETE", "/api/v1/desk/desks/{slug}",               Body::None, [UNAUTH, FORBID, NOT_FOUND, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/me/availability",            Json("{}"), [UNAUTH, INVALID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/api/v1/desk/reports/{id}/desk",          Json("{}"), [UNAUTH, INVALID, INVALID, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    // The fixture's correction is pending: nothing of it has gone out to mark.
    row("POST",   "/api/v1/desk/corrections/{id}/channels/{channel_id}", Json("{}"), [UNAUTH, CONFLICT, CONFLICT, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),

    // Public pages, feeds and the reader's forms: open to everyone, signed in or not.
    row("GET",    "/",                                       Body::None, [OK; 9]),
    row("GET",    "/standards",                              Body::None, [OK; 9]),
    row("GET",    "/corrections",                            Body::None, [OK; 9]),
    row("GET",    "/corrections.atom",                       Body::None, [OK; 9]),
    row("GET",    "/corrections.csv",                        Body::None, [OK; 9]),
    row("GET",    "/transparency",                           Body::None, [OK; 9]),
    row("GET",    "/transparency.csv",                       Body::None, [OK; 9]),
    row("GET",    "/articles/{id}/corrections",              Body::None, [OK; 9]),
    row("GET",    "/articles/{id}/corrections.atom",         Body::None, [OK; 9]),
    row("GET",    "/articles/{id}/notice",                   Body::None, [OK; 9]),
    row("GET",    "/embed/report.js",                        Body::None, [OK; 9]),
    row("GET",    "/embed/demo/{id}",                        Body::None, [OK; 9]),
    row("POST",   "/articles/{id}/subscriptions",            Form("email=reader-{caller}%40example.org"), [SeeOther("/articles/kursk/corrections?subscribed=1"); 9]),
    row("GET",    "/subscriptions/{token}/confirm",          Body::None, [OK; 9]),
    row("POST",   "/subscriptions/{token}/confirm",          Form(""), [OK; 9]),
    row("GET",    "/subscriptions/{token}/unsubscribe",      Body::None, [OK; 9]),
    row("POST",   "/subscriptions/{token}/unsubscribe",      Form(""), [OK; 9]),
    row("GET",    "/static/style.css",                       Body::None, [OK; 9]),
    row("GET",    "/favicon.ico",                            Body::None, [NO_CONTENT; 9]),
    row("GET",    "/healthz",                                Body::None, [OK; 9]),
    // Ready once the log verified (long done by now); metrics to loopback, as every caller here is.
    row("GET",    "/readyz",                                 Body::None, [OK; 9]),
    row("GET",    "/metrics",                                Body::None, [OK; 9]),
    row("GET",    "/articles?q=kursk",                       Body::None, [SeeOther("/articles/kursk/report"); 9]),
    row("GET",    "/articles/{id}/report",                   Body::None, [OK; 9]),
    row("POST",   "/articles/{id}/report",                   Form(REPORT_FORM), [SeeOther("/reports/"); 9]),
    row("GET",    "/reports/{token}",                        Body::None, [OK; 9]),
    row("POST",   "/reports/{token}/reply",                  Form("body=It+was+2022."), [CONFLICT; 9]),
    row("POST",   "/reports/{token}/appeal",                 Form("reason=Please+look+again."), [CONFLICT; 9]),
    // Signing in: the form's own CSRF token (paired with a cookie), a wrong password for everyone.
    row("GET",    "/login",                                  Body::None, [OK; 9]),
    row("POST",   "/login",                                  Form("email=nobody-{caller}%40news.example&password=not+the+password"), [UNAUTH, UNAUTH, UNAUTH, UNAUTH, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    // The first-run link closes once any account exists.
    row("GET",    "/setup/{token}",                          Body::None, [NOT_FOUND; 9]),
    row("POST",   "/setup/{token}",                          Form("email=first%40news.example&name=First&password=a+long+enough+password&password_confirm=a+long+enough+password"), [NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBID, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND]),

    // Staff pages: a session of the right role, and on forms its CSRF token.
    row("GET",    "/desk",                                   Body::None, [LOGIN, OK, OK, FORBID, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/bulk",                              Form(""), [LOGIN, INVALID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/reports/{id}",                      Body::None, [LOGIN, OK, OK, OK, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/reports/{id}/transitions",          Form(""), [LOGIN, INVALID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/reports/{id}/assignment",           Form(""), [LOGIN, INVALID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/reports/{id}/severity",             Form(""), [LOGIN, INVALID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/reports/{id}/notes",                Form("body=Checked+the+figures."), [LOGIN, SeeOther("/desk/reports/{id}?done=note"), SeeOther("/desk/reports/{id}?done=note"), FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/corrections",                       Body::None, [LOGIN, OK, OK, FORBID, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/corrections",                       Form("article_id=kursk"), [LOGIN, INVALID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/corrections/new?article=kursk",     Body::None, [LOGIN, OK, OK, FORBID, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/corrections/{id}/return",           Form(""), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/corrections/{id}/withdraw",         Form(""), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/corrections/{id}",                  Body::None, [LOGIN, OK, OK, OK, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/corrections/{id}/channels/{channel_id}", Form(""), [LOGIN, CONFLICT, CONFLICT, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/channels",                          Body::None, [LOGIN, OK, OK, OK, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/channels",                          Form(""), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/channels/{id}",                     Form(""), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/channels/{id}/retire",              Form(""), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/desks",                             Body::None, [LOGIN, OK, OK, OK, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/desks",                             Form(""), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/desks/{slug}",                      Form(""), [LOGIN, FORBID, NOT_FOUND, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/desks/{slug}/delete",               Form(""), [LOGIN, FORBID, NOT_FOUND, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/me/availability",                   Form(""), [LOGIN, INVALID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/reports/{id}/desk",                 Form(""), [LOGIN, INVALID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/standards",                         Body::None, [LOGIN, OK, OK, OK, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/standards",                         Form(""), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/audit",                                  Body::None, [LOGIN, FORBID, OK, OK, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/audit/verify",                           Body::None, [LOGIN, FORBID, OK, OK, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/transparency",                      Body::None, [LOGIN, FORBID, OK, OK, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/erasure",                           Body::None, [LOGIN, FORBID, OK, FORBID, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/erasure",                           Form("email="), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/outbox",                            Body::None, [LOGIN, FORBID, OK, FORBID, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/webhooks",                          Body::None, [LOGIN, FORBID, OK, FORBID, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/webhooks",                          Form(""), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/webhooks/{id}/test",                Form(""), [LOGIN, FORBID, NOT_FOUND, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/webhooks/{id}/delete",              Form(""), [LOGIN, FORBID, NOT_FOUND, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/responses",                         Body::None, [LOGIN, OK, OK, OK, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/responses",                         Form(""), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/responses/{id}",                    Body::None, [LOGIN, FORBID, OK, FORBID, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/responses/{id}",                    Form(""), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("GET",    "/desk/wordings",                          Body::None, [LOGIN, OK, OK, OK, OK, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/wordings/{kind}",                   Form("text="), [LOGIN, FORBID, INVALID, FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/desk/wordings/{kind}/reset",             Form(""), [LOGIN, FORBID, SeeOther("/desk/wordings?done=reset&kind=correction"), FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),

    // Last, as they end what they act on: approving (each form has its own pending correction),
    // deleting (each its own saved response), and signing out.
    row("POST",   "/api/v1/desk/corrections/{id}/approval",  Body::None, [UNAUTH, FORBID, OK, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/desk/corrections/{id}/approval",         Form(""), [LOGIN, FORBID, SeeOther("/desk/corrections?done=approved"), FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("DELETE", "/api/v1/desk/responses/{id}",             Body::None, [UNAUTH, FORBID, NO_CONTENT, FORBID, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH]),
    row("POST",   "/desk/responses/{id}/delete",             Form(""), [LOGIN, FORBID, SeeOther("/desk/responses?done=deleted"), FORBID, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
    row("POST",   "/logout",                                 Form(""), [LOGIN, SIGNED_OUT, SIGNED_OUT, SIGNED_OUT, FORBID, LOGIN, LOGIN, LOGIN, LOGIN]),
];

/// The article every `{id}` after `articles` names.
const ARTICLE: &str = "kursk";
/// The wording kind every `{kind}` names.
const KIND: &str = "correction";

/// The real ids and tokens the table's path parameters are filled with.
struct Fixture {
    report_id: i64,
    tracking: String,
    /// A pending correction for the API's routes, another for the pages' (each is approved once).
    pending_api: i64,
    pending_page: i64,
    /// A channel, ticked on both pending corrections.
    channel: i64,
    /// A saved response for the API's routes, another for the pages' (each is deleted once).
    response_api: i64,
    response_page: i64,
    confirm: String,
    unsubscribe: String,
    setup: String,
}

impl Fixture {
    /// `target` with each `{..}` path parameter replaced by its real value.
    fn fill(&self, target: &str) -> String {
        let (path, query) = target.split_once('?').map_or((target, None), |(p, q)| (p, Some(q)));
        let api = path.starts_with("/api/");
        let segments: Vec<&str> = path.split('/').collect();
        let filled: Vec<String> = segments
            .iter()
            .enumerate()
            .map(|(i, segment)| {
                if !segment.starts_with('{') {
                    return (*segment).to_owned();
                }
                let before = segments[i - 1];
                let after = segments.get(i + 1).copied().unwrap_or_default();
                match (before, *segment, after) {
                    ("articles", "{id}", _) | ("demo", "{id}", _) => ARTICLE.to_owned(),
                    ("reports", "{id}", _) => self.report_id.to_string(),
                    ("reports", "{token}", _) => self.tracking.clone(),
                    ("corrections", "{id}", _) => (if api { self.pending_api } else { self.pending_page }).to_string(),
                    ("responses", "{id}", _) => (if api { self.response_api } else { self.response_page }).to_string(),
                    ("wordings", "{kind}", _) => KIND.to_owned(),
                    ("channels", "{id}" | "{channel_id}", _) => self.channel.to_string(),
                    // No endpoint is registered: only a standards editor gets as far as looking.
                    ("webhooks", "{id}", _) => "1".to_owned(),
                    // No desk is described: readers get 404, a standards editor's removal too.
                    ("desks", "{slug}", _) => "no-such-desk".to_owned(),
                    ("subscriptions", "{token}", "confirm") => self.confirm.clone(),
                    ("subscriptions", "{token}", "unsubscribe") => self.unsubscribe.clone(),
                    ("setup", "{token}", _) => self.setup.clone(),
                    _ => panic!("no fixture value for {segment} in {target}: add one to Fixture::fill"),
                }
            })
            .collect();
        let path = filled.join("/");
        match query {
            Some(q) => format!("{path}?{q}"),
            None => path,
        }
    }
}

/// How one caller sends requests.
struct Caller {
    who: Who,
    /// For pages: a browser (keeping cookies), and the bearer token it adds, if any.
    page: reqwest::Client,
    page_token: Option<String>,
    /// For the API: a client, and the bearer token it sends, if any.
    api: reqwest::Client,
    api_token: Option<String>,
    /// The CSRF token it puts in desk forms.
    session_csrf: Option<String>,
    /// Whether it loads the sign-in form for its CSRF token before posting it or the setup form.
    login_form: bool,
}

impl Caller {
    /// A short name for messages and `{caller}` in bodies.
    fn name(&self) -> String {
        format!("{:?}", self.who).to_lowercase()
    }

    /// Sends `row`'s request with `method` (the row's, or `HEAD` for a `GET` row).
    async fn send(&self, app: &TestApp, fixture: &Fixture, row: &Row, method: &str) -> reqwest::Response {
        let target = fixture.fill(row.target);
        let api = target.starts_with("/api/");
        let (client, token) = if api { (&self.api, &self.api_token) } else { (&self.page, &self.page_token) };
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = client.request(method, app.url(&target));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let own = |text: &str| text.replace("{caller}", &self.name());
        match row.body {
            Body::None => {}
            Body::Json(text) => request = request.header("content-type", "application/json").body(own(text)),
            Body::Article => request = request.json(&article_json()),
            Body::Form(text) => {
                let sign_in = target == "/login" || target.starts_with("/setup/");
                // As a browser does: the form's token is paired with a cookie set when it is loaded.
                let csrf = match (sign_in, self.login_form) {
                    (true, true) => Some(login_form_csrf(app, &self.page).await),
                    (true, false) => None,
                    (false, _) => self.session_csrf.clone(),
                };
                let mut form = own(text);
                if let Some(csrf) = csrf {
                    form = if form.is_empty() { format!("csrf={csrf}") } else { format!("{form}&csrf={csrf}") };
                }
                request = request.header("content-type", "application/x-www-form-urlencoded").body(form);
            }
        }
        request.send().await.unwrap()
    }
}

/// Why `response` is not what `expect` says, if it is not; `method` as the routes see it
/// (`HEAD` is answered as `GET`).
async fn mismatch(
    expect: Expect,
    response: reqwest::Response,
    method: &str,
    target: &str,
    fixture: &Fixture,
) -> Option<String> {
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let session_cookie: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .filter(|c| c.starts_with("corrigenda_session="))
        .collect();
    let ok = match expect {
        Is(code) => status == code,
        Expect::SignIn => {
            let back = url::form_urlencoded::byte_serialize(target.as_bytes()).collect::<String>();
            let to = if method == "GET" { format!("/login?next={back}") } else { "/login".to_owned() };
            status == 303 && location == to && session_cookie.is_empty()
        }
        SeeOther(prefix) => status == 303 && location.starts_with(&fixture.fill(prefix)),
        Expect::SignedOut => {
            status == 303
                && location == "/login"
                && session_cookie.iter().any(|c| c.starts_with("corrigenda_session=;") && c.contains("Max-Age=0"))
        }
        Expect::With(field) | Expect::Without(field) => {
            let body: Value = response.json().await.unwrap_or_default();
            let has = body.get(field).is_some();
            if status == 200 && has == matches!(expect, Expect::With(_)) {
                return None;
            }
            return Some(format!("got {status}, {field} {}", if has { "present" } else { "absent" }));
        }
    };
    (!ok).then(|| format!("got {status} {location:?} {session_cookie:?}"))
}

/// Loads the sign-in form in `browser` (which keeps its CSRF cookie); returns the form's token.
async fn login_form_csrf(app: &TestApp, browser: &reqwest::Client) -> String {
    let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    csrf_in(&page)
}

/// A signed-in browser for `user`, and its session's CSRF token.
async fn signed_in(app: &TestApp, user: &TestUser) -> (reqwest::Client, String) {
    let browser = app.signed_in(user).await;
    let page = browser.get(app.url("/desk/standards")).send().await.unwrap();
    assert_eq!(page.status(), 200, "{} is signed in", user.email);
    let session_csrf = csrf_in(&page.text().await.unwrap());
    (browser, session_csrf)
}

/// A browser that keeps sending the session cookie of `user` after signing out with it, and
/// that session's CSRF token.
async fn signed_out(app: &TestApp, user: &TestUser) -> (reqwest::Client, String) {
    let browser = app.browser();
    let response = app.login(&browser, &user.email, &user.password).await;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("corrigenda_session="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    // Signing out makes the browser forget the cookie; this one keeps it, as a copy would.
    let jar = reqwest::cookie::Jar::default();
    jar.add_cookie_str(&format!("{cookie}; Path=/"), &app.address.parse().unwrap());
    let keeping = reqwest::Client::builder()
        .cookie_provider(std::sync::Arc::new(jar))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = keeping.get(app.url("/desk/standards")).send().await.unwrap();
    assert_eq!(page.status(), 200, "the kept cookie is sent, and works until signing out");
    let csrf = csrf_in(&page.text().await.unwrap());
    let out = browser.post(app.url("/logout")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(out.status(), 303);
    (keeping, csrf)
}

/// Posts JSON to the API as `token`, asserting `status`; returns the answer.
async fn api_post(app: &TestApp, token: &str, path: &str, body: &Value, status: u16) -> Value {
    let response = app.client.post(app.url(path)).bearer_auth(token).json(body).send().await.unwrap();
    let got = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{path}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// The seeded data, and the callers.
async fn arrange(app: &TestApp) -> (Fixture, Vec<Caller>) {
    let now = app.clock.now();
    // The first-run link exists only while there is no account.
    let setup = app.db.write_blocking(move |c| sessions::setup_link(c, now)).unwrap().unwrap();
    let open = app.client.get(app.url(&format!("/setup/{setup}"))).send().await.unwrap();
    assert_eq!(open.status(), 200, "the link works until an account exists");
    let editor = app.user(Role::Editor);
    let standards = app.user(Role::StandardsEditor);
    let auditor = app.user(Role::Auditor);
    let author = app.user(Role::Editor);
    let disabled = app.user(Role::StandardsEditor);

    let put = app.client.put(app.url("/api/v1/articles/kursk")).bearer_auth(&editor.token).json(&article_json());
    assert_eq!(put.send().await.unwrap().status(), 201);
    let filed = app.client.post(app.url("/api/v1/articles/kursk/reports")).header("content-type", "application/json");
    let filed: Value = filed.body(REPORT_JSON).send().await.unwrap().json().await.unwrap();
    let tracking = filed["token"].as_str().unwrap().to_owned();
    let lookup = tracking.clone();
    let report_id = app.db.read_blocking(move |c| Ok(reports::for_token(c, &lookup)?.id)).unwrap();
    let published = json!({"article_id": ARTICLE, "kind": "correction",
        "text": "An earlier version of this article misstated how long the war had lasted."});
    api_post(app, &editor.token, "/api/v1/desk/corrections", &published, 201).await;
    // An editor's retraction waits for a standards editor's approval.
    let channel = json!({"name": "Morning newsletter", "kind": "newsletter"});
    let channel = api_post(app, &standards.token, "/api/v1/desk/channels", &channel, 201).await["id"].as_i64().unwrap();
    let retraction = |n: u8| {
        json!({"article_id": ARTICLE, "kind": "retraction", "channels": [channel],
            "text": format!("This article is retracted: its central claim does not stand ({n}).")})
    };
    let pending_api = api_post(app, &author.token, "/api/v1/desk/corrections", &retraction(1), 201).await;
    let pending_page = api_post(app, &author.token, "/api/v1/desk/corrections", &retraction(2), 201).await;
    assert_eq!((pending_api["status"].as_str(), pending_page["status"].as_str()), (Some("pending"), Some("pending")));
    let response = |title: &str| json!({"title": title, "purpose": "question", "body": "Which figure is wrong?"});
    let response_api = api_post(app, &standards.token, "/api/v1/desk/responses", &response("Ask (API)"), 201).await;
    let response_page = api_post(app, &standards.token, "/api/v1/desk/responses", &response("Ask (page)"), 201).await;

    // A subscription to confirm, and a confirmed one to end: their tokens as the mails would carry them.
    let (confirm, unsubscribe) = app
        .db
        .write_blocking(move |c| {
            let mut token = |email: &str| {
                let mut notices = Notices::default();
                subscriptions::subscribe(c, ARTICLE, email, &mut notices, now)?;
                Ok::<_, corrigenda::error::AppError>(match notices.as_slice() {
                    [Notice::SubscriptionRequested { token, .. }] => token.clone(),
                    other => panic!("subscribing noticed {other:?}"),
                })
            };
            let confirm = token("pending@example.org")?;
            let confirmed = token("confirmed@example.org")?;
            subscriptions::confirm(c, &confirmed, now)?;
            let unsubscribe = subscriptions::active_for(c, ARTICLE, now)?.pop().unwrap().1;
            Ok((confirm, unsubscribe))
        })
        .unwrap();

    // Signed in before the account is disabled. Only the flag is set: disabling also ends the
    // account's sessions and revokes its tokens (tested with the desk), and this checks that the
    // flag alone still shuts out a session or a token that outlived it.
    let (disabled_browser, disabled_csrf) = signed_in(app, &disabled).await;
    let id = disabled.actor.id;
    app.db.write_blocking(move |c| Ok(corrigenda::db::models::User::set_disabled(c, id, true)?)).unwrap();
    let email = standards.email.clone();
    let revoked = app
        .db
        .write_blocking(move |c| {
            let token = accounts::create_token(c, &email, "revoked", now)?;
            let (row, _) = accounts::tokens(c)?.into_iter().find(|(t, _)| t.name == "revoked").unwrap();
            accounts::revoke_token(c, row.id, now)?;
            Ok(token)
        })
        .unwrap();

    let anonymous = |who: Who, token: Option<String>| Caller {
        who,
        page: app.browser(),
        page_token: token.clone(),
        api: app.client.clone(),
        api_token: token,
        session_csrf: None,
        login_form: true,
    };
    let staff = |who: Who, user: TestUser| async move {
        let (browser, session) = signed_in(app, &user).await;
        Caller {
            who,
            page: browser,
            page_token: None,
            api: app.client.clone(),
            api_token: Some(user.token),
            session_csrf: Some(session),
            login_form: true,
        }
    };
    // Its own session, so that the others' signing out does not end it.
    let (forged, _) = signed_in(app, &standards).await;
    let (signed_out, signed_out_csrf) = signed_out(app, &standards).await;
    let callers = vec![
        anonymous(Who::Anonymous, None),
        staff(Who::Editor, editor).await,
        staff(Who::Standards, standards).await,
        staff(Who::Auditor, auditor).await,
        Caller {
            who: Who::CookieOnly,
            page: forged.clone(),
            page_token: None,
            api: forged,
            api_token: None,
            session_csrf: None,
            login_form: false,
        },
        Caller {
            who: Who::DisabledSession,
            page: disabled_browser.clone(),
            page_token: None,
            api: disabled_browser,
            api_token: None,
            session_csrf: Some(disabled_csrf),
            login_form: true,
        },
        Caller {
            who: Who::SignedOutSession,
            page: signed_out.clone(),
            page_token: None,
            api: signed_out,
            api_token: None,
            session_csrf: Some(signed_out_csrf),
            login_form: true,
        },
        anonymous(Who::DisabledToken, Some(disabled.token)),
        anonymous(Who::RevokedToken, Some(revoked)),
    ];
    assert_eq!(callers.iter().map(|c| c.who).collect::<Vec<_>>(), CALLERS);
    let fixture = Fixture {
        report_id,
        tracking,
        pending_api: pending_api["id"].as_i64().unwrap(),
        pending_page: pending_page["id"].as_i64().unwrap(),
        channel,
        response_api: response_api["id"].as_i64().unwrap(),
        response_page: response_page["id"].as_i64().unwrap(),
        confirm,
        unsubscribe,
        setup,
    };
    (fixture, callers)
}

async fn every_route_answers_every_caller_as_the_table_says(backend: Backend) {
    let registered = registered_routes().unwrap();
    assert_eq!(coverage(&registered, TABLE), Vec::<String>::new());
    let app = TestApp::bare(TestDb::new(backend)).await;
    let (fixture, callers) = arrange(&app).await;
    let mut failures = Vec::new();
    let (mut checks, mut heads) = (0, 0);
    for row in TABLE {
        let target = fixture.fill(row.target);
        for (caller, expect) in callers.iter().zip(row.expect) {
            let response = caller.send(&app, &fixture, row, row.method).await;
            if let Some(got) = mismatch(expect, response, row.method, &target, &fixture).await {
                failures.push(format!("{} {} as {:?}: expected {expect:?}, {got}", row.method, row.target, caller.who));
            }
            checks += 1;
            if row.method != "GET" {
                continue;
            }
            // HEAD is answered as GET, so it meets the same guards (with no body to look into).
            let response = caller.send(&app, &fixture, row, "HEAD").await;
            let expect = if matches!(expect, Expect::With(_) | Expect::Without(_)) { OK } else { expect };
            if let Some(got) = mismatch(expect, response, "GET", &target, &fixture).await {
                failures.push(format!("HEAD {} as {:?}: expected {expect:?}, {got}", row.target, caller.who));
            }
            heads += 1;
        }
    }
    let gets = TABLE.iter().filter(|row| row.method == "GET").count();
    eprintln!(
        "access ({}): {} route-methods × {} callers = {checks} checks; HEAD as GET: {} routes × {} callers = {heads} more",
        backend.name(),
        TABLE.len(),
        CALLERS.len(),
        gets,
        CALLERS.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} answers differ from the table:\n{}",
        failures.len(),
        checks + heads,
        failures.join("\n")
    );
    app.deliver_mail().await;
}

/// Differences between the registered routes and the table's rows, as sentences.
fn coverage(registered: &[(String, String)], table: &[Row]) -> Vec<String> {
    let routes: BTreeSet<(String, String)> = registered.iter().cloned().collect();
    let mut rows = BTreeSet::new();
    let mut problems = Vec::new();
    for row in table {
        let path = row.target.split('?').next().unwrap_or_default();
        if !rows.insert((row.method.to_owned(), path.to_owned())) {
            problems.push(format!("{} {path} has two rows", row.method));
        }
    }
    for (method, path) in routes.difference(&rows) {
        problems.push(format!("{method} {path} is registered but has no row: say who may use it"));
    }
    for (method, path) in rows.difference(&routes) {
        problems.push(format!("{method} {path} has a row but is not registered"));
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// Reading the route table from the source.

/// Methods a resource may be given, as `.get(handler)` and so on.
const METHODS: &[&str] = &["get", "post", "put", "delete", "patch", "head"];

/// A piece of Rust source, as far as the route table needs: string literals, words (paths with
/// `::` included) and punctuation; comments are skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Str(String),
    Word(String),
    Punct(char),
}

/// The tokens of `source`, each with its byte offset.
fn tokens(source: &str) -> Vec<(usize, Token)> {
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|(_, c)| *c);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (offset, c) = chars[i];
        if c == '/' && at(i + 1) == Some('/') {
            while i < chars.len() && chars[i].1 != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i].1 == '*' && at(i + 1) == Some('/')) {
                i += 1;
            }
            i += 2;
        } else if c == '"' {
            let mut text = String::new();
            i += 1;
            while i < chars.len() && chars[i].1 != '"' {
                if chars[i].1 == '\\' {
                    i += 1;
                }
                if let Some(c) = at(i) {
                    text.push(c);
                }
                i += 1;
            }
            out.push((offset, Token::Str(text)));
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let mut word = String::new();
            loop {
                while let Some(c) = at(i).filter(|c| c.is_alphanumeric() || *c == '_') {
                    word.push(c);
                    i += 1;
                }
                if at(i) == Some(':') && at(i + 1) == Some(':') {
                    word.push_str("::");
                    i += 2;
                } else {
                    break;
                }
            }
            out.push((offset, Token::Word(word)));
        } else {
            if !c.is_whitespace() {
                out.push((offset, Token::Punct(c)));
            }
            i += 1;
        }
    }
    out
}

/// The byte range of `fn routes`'s body (its braces included) in `source`.
fn routes_fn(source: &str) -> Result<std::ops::Range<usize>, String> {
    let tokens = tokens(source);
    let start = tokens
        .windows(2)
        .position(|w| w[0].1 == Token::Word("fn".into()) && w[1].1 == Token::Word("routes".into()))
        .ok_or("no `fn routes` in the source")?;
    let open = (start..tokens.len()).find(|&i| tokens[i].1 == Token::Punct('{')).ok_or("`fn routes` has no body")?;
    let mut depth = 0;
    for (offset, token) in &tokens[open..] {
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return Ok(tokens[open].0..offset + 1);
                }
            }
            _ => {}
        }
    }
    Err("`fn routes` does not end".into())
}

/// Every (method, full path) registered in `source`'s `fn routes`, which may only chain
/// `.service(..)` calls of `web::scope("..")` and `web::resource("..")` with one method call
/// per method (`.get(handler)`); anything else there is an error to teach this reader about.
fn routes_in(source: &str) -> Result<Vec<(String, String)>, String> {
    let body = &source[routes_fn(source)?];
    let tokens: Vec<Token> = tokens(body).into_iter().map(|(_, t)| t).collect();
    let mut depth = 0;
    // Open scopes: their prefix, and the depth they end below.
    let mut scopes: Vec<(String, i32)> = Vec::new();
    // The resource being read: its full path, the depth it ends below, how many methods it has.
    let mut resource: Option<(String, i32, usize)> = None;
    let mut resources = 0;
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Punct('(' | '[' | '{') => depth += 1,
            Token::Punct(')' | ']' | '}') => {
                depth -= 1;
                if let Some((path, end, methods)) = &resource {
                    if depth < *end {
                        if *methods == 0 {
                            return Err(format!("the resource {path} has no method"));
                        }
                        resource = None;
                    }
                }
                while scopes.last().is_some_and(|(_, end)| depth < *end) {
                    scopes.pop();
                }
            }
            Token::Word(word) if word == "web::scope" || word == "web::resource" => {
                let path = match (tokens.get(i + 1), tokens.get(i + 2), tokens.get(i + 3)) {
                    (Some(Token::Punct('(')), Some(Token::Str(path)), Some(Token::Punct(')'))) => path.clone(),
                    _ => return Err(format!("{word} without one literal path")),
                };
                i += 3;
                let prefix: String = scopes.iter().map(|(p, _)| p.as_str()).collect();
                if word == "web::scope" {
                    scopes.push((path, depth));
                } else if let Some((outer, ..)) = &resource {
                    return Err(format!("a resource inside the resource {outer}"));
                } else {
                    resources += 1;
                    resource = Some((format!("{prefix}{path}"), depth, 0));
                }
            }
            Token::Word(word) if word == "web::route" || word == "web::to" => {
                return Err(format!("{word} registers a route outside the one-resource-per-path form"));
            }
            Token::Punct('.') => {
                let Some(Token::Word(call)) = tokens.get(i + 1) else { return Err("a `.` without a call".into()) };
                match &mut resource {
                    Some((path, end, methods)) if depth == *end => {
                        if !METHODS.contains(&call.as_str()) {
                            return Err(format!(
                                "the resource {path} is given .{call}(..), which this reader does not know"
                            ));
                        }
                        found.push((call.to_uppercase(), path.clone()));
                        *methods += 1;
                    }
                    _ if call == "service" => {}
                    _ => return Err(format!(".{call}(..) in the route table, which this reader does not know")),
                }
            }
            _ => {}
        }
        i += 1;
    }
    let written: usize =
        body.lines().map(|l| l.split("//").next().unwrap_or_default().matches("web::resource(").count()).sum();
    if written != resources {
        return Err(format!("read {resources} resources, but `web::resource(` is written {written} times"));
    }
    Ok(found)
}

/// What may register a route: none of it may appear outside `fn routes`.
const REGISTERING: &[&str] = &[
    "web::resource(",
    "web::scope(",
    "web::route(",
    ".route(",
    ".service(",
    "Resource::new(",
    "Scope::new(",
    "#[get(",
    "#[post(",
    "#[put(",
    "#[delete(",
    "#[patch(",
    "#[route(",
    "#[actix_web::",
];

/// Places outside `fn routes` in `files` (path, source) that register routes, or configure
/// the app with anything but `routes`.
fn registered_elsewhere(files: &[(PathBuf, String)], table_file: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for (path, source) in files {
        let mut source = source.clone();
        if path == table_file {
            match routes_fn(&source) {
                Ok(range) => source.replace_range(range, ""),
                Err(err) => found.push(format!("{}: {err}", path.display())),
            }
        }
        for (n, line) in source.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default().replace(' ', "");
            let configures = code.matches(".configure(").count() > code.matches(".configure(routes)").count();
            for pattern in REGISTERING.iter().filter(|p| code.contains(*p)) {
                found.push(format!("{}:{}: {pattern}", path.display(), n + 1));
            }
            if configures {
                found.push(format!("{}:{}: .configure( with something other than routes", path.display(), n + 1));
            }
        }
    }
    found
}

/// The server's routes, read from its route table.
fn registered_routes() -> Result<Vec<(String, String)>, String> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/mod.rs");
    routes_in(&std::fs::read_to_string(file).unwrap())
}

#[test]
fn the_table_has_a_row_for_every_registered_route_and_no_other() {
    let registered = registered_routes().unwrap();
    assert!(registered.len() >= 80, "read only {} route-methods", registered.len());
    let problems = coverage(&registered, TABLE);
    assert!(problems.is_empty(), "the access table and the route table differ:\n{}", problems.join("\n"));
}

#[test]
fn routes_are_registered_only_in_the_route_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&root, &mut paths);
    assert!(paths.len() > 40, "read only {} files", paths.len());
    let files: Vec<(PathBuf, String)> =
        paths.into_iter().map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap())).collect();
    let found = registered_elsewhere(&files, &root.join("web/mod.rs"));
    assert!(found.is_empty(), "routes registered outside `fn routes` in src/web/mod.rs:\n{}", found.join("\n"));
}

#[test]
fn the_route_reader_reads_what_it_is_given() {
    let forged = r#"
        /// The route table.
        pub fn routes(cfg: &mut web::ServiceConfig) {
            // web::resource("/commented").get(nothing)
            cfg.service(
                web::scope("/api/v1")
                    .service(web::resource("/a/{id}").put(a::put).get(a::get))
                    .service(web::scope("/inner").service(web::resource("/b").delete(b::delete))),
            )
            .service(web::resource("/").get(home))
            .service(
                web::resource("/c")
                    .get(c::form)
                    .post(c::submit),
            );
        }
        fn elsewhere() {}
    "#;
    let pairs = |list: &[(&str, &str)]| list.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    let expected: Vec<(String, String)> = pairs(&[
        ("PUT", "/api/v1/a/{id}"),
        ("GET", "/api/v1/a/{id}"),
        ("DELETE", "/api/v1/inner/b"),
        ("GET", "/"),
        ("GET", "/c"),
        ("POST", "/c"),
    ]);
    assert_eq!(routes_in(forged).unwrap(), expected);

    // What the reader cannot read is an error, not a route left out.
    let refused = |body: &str| routes_in(&format!("fn routes(cfg: &mut web::ServiceConfig) {{ {body} }}"));
    for body in [
        r#"cfg.service(web::resource("/x").route(web::get().to(x)));"#,
        r#"cfg.route("/x", web::get().to(x));"#,
        r#"cfg.service(web::resource(PATH).get(x));"#,
        r#"cfg.service(web::resource("/x").guard(guard::Get()).get(x));"#,
        r#"cfg.service(web::resource("/x").wrap(Auth).get(x));"#,
        r#"cfg.service(web::resource("/x"));"#,
        r#"cfg.service(web::scope("/s").wrap(Auth).service(web::resource("/x").get(x)));"#,
        r#"cfg.service(web::resource ("/x").get(x));"#,
    ] {
        assert!(refused(body).is_err(), "read {body} as {:?}", refused(body));
    }
    assert!(routes_in("fn other() {}").is_err());

    // A resource in the table needs a row, and a row needs a resource.
    let table = [row("GET", "/", Body::None, [OK; 9]), row("GET", "/gone?x=1", Body::None, [OK; 9])];
    let problems = coverage(&pairs(&[("GET", "/"), ("POST", "/c")]), &table);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("POST /c is registered but has no row"), "{problems:?}");
    assert!(problems[1].starts_with("GET /gone has a row"), "{problems:?}");
    let twice = [row("GET", "/", Body::None, [OK; 9]), row("GET", "/?a=1", Body::None, [OK; 9])];
    assert_eq!(coverage(&pairs(&[("GET", "/")]), &twice), ["GET / has two rows"]);

    // Registering anywhere but `fn routes` is found, as is configuring the app with more.
    let table_file = PathBuf::from("src/web/mod.rs");
    let files = |name: &str, source: &str| vec![(PathBuf::from(name), source.to_owned())];
    let own = format!("{forged}\nfn serve() {{ App::new().configure(routes).default_service(web::to(nf)); }}");
    assert_eq!(registered_elsewhere(&files("src/web/mod.rs", &own), &table_file), Vec::<String>::new());
    for (name, source) in [
        ("src/web/pages/x.rs", r#"cfg.service(web::resource("/x").get(x));"#),
        ("src/web/pages/x.rs", "#[get(\"/x\")]\nasync fn x() {}"),
        ("src/web/pages/x.rs", r#"app.route("/x", web::get().to(x))"#),
        ("src/web/mod.rs", &format!("{forged}\nfn more(cfg: &mut Cfg) {{ cfg.service(web::scope(\"/x\")); }}")),
        ("src/web/mod.rs", &format!("{forged}\nfn serve() {{ App::new().configure(routes).configure(more); }}")),
    ] {
        assert!(!registered_elsewhere(&files(name, source), &table_file).is_empty(), "{name}: {source}");
    }
}
