//! The permanent log is protected: the original passage is the article's own words, the preview
//! says it is what enters the log, suggested wordings have blanks that must be filled, and the
//! editor lands back on the desk with a confirmation naming the correction.

use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{article_json, csrf_in, report_json, Backend, TestApp};

both_backends!(the_original_passage_is_the_articles_own_words, the_form_suggests_previews_and_returns_to_the_desk,);

async fn publish(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&app.token).json(body).send().await.unwrap()
}

fn with_original(original: &str) -> Value {
    json!({
        "article_id": "kursk",
        "kind": "correction",
        "text": "An earlier version of this article misstated how long the war had lasted. It was nearly three years.",
        "original": original,
    })
}

async fn the_original_passage_is_the_articles_own_words(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    // Typography and case are forgiven; what is stored is the article's own text.
    let typed = publish(&app, &with_original("Approaching its FOUR\u{2013}year   mark")).await;
    assert_eq!(typed.status(), 201);
    assert_eq!(typed.json::<Value>().await.unwrap()["original"], "approaching its four-year mark");
    let elided = publish(&app, &with_original("Ukrainian forces launched ... four-year mark")).await;
    assert_eq!(elided.status(), 201);
    assert_eq!(
        elided.json::<Value>().await.unwrap()["original"],
        "Ukrainian forces launched an incursion into the Russian territory in August in the war that is approaching its four-year mark",
        "an ellipsis stands for the article's words, which are what is logged"
    );
    let wrong = publish(&app, &with_original("approaching its five-year mark")).await;
    assert_eq!(wrong.status(), 422);
    let error: Value = wrong.json().await.unwrap();
    assert_eq!(error["error"]["field"], "original");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("does not appear in the article's text") && message.contains("exactly"), "{message}");

    // Without the article's text there is nothing to check against.
    let mut textless = article_json();
    textless.as_object_mut().unwrap().remove("text");
    textless["url"] = json!("https://news.example/world/no-text");
    assert!(app.put_article("no-text", &textless).await.status().is_success());
    let mut body = with_original("approaching its five-year mark");
    body["article_id"] = json!("no-text");
    let kept = publish(&app, &body).await;
    assert_eq!(kept.status(), 201);
    assert_eq!(kept.json::<Value>().await.unwrap()["original"], "approaching its five-year mark");

    // A suggested wording's blank cannot be published.
    let mut blank = with_original("approaching its four-year mark");
    blank["text"] = json!("An earlier version of this article misstated [what it said]. In fact, it was three years.");
    let refused = publish(&app, &blank).await;
    assert_eq!(refused.status(), 422);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["field"], "text");
    assert!(error["error"]["message"].as_str().unwrap().contains("[what it said]"));
}

async fn the_form_suggests_previews_and_returns_to_the_desk(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut report = report_json();
    report["quote"] = json!("Ukrainian forces launched an incursion... approaching its four\u{2013}year mark");
    let filed = app.file_report("kursk", &report).await;
    assert_eq!(filed.status(), 201, "{}", filed.text().await.unwrap());
    let id = app.state_of_last();
    let editor = app.user(Role::Editor);
    let browser = app.signed_in(&editor).await;
    let form =
        browser.get(app.url(&format!("/desk/corrections/new?report={id}"))).send().await.unwrap().text().await.unwrap();
    let original = &form[form.find("name=\"original\"").unwrap()..];
    let original = &original[original.find('>').unwrap() + 1..original.find("</textarea>").unwrap()];
    assert_eq!(
        original.trim(),
        "Ukrainian forces launched an incursion into the Russian territory in August in the war that is approaching its four-year mark",
        "the article's words, not the reader's typography or ellipsis"
    );
    assert!(form.contains("An earlier version of this article misstated [what it said]. In fact, [what is right]."));

    // An empty text box gets the wording for the kind chosen.
    let csrf = csrf_in(&form);
    let id_text = id.to_string();
    let redraw = browser
        .post(app.url("/desk/corrections"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("article_id", "kursk"),
            ("report_ids", id_text.as_str()),
            ("kind", "update"),
            ("text", ""),
            ("preview", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(redraw.status(), 422);
    assert!(redraw.text().await.unwrap().contains("This article has been updated to reflect [what changed]."));

    let fields = [
        ("csrf", csrf.as_str()),
        ("article_id", "kursk"),
        ("report_ids", id_text.as_str()),
        ("kind", "correction"),
        (
            "text",
            "An earlier version of this article misstated how long the war had lasted. It was nearly three years.",
        ),
        ("original", "approaching its four-year mark"),
        ("corrected", "approaching its three-year mark"),
        ("supersedes", ""),
    ];
    let mut previewed = fields.to_vec();
    previewed.push(("preview", "1"));
    let preview = browser.post(app.url("/desk/corrections")).form(&previewed).send().await.unwrap();
    assert_eq!(preview.status(), 200);
    let preview = preview.text().await.unwrap();
    assert!(preview.contains("This is what will be published in the permanent log."));

    let mut wrong = fields.to_vec();
    wrong[5] = ("original", "approaching its five-year mark");
    wrong.push(("preview", "1"));
    let refused = browser.post(app.url("/desk/corrections")).form(&wrong).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("The original passage does not appear in the article"));

    let mut published = fields.to_vec();
    published.push(("publish", "1"));
    let done = browser.post(app.url("/desk/corrections")).form(&published).send().await.unwrap();
    assert_eq!(done.status(), 303);
    let back = done.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/desk/reports/{id}?done=published&correction=1"));
    let ticket = browser.get(app.url(&back)).send().await.unwrap().text().await.unwrap();
    assert!(ticket.contains("Correction #1 published."));

    // Without a report, back to the desk's queue.
    let form = browser.get(app.url("/desk/corrections/new?article=kursk")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&form);
    let loose = browser
        .post(app.url("/desk/corrections"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("article_id", "kursk"),
            ("kind", "update"),
            ("text", "This article has been updated to reflect the Pentagon's latest estimate."),
            ("publish", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(loose.status(), 303);
    assert_eq!(loose.headers()["location"], "/desk?done=published&correction=2");
    let desk = browser.get(app.url("/desk?done=published&correction=2")).send().await.unwrap();
    assert_eq!(desk.status(), 200, "the confirmation is not a filter");
    assert!(desk.text().await.unwrap().contains("Correction #2 published."));
    app.deliver_mail().await;
}
