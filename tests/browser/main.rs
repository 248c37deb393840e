//! Real-browser tests: the readers', editors' and auditors' journeys in headless Chromium,
//! on SQLite and PostgreSQL, with JavaScript on and off; axe-core and the Nu HTML Checker
//! on every page visited; screenshots of the main pages in `target/screenshots/`.
//!
//! Needs Chromium, chromedriver, Java and the npm packages of `tests/browser/package.json`;
//! without them each test says loudly that it was skipped (and fails when `CI` is set).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod app;
mod browser;
mod journeys;
mod proxy;
mod tools;
mod vnu;
#[path = "../common/wait.rs"]
mod wait;

use std::io::Write;
use std::time::{Duration, Instant};

use app::{Backend, TestApp};
use browser::Browser;
use proxy::Proxy;

/// Longest a run's journeys may take before the test fails rather than hangs.
const JOURNEY_TIMEOUT: Duration = Duration::from_secs(300);

/// Browsers running at once: more than two crowd a 2-core machine into timeouts.
static BROWSERS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs every journey in one browser on one backend, then checks every page's HTML.
async fn run(backend: Backend, js: bool) {
    let _turn = BROWSERS.acquire().await.unwrap();
    let pass = format!("{}, JavaScript {}", backend.name(), if js { "on" } else { "off" });
    let Some(tools) = tools::available(&pass) else { return };
    if backend == Backend::Postgres && !app::postgres_available() {
        return;
    }
    let started = Instant::now();
    // Evidence of an earlier failure of this run would mislead: it goes.
    let evidence_name = format!("{}-js-{}", backend.name(), if js { "on" } else { "off" });
    for ext in ["png", "html"] {
        let _ = std::fs::remove_file(browser::failure_dir().join(format!("{evidence_name}.{ext}")));
    }
    let mut proxy = Proxy::bind();
    let app = TestApp::start(backend, &proxy.address).await;
    proxy.start(&app.upstream);
    // One run takes the screenshots, so that they are not overwritten by the others.
    let shots = (backend == Backend::Sqlite && js).then(|| browser::target_dir().join("screenshots"));
    let mut b = match Browser::start(&tools, js, &proxy.address, proxy.recording.clone(), shots).await {
        Ok(b) => b,
        Err(err) => panic!("{pass}: the browser did not start: {err:#}"),
    };
    let journeys = async {
        b.axe_canary().await?;
        journeys::all(&mut b, &app).await
    };
    let outcome = actix_web::rt::time::timeout(JOURNEY_TIMEOUT, journeys).await;
    let journey_error = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(err)) => {
            let evidence = b.save_evidence(&evidence_name).await;
            Some(format!("{err:#}\n  at {}; {evidence}", b.here))
        }
        Err(_) => Some(format!("the journeys took longer than {JOURNEY_TIMEOUT:?}; the last page was {}", b.here)),
    };
    let pages = std::mem::take(&mut b.pages);
    let mut failures = std::mem::take(&mut b.failures);
    b.close().await;
    proxy.stop().await;
    app.stop().await;

    let page_count = pages.len();
    let vnu_tools = tools.clone();
    let findings = tokio::task::spawn_blocking(move || vnu::check(&vnu_tools, &pages)).await.unwrap();
    let mut warnings = Vec::new();
    let documents = match findings {
        Ok(findings) => {
            failures.extend(findings.errors);
            warnings = findings.warnings;
            findings.documents
        }
        Err(err) => {
            failures.push(format!("the Nu HTML Checker did not run: {err:#}"));
            0
        }
    };
    let summary = format!(
        "browser tests ({pass}): {page_count} pages checked with axe-core, {documents} distinct documents with \
         the Nu HTML Checker, {} problems, {} vnu warnings, {:.1} s",
        failures.len(),
        warnings.len(),
        started.elapsed().as_secs_f64()
    );
    println!("{summary}");
    if !warnings.is_empty() {
        // Not failures, but worth a look: on the real stderr, past the harness's capture.
        let _ = writeln!(std::io::stderr(), "\n{summary}\n  {}", warnings.join("\n  "));
    }
    let problems = failures.iter().map(|f| format!("  - {f}")).collect::<Vec<_>>().join("\n");
    if let Some(error) = journey_error {
        let before = if problems.is_empty() { "  none".to_owned() } else { problems };
        panic!("{pass}: a journey failed: {error}\nProblems the checks found before that:\n{before}");
    }
    assert!(failures.is_empty(), "{summary}:\n{problems}");
    assert!(page_count >= 40, "{pass}: only {page_count} pages were visited");
}

/// Each run, as `sqlite::javascript_on` and so on.
macro_rules! runs {
    ($($backend:ident => $variant:ident),* $(,)?) => {
        $(
            mod $backend {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn javascript_on() {
                    super::run(super::Backend::$variant, true).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn javascript_off() {
                    super::run(super::Backend::$variant, false).await
                }
            }
        )*
    };
}

runs!(sqlite => Sqlite, postgres => Postgres);
