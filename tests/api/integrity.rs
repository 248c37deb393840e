//! The verifiable public log: independent verification, the CLI, tamper detection, erasure and the auditor.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use corrigenda::domain::accounts::Role;
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::both_backends;
use crate::helpers::{csrf_in, Backend, TestApp};

both_backends!(
    an_outsider_verifies_the_log_with_sha256_and_ed25519,
    entry_ranges_outside_the_log_are_refused,
    the_cli_verifies_a_url_an_export_and_the_database,
    tampered_exports_are_caught_at_the_right_index,
    a_log_must_extend_the_previous_checkpoint,
    changes_behind_the_servers_back_are_detected,
    concurrent_publishing_keeps_one_linear_chain,
    erasure_removes_the_reader_and_keeps_the_chain,
    auditors_read_everything_and_change_nothing,
    the_public_key_is_published_and_printed,
);

fn correction(n: usize) -> Value {
    json!({
        "article_id": "kursk",
        "kind": "correction",
        "text": format!("Correction number {n}: we said four years; it was three."),
        "standards": ["accuracy"],
    })
}

async fn publish_n(app: &TestApp, n: usize) {
    app.article().await;
    for i in 0..n {
        let r = app
            .client
            .post(app.url("/api/v1/desk/corrections"))
            .bearer_auth(&app.token)
            .json(&correction(i))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
}

async fn get(app: &TestApp, path: &str) -> Value {
    app.client.get(app.url(path)).send().await.unwrap().json().await.unwrap()
}

/// What an outsider writes: about twenty lines with SHA-256 and Ed25519, from DESIGN.md alone.
fn outsider_verifies(entries: &[Value], checkpoint: &Value) -> bool {
    let mut previous = [0u8; 32].to_vec();
    for (i, e) in entries.iter().enumerate() {
        let mut h = Sha256::new();
        h.update(&previous);
        h.update(e["canonical"].as_str().unwrap().as_bytes());
        let hash = h.finalize().to_vec();
        if e["index"] != i as i64 || hex::encode(&hash) != e["hash"].as_str().unwrap() {
            return false;
        }
        previous = hash;
    }
    let size = checkpoint["size"].as_i64().unwrap();
    let head = checkpoint["head_hash"].as_str().unwrap();
    let message = format!("corrigenda-checkpoint\n{size}\n{head}\n");
    let key: [u8; 32] = STANDARD.decode(checkpoint["public_key"].as_str().unwrap()).unwrap().try_into().unwrap();
    let sig: [u8; 64] = STANDARD.decode(checkpoint["signature"].as_str().unwrap()).unwrap().try_into().unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).unwrap();
    size == entries.len() as i64
        && head == hex::encode(&previous)
        && ed25519_dalek::Verifier::verify(&key, message.as_bytes(), &ed25519_dalek::Signature::from_bytes(&sig))
            .is_ok()
}

async fn an_outsider_verifies_the_log_with_sha256_and_ed25519(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let empty = get(&app, "/api/v1/log/checkpoint").await;
    assert_eq!(empty["size"], 0);
    assert_eq!(empty["head_hash"], "0".repeat(64));
    assert!(outsider_verifies(&[], &empty));
    publish_n(&app, 3).await;
    let checkpoint = get(&app, "/api/v1/log/checkpoint").await;
    let page = get(&app, "/api/v1/log/entries?from=0&to=3").await;
    let entries = page["items"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(page["next"], Value::Null);
    assert!(outsider_verifies(entries, &checkpoint));
    let first: Value = serde_json::from_str(entries[0]["canonical"].as_str().unwrap()).unwrap();
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["article_id", "corrected", "id", "kind", "original", "published_at", "standards", "supersedes", "text"]
    );
    let log = get(&app, "/api/v1/articles/kursk/corrections").await;
    let hashes: Vec<&str> =
        log["corrections"].as_array().unwrap().iter().map(|c| c["hash"].as_str().unwrap()).collect();
    assert!(hashes.contains(&entries[2]["hash"].as_str().unwrap()), "the article's log shows each entry's hash");
}

async fn entry_ranges_outside_the_log_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    publish_n(&app, 2).await;
    for (query, field) in [("from=-1", "from"), ("from=x", "from"), ("to=-1", "to")] {
        let r = app.client.get(app.url(&format!("/api/v1/log/entries?{query}"))).send().await.unwrap();
        assert_eq!(r.status(), 422, "{query}");
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["field"], field, "{query}");
    }
    let past = app.client.get(app.url("/api/v1/log/entries?to=5")).send().await.unwrap();
    assert_eq!(past.status(), 409, "a log shorter than asked is a conflict with its state");
    assert!(past.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("has 2 entries"));
    let reversed = get(&app, "/api/v1/log/entries?from=2&to=1").await;
    assert_eq!(
        (reversed["items"].clone(), reversed["next"].clone()),
        (json!([]), Value::Null),
        "a reversed range is empty"
    );
    let middle = get(&app, "/api/v1/log/entries?from=1&to=2").await;
    assert_eq!(middle["items"][0]["index"], 1);
    assert_eq!(get(&app, "/api/v1/log/entries?from=2&to=2").await["items"], json!([]));
}

async fn the_cli_verifies_a_url_an_export_and_the_database(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    publish_n(&app, 3).await;
    let key = get(&app, "/api/v1/log/checkpoint").await["public_key"].as_str().unwrap().to_owned();
    let by_url = app.cli(&["verify-log", "--url", &app.address, "--pin", &key]);
    let out = String::from_utf8_lossy(&by_url.stdout);
    assert!(by_url.status.success(), "{out}{}", String::from_utf8_lossy(&by_url.stderr));
    assert_eq!(out.trim().lines().count(), 1, "one line: {out}");
    assert!(out.contains("3 entries"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("log.json");
    assert!(app.cli(&["log", "export", file.to_str().unwrap()]).status.success());
    assert!(app.cli(&["verify-log", "--file", file.to_str().unwrap(), "--pin", &key]).status.success());
    assert!(app.cli(&["verify-log", "--database"]).status.success());
    let wrong_pin = app.cli(&["verify-log", "--url", &app.address, "--pin", &STANDARD.encode([7u8; 32])]);
    assert!(!wrong_pin.status.success());
    assert!(String::from_utf8_lossy(&wrong_pin.stderr).contains("pinned"));
}

async fn tampered_exports_are_caught_at_the_right_index(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    publish_n(&app, 4).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("log.json");
    assert!(app.cli(&["log", "export", file.to_str().unwrap()]).status.success());
    let export: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let check = |name: &str, mutate: &dyn Fn(&mut Value), expect: &str| {
        let mut copy = export.clone();
        mutate(&mut copy);
        let path = dir.path().join(name);
        std::fs::write(&path, copy.to_string()).unwrap();
        let out = app.cli(&["verify-log", "--file", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{name} must fail: {err}");
        assert!(err.contains(expect), "{name}: {err}");
    };
    check(
        "byte.json",
        &|v| {
            let c = v["entries"][2]["canonical"].as_str().unwrap().replace("number 2", "number 9");
            v["entries"][2]["canonical"] = json!(c);
        },
        "entry 2",
    );
    check(
        "removed.json",
        &|v| {
            v["entries"].as_array_mut().unwrap().remove(1);
        },
        "entry 1",
    );
    check(
        "inserted.json",
        &|v| {
            let copy = v["entries"][1].clone();
            v["entries"].as_array_mut().unwrap().insert(2, copy);
        },
        "entry 2: ",
    );
    check(
        "swapped.json",
        &|v| {
            v["entries"].as_array_mut().unwrap().swap(0, 1);
        },
        "entry 0",
    );
    check(
        "truncated.json",
        &|v| {
            v["entries"].as_array_mut().unwrap().pop();
        },
        "says 4",
    );
    check(
        "signature.json",
        &|v| {
            let mut sig = STANDARD.decode(v["checkpoint"]["signature"].as_str().unwrap()).unwrap();
            sig[0] ^= 1;
            v["checkpoint"]["signature"] = json!(STANDARD.encode(sig));
        },
        "signature",
    );
}

async fn a_log_must_extend_the_previous_checkpoint(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    publish_n(&app, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    std::fs::write(&old, get(&app, "/api/v1/log/checkpoint").await.to_string()).unwrap();
    for i in 10..12 {
        let published = app
            .client
            .post(app.url("/api/v1/desk/corrections"))
            .bearer_auth(&app.token)
            .json(&correction(i))
            .send()
            .await
            .unwrap();
        assert_eq!(published.status(), 201);
    }
    assert_eq!(get(&app, "/api/v1/log/checkpoint").await["size"], 4, "the log grew past the saved checkpoint");
    let ok = app.cli(&["verify-log", "--url", &app.address, "--previous", old.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let mut forged: Value = serde_json::from_str(&std::fs::read_to_string(&old).unwrap()).unwrap();
    forged["head_hash"] = json!("ab".repeat(32));
    std::fs::write(&old, forged.to_string()).unwrap();
    let bad = app.cli(&["verify-log", "--url", &app.address, "--previous", old.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{err}");
    assert!(err.contains("previous checkpoint"), "the forged checkpoint is named: {err}");
}

async fn changes_behind_the_servers_back_are_detected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    publish_n(&app, 3).await;
    let second_id = get(&app, "/api/v1/log/entries").await["items"][1]["canonical"]
        .as_str()
        .map(|c| serde_json::from_str::<Value>(c).unwrap()["id"].as_i64().unwrap())
        .unwrap();
    let tamper = |sql: String| {
        app.db
            .write_blocking(move |c| {
                c.batch_execute(&sql)?;
                Ok(())
            })
            .unwrap()
    };
    let original_text: String = app
        .db
        .read_blocking(move |c| {
            use corrigenda::db::schema::corrections as k;
            use diesel::prelude::*;
            Ok(k::table.find(second_id).select(k::body).first(c)?)
        })
        .unwrap();
    // The public text changed in the corrections table only: the entry no longer matches.
    tamper(format!("UPDATE corrections SET body = 'Nothing was wrong.' WHERE id = {second_id}"));
    let out = app.cli(&["verify-log", "--database"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("entry 1: "), "{}", String::from_utf8_lossy(&out.stderr));
    // A restarted server refuses to sign over it.
    let database = app.stop().await;
    let app = TestApp::on(database, |_| {}).await;
    let refused = app.client.get(app.url("/api/v1/log/checkpoint")).send().await.unwrap();
    assert_eq!(refused.status(), 503);
    assert!(refused.text().await.unwrap().contains("entry 1"));
    // Put the text back: the log verifies again.
    let db = app.db.clone();
    let run = |sql: String| {
        db.write_blocking(move |c| {
            c.batch_execute(&sql)?;
            Ok(())
        })
        .unwrap()
    };
    let sql_text = |t: &str| t.replace('\'', "''");
    run(format!("UPDATE corrections SET body = '{}' WHERE id = {second_id}", sql_text(&original_text)));
    let verify = |expected: Option<i64>| {
        let out = app.cli(&["verify-log", "--database"]);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        match expected {
            None => assert_eq!(out.status.code(), Some(0), "{stderr}"),
            Some(i) => {
                assert_eq!(out.status.code(), Some(1), "entry {i}: {stderr}");
                assert!(stderr.contains(&format!("entry {i}: ")), "names entry {i}: {stderr}");
            }
        }
    };
    verify(None);
    let rows: Vec<(i64, i64, String, String)> = app
        .db
        .read_blocking(|c| {
            use corrigenda::db::schema::log_entries as l;
            use diesel::prelude::*;
            Ok(l::table.order(l::idx.asc()).select((l::idx, l::correction_id, l::canonical, l::hash)).load(c)?)
        })
        .unwrap();
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [0, 1, 2]);
    let put = |idx: i64, row: &(i64, i64, String, String)| {
        format!("UPDATE log_entries SET canonical = '{}', hash = '{}' WHERE idx = {idx}", sql_text(&row.2), row.3)
    };
    let restore = || {
        for row in &rows {
            run(put(row.0, row));
        }
    };
    // One character of a stored entry.
    run("UPDATE log_entries SET canonical = REPLACE(canonical, 'number 2', 'number 7') WHERE idx = 2".into());
    verify(Some(2));
    restore();
    verify(None);
    // Two entries' texts and hashes swapped: the first of them no longer follows the chain.
    run(put(0, &rows[1]));
    run(put(1, &rows[0]));
    verify(Some(0));
    restore();
    // An entry deleted: the next one is out of place.
    let created = "2026-12-01 00:00:00";
    run("DELETE FROM log_entries WHERE idx = 1".into());
    verify(Some(1));
    run(format!(
        "INSERT INTO log_entries (idx, correction_id, canonical, hash, created_at) VALUES (1, {}, '{}', '{}', '{created}')",
        rows[1].1,
        sql_text(&rows[1].2),
        rows[1].3
    ));
    verify(None);
}

async fn concurrent_publishing_keeps_one_linear_chain(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.article().await;
    let second = app.another_instance().await.address;
    let sends = (0..16).map(|i| {
        let base = if i % 2 == 0 { app.address.clone() } else { second.clone() };
        app.client.post(format!("{base}/api/v1/desk/corrections")).bearer_auth(&app.token).json(&correction(i)).send()
    });
    let responses = futures_util::future::join_all(sends).await;
    assert!(responses.iter().all(|r| r.as_ref().unwrap().status() == 201));
    let checkpoint = get(&app, "/api/v1/log/checkpoint").await;
    let entries = get(&app, "/api/v1/log/entries").await;
    assert_eq!(checkpoint["size"], 16);
    assert!(outsider_verifies(entries["items"].as_array().unwrap(), &checkpoint));
    assert!(app.cli(&["verify-log", "--database"]).status.success());
}

async fn erasure_removes_the_reader_and_keeps_the_chain(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, token) = app.filed().await;
    let mut body = correction(1);
    body["report_ids"] = json!([id]);
    app.client.post(app.url("/api/v1/desk/corrections")).bearer_auth(&app.token).json(&body).send().await.unwrap();
    let (second, _) = app.filed().await;
    let out = app.cli(&["erase-reporter", "--email", "ADA@example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 report"));
    let left: i64 = app
        .db
        .read_blocking(|c| {
            use corrigenda::db::schema::reports;
            use diesel::prelude::*;
            Ok(reports::table
                .filter(reports::reporter_email.is_not_null().or(reports::reporter_name.is_not_null()))
                .count()
                .get_result(c)?)
        })
        .unwrap();
    assert_eq!(left, 0, "no name or email left");
    assert!(app.cli(&["verify-log", "--database"]).status.success(), "the chain is still valid");
    assert_eq!(app.client.get(app.url(&format!("/reports/{token}"))).send().await.unwrap().status(), 200);
    let audit: Value = app
        .client
        .get(app.url("/api/v1/audit/events?kind=reporter_erased"))
        .bearer_auth(&app.user(Role::Auditor).token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    assert!(!audit.to_string().contains("ada@example.com"), "whose is not recorded");
    // The desk action, for standards editors only.
    let sam = app.user(Role::StandardsEditor);
    let browser = app.signed_in(&sam).await;
    let page = browser.get(app.url("/desk/erasure")).send().await.unwrap().text().await.unwrap();
    let erased = browser
        .post(app.url("/desk/erasure"))
        .form(&[("csrf", csrf_in(&page).as_str()), ("email", "nobody@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 200);
    assert!(erased.text().await.unwrap().contains("0 reports"));
    let editor = app.user(Role::Editor);
    assert_eq!(app.signed_in(&editor).await.get(app.url("/desk/erasure")).send().await.unwrap().status(), 403);
    let _ = second;
}

async fn auditors_read_everything_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (id, _) = app.filed().await;
    publish_n(&app, 1).await;
    let auditor = app.user(Role::Auditor);
    let browser = app.signed_in(&auditor).await;
    for path in ["/audit", "/audit/verify", &format!("/desk/reports/{id}"), "/desk/standards"] {
        let r = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let verify = browser.get(app.url("/audit/verify")).send().await.unwrap().text().await.unwrap();
    assert!(verify.contains("The log verifies"));
    let events: Value = app
        .client
        .get(app.url("/api/v1/audit/events"))
        .bearer_auth(&auditor.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!events["items"].as_array().unwrap().is_empty());
    assert!(!events.to_string().contains("ada@example.com"));
    let bad_kind =
        app.client.get(app.url("/api/v1/audit/events?kind=nope")).bearer_auth(&auditor.token).send().await.unwrap();
    assert_eq!(bad_kind.status(), 422);
    let editor = app.user(Role::Editor);
    assert_eq!(
        app.client.get(app.url("/api/v1/audit/events")).bearer_auth(&editor.token).send().await.unwrap().status(),
        403
    );
    assert_eq!(app.client.get(app.url("/api/v1/audit/events")).send().await.unwrap().status(), 401);
    let posts = [
        (
            "/api/v1/desk/corrections",
            json!({"article_id": "kursk", "kind": "correction", "text": "Auditors cannot publish this."}),
        ),
        ("/api/v1/desk/corrections/1/approval", json!({})),
        (&*format!("/api/v1/desk/reports/{id}/transitions"), json!({"to": "triaged", "version": 1})),
        (&*format!("/api/v1/desk/reports/{id}/notes"), json!({"body": "x"})),
        (&*format!("/api/v1/desk/reports/{id}/assignment"), json!({"assignee_email": null, "version": 1})),
        (&*format!("/api/v1/desk/reports/{id}/severity"), json!({"severity": "low", "version": 1})),
    ];
    for (path, body) in posts {
        let r = app.client.post(app.url(path)).bearer_auth(&auditor.token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    let page = browser.get(app.url("/desk/standards")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&page);
    for (path, form) in [
        (
            "/desk/standards",
            vec![("csrf", csrf.as_str()), ("code", "x"), ("title", "X"), ("text", "Auditors cannot add standards.")],
        ),
        ("/desk/corrections", vec![("csrf", csrf.as_str()), ("article_id", "kursk"), ("kind", "correction")]),
        ("/desk/erasure", vec![("csrf", csrf.as_str()), ("email", "ada@example.com")]),
    ] {
        assert_eq!(browser.post(app.url(path)).form(&form).send().await.unwrap().status(), 403, "{path}");
    }
    app.deliver_mail().await;
}

async fn the_public_key_is_published_and_printed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = get(&app, "/api/v1/log/checkpoint").await["public_key"].as_str().unwrap().to_owned();
    let page = app.client.get(app.url("/standards")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&key));
    let printed = app.cli(&["log", "public-key"]);
    assert_eq!(String::from_utf8_lossy(&printed.stdout).trim(), key);
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_stops_start_up_with_one_line() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("log.key");
    std::fs::write(&key, format!("{}\n", STANDARD.encode([1u8; 32]))).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_corrigenda"))
        .args(["serve"])
        .env("DATABASE_URL", dir.path().join("x.db"))
        .env("CORRIGENDA_SIGNING_KEY", &key)
        .env("CORRIGENDA_BIND", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("CORRIGENDA_SIGNING_KEY") && err.contains("chmod 600"), "{err}");
}
