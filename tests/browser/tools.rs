//! The programs and files the suite needs, found once: Chromium, chromedriver, Java,
//! and the npm packages axe-core and vnu-jar installed from `tests/browser/package-lock.json`.
//!
//! When one is missing the suite says so loudly and skips; with `CI` set it fails.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where everything is.
#[derive(Debug, Clone)]
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
    pub java: PathBuf,
    /// `axe.min.js`, injected into every page.
    pub axe: PathBuf,
    /// `vnu.jar`, the Nu HTML Checker.
    pub vnu: PathBuf,
}

/// How to get what is missing.
const HOW_TO_ENABLE: &str = "To run them: `apt-get install -y chromium chromium-driver default-jre-headless npm` \
     and `npm ci --ignore-scripts --prefix tests/browser` (or run .ci/run, which does both). \
     CORRIGENDA_CHROMIUM, CORRIGENDA_CHROMEDRIVER and CORRIGENDA_JAVA name other binaries.";

/// The directory of this test suite's npm packages.
pub fn node_modules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules")
}

/// An executable: the path in `env` if set, else the first of `names` on `PATH`.
fn executable(env: &str, names: &[&str]) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(env) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("{} ({env}={} is not a file)", names[0], path.display()))
        };
    }
    let dirs: Vec<PathBuf> = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    names
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| format!("{} (not on PATH)", names.join(" or ")))
}

fn file(path: PathBuf, what: &str) -> Result<PathBuf, String> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{what} ({} is missing)", path.display()))
    }
}

fn find() -> Result<Tools, Vec<String>> {
    let modules = node_modules();
    let found = (
        executable("CORRIGENDA_CHROMIUM", &["chromium", "chromium-browser"]),
        executable("CORRIGENDA_CHROMEDRIVER", &["chromedriver"]),
        executable("CORRIGENDA_JAVA", &["java"]),
        file(modules.join("axe-core/axe.min.js"), "npm package axe-core"),
        file(modules.join("vnu-jar/build/dist/vnu.jar"), "npm package vnu-jar"),
    );
    match found {
        (Ok(chromium), Ok(chromedriver), Ok(java), Ok(axe), Ok(vnu)) => {
            Ok(Tools { chromium, chromedriver, java, axe, vnu })
        }
        (a, b, c, d, e) => Err([a, b, c, d, e].into_iter().filter_map(Result::err).collect()),
    }
}

/// The tools, or `None` after saying loudly why this test is skipped; panics instead under `CI`.
pub fn available(test: &str) -> Option<Tools> {
    static TOOLS: OnceLock<Result<Tools, Vec<String>>> = OnceLock::new();
    match TOOLS.get_or_init(find) {
        Ok(tools) => Some(tools.clone()),
        Err(missing) => {
            let missing = missing.join("; ");
            if std::env::var_os("CI").is_some() {
                panic!("CI is set and the browser tests cannot run: missing {missing}. {HOW_TO_ENABLE}");
            }
            // Written to the real stderr, past the test harness's capture, so nobody misses it.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED the browser test {test}: missing {missing}. {HOW_TO_ENABLE} ***"
            );
            None
        }
    }
}
