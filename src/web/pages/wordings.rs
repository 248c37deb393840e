//! The suggested wordings page: every staff member reads them, standards editors change them.

use actix_web::{web, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use crate::domain::accounts::Role;
use crate::domain::corrections::Kind;
use crate::domain::wordings::{self, WordingInput, WordingView};
use crate::error::{AppError, FieldError};
use crate::web::api::wordings::parse_kind;
use crate::web::auth::{CanRead, DeskForm, Empty, IsStandards, Signed, Staff};
use crate::web::present::{csrf, field_sentence, html, redirect, staff_layout, time, Naming};
use crate::web::{AppState, State};

/// The form's words for its field, in error sentences.
const LABELS: Naming = Naming::Labels(&[("text", "The wording")]);

/// The wording form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WordingForm {
    text: String,
}

/// The page's query after a save or a reset: what was done, and to which kind.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    done: String,
    kind: String,
}

/// A save of one kind's wording that was refused: what was typed, and why.
struct Refused {
    kind: Kind,
    text: String,
    errors: Vec<FieldError>,
}

/// The page, with a notice or one kind's refused save.
async fn page(
    state: &AppState,
    staff: &Staff,
    refused: Option<Refused>,
    notice: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let list = state.db.read(wordings::list).await?;
    let can_manage = staff.actor.role == Role::StandardsEditor;
    let items = list
        .into_iter()
        .map(|w| {
            let mut item = item(w, can_manage);
            if let Some(r) = refused.as_ref().filter(|r| r.kind.as_str() == item.kind) {
                item.text = r.text.clone();
                item.errors = r.errors.iter().map(|e| field_sentence(LABELS, &e.field, &e.message)).collect();
            }
            item
        })
        .collect();
    let view = views::WordingsView { items, csrf: csrf(staff), notice };
    Ok(html(status, views::wordings(&staff_layout(state, staff), &view)))
}

/// One kind's wording on the page.
fn item(w: WordingView, can_manage: bool) -> views::WordingItem {
    let kind = w.kind.as_str();
    views::WordingItem {
        kind: kind.into(),
        label: w.kind.label().into(),
        text: w.text,
        default_text: w.default,
        customised: w.customised,
        changed: w.updated_at.map(time),
        save_action: can_manage.then(|| format!("/desk/wordings/{kind}")),
        reset_action: (can_manage && w.customised).then(|| format!("/desk/wordings/{kind}/reset")),
        errors: Vec::new(),
    }
}

/// The confirmation after a save or a reset, naming the kind.
fn notice(query: &PageQuery) -> Option<String> {
    let kind = Kind::parse(&query.kind)?;
    let what = kind.label();
    match query.done.as_str() {
        "saved" => Some(format!("The wording for \u{201c}{what}\u{201d} was saved: new drafts start from it.")),
        "reset" => Some(format!("The wording for \u{201c}{what}\u{201d} is the default again.")),
        _ => None,
    }
}

/// `GET /desk/wordings`.
pub async fn wordings(
    state: State,
    staff: Signed<CanRead>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    page(&state, &staff, None, notice(&query), 200).await
}

/// `POST /desk/wordings/{kind}`: saves one kind's wording.
pub async fn save(
    state: State,
    path: web::Path<String>,
    post: DeskForm<IsStandards, WordingForm>,
) -> Result<HttpResponse, AppError> {
    let kind = parse_kind(&path.into_inner())?;
    let (actor, now) = (post.staff.actor.clone(), state.now());
    let input = WordingInput { text: post.form.text.clone() };
    match state.db.write(move |c| wordings::set(c, &actor, kind, &input, now)).await {
        Ok(_) => Ok(redirect(format!("/desk/wordings?done=saved&kind={kind}"))),
        Err(AppError::Invalid(errors)) => {
            let refused = Refused { kind, text: post.form.text.clone(), errors };
            page(&state, &post.staff, Some(refused), None, 422).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /desk/wordings/{kind}/reset`: back to the built-in wording.
pub async fn reset(
    state: State,
    path: web::Path<String>,
    post: DeskForm<IsStandards, Empty>,
) -> Result<HttpResponse, AppError> {
    let kind = parse_kind(&path.into_inner())?;
    let actor = post.staff.actor.clone();
    state.db.write(move |c| wordings::reset(c, &actor, kind)).await?;
    Ok(redirect(format!("/desk/wordings?done=reset&kind={kind}")))
}
