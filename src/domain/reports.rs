//! A reader's correction report: its vocabulary, its checks, filing it and tracking it.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::parse_email;
use super::articles;
use super::quote;
use super::secrets;
use super::text::{http_url, optional_line, required_text};
use diesel::prelude::*;

use super::events::{self, Audience, EventData};
use super::ids::ReportId;
use super::notices::{Notice, Notices, ReaderContact};
use crate::db::json::StringList;
use crate::db::models::{Article, Correction, Event, NewReport, Report};
use crate::db::schema::report_links;
use crate::db::vocabulary::EventKind;
use crate::db::{lock_counters, DbConnection};
use crate::error::{AppError, FieldError};

/// Longest quoted passage, in characters.
pub const QUOTE_MAX: usize = 2000;
/// Shortest explanation, in characters (a word or two is not enough to act on).
pub const EXPLANATION_MIN: usize = 10;
/// Longest explanation, in characters.
pub const EXPLANATION_MAX: usize = 5000;
/// Most evidence links per report.
pub const EVIDENCE_MAX: usize = 10;
/// Longest reporter name, in characters.
pub const NAME_MAX: usize = 200;

pub use crate::db::vocabulary::{Category, Severity, Status};

impl Category {
    /// The severity a new report of this category starts with (editors may change it).
    pub fn default_severity(self) -> Severity {
        match self {
            Self::Misquote | Self::Misattribution => Severity::High,
            Self::Spelling | Self::BrokenLink => Severity::Low,
            Self::FactualError | Self::MissingContext | Self::Other => Severity::Normal,
        }
    }
}

impl Severity {
    /// Sort rank: most urgent first.
    pub fn rank(self) -> i32 {
        match self {
            Self::Legal => 0,
            Self::High => 1,
            Self::Normal => 2,
            Self::Low => 3,
        }
    }
}

/// Longest response target, in days.
pub const TARGET_MAX_DAYS: i64 = 3650;

/// How long the desk has to respond, per severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// Legal risk.
    pub legal: Duration,
    /// High.
    pub high: Duration,
    /// Normal.
    pub normal: Duration,
    /// Low.
    pub low: Duration,
}

impl Default for Targets {
    fn default() -> Self {
        Self {
            legal: Duration::hours(2),
            high: Duration::hours(24),
            normal: Duration::hours(72),
            low: Duration::days(7),
        }
    }
}

impl Targets {
    /// The response time for `severity`.
    pub fn of(&self, severity: Severity) -> Duration {
        match severity {
            Severity::Legal => self.legal,
            Severity::High => self.high,
            Severity::Normal => self.normal,
            Severity::Low => self.low,
        }
    }

    /// Parses `legal=2h,high=24h,normal=72h,low=7d` (units m, h, d; missing entries keep their default).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut targets = Self::default();
        for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (name, value) =
                entry.split_once('=').ok_or_else(|| format!("{entry:?} is not SEVERITY=DURATION like high=24h"))?;
            let severity = Severity::parse(name.trim())
                .ok_or_else(|| format!("{name:?} is not a severity ({})", Severity::allowed()))?;
            let value = value.trim();
            let bad = || format!("{value:?} is not a duration like 90m, 24h or 7d, of at most {TARGET_MAX_DAYS}d");
            // The unit is the last character, whatever its width in bytes.
            let (number, unit) = value.split_at(value.char_indices().last().map_or(0, |(at, _)| at));
            let number: i64 = number.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
            let duration = match unit {
                "m" => Duration::try_minutes(number),
                "h" => Duration::try_hours(number),
                "d" => Duration::try_days(number),
                _ => None,
            }
            // Longer targets would put deadlines past the last date the clock can write.
            .filter(|d| *d <= Duration::days(TARGET_MAX_DAYS))
            .ok_or_else(bad)?;
            match severity {
                Severity::Legal => targets.legal = duration,
                Severity::High => targets.high = duration,
                Severity::Normal => targets.normal = duration,
                Severity::Low => targets.low = duration,
            }
        }
        Ok(targets)
    }
}

impl Status {
    /// One sentence telling the reader what this status means for them.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::New => "Your report has reached the corrections desk and is waiting for an editor.",
            Self::Triaged => "An editor has read your report and queued it for review.",
            Self::InReview => "An editor is checking the passage against the sources.",
            Self::NeedsInfo => "The editor has a question for you: answer it below so the review can go on.",
            Self::AwaitingApproval => "A correction has been drafted and is waiting for a second editor's approval.",
            Self::Corrected => "The article has been corrected, and the correction is published with it.",
            Self::NoChange => "The editors reviewed the passage and decided it stands.",
            Self::Rejected => "The editors could not act on this report.",
            Self::Duplicate => "Another reader reported the same passage; your report follows that one's outcome.",
            Self::Appealed => "You appealed the decision; a standards editor will review it.",
        }
    }
}

/// What a link may fill in on an empty report form (`?quote=&category=`), e.g. from the
/// select-to-report widget on the article page. Nothing here is checked as a report is: the
/// reader still sends the form, and filing checks it then.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    /// The passage: line endings made `\n`, control characters (but tab and line breaks) and
    /// Unicode noncharacters removed, trimmed, and cut to [`QUOTE_MAX`] characters.
    pub quote: String,
    /// The category, when the link named a known one; an unknown one is ignored.
    pub category: Option<Category>,
}

impl Prefill {
    /// The prefill from a link's `quote` and `category`, however hostile.
    pub fn from_link(quote: &str, category: &str) -> Self {
        let unwanted = |c: char| {
            let noncharacter = matches!(c, '\u{fdd0}'..='\u{fdef}') || (c as u32) & 0xfffe == 0xfffe;
            (c.is_control() && c != '\n' && c != '\t') || noncharacter
        };
        let quote = quote.replace("\r\n", "\n").replace('\r', "\n");
        let kept: String = quote.chars().filter(|c| !unwanted(*c)).collect();
        Self {
            quote: kept.trim().chars().take(QUOTE_MAX).collect::<String>().trim_end().to_owned(),
            category: Category::parse(category.trim()),
        }
    }
}

/// A report as a reader sends it (API body, or the form's fields).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// One of the categories, e.g. `factual_error`.
    #[schema(value_type = Category)]
    pub category: String,
    /// The passage that is wrong, copied from the article.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub quote: String,
    /// What is wrong and what is right.
    #[schema(
        min_length = 10,
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]{8,}[^\s\x00-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub explanation: String,
    /// Links to sources supporting the report (http or https).
    #[serde(default)]
    #[schema(max_items = 10, value_type = Vec<EvidenceUrl>)]
    pub evidence_urls: Vec<String>,
    /// The reader's name, optional.
    #[serde(default)]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub reporter_name: Option<String>,
    /// The reader's email, optional: used only to tell them the outcome.
    #[serde(default)]
    #[schema(
        max_length = 254,
        pattern = r"^(|[A-Za-z0-9_%+-]{1,16}(\.[A-Za-z0-9_%+-]{1,15}){0,3}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+)$"
    )]
    pub reporter_email: Option<String>,
}

/// One evidence link as a report takes it, for the API's document: a web address, or blank
/// (left out).
pub struct EvidenceUrl;

impl utoipa::ToSchema for EvidenceUrl {}

impl utoipa::PartialSchema for EvidenceUrl {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let web_address = super::text::URL_PATTERN.trim_start_matches('^').trim_end_matches('$');
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .max_length(Some(super::text::URL_MAX))
            .pattern(Some(format!("^({web_address})?$")))
            .into()
    }
}

/// A report that passed every check.
#[derive(Debug, Clone)]
pub struct ValidReport {
    category: Category,
    quote: String,
    explanation: String,
    evidence_urls: Vec<String>,
    reporter_name: Option<String>,
    reporter_email: Option<String>,
    /// Where the quote sits in the article's normalised text, when the article has a text.
    span: Option<(i64, i64)>,
}

/// Checks every field; all problems are reported, in form order.
pub fn validate(input: &ReportInput, article: &Article) -> Result<ValidReport, Vec<FieldError>> {
    let mut errors = Vec::new();
    let category = Category::parse(input.category.trim());
    if category.is_none() {
        let message = if input.category.trim().is_empty() {
            format!("is required: choose one of {}", Category::allowed())
        } else {
            format!("must be one of {}, not {:?}", Category::allowed(), input.category)
        };
        errors.push(FieldError::new("category", message));
    }
    let mut span = None;
    let quote = match required_text("quote", &input.quote, 1, QUOTE_MAX) {
        Ok(q) => {
            if let Some(body) = &article.body {
                let text_n = quote::Normalised::shared().of(&article.id, article.updated_at, body);
                span = quote::normalised_span(&q, &text_n);
                if span.is_none() {
                    errors.push(FieldError::new(
                        "quote",
                        "does not appear in the article's text: copy the passage exactly as it appears \
                         (spacing, quotation marks and dashes may differ; use ... for words left out)",
                    ));
                }
            }
            q
        }
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    let explanation = required_text("explanation", &input.explanation, EXPLANATION_MIN, EXPLANATION_MAX)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let mut evidence_urls: Vec<String> = Vec::new();
    let given: Vec<&str> = input.evidence_urls.iter().map(|u| u.trim()).filter(|u| !u.is_empty()).collect();
    if given.len() > EVIDENCE_MAX {
        errors.push(FieldError::new("evidence_urls", format!("has {} links: at most {EVIDENCE_MAX}", given.len())));
    } else {
        for url in given {
            match http_url("evidence_urls", url) {
                Ok(url) if !evidence_urls.contains(&url) => evidence_urls.push(url),
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
    }
    let reporter_name = optional_line("reporter_name", input.reporter_name.as_deref(), NAME_MAX)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let reporter_email = match input.reporter_email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(email) => parse_email("reporter_email", email).map_err(|e| errors.push(e)).ok(),
    };
    match category {
        Some(category) if errors.is_empty() => {
            Ok(ValidReport { category, quote, explanation, evidence_urls, reporter_name, reporter_email, span })
        }
        _ => Err(errors),
    }
}

/// A report just filed: the one time its tracking token is known in clear.
#[derive(Debug, Clone)]
pub struct Filed {
    /// The reader's only key to the report.
    pub token: String,
    /// The stored report's id.
    pub id: i64,
    /// Its status (always `new`).
    pub status: Status,
}

/// Files a report on an article (run inside a write transaction).
///
/// `admit` runs after every check passed and before anything is written: the
/// rate limiter counts only reports that would be accepted, so a reader fixing
/// typos in the form is not locked out.
pub fn file(
    conn: &mut DbConnection,
    article_id: &str,
    input: &ReportInput,
    targets: &Targets,
    notices: &mut Notices,
    now: NaiveDateTime,
    admit: impl FnOnce() -> Result<(), AppError>,
) -> Result<Filed, AppError> {
    let (article, report) = check(conn, article_id, input)?;
    record(conn, &article, &report, targets, notices, now, admit)
}

/// Every check of a report on an article, reading only: done before the write transaction,
/// so a burst of submissions holds the single writer for the writes alone.
pub fn check(
    conn: &mut DbConnection,
    article_id: &str,
    input: &ReportInput,
) -> Result<(Article, ValidReport), AppError> {
    let article = articles::get(conn, article_id)?;
    let report = validate(input, &article).map_err(AppError::Invalid)?;
    Ok((article, report))
}

/// Writes a checked report, its receipt and alerts (run inside a write transaction); `admit` as for [`file`].
pub fn record(
    conn: &mut DbConnection,
    article: &Article,
    report: &ValidReport,
    targets: &Targets,
    notices: &mut Notices,
    now: NaiveDateTime,
    admit: impl FnOnce() -> Result<(), AppError>,
) -> Result<Filed, AppError> {
    admit()?;
    let filed = insert(conn, article, report, targets, notices, now)?;
    let row = Report::find(conn, filed.id)?.ok_or_else(|| AppError::NotFound("the new report vanished".into()))?;
    let reader = row.reporter_email.clone().map(|email| ReaderContact { email, token: filed.token.clone() });
    let desk = match row.desk_id {
        Some(id) => crate::db::models::Desk::find(conn, id)?.map(|d| super::routing::desk_ref(&d)),
        None => None,
    };
    notices.push(Notice::ReportFiled {
        report_id: ReportId(row.id),
        article_id: article.id.clone(),
        article_title: article.title.clone(),
        quote: row.quote,
        category: row.category,
        severity: row.severity,
        deadline_at: row.deadline_at,
        desk,
        reader,
    });
    Ok(filed)
}

/// Writes a validated report, its first public event, and where the desks' rules routed it.
pub fn insert(
    conn: &mut DbConnection,
    article: &Article,
    report: &ValidReport,
    targets: &Targets,
    notices: &mut Notices,
    now: NaiveDateTime,
) -> Result<Filed, AppError> {
    let status = Status::New;
    let token = secrets::new_token();
    let token_hash = secrets::token_hash(&token);
    let severity = report.category.default_severity();
    let evidence = StringList::from(report.evidence_urls.clone());
    lock_counters(conn)?;
    let (desk, assignee) = super::routing::at_filing(conn, &article.section, report.category, severity)?;
    let id = Report::insert(
        conn,
        &NewReport {
            article_id: &article.id,
            token_hash: &token_hash,
            category: report.category,
            quote: &report.quote,
            explanation: &report.explanation,
            evidence_urls: &evidence,
            reporter_name: report.reporter_name.as_deref(),
            reporter_email: report.reporter_email.as_deref(),
            status,
            severity,
            severity_rank: severity.rank(),
            deadline_at: now + targets.of(severity),
            quote_start: report.span.map(|s| s.0),
            quote_end: report.span.map(|s| s.1),
            desk_id: desk.as_ref().map(|d| d.id),
            routed_at: desk.as_ref().map(|_| now),
            assignee_id: assignee.as_ref().map(|u| u.id),
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )?;
    events::record(conn, Some(id), None, true, &EventData::ReportFiled { category: report.category }, now)?;
    let row = Report::find(conn, id)?.ok_or_else(|| AppError::NotFound("the new report vanished".into()))?;
    super::routing::record_filed(conn, &row, desk.as_ref(), assignee.as_ref(), notices, now)?;
    Ok(Filed { token, id, status })
}

/// One public step of a report's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// When it happened (RFC 3339, UTC).
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    /// Machine kind, e.g. `report_filed`, `status_changed`.
    pub kind: EventKind,
    /// What happened, for people.
    pub title: String,
    /// A message for the reader, e.g. the editor's question, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What the holder of a tracking token may see: never the reporter's name or email.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tracking {
    /// Current status.
    pub status: Status,
    /// The status for people.
    pub status_label: String,
    /// The reported article's ID.
    pub article_id: String,
    /// The category the reader chose.
    pub category: Category,
    /// The passage as quoted when the report was filed.
    pub quote: String,
    /// The reader's explanation.
    pub explanation: String,
    /// The reader's evidence links.
    pub evidence_urls: Vec<String>,
    /// When the report was filed (RFC 3339, UTC).
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    /// When it last changed (RFC 3339, UTC).
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
    /// Public history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// The editor's open question, when the status is `needs_info`.
    pub question: Option<String>,
    /// Whether the reader may still appeal the decision (once, after `no_change` or `rejected`).
    pub can_appeal: bool,
    /// For a duplicate: the status of the report it duplicates.
    pub primary_status: Option<Status>,
    /// The reason the editors gave the reader for the decision the report now stands at
    /// (no change, rejected, duplicate), when they gave one.
    pub decision_reason: Option<String>,
    /// Once a standards editor has decided the reader's appeal: what they decided.
    pub appeal_outcome: Option<AppealOutcome>,
    /// For a corrected report: the correction that resolved it.
    pub correction: Option<ResolvingCorrection>,
}

/// How an appeal was decided.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppealOutcome {
    /// The status the appeal moved the report to: `in_review` (reopened), `no_change` or `rejected` (upheld).
    pub status: Status,
    /// Whether the report is closed for good: it stands at a decision after its one appeal
    /// (upheld on appeal, or reopened and decided again).
    pub is_final: bool,
    /// The standards editor's reason, as written for the reader.
    pub reason: Option<String>,
    /// When it was decided (RFC 3339, UTC).
    #[serde(serialize_with = "crate::domain::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
}

/// The published correction that resolved a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResolvingCorrection {
    /// Its id: the anchor `correction-{id}` on the article's corrections page.
    pub id: i64,
    /// What kind of notice it is.
    pub kind: crate::db::vocabulary::Kind,
    /// Its public text.
    pub text: String,
}

/// The report a tracking token opens; unknown or malformed tokens are 404.
pub fn for_token(conn: &mut DbConnection, token: &str) -> Result<Report, AppError> {
    let not_found = || AppError::NotFound("no report has this tracking link; check that it was copied whole".into());
    if !secrets::looks_like_token(token) {
        return Err(not_found());
    }
    let hash = secrets::token_hash(token);
    if let Some(report) = Report::by_token_hash(conn, &hash)? {
        return Ok(report);
    }
    // Links in later mails carry their own tokens, each as good as the first.
    let linked: Option<i64> = report_links::table.find(&hash).select(report_links::report_id).first(conn).optional()?;
    match linked {
        Some(id) => Report::find(conn, id)?.ok_or_else(not_found),
        None => Err(not_found()),
    }
}

/// A new tracking token for a report, for a link in a mail (the first token is known only at filing).
pub fn mint_link(conn: &mut DbConnection, report_id: i64, now: NaiveDateTime) -> Result<String, AppError> {
    let token = secrets::new_token();
    diesel::insert_into(report_links::table)
        .values((
            report_links::token_hash.eq(secrets::token_hash(&token)),
            report_links::report_id.eq(report_id),
            report_links::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Looks up a report by its tracking token, with its article.
pub fn track(conn: &mut DbConnection, token: &str) -> Result<(Tracking, Article), AppError> {
    let report = for_token(conn, token)?;
    let article = articles::get(conn, &report.article_id)?;
    let events = Event::public_for_report(conn, report.id)?;
    let history = events.iter().map(history_entry).collect::<Result<Vec<HistoryEntry>, AppError>>()?;
    let moves = events
        .iter()
        .map(|e| Ok((e.created_at, EventData::of(e)?)))
        .collect::<Result<Vec<(NaiveDateTime, EventData)>, AppError>>()?;
    let status = report.status;
    let question = match status {
        Status::NeedsInfo => match Event::latest_of(conn, report.id, &[EventKind::StatusChanged])? {
            Some((e, _)) => match EventData::of(&e)? {
                EventData::StatusChanged { public_message, .. } => public_message,
                _ => None,
            },
            None => None,
        },
        _ => None,
    };
    let appealed = moves.iter().any(|(_, d)| matches!(d, EventData::AppealFiled { .. }));
    let can_appeal = matches!(status, Status::NoChange | Status::Rejected) && !appealed;
    // The move that put the report where it is now.
    let last_move = moves.iter().rev().find_map(|(at, d)| match d {
        EventData::StatusChanged { from, to, public_message, correction_id, .. } => {
            Some((*at, *from, *to, public_message.clone(), *correction_id))
        }
        _ => None,
    });
    let decision_reason = match &last_move {
        Some((_, _, to, message, _))
            if *to == status && matches!(status, Status::NoChange | Status::Rejected | Status::Duplicate) =>
        {
            message.clone()
        }
        _ => None,
    };
    let appeal_outcome = moves.iter().find_map(|(at, d)| match d {
        EventData::StatusChanged { from: Status::Appealed, to, public_message, .. } => Some(AppealOutcome {
            status: *to,
            // After its one appeal, a report at a decision stays there.
            is_final: matches!(status, Status::NoChange | Status::Rejected),
            reason: public_message.clone(),
            at: at.and_utc(),
        }),
        _ => None,
    });
    let correction = match last_move {
        Some((_, _, Status::Corrected, _, Some(id))) if status == Status::Corrected => {
            Correction::find(conn, id.0)?.map(|c| ResolvingCorrection { id: c.id, kind: c.kind, text: c.body })
        }
        _ => None,
    };
    let primary_status = match report.duplicate_of {
        Some(id) => Report::find(conn, id)?.map(|p| p.status),
        None => None,
    };
    let tracking = Tracking {
        status,
        status_label: status.label().into(),
        article_id: report.article_id,
        category: report.category,
        quote: report.quote,
        explanation: report.explanation,
        evidence_urls: report.evidence_urls.to_vec(),
        created_at: report.created_at.and_utc(),
        updated_at: report.updated_at.and_utc(),
        history,
        question,
        can_appeal,
        primary_status,
        decision_reason,
        appeal_outcome,
        correction,
    };
    Ok((tracking, article))
}

/// How a stored public event reads in the reader's history.
fn history_entry(event: &Event) -> Result<HistoryEntry, AppError> {
    let data = EventData::of(event)?;
    Ok(HistoryEntry {
        at: event.created_at.and_utc(),
        kind: event.kind,
        title: data.sentence(Audience::Reader),
        detail: data.detail(Audience::Reader).map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_prefills_the_passage_cut_to_length_and_cleaned() {
        let long = "a".repeat(QUOTE_MAX + 50);
        assert_eq!(Prefill::from_link(&long, "").quote.chars().count(), QUOTE_MAX);
        let hostile = "  in the\u{0} war\r\nthat\u{7}\u{fffe}\u{fdd0} is </textarea><script>  ";
        assert_eq!(Prefill::from_link(hostile, "").quote, "in the war\nthat is </textarea><script>");
        assert_eq!(Prefill::from_link("x", " misquote ").category, Some(Category::Misquote));
        assert_eq!(Prefill::from_link("x", "arson").category, None);
        assert_eq!(Prefill::from_link("", "").quote, "");
    }

    fn article(body: Option<&str>) -> Article {
        let now = chrono::Utc::now().naive_utc();
        Article {
            id: "a1".into(),
            url: "https://news.example/a1".into(),
            title: "T".into(),
            section: "World".into(),
            authors: Default::default(),
            published_at: now,
            body: body.map(str::to_owned),
            created_at: now,
            updated_at: now,
        }
    }

    fn input() -> ReportInput {
        ReportInput {
            category: "factual_error".into(),
            quote: "12,000 troops".into(),
            explanation: "The Pentagon said 11,000 to 12,000.".into(),
            ..Default::default()
        }
    }

    fn fields(result: Result<ValidReport, Vec<FieldError>>) -> Vec<String> {
        result.err().unwrap_or_default().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_report_passes() {
        assert!(validate(&input(), &article(Some("said 12,000 troops arrived"))).is_ok());
    }

    #[test]
    fn unknown_text_skips_the_quote_check() {
        assert!(validate(&input(), &article(None)).is_ok());
    }

    #[test]
    fn every_vocabulary_value_round_trips() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Severity::parse("legal"), Some(Severity::Legal));
    }

    #[test]
    fn duplicate_evidence_links_are_kept_once() {
        let mut i = input();
        i.evidence_urls = vec!["https://a.example/x".into(), " https://a.example/x ".into(), "".into()];
        let valid = validate(&i, &article(None)).unwrap();
        assert_eq!(valid.evidence_urls, ["https://a.example/x"]);
    }

    #[test]
    fn all_bad_fields_are_named_in_form_order() {
        let bad = ReportInput {
            category: "gossip".into(),
            quote: "".into(),
            explanation: "bad".into(),
            evidence_urls: vec!["javascript:alert(1)".into()],
            reporter_name: Some("a\u{0}b".into()),
            reporter_email: Some("not-an-email".into()),
        };
        assert_eq!(
            fields(validate(&bad, &article(None))),
            ["category", "quote", "explanation", "evidence_urls", "reporter_name", "reporter_email"]
        );
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::domain::cases;

        const FIELDS: [&str; 6] =
            ["category", "quote", "explanation", "evidence_urls", "reporter_name", "reporter_email"];

        /// A category: a real one (perhaps with spaces around it), or hostile text.
        fn category() -> impl Strategy<Value = String> {
            prop_oneof![
                proptest::sample::select(Category::ALL).prop_map(|c| format!(" {} ", c.as_str())),
                proptest::sample::select(Category::ALL).prop_map(|c| c.as_str().to_owned()),
                cases::text(),
            ]
        }

        fn inputs() -> impl Strategy<Value = ReportInput> {
            let optional = proptest::option::of(cases::text());
            (
                category(),
                cases::text(),
                cases::text(),
                proptest::collection::vec(cases::text(), 0..12),
                optional.clone(),
                optional,
            )
                .prop_map(
                    |(category, quote, explanation, evidence_urls, reporter_name, reporter_email)| ReportInput {
                        category,
                        quote,
                        explanation,
                        evidence_urls,
                        reporter_name,
                        reporter_email,
                    },
                )
        }

        proptest! {
            #![proptest_config(cases::config(256))]

            #[test]
            fn any_report_is_filed_or_refused_naming_its_fields_in_form_order(
                input in inputs(),
                body in proptest::option::of(cases::text()),
            ) {
                match validate(&input, &article(body.as_deref())) {
                    Ok(valid) => {
                        prop_assert!(!valid.quote.is_empty() && valid.quote.chars().count() <= QUOTE_MAX);
                        prop_assert!(valid.explanation.chars().count() >= EXPLANATION_MIN);
                        prop_assert!(valid.evidence_urls.len() <= EVIDENCE_MAX);
                        for text in [&valid.quote, &valid.explanation] {
                            prop_assert!(!text.contains('\0') && !text.contains('\r'));
                        }
                        prop_assert!(!valid.reporter_name.iter().chain(&valid.reporter_email).any(|v| v.chars().any(char::is_control)));
                        prop_assert_eq!(valid.span.is_some(), body.is_some());
                    }
                    Err(errors) => {
                        prop_assert!(!errors.is_empty());
                        let order: Vec<usize> =
                            errors.iter().map(|e| FIELDS.iter().position(|f| *f == e.field).unwrap_or(usize::MAX)).collect();
                        prop_assert!(order.iter().all(|i| *i < FIELDS.len()), "{errors:?}");
                        prop_assert!(order.windows(2).all(|w| w[0] <= w[1]), "{errors:?}");
                        prop_assert!(errors.iter().all(|e| !e.message.is_empty()));
                    }
                }
            }

            #[test]
            fn a_passage_copied_from_the_article_is_accepted(
                body in cases::text(),
                from in any::<proptest::sample::Index>(),
                len in 1..400_usize,
            ) {
                let chars: Vec<char> = body.chars().collect();
                prop_assume!(!chars.is_empty());
                let start = from.index(chars.len());
                let quote: String = chars[start..].iter().take(len).collect();
                let report = ReportInput { quote: quote.clone(), ..input() };
                let refused = validate(&report, &article(Some(&body))).err().unwrap_or_default();
                let quote_refused: Vec<&FieldError> = refused.iter().filter(|e| e.field == "quote").collect();
                // A passage is refused only for what it is (blank, control characters), never as absent.
                if quote_refused.iter().any(|e| e.message.starts_with("does not appear")) {
                    prop_assert!(quote::normalise(&quote).split("...").all(|p| p.trim().is_empty()), "{quote:?} in {body:?}");
                }
            }
        }
    }
}
