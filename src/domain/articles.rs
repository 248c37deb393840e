//! Articles as the publisher's CMS knows them, and their upsert.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::text::{http_url, required_line, required_text};
use super::words::Words;
use crate::db::models::Article;
use crate::db::DbConnection;
use crate::error::{AppError, FieldError};

/// Longest article ID accepted.
pub const ID_MAX: usize = 128;
/// Longest title accepted, in characters.
pub const TITLE_MAX: usize = 500;
/// Longest section name accepted, in characters.
pub const SECTION_MAX: usize = 100;
/// Most authors per article.
pub const AUTHORS_MAX: usize = 50;
/// Longest author name, in characters.
pub const AUTHOR_MAX: usize = 200;
/// Longest article text accepted, in characters.
pub const TEXT_MAX: usize = 500_000;

/// What characters an article ID may have, for messages and documentation.
pub const ID_RULE: &str = "1 to 128 characters: ASCII letters, digits and - _ . : ~ (not only dots)";

/// The CMS's own identifier of an article, checked to be safe in a URL path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleId(String);

impl ArticleId {
    /// Checks `raw` against [`ID_RULE`].
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let ok = !raw.is_empty()
            && raw.len() <= ID_MAX
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:~".contains(&b))
            && !raw.bytes().all(|b| b == b'.');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new("id", format!("is not a valid article ID: use {ID_RULE}")))
        }
    }

    /// The ID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An article as the CMS sends it (`PUT /api/v1/articles/{id}`, one import line).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// Canonical URL of the article (http or https).
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[a-z][a-z0-9-]{0,62}(\.[a-z][a-z0-9-]{0,62})*(/[A-Za-z0-9._~/-]*)?$"
    )]
    pub url: String,
    /// Headline.
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub title: String,
    /// Section or desk, e.g. "Politics".
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub section: String,
    /// Bylines.
    #[serde(default)]
    #[schema(max_items = 50, value_type = Vec<Byline>)]
    pub authors: Vec<String>,
    /// First publication time, RFC 3339 (a bare date means midnight UTC).
    #[schema(format = DateTime)]
    pub published_at: String,
    /// The article's text; when given, reported passages are checked against it.
    #[serde(default)]
    #[schema(max_length = 500000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub text: Option<String>,
}

/// One byline as an article takes it, for the API's document: a line of 1 to 200 characters.
pub struct Byline;

impl utoipa::ToSchema for Byline {}

impl utoipa::PartialSchema for Byline {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .min_length(Some(1))
            .max_length(Some(AUTHOR_MAX))
            .pattern(Some(super::text::LINE_PATTERN))
            .into()
    }
}

/// An article as the API returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleView {
    /// The CMS's ID.
    pub id: String,
    /// Canonical URL.
    pub url: String,
    /// Headline.
    pub title: String,
    /// Section.
    pub section: String,
    /// Bylines.
    pub authors: Vec<String>,
    /// First publication time (RFC 3339, UTC).
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub published_at: DateTime<Utc>,
    /// The article's text, when known; left out for callers who may not read it (anyone but
    /// staff and API tokens, unless the publisher makes it public).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// When Corrigenda first saw the article.
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    /// When the CMS last sent it.
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

impl ArticleView {
    /// The article without its text, for a caller who may not read it.
    pub fn without_text(self) -> Self {
        Self { text: None, ..self }
    }
}

/// Formats a stored UTC time as RFC 3339 with a `Z`.
pub fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl From<&Article> for ArticleView {
    fn from(a: &Article) -> Self {
        Self {
            id: a.id.clone(),
            url: a.url.clone(),
            title: a.title.clone(),
            section: a.section.clone(),
            authors: a.authors.to_vec(),
            published_at: a.published_at.and_utc(),
            text: a.body.clone(),
            created_at: a.created_at.and_utc(),
            updated_at: a.updated_at.and_utc(),
        }
    }
}

/// Parses RFC 3339 (any offset, stored as UTC) or a bare `YYYY-MM-DD`.
fn parse_published(raw: &str) -> Result<NaiveDateTime, FieldError> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc).naive_utc());
    }
    if let Some(midnight) = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)) {
        return Ok(midnight);
    }
    Err(FieldError::new(
        "published_at",
        format!("must be a date and time like 2026-11-28T09:30:00Z (RFC 3339), not {raw:?}"),
    ))
}

/// Checks every field; all problems are reported, in field order.
pub fn validate(id: &ArticleId, input: &ArticleInput, now: NaiveDateTime) -> Result<Article, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut take = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
    let url = take(http_url("url", &input.url));
    let title = take(required_line("title", &input.title, TITLE_MAX));
    let section = take(required_line("section", &input.section, SECTION_MAX));
    let mut authors = Vec::new();
    if input.authors.len() > AUTHORS_MAX {
        errors.push(FieldError::new("authors", format!("has more than {AUTHORS_MAX} names")));
    } else {
        for (i, name) in input.authors.iter().enumerate() {
            match required_line(&format!("authors[{i}]"), name, AUTHOR_MAX) {
                Ok(name) => authors.push(name),
                Err(e) => errors.push(e),
            }
        }
    }
    let published_at = parse_published(&input.published_at).map_err(|e| errors.push(e)).ok();
    let body = match input.text.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => required_text("text", text, 1, TEXT_MAX).map_err(|e| errors.push(e)).ok(),
    };
    match published_at {
        Some(published_at) if errors.is_empty() => Ok(Article {
            id: id.as_str().to_owned(),
            url,
            title,
            section,
            authors: authors.into(),
            published_at,
            body,
            created_at: now,
            updated_at: now,
        }),
        _ => Err(errors),
    }
}

/// Whether an upsert created the article or replaced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// It was new.
    Created,
    /// It existed and was replaced.
    Updated,
}

/// Creates or replaces the article `id` (run inside a write transaction).
pub fn upsert(
    conn: &mut DbConnection,
    id: &ArticleId,
    input: &ArticleInput,
    notices: &mut super::notices::Notices,
    now: NaiveDateTime,
) -> Result<(Article, Upserted), AppError> {
    let mut article = validate(id, input, now).map_err(AppError::Invalid)?;
    match Article::find(conn, id.as_str())? {
        Some(existing) => {
            article.created_at = existing.created_at;
            article.update(conn)?;
            // Desks' rules read the section: its open reports may belong to another desk now.
            if existing.section != article.section {
                super::routing::reroute_article(conn, &article.id, &article.section, notices, now)?;
            }
            Ok((article, Upserted::Updated))
        }
        None => {
            article.insert(conn).map_err(|e| match e {
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                    AppError::Conflict(format!(
                        "article {} was created by another request at the same time; send it again",
                        id.as_str()
                    ))
                }
                other => other.into(),
            })?;
            Ok((article, Upserted::Created))
        }
    }
}

/// The article with this id, or a 404 naming it.
pub fn get(conn: &mut DbConnection, id: &str) -> Result<Article, AppError> {
    // An ID that could not be registered names no article (and PostgreSQL refuses a NUL in it).
    if ArticleId::parse(id).is_err() {
        return Err(unknown(id));
    }
    Article::find(conn, id)?.ok_or_else(|| unknown(id))
}

/// The error for an article Corrigenda has never been told about.
pub fn unknown(id: &str) -> AppError {
    AppError::NotFound(format!("no article with ID {id:?} is registered here; the publisher's CMS must send it first"))
}

/// Finds an article by its ID or its canonical URL (the home page's find box).
pub fn find_by_id_or_url(conn: &mut DbConnection, query: &str) -> Result<Option<Article>, AppError> {
    let query = query.trim();
    if query.starts_with("http://") || query.starts_with("https://") {
        let Ok(normalised) = http_url("q", query) else {
            return Ok(None);
        };
        // Readers paste URLs with tracking parameters or fragments; try the bare page too.
        let mut bare = url::Url::parse(&normalised).map_err(|e| AppError::Internal(e.into()))?;
        bare.set_query(None);
        bare.set_fragment(None);
        for candidate in [normalised.as_str(), bare.as_str(), bare.as_str().trim_end_matches('/')] {
            if let Some(found) = Article::by_url(conn, candidate)? {
                return Ok(Some(found));
            }
        }
        return Ok(None);
    }
    match ArticleId::parse(query) {
        Ok(id) => Ok(Article::find(conn, id.as_str())?),
        Err(_) => Ok(None),
    }
}

/// Most articles a headline search lists.
pub const FOUND_MAX: usize = 50;
/// An article as a headline search lists it.
pub use crate::db::models::ArticleHeadline as Found;

/// Articles whose headline has every word of `query` (as the start of one of its words, ignoring
/// letter case), newest first: at most [`FOUND_MAX`], and whether there were more. Found through
/// the backend's full-text index of headlines, so the cost follows the matches, not the archive.
pub fn search_headlines(conn: &mut DbConnection, query: &str) -> Result<(Vec<Found>, bool), AppError> {
    let words = Words::of(query);
    if words.is_empty() {
        return Ok((Vec::new(), false));
    }
    let postgres = matches!(conn, DbConnection::Postgres(_));
    let mut found =
        Article::headline_matches(conn, &words.headline_condition("articles.id", postgres), FOUND_MAX as i64 + 1)?;
    let more = found.len() > FOUND_MAX;
    found.truncate(FOUND_MAX);
    Ok((found, more))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ArticleInput {
        ArticleInput {
            url: "https://news.example/world/1".into(),
            title: "A headline".into(),
            section: "World".into(),
            authors: vec!["Randy DeSoto".into()],
            published_at: "2026-11-28T09:30:00+01:00".into(),
            text: Some("Body".into()),
        }
    }

    #[test]
    fn article_ids_follow_the_documented_rule() {
        for good in ["123", "world-2026-11-28_russia", "urn:cms:42", "a.b~c"] {
            assert!(ArticleId::parse(good).is_ok(), "{good}");
        }
        for bad in ["", ".", "..", "a/b", "a b", "ü", "<script>", &"x".repeat(129)] {
            assert!(ArticleId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn published_at_is_stored_in_utc() {
        let id = ArticleId::parse("a1").unwrap();
        let now = Utc::now().naive_utc();
        let article = validate(&id, &input(), now).unwrap();
        assert_eq!(rfc3339(article.published_at), "2026-11-28T08:30:00Z");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let id = ArticleId::parse("a1").unwrap();
        let bad = ArticleInput {
            url: "javascript:alert(1)".into(),
            title: " ".into(),
            section: "".into(),
            authors: vec!["".into()],
            published_at: "yesterday".into(),
            text: None,
        };
        let fields: Vec<String> =
            validate(&id, &bad, Utc::now().naive_utc()).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["url", "title", "section", "authors[0]", "published_at"]);
    }
}
