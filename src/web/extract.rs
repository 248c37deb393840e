//! Reading requests: bodies with limits, JSON and forms with named-field errors, the caller.

use std::net::IpAddr;

use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use super::headers::mark_authenticated;
use super::AppState;
use crate::domain::accounts::{self, Actor};
use crate::error::AppError;

/// Body limit for a reader's report (JSON or form): generous for 7,000 characters of text.
pub const REPORT_BODY_LIMIT: usize = 256 * 1024;
/// Body limit for an article upsert, which may carry the article's text.
pub const ARTICLE_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Reads the whole body, refusing with 413 as soon as it exceeds `limit` bytes.
pub async fn read_body(req: &HttpRequest, mut payload: web::Payload, limit: usize) -> Result<web::Bytes, AppError> {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(AppError::PayloadTooLarge { limit });
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(format!("could not read the request body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Parses a JSON body: 400 for bad UTF-8 or syntax, 422 naming the field for wrong content.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        AppError::BadRequest(format!("the request body is not valid UTF-8 (at byte {})", e.valid_up_to()))
    })?;
    if text.trim().is_empty() {
        return Err(AppError::BadRequest("the request body is empty: send a JSON object".into()));
    }
    let mut value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| AppError::BadRequest(format!("the request body is not valid JSON: {e}")))?;
    integral(&mut value);
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = inner.to_string();
        // serde reports a missing field at its parent's path; name the field itself.
        let named = message.split('`').nth(1).filter(|_| message.contains("field `"));
        let field = match (named, path.as_str()) {
            // The path ends at an unknown key, which may hold backticks of its own.
            _ if message.starts_with("unknown field") => path.clone(),
            (Some(name), path) if path == name || path.ends_with(&format!(".{name}")) => path.to_owned(),
            (Some(name), "." | "") => name.to_owned(),
            (Some(name), parent) => format!("{parent}.{name}"),
            (None, path) => path.to_owned(),
        };
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        AppError::invalid(field, message)
    })
}

/// Writes whole numbers sent with a fraction (`3.0`) as integers: JSON Schema counts them as
/// integers, so what the API's document calls an integer is taken in either spelling.
fn integral(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) => {
            // Only within i64's range, both ends open: a number just past either end reads as the
            // end itself in f64, and must stay refused.
            let whole = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 9.223_372_036_854_776e18);
            if let Some(f) = whole {
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral),
        _ => {}
    }
}

/// Query pairs of an API request, refusing a known parameter given empty (`?limit=`): the
/// document's schemas take no empty values, so neither does the API (pages, whose forms send
/// empty fields, read them as absent).
pub fn api_query_pairs(req: &HttpRequest, known: &[&str]) -> Result<Vec<(String, String)>, AppError> {
    let pairs = query_pairs(req);
    match pairs.iter().find(|(k, v)| v.trim().is_empty() && known.contains(&k.as_str())) {
        Some((key, _)) => Err(AppError::invalid(key.as_str(), "is empty: give a value or leave the parameter out")),
        None => Ok(pairs),
    }
}

/// Parses an `application/x-www-form-urlencoded` body, refusing invalid UTF-8.
pub fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    // Decoding would silently replace bad bytes; check the decoded bytes first.
    let plus_as_space: Vec<u8> = body.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
    let decoded: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
    if std::str::from_utf8(&decoded).is_err() {
        return Err(AppError::BadRequest("the form data is not valid UTF-8".into()));
    }
    serde_urlencoded::from_bytes(body)
        .map_err(|e| AppError::BadRequest(format!("the form data could not be read: {e}")))
}

/// The query pairs of a request, in order (repeated keys kept, as filters need).
pub fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect()
}

/// The last value given for `key` in query pairs, or empty.
pub fn last_value<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs.iter().rev().find(|(k, _)| k == key).map_or("", |(_, v)| v.as_str())
}

/// The query of a page a form sent the browser back to: which action just succeeded.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    /// What was done, e.g. `moved`; empty when nothing was.
    #[serde(default)]
    pub done: String,
    /// The correction it concerned, when it published or drafted one.
    #[serde(default)]
    pub correction: String,
}

/// A report number from a path; anything else is a report that does not exist.
pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    parse_number(raw, "report")
}

/// A number from a path; anything else names a `what` that does not exist (404).
pub fn parse_number(raw: &str, what: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound(format!("no {what} has the number {raw:?}")))
}

/// The client's address: the peer, or the nearest untrusted hop of `X-Forwarded-For` behind trusted proxies.
pub fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> IpAddr {
    let peer = req.peer_addr().map_or(IpAddr::from([0, 0, 0, 0]), |a| a.ip());
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    forwarded.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer)
}

/// The staff member behind `Authorization: Bearer <token>`; 401 when absent or not valid.
pub async fn bearer_actor(req: &HttpRequest, state: &AppState) -> Result<Actor, AppError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_owned())
        .ok_or_else(|| AppError::Unauthorized("send an API token as Authorization: Bearer <token>".into()))?;
    let now = state.now();
    let presented = token.clone();
    let (actor, stale) =
        state.db.read(move |c| accounts::actor_for_token(c, &presented, now)).await?.ok_or_else(|| {
            AppError::Unauthorized("the API token is unknown, revoked, or its account is disabled".into())
        })?;
    if stale {
        state.db.write(move |c| accounts::touch_token_use(c, &token, now)).await?;
    }
    mark_authenticated(req);
    Ok(actor)
}

/// Refuses roles that may not change data.
pub fn require_editor(actor: &Actor) -> Result<(), AppError> {
    if actor.role.can_edit() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("an {} may read but not change anything", actor.role.label().to_lowercase())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reports::ReportInput;

    #[test]
    fn json_errors_name_the_field() {
        let missing = parse_json::<ReportInput>(br#"{"category":"other","explanation":"long enough"}"#).unwrap_err();
        assert_eq!((missing.status_code().as_u16(), missing.field()), (422, Some("quote")));
        let wrong_type = parse_json::<ReportInput>(br#"{"category":"other","quote":1,"explanation":"x"}"#).unwrap_err();
        assert_eq!(wrong_type.field(), Some("quote"));
        let unknown =
            parse_json::<ReportInput>(br#"{"category":"other","quote":"q","explanation":"x","colour":1}"#).unwrap_err();
        assert_eq!(unknown.field(), Some("colour"));
        let nested =
            parse_json::<ReportInput>(br#"{"category":"o","quote":"q","explanation":"x","evidence_urls":[1]}"#)
                .unwrap_err();
        assert_eq!(nested.field(), Some("evidence_urls[0]"));
        // Found by a property test: the name was once cut at the key's own backtick.
        let backtick = parse_json::<ReportInput>(br#"{"a`b":1}"#).unwrap_err();
        assert_eq!(backtick.field(), Some("a`b"));
    }

    #[test]
    fn whole_numbers_with_a_fraction_are_integers() {
        let request: crate::domain::workflow::MoveRequest =
            parse_json(br#"{"to":"triaged","version":3.0,"duplicate_of":-2.0}"#).unwrap();
        assert_eq!((request.version, request.duplicate_of), (3, Some(-2)));
        assert_eq!(
            parse_json::<crate::domain::workflow::MoveRequest>(br#"{"to":"x","version":3.5}"#).unwrap_err().field(),
            Some("version")
        );
        assert_eq!(
            parse_json::<crate::domain::workflow::MoveRequest>(br#"{"to":"x","version":1e300}"#).unwrap_err().field(),
            Some("version")
        );
        let below_i64 = br#"{"to":"x","version":-9223372036854775809}"#;
        assert_eq!(parse_json::<crate::domain::workflow::MoveRequest>(below_i64).unwrap_err().field(), Some("version"));
    }

    #[test]
    fn syntax_and_encoding_errors_are_400() {
        assert_eq!(parse_json::<ReportInput>(b"{").unwrap_err().status_code().as_u16(), 400);
        assert_eq!(parse_json::<ReportInput>(b"\xff\xfe").unwrap_err().status_code().as_u16(), 400);
        assert_eq!(parse_json::<ReportInput>(b"").unwrap_err().status_code().as_u16(), 400);
        assert_eq!(parse_form::<Vec<(String, String)>>(b"quote=%FF").unwrap_err().status_code().as_u16(), 400);
        assert_eq!(
            parse_form::<Vec<(String, String)>>(b"quote=caf%C3%A9+au+lait").unwrap(),
            [("quote".to_owned(), "café au lait".to_owned())]
        );
    }

    mod properties {
        use proptest::prelude::*;
        use serde_json::Value;

        use super::*;
        use crate::domain::cases;

        const FIELDS: [&str; 6] =
            ["category", "quote", "explanation", "evidence_urls", "reporter_name", "reporter_email"];

        /// Any JSON, with hostile strings.
        fn json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
                cases::text().prop_map(Value::from),
            ];
            leaf.prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    proptest::collection::btree_map(cases::text(), inner, 0..4)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        /// A report body: some of its fields with any JSON values (strings mostly), perhaps a stray key.
        fn report_object() -> impl Strategy<Value = serde_json::Map<String, Value>> {
            let value = prop_oneof![4 => cases::text().prop_map(Value::from), 1 => json()];
            (
                proptest::collection::btree_map(proptest::sample::select(&FIELDS[..]), value, 0..7),
                proptest::option::of((cases::text(), json())),
            )
                .prop_map(|(known, stray)| {
                    let mut body: serde_json::Map<String, Value> =
                        known.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                    if let Some((key, value)) = stray {
                        body.insert(key, value);
                    }
                    body
                })
        }

        proptest! {
            #![proptest_config(crate::domain::cases::config(512))]

            #[test]
            fn any_bytes_are_read_or_refused_with_400_or_a_named_field(body in proptest::collection::vec(any::<u8>(), 0..300)) {
                if let Err(e) = parse_json::<ReportInput>(&body) {
                    prop_assert!(matches!(e.status_code().as_u16(), 400 | 422), "{e:?}");
                    prop_assert!(e.status_code().as_u16() == 400 || e.field().is_some_and(|f| !f.is_empty()));
                }
                if let Err(e) = parse_form::<Vec<(String, String)>>(&body) {
                    prop_assert_eq!(e.status_code().as_u16(), 400);
                }
            }

            #[test]
            fn a_report_object_is_refused_naming_a_field_it_has_or_lacks(body in report_object()) {
                let text = Value::Object(body.clone()).to_string();
                match parse_json::<ReportInput>(text.as_bytes()) {
                    Ok(input) => {
                        prop_assert_eq!(body.get("quote").and_then(Value::as_str), Some(input.quote.as_str()));
                        prop_assert_eq!(body.get("category").and_then(Value::as_str), Some(input.category.as_str()));
                    }
                    Err(e) => {
                        prop_assert_eq!(e.status_code().as_u16(), 422, "valid JSON is never a 400: {:?}", e);
                        let field = e.field().unwrap_or_default();
                        let root = field.split(['[', '.']).next().unwrap_or_default();
                        prop_assert!(FIELDS.contains(&root) || body.contains_key(field) || body.contains_key(root), "{field:?} for {text}");
                    }
                }
            }

            #[test]
            fn report_json_reads_back_as_sent(
                (category, quote, explanation) in (cases::text(), cases::text(), cases::text()),
                evidence_urls in proptest::collection::vec(cases::text(), 0..4),
                reporter_name in proptest::option::of(cases::text()),
            ) {
                let body = serde_json::json!({
                    "category": category, "quote": quote, "explanation": explanation,
                    "evidence_urls": evidence_urls, "reporter_name": reporter_name,
                });
                let input: ReportInput = parse_json(body.to_string().as_bytes()).unwrap();
                prop_assert_eq!(
                    (input.category, input.quote, input.explanation, input.evidence_urls, input.reporter_name),
                    (category, quote, explanation, evidence_urls, reporter_name)
                );
            }

            #[test]
            fn form_pairs_read_back_as_sent(pairs in proptest::collection::vec((cases::text(), cases::text()), 0..6)) {
                let encoded = serde_urlencoded::to_string(&pairs).unwrap();
                prop_assert_eq!(parse_form::<Vec<(String, String)>>(encoded.as_bytes()).unwrap(), pairs);
            }

            #[test]
            fn a_report_number_is_a_number_or_not_found(raw in prop_oneof!["[+-]?[0-9]{1,20}", cases::text()]) {
                match parse_id(&raw) {
                    Ok(id) => prop_assert_eq!(raw.parse::<i64>().ok(), Some(id)),
                    Err(e) => prop_assert_eq!(e.status_code().as_u16(), 404),
                }
            }
        }
    }
}
