//! Suggested wordings: the correction form starts from the newsroom's wording for the kind,
//! standards editors change it or restore the default, and a blank of their wording left in
//! a text is refused like a blank of the built-in one.

use corrigenda::db::models::Wording;
use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{csrf_in, Backend, TestApp};

both_backends!(
    the_draft_form_starts_from_the_default_wording,
    a_standards_editors_wording_is_what_the_draft_form_suggests,
    editors_who_are_not_standards_editors_cannot_change_a_wording,
    an_empty_wording_is_refused_naming_text,
    restoring_the_default_brings_back_the_built_in_wording,
    a_blank_of_a_customised_wording_cannot_be_published,
);

const CORRECTION_DEFAULT: &str =
    "An earlier version of this article misstated [what it said]. In fact, [what is right].";
const UPDATE_DEFAULT: &str = "This article has been updated to reflect [what changed].";
const CUSTOM: &str = "An earlier version of this article gave [the figure] as the figure. It is [the right figure].";

/// What the correction form's public text box holds, as the browser reads it.
fn text_box(form: &str) -> String {
    let at = form.find("name=\"text\"").unwrap();
    let after = &form[at..];
    let value = &after[after.find('>').unwrap() + 1..after.find("</textarea>").unwrap()];
    // The HTML parser drops the one newline the template writes after the tag.
    value.strip_prefix('\n').unwrap_or(value).to_owned()
}

/// The text box of the form for a new correction to the test article (kind `correction`).
async fn drafted(app: &TestApp, browser: &reqwest::Client) -> String {
    let form = browser.get(app.url("/desk/corrections/new?article=kursk")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    text_box(&form.text().await.unwrap())
}

/// The text box when the form is sent back with an empty text for `kind`.
async fn redrawn_for(app: &TestApp, browser: &reqwest::Client, kind: &str) -> String {
    let form = browser.get(app.url("/desk/corrections/new?article=kursk")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&form);
    let redraw = browser
        .post(app.url("/desk/corrections"))
        .form(&[("csrf", csrf.as_str()), ("article_id", "kursk"), ("kind", kind), ("text", ""), ("preview", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(redraw.status(), 422, "an empty text is refused, and the form redrawn");
    text_box(&redraw.text().await.unwrap())
}

async fn put_wording(app: &TestApp, token: &str, kind: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/desk/wordings/{kind}")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn list(app: &TestApp, token: &str) -> Value {
    let response = app.client.get(app.url("/api/v1/desk/wordings")).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn stored(app: &TestApp) -> Vec<(String, String)> {
    app.db
        .read_blocking(|c| Ok(Wording::all(c)?.into_iter().map(|w| (w.kind.as_str().to_owned(), w.text)).collect()))
        .unwrap()
}

async fn the_draft_form_starts_from_the_default_wording(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let erin = app.user(Role::Editor);
    let browser = app.signed_in(&erin).await;
    assert_eq!(drafted(&app, &browser).await, CORRECTION_DEFAULT);
    assert_eq!(redrawn_for(&app, &browser, "update").await, UPDATE_DEFAULT);

    // Every staff member reads the wordings; none is customised yet.
    let list = list(&app, &erin.token).await;
    let kinds: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["correction", "clarification", "update", "editors_note", "retraction"]);
    assert_eq!(
        list["items"][0],
        json!({"kind": "correction", "text": CORRECTION_DEFAULT, "default": CORRECTION_DEFAULT, "customised": false, "updated_at": null})
    );
    assert!(list["items"].as_array().unwrap().iter().all(|i| i["customised"] == false && i["text"] == i["default"]));
    assert_eq!(app.client.get(app.url("/api/v1/desk/wordings")).send().await.unwrap().status(), 401);
}

async fn a_standards_editors_wording_is_what_the_draft_form_suggests(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let sam = app.user(Role::StandardsEditor);

    let saved = put_wording(&app, &sam.token, "correction", &json!({"text": format!("  {CUSTOM}\r\n")})).await;
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.unwrap();
    assert_eq!(saved["kind"], "correction");
    assert_eq!(saved["text"], CUSTOM, "trimmed");
    assert_eq!(saved["default"], CORRECTION_DEFAULT);
    assert_eq!(saved["customised"], true);
    assert!(saved["updated_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(stored(&app), [("correction".to_owned(), CUSTOM.to_owned())]);

    let erin = app.user(Role::Editor);
    let editor = app.signed_in(&erin).await;
    assert_eq!(drafted(&app, &editor).await, CUSTOM);
    let list = list(&app, &erin.token).await;
    assert_eq!(list["items"][0]["text"], CUSTOM);
    assert_eq!(list["items"][2]["customised"], false, "other kinds keep the default");

    // The page: a standards editor changes the update's wording in its own form.
    let browser = app.signed_in(&sam).await;
    let standards = browser.get(app.url("/desk/standards")).send().await.unwrap().text().await.unwrap();
    assert!(standards.contains("<a href=\"/desk/wordings\">suggested wordings</a>"), "linked for standards editors");
    let page = browser.get(app.url("/desk/wordings")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("action=\"/desk/wordings/update\""));
    assert!(page.contains("action=\"/desk/wordings/correction/reset\""), "the customised one can be restored");
    assert!(!page.contains("action=\"/desk/wordings/update/reset\""), "the default has nothing to restore");
    let csrf = csrf_in(&page);
    let update = "This article was updated on [the date] to reflect [what changed].";
    let posted = browser
        .post(app.url("/desk/wordings/update"))
        .form(&[("text", update), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303);
    assert_eq!(posted.headers()["location"], "/desk/wordings?done=saved&kind=update");
    let page =
        browser.get(app.url("/desk/wordings?done=saved&kind=update")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("The wording for \u{201c}Update\u{201d} was saved: new drafts start from it."));
    assert!(page.contains(&format!("aria-describedby=\"hint-text-update\">\n{update}</textarea>")));
    assert_eq!(redrawn_for(&app, &editor, "update").await, update);
}

async fn editors_who_are_not_standards_editors_cannot_change_a_wording(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let erin = app.user(Role::Editor);
    let auditor = app.user(Role::Auditor);
    let body = json!({"text": CUSTOM});
    for who in [&erin, &auditor] {
        let refused = put_wording(&app, &who.token, "correction", &body).await;
        assert_eq!(refused.status(), 403, "{}", who.email);
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["error"]["code"], "forbidden");
        let reset = app.client.delete(app.url("/api/v1/desk/wordings/correction")).bearer_auth(&who.token);
        assert_eq!(reset.send().await.unwrap().status(), 403, "{}", who.email);
    }
    assert_eq!(put_wording(&app, "not-a-token", "correction", &body).await.status(), 401);

    // On the page an editor reads the wordings, without forms, and a post is refused.
    let browser = app.signed_in(&erin).await;
    let page = browser.get(app.url("/desk/wordings")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(&format!("<p class=\"preserve-lines wording-text\">{UPDATE_DEFAULT}</p>")));
    assert!(!page.contains("action=\"/desk/wordings/") && !page.contains("<textarea"));
    let csrf = csrf_in(&page);
    let posted = browser
        .post(app.url("/desk/wordings/correction"))
        .form(&[("text", CUSTOM), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 403);
    let reset = browser.post(app.url("/desk/wordings/correction/reset")).form(&[("csrf", csrf.as_str())]);
    assert_eq!(reset.send().await.unwrap().status(), 403);
    let standards = browser.get(app.url("/desk/standards")).send().await.unwrap().text().await.unwrap();
    assert!(!standards.contains("/desk/wordings"), "linked only for standards editors");

    assert_eq!(stored(&app), Vec::<(String, String)>::new(), "nothing stored");
    assert_eq!(drafted(&app, &browser).await, CORRECTION_DEFAULT);
}

async fn an_empty_wording_is_refused_naming_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let sam = app.user(Role::StandardsEditor);
    let long = "x".repeat(5001);
    for (body, field, message) in [
        (json!({"text": "   \n "}), "text", "is required".to_owned()),
        (json!({"text": long}), "text", "is too long: at most 5000 characters (this has 5001)".to_owned()),
    ] {
        let refused = put_wording(&app, &sam.token, "correction", &body).await;
        assert_eq!(refused.status(), 422);
        let error: Value = refused.json().await.unwrap();
        assert_eq!(error["error"]["field"], field);
        assert_eq!(error["error"]["message"], message.as_str());
    }
    let unknown = put_wording(&app, &sam.token, "correction", &json!({"text": CUSTOM, "colour": "red"})).await;
    assert_eq!(unknown.status(), 422);
    assert_eq!(unknown.json::<Value>().await.unwrap()["error"]["field"], "colour");

    // A kind that does not exist is not found, never a server error.
    let nowhere = put_wording(&app, &sam.token, "obituary", &json!({"text": CUSTOM})).await;
    assert_eq!(nowhere.status(), 404);
    let error: Value = nowhere.json().await.unwrap();
    assert_eq!(
        error["error"]["message"],
        "there is no wording for \"obituary\": the kinds are correction, clarification, update, editors_note, retraction"
    );
    let reset = app.client.delete(app.url("/api/v1/desk/wordings/obituary")).bearer_auth(&sam.token);
    assert_eq!(reset.send().await.unwrap().status(), 404);

    // The page keeps what was typed and says what is wrong beside it.
    let browser = app.signed_in(&sam).await;
    let page = browser.get(app.url("/desk/wordings")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&page);
    let refused = browser
        .post(app.url("/desk/wordings/retraction"))
        .form(&[("text", "  "), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("<title>Error: Suggested wordings"));
    assert!(refused.contains(
        "<p class=\"field-error\" id=\"error-text-retraction\"><span class=\"visually-hidden\">Error: </span>The \
         wording is required.</p>"
    ));
    assert!(refused.contains("aria-invalid=\"true\">\n  </textarea>"), "what was typed is kept");
    let nowhere = browser.post(app.url("/desk/wordings/obituary")).form(&[("text", CUSTOM), ("csrf", csrf.as_str())]);
    assert_eq!(nowhere.send().await.unwrap().status(), 404);
    assert_eq!(stored(&app), Vec::<(String, String)>::new(), "nothing stored");
}

async fn restoring_the_default_brings_back_the_built_in_wording(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let sam = app.user(Role::StandardsEditor);
    let erin = app.user(Role::Editor);
    let editor = app.signed_in(&erin).await;
    assert_eq!(put_wording(&app, &sam.token, "correction", &json!({"text": CUSTOM})).await.status(), 200);
    assert_eq!(drafted(&app, &editor).await, CUSTOM);

    let reset = app.client.delete(app.url("/api/v1/desk/wordings/correction")).bearer_auth(&sam.token);
    let reset = reset.send().await.unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(
        reset.json::<Value>().await.unwrap(),
        json!({"kind": "correction", "text": CORRECTION_DEFAULT, "default": CORRECTION_DEFAULT, "customised": false, "updated_at": null})
    );
    assert_eq!(stored(&app), Vec::<(String, String)>::new());
    assert_eq!(drafted(&app, &editor).await, CORRECTION_DEFAULT);
    let again = app.client.delete(app.url("/api/v1/desk/wordings/correction")).bearer_auth(&sam.token);
    assert_eq!(again.send().await.unwrap().status(), 200, "already the default is fine");

    // Saving the default's own words is the default, not a copy of it.
    let same = put_wording(&app, &sam.token, "correction", &json!({"text": CORRECTION_DEFAULT})).await;
    assert_eq!(same.json::<Value>().await.unwrap()["customised"], false);
    assert_eq!(stored(&app), Vec::<(String, String)>::new());

    // On the page.
    assert_eq!(put_wording(&app, &sam.token, "update", &json!({"text": CUSTOM})).await.status(), 200);
    let browser = app.signed_in(&sam).await;
    let page = browser.get(app.url("/desk/wordings")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!(
        "<p class=\"wording-default\">The default: <span class=\"preserve-lines\">{UPDATE_DEFAULT}</span></p>"
    )));
    let csrf = csrf_in(&page);
    let posted = browser.post(app.url("/desk/wordings/update/reset")).form(&[("csrf", csrf.as_str())]);
    let posted = posted.send().await.unwrap();
    assert_eq!(posted.status(), 303);
    assert_eq!(posted.headers()["location"], "/desk/wordings?done=reset&kind=update");
    let page =
        browser.get(app.url("/desk/wordings?done=reset&kind=update")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("The wording for \u{201c}Update\u{201d} is the default again."));
    assert!(!page.contains("Restore the default"));
    assert_eq!(redrawn_for(&app, &editor, "update").await, UPDATE_DEFAULT);
}

async fn a_blank_of_a_customised_wording_cannot_be_published(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let sam = app.user(Role::StandardsEditor);
    assert_eq!(put_wording(&app, &sam.token, "correction", &json!({"text": CUSTOM})).await.status(), 200);
    let publish = |text: &str| {
        let body = json!({"article_id": "kursk", "kind": "correction", "text": text});
        app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&app.token).json(&body).send()
    };

    let half_filled = "An earlier version of this article gave 3,000 as the figure. It is [the right figure].";
    let refused = publish(half_filled).await.unwrap();
    assert_eq!(refused.status(), 422);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["field"], "text");
    assert_eq!(error["error"]["message"], "still has the blank [the right figure]: replace it with the facts");
    // The built-in wording's blanks stay blanks while a kind has its own wording.
    let built_in =
        publish("An earlier version of this article misstated the figure. In fact, [what is right].").await.unwrap();
    assert_eq!(built_in.status(), 422);
    assert_eq!(
        built_in.json::<Value>().await.unwrap()["error"]["message"],
        "still has the blank [what is right]: replace it with the facts"
    );
    // Other kinds' wordings count too: the editor may change the kind after the form filled the text.
    let as_update = json!({"article_id": "kursk", "kind": "update", "text": half_filled});
    let refused =
        app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&app.token).json(&as_update).send().await;
    assert_eq!(refused.unwrap().status(), 422);

    let filled = "An earlier version of this article gave 3,000 as the figure. It is 2,000.";
    let published = publish(filled).await.unwrap();
    assert_eq!(published.status(), 201);
    assert_eq!(published.json::<Value>().await.unwrap()["text"], filled);
    app.deliver_mail().await;
}
