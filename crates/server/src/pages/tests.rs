//! The pages over real HTTP against a real server on a fresh SQLite database: redirects after a
//! successful POST, rejected forms (422) keeping what was typed with each message tied to its
//! field, conflicts, refused deletes, escaping, filters and paging, and the 404 page.

use chrono::NaiveDate;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE};
use tandem_domain::{
    DependencyFields, DependencyFilter, DependencyInput, DependencyKind, DomainError, NodeRef, PageRequest,
    ProductFilter, Program, ProgramFields, ProgramFilter, ProgramInput, ProgramPhase, Project, ProjectFields,
    ProjectInput, Store, Team, TeamFields, TeamInput, WorkItem, WorkItemFields, WorkItemFilter, WorkItemInput,
    WorkItemKind, WorkItemStatus,
};
use tandem_test_support::app::TestApp;

async fn post_form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, Option<String>, String) {
    app.post_form(path, pairs).await
}

async fn get_page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app.get(path).await;
    let status = response.status();
    let content_type = response.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"), "GET {path}");
    (status, response.text().await.unwrap())
}

/// The text of the element with `id`: up to its closing tag, tags stripped, entities decoded.
fn element_text(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let open_end = start + html[start..].find('>')? + 1;
    let tag_start = html[..start].rfind('<')? + 1;
    let tag: String = html[tag_start..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let close = open_end + html[open_end..].find(&format!("</{tag}>"))?;
    Some(decode(&strip_tags(&html[open_end..close])))
}

/// The `value` attribute of the input with `id`, decoded.
fn input_value(html: &str, id: &str) -> Option<String> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let end = start + html[start..].find('>')?;
    let tag = &html[start..end];
    let value_start = tag.find("value=\"")? + "value=\"".len();
    let value_end = value_start + tag[value_start..].find('"')?;
    Some(decode(&tag[value_start..value_end]))
}

/// The attributes of the input with `id`, as written.
fn input_tag<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let end = start + html[start..].find('>').unwrap();
    &html[start..end]
}

fn strip_tags(fragment: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode(text: &str) -> String {
    // askama writes numeric references.
    text.replace("&#60;", "<").replace("&#62;", ">").replace("&#34;", "\"").replace("&#39;", "'").replace("&#38;", "&")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn program(store: &dyn Store, name: &str) -> Program {
    let fields = ProgramFields::parse(ProgramInput {
        name: name.into(),
        goal: String::new(),
        sponsor: None,
        phase: ProgramPhase::Delivery,
        start: date(2026, 1, 5),
        target_end: date(2026, 12, 18),
        budget: None,
        currency: None,
        status_date: None,
    })
    .unwrap();
    store.create_program(tandem_test_support::conformance::tester(), fields).await.unwrap()
}

async fn project(store: &dyn Store, program: &Program, name: &str) -> Project {
    let fields = ProjectFields::parse(ProjectInput {
        program_id: program.id,
        name: name.into(),
        description: String::new(),
        manager: None,
        start: date(2026, 2, 2),
        budget: None,
    })
    .unwrap();
    store.create_project(tandem_test_support::conformance::tester(), fields).await.unwrap()
}

async fn team(store: &dyn Store, name: &str, capacity: i64) -> Team {
    let fields =
        TeamFields::parse(TeamInput { name: name.into(), capacity, working_days: None, holidays: vec![] }).unwrap();
    store.create_team(tandem_test_support::conformance::tester(), fields).await.unwrap()
}

fn item_fields(project: &Project, title: &str, status: WorkItemStatus) -> WorkItemFields {
    WorkItemFields::parse(WorkItemInput {
        kind: WorkItemKind::Task,
        project_id: Some(project.id),
        product_id: None,
        parent_id: None,
        title: title.into(),
        description: String::new(),
        status,
        optimistic: 1.0,
        most_likely: 2.0,
        pessimistic: 3.0,
        story_points: None,
        team_id: None,
        people_needed: None,
        released_on: None,
        percent_complete: None,
    })
    .unwrap()
}

async fn item(store: &dyn Store, project: &Project, title: &str) -> WorkItem {
    store
        .create_work_item(
            tandem_test_support::conformance::tester(),
            item_fields(project, title, WorkItemStatus::Backlog),
            None,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_valid_program_form_redirects_to_the_stored_program() {
    let app = TestApp::spawn().await;
    let (status, location, _) = post_form(
        &app,
        "/programs",
        &[
            ("name", "  Apollo  "),
            ("goal", "Land"),
            ("sponsor", ""),
            ("phase", "closure"),
            ("start", "2026-01-05"),
            ("target_end", "2026-03-31"),
            ("budget", "1500000"),
            ("currency", "eur"),
            ("version", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let programs = app.store().list_programs(&ProgramFilter::default(), &PageRequest::default()).await.unwrap();
    assert_eq!(programs.items.len(), 1);
    let stored = &programs.items[0];
    assert_eq!(location, Some(format!("/programs/{}", stored.id)));
    let f = &stored.fields;
    assert_eq!(
        (f.name.as_str(), f.goal.as_str(), f.sponsor.is_none(), f.phase, f.currency.as_str()),
        ("Apollo", "Land", true, ProgramPhase::Closure, "EUR")
    );
    assert_eq!((f.dates.start(), f.dates.end()), (date(2026, 1, 5), date(2026, 3, 31)));
    assert_eq!(f.budget.map(|b| b.amount()), Some(1_500_000));

    let (status, html) = get_page(&app, &format!("/programs/{}", stored.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<dt>Budget</dt><dd>1,500,000 EUR</dd>"), "{html}");
}

#[tokio::test]
async fn a_rejected_program_form_shows_each_error_at_its_field_and_keeps_the_typed_values() {
    let app = TestApp::spawn().await;
    let (status, location, html) = post_form(
        &app,
        "/programs",
        &[
            ("name", "   "),
            ("goal", "Keep <this> goal"),
            ("phase", "definition"),
            ("start", "2026-02-30"),
            ("target_end", "2026-01-01"),
            ("budget", "12k"),
            ("currency", "EURO"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(location, None);
    // One message per field, tied to the input; the end date is not also blamed for the
    // start date that could not be read.
    for (field, message) in [
        ("name", "Error: must not be blank"),
        ("start", "Error: must be a date in the form YYYY-MM-DD"),
        ("budget", "Error: must be a whole number"),
        ("currency", "Error: must be a three-letter currency code such as EUR"),
    ] {
        assert_eq!(element_text(&html, &format!("field-{field}-error")).as_deref(), Some(message), "{field}");
        let tag = input_tag(&html, &format!("field-{field}"));
        assert!(tag.contains(&format!("aria-describedby=\"field-{field}-error\"")), "{tag}");
        assert!(tag.contains("aria-invalid=\"true\""), "{tag}");
    }
    assert_eq!(element_text(&html, "field-target_end-error"), None);
    assert_eq!(element_text(&html, "error-summary-title").as_deref(), Some("Please fix these 4 problems"));
    assert_eq!(input_value(&html, "field-start").as_deref(), Some("2026-02-30"));
    assert_eq!(input_value(&html, "field-target_end").as_deref(), Some("2026-01-01"));
    assert_eq!(input_value(&html, "field-budget").as_deref(), Some("12k"));
    assert_eq!(input_value(&html, "field-currency").as_deref(), Some("EURO"));
    assert_eq!(element_text(&html, "field-goal").as_deref(), Some("Keep <this> goal"));
    assert!(html.contains("<option value=\"definition\" selected>"), "phase kept");
    let programs = app.store().list_programs(&ProgramFilter::default(), &PageRequest::default()).await.unwrap();
    assert!(programs.items.is_empty());

    // With readable dates, the domain's own rule on their order shows at the end date.
    let (status, _, html) = post_form(
        &app,
        "/programs",
        &[("name", "X"), ("phase", "definition"), ("start", "2026-03-01"), ("target_end", "2026-02-01")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        element_text(&html, "field-target_end-error").as_deref(),
        Some("Error: must not be before the start date (2026-03-01)")
    );
}

#[tokio::test]
async fn a_work_item_needing_more_people_than_its_team_has_is_refused_at_people_needed() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Artemis").await;
    let project = project(store, &program, "Lander").await;
    let team = team(store, "Avionics", 2).await;
    let project_id = project.id.to_string();
    let team_id = team.id.to_string();
    let missing_parent = tandem_domain::WorkItemId::generate();
    let parent_id = missing_parent.to_string();
    let (status, _, html) = post_form(
        &app,
        "/work-items",
        &[
            ("title", "Wire the bus"),
            ("kind", "task"),
            ("status", "ready"),
            ("project_id", &project_id),
            ("product_id", ""),
            ("parent_id", &parent_id),
            ("estimate.optimistic", "1"),
            ("estimate.most_likely", "2,5"),
            ("estimate.pessimistic", "4"),
            ("story_points", ""),
            ("team_id", &team_id),
            ("people_needed", "3"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        element_text(&html, "field-people_needed-error").as_deref(),
        Some("Error: must be at most the team's capacity of 2 people")
    );
    // Every rule the store checks shows at its field, worded as the store words it.
    let mut same = item_fields(&project, "Wire the bus", WorkItemStatus::Ready);
    same.parent_id = Some(missing_parent);
    same.team_id = Some(team.id);
    same.people_needed = tandem_domain::Headcount::parse("people_needed", 3).unwrap();
    let Err(DomainError::Validation(expected)) =
        store.create_work_item(tandem_test_support::conformance::tester(), same, None).await
    else {
        panic!("the store accepts what the page refused")
    };
    let fields: Vec<&str> = expected.errors().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, vec!["people_needed", "parent_id"]);
    for error in expected.errors() {
        let id = format!("field-{}-error", error.field);
        assert_eq!(element_text(&html, &id), Some(format!("Error: {}", error.message)), "{id}");
    }
    assert_eq!(input_value(&html, "field-estimate-most_likely").as_deref(), Some("2,5"));
    assert_eq!(input_value(&html, "field-parent_id"), Some(parent_id));
    assert!(html.contains(&format!("<option value=\"{team_id}\" selected>Avionics</option>")));
    assert!(html.contains("<option value=\"ready\" selected>ready</option>"));
    assert_eq!(store.count_work_items(&WorkItemFilter::default()).await.unwrap(), 0);
}

#[tokio::test]
async fn percent_complete_is_entered_on_the_form_and_shown_with_what_plans_take() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Artemis").await;
    let project = project(store, &program, "Lander").await;
    let project_id = project.id.to_string();
    let fields = |percent: &'static str| {
        vec![
            ("title", "Wire the bus"),
            ("kind", "task"),
            ("status", "in_progress"),
            ("project_id", project_id.as_str()),
            ("product_id", ""),
            ("parent_id", ""),
            ("estimate.optimistic", "2"),
            ("estimate.most_likely", "4"),
            ("estimate.pessimistic", "12"),
            ("story_points", ""),
            ("team_id", ""),
            ("people_needed", "1"),
            ("percent_complete", percent),
        ]
    };
    for (percent, message) in [("101", "Error: must be between 0 and 100"), ("half", "Error: must be a whole number")] {
        let (status, _, html) = post_form(&app, "/work-items", &fields(percent)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{percent}");
        assert_eq!(element_text(&html, "field-percent_complete-error").as_deref(), Some(message), "{percent}");
        assert_eq!(input_value(&html, "field-percent_complete").as_deref(), Some(percent));
    }
    assert_eq!(store.count_work_items(&WorkItemFilter::default()).await.unwrap(), 0);

    let (status, location, _) = post_form(&app, "/work-items", &fields("25")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.expect("redirect to the new item");
    let page = PageRequest::new(None, Some(10)).unwrap();
    let stored = store.list_work_items(&WorkItemFilter::default(), &page).await.unwrap().items;
    assert_eq!(stored.iter().map(|i| i.fields.percent_complete.get()).collect::<Vec<_>>(), [25]);
    let html = app.get(&location).await.text().await.unwrap();
    // PERT mean (2 + 16 + 12) / 6 = 5 days; three quarters of it is left.
    assert_eq!(
        element_text(&html, "percent-complete").as_deref(),
        Some("25 % 25 % complete (plans take the remaining 3.8 days: 4 working days once rounded up)")
    );
    let form = app.get(&format!("{location}/edit")).await.text().await.unwrap();
    assert_eq!(input_value(&form, "field-percent_complete").as_deref(), Some("25"));

    // With a child it is a summary: its own percent plans nothing, and the page says so.
    let mut child = item_fields(&project, "Route the harness", WorkItemStatus::Ready);
    child.parent_id = Some(stored[0].id);
    store.create_work_item(tandem_test_support::conformance::tester(), child, None).await.unwrap();
    let html = app.get(&location).await.text().await.unwrap();
    assert_eq!(
        element_text(&html, "progress-summary").as_deref(),
        Some("(a summary: plans and progress reports count its items' own progress)")
    );
    assert_eq!(element_text(&html, "remaining-mean"), None);
}

#[tokio::test]
async fn not_a_number_and_a_backwards_estimate_are_reported_without_stand_in_noise() {
    let app = TestApp::spawn().await;
    let (status, _, html) = post_form(
        &app,
        "/work-items",
        &[
            ("title", ""),
            ("kind", "saga"),
            ("status", "backlog"),
            ("estimate.optimistic", "two"),
            ("estimate.most_likely", "1"),
            ("estimate.pessimistic", "3"),
            ("people_needed", "1.5"),
            ("released_on", "2026-02-30"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(input_value(&html, "field-released_on").as_deref(), Some("2026-02-30"), "kept as typed");
    let errors: Vec<(String, Option<String>)> =
        ["title", "kind", "project_id", "estimate-optimistic", "estimate-most_likely", "people_needed", "released_on"]
            .into_iter()
            .map(|f| (f.to_owned(), element_text(&html, &format!("field-{f}-error"))))
            .collect();
    let expected = [
        ("title", Some("Error: must not be blank")),
        ("kind", Some("Error: must be one of epic, feature, story, task, bug")),
        ("project_id", Some("Error: a work item needs a project, a product, or both")),
        ("estimate-optimistic", Some("Error: must be a number")),
        ("estimate-most_likely", None),
        ("people_needed", Some("Error: must be a whole number")),
        ("released_on", Some("Error: must be a date in the form YYYY-MM-DD")),
    ];
    let expected: Vec<(String, Option<String>)> =
        expected.iter().map(|(f, m)| ((*f).to_owned(), m.map(str::to_owned))).collect();
    assert_eq!(errors, expected);
}

#[tokio::test]
async fn text_with_markup_and_quotes_is_escaped_everywhere_it_is_shown() {
    let app = TestApp::spawn().await;
    let nasty = "<script>alert(\"x\")</script> & 'quotes'";
    let (status, location, _) =
        post_form(&app, "/products", &[("name", nasty), ("vision", "</textarea><b>bold</b>"), ("owner", "")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    let escaped = "&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;quotes&#39;";
    for path in [location.clone(), format!("{location}/edit"), "/products".to_owned(), "/".to_owned()] {
        let (status, html) = get_page(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(escaped), "{path}: {html}");
        assert!(!html.contains("<script>"), "{path}");
        assert!(!html.contains("<b>bold"), "{path}");
    }
    let (_, html) = get_page(&app, &format!("{location}/edit")).await;
    assert_eq!(input_value(&html, "field-name").as_deref(), Some(nasty));
    assert!(html.contains("&#60;/textarea&#62;&#60;b&#62;bold&#60;/b&#62;</textarea>"));
}

#[tokio::test]
async fn unknown_pages_and_records_get_the_html_404_page() {
    let app = TestApp::spawn().await;
    let unknown = uuid::Uuid::now_v7();
    for path in [
        "/nowhere".to_owned(),
        "/programs/not-an-id".to_owned(),
        format!("/programs/{unknown}"),
        format!("/projects/{unknown}"),
        format!("/work-items/{unknown}/edit"),
        format!("/teams/{unknown}"),
        format!("/milestones/{unknown}"),
        format!("/products/{unknown}"),
    ] {
        let (status, html) = get_page(&app, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains("<h1>Page not found</h1>"), "{path}");
        assert!(html.contains("<a class=\"skip-link\" href=\"#main\">"), "the 404 page has the layout");
    }
    let (status, _, html) = post_form(&app, &format!("/programs/{unknown}"), &[("name", "x")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("<h1>Page not found</h1>"));
    // A delete form's address opened as a link.
    let (status, html) = get_page(&app, &format!("/programs/{unknown}/delete")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(html.contains("<h1>Not available this way</h1>"));
}

#[tokio::test]
async fn an_edit_of_an_outdated_version_is_refused_and_shows_the_current_values() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let stored = program(store, "Gemini").await;
    // Someone else renames it after our form was opened at version 1.
    let mut changed = stored.fields.clone();
    changed.name = tandem_domain::Name::parse("name", "Gemini II").unwrap();
    store.update_program(tandem_test_support::conformance::tester(), stored.id, 1, changed).await.unwrap();

    let path = format!("/programs/{}", stored.id);
    let (status, _, html) = post_form(
        &app,
        &path,
        &[
            ("version", "1"),
            ("name", "Mine"),
            ("phase", "delivery"),
            ("start", "2026-01-05"),
            ("target_end", "2026-12-18"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("Someone else changed this record while you were editing it"), "{html}");
    assert_eq!(input_value(&html, "field-name").as_deref(), Some("Gemini II"));
    assert!(html.contains("<input type=\"hidden\" name=\"version\" value=\"2\">"));
    assert_eq!(store.get_program(stored.id).await.unwrap().fields.name.as_str(), "Gemini II");

    // Saving again from the refreshed form works.
    let (status, location, _) = post_form(
        &app,
        &path,
        &[
            ("version", "2"),
            ("name", "Mine"),
            ("phase", "delivery"),
            ("start", "2026-01-05"),
            ("target_end", "2026-12-18"),
        ],
    )
    .await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(path.as_str())));
    let now = store.get_program(stored.id).await.unwrap();
    assert_eq!((now.fields.name.as_str(), now.meta.version), ("Mine", 3));
}

#[tokio::test]
async fn a_refused_delete_explains_why_and_an_allowed_one_redirects() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Mercury").await;
    let project = project(store, &program, "Capsule").await;

    let (status, _, html) = post_form(&app, &format!("/programs/{}/delete", program.id), &[("version", "1")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("This program cannot be deleted: it still has 1 project."), "{html}");
    assert!(store.get_program(program.id).await.is_ok());

    let (status, location, _) = post_form(&app, &format!("/projects/{}/delete", project.id), &[("version", "1")]).await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("/programs/{}", program.id))));
    let (status, location, _) = post_form(&app, &format!("/programs/{}/delete", program.id), &[("version", "1")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/programs")));
    assert!(matches!(store.get_program(program.id).await, Err(DomainError::NotFound { .. })));
}

#[tokio::test]
async fn dependencies_are_added_by_id_shown_across_projects_refused_when_cyclic_and_deleted() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Voyager").await;
    let probes = project(store, &program, "Probes").await;
    let launch = project(store, &program, "Launch").await;
    let build = item(store, &probes, "Build probe").await;
    let fly = item(store, &launch, "Launch probe").await;

    // "Launch probe" comes after "Build probe", two days later.
    let build_id = build.id.to_string();
    let (status, location, _) = post_form(
        &app,
        &format!("/work-items/{}/dependencies", fly.id),
        &[
            ("node_type", "work_item"),
            ("node_id", &build_id),
            ("direction", "after"),
            ("kind", "finish_to_start"),
            ("lag_days", "2"),
        ],
    )
    .await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("/work-items/{}#dependencies", fly.id))));
    let dependencies = store.list_dependencies(&DependencyFilter::default(), &PageRequest::default()).await.unwrap();
    assert_eq!(dependencies.items.len(), 1);
    let dependency = &dependencies.items[0];
    assert_eq!(dependency.fields.lag.days(), 2);

    let (_, html) = get_page(&app, &format!("/programs/{}", program.id)).await;
    assert_eq!(element_text(&html, "dependencies-heading").as_deref(), Some("Cross-project dependencies (1)"));
    let table_start = html.find("id=\"dependencies-heading\"").unwrap();
    let row_start = table_start + html[table_start..].find("<tbody>").unwrap();
    let row_end = row_start + html[row_start..].find("</tbody>").unwrap();
    assert_eq!(strip_tags(&html[row_start..row_end]), "Build probe (Probes) → Launch probe (Launch) FS 2");

    // The reverse link would close a cycle: the message is at the id field, the form kept.
    let fly_id = fly.id.to_string();
    let (status, _, html) = post_form(
        &app,
        &format!("/work-items/{}/dependencies", build.id),
        &[
            ("node_type", "work_item"),
            ("node_id", &fly_id),
            ("direction", "after"),
            ("kind", "start_to_start"),
            ("lag_days", "0"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = element_text(&html, "field-node_id-error").unwrap();
    assert!(message.starts_with("Error: this dependency would close a cycle: \"Launch probe\""), "{message}");
    assert_eq!(input_value(&html, "field-node_id"), Some(fly_id));
    assert!(html.contains("<option value=\"start_to_start\" selected>"));

    // Delete it from the successor's page.
    let (status, location, _) =
        post_form(&app, &format!("/dependencies/{}/delete", dependency.id), &[("work_item_id", &fly.id.to_string())])
            .await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("/work-items/{}#dependencies", fly.id))));
    let left = store.list_dependencies(&DependencyFilter::default(), &PageRequest::default()).await.unwrap();
    assert!(left.items.is_empty());
}

#[tokio::test]
async fn the_project_page_filters_work_items_and_pages_through_them_with_a_total() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Skylab").await;
    let project = project(store, &program, "Station").await;
    let mut batch: Vec<WorkItemFields> =
        (1..=51).map(|n| item_fields(&project, &format!("Item {n:02}"), WorkItemStatus::Backlog)).collect();
    batch.push(item_fields(&project, "Finished item", WorkItemStatus::Done));
    store.create_work_items(tandem_test_support::conformance::tester(), batch).await.unwrap();

    let (_, html) = get_page(&app, &format!("/projects/{}", project.id)).await;
    assert_eq!(element_text(&html, "items-heading").as_deref(), Some("Work items (52)"));
    assert!(html.contains("Showing 50 of 52."));
    let link_start = html.find("<p class=\"pager\"><a href=\"").unwrap() + "<p class=\"pager\"><a href=\"".len();
    let link = decode(&html[link_start..link_start + html[link_start..].find('"').unwrap()]);
    let (_, next) = get_page(&app, &link).await;
    assert!(next.contains("Showing 2 of 52."), "{link}");
    assert!(next.contains(">Item 51</a>") && next.contains(">Finished item</a>"));
    assert!(!next.contains("class=\"pager\""));

    let (_, done) = get_page(&app, &format!("/projects/{}?status=done&kind=&team_id=", project.id)).await;
    assert_eq!(element_text(&done, "items-heading").as_deref(), Some("Work items (1)"));
    assert!(done.contains(">Finished item</a>"));
    assert!(done.contains("<option value=\"done\" selected>done</option>"));

    let (status, bad) = get_page(&app, &format!("/projects/{}?status=sideways", project.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        element_text(&bad, "field-status-error").as_deref(),
        Some("Error: must be one of backlog, ready, in_progress, done, cancelled")
    );
    assert_eq!(element_text(&bad, "items-heading").as_deref(), Some("Work items (52)"));
}

#[tokio::test]
async fn the_team_form_reads_checkboxes_and_holiday_lines() {
    let app = TestApp::spawn().await;
    let (status, _, html) =
        post_form(&app, "/teams", &[("name", "Ops"), ("capacity", "3"), ("holidays", "2026-12-25\nChristmas\n")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        element_text(&html, "field-working_days-error").as_deref(),
        Some("Error: at least one working weekday is needed")
    );
    assert_eq!(
        element_text(&html, "field-holidays-error").as_deref(),
        Some(
            "Error: each line must be a date in the form YYYY-MM-DD, or a range such as 2026-08-03 to 2026-08-21 \
             (the first day first); not: \u{201c}Christmas\u{201d}"
        )
    );
    assert_eq!(element_text(&html, "field-holidays").as_deref(), Some("2026-12-25 Christmas"));

    let (status, location, _) = post_form(
        &app,
        "/teams",
        &[
            ("name", "Ops"),
            ("capacity", "3"),
            ("working_days", "tue"),
            ("working_days", "sat"),
            ("holidays", "2026-12-25\n\n 2026-01-01 \n2026-12-25"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let teams = app.store().list_teams(&Default::default(), &PageRequest::default()).await.unwrap();
    let stored = &teams.items[0];
    assert_eq!(location, Some(format!("/teams/{}", stored.id)));
    assert_eq!(stored.fields.calendar.week().day_names(), vec!["tue", "sat"]);
    assert_eq!(stored.fields.calendar.holidays(), &[date(2026, 1, 1), date(2026, 12, 25)]);
    let (_, html) = get_page(&app, &format!("/teams/{}/edit", stored.id)).await;
    assert!(html.contains("value=\"tue\" checked>") && html.contains("value=\"sat\" checked>"));
    assert!(html.contains("value=\"mon\">"));
    assert!(html.contains(">2026-01-01\n2026-12-25</textarea>"));
}

#[tokio::test]
async fn the_home_page_counts_projects_work_items_and_teams() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Apollo").await;
    project(store, &program, "One").await;
    project(store, &program, "Two").await;
    team(store, "Crew", 4).await;
    let (status, location, _) = post_form(&app, "/products", &[("name", "Lunar Module"), ("owner", "Grumman")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let products = store.list_products(&ProductFilter::default(), &PageRequest::default()).await.unwrap();
    assert_eq!(location, Some(format!("/products/{}", products.items[0].id)));

    let (status, html) = get_page(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    let programs_start = html.find("id=\"programs-heading\"").unwrap();
    let body = &html[programs_start..];
    let row = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    assert_eq!(strip_tags(row), "Apollo delivery 2026-01-05 2026-12-18 2");
    let products_start = html.find("id=\"products-heading\"").unwrap();
    let body = &html[products_start..];
    let row = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    assert_eq!(strip_tags(row), "Lunar Module Grumman 0");
    assert!(html.contains(">1 team</a>"));
}

#[tokio::test]
async fn the_stylesheet_is_served_with_a_cache_header() {
    let app = TestApp::spawn().await;
    let response = app.get("/static/tandem.css").await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name| response.headers().get(name).map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap());
    assert_eq!(header(CONTENT_TYPE), Some("text/css; charset=utf-8"));
    assert_eq!(header(CACHE_CONTROL), Some("public, max-age=3600"));
    let css = response.text().await.unwrap();
    assert_eq!(css, include_str!("../../static/tandem.css"));
}

#[tokio::test]
async fn milestones_created_through_the_form_are_listed_by_date_on_the_program_page() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Gemini").await;
    let project = project(store, &program, "Rendezvous").await;
    let project_id = project.id.to_string();

    let (_, html) = get_page(&app, &format!("/milestones/new?project_id={project_id}")).await;
    assert!(html.contains(&format!("<option value=\"{project_id}\" selected>Rendezvous</option>")));

    for (name, target_date) in [("Docking", "2026-09-01"), ("First orbit", "2026-03-15")] {
        let (status, location, _) = post_form(
            &app,
            "/milestones",
            &[("project_id", &project_id), ("name", name), ("target_date", target_date), ("deliverable", "")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{name}");
        assert!(location.unwrap().starts_with("/milestones/"));
    }
    let (status, _, html) =
        post_form(&app, "/milestones", &[("project_id", &project_id), ("name", "Splashdown"), ("target_date", "soon")])
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        element_text(&html, "field-target_date-error").as_deref(),
        Some("Error: must be a date in the form YYYY-MM-DD")
    );

    let (_, html) = get_page(&app, &format!("/programs/{}", program.id)).await;
    let start = html.find("id=\"milestones-heading\"").unwrap();
    let body = &html[start..];
    let rows = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    assert_eq!(strip_tags(rows), "2026-03-15 First orbit Rendezvous 2026-09-01 Docking Rendezvous");
}

#[tokio::test]
async fn a_work_item_edit_form_shows_the_stored_values_and_saves_changes() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Apollo").await;
    let project = project(store, &program, "Command Module").await;
    let parent = item(store, &project, "Heat shield").await;

    // A child starts in its parent's project, with the parent filled in.
    let (_, html) = get_page(&app, &format!("/work-items/new?parent_id={}", parent.id)).await;
    assert_eq!(input_value(&html, "field-parent_id"), Some(parent.id.to_string()));
    assert!(html.contains(&format!("<option value=\"{}\" selected>Command Module</option>", project.id)));

    let (_, html) = get_page(&app, &format!("/work-items/{}/edit", parent.id)).await;
    assert_eq!(input_value(&html, "field-title").as_deref(), Some("Heat shield"));
    assert_eq!(input_value(&html, "field-estimate-optimistic").as_deref(), Some("1"));
    assert_eq!(input_value(&html, "field-estimate-most_likely").as_deref(), Some("2"));
    assert_eq!(input_value(&html, "field-estimate-pessimistic").as_deref(), Some("3"));
    assert_eq!(input_value(&html, "field-people_needed").as_deref(), Some("1"));
    assert_eq!(input_value(&html, "field-released_on").as_deref(), Some(""));
    assert!(html.contains("<input type=\"date\" id=\"field-released_on\" name=\"released_on\""), "{html}");
    assert!(html.contains("<option value=\"task\" selected>task</option>"));

    let project_id = project.id.to_string();
    let (status, location, _) = post_form(
        &app,
        &format!("/work-items/{}", parent.id),
        &[
            ("version", "1"),
            ("title", "Ablative heat shield"),
            ("kind", "epic"),
            ("status", "in_progress"),
            ("project_id", &project_id),
            ("estimate.optimistic", "4"),
            ("estimate.most_likely", "6.5"),
            ("estimate.pessimistic", "12"),
            ("story_points", "13"),
            ("people_needed", "2"),
            ("released_on", " 2026-04-15 "),
        ],
    )
    .await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("/work-items/{}", parent.id))));
    let saved = store.get_work_item(parent.id).await.unwrap();
    let f = &saved.fields;
    assert_eq!(
        (f.title.as_str(), f.kind, f.status),
        ("Ablative heat shield", WorkItemKind::Epic, WorkItemStatus::InProgress)
    );
    assert_eq!((f.estimate.optimistic(), f.estimate.most_likely(), f.estimate.pessimistic()), (4.0, 6.5, 12.0));
    assert_eq!((f.story_points.map(|p| p.get()), f.people_needed.get(), saved.meta.version), (Some(13), 2, 2));
    assert_eq!(f.released_on, NaiveDate::from_ymd_opt(2026, 4, 15));

    let (_, html) = get_page(&app, &format!("/work-items/{}/edit", parent.id)).await;
    assert_eq!(input_value(&html, "field-released_on").as_deref(), Some("2026-04-15"));
    let (_, html) = get_page(&app, &format!("/work-items/{}", parent.id)).await;
    assert_eq!(element_text(&html, "released-on").as_deref(), Some("2026-04-15"));
    assert!(html.contains("optimistic 4, most likely 6.5, pessimistic 12 (PERT mean 7.0)"), "{html}");
    assert!(html.contains("<span class=\"badge badge-in_progress\">in progress</span>"));
}

#[tokio::test]
async fn a_work_item_with_children_is_not_deleted_and_a_leaf_is() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Apollo").await;
    let project = project(store, &program, "Service Module").await;
    let parent = item(store, &project, "Propulsion").await;
    let mut child_fields = item_fields(&project, "Engine bell", WorkItemStatus::Backlog);
    child_fields.parent_id = Some(parent.id);
    let child = store.create_work_item(tandem_test_support::conformance::tester(), child_fields, None).await.unwrap();

    let (status, _, html) = post_form(&app, &format!("/work-items/{}/delete", parent.id), &[("version", "1")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("This work item cannot be deleted: it still has 1 child work item."), "{html}");
    assert_eq!(element_text(&html, "children-heading").as_deref(), Some("Children (1)"));

    let (status, location, _) = post_form(&app, &format!("/work-items/{}/delete", child.id), &[("version", "1")]).await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, Some(format!("/projects/{}", project.id))));
    assert!(matches!(store.get_work_item(child.id).await, Err(DomainError::NotFound { .. })));
}

#[tokio::test]
async fn a_program_page_shows_the_first_hundred_cross_project_dependencies_and_says_so() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Large").await;
    let left = project(store, &program, "Left").await;
    let right = project(store, &program, "Right").await;
    let sources = store
        .create_work_items(
            tandem_test_support::conformance::tester(),
            (0..101).map(|i| item_fields(&left, &format!("Source {i}"), WorkItemStatus::Backlog)).collect(),
        )
        .await
        .unwrap();
    let target = item(store, &right, "Target").await;
    for source in &sources[..100] {
        let fields = DependencyFields::parse(DependencyInput {
            predecessor: NodeRef::WorkItem(source.id),
            successor: NodeRef::WorkItem(target.id),
            kind: DependencyKind::FinishToStart,
            lag_days: 0,
        })
        .unwrap();
        store.create_dependency(tandem_test_support::conformance::tester(), fields).await.unwrap();
    }
    let (_, html) = get_page(&app, &format!("/programs/{}", program.id)).await;
    assert_eq!(element_text(&html, "dependencies-heading").as_deref(), Some("Cross-project dependencies (100)"));

    let fields = DependencyFields::parse(DependencyInput {
        predecessor: NodeRef::WorkItem(sources[100].id),
        successor: NodeRef::WorkItem(target.id),
        kind: DependencyKind::FinishToStart,
        lag_days: 0,
    })
    .unwrap();
    store.create_dependency(tandem_test_support::conformance::tester(), fields).await.unwrap();
    let (_, html) = get_page(&app, &format!("/programs/{}", program.id)).await;
    assert_eq!(
        element_text(&html, "dependencies-heading").as_deref(),
        Some("Cross-project dependencies (the first 100)")
    );
    assert_eq!(html.matches("Source ").count(), 100);
}

/// Risks of `program` at the given (probability, most-likely days), all open but the last.
async fn risks_on_the_map(store: &dyn Store, program: &Program, project: &Project) -> Vec<tandem_domain::Risk> {
    let hit = item(store, project, "Migrate data").await;
    let mut created = Vec::new();
    for (title, probability, days, status) in [
        ("Dirty data", 75, 15.0, tandem_domain::RiskStatus::Open),
        ("Vendor <late>", 72, 12.0, tandem_domain::RiskStatus::Occurring),
        ("Scope creep", 40, 8.0, tandem_domain::RiskStatus::Open),
        ("Minor typo", 5, 1.0, tandem_domain::RiskStatus::Open),
        ("Old risk", 75, 15.0, tandem_domain::RiskStatus::Closed),
    ] {
        let mut fields = tandem_test_support::conformance::risk_fields(program.id, None, vec![hit.id], title);
        fields.probability = tandem_domain::Probability::parse("probability", probability).unwrap();
        fields.schedule_impact = tandem_domain::Estimate::new(0.0, days, days * 2.0).unwrap();
        fields.status = status;
        created.push(store.create_risk(tandem_test_support::conformance::tester(), fields).await.unwrap());
    }
    created
}

#[tokio::test]
async fn the_heat_map_svg_counts_each_cell_and_links_to_the_filtered_register() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Ledger").await;
    let project = project(store, &program, "Core").await;
    risks_on_the_map(store, &program, &project).await;

    let (status, html) = get_page(&app, &format!("/programs/{}/risks/heat-map", program.id)).await;
    assert_eq!(status, StatusCode::OK);
    let count = |p: u8, i: u8| element_text(&html, &format!("heat-count-{p}-{i}")).unwrap();
    assert_eq!((count(5, 4), count(3, 3), count(1, 1)), ("2".to_owned(), "1".to_owned(), "1".to_owned()));
    let total: u32 =
        (1..=5).flat_map(|p| (1..=5).map(move |i| (p, i))).map(|(p, i)| count(p, i).parse::<u32>().unwrap()).sum();
    assert_eq!(total, 4, "the closed risk is not on the default map");
    assert_eq!(
        element_text(&html, "heat-map-total").as_deref(),
        Some("4 risks on the map. Each cell links to its risks in the register.")
    );
    assert!(html.contains("<title id=\"heat-map-title\">Probability-impact heat map</title>"));
    assert!(html.contains("aria-label=\"Probability 71-100%, impact 10-20 days: 2 risks (score 20, critical)\""));
    let link =
        format!("href=\"/programs/{}/risks?status=active&amp;probability_band=5&amp;impact_band=4\"", program.id);
    assert!(html.contains(&link), "{html}");

    let (_, all) = get_page(&app, &format!("/programs/{}/risks/heat-map?status=all", program.id)).await;
    assert_eq!(element_text(&all, "heat-count-5-4").as_deref(), Some("3"));
    let (status, _) = get_page(&app, &format!("/programs/{}/risks/heat-map", uuid::Uuid::now_v7())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_register_ranks_by_score_and_filters_by_cell_status_and_category() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Ledger").await;
    let project = project(store, &program, "Core").await;
    risks_on_the_map(store, &program, &project).await;
    let titles = |html: &str| -> String {
        let table = &html[html.find("id=\"risk-register\"").unwrap()..];
        let body = &table[table.find("<tbody>").unwrap()..table.find("</tbody>").unwrap()];
        body.split("<tr>")
            .skip(1)
            .map(|row| strip_tags(row).split(' ').take(3).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let (_, html) = get_page(&app, &format!("/programs/{}/risks", program.id)).await;
    // Rank, score, rating: 20 (75 %) before 20 (72 %), then 9, then 1; the closed one is left out.
    assert_eq!(titles(&html), "1 20 critical | 2 20 critical | 3 9 medium | 4 1 low");
    assert!(html.contains("Vendor &#60;late&#62;"), "titles are escaped");
    let (_, cell) = get_page(&app, &format!("/programs/{}/risks?probability_band=3&impact_band=3", program.id)).await;
    assert_eq!(titles(&cell), "1 9 medium");
    assert!(cell.contains("Showing the heat map cell probability 31-50%, impact 5-10 days."));
    let (_, closed) = get_page(&app, &format!("/programs/{}/risks?status=closed", program.id)).await;
    assert_eq!(titles(&closed), "1 20 critical");
    let (_, none) = get_page(&app, &format!("/programs/{}/risks?status=all&category=quality", program.id)).await;
    assert!(none.contains("No risks match."));
    let (_, program_page) = get_page(&app, &format!("/programs/{}", program.id)).await;
    assert!(program_page.contains(&format!("href=\"/programs/{}/risks\"", program.id)));
}

#[tokio::test]
async fn a_risk_form_names_each_bad_field_and_a_valid_one_shows_the_score() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let program = program(store, "Ledger").await;
    let project = project(store, &program, "Core").await;
    let hit = item(store, &project, "Migrate data").await;
    let program_id = program.id.to_string();
    let hit_id = hit.id.to_string();

    let (_, html) = get_page(&app, &format!("/risks/new?program_id={program_id}")).await;
    assert!(html.contains(&format!("<option value=\"{hit_id}\">Migrate data</option>")), "the program's items");

    let mut form = vec![
        ("program_id", program_id.as_str()),
        ("project_id", ""),
        ("title", "Dirty data"),
        ("category", "technical"),
        ("status", "open"),
        ("response", "mitigate"),
        ("probability", "140"),
        ("schedule_impact.optimistic", "5"),
        ("schedule_impact.most_likely", "15"),
        ("schedule_impact.pessimistic", "40"),
        ("work_item_ids", hit_id.as_str()),
        ("mitigations[0].description", ""),
        ("mitigations[0].due_date", ""),
        ("mitigations[1].description", "Profile the data"),
        ("mitigations[1].due_date", ""),
    ];
    let (status, _, html) = post_form(&app, "/risks", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        element_text(&html, "field-probability-error").as_deref(),
        Some("Error: must be a percentage between 0 and 100")
    );
    assert_eq!(
        element_text(&html, "field-mitigations[1]-due_date-error").as_deref(),
        Some("Error: must not be blank"),
        "the error sits on the row the person filled"
    );
    assert_eq!(input_value(&html, "field-mitigations[1]-description").as_deref(), Some("Profile the data"));

    form[6] = ("probability", "75");
    form[14] = ("mitigations[1].due_date", "2026-05-15");
    let (status, location, _) = post_form(&app, "/risks", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    let (_, page) = get_page(&app, &location).await;
    assert_eq!(element_text(&page, "risk-score").as_deref(), Some("5 x 4 = 20 (probability band x impact band)"));
    assert_eq!(element_text(&page, "risk-hits").as_deref(), Some("Migrate data"));
    let risk_id: tandem_domain::RiskId = location.trim_start_matches("/risks/").parse().unwrap();
    let stored = store.get_risk(risk_id).await.unwrap();
    assert_eq!(stored.fields.mitigations.len(), 1);
    assert_eq!(stored.fields.work_item_ids, vec![hit.id]);

    let (_, edit) = get_page(&app, &format!("{location}/edit")).await;
    assert_eq!(input_value(&edit, "field-mitigations[0]-due_date").as_deref(), Some("2026-05-15"));
    assert!(edit.contains(&format!("<option value=\"{hit_id}\" selected>Migrate data</option>")));
}

// ---------------------------------------------------------------------------------------------
// Feedback and research: the evidence pages.

#[tokio::test]
async fn the_evidence_page_ranks_features_by_demand_keeps_an_inbox_and_imports_csv() {
    use tandem_domain::evidence::{InsightFilter, SegmentFields, SegmentInput};
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let product = store
        .create_product(
            tandem_test_support::conformance::tester(),
            tandem_test_support::conformance::product_fields("Shop"),
        )
        .await
        .unwrap();
    let feature = store
        .create_work_item(
            tandem_test_support::conformance::tester(),
            tandem_test_support::conformance::work_item_fields(None, Some(product.id), "Exports <CSV>"),
            None,
        )
        .await
        .unwrap();
    let evidence = format!("/products/{}/evidence", product.id);

    // A segment through its form; a bad weight is refused at its field.
    let (status, _, html) =
        post_form(&app, &format!("/products/{}/segments", product.id), &[("name", "Enterprise"), ("weight", "12")])
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("must be greater than 0 and at most 10"), "{html}");
    let (status, location, _) =
        post_form(&app, &format!("/products/{}/segments", product.id), &[("name", "Enterprise"), ("weight", "2")])
            .await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(evidence.as_str())));
    let segments = store.list_segments(product.id).await.unwrap();
    assert_eq!(segments[0].fields, {
        let input =
            SegmentInput { product_id: product.id, name: "Enterprise".into(), description: String::new(), weight: 2.0 };
        SegmentFields::parse(input).unwrap()
    });

    // An insight through its form, linked to the feature: critical in Enterprise = 3 x 2.
    let feature_id = feature.id.to_string();
    let segment_id = segments[0].id.to_string();
    let (status, location, _) = post_form(
        &app,
        &format!("/products/{}/insights", product.id),
        &[
            ("customer", "Acme"),
            ("segment_id", &segment_id),
            ("date", "2026-03-02"),
            ("quote", "We export every Friday"),
            ("importance", "critical"),
            ("source", "sales_call"),
            ("source_reference", ""),
            ("feature_ids", &feature_id),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with("/insights/"));

    // A rejected CSV import stores nothing and lists each row's problem.
    let (status, _, html) = post_form(
        &app,
        &format!("/products/{}/insights/import", product.id),
        &[("csv", "date,source,customer,quote,importance\n2026-13-01,survey,Bolt,Slow,important\n")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        element_text(&html, "import-errors").unwrap().trim(),
        "rows[1].date: must be a date in the form YYYY-MM-DD"
    );
    assert_eq!(store.list_insights(&InsightFilter::product(product.id)).await.unwrap().len(), 1);
    let (status, _, html) = post_form(
        &app,
        &format!("/products/{}/insights/import", product.id),
        &[("csv", "date,source,customer,quote,importance\n2026-03-01,survey,Bolt,Slow,important\n")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Imported 1 insights."));

    let (status, html) = get_page(&app, &evidence).await;
    assert_eq!(status, StatusCode::OK);
    // One customer, one insight, critical (3) x Enterprise (2).
    assert!(html.contains("Exports &#60;CSV&#62;</a></td><td>1</td><td>1</td><td>6</td>"), "{html}");
    let inbox = element_text(&html, "inbox").unwrap();
    assert!(inbox.contains("Inbox (1)") && inbox.contains("Bolt") && !inbox.contains("Acme"), "{inbox}");
    assert!(!html.contains("Exports <CSV>"), "titles are escaped");

    let (status, html) = get_page(&app, &format!("/work-items/{}/evidence", feature.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(element_text(&html, "demand-score").as_deref(), Some("6"));
    assert!(html.contains("We export every Friday"));
    let (_, html) = get_page(&app, &format!("/products/{}", product.id)).await;
    assert!(html.contains(&format!("href=\"{evidence}\"")), "the product page links its evidence");
}

// ---------------------------------------------------------------------------------------------
// Experiments: A/B tests.

#[tokio::test]
async fn an_experiment_form_names_its_rows_and_the_page_shows_results_chart_and_verdict() {
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let product = store
        .create_product(
            tandem_test_support::conformance::tester(),
            tandem_test_support::conformance::product_fields("Shop"),
        )
        .await
        .unwrap();
    let create = format!("/products/{}/experiments", product.id);
    let (status, html) = get_page(&app, &format!("/products/{}", product.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("href=\"{create}\"")), "the product nav links the experiments");
    let (status, html) = get_page(&app, &format!("{create}/new")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"csrf_token\""));

    // Row 1 left blank is dropped; row 2's error stays on row 2.
    let plan = [
        ("name", "Green button"),
        ("hypothesis", "A green button converts better"),
        ("metric", "conversion"),
        ("status", "running"),
        ("baseline", "0.05"),
        ("minimum_detectable_effect", "0.1"),
        ("power", "0.8"),
        ("alpha", "0.05"),
        ("variants[0].name", "Control"),
        ("variants[0].visitors", "10000"),
        ("variants[0].conversions", "500"),
        ("variants[1].name", ""),
        ("variants[2].name", "Green"),
        ("variants[2].visitors", "10000"),
    ];
    let mut bad = plan.to_vec();
    bad.push(("variants[2].conversions", "10001"));
    let (status, _, html) = post_form(&app, &create, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("must not exceed the visitors (10000)"), "{html}");
    assert!(html.contains("name=\"variants[2].conversions\" value=\"10001\""), "the typed value is kept");

    let mut good = plan.to_vec();
    good.push(("variants[2].conversions", "563"));
    let (status, location, _) = post_form(&app, &create, &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap();
    assert!(location.starts_with("/experiments/"));
    let stored = store.list_experiments(product.id).await.unwrap();
    assert_eq!(stored[0].fields.variants.len(), 2);

    let (status, html) = get_page(&app, &location).await;
    assert_eq!(status, StatusCode::OK);
    // The SciPy references of experiments.rs: p = 0.0471, lift +12.60 % in (-0.60 %, +25.80 %).
    assert_eq!(
        element_text(&html, "verdicts").unwrap().split_whitespace().collect::<Vec<_>>().join(" "),
        "Green: Not enough data yet: 10000 of the planned 31234 per variant. Keep the test running; no winner is \
         called before the planned sample size."
    );
    let cells = |variant: &str| -> Vec<String> {
        let start = html.find(&format!("<th scope=\"row\">{variant}")).unwrap();
        let row = &html[start..start + html[start..].find("</tr>").unwrap()];
        row.split("<td>").skip(1).map(|cell| cell.split("</td>").next().unwrap().to_owned()).collect()
    };
    // Each variant's own interval is the Wilson score interval (was Wald), Python 3:
    //   z = NormalDist().inv_cdf(0.975); d = 1 + z*z/n; c = (p + z*z/(2*n)) / d
    //   h = z / d * math.sqrt(p*(1-p)/n + z*z/(4*n*n)) -> 500/10000: (0.045898, 0.054447),
    //   563/10000: (0.051950, 0.060990).
    assert_eq!(cells("Control"), ["10000", "5.00 %", "4.59 % to 5.44 %", "—", "—", "—"]);
    assert_eq!(cells("Green"), ["10000", "5.63 %", "5.20 % to 6.10 %", "+12.60 %", "-0.60 % to +25.80 %", "0.047"]);
    assert!(element_text(&html, "plan").unwrap().contains("31234 per variant"));
    assert_eq!(html.matches("<circle").count(), 2, "one dot per variant in the chart");
    assert!(html.contains("Edit experiment") && html.contains("Delete experiment"));

    let (_, html) = get_page(&app, &create).await;
    assert!(element_text(&html, "experiments").unwrap().contains("Green button"));
}

// Product metrics: the metrics page.

/// The raw HTML of the `<section>` or `<div>` with `id`, up to its first closing `</section>` or
/// `</div>` after the chart.
fn block_html<'a>(html: &'a str, id: &str, close: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let end = start + html[start..].find(close).unwrap_or(html.len() - start);
    &html[start..end]
}

#[tokio::test]
async fn the_metrics_page_charts_each_kind_and_a_features_adoption_since_release() {
    use tandem_domain::metrics::{MetricFilter, MetricKind};
    use tandem_test_support::conformance::{metric_point, product_fields, tester, work_item_fields};
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let product = store.create_product(tester(), product_fields("Shop")).await.unwrap();
    let released =
        store.create_work_item(tester(), work_item_fields(None, Some(product.id), "Export"), None).await.unwrap();
    let mut done = released.fields.clone();
    done.status = WorkItemStatus::Done;
    store.update_work_item(tester(), released.id, released.meta.version, done, None).await.unwrap();
    let unreleased =
        store.create_work_item(tester(), work_item_fields(None, Some(product.id), "Search"), None).await.unwrap();
    // The release day is the audit event's, read back as the page does (not the clock, which
    // may have passed midnight since): one adoption point before it, two after.
    let filter = tandem_domain::AuditFilter {
        entity: Some(tandem_domain::EntityKind::WorkItem),
        record_id: Some(released.id.to_string()),
        ..Default::default()
    };
    let events = store.list_audit_events(&filter, &PageRequest::default()).await.unwrap().items;
    let today = tandem_domain::metrics::release_instant(&events).expect("released").date_naive();
    let day = |offset: i64| today + chrono::Duration::days(offset);
    let rows = vec![
        metric_point(product.id, Some(released.id), MetricKind::Adoption, day(-30), 2.0),
        metric_point(product.id, Some(released.id), MetricKind::Adoption, day(1), 8.0),
        metric_point(product.id, Some(released.id), MetricKind::Adoption, day(31), 15.0),
        metric_point(product.id, Some(unreleased.id), MetricKind::Adoption, day(1), 1.0),
        metric_point(product.id, None, MetricKind::Adoption, day(1), 40.0),
    ];
    store.record_metric_points(tester(), rows).await.unwrap();
    let metrics = format!("/products/{}/metrics", product.id);

    // A point through the form; a value out of its kind's range is refused at its field.
    let (status, _, html) =
        post_form(&app, &metrics, &[("kind", "satisfaction"), ("date", "2026-01-31"), ("value", "150")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("satisfaction must be from -100 to 100"), "{html}");
    let (status, location, _) =
        post_form(&app, &metrics, &[("kind", "revenue"), ("date", "2026-01-31"), ("value", "1000")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(metrics.as_str())));

    // A rejected CSV import stores nothing and lists each row's problem; a good one stores all.
    let (status, _, html) = post_form(
        &app,
        &format!("{metrics}/import"),
        &[("csv", "date,kind,value\n2026-02-28,revenue,-5\n2026-03-31,mood,1\n")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        element_text(&html, "import-errors").unwrap().trim(),
        "rows[1].value: revenue must be from 0 to 1000000000000\
         rows[2].kind: must be one of adoption, retention, revenue, satisfaction"
    );
    let (status, _, html) = post_form(
        &app,
        &format!("{metrics}/import"),
        &[("csv", "date,kind,value\n2026-02-28,revenue,1200\n2026-03-31,revenue,1500\n2026-03-31,satisfaction,-10\n")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Imported 3 points."));
    assert_eq!(store.list_metric_points(&MetricFilter::product(product.id)).await.unwrap().len(), 9);

    let (status, html) = get_page(&app, &metrics).await;
    assert_eq!(status, StatusCode::OK);
    // Revenue: 3 points on one line; adoption: the product's own and two features' (5 points).
    let revenue = block_html(&html, "chart-revenue", "</section>");
    assert_eq!((revenue.matches("<circle").count(), revenue.matches("<polyline").count()), (3, 1));
    assert!(revenue.contains("<title>Whole product: 2026-03-31: 1500</title>"), "{revenue}");
    let adoption = block_html(&html, "chart-adoption", "</section>");
    assert_eq!((adoption.matches("<circle").count(), adoption.matches("<polyline").count()), (5, 3));
    assert!(block_html(&html, "chart-retention", "</section>").contains("No retention points yet."));

    // Export's adoption since its release: the two later points; Search was never released.
    let since = block_html(&html, &format!("adoption-{}", released.id), "</figure>");
    assert!(since.contains(&format!("Released on {today}. 1 earlier point is left out.")), "{since}");
    assert_eq!(since.matches("<circle").count(), 2);
    let never = element_text(&html, &format!("adoption-{}", unreleased.id)).unwrap();
    assert!(never.contains("Not released: it has no release date and its status has never become done"), "{never}");

    // Deleting a point from its row.
    let point = store.list_metric_points(&MetricFilter::product(product.id)).await.unwrap()[0].clone();
    let (status, location, _) =
        post_form(&app, &format!("/metric-points/{}/delete", point.id), &[("version", "1")]).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(metrics.as_str())));
    assert_eq!(store.list_metric_points(&MetricFilter::product(product.id)).await.unwrap().len(), 8);
    let (_, html) = get_page(&app, &format!("/products/{}", product.id)).await;
    assert!(html.contains(&format!("href=\"{metrics}\"")), "the product page links its metrics");
}

#[tokio::test]
async fn an_entered_release_date_dates_a_features_adoption_even_when_it_is_done_later() {
    use tandem_domain::metrics::MetricKind;
    use tandem_test_support::conformance::{day, metric_point, product_fields, tester, work_item_fields};
    let app = TestApp::spawn().await;
    let store = app.store().as_ref();
    let product = store.create_product(tester(), product_fields("Shop")).await.unwrap();
    let mut fields = work_item_fields(None, Some(product.id), "Import");
    fields.released_on = Some(day(2026, 3, 2));
    let item = store.create_work_item(tester(), fields, None).await.unwrap();
    let filter = tandem_domain::AuditFilter {
        entity: Some(tandem_domain::EntityKind::WorkItem),
        record_id: Some(item.id.to_string()),
        ..Default::default()
    };
    let created = store.list_audit_events(&filter, &PageRequest::default()).await.unwrap().items;
    let last = created[0].changes.last().map(|c| (c.field.as_str(), c.after.as_deref()));
    assert_eq!(last, Some(("released_on", Some("2026-03-02"))), "audited last, as YYYY-MM-DD");
    // Done today, by the audit trail: the entered date still counts.
    let mut done = item.fields.clone();
    done.status = WorkItemStatus::Done;
    store.update_work_item(tester(), item.id, item.meta.version, done, None).await.unwrap();
    let rows = vec![
        metric_point(product.id, Some(item.id), MetricKind::Adoption, day(2026, 2, 23), 1.0),
        metric_point(product.id, Some(item.id), MetricKind::Adoption, day(2026, 3, 2), 4.0),
        metric_point(product.id, Some(item.id), MetricKind::Adoption, day(2026, 3, 9), 9.0),
    ];
    store.record_metric_points(tester(), rows).await.unwrap();

    let (status, html) = get_page(&app, &format!("/products/{}/metrics", product.id)).await;
    assert_eq!(status, StatusCode::OK);
    let since = block_html(&html, &format!("adoption-{}", item.id), "</figure>");
    assert!(since.contains("Released on 2026-03-02. 1 earlier point is left out."), "{since}");
    assert_eq!(since.matches("<circle").count(), 2);
    assert!(since.contains("2026-03-09"), "{since}");
}
