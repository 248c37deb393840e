//! Public pages for readers: home, find, report form, tracking.

use actix_web::http::header::{self, ContentType};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use corrigenda_templates as views;
use serde::Deserialize;

use crate::db::models::Article;
use crate::domain::articles::{self, authors_of};
use crate::domain::notices::Notices;
use crate::domain::reports::{self, Category, ReportInput, Status, Tracking};
use crate::domain::workflow;
use crate::error::AppError;
use crate::web::extract::{client_ip, parse_form, read_body, REPORT_BODY_LIMIT};
use crate::web::AppState;

type State = web::Data<AppState>;

/// An HTML response with `status`.
pub fn html(status: u16, markup: maud::Markup) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
        .content_type(ContentType::html())
        .body(markup.into_string())
}

/// `GET /static/style.css`.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(views::STYLESHEET)
}

/// `GET /favicon.ico`: browsers ask on every site; there is no icon, and saying so with an error page would be noise.
pub async fn favicon() -> HttpResponse {
    HttpResponse::NoContent().insert_header((header::CACHE_CONTROL, "public, max-age=86400")).finish()
}

/// `GET /healthz`: 200 when the database answers, for load balancers.
pub async fn health(state: State) -> Result<HttpResponse, AppError> {
    state.db.read(|c| Ok(diesel::connection::SimpleConnection::batch_execute(c, "SELECT 1")?)).await?;
    Ok(HttpResponse::Ok().content_type(ContentType::plaintext()).body("ok"))
}

/// The find box's query.
#[derive(Debug, Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
}

/// `GET /articles?q=`: finds an article by ID or URL and opens its report form.
pub async fn find_article(state: State, query: web::Query<FindQuery>) -> Result<HttpResponse, AppError> {
    let q = query.into_inner().q.trim().to_owned();
    if q.is_empty() {
        return Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/")).finish());
    }
    let lookup = q.clone();
    match state.db.read(move |c| articles::find_by_id_or_url(c, &lookup)).await? {
        Some(article) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/articles/{}/report", article.id)))
            .finish()),
        None => {
            let view = views::HomeView {
                recent: Vec::new(),
                find_error: Some(format!("No article with the ID or address {q:?} is registered here.")),
                query: q,
            };
            Ok(html(404, views::home(&state.layout, &view)))
        }
    }
}

/// A date for people, e.g. "28 November 2026".
fn date(t: NaiveDateTime) -> String {
    t.format("%-d %B %Y").to_string()
}

/// A time for people, in UTC.
pub fn time(t: NaiveDateTime) -> String {
    t.format("%-d %B %Y, %H:%M UTC").to_string()
}

/// The article as pages summarise it.
pub fn summary(article: &Article) -> views::ArticleSummary {
    views::ArticleSummary {
        id: article.id.clone(),
        title: article.title.clone(),
        url: article.url.clone(),
        section: article.section.clone(),
        authors: authors_of(article),
        published: date(article.published_at),
        text_known: article.body.is_some(),
    }
}

/// The report form's fields as posted; `website` is the honeypot.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    category: String,
    quote: String,
    explanation: String,
    evidence_urls: String,
    reporter_name: String,
    reporter_email: String,
    website: String,
}

impl ReportForm {
    fn input(&self) -> ReportInput {
        ReportInput {
            category: self.category.clone(),
            quote: self.quote.clone(),
            explanation: self.explanation.clone(),
            evidence_urls: self.evidence_urls.lines().map(str::to_owned).collect(),
            reporter_name: Some(self.reporter_name.clone()),
            reporter_email: Some(self.reporter_email.clone()),
        }
    }

    fn values(self) -> views::ReportFormValues {
        views::ReportFormValues {
            category: self.category,
            quote: self.quote,
            explanation: self.explanation,
            evidence_urls: self.evidence_urls,
            reporter_name: self.reporter_name,
            reporter_email: self.reporter_email,
        }
    }
}

fn form_view(article: &Article, values: views::ReportFormValues) -> views::ReportFormView {
    views::ReportFormView {
        article: summary(article),
        categories: Category::ALL
            .iter()
            .map(|c| views::Choice { value: c.as_str().into(), label: c.label().into() })
            .collect(),
        values,
        errors: Vec::new(),
        form_error: None,
        action: format!("/articles/{}/report", article.id),
        quote_max: reports::QUOTE_MAX,
        explanation_max: reports::EXPLANATION_MAX,
        evidence_max: reports::EVIDENCE_MAX,
    }
}

async fn load_article(state: &State, id: String) -> Result<Article, AppError> {
    state.db.read(move |c| articles::get(c, &id)).await
}

/// `GET /articles/{id}/report`: the empty form.
pub async fn report_form(state: State, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let article = load_article(&state, path.into_inner()).await?;
    Ok(html(200, views::report_form(&state.layout, &form_view(&article, Default::default()))))
}

/// Files a reader's report: checked with reads first, then written, committed together with
/// the other reports sent at the same moment.
pub async fn file_report(
    state: &State,
    article_id: String,
    input: reports::ReportInput,
    ip: std::net::IpAddr,
) -> Result<reports::Filed, AppError> {
    let now = state.now();
    let st = state.clone();
    state
        .db
        .read_then_write_grouped(
            move |c| reports::check(c, &article_id, &input),
            move |c, (article, report)| {
                let mut notices = Notices::default();
                let filed =
                    reports::record(c, &article, &report, &st.config.response_targets, &mut notices, now, || {
                        st.limiter.as_ref().map_or(Ok(()), |l| l.check(ip))
                    })?;
                crate::mail::notify(c, &st.mail, &notices, now)?;
                Ok(filed)
            },
        )
        .await
}

/// `POST /articles/{id}/report`: files the report, or shows the form again with the errors.
pub async fn submit_report(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let article_id = path.into_inner();
    let body = read_body(&req, payload, REPORT_BODY_LIMIT).await?;
    let form: ReportForm = parse_form(&body)?;
    let outcome = if !form.website.trim().is_empty() {
        Err(AppError::invalid(
            "website",
            "This form looked automated: the field \u{201c}Leave this field empty\u{201d} was filled in. \
             Clear it and send the report again.",
        ))
    } else {
        let ip = client_ip(&req, &state.config.trusted_proxies);
        file_report(&state, article_id.clone(), form.input(), ip).await
    };
    let (status, errors, form_error, retry_after) = match outcome {
        Ok(filed) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, format!("/reports/{}?filed=1", filed.token)))
                .finish())
        }
        Err(AppError::Invalid(errors)) if errors.iter().any(|e| e.field == "website") => {
            (422, Vec::new(), errors.into_iter().next().map(|e| e.message), None)
        }
        Err(AppError::Invalid(errors)) => (422, errors, None, None),
        Err(err @ AppError::RateLimited { retry_after_secs, .. }) => {
            (429, Vec::new(), Some(format!("We have received {err}.")), Some(retry_after_secs))
        }
        Err(other) => return Err(other),
    };
    let article = load_article(&state, article_id).await?;
    let mut view = form_view(&article, form.values());
    view.errors = errors.into_iter().map(|e| views::FieldError { message: form_message(&e), field: e.field }).collect();
    view.form_error = form_error;
    let mut response = html(status, views::report_form(&state.layout, &view));
    if let Some(secs) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    }
    Ok(response)
}

/// A field error as a sentence for the form: the domain's messages are predicates.
fn form_message(error: &crate::error::FieldError) -> String {
    let label = match error.field.as_str() {
        // The machine values in the API message mean nothing to a reader at a select box.
        "category" => return "Choose the kind of error from the list.".into(),
        "quote" => "The passage",
        "explanation" => "Your explanation",
        "evidence_urls" => "Each evidence link",
        "reporter_name" => "Your name",
        "reporter_email" => "Your email",
        other => other,
    };
    format!("{label} {}.", error.message.trim_end_matches('.'))
}

/// The tracking page's query: which step just happened.
#[derive(Debug, Deserialize)]
pub struct TrackingQuery {
    #[serde(default)]
    filed: Option<String>,
    #[serde(default)]
    answered: Option<String>,
    #[serde(default)]
    appealed: Option<String>,
}

/// What the tracking page shows besides the report: a notice, or a refused answer or appeal.
#[derive(Default)]
struct TrackingExtras {
    just_filed: bool,
    notice: Option<String>,
    reply: Option<(String, String)>,
    appeal: Option<(String, String)>,
}

/// `GET /reports/{token}`: the reader's view of their report.
pub async fn tracking(
    state: State,
    path: web::Path<String>,
    query: web::Query<TrackingQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = if query.answered.is_some() {
        Some("Thank you: your answer was sent to the editor.".to_owned())
    } else if query.appealed.is_some() {
        Some("Your appeal was received. A standards editor will review the decision.".to_owned())
    } else {
        None
    };
    let extras = TrackingExtras { just_filed: query.filed.is_some(), notice, ..Default::default() };
    render_tracking(&state, path.into_inner(), extras, 200).await
}

async fn render_tracking(
    state: &AppState,
    token: String,
    extras: TrackingExtras,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let lookup = token.clone();
    let (tracking, article) = state.db.read(move |c| reports::track(c, &lookup)).await?;
    let view = tracking_view(state, &token, tracking, &article, extras);
    let mut response = html(status, views::tracking(&state.layout, &view));
    private_page_headers(&mut response);
    Ok(response)
}

/// The reader's answer or appeal as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReaderText {
    body: String,
    reason: String,
}

/// `POST /reports/{token}/reply` and `/appeal`: the reader's two moves.
async fn reader_step(
    state: State,
    req: HttpRequest,
    token: String,
    payload: web::Payload,
    appeal: bool,
) -> Result<HttpResponse, AppError> {
    let form: ReaderText = parse_form(&read_body(&req, payload, REPORT_BODY_LIMIT).await?)?;
    let text = if appeal { form.reason } else { form.body };
    let (t, body, now) = (token.clone(), text.clone(), state.now());
    let outcome = state
        .write_notifying(move |c, n| {
            let report = reports::for_token(c, &t)?;
            if appeal {
                workflow::appeal(c, &report, &body, n, now)
            } else {
                workflow::reply(c, &report, &body, n, now)
            }
        })
        .await;
    match outcome {
        Ok(()) => {
            let done = if appeal { "appealed" } else { "answered" };
            Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, format!("/reports/{token}?{done}=1")))
                .finish())
        }
        Err(AppError::Invalid(_)) => {
            let message = "Write something before sending (at most 5,000 characters).".to_owned();
            let extras = if appeal {
                TrackingExtras { appeal: Some((text, message)), ..Default::default() }
            } else {
                TrackingExtras { reply: Some((text, message)), ..Default::default() }
            };
            render_tracking(&state, token, extras, 422).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /reports/{token}/reply`: the reader answers the editor's question.
pub async fn reply(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    reader_step(state, req, path.into_inner(), payload, false).await
}

/// `POST /reports/{token}/appeal`: the reader appeals the decision, once.
pub async fn appeal(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    reader_step(state, req, path.into_inner(), payload, true).await
}

/// Headers for pages whose URL is a secret: never cached, indexed or leaked through `Referer`.
pub fn private_page_headers(response: &mut HttpResponse) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    headers
        .insert(header::HeaderName::from_static("x-robots-tag"), header::HeaderValue::from_static("noindex, nofollow"));
}

fn tracking_view(
    state: &AppState,
    token: &str,
    t: Tracking,
    article: &Article,
    extras: TrackingExtras,
) -> views::TrackingView {
    let parse = |s: &str| chrono::DateTime::parse_from_rfc3339(s).map(|d| d.naive_utc()).unwrap_or_default();
    let form = |path: &str, kept: Option<(String, String)>| {
        let (value, error) = kept.map_or((String::new(), None), |(v, e)| (v, Some(e)));
        views::ReaderForm { action: format!("/reports/{token}/{path}"), value, error, max: workflow::REASON_MAX }
    };
    views::TrackingView {
        article: summary(article),
        status: t.status.as_str().into(),
        status_label: t.status.label().into(),
        status_explanation: t.status.explanation().into(),
        category_label: t.category.label().into(),
        quote: t.quote,
        explanation: t.explanation,
        evidence_urls: t.evidence_urls,
        filed_at: time(parse(&t.created_at)),
        filed_at_iso: t.created_at,
        updated_at: time(parse(&t.updated_at)),
        updated_at_iso: t.updated_at,
        history: t
            .history
            .into_iter()
            .map(|h| views::HistoryItem { at: time(parse(&h.at)), at_iso: h.at, title: h.title, detail: h.detail })
            .collect(),
        just_filed: extras.just_filed,
        tracking_url: state.url(&format!("/reports/{token}")),
        reply: (t.status == Status::NeedsInfo).then(|| form("reply", extras.reply)),
        appeal: t.can_appeal.then(|| form("appeal", extras.appeal)),
        question: t.question,
        primary_outcome: t.primary_status.map(|s| s.label().to_owned()),
        notice: extras.notice,
    }
}
