//! The Nu HTML Checker over every document a run loaded, in one Java start.
//!
//! vnu refuses URLs on 127.0.0.1, so the documents' bytes (as the server sent them)
//! are written to files and checked from there.

use std::collections::HashMap;
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::browser::Page;
use crate::tools::Tools;

/// What the checker said: errors fail the run, warnings are shown.
#[derive(Debug, Default)]
pub struct Findings {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// How many distinct documents were checked.
    pub documents: usize,
}

/// Checks `pages` (identical documents once) and describes each message with the pages it concerns.
pub fn check(tools: &Tools, pages: &[Page]) -> Result<Findings> {
    let dir = tempfile::tempdir()?;
    let mut files: Vec<String> = Vec::new();
    let mut pages_of: HashMap<String, Vec<&Page>> = HashMap::new();
    let mut file_of_body: HashMap<&str, String> = HashMap::new();
    for page in pages {
        let file = file_of_body.entry(page.body.as_str()).or_insert_with(|| {
            let name = format!("{:03}.html", files.len());
            files.push(name.clone());
            name
        });
        pages_of.entry(file.clone()).or_default().push(page);
    }
    for (body, file) in &file_of_body {
        std::fs::write(dir.path().join(file), body)?;
    }
    let mut findings = Findings { documents: files.len(), ..Default::default() };
    // A document built to fail: unless vnu reports it, its silence about the others means nothing.
    std::fs::write(dir.path().join(CANARY_FILE), crate::proxy::CANARY)?;
    files.push(CANARY_FILE.to_owned());
    let mut canary_caught = false;
    let output = Command::new(&tools.java)
        .arg("-jar")
        .arg(&tools.vnu)
        .args(["--format", "json", "--stdout", "--exit-zero-always"])
        .args(&files)
        .current_dir(dir.path())
        .output()
        .with_context(|| format!("running {} -jar {}", tools.java.display(), tools.vnu.display()))?;
    let report: Value = serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "reading vnu's report (exit {}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    for message in report["messages"].as_array().cloned().unwrap_or_default() {
        let file = message["url"].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_owned();
        if file == CANARY_FILE {
            canary_caught |= message["type"] == "error";
            continue;
        }
        let where_ = pages_of.get(&file).map_or_else(
            || file.clone(),
            |pages| {
                pages
                    .iter()
                    .map(|p| format!("{} ({} {} → {})", p.label, p.method, p.target, p.status))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        );
        let line = message["lastLine"].as_u64().map(|l| format!(" line {l}")).unwrap_or_default();
        let extract =
            message["extract"].as_str().map(|e| format!("\n      at: {}", e.replace('\n', " "))).unwrap_or_default();
        let text = format!("{}{line}: {}{extract}", where_, message["message"].as_str().unwrap_or_default());
        match (message["type"].as_str(), message["subType"].as_str()) {
            (Some("error" | "non-document-error"), _) => findings.errors.push(format!("vnu error on {text}")),
            (Some("info"), Some("warning")) => findings.warnings.push(format!("vnu warning on {text}")),
            _ => {}
        }
    }
    if !canary_caught {
        findings.errors.push(format!(
            "the Nu HTML Checker reported no error in a document built to fail it: it is not working \
             (exit {}; stderr: {})",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(findings)
}

/// The name the canary document is checked under.
const CANARY_FILE: &str = "canary.html";
