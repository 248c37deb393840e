//! Staff pages for corrections: drafting with a preview, approval, and editing the standards catalogue.

use actix_web::{web, HttpRequest, HttpResponse};
use corrigenda_templates as views;
use serde::Deserialize;

use super::corrections::{diff_parts, item, standard_items};
use crate::db::models::{Article, Report};
use crate::domain::accounts::{Actor, Role};
use crate::domain::articles;
use crate::domain::channels;
use crate::domain::corrections::{
    self, Cause, CorrectionInput, CorrectionStatus, CorrectionView, Found, Kind, Pending, Returned, Stop,
};
use crate::domain::quote;
use crate::domain::standards;
use crate::domain::wordings;
use crate::error::{AppError, FieldError};
use crate::web::auth::{CanEdit, CanRead, DeskForm, Empty, Signed, Staff};
use crate::web::extract::DoneQuery;
use crate::web::present::{
    any_first, csrf, error_sentence, field_error, html, iso, opts, redirect, staff_layout, summary, time, Naming,
};
use crate::web::{AppState, State};

/// How the correction form names its fields in error sentences.
const DRAFT_FIELDS: Naming = Naming::Labels(&[
    ("text", "The public text"),
    ("original", "The original passage"),
    ("corrected", "The corrected passage"),
    ("standards", "Standards"),
    ("supersedes", "Amends"),
    ("report_ids", "Reports"),
    ("kind", "Kind"),
    ("redrafts", "The returned correction"),
    ("channels", "Channels"),
]);

/// The form's choices around what was typed.
async fn form_view(
    state: &AppState,
    staff: &Staff,
    article: Article,
    input: &CorrectionInput,
) -> Result<views::CorrectionFormView, AppError> {
    let id = article.id.clone();
    // The kind's wording is needed only while the text box is empty.
    let kind = Kind::parse(input.kind.trim()).filter(|_| input.text.trim().is_empty());
    let (catalogue, earlier, wording, channel_list) = state
        .db
        .read(move |c| {
            let wording = kind.map(|k| wordings::current(c, k)).transpose()?;
            Ok((standards::catalogue(c)?, corrections::for_article(c, &id)?, wording, channels::list(c)?))
        })
        .await?;
    let ticked: Vec<String> = input.channels.iter().map(i64::to_string).collect();
    let ticked: Vec<&str> = ticked.iter().map(String::as_str).collect();
    let offered = channel_list.into_iter().filter(|c| !c.retired).map(|c| {
        let label =
            if c.kind == channels::ChannelKind::Other { c.name } else { format!("{} ({})", c.name, c.kind.label()) };
        (c.id.to_string(), label)
    });
    let cited: Vec<&str> = input.standards.iter().map(String::as_str).collect();
    let supersedes = input.supersedes.map(|s| s.to_string()).unwrap_or_default();
    let amendable = earlier.iter().filter(|c| c.superseded_by.is_none()).map(|c| {
        let label = format!("#{} {} of {}", c.id, c.kind.label(), c.published_at.map(iso).unwrap_or_default());
        (c.id.to_string(), label)
    });
    Ok(views::CorrectionFormView {
        action: "/desk/corrections".into(),
        csrf: csrf(staff),
        article: summary(&article),
        article_id: article.id.clone(),
        report_ids: input.report_ids.clone(),
        kinds: opts(Kind::ALL.iter().map(|k| (k.as_str(), k.label())), &[input.kind.as_str()]),
        causes: opts(Cause::ALL.iter().map(|c| (c.as_str(), c.label())), &[input.cause.as_deref().unwrap_or("other")]),
        found: opts(Found::ALL.iter().map(|f| (f.as_str(), f.label())), &[found_or_default(input)]),
        text: suggested(input, wording),
        original: input.original.clone().unwrap_or_default(),
        corrected: input.corrected.clone().unwrap_or_default(),
        headline: input.headline,
        standards: opts(catalogue.iter().map(|c| (c.current.code.as_str(), c.current.title.as_str())), &cited),
        supersedes: any_first("None", opts(amendable, &[supersedes.as_str()]), &supersedes),
        errors: Vec::new(),
        form_error: None,
        preview: None,
        approval_note: true,
        redrafts: input.redrafts,
        channels: opts(offered, &ticked),
    })
}

/// How the error was found as the form shows it: as chosen, else what the domain would default to.
fn found_or_default(input: &CorrectionInput) -> &str {
    match input.found.as_deref() {
        Some(found) => found,
        None if input.report_ids.is_empty() => Found::Staff.as_str(),
        None => Found::ReaderReport.as_str(),
    }
}

/// What the text box holds: what was typed, or the newsroom's wording for the kind when nothing was.
fn suggested(input: &CorrectionInput, wording: Option<String>) -> String {
    if !input.text.trim().is_empty() {
        return input.text.clone();
    }
    wording.unwrap_or_default()
}

/// The original passage the form starts from: the article's own words where the reader's quote
/// matches them (never the reader's typography or ellipsis), the quote itself when the text is unknown.
fn original_from(quoted: &str, body: Option<&str>) -> Option<String> {
    match body {
        Some(body) => quote::span(quoted, body).map(|range| body[range].to_owned()),
        None => Some(quoted.to_owned()),
    }
}

/// Where the new form starts: a ticket (`report`), an article, or a returned correction (`returned`).
#[derive(Debug, Deserialize)]
pub struct NewQuery {
    report: Option<String>,
    article: Option<String>,
    returned: Option<String>,
}

/// The article and the input the new form starts from: a ticket's quoted passage, or nothing.
async fn starting_point(state: &AppState, query: &NewQuery) -> Result<(Article, CorrectionInput), AppError> {
    if let Some(raw) = &query.returned {
        let id: i64 = raw.parse().map_err(|_| AppError::NotFound(format!("no correction has the number {raw:?}")))?;
        let input = state.db.read(move |c| corrections::draft_again(c, id)).await?;
        let article = load_article(state, input.article_id.clone()).await?;
        return Ok((article, input));
    }
    match (&query.report, &query.article) {
        (Some(raw), _) => {
            let id: i64 = raw.parse().map_err(|_| AppError::NotFound(format!("no report has the number {raw:?}")))?;
            let (report, returned) = state
                .db
                .read(move |c| {
                    let report = Report::find(c, id)?
                        .ok_or_else(|| AppError::NotFound(format!("no report has the number {id}")))?;
                    let returned = match corrections::returned_for_report(c, id)? {
                        Some(returned) => Some(corrections::draft_again(c, returned)?),
                        None => None,
                    };
                    Ok((report, returned))
                })
                .await?;
            // A correction of this report returned to its author is where the next draft starts.
            if let Some(input) = returned {
                let article = load_article(state, input.article_id.clone()).await?;
                return Ok((article, input));
            }
            let article = load_article(state, report.article_id.clone()).await?;
            let input = CorrectionInput {
                kind: "correction".into(),
                original: original_from(&report.quote, article.body.as_deref()),
                report_ids: vec![report.id],
                ..Default::default()
            };
            Ok((article, input))
        }
        (None, Some(id)) => {
            let article = load_article(state, id.clone()).await?;
            Ok((article, CorrectionInput { kind: "correction".into(), ..Default::default() }))
        }
        (None, None) => Err(AppError::invalid(
            "article",
            "is required: open the form from a ticket, or add ?article=THE-ARTICLE-ID",
        )),
    }
}

/// The article a correction is drafted for.
async fn load_article(state: &AppState, id: String) -> Result<Article, AppError> {
    state.db.read(move |c| articles::get(c, &id)).await
}

/// `GET /desk/corrections/new?report=ID` or `?article=ID`: the empty form, the quoted passage pre-filled.
pub async fn new_form(
    state: State,
    staff: Signed<CanEdit>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let (article, input) = starting_point(&state, &query).await?;
    let view = form_view(&state, &staff, article, &input).await?;
    Ok(html(200, views::correction_form(&staff_layout(&state, &staff), &view)))
}

/// The posted form as the domain's input, and whether the editor asked for a preview.
fn input_of(pairs: &[(String, String)]) -> Result<(CorrectionInput, bool), AppError> {
    let mut input = CorrectionInput::default();
    let mut preview = false;
    for (key, value) in pairs {
        match key.as_str() {
            "article_id" => input.article_id = value.clone(),
            "kind" => input.kind = value.clone(),
            "cause" => input.cause = Some(value.clone()),
            "found" => input.found = Some(value.clone()),
            "text" => input.text = value.clone(),
            "original" => input.original = Some(value.clone()),
            "corrected" => input.corrected = Some(value.clone()),
            "headline" => input.headline = !value.is_empty(),
            "standards" => input.standards.push(value.clone()),
            "report_ids" => input
                .report_ids
                .push(value.trim().parse().map_err(|_| AppError::invalid("report_ids", "must be report numbers"))?),
            "supersedes" if !value.trim().is_empty() => {
                input.supersedes = Some(
                    value.trim().parse().map_err(|_| AppError::invalid("supersedes", "must be a correction number"))?,
                )
            }
            "redrafts" if !value.trim().is_empty() => {
                input.redrafts = Some(
                    value.trim().parse().map_err(|_| AppError::invalid("redrafts", "must be a correction number"))?,
                )
            }
            "channels" => input
                .channels
                .push(value.trim().parse().map_err(|_| AppError::invalid("channels", "must be channel numbers"))?),
            "preview" => preview = true,
            _ => {}
        }
    }
    Ok((input, preview))
}

/// `POST /desk/corrections`: preview, or publish (or hold for approval).
pub async fn submit(state: State, post: DeskForm<CanEdit, Vec<(String, String)>>) -> Result<HttpResponse, AppError> {
    let (input, preview) = input_of(&post.form)?;
    let (actor, now) = (post.staff.actor.clone(), state.now());
    let i = input.clone();
    let outcome: Result<Result<CorrectionView, (CorrectionView, bool)>, AppError> = if preview {
        state.db.read(move |c| corrections::preview(c, &actor, &i, now).map(Err)).await
    } else {
        state.write_notifying(move |c, n| corrections::publish(c, &actor, &i, n, now).map(Ok)).await
    };
    let redrawn = match outcome {
        Ok(Ok(published)) => {
            let done = if published.status == CorrectionStatus::Pending { "drafted" } else { "published" };
            let query = format!("done={done}&correction={}", published.id);
            return Ok(redirect(match input.report_ids.first() {
                Some(report) => format!("/desk/reports/{report}?{query}"),
                None => format!("/desk?{query}"),
            }));
        }
        Ok(Err((view, _))) => Redrawn { status: 200, errors: Vec::new(), form_error: None, preview: Some(view) },
        Err(err) => Redrawn::refused(err)?,
    };
    redrawn_form(&state, &post.staff, &input, redrawn).await
}

/// What the correction form shows after a post that published nothing: a preview, or why it was refused.
struct Redrawn {
    status: u16,
    errors: Vec<FieldError>,
    form_error: Option<String>,
    preview: Option<CorrectionView>,
}

impl Redrawn {
    /// What the form shows for `err`; errors that are not the form's to show are handed back.
    fn refused(err: AppError) -> Result<Self, AppError> {
        match err {
            AppError::Invalid(errors) => Ok(Self { status: 422, errors, form_error: None, preview: None }),
            e @ (AppError::Conflict(_) | AppError::Forbidden(_)) => Ok(Self {
                status: e.status_code().as_u16(),
                errors: Vec::new(),
                form_error: Some(format!("{}.", e.public_message())),
                preview: None,
            }),
            other => Err(other),
        }
    }
}

/// The correction form again, with what was typed and the preview or the errors.
async fn redrawn_form(
    state: &AppState,
    staff: &Staff,
    input: &CorrectionInput,
    redrawn: Redrawn,
) -> Result<HttpResponse, AppError> {
    let article = load_article(state, input.article_id.clone()).await?;
    let mut view = form_view(state, staff, article, input).await?;
    view.errors = redrawn.errors.into_iter().map(|e| field_error(DRAFT_FIELDS, e)).collect();
    view.form_error = redrawn.form_error;
    view.preview = redrawn.preview.map(|v| item(state, &v, None));
    Ok(html(redrawn.status, views::correction_form(&staff_layout(state, staff), &view)))
}

/// A pending correction as the list shows it to `me`, who may or may not approve it.
fn pending_item(me: &Actor, p: Pending) -> views::PendingItem {
    let c = p.correction;
    let cannot = if me.role != Role::StandardsEditor {
        Some("Only a standards editor can approve it.".to_owned())
    } else if me.id == p.author_id {
        Some("You drafted it: another standards editor must approve it.".to_owned())
    } else {
        None
    };
    let standards_editor = me.role == Role::StandardsEditor;
    let author = me.id == p.author_id;
    views::PendingItem {
        return_action: (standards_editor && !author).then(|| format!("/desk/corrections/{}/return", c.id)),
        withdraw_action: (standards_editor || author).then(|| format!("/desk/corrections/{}/withdraw", c.id)),
        id: c.id,
        article_href: format!("/articles/{}/corrections", c.article_id),
        article_title: p.article_title,
        kind_label: c.kind.label().into(),
        diff: match (&c.original, &c.corrected) {
            (Some(o), Some(n)) => Some(diff_parts(o, n)),
            _ => None,
        },
        text: c.text,
        author: p.author,
        created: time(p.drafted_at),
        cause_label: p.cause.label().into(),
        found_label: p.found.label().into(),
        approve_action: cannot.is_none().then(|| format!("/desk/corrections/{}/approval", c.id)),
        cannot_approve: cannot,
    }
}

/// A correction returned to the signed-in author, with the way back into the form.
fn returned_item(r: Returned) -> views::ReturnedItem {
    let c = r.correction;
    views::ReturnedItem {
        id: c.id,
        article_title: r.article_title,
        kind_label: c.kind.label().into(),
        text: c.text,
        reason: r.reason,
        edit_href: format!("/desk/corrections/new?returned={}", c.id),
    }
}

/// The list of corrections awaiting approval, with a notice or an error from the last action.
async fn pending_page(
    state: &AppState,
    staff: &Staff,
    notice: Option<String>,
    error: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let me = staff.actor.id;
    let (list, returned, open) = state
        .db
        .read(move |c| Ok((corrections::pending(c)?, corrections::returned_to(c, me)?, channels::open(c, 100)?)))
        .await?;
    let items = list.into_iter().map(|p| pending_item(&staff.actor, p)).collect();
    let returned = returned.into_iter().map(returned_item).collect();
    let open_channels = open
        .into_iter()
        .map(|o| views::OpenChannelsItem {
            id: o.correction_id,
            href: format!("/desk/corrections/{}", o.correction_id),
            article_title: o.article_title,
            kind_label: o.kind.label().into(),
            published: o.published_at.map(time).unwrap_or_default(),
            open: o.items.into_iter().filter(|i| !i.done).map(|i| i.name).collect(),
        })
        .collect();
    let channels_href = (staff.actor.role == Role::StandardsEditor).then(|| "/desk/channels".to_owned());
    let view = views::PendingView { items, returned, csrf: csrf(staff), notice, error, open_channels, channels_href };
    Ok(html(status, views::pending(&staff_layout(state, staff), &view)))
}

/// `GET /desk/corrections`: corrections awaiting approval.
pub async fn pending(
    state: State,
    staff: Signed<CanEdit>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = match query.done.as_str() {
        "drafted" => Some("The correction was saved and waits for a second standards editor's approval.".to_owned()),
        "approved" => Some("Approved and published.".to_owned()),
        "returned" => {
            Some("Returned to its author, who was emailed your reason. Its reports are back in review.".to_owned())
        }
        "withdrawn" => Some("Withdrawn: it will not be published. Its reports are back in review.".to_owned()),
        _ => None,
    };
    pending_page(&state, &staff, notice, None, 200).await
}

/// `POST /desk/corrections/{id}/approval`.
pub async fn approve(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, Empty>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let id: i64 = raw.parse().map_err(|_| AppError::NotFound(format!("no correction has the number {raw:?}")))?;
    let (actor, now) = (post.staff.actor.clone(), state.now());
    match state.write_notifying(move |c, n| corrections::approve(c, &actor, id, n, now)).await {
        Ok(_) => Ok(redirect("/desk/corrections?done=approved")),
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => {
            pending_page(&state, &post.staff, None, Some(format!("{}.", e.public_message())), e.status_code().as_u16())
                .await
        }
        Err(other) => Err(other),
    }
}

/// The reason posted with a return or a withdrawal.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StopForm {
    reason: String,
}

/// Returns or withdraws a pending correction from the approvals page.
async fn stop(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, StopForm>,
    how: Stop,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let id: i64 = raw.parse().map_err(|_| AppError::NotFound(format!("no correction has the number {raw:?}")))?;
    let (actor, now, reason) = (post.staff.actor.clone(), state.now(), post.form.reason.clone());
    match state.write_notifying(move |c, n| corrections::stop(c, &actor, id, how, Some(&reason), n, now)).await {
        Ok(_) => Ok(redirect(match how {
            Stop::Return => "/desk/corrections?done=returned",
            Stop::Withdraw => "/desk/corrections?done=withdrawn",
        })),
        Err(e @ AppError::Invalid(_)) => {
            let message = format!(
                "Correction #{id}: {}",
                error_sentence(Naming::Labels(&[("reason", "A reason")]), &e, "reason")
            );
            pending_page(&state, &post.staff, None, Some(message), 422).await
        }
        Err(e @ (AppError::Conflict(_) | AppError::Forbidden(_))) => {
            pending_page(&state, &post.staff, None, Some(format!("{}.", e.public_message())), e.status_code().as_u16())
                .await
        }
        Err(other) => Err(other),
    }
}

/// `POST /desk/corrections/{id}/return`: back to its author, with what to change.
pub async fn return_to_author(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, StopForm>,
) -> Result<HttpResponse, AppError> {
    stop(state, path, post, Stop::Return).await
}

/// `POST /desk/corrections/{id}/withdraw`: not to be published.
pub async fn withdraw(
    state: State,
    path: web::Path<String>,
    post: DeskForm<CanEdit, StopForm>,
) -> Result<HttpResponse, AppError> {
    stop(state, path, post, Stop::Withdraw).await
}

/// The standards form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StandardForm {
    code: String,
    title: String,
    text: String,
}

/// The standards catalogue for staff, with the form to add a standard or a version.
async fn catalogue_page(
    state: &AppState,
    staff: &Staff,
    form: StandardForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
    status: u16,
) -> Result<HttpResponse, AppError> {
    let list = state.db.read(standards::catalogue).await?;
    let view = views::StandardsAdminView {
        standards: standard_items(&list),
        csrf: csrf(staff),
        code: form.code,
        title: form.title,
        text: form.text,
        errors: errors.into_iter().map(|e| field_error(Naming::AsSent, e)).collect(),
        notice,
        can_manage: staff.actor.role == Role::StandardsEditor,
    };
    Ok(html(status, views::standards_admin(&staff_layout(state, staff), &view)))
}

/// `GET /desk/standards`.
pub async fn standards(state: State, staff: Signed<CanRead>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let saved = req.query_string().contains("done=saved");
    let notice =
        saved.then(|| "Saved. Earlier versions stay on the public page for the corrections that cite them.".to_owned());
    catalogue_page(&state, &staff, StandardForm::default(), Vec::new(), notice, 200).await
}

/// `POST /desk/standards`: adds a standard or a new version of one.
pub async fn save_standard(state: State, post: DeskForm<CanEdit, StandardForm>) -> Result<HttpResponse, AppError> {
    let (actor, now) = (post.staff.actor.clone(), state.now());
    let (code, title, text) = (post.form.code.clone(), post.form.title.clone(), post.form.text.clone());
    match state.db.write(move |c| standards::save(c, &actor, &code, &title, &text, now)).await {
        Ok(_) => Ok(redirect("/desk/standards?done=saved")),
        Err(AppError::Invalid(errors)) => catalogue_page(&state, &post.staff, post.form, errors, None, 422).await,
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn repeated_fields_are_collected() {
        let pairs: Vec<(String, String)> = [
            ("article_id", "a1"),
            ("kind", "correction"),
            ("standards", "accuracy"),
            ("standards", "data"),
            ("report_ids", "3"),
            ("report_ids", "4"),
            ("supersedes", ""),
            ("headline", "true"),
            ("channels", "2"),
            ("channels", "5"),
            ("preview", "1"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let (input, preview) = super::input_of(&pairs).unwrap();
        assert!(preview && input.headline);
        assert_eq!(input.standards, ["accuracy", "data"]);
        assert_eq!(input.report_ids, [3, 4]);
        assert_eq!(input.supersedes, None);
        assert_eq!(input.channels, [2, 5]);
    }
}
