//! `corrigenda demo`: realistic articles and reports in several states.

use chrono::{Duration, NaiveDateTime};

use super::accounts::{self, Actor, Role};
use super::articles::{self, ArticleId, ArticleInput};
use super::channels::{self, ChannelInput};
use super::corrections::{self, CorrectionInput};
use super::desks::{self, DeskInput};
use super::notices::Notices;
use super::reports::{self, ReportInput, Status, Targets};
use super::responses::{self, ResponseInput};
use super::secrets;
use super::workflow::{self, MoveRequest};
use crate::db::models::{Article, User};
use crate::db::{Db, DbConnection};
use crate::error::AppError;

/// A status a demo report moves to, with the message shown to the reader.
type Step = (Status, Option<&'static str>);

/// A demo article: ID, input, and the reports filed on it with the steps each went through.
struct DemoArticle {
    id: &'static str,
    input: ArticleInput,
    reports: Vec<(ReportInput, Vec<Step>)>,
}

fn report(category: &str, quote: &str, explanation: &str, evidence: &[&str], email: Option<&str>) -> ReportInput {
    ReportInput {
        category: category.into(),
        quote: quote.into(),
        explanation: explanation.into(),
        evidence_urls: evidence.iter().map(|s| (*s).to_owned()).collect(),
        reporter_name: email.map(|_| "Demo Reader".to_owned()),
        reporter_email: email.map(str::to_owned),
    }
}

fn articles(now: NaiveDateTime) -> Vec<DemoArticle> {
    let date = |days: i64| articles::rfc3339(now - Duration::days(days));
    vec![
        DemoArticle {
            id: "world-2024-12-kursk-north-korea",
            input: ArticleInput {
                url: "https://news.example/world/2024/12/russians-north-korean-troops-kursk".into(),
                title: "Russians Appear to Commit Disturbing Act to Faces of Dead North Koreans".into(),
                section: "World".into(),
                authors: vec!["Randy DeSoto".into()],
                published_at: date(9),
                text: Some(include_str!("../../fixtures/kursk.txt").into()),
            },
            reports: vec![
                (
                    report(
                        "factual_error",
                        "in the war that is approaching its four-year mark",
                        "Russia's full-scale invasion began in February 2022, so in December 2024 the war \
                         was approaching its three-year mark, not its four-year mark.",
                        &["https://en.wikipedia.org/wiki/Russian_invasion_of_Ukraine"],
                        Some("reader@example.com"),
                    ),
                    vec![(Status::Triaged, None), (Status::InReview, None)],
                ),
                (
                    report(
                        "misattribution",
                        "Lee Seong-kweun, a South Korean lawmaker, told journalists",
                        "The quote is attributed to the lawmaker, but the Telegraph attributes the \
                         assessment of drone warfare losses to the NIS briefing itself.",
                        &[],
                        None,
                    ),
                    vec![(
                        Status::NeedsInfo,
                        Some("Which Telegraph article do you mean? Please send us its link or headline."),
                    )],
                ),
                (
                    report(
                        "factual_error",
                        "over 10,000 troops",
                        "Other outlets say 11,000 to 12,000, the article itself says so further down.",
                        &[],
                        None,
                    ),
                    vec![
                        (Status::InReview, None),
                        (
                            Status::NoChange,
                            Some("\u{201c}Over 10,000\u{201d} and \u{201c}11,000 to 12,000\u{201d} agree; both figures are attributed."),
                        ),
                    ],
                ),
            ],
        },
        DemoArticle {
            id: "local-2026-11-council-budget",
            input: ArticleInput {
                url: "https://news.example/local/2026/11/council-approves-budget".into(),
                title: "Council approves $412 million budget after late-night session".into(),
                section: "Local".into(),
                authors: vec!["Maria Okafor".into(), "Tom Lindqvist".into()],
                published_at: date(3),
                text: Some(
                    "The city council approved a $412 million budget early Tuesday after a session that ran \
                     past midnight.\n\nCouncil member Dana Whitfield, who chairs the finance committee, called \
                     the vote \u{201c}a compromise nobody loves.\u{201d}\n\nThe budget raises library funding by \
                     12 percent and freezes hiring in the parks department until July."
                        .into(),
                ),
            },
            reports: vec![
                (
                    report(
                        "spelling",
                        "Council member Dana Whitfield",
                        "Her name is spelled Whitfeld, without the i, as on the council's website.",
                        &["https://council.example/members/whitfeld"],
                        Some("d.whitfeld@council.example"),
                    ),
                    vec![],
                ),
                (
                    report(
                        "factual_error",
                        "raises library funding by 12 percent",
                        "The adopted budget raises library funding by 2 percent; 12 percent was the \
                         original proposal that was amended on the night.",
                        &["https://council.example/budget/2027/adopted.pdf"],
                        None,
                    ),
                    vec![(Status::Triaged, None)],
                ),
            ],
        },
        DemoArticle {
            id: "science-2026-11-river-heat",
            input: ArticleInput {
                url: "https://news.example/science/2026/11/rivers-warming-faster".into(),
                title: "Rivers are warming faster than the air above them, study finds".into(),
                section: "Science".into(),
                authors: vec!["Priya Raman".into()],
                published_at: date(1),
                text: None,
            },
            reports: vec![(
                report(
                    "broken_link",
                    "the study, published in Nature Climate Change",
                    "The link to the study goes to a page that says it does not exist.",
                    &[],
                    None,
                ),
                vec![(Status::Rejected, Some("The link works for us; the journal's site was briefly down."))],
            )],
        },
    ]
}

/// The demo's staff: email, name, role. Two standards editors, so a retraction can be approved.
const STAFF: [(&str, &str, Role); 4] = [
    ("editor@demo.example", "Erin Editor", Role::Editor),
    ("standards@demo.example", "Sam Standards", Role::StandardsEditor),
    ("second.standards@demo.example", "Sofia Second", Role::StandardsEditor),
    ("auditor@demo.example", "Audrey Auditor", Role::Auditor),
];

/// The desk's saved responses: (title, purpose, text).
const RESPONSES: [(&str, &str, &str); 3] = [
    (
        "Ask for a source",
        "question",
        "Dear {reader_name}, thank you for your report on \u{201c}{article_title}\u{201d}. \
         Do you have a source we can check it against? You can answer at {tracking_link}.",
    ),
    (
        "The passage stands",
        "decision",
        "We checked the passage against the sources the article relied on, and it is accurate as published. \
         Thank you for taking the time to tell us.",
    ),
    (
        "Outside our corrections policy",
        "decision",
        "Your report is about a matter of opinion or emphasis rather than an error of fact, \
         which our corrections policy does not cover.",
    ),
];

/// Adds the saved responses, as the demo's standards editor, when there are none.
fn saved_responses(db: &Db, now: NaiveDateTime) -> Result<(), AppError> {
    let Some((email, name, role)) = STAFF.iter().find(|(_, _, role)| *role == Role::StandardsEditor) else {
        return Ok(());
    };
    db.write_blocking(|c| {
        if !responses::list(c)?.is_empty() {
            return Ok(());
        }
        let Some(user) = User::by_email(c, email)? else { return Ok(()) };
        let actor = Actor { id: user.id, email: (*email).into(), name: (*name).into(), role: *role };
        for (title, purpose, body) in RESPONSES {
            let input = ResponseInput { title: title.into(), purpose: purpose.into(), body: body.into() };
            responses::create(c, &actor, &input, now)?;
        }
        Ok(())
    })
}

/// The demo's distribution channels: (name, kind, partners).
const CHANNELS: [(&str, &str, &[&str]); 5] = [
    ("Morning newsletter", "newsletter", &[]),
    ("Breaking news alerts", "push", &[]),
    ("Social accounts", "social", &[]),
    ("Partner feed", "syndication", &["syndication@partner.example"]),
    ("Print edition", "print", &[]),
];

/// Adds the distribution channels, as the demo's standards editor, when there are none; returns
/// the ids of the newsletter and the social accounts (where the demo correction's error went).
fn distribution_channels(db: &Db, now: NaiveDateTime) -> Result<Vec<i64>, AppError> {
    let Some((email, name, role)) = STAFF.iter().find(|(_, _, role)| *role == Role::StandardsEditor) else {
        return Ok(Vec::new());
    };
    db.write_blocking(|c| {
        let Some(user) = User::by_email(c, email)? else { return Ok(Vec::new()) };
        let actor = Actor { id: user.id, email: (*email).into(), name: (*name).into(), role: *role };
        if channels::list(c)?.is_empty() {
            for (name, kind, partners) in CHANNELS {
                let partners = partners.iter().map(|p| (*p).to_owned()).collect();
                channels::create(
                    c,
                    &actor,
                    &ChannelInput { name: name.into(), kind: kind.into(), partners, endpoint_id: None },
                    now,
                )?;
            }
        }
        Ok(channels::list(c)?
            .into_iter()
            .filter(|ch| matches!(ch.name.as_str(), "Morning newsletter" | "Social accounts"))
            .map(|ch| ch.id)
            .collect())
    })
}

/// Two desks, the first time: legal matters first, then world and science stories, assigned in turn.
fn desks(db: &Db, notify: Notify<'_>, now: NaiveDateTime) -> Result<(), AppError> {
    let Some((email, name, role)) = STAFF.iter().find(|(_, _, role)| *role == Role::StandardsEditor) else {
        return Ok(());
    };
    db.write_blocking(|c| {
        let Some(user) = User::by_email(c, email)? else { return Ok(()) };
        if !desks::list(c)?.is_empty() {
            return Ok(());
        }
        let actor = Actor { id: user.id, email: (*email).into(), name: (*name).into(), role: *role };
        let legal = DeskInput {
            name: "Legal".into(),
            members: vec!["standards@demo.example".into(), "second.standards@demo.example".into()],
            lead: Some("second.standards@demo.example".into()),
            severities: vec!["legal".into()],
            assignment: Some("least_loaded".into()),
            ..DeskInput::default()
        };
        let world = DeskInput {
            name: "World and science".into(),
            members: vec!["editor@demo.example".into(), "standards@demo.example".into()],
            lead: Some("standards@demo.example".into()),
            sections: vec!["World".into(), "Science".into()],
            assignment: Some("round_robin".into()),
            ..DeskInput::default()
        };
        let mut notices = Notices::default();
        desks::save(c, Some(&actor), "legal", &legal, &mut notices, now)?;
        desks::save(c, Some(&actor), "world", &world, &mut notices, now)?;
        notify(c, &notices, now)
    })
}

/// What the seeder made, for printing.
#[derive(Debug, Default)]
pub struct Seeded {
    /// Article IDs upserted.
    pub articles: Vec<String>,
    /// (article ID, tracking token, status) of each report filed; empty when reports already existed.
    pub reports: Vec<(String, String, Status)>,
    /// (email, role, password) of each demo account; passwords are new on every run.
    pub accounts: Vec<(String, Role, String)>,
}

/// Creates the demo accounts, or gives them fresh passwords; returns the editor who works the demo tickets.
fn accounts(db: &Db, now: NaiveDateTime, seeded: &mut Seeded) -> Result<Actor, AppError> {
    let mut editor = None;
    for (email, name, role) in STAFF {
        let password = secrets::new_token()[..20].to_owned();
        let id = db.write_blocking(|c| match User::by_email(c, email)? {
            Some(user) => {
                accounts::reset_password(c, email, &password)?;
                Ok(user.id)
            }
            None => accounts::add_user(c, email, name, role, &password, now),
        })?;
        if role == Role::Editor {
            editor = Some(Actor { id, email: email.into(), name: name.into(), role });
        }
        seeded.accounts.push((email.to_owned(), role, password));
    }
    editor.ok_or_else(|| AppError::Internal(anyhow::anyhow!("the demo has no editor")))
}

/// Hands a step's notices to their consumers, in the step's transaction.
pub type Notify<'a> = &'a dyn Fn(&mut DbConnection, &Notices, NaiveDateTime) -> Result<(), AppError>;

/// Upserts the demo articles and accounts and, the first time, files the reports and works them.
pub fn seed(db: &Db, targets: &Targets, notify: Notify<'_>, now: NaiveDateTime) -> Result<Seeded, AppError> {
    let mut seeded = Seeded::default();
    let editor = accounts(db, now, &mut seeded)?;
    saved_responses(db, now)?;
    let went_to = distribution_channels(db, now)?;
    desks(db, notify, now)?;
    for demo in articles(now) {
        let id = ArticleId::parse(demo.id).map_err(|e| AppError::Invalid(vec![e]))?;
        let existed = db.read_blocking(|c| Ok(Article::find(c, demo.id)?.is_some()))?;
        db.write_blocking(|c| {
            let mut notices = Notices::default();
            articles::upsert(c, &id, &demo.input, &mut notices, now)?;
            notify(c, &notices, now)
        })?;
        seeded.articles.push(demo.id.to_owned());
        if existed {
            continue;
        }
        for (input, steps) in &demo.reports {
            let filed_at = now - Duration::hours(30);
            let filed = db.write_blocking(|c| {
                let mut notices = Notices::default();
                let filed = reports::file(c, demo.id, input, targets, &mut notices, filed_at, || Ok(()))?;
                for (i, (status, message)) in steps.iter().enumerate() {
                    let at = filed_at + Duration::hours(4 * (i as i64 + 1));
                    let version = i as i64 + 1;
                    let request = MoveRequest {
                        to: status.as_str().into(),
                        reason: message.map(str::to_owned),
                        version,
                        duplicate_of: None,
                    };
                    workflow::transition(c, filed.id, &editor, &request, &mut notices, at)?;
                }
                notify(c, &notices, filed_at)?;
                Ok(filed)
            })?;
            let mut status = steps.last().map_or(Status::New, |(s, _)| *s);
            if input.quote.contains("four-year mark") {
                // The reader was right: publish the correction, which resolves the ticket.
                let fix = CorrectionInput {
                    article_id: demo.id.into(),
                    kind: "correction".into(),
                    text:
                        "An earlier version of this article said the war was approaching its four-year mark. \
                           It was approaching its three-year mark: Russia's full-scale invasion began in February 2022."
                            .into(),
                    original: Some("approaching its four-year mark".into()),
                    corrected: Some("approaching its three-year mark".into()),
                    standards: vec!["accuracy".into()],
                    report_ids: vec![filed.id],
                    channels: went_to.clone(),
                    ..Default::default()
                };
                let at = filed_at + Duration::hours(20);
                db.write_blocking(|c| {
                    let mut notices = Notices::default();
                    corrections::publish(c, &editor, &fix, &mut notices, at)?;
                    notify(c, &notices, at)
                })?;
                status = Status::Corrected;
            }
            seeded.reports.push((demo.id.to_owned(), filed.token, status));
        }
    }
    Ok(seeded)
}
