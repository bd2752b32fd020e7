//! A real headless Chromium driven over WebDriver (chromedriver + fantoccini), for end-to-end
//! tests of the HTML pages.
//!
//! ```ignore
//! let Some(browser) = Browser::start().await else { return }; // skipped: not installed
//! browser.goto(&format!("{base_url}/programs/new")).await;
//! browser.fill("Name", "Apollo").await;
//! browser.click_button("Create program").await;
//! assert!(browser.page_text().await.contains("Apollo"));
//! browser.close().await;
//! ```
//!
//! Each [`Browser`] runs its own chromedriver on a free port with a fresh Chromium profile.
//! chromedriver runs in its own process group, and the guard kills that whole group when dropped,
//! so a panicking test leaves neither chromedriver nor Chromium behind.
//!
//! When `/usr/bin/chromium` or `/usr/bin/chromedriver` is missing, [`Browser::start`] returns
//! `None` after printing why, unless the `CI` environment variable is set: CI must run these
//! tests, so there it panics instead.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long chromedriver may take to say it is listening.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a click or key press may take to load the next page.
const NAVIGATION_TIMEOUT: Duration = Duration::from_secs(15);

/// Whether both Chromium and chromedriver are installed where the harness looks for them.
pub fn browser_installed() -> bool {
    Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()
}

/// A running chromedriver; dropping it kills its process group (chromedriver and the browsers it
/// started).
#[derive(Debug)]
struct DriverProcess {
    child: Child,
    port: u16,
}

impl DriverProcess {
    async fn start() -> DriverProcess {
        // A port the OS just handed out and we released; chromedriver binds it right after.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|addr| addr.port())
            .expect("find a free port for chromedriver");
        let mut child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Its own process group, so the guard can end chromedriver and Chromium together.
            .process_group(0)
            .spawn()
            .expect("start chromedriver");
        let stdout = child.stdout.take().expect("chromedriver's stdout is piped");
        let driver = DriverProcess { child, port };
        // Ready when it says so; then keep draining its output so it never blocks on a full pipe.
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let mut ready_tx = Some(ready_tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.contains("started successfully")
                    && let Some(tx) = ready_tx.take()
                {
                    let _ = tx.send(());
                }
            }
        });
        match tokio::time::timeout(DRIVER_START_TIMEOUT, ready_rx).await {
            Ok(Ok(())) => driver,
            Ok(Err(_)) => panic!("chromedriver exited before it was ready"),
            Err(_) => panic!("chromedriver did not start within {DRIVER_START_TIMEOUT:?}"),
        }
    }
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        // Negative pid: the whole process group we created for chromedriver (ours alone).
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session. Call [`Browser::close`] at the end of a test; if the test panics
/// first, dropping it still ends every process it started.
#[derive(Debug)]
pub struct Browser {
    pub client: Client,
    // Field order matters: the client goes first, then the driver, then the profile directory.
    driver: DriverProcess,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium; `None` (after saying so) when they are not
    /// installed and `CI` is not set.
    pub async fn start() -> Option<Browser> {
        if !browser_installed() {
            if std::env::var_os("CI").is_some() {
                panic!("browser tests must run in CI, but {CHROMIUM} or {CHROMEDRIVER} is missing");
            }
            eprintln!("browser tests skipped: chromium/chromedriver not installed");
            return None;
        }
        let profile = tempfile::tempdir().expect("create a Chromium profile directory");
        let driver = DriverProcess::start().await;
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-default-apps".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-extensions".to_owned(),
            "--window-size=1280,900".to_owned(),
            "--lang=en-US".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal");
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .expect("open a Chromium session through chromedriver");
        Some(Browser { client, driver, _profile: profile })
    }

    /// Ends the browser session (Chromium quits); the drop that follows stops chromedriver.
    pub async fn close(self) {
        let Browser { client, driver, _profile } = self;
        let _ = client.close().await;
        drop(driver);
    }

    /// Signs in through the real sign-in page at `base_url` (e.g. `http://127.0.0.1:1234`) and
    /// waits for the page it leads to.
    pub async fn sign_in(&self, base_url: &str, username: &str, password: &str) {
        self.goto(&format!("{base_url}/login")).await;
        self.fill("Username", username).await;
        self.fill("Password", password).await;
        self.click_button("Sign in").await;
        let path = self.current_path().await;
        assert_ne!(path, "/login", "signing in as {username} failed: {}", self.main_text().await);
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The path of the current page (after redirects).
    pub async fn current_path(&self) -> String {
        self.client.current_url().await.expect("read the current URL").path().to_owned()
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("find {css}: {e}"))
    }

    /// The form control labelled `label` (the label's own text, without hints such as
    /// "(optional)"), found through the label's `for` attribute like assistive technology does.
    pub async fn field(&self, label: &str) -> Element {
        let xpath = format!("//label[normalize-space(text()[1])={}]", xpath_literal(label));
        let label_element =
            self.client.find(Locator::XPath(&xpath)).await.unwrap_or_else(|e| panic!("no label {label:?}: {e}"));
        let target = label_element
            .attr("for")
            .await
            .expect("read the label's for attribute")
            .unwrap_or_else(|| panic!("label {label:?} has no for attribute"));
        self.client
            .find(Locator::Id(&target))
            .await
            .unwrap_or_else(|e| panic!("label {label:?} points at #{target}, which is missing: {e}"))
    }

    /// Clears the field labelled `label` and types `text` into it.
    pub async fn fill(&self, label: &str, text: &str) {
        let field = self.field(label).await;
        field.clear().await.unwrap_or_else(|e| panic!("clear {label:?}: {e}"));
        field.send_keys(text).await.unwrap_or_else(|e| panic!("type into {label:?}: {e}"));
    }

    /// Types a date into the date input labelled `label`. Chromium's date inputs take the digits
    /// in the order of the locale's format (month, day, year for en-US), not an ISO string.
    pub async fn fill_date(&self, label: &str, iso_date: &str) {
        let parts: Vec<&str> = iso_date.split('-').collect();
        let [year, month, day] = parts.as_slice() else { panic!("not an ISO date: {iso_date}") };
        let field = self.field(label).await;
        field.send_keys(&format!("{month}{day}{year}")).await.unwrap_or_else(|e| panic!("type into {label:?}: {e}"));
    }

    /// Chooses the option shown as `option` in the select labelled `label`.
    pub async fn choose(&self, label: &str, option: &str) {
        let field = self.field(label).await;
        field.select_by_label(option).await.unwrap_or_else(|e| panic!("choose {option:?} in {label:?}: {e}"));
    }

    /// The current value of the field labelled `label`.
    pub async fn value_of(&self, label: &str) -> String {
        self.field(label).await.prop("value").await.expect("read a field's value").unwrap_or_default()
    }

    /// Clicks the button whose text is `text` and waits for the page it loads.
    pub async fn click_button(&self, text: &str) {
        let xpath = format!("//button[normalize-space(.)={}]", xpath_literal(text));
        let button =
            self.client.find(Locator::XPath(&xpath)).await.unwrap_or_else(|e| panic!("no button {text:?}: {e}"));
        self.mark_page().await;
        button.click().await.unwrap_or_else(|e| panic!("click {text:?}: {e}"));
        self.wait_for_new_page().await;
    }

    /// Follows the link whose text is `text` and waits for the page it loads.
    pub async fn click_link(&self, text: &str) {
        let link = self.client.find(Locator::LinkText(text)).await.unwrap_or_else(|e| panic!("no link {text:?}: {e}"));
        self.mark_page().await;
        link.click().await.unwrap_or_else(|e| panic!("click {text:?}: {e}"));
        self.wait_for_new_page().await;
    }

    /// Presses keys that load another page (Enter on a submit button) and waits for it.
    pub async fn press_and_wait_for_new_page(&self, keys: &str) {
        self.mark_page().await;
        self.press(keys).await;
        self.wait_for_new_page().await;
    }

    /// Tags the current document so [`Browser::wait_for_new_page`] can tell when it was replaced.
    /// A click returns as soon as the browser took it, not when the next page is shown, and the
    /// next page may have the same URL (a rejected form posted to itself).
    pub async fn mark_page(&self) {
        self.client.execute("window.__tandemPreviousPage = true;", vec![]).await.expect("mark the current page");
    }

    /// Waits until the marked document is gone and the new one has loaded.
    pub async fn wait_for_new_page(&self) {
        let script = "return window.__tandemPreviousPage !== true && document.readyState === 'complete';";
        let deadline = tokio::time::Instant::now() + NAVIGATION_TIMEOUT;
        loop {
            // While the old page unloads a script may fail; that only means "not yet".
            if let Ok(serde_json::Value::Bool(true)) = self.client.execute(script, vec![]).await {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "no new page within {NAVIGATION_TIMEOUT:?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The visible text of the page's `<main>`.
    pub async fn main_text(&self) -> String {
        self.find("main").await.text().await.expect("read the page text")
    }

    /// Presses keys on whatever has focus (e.g. `fantoccini::key::Key::Tab`).
    pub async fn press(&self, keys: &str) {
        let focused = self.client.active_element().await.expect("find the focused element");
        focused.send_keys(keys).await.expect("press keys");
    }

    /// A short description of the focused element: tag, id and text.
    pub async fn focused(&self) -> FocusedElement {
        let element = self.client.active_element().await.expect("find the focused element");
        FocusedElement {
            tag: element.tag_name().await.expect("read tag name").to_lowercase(),
            id: element.attr("id").await.expect("read id").unwrap_or_default(),
            text: element.text().await.expect("read text"),
            href: element.attr("href").await.expect("read href").unwrap_or_default(),
        }
    }
}

/// What has keyboard focus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FocusedElement {
    pub tag: String,
    pub id: String,
    pub text: String,
    pub href: String,
}

/// `text` as an XPath string literal (XPath 1.0 has no escapes: quotes are split with concat()).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|part| format!("'{part}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

#[cfg(test)]
mod tests {
    use super::xpath_literal;

    #[test]
    fn xpath_literals_survive_quotes() {
        assert_eq!(xpath_literal("Name"), "'Name'");
        assert_eq!(xpath_literal("it's"), "\"it's\"");
        assert_eq!(xpath_literal("it's \"x\""), "concat('it', \"'\", 's \"x\"')");
    }
}
