//! Staff pages: sign-in, first-run setup, the queue and the ticket.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use crate::db::models::StaffMember;
use crate::domain::desk::{self, QueueFilter, QueuePage, Sort, Ticket};
use crate::domain::events::{actor_name, Audience};
use crate::domain::notices::Notices;
use crate::domain::quote;
use crate::domain::reports::{Category, Severity, Status};
use crate::domain::secrets;
use crate::domain::sessions::{self, NewSession};
use crate::domain::workflow::{self, MoveRequest};
use crate::error::{AppError, FieldError};
use crate::web::auth::{
    self, check_login_csrf, CanEdit, CanRead, DeskForm, Signed, Staff, LOGIN_COOKIE, SESSION_COOKIE,
};
use crate::web::extract::{client_ip, parse_form, read_body};
use crate::web::extract::{parse_id, parse_time, query_pairs};
use crate::web::pages::reports::{html, summary, time};
use crate::web::AppState;

type State = web::Data<AppState>;

/// The page frame with the signed-in user in the header.
pub fn staff_layout(state: &AppState, staff: &Staff) -> views::Layout {
    let mut layout = state.layout.clone();
    layout.staff = Some(views::StaffNav {
        name: staff.actor.name.clone(),
        role_label: role_label(staff.actor.role).into(),
        csrf: staff.session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default(),
        is_standards_editor: staff.actor.role == crate::domain::accounts::Role::StandardsEditor,
    });
    layout
}

fn role_label(role: crate::domain::accounts::Role) -> &'static str {
    match role {
        crate::domain::accounts::Role::Editor => "Editor",
        crate::domain::accounts::Role::StandardsEditor => "Standards editor",
        crate::domain::accounts::Role::Auditor => "Auditor",
    }
}

/// Only local paths are followed after sign-in, never another site.
fn safe_next(next: &str) -> String {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.contains("://");
    if local {
        next.to_owned()
    } else {
        "/desk".to_owned()
    }
}

/// The sign-in page's query.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

fn login_page(state: &AppState, view: views::LoginView, status: u16) -> HttpResponse {
    let mut response = html(status, views::login(&state.layout, &view));
    let _ = response.add_cookie(&auth::cookie(LOGIN_COOKIE, view.csrf, state.secure_cookies()));
    response
}

/// `GET /login`.
pub async fn login_form(state: State, query: web::Query<NextQuery>) -> HttpResponse {
    let view = views::LoginView { next: safe_next(&query.next), csrf: secrets::new_token(), ..Default::default() };
    login_page(&state, view, 200)
}

/// The sign-in form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
    csrf: String,
}

/// Sets the new session's cookie and ends the one the browser had, if any.
fn signed_in(state: &AppState, req: &HttpRequest, session: NewSession, to: &str) -> HttpResponse {
    if let Some(old) = req.cookie(SESSION_COOKIE) {
        let hash = secrets::token_hash(old.value());
        let db = state.db.clone();
        // Best effort: the old session would expire anyway.
        actix_web::rt::spawn(async move { db.write(move |c| sessions::logout(c, &hash)).await });
    }
    let secure = state.secure_cookies();
    let mut response = HttpResponse::SeeOther().insert_header((header::LOCATION, to.to_owned())).finish();
    let _ = response.add_cookie(&auth::cookie(SESSION_COOKIE, session.cookie, secure));
    let _ = response.add_cookie(&auth::removal(LOGIN_COOKIE, secure));
    response
}

/// `POST /login`.
pub async fn login(state: State, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, AppError> {
    let form: LoginForm = parse_form(&read_body(&req, payload, 16 * 1024).await?)?;
    check_login_csrf(&req, &form.csrf)?;
    let ip = client_ip(&req, &state.config.trusted_proxies);
    let now = state.now();
    let (email, password) = (form.email.clone(), form.password.clone());
    let outcome = match state.login_limiter.check(ip) {
        Ok(()) => state.db.write(move |c| sessions::login(c, &email, &password, now)).await?,
        Err(err) => Err(err),
    };
    match outcome {
        Ok((_, session)) => Ok(signed_in(&state, &req, session, &safe_next(&form.next))),
        Err(err @ (AppError::Unauthorized(_) | AppError::Forbidden(_) | AppError::RateLimited { .. })) => {
            let status = err.status_code().as_u16();
            let view = views::LoginView {
                email: form.email,
                next: safe_next(&form.next),
                error: Some(capitalise(&err.public_message())),
                csrf: form.csrf,
            };
            let mut response = login_page(&state, view, status);
            if let AppError::RateLimited { retry_after_secs, .. } = err {
                response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(retry_after_secs));
            }
            Ok(response)
        }
        Err(other) => Err(other),
    }
}

fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect::<String>() + ".")
}

/// An empty desk form (only the CSRF token).
#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

/// `POST /logout`.
pub async fn logout(state: State, post: DeskForm<CanRead, Empty>) -> Result<HttpResponse, AppError> {
    if let Some(session) = post.staff.session.clone() {
        state.db.write(move |c| sessions::logout(c, &session.id_hash)).await?;
    }
    let mut response = HttpResponse::SeeOther().insert_header((header::LOCATION, "/login")).finish();
    let _ = response.add_cookie(&auth::removal(SESSION_COOKIE, state.secure_cookies()));
    Ok(response)
}

/// `GET /setup/{token}`: the first-run page, while no account exists.
pub async fn setup_form(state: State, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let lookup = token.clone();
    if !state.db.read(move |c| sessions::setup_open(c, &lookup)).await? {
        return Err(AppError::NotFound("this setup link has been used already or is not valid".into()));
    }
    let view = views::SetupView { action: format!("/setup/{token}"), csrf: secrets::new_token(), ..Default::default() };
    let mut response = html(200, views::setup(&state.layout, &view));
    let _ = response.add_cookie(&auth::cookie(LOGIN_COOKIE, view.csrf, state.secure_cookies()));
    Ok(response)
}

/// The setup form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    email: String,
    name: String,
    password: String,
    password_confirm: String,
    csrf: String,
}

/// `POST /setup/{token}`: creates the first standards editor and signs them in.
pub async fn setup(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let form: SetupForm = parse_form(&read_body(&req, payload, 16 * 1024).await?)?;
    check_login_csrf(&req, &form.csrf)?;
    let now = state.now();
    let (t, email, name, password, confirm) =
        (token.clone(), form.email.clone(), form.name.clone(), form.password.clone(), form.password_confirm.clone());
    match state.db.write(move |c| sessions::complete_setup(c, &t, &email, &name, &password, &confirm, now)).await {
        Ok((_, session)) => Ok(signed_in(&state, &req, session, "/desk")),
        Err(AppError::Invalid(errors)) => {
            let view = views::SetupView {
                action: format!("/setup/{token}"),
                email: form.email,
                name: form.name,
                errors: errors.into_iter().map(form_error).collect(),
                csrf: form.csrf,
            };
            Ok(html(422, views::setup(&state.layout, &view)))
        }
        Err(other) => Err(other),
    }
}

fn form_error(e: FieldError) -> views::FieldError {
    views::FieldError { message: capitalise(&format!("{} {}", e.field.replace('_', " "), e.message)), field: e.field }
}

fn opts<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>, chosen: &[&str]) -> Vec<views::Opt> {
    items
        .into_iter()
        .map(|(value, label)| views::Opt {
            value: value.into(),
            label: label.into(),
            selected: chosen.contains(&value),
        })
        .collect()
}

fn any_first(label: &str, mut rest: Vec<views::Opt>, chosen: &str) -> Vec<views::Opt> {
    rest.insert(0, views::Opt { value: String::new(), label: label.into(), selected: chosen.is_empty() });
    rest
}

/// A human age: minutes, hours or days.
fn age(from: chrono::NaiveDateTime, now: chrono::NaiveDateTime) -> String {
    let d = now - from;
    if d.num_hours() < 1 {
        format!("{} min", d.num_minutes().max(0))
    } else if d.num_hours() < 48 {
        format!("{} h", d.num_hours())
    } else {
        format!("{} d", d.num_days())
    }
}

/// Shortens a passage for a list, on a character boundary.
fn shorten(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        flat.chars().take(max).collect::<String>() + "\u{2026}"
    }
}

/// `GET /desk`: the queue.
pub async fn queue(state: State, req: HttpRequest, staff: Signed<CanEdit>) -> Result<HttpResponse, AppError> {
    let pairs = query_pairs(&req);
    let layout = staff_layout(&state, &staff);
    let actor = staff.actor.clone();
    let now = state.now();
    let parsed = QueueFilter::parse(&pairs);
    let filter =
        parsed.as_ref().cloned().unwrap_or_else(|_| QueueFilter { limit: desk::PAGE_DEFAULT, ..Default::default() });
    let f = filter.clone();
    let result =
        state.db.read(move |c| Ok((desk::queue(c, &f, &actor, now), desk::sections(c)?, desk::assignable(c)?))).await?;
    let (page, sections, staff_list) = result;
    let (page, error) = match (parsed, page) {
        (Ok(_), Ok(page)) => (page, None),
        (Err(e), _) | (Ok(_), Err(e @ AppError::Invalid(_))) => (
            QueuePage { items: vec![], next: None, counts: vec![] },
            Some(capitalise(&format!("{} {}", e.field().unwrap_or("filter"), e.public_message()))),
        ),
        (Ok(_), Err(other)) => return Err(other),
    };
    let status = if error.is_some() { 422 } else { 200 };
    let view = queue_view(&pairs, &filter, page, &sections, &staff_list, error, now);
    Ok(html(status, views::queue(&layout, &view)))
}

fn queue_view(
    pairs: &[(String, String)],
    filter: &QueueFilter,
    page: QueuePage,
    sections: &[String],
    staff: &[StaffMember],
    error: Option<String>,
    now: chrono::NaiveDateTime,
) -> views::QueueView {
    let value = |key: &str| pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or("");
    let chosen: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    // Links keep every filter but status and cursor.
    let keep: Vec<(String, String)> =
        pairs.iter().filter(|(k, v)| k != "status" && k != "cursor" && !v.is_empty()).cloned().collect();
    let link = |extra: &[(&str, &str)]| {
        let mut all = keep.clone();
        all.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(all).finish();
        if query.is_empty() {
            "/desk".to_owned()
        } else {
            format!("/desk?{query}")
        }
    };
    let counts = page
        .counts
        .iter()
        .map(|c| views::StatusCount {
            status: c.status.as_str().into(),
            label: c.status.label().into(),
            count: c.count,
            href: link(&[("status", c.status.as_str())]),
            current: chosen == [c.status.as_str()],
        })
        .collect();
    let mut next_pairs: Vec<(&str, &str)> = chosen.iter().map(|s| ("status", *s)).collect();
    let next_href = page.next.as_deref().map(|cursor| {
        next_pairs.push(("cursor", cursor));
        link(&next_pairs)
    });
    let mut assignees = vec![("me", "Me"), ("unassigned", "Unassigned")];
    assignees.extend(staff.iter().map(|u| (u.email.as_str(), u.name.as_str())));
    views::QueueView {
        counts,
        statuses: opts(Status::ALL.iter().map(|s| (s.as_str(), s.label())), &chosen),
        categories: any_first(
            "Any category",
            opts(Category::ALL.iter().map(|c| (c.as_str(), c.label())), &[value("category")]),
            value("category"),
        ),
        severities: any_first(
            "Any severity",
            opts(Severity::ALL.iter().map(|s| (s.as_str(), s.label())), &[value("severity")]),
            value("severity"),
        ),
        sections: any_first(
            "Any section",
            opts(sections.iter().map(|s| (s.as_str(), s.as_str())), &[value("section")]),
            value("section"),
        ),
        assignees: any_first("Anyone", opts(assignees, &[value("assignee")]), value("assignee")),
        overdue: filter.overdue == Some(true),
        sorts: opts(
            Sort::ALL.iter().map(|(_, v, l)| (*v, *l)),
            &[Sort::ALL.iter().find(|(s, ..)| *s == filter.sort).map_or("deadline", |(_, v, _)| v)],
        ),
        rows: page
            .items
            .into_iter()
            .map(|item| views::QueueRow {
                id: item.id,
                href: format!("/desk/reports/{}", item.id),
                article_title: item.article_title,
                quote_short: shorten(&item.quote, 120),
                category_label: item.category.label().into(),
                severity: item.severity.as_str().into(),
                severity_label: item.severity.label().into(),
                status: item.status.as_str().into(),
                status_label: item.status.label().into(),
                age: age(parse_time(&item.created_at), now),
                deadline: time(parse_time(&item.deadline_at)),
                deadline_iso: item.deadline_at,
                overdue: item.overdue,
                assignee: item.assignee,
            })
            .collect(),
        next_href,
        error,
    }
}

/// The ticket page's query: which action just succeeded.
#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// `GET /desk/reports/{id}`: the ticket.
pub async fn ticket(
    state: State,
    staff: Signed<CanRead>,
    path: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let notice = match query.done.as_str() {
        "moved" => Some("Status changed."),
        "assigned" => Some("Assignment saved."),
        "severity" => Some("Severity changed; the deadline was recomputed."),
        "note" => Some("Note added."),
        _ => None,
    };
    render_ticket(&state, &staff, id, None, notice.map(str::to_owned), 200).await
}

/// Reads a ticket, then writes that the viewer has it open when that is due (reads stay reads).
pub async fn open_ticket(
    state: &AppState,
    id: i64,
    actor: &crate::domain::accounts::Actor,
    now: chrono::NaiveDateTime,
) -> Result<Ticket, AppError> {
    let viewer = actor.clone();
    let ticket = state.db.read(move |c| desk::ticket(c, id, &viewer, now)).await?;
    if ticket.presence_due {
        let viewer = actor.clone();
        state.db.write(move |c| desk::record_view(c, id, &viewer, now)).await?;
    }
    Ok(ticket)
}

async fn render_ticket(
    state: &AppState,
    staff: &Staff,
    id: i64,
    error: Option<String>,
    notice: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let actor = staff.actor.clone();
    let now = state.now();
    let ticket = open_ticket(state, id, &actor, now).await?;
    let staff_list = state.db.read(desk::assignable).await?;
    let view = ticket_view(ticket, staff, &staff_list, error, notice, now);
    let mut response = html(status, views::ticket(&staff_layout(state, staff), &view));
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(response)
}

fn ticket_view(
    t: Ticket,
    staff: &Staff,
    staff_list: &[StaffMember],
    error: Option<String>,
    notice: Option<String>,
    now: chrono::NaiveDateTime,
) -> views::TicketView {
    let can_edit = staff.actor.role.can_edit();
    let r = &t.report;
    let (status, severity) = (r.status, r.severity);
    let article_text = t.article.body.as_deref().map(|body| match quote::span(&r.quote, body) {
        Some(range) => vec![
            views::TextPart { text: body[..range.start].to_owned(), highlighted: false },
            views::TextPart { text: body[range.clone()].to_owned(), highlighted: true },
            views::TextPart { text: body[range.end..].to_owned(), highlighted: false },
        ],
        None => vec![views::TextPart { text: body.to_owned(), highlighted: false }],
    });
    let timeline = t
        .events
        .iter()
        .map(|e| views::TimelineItem {
            at: time(e.event.created_at),
            at_iso: crate::domain::articles::rfc3339(e.event.created_at),
            actor: actor_name(e.event.actor_kind, e.actor_name.as_deref()),
            title: e.data.sentence(Audience::Staff),
            detail: e.data.detail(Audience::Staff).map(str::to_owned),
            internal: !e.event.public,
        })
        .collect();
    let assignee_email = t.assignee.as_ref().map(|u| u.email.as_str()).unwrap_or("");
    views::TicketView {
        publish_href: t.can_draft.then(|| format!("/desk/corrections/new?report={}", r.id)),
        id: r.id,
        version: r.version,
        csrf: staff.session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default(),
        status: status.as_str().into(),
        status_label: status.label().into(),
        severity: severity.as_str().into(),
        severity_label: severity.label().into(),
        category_label: r.category.label().into(),
        created_at: time(r.created_at),
        created_at_iso: crate::domain::articles::rfc3339(r.created_at),
        deadline: time(r.deadline_at),
        deadline_iso: crate::domain::articles::rfc3339(r.deadline_at),
        overdue: desk::overdue(r, now),
        assignee: t.assignee.as_ref().map(|u| u.name.clone()),
        reporter_name: r.reporter_name.clone(),
        reporter_email: r.reporter_email.clone(),
        pii_redacted: t.reader_redacted,
        article: summary(&t.article),
        article_text,
        quote: r.quote.clone(),
        explanation: r.explanation.clone(),
        evidence_urls: serde_json::from_str(&r.evidence_urls).unwrap_or_default(),
        duplicate_of: r.duplicate_of.map(|id| (id, format!("/desk/reports/{id}"))),
        likely_duplicates: t
            .likely_duplicates
            .iter()
            .map(|d| views::DuplicateCandidate {
                id: d.id,
                href: format!("/desk/reports/{}", d.id),
                quote_short: shorten(&d.quote, 120),
                status_label: d.status.label().into(),
            })
            .collect(),
        also_open_by: t.also_open_by.clone(),
        timeline,
        moves: t
            .moves
            .iter()
            .map(|m| views::MoveOption {
                to: m.to.as_str().into(),
                label: move_label(m.from, m.to).into(),
                reason_required: m.reason,
                reason_label: match (m.to, m.reason) {
                    (Status::NeedsInfo, _) => "Question for the reader (shown on their tracking page)".into(),
                    (_, true) => "Reason".into(),
                    (_, false) => "Reason (optional)".into(),
                },
                needs_duplicate_of: m.to == Status::Duplicate,
            })
            .collect(),
        assignees: if can_edit {
            let mut list = vec![("", "Unassigned")];
            list.extend(staff_list.iter().map(|u| (u.email.as_str(), u.name.as_str())));
            opts(list, &[assignee_email])
        } else {
            vec![]
        },
        severities: if can_edit {
            opts(Severity::ALL.iter().map(|s| (s.as_str(), s.label())), &[severity.as_str()])
        } else {
            vec![]
        },
        can_edit,
        error,
        notice,
    }
}

fn move_label(from: Status, to: Status) -> &'static str {
    match (from, to) {
        (_, Status::Triaged) => "Mark as triaged",
        (Status::Appealed, Status::InReview) => "Uphold the appeal and reopen",
        (Status::Duplicate, Status::InReview) => "Not a duplicate: reopen",
        (Status::NeedsInfo, Status::InReview) => "Resume review without an answer",
        (_, Status::InReview) => "Start review",
        (_, Status::NeedsInfo) => "Ask the reader for more information",
        (Status::Appealed, Status::NoChange) => "Dismiss the appeal: no change",
        (Status::Appealed, Status::Rejected) => "Dismiss the appeal: rejected",
        (_, Status::NoChange) => "Close: no change needed",
        (_, Status::Rejected) => "Reject the report",
        (_, Status::Duplicate) => "Mark as duplicate",
        _ => "Move",
    }
}

/// A move as posted from the ticket.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    to: String,
    reason: String,
    version: String,
    duplicate_of: String,
}

/// The assignment form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssignForm {
    assignee_email: String,
    version: String,
}

/// The severity form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SeverityForm {
    severity: String,
    version: String,
}

/// The note form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    body: String,
}

fn version(raw: &str) -> Result<i64, AppError> {
    raw.trim().parse().map_err(|_| AppError::invalid("version", "is missing: reload the ticket and try again"))
}

/// Runs a ticket action; success goes back to the ticket with a notice, failure shows the ticket with the error.
async fn act<F>(state: &AppState, staff: &Staff, id: i64, done: &str, f: F) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut crate::db::DbConnection, &mut Notices) -> Result<(), AppError> + Send + 'static,
{
    match state.write_notifying(f).await {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/desk/reports/{id}?done={done}")))
            .finish()),
        Err(err @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let message = match &err {
                AppError::Invalid(_) => capitalise(&format!(
                    "{} {}",
                    err.field().unwrap_or_default().replace('_', " "),
                    err.public_message()
                )),
                other => capitalise(&other.public_message()),
            };
            render_ticket(state, staff, id, Some(message), None, err.status_code().as_u16()).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /desk/reports/{id}/transitions`.
pub async fn transition(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, MoveForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let f = &post.form;
    let request = MoveRequest {
        to: f.to.clone(),
        reason: Some(f.reason.clone()),
        version: version(&f.version)?,
        duplicate_of: match f.duplicate_of.trim().trim_start_matches('#') {
            "" => None,
            raw => Some(raw.parse().map_err(|_| AppError::invalid("duplicate_of", "must be a report number"))?),
        },
    };
    let actor = post.staff.actor.clone();
    let now = state.now();
    act(&state, &post.staff, id, "moved", move |c, n| workflow::transition(c, id, &actor, &request, n, now).map(drop))
        .await
}

/// `POST /desk/reports/{id}/assignment`.
pub async fn assign(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, AssignForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (email, v) = (post.form.assignee_email.clone(), version(&post.form.version)?);
    let actor = post.staff.actor.clone();
    let now = state.now();
    act(&state, &post.staff, id, "assigned", move |c, n| {
        workflow::assign(c, id, &actor, Some(&email), v, n, now).map(drop)
    })
    .await
}

/// `POST /desk/reports/{id}/severity`.
pub async fn severity(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, SeverityForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let (severity, v) = (post.form.severity.clone(), version(&post.form.version)?);
    let actor = post.staff.actor.clone();
    let (now, targets) = (state.now(), state.config.response_targets);
    act(&state, &post.staff, id, "severity", move |c, _| {
        workflow::set_severity(c, id, &actor, &severity, v, &targets, now).map(drop)
    })
    .await
}

/// `POST /desk/reports/{id}/notes`.
pub async fn note(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, NoteForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_id(&path.into_inner())?;
    let body = post.form.body.clone();
    let actor = post.staff.actor.clone();
    let now = state.now();
    act(&state, &post.staff, id, "note", move |c, _| workflow::add_note(c, id, &actor, &body, now)).await
}
