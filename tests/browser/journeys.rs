//! The journeys, one after another in one browser, on the demo data.
//!
//! A reader reports an error from the publisher's article page (getting the form wrong
//! once), follows the tracking link and answers the editor's question; an editor signs
//! in (mistyping the password once), filters the queue, assigns the ticket, asks the
//! question, drafts a correction from the ticket (ticking the newsletter the error also went
//! out in), previews and publishes it, marks the newsletter corrected, and closes
//! another report, which its reader appeals; an editor drafts a retraction that a
//! standards editor approves; an auditor reads the trail and verifies the log; and the
//! notice, the article's log, the site-wide log, the home page and the standards show
//! the result; a reader reads the figures of the desk's work and its annual report, and an
//! auditor the internal figures; a standards editor adds a desk (refused once), a report on
//! its section reaches its member, who moves it to the general queue and goes away and back.
//! Readers use phone width, staff desktop width.

use anyhow::{ensure, Context, Result};
use corrigenda::domain::accounts::Role;
use corrigenda::domain::reports::Status;
use fantoccini::actions::InputSource;
use fantoccini::Locator;
use serde_json::json;

use crate::app::{Account, TestApp};
use crate::browser::{Browser, DESKTOP, PHONE};

/// The demo's articles.
const KURSK: &str = "world-2024-12-kursk-north-korea";
const COUNCIL: &str = "local-2026-11-council-budget";
const RIVERS: &str = "science-2026-11-river-heat";

/// What the reader quotes first (not in the article: refused), and then correctly.
const WRONG_QUOTE: &str = "launched an invasion of Russian territory in June";
const QUOTE: &str = "launched an incursion into the Russian territory in August";
const EXPLANATION: &str = "The incursion began on 6 August 2024. Without the year, readers cannot tell which August.";
const EVIDENCE: &str = "https://en.wikipedia.org/wiki/2024_Kursk_offensive";
const QUESTION: &str = "Thank you. Do you have a source for the exact date?";
const ANSWER: &str = "Yes: the Wikipedia article on the 2024 Kursk offensive, which I linked, cites Reuters.";
const CORRECTION_TEXT: &str = "An earlier version of this article did not say that the incursion began in August 2024.";
const CORRECTED: &str = "launched an incursion into the Russian territory in August 2024";
const NO_CHANGE_REASON: &str = "The amendment on the night is covered further down the article.";
const APPEAL: &str = "The article still says 12 percent in its third paragraph, which is wrong.";
const RETURN_REASON: &str = "Say which journal withdrew the study, and when.";
const RETRACTION_TEXT: &str = "We have retracted this article: the study it describes was withdrawn by its authors.";
/// The desk the standards editor adds, the report it takes, and why its editor passes it on.
const DESK_NAME: &str = "Local desk";
const DESK_QUOTE: &str = "freezes hiring in the parks department until July";
const DESK_EXPLANATION: &str = "The freeze lasts until June, as the budget document says.";
const DESK_MOVE_REASON: &str = "This is about the parks department: the city hall reporters should look at it.";
/// An address no account has, as a member box of a page loaded before that account was closed.
const GONE_MEMBER: &str = "gone.editor@demo.example";

/// Every journey, in story order.
pub async fn all(b: &mut Browser, app: &TestApp) -> Result<()> {
    let tracking = reader_reports_an_error(b).await.context("the reader reporting an error")?;
    let ticket = editor_asks_the_reader(b, app).await.context("the editor asking the reader")?;
    reader_answers(b, &tracking).await.context("the reader answering")?;
    editor_publishes_a_correction(b, app, &ticket).await.context("the editor publishing a correction")?;
    editor_closes_a_report(b).await.context("the editor closing a report")?;
    reader_appeals(b, app).await.context("the reader appealing")?;
    let retraction = editor_drafts_a_retraction(b, app).await.context("the editor drafting a retraction")?;
    standards_editor_returns(b, app, &retraction).await.context("the standards editor returning the retraction")?;
    editor_sends_it_again(b, app).await.context("the editor sending the retraction again")?;
    standards_editor_approves(b, app).await.context("the standards editor approving the retraction")?;
    auditor_verifies(b, app).await.context("the auditor verifying the log")?;
    public_record(b).await.context("the public record")?;
    reader_selects_words_to_report(b).await.context("the reader reporting selected words")?;
    reader_reads_the_figures(b, app).await.context("the transparency figures")?;
    standards_editor_adds_a_desk(b, app).await.context("the standards editor adding a desk")?;
    let tracking = reader_reports_to_the_desk(b).await.context("the reader filing a report the desk takes")?;
    editor_works_the_desk(b, app, &tracking).await.context("the editor working the new desk")?;
    Ok(())
}

/// Opens a staff page, signs in at the page it redirects to, and lands on it; `label` names that page.
async fn sign_in_to(b: &mut Browser, path: &str, who: &Account, label: &str) -> Result<()> {
    b.open(path, "the sign-in page").await?;
    ensure!(b.path().await?.starts_with("/login?next="), "{path} did not ask to sign in");
    b.fill("#field-email", &who.email).await?;
    b.fill("#field-password", &who.password).await?;
    let button = b.button("Sign in").await?;
    b.go(button, label).await?;
    ensure!(b.path().await? == path, "signing in led to {} instead of {path}", b.path().await?);
    Ok(())
}

async fn sign_out(b: &mut Browser) -> Result<()> {
    let button = b.button("Sign out").await?;
    b.go(button, "the sign-in page after signing out").await?;
    ensure!(b.path().await? == "/login", "signing out led to {}", b.path().await?);
    Ok(())
}

/// The text of the whole page.
async fn page_text(b: &Browser) -> Result<String> {
    b.text("body").await
}

/// A reader files a report from the article page, gets it wrong once, then follows the tracking link.
async fn reader_reports_an_error(b: &mut Browser) -> Result<String> {
    b.set_width(PHONE).await?;
    b.open(&format!("/cms/articles/{KURSK}"), "the publisher's article page").await?;
    let script = b.script("return document.documentElement.getAttribute('data-js')").await?;
    ensure!(
        (script == json!("ran")) == b.js,
        "JavaScript should be {} in this browser, but the article page's script left {script}",
        if b.js { "on" } else { "off" }
    );
    ensure!(
        b.text("[data-placement='foot']").await?.contains("three-year mark"),
        "the notice under the article does not show the demo's correction"
    );
    b.screenshot("article-page-with-notice").await?;

    let link = b.link("Submit a correction").await?;
    b.go(link, "the report form").await?;
    ensure!(b.path().await? == format!("/articles/{KURSK}/report"));
    ensure!(b.text("h1").await? == "Report an error");
    b.screenshot("report-form").await?;

    b.choose("#field-category", "missing_context").await?;
    b.fill("#field-quote", WRONG_QUOTE).await?;
    b.fill("#field-explanation", EXPLANATION).await?;
    b.fill("#field-evidence_urls", EVIDENCE).await?;
    b.fill("#field-reporter_name", "Rosa Reader").await?;
    b.fill("#field-reporter_email", "rosa@example.com").await?;
    let send = b.button("Send report").await?;
    b.go(send, "the report form with an error").await?;
    ensure!(b.status() == 422, "a quote not in the article was answered with {}", b.status());
    ensure!(b.client.title().await?.starts_with("Error:"), "the title does not say there is an error");
    ensure!(b.text(".error-summary").await?.contains("There is a problem"));
    // The summary links to the field, which says what is wrong and keeps what was typed.
    b.find(".error-summary a[href='#field-quote']").await?;
    let quote = b.find("#field-quote").await?;
    ensure!(quote.attr("aria-invalid").await?.as_deref() == Some("true"), "the quote field is not marked invalid");
    let described = quote.attr("aria-describedby").await?.unwrap_or_default();
    ensure!(described.contains("error-quote"), "the quote's error is not tied to the field: {described:?}");
    ensure!(b.find("#field-explanation").await?.prop("value").await?.as_deref() == Some(EXPLANATION));
    ensure!(b.find("#field-category").await?.prop("value").await?.as_deref() == Some("missing_context"));
    b.screenshot("report-form-error").await?;

    b.fill("#field-quote", QUOTE).await?;
    let send = b.button("Send report").await?;
    b.go(send, "the tracking page just after filing").await?;
    let path = b.path().await?;
    ensure!(path.starts_with("/reports/") && path.ends_with("?filed=1"), "filing led to {path}");
    ensure!(b.text("[role='status']").await?.contains("your report was received"));
    let tracking = b.text(".tracking-url code").await?;
    ensure!(tracking.starts_with(&format!("{}/reports/", b.base)), "the tracking link is {tracking:?}");
    b.screenshot("tracking-filed").await?;

    // The reader keeps the link and follows it later.
    b.open(&tracking, "the tracking page").await?;
    ensure!(b.find(".badge.status-new").await.is_ok(), "a new report does not show as received");
    ensure!(page_text(b).await?.contains(QUOTE));
    // A link copied wrongly finds nothing, and says so.
    b.open(&tracking[..tracking.len() - 1], "the tracking page of a mistyped link").await?;
    ensure!(b.status() == 404, "a mistyped tracking link answered {}", b.status());
    Ok(tracking)
}

/// An editor signs in (after a wrong password), filters the queue, assigns the new ticket and asks the reader.
async fn editor_asks_the_reader(b: &mut Browser, app: &TestApp) -> Result<String> {
    b.set_width(DESKTOP).await?;
    let editor = app.account(Role::Editor);
    b.open("/desk", "the sign-in page").await?;
    ensure!(b.path().await? == "/login?next=%2Fdesk", "the desk did not ask to sign in");
    b.screenshot("sign-in").await?;
    b.fill("#field-email", &editor.email).await?;
    b.fill("#field-password", "not the password at all").await?;
    let button = b.button("Sign in").await?;
    b.go(button, "the sign-in page after a wrong password").await?;
    ensure!(b.status() == 401, "a wrong password was answered with {}", b.status());
    ensure!(b.text(".error-summary").await?.contains("There is a problem"));
    ensure!(b.find("#field-email").await?.prop("value").await?.as_deref() == Some(editor.email.as_str()));
    b.fill("#field-password", &editor.password).await?;
    let button = b.button("Sign in").await?;
    b.go(button, "the queue").await?;
    ensure!(b.path().await? == "/desk", "signing in led to {}", b.path().await?);
    b.screenshot("desk-queue").await?;

    b.tick("#field-status-new").await?;
    b.choose("#field-section", "World").await?;
    let apply = b.button("Apply filters").await?;
    b.go(apply, "the queue filtered to new reports in World").await?;
    let path = b.path().await?;
    ensure!(path.contains("status=new") && path.contains("section=World"), "the filter led to {path}");
    let rows = b.find_all("table.queue tbody tr").await?;
    ensure!(rows.len() == 1, "the filtered queue shows {} reports, not the one new report in World", rows.len());
    ensure!(rows[0].text().await?.contains(QUOTE), "the filtered queue does not show the reader's report");

    let link = b.find("table.queue tbody tr th a").await?;
    let ticket = link.attr("href").await?.context("the queue's link has no href")?;
    b.go(link, "the new report's ticket").await?;
    ensure!(b.path().await? == ticket);
    ensure!(page_text(b).await?.contains("Rosa Reader"), "the editor does not see the reader's name");
    b.screenshot("ticket").await?;
    // The article's text, folded away at first, with the quoted passage marked.
    b.find("details.article-text summary").await?.click().await?;
    ensure!(b.text("details.article-text mark").await?.contains(QUOTE), "the quoted passage is not marked");
    b.check_again("the new report's ticket with the article text open").await?;

    b.choose("#field-assignee_email", &editor.email).await?;
    let assign = b.button("Assign").await?;
    b.go(assign, "the ticket after assigning it").await?;
    ensure!(b.text("[role='status']").await?.contains("Assignment saved"));

    // A saved question, picked without script, comes back filled in for this reader.
    let use_saved = b.find("#move-needs_info .response-picker button").await?;
    b.go(use_saved, "the ticket with a saved question filled in").await?;
    let filled = b.find("#field-reason-needs_info").await?.prop("value").await?.unwrap_or_default();
    ensure!(filled.starts_with("Dear Rosa Reader,"), "the saved question was not filled in: {filled:?}");
    b.screenshot("ticket-saved-response").await?;
    b.fill("#field-reason-needs_info", QUESTION).await?;
    let ask = b.find("#move-needs_info .move-form button").await?;
    b.go(ask, "the ticket after asking the reader").await?;
    ensure!(b.find(".ticket-badges .status-needs_info").await.is_ok(), "the ticket is not waiting for the reader");
    sign_out(b).await?;
    Ok(ticket)
}

/// The reader opens the tracking link again and answers the question.
async fn reader_answers(b: &mut Browser, tracking: &str) -> Result<()> {
    b.set_width(PHONE).await?;
    b.open(tracking, "the tracking page with the editor's question").await?;
    ensure!(b.text(".question").await? == QUESTION, "the tracking page does not show the editor's question");
    b.screenshot("tracking-question").await?;
    b.fill("#field-body", ANSWER).await?;
    let send = b.button("Send answer").await?;
    b.go(send, "the tracking page after answering").await?;
    ensure!(b.text("[role='status']").await?.contains("your answer was sent"));
    ensure!(b.find(".badge.status-in_review").await.is_ok(), "answering did not put the report back in review");
    Ok(())
}

/// The editor drafts a correction from the ticket, previews it and publishes it.
async fn editor_publishes_a_correction(b: &mut Browser, app: &TestApp, ticket: &str) -> Result<()> {
    b.set_width(DESKTOP).await?;
    sign_in_to(b, ticket, &app.account(Role::Editor), "the ticket after the reader answered").await?;
    ensure!(page_text(b).await?.contains(ANSWER), "the ticket does not show the reader's answer");
    let draft = b.link("Draft a correction").await?;
    b.go(draft, "the correction form for the ticket").await?;
    ensure!(b.path().await?.starts_with("/desk/corrections/new?report="));
    let original = b.find("#field-original").await?.prop("value").await?.unwrap_or_default();
    ensure!(original == QUOTE, "the original passage is not the article's words for the quote: {original:?}");
    b.screenshot("correction-form").await?;
    b.fill("#field-text", CORRECTION_TEXT).await?;
    b.fill("#field-corrected", CORRECTED).await?;
    b.tick("#field-standards-accuracy").await?;
    // The demo's first channel: the erroneous version also went out in the newsletter.
    ensure!(b.text("label[for='field-channels-1']").await?.contains("Morning newsletter"));
    b.tick("#field-channels-1").await?;
    let preview = b.button("Preview").await?;
    b.go(preview, "the correction's preview").await?;
    ensure!(b.text(".preview").await?.contains(CORRECTION_TEXT), "the preview does not show the correction");
    ensure!(b.text(".preview ins").await?.contains("2024"), "the preview does not show what changed");
    b.screenshot("correction-preview").await?;
    let publish = b.button("Publish").await?;
    b.go(publish, "the ticket after publishing").await?;
    let path = b.path().await?;
    ensure!(path.starts_with("/desk/reports/") && path.contains("done=published"), "publishing led to {path}");
    ensure!(b.text("[role='status']").await?.contains("published"), "no confirmation naming the correction");
    b.screenshot("ticket-after-publishing").await?;
    let number = path.rsplit("correction=").next().unwrap_or_default().to_owned();
    b.open(&format!("/articles/{KURSK}/corrections"), "the article's corrections after publishing").await?;
    ensure!(page_text(b).await?.contains(CORRECTION_TEXT), "the article's log does not show the new correction");
    editor_marks_the_newsletter(b, &number).await
}

/// The editor finds the correction among those still to send, and marks the newsletter done
/// with a link to the corrective post.
async fn editor_marks_the_newsletter(b: &mut Browser, number: &str) -> Result<()> {
    b.open("/desk/corrections", "the approvals page with corrections still to send").await?;
    let open = b.text(".open-channels").await?;
    ensure!(open.contains("Morning newsletter"), "the ticked channel is not listed as open: {open}");
    let link = b.find(&format!(".open-channels a[href='/desk/corrections/{number}']")).await?;
    b.go(link, "the correction's checklist").await?;
    ensure!(b.text("#check-1").await?.contains("Not yet corrected there"));
    b.screenshot("correction-checklist").await?;
    b.fill("#field-link-1", "https://news.example/newsletter/2024-12-21").await?;
    let mark = b.button("Mark as corrected there: Morning newsletter").await?;
    b.go(mark, "the correction's checklist after marking the newsletter").await?;
    ensure!(b.text("[role='status']").await?.contains("Marked"), "marking is not confirmed");
    ensure!(b.text("#check-1").await?.contains("Marked by"), "the item does not say who marked it");
    ensure!(b.find("#field-link-1").await.is_err(), "a done item is offered to mark again");
    b.screenshot("correction-checklist-marked").await
}

/// The editor finds a report by searching all open reports, raises its severity with the bulk form, then closes
/// it with no change.
async fn editor_closes_a_report(b: &mut Browser) -> Result<()> {
    b.open("/desk", "the queue").await?;
    // The queue opens on the editor's desks; the report is on none of them.
    let open = b.find("nav.queue-tabs a[href='/desk?view=open']").await?;
    b.go(open, "the queue's open reports").await?;
    b.fill("#field-q", "library funding").await?;
    let apply = b.button("Apply filters").await?;
    b.go(apply, "the queue searched for library funding").await?;
    let rows = b.find_all("table.queue tbody tr").await?;
    ensure!(rows.len() == 1, "the search shows {} reports, not the one about library funding", rows.len());
    ensure!(rows[0].text().await?.contains("library funding"), "the search does not show the library report");
    b.screenshot("desk-search").await?;
    b.tick("table.queue tbody tr td.choose input[type=checkbox]").await?;
    b.choose("#field-action", "severity").await?;
    b.choose("#field-new_severity", "high").await?;
    let bulk = b.button("Apply to the chosen reports").await?;
    b.go(bulk, "the result of a bulk action").await?;
    ensure!(page_text(b).await?.contains("1 changed, 0 refused."), "the bulk action did not change the report");
    b.screenshot("bulk-result").await?;

    b.open("/desk?status=triaged&section=Local", "the queue filtered to triaged reports in Local").await?;
    let link = b
        .client
        .find(Locator::XPath("//table//tr[contains(., 'library funding')]//th//a"))
        .await
        .context("finding the library funding report in the queue")?;
    b.go(link, "a triaged ticket").await?;
    b.fill("#field-reason-no_change", NO_CHANGE_REASON).await?;
    let close = b.find("#move-no_change .move-form button").await?;
    b.go(close, "the ticket after closing it").await?;
    ensure!(b.find(".ticket-badges .status-no_change").await.is_ok(), "the ticket is not closed");
    sign_out(b).await
}

/// That report's reader sees the decision and appeals it.
async fn reader_appeals(b: &mut Browser, app: &TestApp) -> Result<()> {
    b.set_width(PHONE).await?;
    let token = app.demo_token(COUNCIL, Status::Triaged);
    b.open(&format!("/reports/{token}"), "the tracking page after the decision").await?;
    ensure!(b.find(".badge.status-no_change").await.is_ok(), "the tracking page does not show the decision");
    ensure!(page_text(b).await?.contains(NO_CHANGE_REASON), "the tracking page does not give the editor's reason");
    b.screenshot("tracking-decided").await?;
    b.fill("#field-reason", APPEAL).await?;
    let appeal = b.button("Appeal the decision").await?;
    b.go(appeal, "the tracking page after appealing").await?;
    ensure!(b.text("[role='status']").await?.contains("Your appeal was received"));
    ensure!(b.find(".badge.status-appealed").await.is_ok(), "the report is not appealed");
    ensure!(b.find("#field-reason").await.is_err(), "the reader can appeal a second time");
    Ok(())
}

/// An editor drafts a retraction, which waits for a standards editor; returns its number.
async fn editor_drafts_a_retraction(b: &mut Browser, app: &TestApp) -> Result<String> {
    b.set_width(DESKTOP).await?;
    let path = format!("/desk/corrections/new?article={RIVERS}");
    sign_in_to(b, &path, &app.account(Role::Editor), "the correction form for an article").await?;
    b.choose("#field-kind", "retraction").await?;
    b.fill("#field-text", RETRACTION_TEXT).await?;
    let publish = b.button("Publish").await?;
    b.go(publish, "the desk after drafting a retraction").await?;
    let path = b.path().await?;
    ensure!(path.starts_with("/desk?done=drafted&correction="), "drafting led to {path}");
    let number = path.rsplit('=').next().unwrap_or_default().to_owned();
    ensure!(b.text("[role='status']").await?.contains("sent for approval"));
    b.screenshot("desk-after-drafting").await?;
    b.open("/desk/corrections", "the approvals page after drafting a retraction").await?;
    ensure!(b.text(".pending-list").await?.contains(RETRACTION_TEXT));
    ensure!(b.find(".cannot-approve").await.is_ok(), "an editor is offered to approve");
    sign_out(b).await?;
    Ok(number)
}

/// A standards editor returns it to its author, saying what to change.
async fn standards_editor_returns(b: &mut Browser, app: &TestApp, number: &str) -> Result<()> {
    sign_in_to(b, "/desk/corrections", &app.account(Role::StandardsEditor), "the approvals page").await?;
    b.find(&format!("form[action='/desk/corrections/{number}/return']")).await?;
    b.find(".stop-form summary").await?.click().await?;
    b.fill(&format!("#return-reason-{number}"), RETURN_REASON).await?;
    b.screenshot("approvals-returning").await?;
    let send = b.button("Return to the author").await?;
    b.go(send, "the approvals page after returning").await?;
    ensure!(b.text("[role='status']").await?.contains("Returned to its author"));
    ensure!(b.find(".pending-list").await.is_err(), "the returned retraction still waits for approval");
    sign_out(b).await
}

/// The editor finds it returned on the desk, opens it again and sends it for approval once more.
async fn editor_sends_it_again(b: &mut Browser, app: &TestApp) -> Result<()> {
    sign_in_to(b, "/desk/corrections", &app.account(Role::Editor), "the approvals page with the returned draft")
        .await?;
    let returned = b.text(".returned").await?;
    ensure!(returned.contains(RETURN_REASON), "the returned list does not say what to change: {returned}");
    b.screenshot("returned-to-the-author").await?;
    let edit = b.find(".returned a.button").await?;
    b.go(edit, "the correction form for the returned retraction").await?;
    ensure!(b.path().await?.starts_with("/desk/corrections/new?returned="));
    ensure!(b.find("input[name='redrafts']").await.is_ok(), "the form does not say what it drafts again");
    let publish = b.button("Publish").await?;
    b.go(publish, "the desk after sending the retraction again").await?;
    ensure!(b.text("[role='status']").await?.contains("sent for approval"));
    sign_out(b).await
}

/// A standards editor approves it, and looks at the pages only they have.
async fn standards_editor_approves(b: &mut Browser, app: &TestApp) -> Result<()> {
    sign_in_to(b, "/desk/corrections", &app.account(Role::StandardsEditor), "the approvals page").await?;
    ensure!(b.text(".pending-list").await?.contains(RETRACTION_TEXT));
    b.screenshot("approvals").await?;
    let approve = b.button("Approve and publish").await?;
    b.go(approve, "the approvals page after approving").await?;
    ensure!(b.text("[role='status']").await?.contains("Approved and published"));
    ensure!(b.find(".pending-list").await.is_err(), "the retraction still waits for approval");
    let standards = b.link("Standards").await?;
    b.go(standards, "the standards catalogue for staff").await?;
    ensure!(b.find("#field-code").await.is_ok(), "a standards editor is not offered to add a standard");
    let erasure = b.link("Erase reader data").await?;
    b.go(erasure, "the erasure form").await?;
    ensure!(b.find("#field-email").await.is_ok(), "the erasure form has no email field");
    // The newsroom's own wording for a correction, then the default again.
    b.open("/desk/wordings", "the suggested wordings").await?;
    b.fill("#field-text-correction", "We misstated [the figure]. The right figure is [the figure].").await?;
    let save = b.find("form[action='/desk/wordings/correction'] button").await?;
    b.go(save, "the suggested wordings after saving one").await?;
    ensure!(b.text("[role='status']").await?.contains("was saved"), "saving a wording is not confirmed");
    ensure!(b.text("#wording-correction").await?.contains("The default: An earlier version"));
    b.screenshot("wordings").await?;
    let reset = b.find("form[action='/desk/wordings/correction/reset'] button").await?;
    b.go(reset, "the suggested wordings after restoring the default").await?;
    ensure!(b.text("[role='status']").await?.contains("is the default again"));
    // A webhook endpoint: a bad address is refused naming it, a good one shows its secret once.
    let webhooks = b.link("Webhooks").await?;
    b.go(webhooks, "the webhooks page").await?;
    b.fill("#field-url", "ftp://cms.example/hooks").await?;
    let add = b.button("Add endpoint").await?;
    b.go(add, "the webhooks page refusing an address").await?;
    ensure!(b.text(".error-summary").await?.contains("The address must start with https://"));
    b.fill("#field-url", "https://cms.example/corrigenda-hooks").await?;
    b.tick("#field-events-correction-published").await?;
    let add = b.button("Add endpoint").await?;
    b.go(add, "the webhooks page with a new secret").await?;
    ensure!(b.text(".secret").await?.starts_with("whsec_"), "the secret is not shown");
    b.screenshot("webhooks").await?;
    let test = b.button("Send test event").await?;
    b.go(test, "the webhooks page after a test event").await?;
    ensure!(b.text("[role='status']").await?.contains("A test event is queued"));
    // The distribution channels the demo set up, with the forms to change them; a new one's
    // correctives go to the endpoint just added.
    b.open("/desk/channels", "the distribution channels").await?;
    ensure!(b.text(".channel-list").await?.contains("syndication@partner.example"), "the partner feed's address");
    b.fill("#field-name", "Social accounts (CMS)").await?;
    b.choose("#field-kind", "social").await?;
    ensure!(b.text("#field-endpoint_id").await?.contains("https://cms.example/corrigenda-hooks"));
    let endpoint = b.find("#field-endpoint_id option:nth-child(2)").await?.attr("value").await?.unwrap_or_default();
    b.choose("#field-endpoint_id", &endpoint).await?;
    let add = b.button("Add the channel").await?;
    b.go(add, "the distribution channels with one fed by a webhook").await?;
    ensure!(b.text(".channel-list").await?.contains(&format!("#{endpoint}: https://cms.example/corrigenda-hooks")));
    b.screenshot("channels").await?;
    b.open("/desk/webhooks", "the webhooks page").await?;
    let remove = b.button("Remove").await?;
    b.go(remove, "the webhooks page after removing the endpoint").await?;
    ensure!(b.text("[role='status']").await?.contains("Endpoint removed"));
    sign_out(b).await
}

/// An auditor reads and filters the trail, verifies the public log twice, and is kept off the desk.
async fn auditor_verifies(b: &mut Browser, app: &TestApp) -> Result<()> {
    sign_in_to(b, "/audit", &app.account(Role::Auditor), "the audit trail").await?;
    let trail = b.text("table.audit-table").await?;
    ensure!(trail.contains("approved and published"), "the audit trail does not show the approval");
    ensure!(!trail.contains("rosa@example.com"), "the audit trail shows a reader's email");
    b.screenshot("audit").await?;
    b.choose("#field-kind", "correction_published").await?;
    let apply = b.button("Apply").await?;
    b.go(apply, "the audit trail filtered to published corrections").await?;
    let rows = b.find_all("table.audit-table tbody tr").await?;
    ensure!(rows.len() >= 2, "the trail shows {} published corrections, not the demo's and the reader's", rows.len());
    for row in rows {
        let text = row.text().await?;
        ensure!(text.contains("published"), "the filtered trail shows {text:?}");
    }
    let verify = b.link("Verify the public log now").await?;
    b.go(verify, "the log verification").await?;
    ensure!(b.text(".verify-result").await?.contains("Verified"), "the public log does not verify");
    b.screenshot("audit-verify").await?;
    let again = b.button("Run again").await?;
    b.go(again, "the log verification run again").await?;
    ensure!(b.find(".verify-ok").await.is_ok(), "the public log does not verify the second time");
    // Auditors read; they cannot work the queue, and are told so.
    b.open("/desk", "the desk, refused to an auditor").await?;
    ensure!(b.status() == 403, "the desk answered an auditor with {}", b.status());
    b.open("/desk/standards", "the standards catalogue for an auditor").await?;
    ensure!(b.find("#field-code").await.is_err(), "an auditor is offered to change the standards");
    sign_out(b).await
}

/// The notice, the logs, the home page and the standards show what was published.
async fn public_record(b: &mut Browser) -> Result<()> {
    b.set_width(PHONE).await?;
    b.open(&format!("/cms/articles/{KURSK}"), "the publisher's article page with the new correction").await?;
    let foot = b.text("[data-placement='foot']").await?;
    ensure!(foot.contains(CORRECTION_TEXT), "the notice does not show the new correction: {foot}");
    let log = b.link("All corrections to this article").await?;
    b.go(log, "the article's corrections").await?;
    ensure!(page_text(b).await?.contains(CORRECTION_TEXT));
    ensure!(b.find_all(".log-hash").await?.len() >= 2, "the article's corrections do not show their log hashes");
    b.screenshot("article-corrections").await?;

    b.open(&format!("/cms/articles/{RIVERS}"), "the publisher's retracted article").await?;
    let top = b.text("[data-placement='top']").await?;
    ensure!(top.contains("This article has been retracted") && top.contains(RETRACTION_TEXT), "top notice: {top}");
    b.screenshot("article-page-retracted").await?;

    b.open("/", "the home page").await?;
    ensure!(page_text(b).await?.contains(RETRACTION_TEXT), "the home page does not list the retraction");
    b.screenshot("home").await?;
    b.fill("#field-q", "no-such-article").await?;
    let find = b.button("Find article").await?;
    b.go(find, "the home page after finding nothing").await?;
    ensure!(b.status() == 404 && b.text("[role='alert']").await?.contains("no-such-article"));
    b.fill("#field-q", KURSK).await?;
    let find = b.button("Find article").await?;
    b.go(find, "the report form found by the article's ID").await?;
    ensure!(b.path().await? == format!("/articles/{KURSK}/report"));

    b.open("/corrections", "the corrections log").await?;
    let all = page_text(b).await?;
    ensure!(all.contains(CORRECTION_TEXT) && all.contains(RETRACTION_TEXT), "the corrections log misses one");
    b.screenshot("corrections-log").await?;
    b.choose("#field-kind", "retraction").await?;
    let apply = b.button("Apply").await?;
    b.go(apply, "the corrections log filtered to retractions").await?;
    let retractions = page_text(b).await?;
    ensure!(retractions.contains(RETRACTION_TEXT) && !retractions.contains(CORRECTION_TEXT), "the kind filter");

    let standards = b.link("Editorial standards").await?;
    b.go(standards, "the standards page").await?;
    ensure!(b.find("[id^='accuracy-v']").await.is_ok(), "the standards page has no accuracy standard");
    b.screenshot("standards").await?;
    Ok(())
}

/// A reader finds the figures from the standards page, asks for a quarter without a day (and is
/// told what is missing), takes a ready-made period and the annual report; an auditor reads the
/// internal figures at the desk.
async fn reader_reads_the_figures(b: &mut Browser, app: &TestApp) -> Result<()> {
    b.set_width(PHONE).await?;
    b.open("/standards", "the standards page, for the figures").await?;
    let figures = b.link("How well we keep to them: our corrections in figures").await?;
    b.go(figures, "the transparency figures").await?;
    ensure!(b.path().await? == "/transparency", "the link led to {}", b.path().await?);
    let text = page_text(b).await?;
    ensure!(text.contains("Corrections published") && text.contains("Reports and corrections by month"));
    ensure!(b.find_all("svg[role='img']").await?.len() >= 5, "the figures have too few charts");
    ensure!(!text.contains("Corrections by cause"), "the public figures show the internal ones");
    b.screenshot("transparency").await?;

    b.tick("#field-period-quarter").await?;
    let show = b.button("Show figures").await?;
    b.go(show, "the transparency figures for a quarter without a day").await?;
    ensure!(b.status() == 422, "a quarter without a day answered {}", b.status());
    ensure!(b.text("[role='alert']").await?.contains("Start date is needed"), "the error does not say what is missing");
    b.screenshot("transparency-error").await?;
    let quarter = b.link("This quarter").await?;
    b.go(quarter, "the transparency figures for this quarter").await?;
    ensure!(b.status() == 200 && b.path().await?.contains("period=quarter"), "this quarter: {}", b.status());

    let year = chrono::Datelike::year(&chrono::Utc::now()).to_string();
    b.fill("#field-year", &year).await?;
    let annual = b.button("Show the annual report").await?;
    b.go(annual, "the annual report").await?;
    ensure!(b.text("h1").await?.contains(&format!("annual report {year}")), "the annual report's heading");
    b.screenshot("transparency-annual").await?;

    b.set_width(DESKTOP).await?;
    sign_in_to(b, "/desk/transparency", &app.account(Role::Auditor), "the desk's figures").await?;
    let desk = page_text(b).await?;
    ensure!(desk.contains("Corrections by cause of the error") && desk.contains("Editors' workload"));
    b.screenshot("desk-transparency").await?;
    sign_out(b).await
}

/// Words of the Kursk article a reader selects on the demonstration page, with the button and with the keyboard.
const SELECTED: &str = "deployed over 10,000 troops";
const SELECTED_BY_KEYBOARD: &str = "the Pentagon said that an estimated 11,000 to 12,000";

/// Selects `words` in the demonstration page's article, as a reader dragging over them would;
/// answers whether they were found.
async fn select(b: &Browser, words: &str) -> Result<bool> {
    let script = format!(
        "var words = {words}; var walk = document.createTreeWalker(document.querySelector('article.demo-article'), \
         NodeFilter.SHOW_TEXT); while (walk.nextNode()) {{ var at = walk.currentNode.data.indexOf(words); \
         if (at >= 0) {{ var r = document.createRange(); r.setStart(walk.currentNode, at); \
         r.setEnd(walk.currentNode, at + words.length); \
         walk.currentNode.parentElement.scrollIntoView({{ block: 'center' }}); var s = window.getSelection(); s.removeAllRanges(); \
         s.addRange(r); return true; }} }} return false;",
        words = json!(words)
    );
    Ok(b.script(&script).await? == json!(true))
}

/// The button appears beside selected words, once the page has seen the selection change.
async fn the_button(b: &Browser) -> Result<fantoccini::elements::Element> {
    let what = "the button beside the selected words";
    crate::wait::poll(what, std::time::Duration::from_secs(10), || async {
        let button = b.find("a.corrigenda-report").await.ok()?;
        button.is_displayed().await.ok()?.then_some(button)
    })
    .await
    .map_err(|e| anyhow::anyhow!(e))
}

/// On the demonstration page a reader selects words and presses the button that appears: the report
/// form opens in a new tab with the words filled in; then the same with Ctrl+Enter. Without
/// JavaScript there is no button, and the notice's "Submit a correction" link still works.
async fn reader_selects_words_to_report(b: &mut Browser) -> Result<()> {
    b.set_width(PHONE).await?;
    b.open(&format!("/embed/demo/{KURSK}"), "the demonstration page").await?;
    ensure!(b.status() == 200, "the demonstration page answered {}", b.status());
    ensure!(page_text(b).await?.contains("North Korea is believed to have deployed"), "the article's text");
    ensure!(b.text("[data-placement='foot']").await?.contains(CORRECTION_TEXT), "the notice on the demonstration page");
    if !b.js {
        ensure!(b.find("a.corrigenda-report").await.is_err(), "a button without JavaScript");
        let link = b.link("Submit a correction").await?;
        b.go(link, "the report form from the demonstration page").await?;
        ensure!(b.path().await? == format!("/articles/{KURSK}/report"), "the link led to {}", b.path().await?);
        return Ok(());
    }
    let page = b.client.window().await?;

    ensure!(select(b, SELECTED).await?, "the words to select are not on the demonstration page");
    let button = the_button(b).await?;
    ensure!(button.text().await? == "Report an error here", "the button says {:?}", button.text().await?);
    let href = button.attr("href").await?.unwrap_or_default();
    let expected = format!("{}/articles/{KURSK}/report?quote=", b.base);
    ensure!(href.starts_with(&expected), "the button opens {href}");
    b.check_again("the demonstration page with the button shown").await?;
    b.screenshot("embed-demo").await?;
    button.click().await.context("pressing the button")?;
    b.follow_new_tab(&page, "the report form opened by the button").await?;
    ensure!(
        b.path().await?.starts_with(&format!("/articles/{KURSK}/report?quote=")),
        "the tab shows {}",
        b.path().await?
    );
    let quote = b.find("#field-quote").await?.prop("value").await?.unwrap_or_default();
    ensure!(quote == SELECTED, "the passage filled in is {quote:?}");
    b.close_tab(&page).await?;

    ensure!(select(b, SELECTED_BY_KEYBOARD).await?, "the words to select by keyboard are not on the page");
    the_button(b).await?;
    let keys = fantoccini::actions::KeyActions::new("keyboard".into())
        .then(fantoccini::actions::KeyAction::Down { value: fantoccini::key::Key::Control.into() })
        .then(fantoccini::actions::KeyAction::Down { value: fantoccini::key::Key::Enter.into() })
        .then(fantoccini::actions::KeyAction::Up { value: fantoccini::key::Key::Enter.into() })
        .then(fantoccini::actions::KeyAction::Up { value: fantoccini::key::Key::Control.into() });
    b.client.perform_actions(keys).await.context("pressing Ctrl+Enter")?;
    b.follow_new_tab(&page, "the report form opened with Ctrl+Enter").await?;
    let quote = b.find("#field-quote").await?.prop("value").await?.unwrap_or_default();
    ensure!(quote == SELECTED_BY_KEYBOARD, "the passage filled in by Ctrl+Enter is {quote:?}");
    b.close_tab(&page).await
}

/// A standards editor opens the desks from the navigation, is refused a member who is no
/// editor (the error beside the box), then adds a desk for the Local section, assigned in turn.
async fn standards_editor_adds_a_desk(b: &mut Browser, app: &TestApp) -> Result<()> {
    b.set_width(DESKTOP).await?;
    sign_in_to(b, "/desk", &app.account(Role::StandardsEditor), "the queue for a standards editor").await?;
    let desks = b.link("Desks").await?;
    b.go(desks, "the desks page").await?;
    ensure!(b.path().await? == "/desk/desks", "the navigation led to {}", b.path().await?);
    let listed = b.text("ol.desk-list").await?;
    ensure!(listed.contains("Legal") && listed.contains("World and science"), "the demo's desks: {listed}");
    b.screenshot("desks-standards-editor").await?;

    let add = "form[action='/desk/desks']";
    b.fill("#field-slug", "local").await?;
    b.fill("#field-name", DESK_NAME).await?;
    b.fill("#field-sections", "Local").await?;
    b.choose("#field-assignment", "round_robin").await?;
    // The box of an editor whose account was closed after the page was loaded.
    let stale = format!("{add} input[name='members'][value='second.standards@demo.example']");
    let script = format!("document.querySelector({}).value = {};", json!(stale), json!(GONE_MEMBER));
    b.script(&script).await?;
    b.tick(&format!("{add} input[name='members'][value='{GONE_MEMBER}']")).await?;
    let save = b.button("Add the desk").await?;
    b.go(save, "the desks page refusing a member").await?;
    ensure!(b.status() == 422, "an unknown member was answered with {}", b.status());
    ensure!(b.client.title().await?.starts_with("Error:"), "the title does not say there is an error");
    let expected = format!("Members: no editor has the email {GONE_MEMBER}.");
    ensure!(b.text(".error-summary").await?.contains(&expected), "the summary does not name the member");
    b.find(".error-summary a[href='#field-members']").await?;
    let members = b.find("#field-members").await?;
    ensure!(members.attr("class").await?.unwrap_or_default().contains("has-error"), "the members are not marked");
    let described = members.attr("aria-describedby").await?.unwrap_or_default();
    ensure!(described.contains("error-members"), "the members' error is not tied to them: {described:?}");
    ensure!(b.text("#field-members #error-members").await?.contains(&expected), "no error beside the members");
    ensure!(b.find("#field-name").await?.prop("value").await?.as_deref() == Some(DESK_NAME), "the name was lost");
    ensure!(b.find("#field-assignment").await?.prop("value").await?.as_deref() == Some("round_robin"));
    b.screenshot("desks-refused-member").await?;

    let gone = b.find(&format!("{add} input[name='members'][value='{GONE_MEMBER}']")).await?;
    ensure!(gone.is_selected().await?, "the refused member is not kept on the form");
    gone.click().await.context("unticking the refused member")?;
    b.tick(&format!("{add} input[name='members'][value='editor@demo.example']")).await?;
    let save = b.button("Add the desk").await?;
    b.go(save, "the desks page with the new desk").await?;
    ensure!(b.path().await? == "/desk/desks?done=added&desk=local", "adding led to {}", b.path().await?);
    let notice = b.text("[role='status']").await?;
    ensure!(notice.contains("The Local desk was added"), "the desk's addition is not confirmed: {notice}");
    let card = b.text("#desk-local").await?;
    ensure!(card.contains("3. Local desk (local)"), "the new desk is not third in rule order: {card}");
    ensure!(card.contains("Local \u{b7} any kind of error \u{b7} any severity"), "the new desk's rules: {card}");
    ensure!(card.contains("Erin Editor") && card.contains("Round robin"), "the new desk's member or mode: {card}");
    sign_out(b).await
}

/// A reader files a report on an article of the Local section, which the new desk takes.
async fn reader_reports_to_the_desk(b: &mut Browser) -> Result<String> {
    b.set_width(PHONE).await?;
    b.open(&format!("/articles/{COUNCIL}/report"), "the report form for the council budget").await?;
    b.choose("#field-category", "factual_error").await?;
    b.fill("#field-quote", DESK_QUOTE).await?;
    b.fill("#field-explanation", DESK_EXPLANATION).await?;
    let send = b.button("Send report").await?;
    b.go(send, "the tracking page of the report the desk takes").await?;
    let path = b.path().await?;
    ensure!(path.starts_with("/reports/") && path.ends_with("?filed=1"), "filing led to {path}");
    b.text(".tracking-url code").await
}

/// The desk's member finds the report under "My desks", assigned to them; moves it to the
/// general queue with a reason; then marks themselves away and back.
async fn editor_works_the_desk(b: &mut Browser, app: &TestApp, tracking: &str) -> Result<()> {
    b.set_width(DESKTOP).await?;
    sign_in_to(b, "/desk", &app.account(Role::Editor), "the queue on the editor's desks").await?;
    let tab = b.find("nav.queue-tabs a[aria-current='page']").await?;
    ensure!(tab.text().await?.starts_with("My desks"), "the queue opens on {:?}", tab.text().await?);
    let row = b
        .client
        .find(Locator::XPath(&format!("//table[contains(@class, 'queue')]//tr[contains(., '{DESK_QUOTE}')]")))
        .await
        .context("finding the report the desk took under My desks")?;
    let desk = row.find(Locator::Css("td[data-label='Desk']")).await?.text().await?;
    ensure!(desk == DESK_NAME, "the report is on {desk:?}");
    let assignee = row.find(Locator::Css("td[data-label='Assignee']")).await?.text().await?;
    ensure!(assignee == "Erin Editor", "the report is assigned to {assignee:?}");
    // The desk, last of the columns, is in view at desktop width without scrolling sideways.
    let overflow =
        b.script("var r = document.querySelector('.table-scroll'); return r.scrollWidth - r.clientWidth;").await?;
    ensure!(overflow == json!(0), "the queue's table is {overflow} px wider than the page at desktop width");
    b.screenshot("desk-queue-my-desks").await?;

    let link = row.find(Locator::Css("th a")).await?;
    b.go(link, "the ticket the desk took").await?;
    ensure!(detail(b, "Desk").await? == DESK_NAME, "the ticket does not show the desk");
    ensure!(detail(b, "Assignee").await? == "Erin Editor", "the ticket does not show the assignee");
    let titles = timeline_titles(b).await?;
    ensure!(titles.iter().any(|t| t == "Routed to the Local desk"), "the timeline's routing: {titles:?}");
    b.screenshot("ticket-desk-move").await?;
    b.choose("#field-desk-move", "").await?;
    b.fill("#field-reason-desk", DESK_MOVE_REASON).await?;
    let send = b.button("Move the report").await?;
    b.go(send, "the ticket moved to the general queue").await?;
    ensure!(detail(b, "Desk").await? == "General queue", "the ticket is not in the general queue");
    let titles = timeline_titles(b).await?;
    ensure!(
        titles.iter().any(|t| t == "Moved from the Local desk to the general queue"),
        "the timeline does not show the move: {titles:?}"
    );
    ensure!(b.text("ol.timeline").await?.contains(DESK_MOVE_REASON), "the timeline does not show the reason");
    // The reason is the desk's own: the reader's page does not show it.
    b.open(tracking, "the tracking page after the desk moved the report").await?;
    ensure!(!page_text(b).await?.contains(DESK_MOVE_REASON), "the reader sees the desk's reason");

    b.open("/desk", "the queue on the editor's desks").await?;
    let desks = b.link("Desks").await?;
    b.go(desks, "the desks page for an editor").await?;
    ensure!(b.find("#field-name").await.is_err(), "an editor is offered to change the desks");
    b.screenshot("desks-editor").await?;
    let away = b.button("I am away").await?;
    b.go(away, "the desks page with the editor away").await?;
    ensure!(b.text("[role='status']").await?.contains("You are marked away"), "going away is not confirmed");
    ensure!(b.text("#desk-local .desk-members").await?.contains("Erin Editor Away"), "the desk does not show her away");
    let back = b.button("I am back").await?;
    b.go(back, "the desks page with the editor back").await?;
    ensure!(b.text("[role='status']").await?.contains("You are back"), "coming back is not confirmed");
    ensure!(!b.text("#desk-local .desk-members").await?.contains("Away"), "the desk still shows her away");
    sign_out(b).await
}

/// The ticket's detail named `term` (e.g. "Desk").
async fn detail(b: &Browser, term: &str) -> Result<String> {
    let xpath =
        format!("//dl[contains(@class, 'summary-list')]//dt[normalize-space(.) = '{term}']/following-sibling::dd");
    let dd = b.client.find(Locator::XPath(&xpath)).await.with_context(|| format!("finding the ticket's {term}"))?;
    Ok(dd.text().await?)
}

/// The titles of the ticket's timeline entries, oldest first as shown.
async fn timeline_titles(b: &Browser) -> Result<Vec<String>> {
    let mut titles = Vec::new();
    for title in b.find_all("ol.timeline .timeline-title").await? {
        titles.push(title.text().await?);
    }
    Ok(titles)
}
