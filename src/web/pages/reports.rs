//! Readers' reports as pages: the report form, filing it, the tracking page, and the reader's reply and appeal.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use crate::db::models::Article;
use crate::domain::articles;
use crate::domain::reports::{self, Category, Prefill, ReportInput, Status, Tracking};
use crate::domain::workflow;
use crate::error::{AppError, FieldError};
use crate::web::extract::{client_ip, last_value, parse_form, query_pairs, read_body, REPORT_BODY_LIMIT};
use crate::web::present::{field_sentence, html, iso, private_page_headers, redirect, summary, time, Naming};
use crate::web::{steps, AppState, State};

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
    /// The refusal when the honeypot was filled in, which people do not see.
    fn automated(&self) -> Option<AppError> {
        (!self.website.trim().is_empty()).then(|| {
            AppError::invalid(
                "website",
                "This form looked automated: the field \u{201c}Leave this field empty\u{201d} was filled in. \
                 Clear it and send the report again.",
            )
        })
    }

    /// The report as the domain takes it.
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

    /// What was typed, to show again.
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

/// The report form for `article`, filled with `values`.
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

/// The article a report is about.
async fn load_article(state: &AppState, id: String) -> Result<Article, AppError> {
    state.db.read(move |c| articles::get(c, &id)).await
}

/// `GET /articles/{id}/report`: the form, empty or with the passage (`quote`) and the kind of
/// error (`category`) a link filled in, e.g. the select-to-report widget on the article page.
pub async fn report_form(state: State, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let pairs = query_pairs(&req);
    let prefill = Prefill::from_link(last_value(&pairs, "quote"), last_value(&pairs, "category"));
    let values = views::ReportFormValues {
        quote: prefill.quote,
        category: prefill.category.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        ..Default::default()
    };
    match load_article(&state, id.clone()).await {
        Ok(article) => Ok(html(200, views::report_form(&state.layout, &form_view(&article, values)))),
        Err(AppError::NotFound(_)) => Ok(unregistered(&state, &id)),
        Err(other) => Err(other),
    }
}

/// The page for a report on an article the publisher's system has not told us about yet.
fn unregistered(state: &AppState, id: &str) -> HttpResponse {
    let view = views::MessageView {
        title: "We cannot take reports on this article yet".to_owned(),
        message: format!(
            "This article is not in our corrections system yet (we looked for the article \u{201c}{id}\u{201d}). \
             New articles usually arrive within minutes of publication, so please try again shortly, or find the \
             article by its web address or its headline."
        ),
        link: Some(("Find an article".to_owned(), "/".to_owned())),
        button: None,
    };
    html(404, views::message_page(&state.layout, &view))
}

/// `POST /articles/{id}/report`: files the report, or shows the form again with the errors.
pub async fn submit_report(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let article_id = path.into_inner();
    let form: ReportForm = parse_form(&read_body(&req, payload, REPORT_BODY_LIMIT).await?)?;
    let outcome = match form.automated() {
        Some(refusal) => Err(refusal),
        None => {
            let ip = client_ip(&req, &state.config.trusted_proxies);
            steps::file_report(&state, article_id.clone(), form.input(), ip).await
        }
    };
    match outcome {
        Ok(filed) => Ok(redirect(format!("/reports/{}?filed=1", filed.token))),
        Err(AppError::NotFound(_)) => Ok(unregistered(&state, &article_id)),
        Err(err) => refused_form(&state, article_id, form, Refused::of(err)?).await,
    }
}

/// Why the report form is shown again.
struct Refused {
    status: u16,
    errors: Vec<FieldError>,
    form_error: Option<String>,
    retry_after: Option<u64>,
}

impl Refused {
    /// What the form shows for `err`; errors that are not the form's to show are handed back.
    fn of(err: AppError) -> Result<Self, AppError> {
        let refused = |status, errors, form_error, retry_after| Ok(Self { status, errors, form_error, retry_after });
        match err {
            AppError::Invalid(errors) if errors.iter().any(|e| e.field == "website") => {
                refused(422, Vec::new(), errors.into_iter().next().map(|e| e.message), None)
            }
            AppError::Invalid(errors) => refused(422, errors, None, None),
            err @ AppError::RateLimited { retry_after_secs, .. } => {
                refused(429, Vec::new(), Some(format!("We have received {err}.")), Some(retry_after_secs))
            }
            // The reader keeps what they typed and can send it again.
            err @ AppError::TryLater { retry_after_secs, .. } => {
                refused(503, Vec::new(), Some(format!("Your report was not saved: {err}.")), Some(retry_after_secs))
            }
            other => Err(other),
        }
    }
}

/// The form again, with what was typed and why it was refused.
async fn refused_form(
    state: &AppState,
    article_id: String,
    form: ReportForm,
    refused: Refused,
) -> Result<HttpResponse, AppError> {
    let article = match load_article(state, article_id.clone()).await {
        Ok(article) => article,
        Err(AppError::NotFound(_)) => return Ok(unregistered(state, &article_id)),
        Err(other) => return Err(other),
    };
    let mut view = form_view(&article, form.values());
    view.errors = refused.errors.into_iter().map(reader_field_error).collect();
    view.form_error = refused.form_error;
    let mut response = html(refused.status, views::report_form(&state.layout, &view));
    if let Some(secs) = refused.retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    }
    Ok(response)
}

/// How the report form names its fields to the reader.
const READER_FIELDS: Naming = Naming::Labels(&[
    ("quote", "The passage"),
    ("explanation", "Your explanation"),
    ("evidence_urls", "Each evidence link"),
    ("reporter_name", "Your name"),
    ("reporter_email", "Your email"),
]);

/// A field error as a sentence for the form: the domain's messages are predicates.
fn reader_field_error(error: FieldError) -> views::FieldError {
    let message = if error.field == "category" {
        // The machine values in the API message mean nothing to a reader at a select box.
        "Choose the kind of error from the list.".to_owned()
    } else {
        field_sentence(READER_FIELDS, &error.field, error.message.trim_end_matches('.'))
    };
    views::FieldError { message, field: error.field }
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

impl TrackingExtras {
    /// A refused answer or appeal, kept in its box with the reason.
    fn refused(appeal: bool, text: String) -> Self {
        let kept = Some((text, "Write something before sending (at most 5,000 characters).".to_owned()));
        if appeal {
            Self { appeal: kept, ..Default::default() }
        } else {
            Self { reply: kept, ..Default::default() }
        }
    }
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

/// The tracking page, with `extras` beside the report.
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
        Ok(()) => Ok(redirect(format!("/reports/{token}?{}=1", if appeal { "appealed" } else { "answered" }))),
        Err(AppError::Invalid(_)) => render_tracking(&state, token, TrackingExtras::refused(appeal, text), 422).await,
        Err(AppError::Conflict(_)) => not_now(&state, token, appeal).await,
        Err(other) => Err(other),
    }
}

/// The page for an answer or appeal the report no longer takes (sent twice, or the report moved
/// on): what happened in the reader's words, and the way back to the report.
async fn not_now(state: &AppState, token: String, appeal: bool) -> Result<HttpResponse, AppError> {
    let lookup = token.clone();
    let (tracking, _) = state.db.read(move |c| reports::track(c, &lookup)).await?;
    let appealed = tracking.status == Status::Appealed || tracking.appeal_outcome.is_some();
    let (title, message) = match (appeal, appealed) {
        (true, true) => (
            "You have already appealed",
            "You have already appealed this decision, and a decision can be appealed only once. \
             Your report's page shows the appeal and, once a standards editor has decided it, the outcome.",
        ),
        (true, false) => (
            "This decision cannot be appealed",
            "Only a decision not to change the article can be appealed, and your report is not at such a decision \
             now. Your report's page shows where it stands.",
        ),
        (false, _) => (
            "Your answer was not needed",
            "The editor's question has already been answered, or the editor no longer needs an answer, so nothing \
             was sent. Your report's page shows where it stands.",
        ),
    };
    let view = views::MessageView {
        title: title.to_owned(),
        message: message.to_owned(),
        link: Some(("Back to your report".to_owned(), format!("/reports/{token}"))),
        button: None,
    };
    let mut response = html(409, views::message_page(&state.layout, &view));
    private_page_headers(&mut response);
    Ok(response)
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

/// The tracking page's view of the report.
fn tracking_view(
    state: &AppState,
    token: &str,
    t: Tracking,
    article: &Article,
    extras: TrackingExtras,
) -> views::TrackingView {
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
        filed_at: time(t.created_at),
        filed_at_iso: iso(t.created_at),
        updated_at: time(t.updated_at),
        updated_at_iso: iso(t.updated_at),
        history: t
            .history
            .into_iter()
            .map(|h| views::HistoryItem { at: time(h.at), at_iso: iso(h.at), title: h.title, detail: h.detail })
            .collect(),
        just_filed: extras.just_filed,
        tracking_url: state.url(&format!("/reports/{token}")),
        reply: (t.status == Status::NeedsInfo).then(|| form("reply", extras.reply)),
        appeal: t.can_appeal.then(|| form("appeal", extras.appeal)),
        question: t.question,
        primary_outcome: t.primary_status.map(|s| s.label().to_owned()),
        notice: extras.notice,
        // A decision made on appeal is told with the appeal, its reason once.
        decision_reason: t.decision_reason.filter(|reason| {
            !t.appeal_outcome.as_ref().is_some_and(|a| a.status == t.status && a.reason.as_ref() == Some(reason))
        }),
        correction: t.correction.map(|c| views::TrackedCorrection {
            kind_label: c.kind.label().into(),
            text: c.text,
            href: format!("/articles/{}/corrections#correction-{}", t.article_id, c.id),
        }),
        appeal_outcome: t.appeal_outcome.map(|a| views::AppealOutcomeView {
            sentence: appeal_sentence(a.status),
            is_final: a.is_final,
            reason: a.reason,
            at: time(a.at),
            at_iso: iso(a.at),
        }),
    }
}

/// What the standards editor decided on the reader's appeal, as one sentence for them.
fn appeal_sentence(to: Status) -> String {
    match to {
        Status::InReview => {
            "A standards editor accepted your appeal and reopened your report: an editor is reviewing it again."
                .to_owned()
        }
        Status::NoChange => {
            "A standards editor reviewed your appeal and upheld the decision: the passage stands as published."
                .to_owned()
        }
        Status::Rejected => {
            "A standards editor reviewed your appeal and upheld the decision not to act on this report.".to_owned()
        }
        other => format!("A standards editor decided your appeal: {}.", other.label().to_lowercase()),
    }
}
