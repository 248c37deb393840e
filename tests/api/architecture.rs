//! The direction of dependencies between the app's layers, checked by reading the sources.
//!
//! `cli` and `web` use `mail`, which uses `domain`, which uses `db`; `config` is read by the
//! entry points; `error` and `clock` are leaves every layer may use; the templates crate uses
//! nothing of the app. A forbidden import fails this test with the file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each top-level module may import from the app crate.
const ALLOWED: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("clock", &[]),
    ("db", &["error"]),
    ("domain", &["db", "error", "clock"]),
    ("mail", &["domain", "db", "error", "clock"]),
    ("config", &["mail", "domain", "db", "error"]),
    ("web", &["config", "mail", "domain", "db", "error", "clock"]),
    ("cli", &["web", "config", "mail", "domain", "db", "error", "clock"]),
    ("main", &["cli"]),
    ("lib", &[]),
];

/// Every `.rs` file below `dir`.
pub fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`src/domain/desk.rs` is `domain`).
fn layer_of(root: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// Every `crate::<module>` the source names outside comments, with its line number.
fn crate_references(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push((n + 1, name));
            }
            rest = after;
        }
        // `use crate::{a, b::c}` names several modules at once.
        if let Some(at) = code.find("crate::{") {
            let group = &code[at + "crate::{".len()..];
            for part in group.split([',', '{', '}']) {
                let name: String = part.trim().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.push((n + 1, name));
                }
            }
        }
    }
    found
}

/// The forbidden references in `files`: (file, line, layer, imported layer).
fn violations(root: &Path, files: &[(PathBuf, String)]) -> Vec<String> {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut bad = Vec::new();
    for (file, source) in files {
        let layer = layer_of(root, file);
        let Some(may) = allowed.get(layer.as_str()) else {
            bad.push(format!("{}: the module {layer:?} is not in ALLOWED; say what it may import", file.display()));
            continue;
        };
        for (line, name) in crate_references(source) {
            let known = allowed.contains_key(name.as_str());
            if known && name != layer && !may.contains(&name.as_str()) {
                bad.push(format!("{}:{line}: {layer} imports {name}", file.display()));
            }
        }
        if source.contains("super::super::") {
            bad.push(format!("{}: reaches out of its layer with super::super::", file.display()));
        }
    }
    bad
}

fn read_all(root: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    files.sort();
    files.into_iter().map(|f| (f.clone(), std::fs::read_to_string(&f).unwrap())).collect()
}

#[test]
fn layers_import_only_downwards() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = read_all(&root);
    assert!(files.len() > 40, "read only {} files from {}", files.len(), root.display());
    let bad = violations(&root, &files);
    assert!(bad.is_empty(), "forbidden imports:\n{}", bad.join("\n"));
}

#[test]
fn the_allowed_directions_have_no_cycle() {
    let graph: BTreeMap<&str, BTreeSet<&str>> =
        ALLOWED.iter().map(|(m, deps)| (*m, deps.iter().copied().collect())).collect();
    // Depth-first search for a path from a module back to itself.
    fn reaches<'a>(
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        from: &'a str,
        to: &str,
        seen: &mut BTreeSet<&'a str>,
    ) -> bool {
        graph
            .get(from)
            .into_iter()
            .flatten()
            .any(|next| *next == to || (seen.insert(next) && reaches(graph, next, to, seen)))
    }
    for module in graph.keys() {
        assert!(!reaches(&graph, module, module, &mut BTreeSet::new()), "{module} depends on itself");
    }
}

#[test]
fn the_templates_use_nothing_of_the_app() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/src");
    let files = read_all(&root);
    assert!(!files.is_empty());
    for (file, source) in &files {
        assert!(!source.contains("corrigenda::"), "{} uses the app crate", file.display());
    }
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap_or_default();
    assert!(!deps.contains("corrigenda ") && !deps.contains("corrigenda="), "templates depend on the app");
}

#[test]
fn the_check_catches_what_it_forbids() {
    let root = PathBuf::from("src");
    let forged = |path: &str, source: &str| vec![(root.join(path), source.to_owned())];
    assert_eq!(violations(&root, &forged("db/models/x.rs", "use crate::domain::reports::Status;")).len(), 1);
    assert_eq!(violations(&root, &forged("domain/x.rs", "    crate::mail::notify(c, &ctx, &n, now)?;")).len(), 1);
    assert_eq!(violations(&root, &forged("domain/x.rs", "use crate::{db::Db, web::AppState};")).len(), 1);
    assert_eq!(violations(&root, &forged("mail/x.rs", "let s: crate::web::AppState;")).len(), 1);
    assert_eq!(violations(&root, &forged("domain/x.rs", "use super::super::web;")).len(), 1);
    assert_eq!(violations(&root, &forged("newlayer/x.rs", "")).len(), 1, "an unlisted module is reported");
    // Allowed directions and comments pass.
    assert!(violations(&root, &forged("mail/x.rs", "use crate::domain::notices::Notices; // crate::web")).is_empty());
    assert!(violations(&root, &forged("web/api/x.rs", "use crate::{db::Db, mail, domain::desk};")).is_empty());
}
