//! The saved responses page: every staff member reads them, standards editors keep them.

use actix_web::{web, HttpRequest, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use crate::db::models::SavedResponse;
use crate::db::vocabulary::ResponsePurpose;
use crate::domain::accounts::Role;
use crate::domain::responses::{self, ResponseInput};
use crate::error::{AppError, FieldError};
use crate::web::api::responses::parse_response_id;
use crate::web::auth::CanRead;
use crate::web::auth::{DeskForm, Empty, IsStandards, Signed, Staff};
use crate::web::present::{csrf, field_error, html, opts, redirect, staff_layout, Naming};
use crate::web::{AppState, State};

/// The form's words for its fields, in error sentences.
const LABELS: Naming = Naming::Labels(&[("title", "The title"), ("body", "The text"), ("purpose", "What it is for")]);

/// The saved response form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResponseForm {
    title: String,
    body: String,
    purpose: String,
}

impl ResponseForm {
    fn input(&self) -> ResponseInput {
        ResponseInput { title: self.title.clone(), body: self.body.clone(), purpose: self.purpose.clone() }
    }
}

/// The page: the list, and the form (adding, or changing the response `editing`).
async fn page(
    state: &AppState,
    staff: &Staff,
    form: ResponseForm,
    editing: Option<(i64, String)>,
    errors: Vec<FieldError>,
    notice: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let list = state.db.read(responses::list).await?;
    let can_manage = staff.actor.role == Role::StandardsEditor;
    let purpose = if form.purpose.is_empty() { ResponsePurpose::Question.as_str() } else { form.purpose.as_str() };
    let view = views::ResponsesView {
        items: list.iter().map(|r| item(r, can_manage)).collect(),
        csrf: csrf(staff),
        can_manage,
        form_action: match &editing {
            Some((id, _)) => format!("/desk/responses/{id}"),
            None => "/desk/responses".into(),
        },
        editing: editing.map(|(_, title)| title),
        title: form.title,
        body: form.body,
        purposes: opts(ResponsePurpose::ALL.iter().map(|p| (p.as_str(), p.label())), &[purpose]),
        errors: errors.into_iter().map(|e| field_error(LABELS, e)).collect(),
        notice,
    };
    Ok(html(status, views::responses(&staff_layout(state, staff), &view)))
}

/// One saved response in the list.
fn item(r: &SavedResponse, can_manage: bool) -> views::ResponseItem {
    views::ResponseItem {
        id: r.id,
        title: r.title.clone(),
        purpose_label: r.purpose.label().into(),
        body: r.body.clone(),
        edit_href: can_manage.then(|| format!("/desk/responses/{}", r.id)),
        delete_action: can_manage.then(|| format!("/desk/responses/{}/delete", r.id)),
    }
}

/// `GET /desk/responses`.
pub async fn responses(state: State, staff: Signed<CanRead>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let notice = match req.query_string() {
        "done=saved" => Some("Saved response saved.".to_owned()),
        "done=deleted" => Some("Saved response deleted. Reasons already given keep their words.".to_owned()),
        _ => None,
    };
    page(&state, &staff, ResponseForm::default(), None, Vec::new(), notice, 200).await
}

/// `POST /desk/responses`: adds one.
pub async fn create(state: State, post: DeskForm<IsStandards, ResponseForm>) -> Result<HttpResponse, AppError> {
    let (actor, now, input) = (post.staff.actor.clone(), state.now(), post.form.input());
    match state.db.write(move |c| responses::create(c, &actor, &input, now)).await {
        Ok(_) => Ok(redirect("/desk/responses?done=saved")),
        Err(AppError::Invalid(errors)) => page(&state, &post.staff, post.form, None, errors, None, 422).await,
        Err(AppError::Conflict(message)) => {
            page(&state, &post.staff, post.form, None, vec![FieldError::new("title", message)], None, 409).await
        }
        Err(other) => Err(other),
    }
}

/// `GET /desk/responses/{id}`: the form to change one.
pub async fn edit(state: State, staff: Signed<IsStandards>, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let id = parse_response_id(&path.into_inner())?;
    let r = state.db.read(move |c| responses::get(c, id)).await?;
    let form = ResponseForm { title: r.title.clone(), body: r.body, purpose: r.purpose.as_str().into() };
    page(&state, &staff, form, Some((id, r.title)), Vec::new(), None, 200).await
}

/// `POST /desk/responses/{id}`: changes one.
pub async fn update(
    state: State,
    path: web::Path<String>,
    post: DeskForm<IsStandards, ResponseForm>,
) -> Result<HttpResponse, AppError> {
    let id = parse_response_id(&path.into_inner())?;
    let (actor, now, input) = (post.staff.actor.clone(), state.now(), post.form.input());
    let (errors, status) = match state.db.write(move |c| responses::update(c, &actor, id, &input, now)).await {
        Ok(_) => return Ok(redirect("/desk/responses?done=saved")),
        Err(AppError::Invalid(errors)) => (errors, 422),
        Err(AppError::Conflict(message)) => (vec![FieldError::new("title", message)], 409),
        Err(other) => return Err(other),
    };
    let title = state.db.read(move |c| responses::get(c, id)).await?.title;
    page(&state, &post.staff, post.form, Some((id, title)), errors, None, status).await
}

/// `POST /desk/responses/{id}/delete`.
pub async fn delete(
    state: State,
    path: web::Path<String>,
    post: DeskForm<IsStandards, Empty>,
) -> Result<HttpResponse, AppError> {
    let id = parse_response_id(&path.into_inner())?;
    let actor = post.staff.actor.clone();
    state.db.write(move |c| responses::delete(c, &actor, id)).await?;
    Ok(redirect("/desk/responses?done=deleted"))
}
