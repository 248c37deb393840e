//! The OpenAPI document at `/api/v1/openapi.json`.

use actix_web::HttpResponse;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use super::api::{articles, audit, channels, corrections, desk, desks, log, reports, responses, stats, wordings};
use super::errors::{ErrorBody, ErrorDetail};
use crate::db::vocabulary::Assignment;
use crate::db::vocabulary::{Cause, EventKind, Found, ResponsePurpose};
use crate::domain::articles::{ArticleInput, ArticleView, Byline};
use crate::domain::audit::{AuditItem, AuditPage};
use crate::domain::bulk::{BulkAction, BulkRequest, BulkResult};
use crate::domain::channels::{
    ChannelChange, ChannelInput, ChannelKind, ChannelVia, ChannelView, ChecklistItem, PartnerAddress,
};
use crate::domain::corrections::{
    CorrectionInput, CorrectionList, CorrectionView, Kind, ListedCorrection, StaffCorrection, StandardCite,
};
use crate::domain::desk::{QueueItem, QueuePage, StatusCount, ViewCount};
use crate::domain::desks::{Affected, DeskInput, DeskSaved, DeskSlug, DeskView, HeldReport, MemberView, SectionName};
use crate::domain::keys::KeyRange;
use crate::domain::reports::Severity;
use crate::domain::reports::{Category, EvidenceUrl, HistoryEntry, ReportInput, Status, Tracking};
use crate::domain::responses::{ResponseInput, ResponseList, ResponseView};
use crate::domain::stats::{
    AuthorCount, CorrectionCounts, DeskStats, Hours, Internal, MonthCount, ReportCounts, SectionCount, StandardCount,
    Stats, Workload,
};
use crate::domain::verify::{Checkpoint, Entry};
use crate::domain::wordings::{WordingInput, WordingList, WordingView};
use crate::domain::workflow::MoveRequest;

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Corrigenda API",
        version = "1",
        description = "Corrections and editorial standards: articles from the CMS, reader reports and their tracking. \
                       Errors are `{error: {code, message, field?}}`."
    ),
    paths(
        articles::put_article, articles::get_article, reports::file_report, reports::track_report,
        reports::reply, reports::appeal, desk::queue, desk::ticket,
        desk::transition, desk::assign, desk::severity, desk::note, desk::bulk,
        responses::list, responses::create, responses::update, responses::delete,
        wordings::list, wordings::update, wordings::reset,
        corrections::publish, corrections::approve, corrections::return_to_author, corrections::withdraw,
        corrections::article_corrections_json,
        corrections::site_corrections_json, log::checkpoint, log::entries, log::keys, audit::events_json,
        stats::public, stats::desk,
        channels::list, channels::create, channels::change, channels::checklist, channels::mark,
        desks::list, desks::get, desks::put, desks::delete, desks::availability, desks::move_report,
    ),
    components(schemas(
        ArticleInput, ArticleView, Byline, EvidenceUrl, ReportInput, reports::FiledReport, Tracking, HistoryEntry, Category, Status, Severity,
        EventKind, ErrorBody, ErrorDetail, QueuePage, QueueItem, StatusCount, ViewCount, MoveRequest, desk::TicketJson, desk::EventView,
        desk::Person, desk::AssignRequest, desk::SeverityRequest, desk::NoteRequest, desk::BulkResults,
        BulkRequest, BulkResult, BulkAction,
        ResponseInput, ResponseView, ResponseList, ResponsePurpose, WordingInput, WordingView, WordingList,
        reports::ReplyRequest, reports::AppealRequest, CorrectionInput, CorrectionView, StaffCorrection, Cause, Found, Kind, ListedCorrection, CorrectionList,
        StandardCite, corrections::ArticleCorrections, corrections::StopInput, Checkpoint, Entry, log::EntriesPage, log::KeysList, KeyRange, AuditItem, AuditPage,
        ChannelInput, ChannelChange, ChannelView, ChannelKind, ChannelVia, ChecklistItem, PartnerAddress,
        channels::ChannelList, channels::Checklist, channels::MarkInput,
        DeskInput, DeskView, DeskSaved, MemberView, HeldReport, Affected, Assignment, DeskSlug, SectionName,
        desks::DeskList, desks::Availability, desks::DeskMove,
        Stats, DeskStats, ReportCounts, CorrectionCounts, Hours, StandardCount, SectionCount, MonthCount, Internal, Workload, AuthorCount,
    )),
    modifiers(&BearerToken, &CommonErrors),
    tags(
        (name = "articles", description = "Articles as the CMS knows them"),
        (name = "reports", description = "Readers' correction reports"),
        (name = "desk", description = "The editors' desk: queue, tickets and the review workflow"),
        (name = "corrections", description = "Published corrections, and their approval, return or withdrawal"),
        (name = "log", description = "The hash-chained public log and its signed checkpoints"),
        (name = "audit", description = "The audit trail"),
        (name = "channels", description = "Distribution channels, and each correction's checklist of the channels its error went to"),
        (name = "desks", description = "Desks: teams of editors, the rules that route reports to them, and automatic assignment"),
        (name = "stats", description = "Transparency figures: how many reports, how fast and how they are corrected"),
    )
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        }
    }
}

/// Documents the errors an operation can answer by its shape alone, so that none is forgotten:
/// 401 wherever a token is needed, 400, 413 and 422 wherever a JSON body is read, and 503
/// everywhere, since every operation reads the database.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete].into_iter().flatten() {
                let mut common = Vec::new();
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    common.push(("401", "No API token, or one unknown, revoked or of a disabled account"));
                }
                if op.request_body.is_some() {
                    common.extend([
                        ("400", "The body is empty, not JSON or not UTF-8"),
                        ("413", "The body is larger than this operation accepts"),
                        ("422", "A field is missing or invalid; `field` names it"),
                    ]);
                }
                for (status, description) in common {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error_response(description).into());
                }
                // An operation with a 503 of its own (the log's checkpoint) gets the database's
                // reason and the header added to it.
                match op.responses.responses.get_mut("503") {
                    Some(RefOr::T(own)) => {
                        let common = unavailable();
                        own.description = format!("{}; or: {}", own.description, common.description);
                        own.headers.extend(common.headers);
                    }
                    Some(RefOr::Ref(_)) => {}
                    None => {
                        op.responses.responses.insert("503".to_owned(), unavailable().into());
                    }
                }
            }
        }
    }
}

/// An error answer with the JSON error body.
fn error_response(description: &str) -> Response {
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    ResponseBuilder::new().description(description).content("application/json", body).build()
}

/// The 503 of every operation: the database unreachable or too slow, with `Retry-After`.
fn unavailable() -> Response {
    let mut response = error_response(
        "The database is unreachable or did not answer in time (`code` `unavailable`); \
         the same request may succeed after `Retry-After` seconds",
    );
    let seconds = Object::with_type(Type::Integer);
    response.headers.insert(
        "Retry-After".to_owned(),
        HeaderBuilder::new().schema(seconds).description(Some("Seconds to wait before trying again")).build(),
    );
    response
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::{ANY_TEXT_PATTERN, LINE_PATTERN, TEXT_PATTERN};

    #[test]
    fn text_fields_carry_the_patterns_of_the_checks() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let schemas = &doc["components"]["schemas"];
        let required = [
            ("ReportInput", "quote"),
            ("ReplyRequest", "body"),
            ("AppealRequest", "reason"),
            ("NoteRequest", "body"),
            ("WordingInput", "text"),
            ("StopInput", "reason"),
        ];
        for (schema, field) in required {
            assert_eq!(schemas[schema]["properties"][field]["pattern"], TEXT_PATTERN, "{schema}.{field}");
        }
        let optional = [
            ("ArticleInput", "text"),
            ("MoveRequest", "reason"),
            ("CorrectionInput", "original"),
            ("CorrectionInput", "corrected"),
        ];
        for (schema, field) in optional {
            assert_eq!(schemas[schema]["properties"][field]["pattern"], ANY_TEXT_PATTERN, "{schema}.{field}");
        }
        for (schema, field) in [("ArticleInput", "title"), ("ArticleInput", "section")] {
            assert_eq!(schemas[schema]["properties"][field]["pattern"], LINE_PATTERN, "{schema}.{field}");
        }
        assert_eq!(schemas["Byline"]["pattern"], LINE_PATTERN);
        assert_eq!(schemas["ArticleInput"]["properties"]["url"]["pattern"], crate::domain::text::URL_PATTERN);
        for path in ["/api/v1/desk/reports", "/api/v1/corrections"] {
            let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
            let cursor = params.iter().find(|p| p["name"] == "cursor").unwrap();
            assert_eq!(cursor["schema"]["pattern"], crate::domain::filters::CURSOR_PATTERN, "{path}");
        }
        for (path, name) in [
            ("/api/v1/desk/reports", "section"),
            ("/api/v1/desk/reports", "assignee"),
            ("/api/v1/corrections", "section"),
            ("/api/v1/corrections", "standard"),
            ("/api/v1/audit/events", "actor"),
        ] {
            let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
            let param = params.iter().find(|p| p["name"] == name).unwrap();
            assert_eq!(param["schema"]["pattern"], crate::domain::filters::FILTER_PATTERN, "{path} {name}");
        }
    }

    #[test]
    fn email_fields_promise_only_what_the_check_takes() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["PartnerAddress"]["pattern"], crate::domain::text::EMAIL_PATTERN);
        let optional = &schemas["ReportInput"]["properties"]["reporter_email"];
        assert_eq!(optional["pattern"], crate::domain::text::OPTIONAL_EMAIL_PATTERN);
    }

    mod properties {
        use proptest::prelude::*;

        use crate::domain::accounts::parse_email;
        use crate::domain::cases;
        use crate::domain::text::EMAIL_PATTERN;

        proptest! {
            #![proptest_config(cases::config(512))]

            /// Whatever the document's email pattern allows (within its 254 characters), the check takes.
            #[test]
            fn an_address_the_pattern_allows_is_taken(
                address in proptest::string::string_regex(&EMAIL_PATTERN[1..EMAIL_PATTERN.len() - 1]).unwrap()
            ) {
                prop_assume!(address.len() <= 254);
                prop_assert!(parse_email("email", &address).is_ok(), "{address:?}");
            }
        }
    }

    #[test]
    fn every_bulk_action_requires_what_it_needs() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let variants = doc["components"]["schemas"]["BulkRequest"]["oneOf"].as_array().unwrap().clone();
        let required = |action: &str| -> Vec<String> {
            let v = variants.iter().find(|v| v["properties"]["action"]["enum"][0] == action).unwrap();
            v["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(required("assign"), ["ids", "action"]);
        assert_eq!(required("severity"), ["ids", "action", "severity"]);
        assert_eq!(required("duplicate"), ["ids", "action", "duplicate_of", "reason"]);
        assert_eq!(required("no_change"), ["ids", "action", "reason"]);
        assert_eq!(required("rejected"), ["ids", "action", "reason"]);
    }
}
