//! Every link a page offers leads somewhere: the demo, crawled from the home page over real
//! HTTP as each demo account, has no page that answers anything but 200. A link to a record the
//! account may not read (a 404) or a page that fails to render is a defect this finds: it found
//! work item pages that answered 404 to a product manager who could not see the item's project.

use std::collections::{HashSet, VecDeque};

use reqwest::{Client, StatusCode};
use tandem_domain::forecasting::ForecastOptions;
use tandem_domain::planning::ScheduleOptions;
use tandem_domain::{Actor, PageRequest, ProgramFilter, TokenScope};
use tandem_engine::Distribution;
use tandem_server::api::forecast::compute_forecast;
use tandem_server::api::schedule::compute_schedule;
use tandem_test_support::app::{TestApp, client_with_token, issue_token};

/// Pages visited per account at most (breadth first from the home page): enough to reach every
/// kind of page of the demo at least once (records sit three or four links deep).
const PAGES_PER_ACCOUNT: usize = 600;

/// Same-origin page links of `html` (`href="/..."`), without fragments, static files, the API
/// or sign-out.
fn page_links(html: &str) -> Vec<String> {
    html.split("href=\"/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|link| format!("/{}", link.split('#').next().unwrap_or_default().replace("&amp;", "&")))
        .filter(|link| !link.starts_with("/static/") && !link.starts_with("/api/") && link != "/logout")
        .collect()
}

/// The pages reached from `/` that did not answer 200, each with the page that linked to it.
async fn broken_pages(app: &TestApp, client: &Client) -> (usize, Vec<String>) {
    let mut seen: HashSet<String> = HashSet::from(["/".to_owned()]);
    let mut queue: VecDeque<(String, String)> = VecDeque::from([("/".to_owned(), String::new())]);
    let (mut visited, mut broken) = (0, Vec::new());
    while let Some((path, from)) = queue.pop_front() {
        if visited == PAGES_PER_ACCOUNT {
            break;
        }
        visited += 1;
        let response = client.get(app.url(&path)).send().await.expect("request");
        let status = response.status();
        let html = response.text().await.expect("body");
        if status != StatusCode::OK {
            broken.push(format!("{status} {path} (linked from {from})"));
            continue;
        }
        for link in page_links(&html) {
            if seen.insert(link.clone()) {
                queue.push_back((link, path.clone()));
            }
        }
    }
    (visited, broken)
}

#[tokio::test]
async fn every_page_the_demo_links_to_opens_for_every_demo_account() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    tandem_domain::demo::load_demo(store).await.expect("load the demo");
    let accounts = tandem_domain::demo::ensure_demo_accounts(store).await.expect("demo accounts");
    // As `tandem demo` leaves it: with the program's schedule and forecast, whose charts and
    // tables link to work items, milestones and risks.
    let program = store.list_programs(&ProgramFilter::default(), &PageRequest::first(1)).await.expect("programs").items;
    let program = program.first().expect("the demo program").id;
    compute_schedule(store, program, ScheduleOptions::default()).await.expect("schedule");
    let options = ForecastOptions::new(Some(200), None, true, Distribution::Pert).expect("options");
    compute_forecast(store, &Actor::system("test"), program, options).await.expect("forecast");
    let users = store.list_users(&PageRequest::first(100)).await.expect("users").items;
    assert_eq!(accounts.len(), 7);
    for account in &accounts {
        let user = users.iter().find(|u| u.fields.username.as_str() == account.username).expect("the account's user");
        let client = client_with_token(&issue_token(store, user, TokenScope::ReadWrite).await);
        let (visited, broken) = broken_pages(&app, &client).await;
        // Even the viewer reaches dozens of pages: the crawl is not stopped at the door.
        assert!(visited >= 50, "{}: only {visited} pages reached", account.username);
        assert!(broken.is_empty(), "{} ({}):\n{}", account.username, account.plays, broken.join("\n"));
    }
}

#[test]
fn page_links_keep_same_origin_pages_only() {
    let html = r##"<a href="/programs/1">p</a> <a href="/static/tandem.css">s</a> <a href="/api/v1/x">a</a>
        <a href="/logout">o</a> <a href="https://example.com/">e</a> <a href="/work-items/2#deps">w</a>
        <a href="/backlog?kind=epic&amp;q=x">b</a>"##;
    assert_eq!(page_links(html), ["/programs/1", "/work-items/2", "/backlog?kind=epic&q=x"]);
}
