//! Presenter helpers the pages share: responses, times, option lists, error sentences and links.

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use corrigenda_templates as views;

use crate::db::models::Article;
use crate::domain::accounts::Role;
use crate::error::{AppError, FieldError};
use crate::web::auth::{session_staff, Staff, SESSION_COOKIE};
use crate::web::AppState;

/// An HTML response with `status`.
pub fn html(status: u16, markup: maud::Markup) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
        .content_type(ContentType::html())
        .body(markup.into_string())
}

/// A `303 See Other` to `to`.
pub fn redirect(to: impl Into<String>) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to.into())).finish()
}

/// Headers for pages whose URL is a secret: never cached, indexed or leaked through `Referer`.
pub fn private_page_headers(response: &mut HttpResponse) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    headers
        .insert(header::HeaderName::from_static("x-robots-tag"), header::HeaderValue::from_static("noindex, nofollow"));
}

/// Headers for public, shareable data: cacheable briefly and readable from any site.
pub fn public_headers(response: &mut HttpResponse) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("public, max-age=60"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, header::HeaderValue::from_static("*"));
}

/// A date for people, e.g. "28 November 2026".
pub fn date(t: impl Moment) -> String {
    t.utc().format("%-d %B %Y").to_string()
}

/// A time for people, in UTC.
pub fn time(t: impl Moment) -> String {
    t.utc().format("%-d %B %Y, %H:%M UTC").to_string()
}

/// A time for machines (`datetime` attributes, JSON): RFC 3339 in UTC, to the second.
pub fn iso(t: impl Moment) -> String {
    t.utc().and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A point in time as stored (naive UTC) or as the domain hands it over.
pub trait Moment {
    /// The time in UTC.
    fn utc(&self) -> NaiveDateTime;
}

impl Moment for NaiveDateTime {
    fn utc(&self) -> NaiveDateTime {
        *self
    }
}

impl Moment for chrono::DateTime<chrono::Utc> {
    fn utc(&self) -> NaiveDateTime {
        self.naive_utc()
    }
}

/// A human age: minutes, hours or days.
pub fn age(from: impl Moment, now: NaiveDateTime) -> String {
    let d = now - from.utc();
    if d.num_hours() < 1 {
        format!("{} min", d.num_minutes().max(0))
    } else if d.num_hours() < 48 {
        format!("{} h", d.num_hours())
    } else {
        format!("{} d", d.num_days())
    }
}

/// A deadline relative to now: "due in 5 h", "2 d overdue".
pub fn relative_deadline(deadline: impl Moment, now: NaiveDateTime) -> String {
    let deadline = deadline.utc();
    let span = |d: chrono::Duration| {
        if d.num_hours() < 1 {
            format!("{} min", d.num_minutes().max(1))
        } else if d.num_hours() < 48 {
            format!("{} h", d.num_hours())
        } else {
            format!("{} d", d.num_days())
        }
    };
    if deadline >= now {
        format!("due in {}", span(deadline - now))
    } else {
        format!("{} overdue", span(now - deadline))
    }
}

/// Shortens a passage for a list, on a character boundary.
pub fn shorten(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        flat.chars().take(max).collect::<String>() + "\u{2026}"
    }
}

/// A message as a sentence: first letter capitalised, a full stop added.
pub fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect::<String>() + ".")
}

/// The article as pages summarise it.
pub fn summary(article: &Article) -> views::ArticleSummary {
    views::ArticleSummary {
        id: article.id.clone(),
        title: article.title.clone(),
        url: article.url.clone(),
        section: article.section.clone(),
        authors: article.authors.to_vec(),
        published: date(article.published_at),
        text_known: article.body.is_some(),
    }
}

/// The CSRF token of the staff member's session (empty for API tokens).
pub fn csrf(staff: &Staff) -> String {
    staff.session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default()
}

/// The page frame with the signed-in user in the header.
pub fn staff_layout(state: &AppState, staff: &Staff) -> views::Layout {
    let mut layout = state.layout.clone();
    layout.staff = Some(views::StaffNav {
        name: staff.actor.name.clone(),
        role_label: role_label(staff.actor.role).into(),
        csrf: csrf(staff),
        is_standards_editor: staff.actor.role == Role::StandardsEditor,
        pending_approvals: staff.pending_approvals,
    });
    layout
}

/// A public page, cached and shared for anonymous visitors; for signed-in staff rendered with
/// their navigation, never stored in the shared cache nor in any other (`private, no-store`).
///
/// `render` makes the page in the frame it is given.
pub async fn public_page<F, Fut>(state: &AppState, req: &HttpRequest, render: F) -> Result<HttpResponse, AppError>
where
    F: FnOnce(views::Layout) -> Fut,
    Fut: std::future::Future<Output = Result<HttpResponse, AppError>>,
{
    let mut response = if req.cookie(SESSION_COOKIE).is_some() {
        // Whatever the session turns out to be, this answer is made for this browser alone.
        let layout = match session_staff(req, state).await? {
            Some(staff) => staff_layout(state, &staff),
            None => state.layout.clone(),
        };
        let mut response = render(layout).await?;
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, no-store"));
        headers.remove(header::ETAG);
        response
    } else {
        state.public.answer(&state.db, req, || render(state.layout.clone())).await?
    };
    // Caches on the way must not hand one kind of answer to the other kind of visitor.
    response.headers_mut().insert(header::VARY, header::HeaderValue::from_static("Cookie"));
    Ok(response)
}

/// A public page made afresh for every request, with the staff navigation for signed-in staff:
/// for pages that show what the shared cache does not follow (reports change nothing it
/// watches, and "today" moves). Never stored by others for another visitor.
pub async fn fresh_public_page<F, Fut>(state: &AppState, req: &HttpRequest, render: F) -> Result<HttpResponse, AppError>
where
    F: FnOnce(views::Layout) -> Fut,
    Fut: std::future::Future<Output = Result<HttpResponse, AppError>>,
{
    let staff = session_staff(req, state).await?;
    let layout = match &staff {
        Some(staff) => staff_layout(state, staff),
        None => state.layout.clone(),
    };
    let mut response = render(layout).await?;
    let headers = response.headers_mut();
    let cache = if staff.is_some() { "private, no-store" } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static(cache));
    headers.insert(header::VARY, header::HeaderValue::from_static("Cookie"));
    Ok(response)
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Editor => "Editor",
        Role::StandardsEditor => "Standards editor",
        Role::Auditor => "Auditor",
    }
}

/// Choices for a select box, those whose value is in `chosen` selected.
pub fn opts<V: AsRef<str>, L: Into<String>>(
    items: impl IntoIterator<Item = (V, L)>,
    chosen: &[&str],
) -> Vec<views::Opt> {
    items
        .into_iter()
        .map(|(value, label)| {
            let value = value.as_ref();
            views::Opt { value: value.into(), label: label.into(), selected: chosen.contains(&value) }
        })
        .collect()
}

/// `rest` after an empty choice labelled `label` ("Any ..."), selected when nothing is chosen.
pub fn any_first(label: &str, mut rest: Vec<views::Opt>, chosen: &str) -> Vec<views::Opt> {
    rest.insert(0, views::Opt { value: String::new(), label: label.into(), selected: chosen.is_empty() });
    rest
}

/// How a page names a field at the start of an error sentence.
#[derive(Debug, Clone, Copy)]
pub enum Naming {
    /// As sent, e.g. `from` (the public filters).
    AsSent,
    /// As sent, the first letter capitalised, e.g. `Status` (the desk's filters).
    Capitalised,
    /// Capitalised with underscores as spaces, e.g. `Password confirm` (staff forms).
    Spoken,
    /// The page's own words for its fields, else as sent.
    Labels(&'static [(&'static str, &'static str)]),
}

impl Naming {
    /// The words for `field`.
    fn name(self, field: &str) -> String {
        let capitalised = |s: &str| {
            let mut chars = s.chars();
            chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        };
        match self {
            Self::AsSent => field.to_owned(),
            Self::Capitalised => capitalised(field),
            Self::Spoken => capitalised(&field.replace('_', " ")),
            Self::Labels(labels) => {
                labels.iter().find(|(f, _)| *f == field).map_or(field, |(_, label)| label).to_owned()
            }
        }
    }
}

/// An error sentence: `name` for the field, then the domain's message (a predicate) and a full stop.
pub fn sentence(name: &str, predicate: &str) -> String {
    format!("{name} {predicate}.")
}

/// A field error as a sentence naming the field, e.g. "Password confirm does not match.".
pub fn field_sentence(naming: Naming, field: &str, predicate: &str) -> String {
    sentence(&naming.name(field), predicate)
}

/// A field error as a form shows it beside its field.
pub fn field_error(naming: Naming, error: FieldError) -> views::FieldError {
    views::FieldError { message: field_sentence(naming, &error.field, &error.message), field: error.field }
}

/// A refused request's first field error as a sentence; `fallback` names the field when none is known.
pub fn error_sentence(naming: Naming, error: &AppError, fallback: &str) -> String {
    field_sentence(naming, error.field().unwrap_or(fallback), &error.public_message())
}

/// Links that keep a page's query: its non-empty pairs but the dropped keys, in order.
pub struct QueryLinks {
    kept: Vec<(String, String)>,
}

impl QueryLinks {
    /// Keeps every non-empty pair of `pairs` whose key is not in `dropped`.
    pub fn keeping(pairs: &[(String, String)], dropped: &[&str]) -> Self {
        let kept = pairs.iter().filter(|(k, v)| !dropped.contains(&k.as_str()) && !v.is_empty()).cloned().collect();
        Self { kept }
    }

    /// `path` with the kept pairs and then `extra` as its query (no `?` when there are none).
    pub fn to(&self, path: &str, extra: &[(&str, &str)]) -> String {
        let extra = extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.kept.iter().cloned().chain(extra))
            .finish();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_named_as_each_page_says_them() {
        assert_eq!(field_sentence(Naming::AsSent, "from", "is not a date"), "from is not a date.");
        assert_eq!(field_sentence(Naming::Capitalised, "sort", "is wrong"), "Sort is wrong.");
        assert_eq!(field_sentence(Naming::Spoken, "password_confirm", "differs"), "Password confirm differs.");
        let labels = Naming::Labels(&[("text", "The public text")]);
        assert_eq!(field_sentence(labels, "text", "is empty"), "The public text is empty.");
        assert_eq!(field_sentence(labels, "headline", "is odd"), "headline is odd.");
        assert_eq!(field_sentence(Naming::Spoken, "", "is missing"), capitalise(" is missing"));
    }

    #[test]
    fn links_keep_the_query_but_the_dropped_keys() {
        let pairs: Vec<(String, String)> = [("kind", "x y"), ("cursor", "c"), ("section", ""), ("to", "1")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let links = QueryLinks::keeping(&pairs, &["cursor"]);
        assert_eq!(links.to("/corrections", &[]), "/corrections?kind=x+y&to=1");
        assert_eq!(links.to("/corrections", &[("cursor", "n")]), "/corrections?kind=x+y&to=1&cursor=n");
        assert_eq!(QueryLinks::keeping(&[], &[]).to("/desk", &[]), "/desk");
    }
}
