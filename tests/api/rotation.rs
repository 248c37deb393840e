//! Rotating the key that signs the public log: old checkpoints stay verifiable, new ones carry the new key.

use corrigenda::domain::accounts::Role;
use corrigenda::domain::signing::{retired_path, LogKey};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

both_backends!(
    a_rotated_key_signs_new_checkpoints_and_the_old_ones_stay_verifiable,
    a_key_file_that_is_not_the_active_key_is_not_rotated,
    an_interrupted_rotation_is_finished_by_running_it_again,
);

async fn publish(app: &TestApp, from: usize, n: usize) {
    for i in from..from + n {
        let r = app
            .client
            .post(app.url("/api/v1/desk/corrections"))
            .bearer_auth(&app.token)
            .json(&json!({
                "article_id": "kursk",
                "kind": "correction",
                "text": format!("Correction number {i}: we said four years; it was three."),
                "standards": ["accuracy"],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
}

async fn get(app: &TestApp, url: &str) -> Value {
    let r = app.client.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200, "{url}");
    r.json().await.unwrap()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn a_rotated_key_signs_new_checkpoints_and_the_old_ones_stay_verifiable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // A second instance on the same database and key file, running through the rotation.
    let other = app.another_instance().await;
    app.article().await;
    publish(&app, 0, 2).await;
    let old_cp = get(&app, &app.url("/api/v1/log/checkpoint")).await;
    let old_key = old_cp["public_key"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&app, &app.url("/api/v1/log/keys")).await,
        json!({ "items": [{ "public_key": old_key, "from_size": 0 }] }),
        "the key found at the first start is the first of the history"
    );
    let dir = tempfile::tempdir().unwrap();
    let old_file = dir.path().join("old.json");
    std::fs::write(&old_file, old_cp.to_string()).unwrap();

    let rotated = app.cli(&["log", "rotate-key"]);
    assert!(rotated.status.success(), "{}{}", stdout(&rotated), stderr(&rotated));
    let new_key = stdout(&app.cli(&["log", "public-key"])).trim().to_owned();
    assert_ne!(new_key, old_key);
    assert!(stdout(&rotated).contains(&format!("now signed by {new_key} from size 2")), "{}", stdout(&rotated));
    let key_path = std::path::Path::new(&app.database.key_path);
    let retired = LogKey::load_existing(&retired_path(key_path, 1)).unwrap();
    assert_eq!(retired.public_key(), old_key, "the old key is kept beside the new one");

    publish(&app, 2, 2).await;
    for address in [&app.address, &other.address] {
        let cp = get(&app, &format!("{address}/api/v1/log/checkpoint")).await;
        assert_eq!((cp["size"].as_i64(), cp["public_key"].as_str()), (Some(4), Some(new_key.as_str())), "{address}");
    }
    let keys = get(&app, &app.url("/api/v1/log/keys")).await;
    let items = keys["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{keys}");
    assert_eq!(items[0], json!({ "public_key": old_key, "from_size": 0, "until_size": 2 }));
    assert_eq!((&items[1]["public_key"], &items[1]["from_size"]), (&json!(new_key), &json!(2)));
    assert!(items[1].get("until_size").is_none(), "the active key has no end: {keys}");
    assert_eq!(
        items[1]["endorsement"].as_str().unwrap(),
        retired.endorse(2, &new_key),
        "the old key endorses the new one"
    );

    let url = app.address.as_str();
    let old = old_file.to_str().unwrap();
    let both = format!("{old_key},{new_key}");
    for args in [
        vec!["verify-log", "--url", url],
        vec!["verify-log", "--url", url, "--previous", old],
        vec!["verify-log", "--url", url, "--pin", &old_key, "--pin", &new_key],
        vec!["verify-log", "--url", url, "--pin", &both, "--previous", old],
        vec!["verify-log", "--database"],
        vec!["verify-log", "--database", "--pin", &new_key],
    ] {
        let out = app.cli(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("4 entries"), "{args:?}: {}", stdout(&out));
    }
    let only_old = app.cli(&["verify-log", "--url", url, "--pin", &old_key]);
    assert!(!only_old.status.success());
    assert!(
        stderr(&only_old).contains(&format!("signed by {new_key}, not a pinned key ({old_key})")),
        "{}",
        stderr(&only_old)
    );
    let only_new = app.cli(&["verify-log", "--url", url, "--pin", &new_key, "--previous", old]);
    assert!(!only_new.status.success(), "the previous checkpoint's key is not pinned");
    assert!(stderr(&only_new).contains(&old_key), "{}", stderr(&only_new));

    // An export carries the history; checkpoints re-signed by a stranger or by the old key
    // past its range are refused, naming the key.
    let export_file = dir.path().join("log.json");
    let exported = app.cli(&["log", "export", export_file.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let export: Value = serde_json::from_str(&std::fs::read_to_string(&export_file).unwrap()).unwrap();
    assert_eq!(export["keys"], keys["items"]);
    assert!(app.cli(&["verify-log", "--file", export_file.to_str().unwrap(), "--previous", old]).status.success());
    let stranger = LogKey::generate();
    for (name, key, expect) in [
        (
            "stranger.json",
            &stranger,
            format!("signed by {}, which is not in the log's key history", stranger.public_key()),
        ),
        ("retired.json", &retired, format!("signed by {old_key}, which signs checkpoints of sizes 0 to 2, not 4")),
    ] {
        let mut forged = export.clone();
        let head = forged["checkpoint"]["head_hash"].as_str().unwrap().to_owned();
        forged["checkpoint"]["signature"] = json!(key.sign_checkpoint(4, &head));
        forged["checkpoint"]["public_key"] = json!(key.public_key());
        let path = dir.path().join(name);
        std::fs::write(&path, forged.to_string()).unwrap();
        let out = app.cli(&["verify-log", "--file", path.to_str().unwrap()]);
        assert!(!out.status.success(), "{name}");
        assert!(stderr(&out).contains(&expect), "{name}: {}", stderr(&out));
    }

    let page = app.client.get(app.url("/standards")).send().await.unwrap().text().await.unwrap();
    let earlier = page.find("Earlier signing keys").expect("the standards page lists the earlier key");
    assert!(page[..earlier].contains(&new_key), "the key in use first");
    assert!(page[earlier..].contains(&format!("<code>{old_key}</code> (sizes 0 to 2)")));
    let auditor = app.user(Role::Auditor);
    let browser = app.signed_in(&auditor).await;
    let verify = browser.get(app.url("/audit/verify")).send().await.unwrap();
    assert_eq!(verify.status(), 200);
    let verify = verify.text().await.unwrap();
    assert!(verify.contains("The log verifies") && verify.contains(&new_key), "{verify}");
    app.deliver_mail().await;
}

async fn a_key_file_that_is_not_the_active_key_is_not_rotated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let active = get(&app, &app.url("/api/v1/log/checkpoint")).await["public_key"].as_str().unwrap().to_owned();
    // Another key put in the file's place (say, a fresh one after the file was lost).
    let key_path = std::path::Path::new(&app.database.key_path);
    std::fs::remove_file(key_path).unwrap();
    let stray = LogKey::load_or_create(key_path).unwrap().0;
    let out = app.cli(&["log", "rotate-key"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&format!("holds {}, but the active key in the database is {active}", stray.public_key())),
        "{}",
        stderr(&out)
    );
    let keys = get(&app, &app.url("/api/v1/log/keys")).await;
    assert_eq!(keys, json!({ "items": [{ "public_key": active, "from_size": 0 }] }), "nothing changed");
    assert!(!retired_path(key_path, 1).exists());
    // The running server keeps signing with the active key it holds, not the stray file.
    app.article().await;
    publish(&app, 0, 1).await;
    let cp = get(&app, &app.url("/api/v1/log/checkpoint")).await;
    assert_eq!((cp["size"].as_i64(), cp["public_key"].as_str()), (Some(1), Some(active.as_str())));
}

async fn an_interrupted_rotation_is_finished_by_running_it_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key_path = std::path::Path::new(&app.database.key_path);
    let old = LogKey::load_existing(key_path).unwrap();
    // Stopped after the hand-over was recorded, before the files moved.
    let new = LogKey::generate();
    let next = std::path::PathBuf::from(format!("{}.next", app.database.key_path));
    new.write_private(&next, false).unwrap();
    let now = app.clock.now();
    app.db.write_blocking(|c| corrigenda::domain::keys::rotate(c, &old, &new, now)).unwrap();
    let refused = app.client.get(app.url("/api/v1/log/checkpoint")).send().await.unwrap();
    assert_eq!(refused.status(), 503, "no checkpoint under a key the history has retired");
    let body = refused.text().await.unwrap();
    assert!(body.contains(&new.public_key()) && body.contains(&old.public_key()), "{body}");

    let out = app.cli(&["log", "rotate-key"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&format!("now signed by {} from size 0", new.public_key())), "{}", stdout(&out));
    assert_eq!(LogKey::load_existing(key_path).unwrap().public_key(), new.public_key());
    assert_eq!(LogKey::load_existing(&retired_path(key_path, 1)).unwrap().public_key(), old.public_key());
    assert!(!next.exists());
    let keys = get(&app, &app.url("/api/v1/log/keys")).await;
    assert_eq!(keys["items"].as_array().unwrap().len(), 2, "finished, not rotated again: {keys}");
    let cp = get(&app, &app.url("/api/v1/log/checkpoint")).await;
    assert_eq!(cp["public_key"].as_str(), Some(new.public_key().as_str()), "picked up without a restart");
}
