//! Checks the import directions: no view module imports another, and no shared module imports a view.

use std::fs;
use std::path::Path;

/// The modules that each render one part of the site.
const VIEW_MODULES: [&str; 11] = [
    "audit",
    "channels",
    "desk",
    "desks",
    "email",
    "log",
    "pages",
    "responses",
    "transparency",
    "webhooks",
    "wordings",
];

/// The modules beneath the views: the page frame, the shared view structs and the markup pieces.
const SHARED_MODULES: [&str; 6] = ["article", "catalogue", "corrections", "forms", "layout", "partials"];

/// The crate's source files that are neither a view nor a shared module: the root and the tests.
fn is_root_or_test(file_stem: &str) -> bool {
    file_stem == "lib" || file_stem == "tests" || file_stem.ends_with("_tests")
}

/// The paths in `source`, the code of module `module`, that break the layering.
///
/// Every `crate::` path must start with the module itself or a shared module: a
/// view module named there is a dependency on that view, and a name taken from
/// the crate root may be one of the views' re-exports. A `super::` path must not
/// name a view module either. Line comments are skipped.
fn forbidden_imports(module: &str, source: &str) -> Vec<String> {
    let code: String = source.lines().map(|line| line.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
    let mut found = Vec::new();
    for prefix in ["crate::", "super::"] {
        for (at, _) in code.match_indices(prefix) {
            let preceded_by_ident = code[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
            if preceded_by_ident {
                continue;
            }
            for segment in first_segments(&code[at + prefix.len()..]) {
                let allowed = if prefix == "crate::" {
                    segment == module || SHARED_MODULES.contains(&segment.as_str())
                } else {
                    segment == module || !VIEW_MODULES.contains(&segment.as_str())
                };
                if !allowed {
                    found.push(format!("{prefix}{segment}"));
                }
            }
        }
    }
    found
}

/// The first segment of a path's rest, or of each entry of a `{ … }` group.
fn first_segments(rest: &str) -> Vec<String> {
    let segment = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '*').collect::<String>();
    let rest = rest.trim_start();
    let Some(group) = rest.strip_prefix('{') else {
        return vec![segment(rest)];
    };
    let mut segments = Vec::new();
    let mut depth = 0;
    let mut entry_starts = true;
    for (i, c) in group.char_indices() {
        match c {
            '}' if depth == 0 => break,
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => entry_starts = true,
            c if entry_starts && !c.is_whitespace() => {
                segments.push(segment(&group[i..]));
                entry_starts = false;
            }
            _ => {}
        }
    }
    segments
}

/// Each module of the crate (not the root or the tests), by name, with its source.
fn modules() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules: Vec<(String, String)> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| (path.file_stem().unwrap().to_str().unwrap().to_owned(), path))
        .filter(|(name, _)| !is_root_or_test(name))
        .map(|(name, path)| (name, fs::read_to_string(path).unwrap()))
        .collect();
    modules.sort();
    modules
}

#[test]
fn every_module_is_a_view_or_a_shared_module() {
    let names: Vec<String> = modules().into_iter().map(|(name, _)| name).collect();
    for name in &names {
        assert!(
            VIEW_MODULES.contains(&name.as_str()) || SHARED_MODULES.contains(&name.as_str()),
            "{name}.rs is neither a view nor a shared module: add it to one list"
        );
    }
    for listed in VIEW_MODULES.iter().chain(&SHARED_MODULES) {
        assert!(names.iter().any(|name| name == listed), "{listed}.rs is listed but missing");
    }
}

#[test]
fn views_and_shared_modules_import_only_shared_modules() {
    let broken: Vec<String> = modules()
        .iter()
        .flat_map(|(name, source)| {
            forbidden_imports(name, source).into_iter().map(move |path| format!("{name}: {path}"))
        })
        .collect();
    assert!(broken.is_empty(), "imports against the layering: {broken:?}");
}

#[test]
fn the_rule_catches_forged_imports() {
    // A view importing another view, alone, in a group, or by a path in a type.
    assert_eq!(forbidden_imports("desk", "use crate::log::{correction_item, Detail};"), ["crate::log"]);
    assert_eq!(
        forbidden_imports("pages", "use crate::{\n    layout::Layout,\n    desk::{Opt, QueueView},\n};"),
        ["crate::desk"]
    );
    assert_eq!(forbidden_imports("desk", "pub preview: Option<crate::log::CorrectionItem>,"), ["crate::log"]);
    assert_eq!(forbidden_imports("audit", "use super::email::EmailView;"), ["super::email"]);
    // A name from the crate root, which may be a view's re-export.
    assert_eq!(
        forbidden_imports("log", "use crate::{ArticleSummary, Layout};"),
        ["crate::ArticleSummary", "crate::Layout"]
    );
    // A shared module importing a view.
    assert_eq!(forbidden_imports("partials", "use crate::desk::Opt;"), ["crate::desk"]);
    assert_eq!(forbidden_imports("corrections", "use crate::pages::*;"), ["crate::pages"]);
}

#[test]
fn the_rule_lets_downward_imports_through() {
    // Shared modules, a comment, the module's own path and `super::` in its own test module.
    let view = "use maud::{html, Markup};\n\
                use crate::corrections::{correction_list, Detail};\n\
                use crate::{forms::Opt, layout::Layout, partials::{pager, Field}};\n\
                // Not crate::log::correction_item: that would tie two views together.\n\
                pub use crate::article::ArticleSummary;\n\
                fn f(item: &crate::log::Local) {}\n\
                mod tests { use super::*; }";
    assert_eq!(forbidden_imports("log", view), Vec::<String>::new());
    assert_eq!(
        forbidden_imports("partials", "use crate::article::ArticleSummary;\nuse crate::forms::Opt;"),
        Vec::<String>::new()
    );
    assert_eq!(forbidden_imports("desk", "my_crate::log::warn(\"x\");"), Vec::<String>::new());
}
