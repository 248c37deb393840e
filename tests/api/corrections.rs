//! Publishing corrections and the public log: approval, supersession, feeds, CSV and the notice.

use corrigenda::domain::accounts::Role;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{csrf_in, report_json, Backend, TestApp, TestUser};

both_backends!(
    every_kind_publishes_and_retractions_wait_for_approval,
    approval_needs_another_standards_editor_once,
    an_amendment_supersedes_and_both_stay,
    publishing_moves_reports_and_their_duplicates_to_corrected,
    a_closed_ticket_cannot_be_corrected,
    bad_input_is_refused_with_the_field_named,
    the_article_log_agrees_in_html_json_and_atom,
    the_notice_carries_json_ld_and_is_cacheable,
    the_csv_round_trips_without_reader_data_or_formulas,
    the_csv_quotes_every_cell_and_defuses_formulas_after_separators,
    the_site_wide_list_filters_and_pages,
    an_editor_previews_then_publishes_from_a_ticket,
    empty_logs_say_so_and_offer_the_report_link,
    standards_keep_the_version_a_correction_cited,
    corrections_appear_on_the_home_page,
);

fn correction(kind: &str) -> Value {
    json!({
        "article_id": "kursk",
        "kind": kind,
        "text": "An earlier version said the war was approaching its four-year mark. It was approaching its three-year mark.",
        "original": "approaching its four-year mark",
        "corrected": "approaching its three-year mark",
        "standards": ["accuracy"],
    })
}

async fn publish(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(token).json(body).send().await.unwrap()
}

async fn approve(app: &TestApp, user: &TestUser, id: i64) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/desk/corrections/{id}/approval")))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    app.client.get(app.url(path)).send().await.unwrap().json().await.unwrap()
}

async fn every_kind_publishes_and_retractions_wait_for_approval(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let _approver = app.user(Role::StandardsEditor);
    for (i, kind) in ["correction", "clarification", "update", "editors_note"].iter().enumerate() {
        let response = publish(&app, &app.token, &correction(kind)).await;
        assert_eq!(response.status(), 201, "{kind}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "published");
        assert_eq!(body["log_index"], i as i64);
        assert_eq!(body["hash"].as_str().unwrap().len(), 64);
    }
    let retraction: Value = publish(&app, &app.token, &correction("retraction")).await.json().await.unwrap();
    assert_eq!(retraction["status"], "pending");
    assert_eq!(retraction["hash"], Value::Null);
    let mut headline = correction("correction");
    headline["headline"] = json!(true);
    let held: Value = publish(&app, &app.token, &headline).await.json().await.unwrap();
    assert_eq!(held["status"], "pending", "headline corrections wait too");
    let log = get_json(&app, "/api/v1/articles/kursk/corrections").await;
    assert_eq!(log["corrections"].as_array().unwrap().len(), 4, "pending ones are not public");
    app.deliver_mail().await;
}

async fn approval_needs_another_standards_editor_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let author = app.user(Role::StandardsEditor);
    let other = app.user(Role::StandardsEditor);
    let editor = app.user(Role::Editor);
    let pending: Value = publish(&app, &author.token, &correction("retraction")).await.json().await.unwrap();
    let id = pending["id"].as_i64().unwrap();
    assert_eq!(approve(&app, &editor, id).await.status(), 403, "editors cannot approve");
    let own = approve(&app, &author, id).await;
    assert_eq!(own.status(), 403, "nor can the author");
    assert!(own.json::<Value>().await.unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("another standards editor"));
    let approved = approve(&app, &other, id).await;
    assert_eq!(approved.status(), 200);
    let body: Value = approved.json().await.unwrap();
    assert_eq!(body["status"], "published");
    assert_eq!(body["log_index"], 0);
    assert_eq!(approve(&app, &other, id).await.status(), 409, "not twice");
    assert_eq!(approve(&app, &other, 9999).await.status(), 404);
    app.deliver_mail().await;
}

async fn an_amendment_supersedes_and_both_stay(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let first: Value = publish(&app, &app.token, &correction("correction")).await.json().await.unwrap();
    let mut amend = correction("correction");
    amend["supersedes"] = first["id"].clone();
    amend["text"] = json!("This corrects our earlier correction: the invasion began on 24 February 2022.");
    let second: Value = publish(&app, &app.token, &amend).await.json().await.unwrap();
    assert_eq!(second["supersedes"], first["id"]);
    let log = get_json(&app, "/api/v1/articles/kursk/corrections").await;
    let list = log["corrections"].as_array().unwrap();
    assert_eq!(list.len(), 2, "nothing is removed");
    let old = list.iter().find(|c| c["id"] == first["id"]).unwrap();
    assert_eq!(old["superseded_by"], second["id"]);
    let again = publish(&app, &app.token, &amend).await;
    assert_eq!(again.status(), 422, "one amendment per correction; amend the amendment");
    assert_eq!(again.json::<Value>().await.unwrap()["error"]["field"], "supersedes");
    let html = app.client.get(app.url("/articles/kursk/corrections")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(&format!("correction-{}", second["id"])));
}

async fn publishing_moves_reports_and_their_duplicates_to_corrected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (primary, token) = app.filed().await;
    let (dup, dup_token) = app.filed().await;
    let moved = app
        .move_report(
            &app.token,
            dup,
            json!({"to": "duplicate", "reason": "Same passage", "version": 1, "duplicate_of": primary}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    let mut body = correction("correction");
    body["report_ids"] = json!([primary]);
    assert_eq!(publish(&app, &app.token, &body).await.status(), 201);
    assert_eq!(app.state_of(primary).0, "corrected");
    assert_eq!(app.state_of(dup).0, "corrected", "the duplicate follows its primary");
    for t in [&token, &dup_token] {
        let tracking = get_json(&app, &format!("/api/v1/reports/{t}")).await;
        assert_eq!(tracking["status"], "corrected");
    }
    // Through approval: the ticket waits, then is corrected.
    let (third, _) = app.filed().await;
    let mut retraction = correction("retraction");
    retraction["report_ids"] = json!([third]);
    let sam = app.user(Role::StandardsEditor);
    let pending: Value = publish(&app, &app.token, &retraction).await.json().await.unwrap();
    assert_eq!(app.state_of(third).0, "awaiting_approval");
    approve(&app, &sam, pending["id"].as_i64().unwrap()).await;
    assert_eq!(app.state_of(third).0, "corrected");
    app.deliver_mail().await;
}

async fn a_closed_ticket_cannot_be_corrected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    app.move_report(&app.token, id, json!({"to": "no_change", "reason": "Right as published.", "version": 1})).await;
    let mut body = correction("correction");
    body["report_ids"] = json!([id]);
    let response = publish(&app, &app.token, &body).await;
    assert_eq!(response.status(), 409);
    assert!(get_json(&app, "/api/v1/articles/kursk/corrections").await["corrections"].as_array().unwrap().is_empty());
    app.deliver_mail().await;
}

async fn bad_input_is_refused_with_the_field_named(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut unknown_article = correction("correction");
    unknown_article["article_id"] = json!("nope");
    assert_eq!(publish(&app, &app.token, &unknown_article).await.status(), 404);
    for (field, value, named) in [
        ("kind", json!("erratum"), "kind"),
        ("standards", json!(["accuracy", "astrology"]), "standards"),
        ("text", json!("short"), "text"),
        ("report_ids", json!([9999]), "report_ids"),
    ] {
        let mut body = correction("correction");
        body[field] = value;
        let response = publish(&app, &app.token, &body).await;
        assert_eq!(response.status(), 422, "{field}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["field"], named, "{field}");
        if field == "standards" {
            assert!(error["error"]["message"].as_str().unwrap().contains("astrology"));
        }
    }
    let auditor = app.user(Role::Auditor);
    assert_eq!(publish(&app, &auditor.token, &correction("correction")).await.status(), 403);
    assert_eq!(
        app.client
            .post(app.url("/api/v1/desk/corrections"))
            .json(&correction("correction"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn the_article_log_agrees_in_html_json_and_atom(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut hostile = correction("clarification");
    hostile["text"] = json!("We said <script>alert(1)</script> & that was wrong.");
    let a: Value = publish(&app, &app.token, &correction("correction")).await.json().await.unwrap();
    let b: Value = publish(&app, &app.token, &hostile).await.json().await.unwrap();
    let json = get_json(&app, "/api/v1/articles/kursk/corrections").await;
    let ids: Vec<i64> = json["corrections"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [b["id"].as_i64().unwrap(), a["id"].as_i64().unwrap()], "newest first");
    assert_eq!(json["article"]["id"], "kursk");
    let first = &json["corrections"][1];
    for key in ["id", "kind", "text", "published_at", "standards", "hash"] {
        assert!(!first[key].is_null(), "{key}");
    }
    assert_eq!(first["standards"][0]["code"], "accuracy");

    let html = app.client.get(app.url("/articles/kursk/corrections")).send().await.unwrap().text().await.unwrap();
    for id in &ids {
        assert!(html.contains(&format!("id=\"correction-{id}\"")), "{id}");
    }
    assert!(!html.contains("<script>alert(1)"), "escaped");
    // The publisher's zone (Europe/Berlin in the tests) beside UTC, worked out here independently.
    let published = chrono::DateTime::parse_from_rfc3339(first["published_at"].as_str().unwrap()).unwrap();
    let berlin = published.with_timezone(&chrono_tz::Europe::Berlin);
    let zone = if berlin.offset().to_string() == "CEST" { "CEST" } else { "CET" };
    let local = format!("{}, {} {zone}", berlin.format("%-d %B %Y"), berlin.format("%H:%M"));
    assert!(html.contains(&local), "local time {local} shown");
    // Only the word that changed is struck out and inserted.
    let hidden = |text: &str| format!("<span class=\"visually-hidden\">{text}</span>");
    let removed = format!("<del>{}four-year{}</del>", hidden("[removed: "), hidden("]"));
    let added = format!("<ins>{}three-year{}</ins>", hidden("[added: "), hidden("]"));
    assert!(html.contains(&format!("approaching its {removed}{added} mark")), "word-level diff: {html}");
    assert!(html.contains("/standards#accuracy-v1"));

    let atom = app.client.get(app.url("/articles/kursk/corrections.atom")).send().await.unwrap();
    assert!(atom.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let feed: atom_syndication::Feed = atom.text().await.unwrap().parse().unwrap();
    assert!(!feed.id().is_empty() && !feed.title().is_empty());
    assert_eq!(feed.entries().len(), 2);
    for entry in feed.entries() {
        assert!(!entry.id().is_empty() && !entry.title().is_empty());
        assert!(
            entry.id().ends_with(&format!("correction-{}", ids[0]))
                || entry.id().ends_with(&format!("correction-{}", ids[1]))
        );
    }
    let content = feed.entries()[0].content().unwrap().value().unwrap();
    assert!(content.contains("<script>alert(1)</script>"), "text content, escaped by XML, read back as text");
}

async fn the_notice_carries_json_ld_and_is_cacheable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    publish(&app, &app.token, &correction("correction")).await;
    let sam = app.user(Role::StandardsEditor);
    let pending: Value = publish(&app, &app.token, &correction("retraction")).await.json().await.unwrap();
    approve(&app, &sam, pending["id"].as_i64().unwrap()).await;
    let response = app.client.get(app.url("/articles/kursk/notice")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert!(response.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    let html = response.text().await.unwrap();
    assert!(!html.contains("<html") && !html.contains("<body"), "a fragment");
    let top = html.find("data-placement=\"top\"").expect("retraction on top");
    let foot = html.find("data-placement=\"foot\"").expect("correction at the foot");
    assert!(top < foot);
    assert!(html.contains("/articles/kursk/report"), "submit a correction link");
    let start =
        html.find("<script type=\"application/ld+json\">").unwrap() + "<script type=\"application/ld+json\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let ld: Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(ld["correction"].as_array().unwrap().len(), 2);
    assert!(ld["correction"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["@type"] == "CorrectionComment" && c["datePublished"].is_string()));
    let again = app.client.get(app.url("/articles/kursk/notice")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    app.deliver_mail().await;
}

async fn the_csv_round_trips_without_reader_data_or_formulas(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    let mut body = correction("correction");
    body["text"] = json!("=HYPERLINK(\"http://evil.example\") was in the article, \"quoted\", with a comma.");
    body["report_ids"] = json!([id]);
    publish(&app, &app.token, &body).await;
    publish(&app, &app.token, &correction("update")).await;
    let response = app.client.get(app.url("/corrections.csv")).send().await.unwrap();
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = response.text().await.unwrap();
    assert!(!text.contains("ada@example.com") && !text.contains("Ada Reader"), "no reader data");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let text_col = headers.iter().position(|h| h == "text").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    let cells: Vec<&str> = rows.iter().map(|r| &r[text_col]).collect();
    assert!(
        cells.contains(&"'=HYPERLINK(\"http://evil.example\") was in the article, \"quoted\", with a comma."),
        "{cells:?}"
    );
    app.deliver_mail().await;
}

async fn the_csv_quotes_every_cell_and_defuses_formulas_after_separators(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut body = correction("correction");
    // A spreadsheet splitting on `;` or `|` would read the part after it as a formula.
    body["text"] = json!("An earlier version gave the total as 4;=1+1 and |@SUM(A1) by mistake.");
    let published: Value = publish(&app, &app.token, &body).await.json().await.unwrap();
    let text = app.client.get(app.url("/corrections.csv")).send().await.unwrap().text().await.unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\"id\",\"published_at\",\"kind\",\"article_id\",\"article_title\",\"article_url\",\"section\",\"text\",\
         \"original\",\"corrected\",\"standards\",\"supersedes\",\"log_index\",\"hash\""
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with(&format!("\"{}\",\"", published["id"])), "{row}");
    assert!(
        row.contains(",\"'An earlier version gave the total as 4;=1+1 and |@SUM(A1) by mistake.\","),
        "the cell is quoted and prefixed: {row}"
    );
    assert_eq!(lines.next(), None);
    app.deliver_mail().await;
}

async fn the_site_wide_list_filters_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let mut sport = crate::helpers::article_json();
    sport["section"] = json!("Sport");
    sport["url"] = json!("https://news.example/sport/1");
    app.put_article("sport-1", &sport).await;
    for kind in ["correction", "clarification", "update"] {
        publish(&app, &app.token, &correction(kind)).await;
    }
    let mut other = correction("correction");
    other["article_id"] = json!("sport-1");
    other["standards"] = json!(["data"]);
    publish(&app, &app.token, &other).await;
    let count = |v: &Value| v["items"].as_array().unwrap().len();
    assert_eq!(count(&get_json(&app, "/api/v1/corrections").await), 4);
    assert_eq!(count(&get_json(&app, "/api/v1/corrections?kind=clarification").await), 1);
    assert_eq!(count(&get_json(&app, "/api/v1/corrections?section=Sport").await), 1);
    assert_eq!(count(&get_json(&app, "/api/v1/corrections?standard=data").await), 1);
    assert_eq!(count(&get_json(&app, "/api/v1/corrections?standard=accuracy").await), 3);
    let today = app.clock.now().date();
    assert_eq!(count(&get_json(&app, &format!("/api/v1/corrections?from={today}&to={today}")).await), 4);
    let tomorrow = today.succ_opt().unwrap();
    assert_eq!(count(&get_json(&app, &format!("/api/v1/corrections?from={tomorrow}")).await), 0);
    let bad = app.client.get(app.url("/api/v1/corrections?kind=erratum")).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    // Three more, a minute apart, so that seven need three pages of three, newest first.
    let mut published = Vec::new();
    for _ in 0..3 {
        app.clock.advance(chrono::Duration::minutes(1));
        let c: Value = publish(&app, &app.token, &correction("correction")).await.json().await.unwrap();
        published.push(c["id"].as_i64().unwrap());
    }
    let all = get_json(&app, "/api/v1/corrections?limit=100").await;
    let expected: Vec<i64> = all["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(expected.len(), 7);
    assert_eq!(&expected[..3], &[published[2], published[1], published[0]], "the newest first");
    let mut first_four = expected[3..].to_vec();
    first_four.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(&expected[3..], &first_four[..], "published together: the later id first");
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let path = match &next {
            Some(c) => format!("/api/v1/corrections?limit=3&cursor={c}"),
            None => "/api/v1/corrections?limit=3".into(),
        };
        let page = get_json(&app, &path).await;
        let ids: Vec<i64> = page["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert!(ids.len() <= 3, "at most `limit` a page: {ids:?}");
        pages.push(ids.len());
        seen.extend(ids);
        match page["next"].as_str() {
            Some(c) => next = Some(c.to_owned()),
            None => break,
        }
        assert!(pages.len() < 10, "the cursor does not move on: {seen:?}");
    }
    assert_eq!(pages, [3, 3, 1], "{seen:?}");
    assert_eq!(seen, expected, "every correction once, in the list's order");
    let html = app.client.get(app.url("/corrections?section=Sport")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("/articles/sport-1/corrections"));
    assert!(!html.contains("/articles/kursk/corrections"));
    let feed: atom_syndication::Feed =
        app.client.get(app.url("/corrections.atom")).send().await.unwrap().text().await.unwrap().parse().unwrap();
    assert_eq!(feed.entries().len(), 7);
}

async fn an_editor_previews_then_publishes_from_a_ticket(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    let editor = app.user(Role::Editor);
    let browser = app.signed_in(&editor).await;
    let ticket = browser.get(app.url(&format!("/desk/reports/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(ticket.contains(&format!("/desk/corrections/new?report={id}")));
    let form =
        browser.get(app.url(&format!("/desk/corrections/new?report={id}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        form.contains("in the war that is approaching its four-year mark"),
        "the quote is pre-filled as the original"
    );
    let csrf = csrf_in(&form);
    let id_text = id.to_string();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("article_id", "kursk"),
        ("report_ids", id_text.as_str()),
        ("kind", "correction"),
        ("text", "An earlier version said four years; it was nearly three."),
        ("original", "approaching its four-year mark"),
        ("corrected", "approaching its three-year mark"),
        ("standards", "accuracy"),
        ("supersedes", ""),
    ];
    let mut with_preview = fields.clone();
    with_preview.push(("preview", "1"));
    let preview = browser.post(app.url("/desk/corrections")).form(&with_preview).send().await.unwrap();
    assert_eq!(preview.status(), 200);
    assert!(preview.text().await.unwrap().contains("nearly three"));
    assert!(
        get_json(&app, "/api/v1/articles/kursk/corrections").await["corrections"].as_array().unwrap().is_empty(),
        "a preview publishes nothing"
    );
    fields.push(("publish", "1"));
    let published = browser.post(app.url("/desk/corrections")).form(&fields).send().await.unwrap();
    assert_eq!(published.status(), 303);
    let back = published.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&format!("/desk/reports/{id}?done=published&correction=")), "back on the ticket: {back}");
    let ticket = browser.get(app.url(&back)).send().await.unwrap().text().await.unwrap();
    assert!(ticket.contains("Correction #1 published."), "the confirmation names the correction");
    assert_eq!(app.state_of(id).0, "corrected");
    let bad = browser
        .post(app.url("/desk/corrections"))
        .form(&[("csrf", csrf.as_str()), ("article_id", "kursk"), ("kind", "erratum"), ("text", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    app.deliver_mail().await;
}

async fn empty_logs_say_so_and_offer_the_report_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let html = app.client.get(app.url("/articles/kursk/corrections")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("No corrections have been published for this article"));
    assert!(html.contains("/articles/kursk/report"));
    let notice = app.client.get(app.url("/articles/kursk/notice")).send().await.unwrap().text().await.unwrap();
    assert!(notice.contains("/articles/kursk/report"));
    let site = app.client.get(app.url("/corrections")).send().await.unwrap().text().await.unwrap();
    assert!(site.contains("No corrections match"));
    assert_eq!(app.client.get(app.url("/articles/nope/corrections")).send().await.unwrap().status(), 404);
}

async fn standards_keep_the_version_a_correction_cited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let page = app.client.get(app.url("/standards")).send().await.unwrap().text().await.unwrap();
    for code in ["corrections", "accuracy", "attribution", "fairness", "headlines", "images", "data"] {
        assert!(page.contains(&format!("id=\"{code}-v1\"")), "{code}");
    }
    publish(&app, &app.token, &correction("correction")).await;
    let sam = app.user(Role::StandardsEditor);
    let browser = app.signed_in(&sam).await;
    let admin = browser.get(app.url("/desk/standards")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&admin);
    let saved = browser
        .post(app.url("/desk/standards"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("code", "accuracy"),
            ("title", "Accuracy"),
            ("text", "We check every fact twice, and we say how."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let page = app.client.get(app.url("/standards")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"accuracy-v2\"") && page.contains("id=\"accuracy-v1\""), "both versions kept");
    let log = get_json(&app, "/api/v1/articles/kursk/corrections").await;
    assert_eq!(log["corrections"][0]["standards"][0]["version"], 1, "the correction still cites v1");
    let editor = app.user(Role::Editor);
    let editor_browser = app.signed_in(&editor).await;
    let admin = editor_browser.get(app.url("/desk/standards")).send().await.unwrap().text().await.unwrap();
    let refused = editor_browser
        .post(app.url("/desk/standards"))
        .form(&[
            ("csrf", csrf_in(&admin).as_str()),
            ("code", "accuracy"),
            ("title", "Accuracy"),
            ("text", "Editors cannot change this text."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

async fn corrections_appear_on_the_home_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let before = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(before.contains("No corrections have been published yet"));
    let _ = report_json();
    publish(&app, &app.token, &correction("correction")).await;
    let after = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(after.contains("/articles/kursk/corrections"));
    assert!(!after.contains("No corrections have been published yet"));
}
