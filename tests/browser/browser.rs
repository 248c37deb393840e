//! Chromium through chromedriver, and the checks every page gets.
//!
//! Each test drives one headless Chromium (with JavaScript on or off) through one
//! chromedriver of its own; all journeys of the test share it. Every step that loads
//! a document ends in [`Browser::check`]: axe-core runs in the page, the page must
//! not scroll sideways at phone width, and the document's bytes (recorded by the
//! proxy) are kept for the Nu HTML Checker, which runs once over all of them at the end.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{anyhow, bail, ensure, Context, Result};
use base64::Engine;
use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::proxy::Recording;
use crate::tools::Tools;
use crate::wait;

/// The desktop width, and the phone width most readers file reports at.
pub const DESKTOP: u32 = 1280;
pub const PHONE: u32 = 360;

/// Flags Chromium runs with (plus a fresh profile directory and the window size).
const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    // Containers often have a tiny /dev/shm; Chromium then crashes without this.
    "--disable-dev-shm-usage",
];

/// Runs in the page before axe when JavaScript is off: Chromium then runs no timers, so
/// WebDriver's scripts run but axe's `setTimeout` callbacks never would. Promise jobs do run,
/// so the shim runs each callback as one. Pages themselves have no script to be affected.
const TIMER_SHIM: &str = "window.setTimeout = function (f) { var a = [].slice.call(arguments, 2); \
     Promise.resolve().then(function () { f.apply(null, a); }); return 0; }; window.clearTimeout = function () {};";

/// Runs axe on the page and returns its violations, one object per rule with the nodes it failed on.
const AXE_RUN: &str = "return axe.run(document, { resultTypes: ['violations'] }).then(function (r) { \
     return r.violations.map(function (v) { return { id: v.id, impact: v.impact, help: v.help, \
     nodes: v.nodes.map(function (n) { return { target: n.target.join(' '), summary: n.failureSummary || '' }; }) }; }); });";

/// A document the browser loaded, for the Nu HTML Checker.
#[derive(Debug, Clone)]
pub struct Page {
    pub label: String,
    pub method: String,
    pub target: String,
    pub status: u16,
    pub body: String,
}

/// A chromedriver process; dropping it ends the driver and the browsers it started (its process group).
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    async fn start(tools: &Tools) -> Result<Self> {
        use std::os::unix::process::CommandExt;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, with the Chromium it starts: one signal ends them all.
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {}", tools.chromedriver.display()))?;
        let driver = Self { child, port };
        let status = format!("http://127.0.0.1:{port}/status");
        let client = reqwest::Client::new();
        let what = format!("chromedriver to listen on port {port}");
        wait::poll(&what, Duration::from_secs(20), || async {
            let body = client.get(&status).send().await.ok()?.json::<Value>().await.ok()?;
            (body["value"]["ready"] == json!(true)).then_some(())
        })
        .await
        .map_err(|e| anyhow!(e))?;
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Our own child's process group, by its id.
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.wait();
    }
}

/// A Chrome DevTools Protocol command, sent through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}

/// The directory cargo builds into (holds `CACHEDIR.TAG`), found from this test binary's path.
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().find(|dir| dir.join("CACHEDIR.TAG").is_file()).map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// Where a failed run leaves a screenshot and the HTML of the page it failed on.
pub fn failure_dir() -> PathBuf {
    target_dir().join("screenshots/failures")
}

/// One headless Chromium and what the checks found so far.
pub struct Browser {
    pub client: Client,
    /// Whether JavaScript is enabled in this browser.
    pub js: bool,
    /// The proxy's address: every URL the browser opens starts with it.
    pub base: String,
    recording: Recording,
    /// How many recorded documents have been checked.
    seen: usize,
    /// Every document loaded, for the Nu HTML Checker.
    pub pages: Vec<Page>,
    /// Everything the checks found, as lines for people.
    pub failures: Vec<String>,
    axe_source: String,
    /// Where screenshots go, when this run takes them.
    shots: Option<PathBuf>,
    shot_count: usize,
    /// The width pages are laid out at now.
    width: u32,
    /// The label of the last page checked, for messages.
    pub here: String,
    _profile: tempfile::TempDir,
    _driver: Driver,
}

impl Browser {
    /// Starts chromedriver and a fresh Chromium, with JavaScript on or off.
    pub async fn start(
        tools: &Tools,
        js: bool,
        base: &str,
        recording: Recording,
        shots: Option<PathBuf>,
    ) -> Result<Self> {
        let driver = Driver::start(tools).await?;
        let profile = tempfile::tempdir()?;
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push(format!("--window-size={DESKTOP},900"));
        let mut prefs = serde_json::Map::new();
        if !js {
            // Chromium's own "Don't allow sites to use JavaScript" setting.
            prefs.insert("profile.managed_default_content_settings.javascript".into(), json!(2));
        }
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("pageLoadStrategy".into(), json!("normal"));
        caps.insert("timeouts".into(), json!({ "script": 30_000, "pageLoad": 30_000, "implicit": 0 }));
        caps.insert("goog:chromeOptions".into(), json!({ "binary": tools.chromium, "args": args, "prefs": prefs }));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .with_context(|| format!("starting {} through chromedriver", tools.chromium.display()))?;
        let axe_source =
            std::fs::read_to_string(&tools.axe).with_context(|| format!("reading {}", tools.axe.display()))?;
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir)?;
            for entry in std::fs::read_dir(dir)?.flatten() {
                if entry.path().extension().is_some_and(|e| e == "png") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let mut browser = Self {
            client,
            js,
            base: base.to_owned(),
            recording,
            seen: 0,
            pages: Vec::new(),
            failures: Vec::new(),
            axe_source,
            shots,
            shot_count: 0,
            width: DESKTOP,
            here: "the start".into(),
            _profile: profile,
            _driver: driver,
        };
        browser
            .cdp(
                "Emulation.setEmulatedMedia",
                json!({ "features": [{ "name": "prefers-color-scheme", "value": "light" }] }),
            )
            .await?;
        browser.set_width(DESKTOP).await?;
        Ok(browser)
    }

    /// Ends the browser session (the driver ends when dropped).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    async fn cdp(&self, cmd: &'static str, params: Value) -> Result<Value> {
        self.client.issue_cmd(Cdp { cmd, params }).await.with_context(|| format!("DevTools command {cmd}"))
    }

    /// Lays pages out at `width` CSS pixels, as a phone (with its viewport rules) when narrow.
    pub async fn set_width(&mut self, width: u32) -> Result<()> {
        let phone = width < 600;
        let height = if phone { 740 } else { 900 };
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone }),
        )
        .await?;
        self.width = width;
        Ok(())
    }

    /// A script's result.
    pub async fn script(&self, script: &str) -> Result<Value> {
        self.client.execute(script, Vec::new()).await.with_context(|| format!("running a script on {}", self.here))
    }

    /// The one element `css` matches.
    pub async fn find(&self, css: &str) -> Result<Element> {
        self.client.find(Locator::Css(css)).await.with_context(|| format!("finding {css:?} on {}", self.here))
    }

    /// Every element `css` matches.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        self.client.find_all(Locator::Css(css)).await.with_context(|| format!("finding {css:?} on {}", self.here))
    }

    /// The visible text of the element `css` matches.
    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.find(css).await?.text().await?)
    }

    /// The link whose text is exactly `text`.
    pub async fn link(&self, text: &str) -> Result<Element> {
        self.client
            .find(Locator::LinkText(text))
            .await
            .with_context(|| format!("finding the link {text:?} on {}", self.here))
    }

    /// The button whose text contains `text`.
    pub async fn button(&self, text: &str) -> Result<Element> {
        let xpath = format!("//button[contains(normalize-space(.), {})]", xpath_literal(text));
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .with_context(|| format!("finding the button {text:?} on {}", self.here))
    }

    /// Types `text` into the field `css`, replacing what was there.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let field = self.find(css).await?;
        field.clear().await.with_context(|| format!("clearing {css:?}"))?;
        field.send_keys(text).await.with_context(|| format!("typing into {css:?}"))?;
        Ok(())
    }

    /// Chooses the option with `value` in the select `css`.
    pub async fn choose(&self, css: &str, value: &str) -> Result<()> {
        self.find(css).await?.select_by_value(value).await.with_context(|| format!("choosing {value:?} in {css:?}"))
    }

    /// Ticks the checkbox `css` (if it is not ticked already).
    pub async fn tick(&self, css: &str) -> Result<()> {
        let checkbox = self.find(css).await?;
        if !checkbox.is_selected().await? {
            checkbox.click().await.with_context(|| format!("ticking {css:?}"))?;
        }
        Ok(())
    }

    /// The path and query of the page shown.
    pub async fn path(&self) -> Result<String> {
        let url = self.client.current_url().await?;
        Ok(match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        })
    }

    /// Opens `path` (on the proxy, or an absolute URL) and checks the page as `label`.
    pub async fn open(&mut self, path: &str, label: &str) -> Result<()> {
        let url = if path.starts_with("http") { path.to_owned() } else { format!("{}{path}", self.base) };
        self.client.goto(&url).await.with_context(|| format!("opening {url}"))?;
        self.arrived(label).await
    }

    /// Clicks `element` (a link or a submit button), waits for the next document and checks it as `label`.
    pub async fn go(&mut self, element: Element, label: &str) -> Result<()> {
        let before = self.document_id().await?;
        element.click().await.with_context(|| format!("clicking on {} to reach {label}", self.here))?;
        let what = format!("a new page after clicking on {} (expected {label})", self.here);
        wait::poll(&what, Duration::from_secs(20), || async {
            (self.document_id().await.ok().as_deref() != Some(before.as_str())).then_some(())
        })
        .await
        .map_err(|e| anyhow!(e))?;
        self.arrived(label).await
    }

    /// Moves to the tab something on `opener`'s page just opened, lays it out at the current
    /// width, waits for its document and checks it as `label`.
    pub async fn follow_new_tab(&mut self, opener: &fantoccini::wd::WindowHandle, label: &str) -> Result<()> {
        let what = format!("a new tab opened from {} (expected {label})", self.here);
        let tab = wait::poll(&what, Duration::from_secs(20), || async {
            self.client.windows().await.ok()?.into_iter().find(|w| w != opener)
        })
        .await
        .map_err(|e| anyhow!(e))?;
        self.client.switch_to_window(tab).await.context("switching to the new tab")?;
        let width = self.width;
        self.set_width(width).await?;
        self.arrived(label).await
    }

    /// Closes the tab shown and goes back to `opener`.
    pub async fn close_tab(&mut self, opener: &fantoccini::wd::WindowHandle) -> Result<()> {
        self.client.close_window().await.context("closing the tab")?;
        self.client.switch_to_window(opener.clone()).await.context("switching back")?;
        Ok(())
    }

    /// WebDriver's reference to the page's root element: a new document gets a new one.
    async fn document_id(&self) -> Result<String> {
        Ok(self.client.find(Locator::Css("html")).await?.element_id().to_string())
    }

    async fn arrived(&mut self, label: &str) -> Result<()> {
        wait::poll(&format!("{label} to finish loading"), Duration::from_secs(20), || async {
            let state = self.client.execute("return document.readyState", vec![]).await.ok();
            (state == Some(json!("complete"))).then_some(())
        })
        .await
        .map_err(|e| anyhow!(e))?;
        self.here = format!("{label} ({})", self.path().await.unwrap_or_default());
        self.check(label).await
    }

    /// Checks the page just loaded: it is the one document loaded since the last check,
    /// axe finds nothing, it fits the width, and its HTML is kept for the Nu HTML Checker.
    async fn check(&mut self, label: &str) -> Result<()> {
        let new: Vec<_> = {
            let recording = self.recording.lock().unwrap();
            let new = recording[self.seen..].to_vec();
            self.seen = recording.len();
            new
        };
        let Some((_, earlier)) = new.split_last() else {
            bail!("{} showed no new document from the server", self.here);
        };
        for doc in earlier {
            self.failures.push(format!(
                "unchecked page: {} {} was loaded before {label} but not checked with axe",
                doc.method, doc.target
            ));
        }
        self.pages.extend(new.iter().map(|doc| Page {
            label: label.to_owned(),
            method: doc.method.clone(),
            target: doc.target.clone(),
            status: doc.status,
            body: doc.body.clone(),
        }));
        let width = self.width;
        self.axe(&format!("{label} at {width}px")).await?;
        if width < 600 {
            self.fits(label).await?;
        }
        Ok(())
    }

    /// Runs axe again on the page shown, after something on it changed (e.g. a `<details>` was opened).
    pub async fn check_again(&mut self, label: &str) -> Result<()> {
        let width = self.width;
        self.axe(&format!("{label} at {width}px")).await
    }

    /// The HTTP status of the page shown (from the proxy's recording).
    pub fn status(&self) -> u16 {
        self.pages.last().map_or(0, |p| p.status)
    }

    /// Runs axe-core in the page shown (injecting it first) and returns its violations.
    async fn axe_violations(&self, label: &str) -> Result<Vec<Value>> {
        if self.script("return typeof window.axe").await? != json!("object") {
            let inject = format!("{}\n;return typeof window.axe;", self.axe_source);
            let loaded = self.client.execute(&inject, vec![]).await.context("injecting axe-core")?;
            if loaded != json!("object") {
                bail!("axe-core did not load into {label}: {loaded}");
            }
        }
        if !self.js {
            self.script(TIMER_SHIM).await?;
        }
        let violations =
            self.client.execute(AXE_RUN, vec![]).await.with_context(|| format!("running axe on {label}"))?;
        Ok(violations.as_array().cloned().unwrap_or_default())
    }

    /// Proves that axe works in this browser: on a page built to fail it, it must find what is wrong.
    pub async fn axe_canary(&mut self) -> Result<()> {
        let url = format!("{}{}", self.base, crate::proxy::CANARY_PATH);
        self.client.goto(&url).await.with_context(|| format!("opening {url}"))?;
        let found: Vec<String> = self
            .axe_violations("the canary page")
            .await?
            .iter()
            .filter_map(|v| v["id"].as_str().map(str::to_owned))
            .collect();
        for rule in crate::proxy::CANARY_AXE_RULES {
            ensure!(
                found.iter().any(|f| f == rule),
                "axe-core did not report {rule} on a page built to fail it (it reported {found:?}): \
                 the accessibility checks are not working in this browser"
            );
        }
        Ok(())
    }

    /// Runs axe-core in the page; every violation becomes a failure line.
    async fn axe(&mut self, label: &str) -> Result<()> {
        let violations = self.axe_violations(label).await?;
        let path = self.path().await.unwrap_or_default();
        for v in violations {
            let nodes: Vec<String> = v["nodes"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|n| {
                    let summary = n["summary"].as_str().unwrap_or_default().replace('\n', " ");
                    format!("\n      target {}: {summary}", n["target"].as_str().unwrap_or_default())
                })
                .collect();
            self.failures.push(format!(
                "axe {} ({}) on {label}, {path}: {}{}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or_default(),
                nodes.concat()
            ));
        }
        Ok(())
    }

    /// A failure when the page is wider than the screen (readers would scroll sideways).
    async fn fits(&mut self, label: &str) -> Result<()> {
        let sizes = self.script("return [document.documentElement.scrollWidth, window.innerWidth]").await?;
        let (content, viewport) = (sizes[0].as_u64().unwrap_or(0), sizes[1].as_u64().unwrap_or(0));
        if viewport != u64::from(self.width) {
            bail!("the viewport of {label} is {viewport}px wide, not {}px", self.width);
        }
        if content > viewport {
            let path = self.path().await.unwrap_or_default();
            self.failures.push(format!(
                "too wide: {label}, {path}, is {content}px wide at {viewport}px: readers must scroll sideways"
            ));
        }
        Ok(())
    }

    /// In the run that takes screenshots: saves the page at desktop and phone width, and at desktop
    /// width in the dark colour scheme, running axe (and the width check) at each.
    pub async fn screenshot(&mut self, name: &str) -> Result<()> {
        let Some(dir) = self.shots.clone() else { return Ok(()) };
        self.shot_count += 1;
        let journey_width = self.width;
        for (width, dark) in [(DESKTOP, false), (PHONE, false), (DESKTOP, true)] {
            self.set_width(width).await?;
            if dark {
                self.cdp(
                    "Emulation.setEmulatedMedia",
                    json!({ "features": [{ "name": "prefers-color-scheme", "value": "dark" }] }),
                )
                .await?;
            }
            let label = format!("{name}{}", if dark { " in dark mode" } else { "" });
            if width != journey_width || dark {
                self.axe(&format!("{label} at {width}px")).await?;
                if width < 600 {
                    self.fits(&label).await?;
                }
            }
            let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await?;
            let height = metrics["cssContentSize"]["height"].as_f64().unwrap_or(900.0).ceil().min(12_000.0);
            let shot = self
                .cdp(
                    "Page.captureScreenshot",
                    json!({ "format": "png", "captureBeyondViewport": true,
                            "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 } }),
                )
                .await?;
            let png = base64::engine::general_purpose::STANDARD
                .decode(shot["data"].as_str().ok_or_else(|| anyhow!("no screenshot data"))?)?;
            let file = format!("{:02}-{name}-{width}{}.png", self.shot_count, if dark { "-dark" } else { "" });
            std::fs::write(dir.join(file), png)?;
            if dark {
                self.cdp(
                    "Emulation.setEmulatedMedia",
                    json!({ "features": [{ "name": "prefers-color-scheme", "value": "light" }] }),
                )
                .await?;
            }
        }
        self.set_width(journey_width).await
    }

    /// After a journey failed: saves what the browser shows, and says where.
    pub async fn save_evidence(&self, name: &str) -> String {
        let dir = failure_dir();
        let _ = std::fs::create_dir_all(&dir);
        let png = dir.join(format!("{name}.png"));
        let html = dir.join(format!("{name}.html"));
        if let Ok(shot) = self.client.screenshot().await {
            let _ = std::fs::write(&png, shot);
        }
        if let Ok(source) = self.client.source().await {
            let _ = std::fs::write(&html, source);
        }
        format!("the page is saved as {} and {}", png.display(), html.display())
    }
}

/// `text` as an XPath string literal.
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}
