//! End-to-end tests of the HTML pages in a real headless Chromium: a person creating a program, a
//! project and a work item through the forms, a rejected form keeping what was typed,
//! keyboard-only use, and a CSV file chosen in the insights import form. Skipped (with a message)
//! when Chromium is not installed, unless `CI` is set.

use fantoccini::key::Key;
use tandem_domain::{PageRequest, Store};
use tandem_domain::{ProgramFilter, ProjectFilter, WorkItemFilter};
use tandem_test_support::app::{TEST_PASSWORD, TestApp, json_response};
use tandem_test_support::browser::Browser;

/// The id at the end of a path such as `/programs/{id}`.
fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or_default()
}

#[tokio::test]
async fn a_program_a_project_and_a_work_item_created_through_the_forms_are_listed() {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn().await;
    browser.sign_in(&app.base_url, "admin", TEST_PASSWORD).await;

    // A program.
    browser.goto(&app.url("/programs/new")).await;
    browser.fill("Name", "Apollo Launch").await;
    browser.fill("Goal", "Land on the Moon").await;
    browser.choose("Phase", "delivery").await;
    browser.fill_date("Start", "2026-01-05").await;
    browser.fill_date("Target end", "2026-12-18").await;
    browser.click_button("Create program").await;
    let program_path = browser.current_path().await;
    assert!(program_path.starts_with("/programs/"), "redirected to {program_path}");
    let programs = app.store().list_programs(&ProgramFilter::default(), &PageRequest::default()).await.unwrap();
    assert_eq!(programs.items.len(), 1);
    let program = &programs.items[0];
    assert_eq!(program_path, format!("/programs/{}", program.id));
    assert_eq!(program.fields.name.as_str(), "Apollo Launch");
    assert_eq!(program.fields.dates.start().to_string(), "2026-01-05");
    assert_eq!(program.fields.dates.end().to_string(), "2026-12-18");
    assert_eq!(program.fields.phase.as_str(), "delivery");

    // A project, from the program page's link (which preselects the program).
    browser.click_link("New project").await;
    assert_eq!(browser.value_of("Program").await, program.id.to_string());
    browser.fill("Name", "Guidance Computer").await;
    browser.fill("Project manager", "Margaret").await;
    browser.fill_date("Start", "2026-02-02").await;
    browser.click_button("Create project").await;
    let project_path = browser.current_path().await;
    assert!(project_path.starts_with("/projects/"), "redirected to {project_path}");
    let project_id = last_segment(&project_path).to_owned();

    // The program page lists it.
    browser.goto(&app.url(&program_path)).await;
    let text = browser.main_text().await;
    assert!(text.contains("Projects (1)"), "program page: {text}");
    let row = browser.find("section[aria-labelledby='projects-heading'] tbody tr").await;
    // Its work done: nothing estimated yet.
    assert_eq!(row.text().await.unwrap(), "Guidance Computer Margaret 2026-02-02 —");

    // A work item, from the project page's link.
    browser.goto(&app.url(&project_path)).await;
    browser.click_link("New work item").await;
    assert_eq!(browser.value_of("Project").await, project_id);
    browser.fill("Title", "Write the landing software").await;
    browser.choose("Kind", "feature").await;
    browser.fill("Optimistic", "2").await;
    browser.fill("Most likely", "3").await;
    browser.fill("Pessimistic", "5").await;
    browser.click_button("Create work item").await;
    let item_path = browser.current_path().await;
    assert!(item_path.starts_with("/work-items/"), "redirected to {item_path}");
    let text = browser.main_text().await;
    assert!(text.contains("optimistic 2, most likely 3, pessimistic 5 (PERT mean 3.2)"), "work item page: {text}");

    // The project page lists it, with the total.
    browser.goto(&app.url(&project_path)).await;
    let text = browser.main_text().await;
    assert!(text.contains("Work items (1)"), "project page: {text}");
    let row = browser.find("section[aria-labelledby='items-heading'] tbody tr").await;
    assert_eq!(row.text().await.unwrap(), "Write the landing software feature backlog 3.2");
    let stored = app.store().list_work_items(&WorkItemFilter::default(), &PageRequest::default()).await.unwrap();
    assert_eq!(stored.items.len(), 1);
    assert_eq!(stored.items[0].fields.placement.project_id().map(|p| p.to_string()), Some(project_id));

    browser.close().await;
}

#[tokio::test]
async fn a_rejected_estimate_shows_the_error_next_to_the_field_and_keeps_what_was_typed() {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn().await;
    browser.sign_in(&app.base_url, "admin", TEST_PASSWORD).await;
    let (_, project) = arrange_program_and_project(app.store().as_ref()).await;

    browser.goto(&app.url(&format!("/work-items/new?project_id={project}"))).await;
    browser.fill("Title", "Backwards estimate").await;
    browser.fill("Optimistic", "9").await;
    browser.fill("Most likely", "3").await;
    browser.fill("Pessimistic", "5").await;
    browser.fill("Story points", "8").await;
    browser.click_button("Create work item").await;

    // Still on the form, nothing stored.
    assert_eq!(browser.current_path().await, "/work-items");
    let count = app.store().count_work_items(&WorkItemFilter::default()).await.unwrap();
    assert_eq!(count, 0);

    // The message sits next to the field and is tied to it for screen readers.
    let optimistic = browser.field("Optimistic").await;
    assert_eq!(optimistic.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    assert_eq!(optimistic.attr("aria-describedby").await.unwrap().as_deref(), Some("field-estimate-optimistic-error"));
    let message = browser.find("#field-estimate-optimistic-error").await.text().await.unwrap();
    assert!(message.ends_with("optimistic (9) must not exceed pessimistic (5)"), "message: {message}");
    let summary = browser.find(".notice-error").await.text().await.unwrap();
    assert!(summary.contains("Please fix this problem"), "summary: {summary}");

    // Everything typed is still there.
    assert_eq!(browser.value_of("Title").await, "Backwards estimate");
    assert_eq!(browser.value_of("Optimistic").await, "9");
    assert_eq!(browser.value_of("Most likely").await, "3");
    assert_eq!(browser.value_of("Pessimistic").await, "5");
    assert_eq!(browser.value_of("Story points").await, "8");
    assert_eq!(browser.value_of("Project").await, project.to_string());

    // Fixing the one field is enough.
    browser.fill("Optimistic", "1").await;
    browser.click_button("Create work item").await;
    assert!(browser.current_path().await.starts_with("/work-items/"));
    assert_eq!(app.store().count_work_items(&WorkItemFilter::default()).await.unwrap(), 1);

    browser.close().await;
}

#[tokio::test]
async fn the_skip_link_and_a_form_work_with_the_keyboard_alone() {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn().await;
    browser.sign_in(&app.base_url, "admin", TEST_PASSWORD).await;

    // The first Tab reaches the skip link; Enter moves focus to the main content.
    browser.goto(&app.url("/")).await;
    browser.press(&Key::Tab.to_string()).await;
    let focused = browser.focused().await;
    assert_eq!((focused.tag.as_str(), focused.text.as_str()), ("a", "Skip to main content"));
    browser.press(&Key::Enter.to_string()).await;
    assert_eq!(browser.focused().await.id, "main");

    // A product created without a mouse: Tab to the name, type, Tab to the button, Enter.
    browser.goto(&app.url("/products/new")).await;
    let mut typed = false;
    let mut submitted = false;
    for _ in 0..30 {
        browser.press(&Key::Tab.to_string()).await;
        let focused = browser.focused().await;
        if focused.id == "field-name" && !typed {
            browser.press("Keyboard Product").await;
            typed = true;
        }
        if focused.tag == "button" && focused.text == "Create product" {
            browser.press_and_wait_for_new_page(&Key::Enter.to_string()).await;
            submitted = true;
            break;
        }
    }
    assert!(typed && submitted, "Tab never reached the name field and then the submit button");
    let path = browser.current_path().await;
    assert!(path.starts_with("/products/"), "after Enter: {path}");
    let text = browser.main_text().await;
    assert!(text.starts_with("Products\nKeyboard Product"), "product page: {text}");

    browser.close().await;
}

/// A program with one project, made directly in the store.
async fn arrange_program_and_project(store: &dyn Store) -> (tandem_domain::ProgramId, tandem_domain::ProjectId) {
    use chrono::NaiveDate;
    use tandem_domain::{ProgramFields, ProgramInput, ProgramPhase, ProjectFields, ProjectInput};
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let program = store
        .create_program(
            tandem_test_support::conformance::tester(),
            ProgramFields::parse(ProgramInput {
                name: "Artemis".into(),
                goal: String::new(),
                sponsor: None,
                phase: ProgramPhase::Definition,
                start: date(2026, 1, 5),
                target_end: date(2026, 12, 18),
                budget: None,
                currency: None,
                status_date: None,
            })
            .unwrap(),
        )
        .await
        .unwrap();
    let project = store
        .create_project(
            tandem_test_support::conformance::tester(),
            ProjectFields::parse(ProjectInput {
                program_id: program.id,
                name: "Lander".into(),
                description: String::new(),
                manager: None,
                start: date(2026, 2, 2),
                budget: None,
            })
            .unwrap(),
        )
        .await
        .unwrap();
    let projects = store.list_projects(&ProjectFilter::default(), &PageRequest::default()).await.unwrap();
    assert_eq!(projects.items.len(), 1);
    (program.id, project.id)
}

#[tokio::test]
async fn people_sign_in_through_the_login_page_and_out_again() {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn().await;

    // Signed out, a page sends the browser to the sign-in page, which remembers where it was going.
    browser.goto(&app.url("/teams")).await;
    assert_eq!(browser.current_path().await, "/login");

    // A wrong password and an unknown user get the same answer.
    browser.fill("Username", "admin").await;
    browser.fill("Password", "not the password").await;
    browser.click_button("Sign in").await;
    let wrong_password = browser.find(".error-summary").await.text().await.unwrap();
    browser.fill("Username", "nobody-here").await;
    browser.fill("Password", "not the password").await;
    browser.click_button("Sign in").await;
    let unknown_user = browser.find(".error-summary").await.text().await.unwrap();
    assert_eq!(wrong_password, "Unknown username or wrong password.");
    assert_eq!(unknown_user, wrong_password);

    // The right password leads on to the page first asked for, with the user in the header.
    browser.fill("Username", "admin").await;
    browser.fill("Password", TEST_PASSWORD).await;
    browser.click_button("Sign in").await;
    assert_eq!(browser.current_path().await, "/teams");
    let header = browser.find(".account-menu").await.text().await.unwrap();
    assert!(header.contains("Test admin"), "header: {header}");

    // Signing out ends the session: pages send the browser back to the sign-in page.
    browser.click_button("Sign out").await;
    assert_eq!(browser.current_path().await, "/login");
    browser.goto(&app.url("/programs")).await;
    assert_eq!(browser.current_path().await, "/login");
    browser.close().await;
}

#[tokio::test]
async fn a_csv_file_chosen_in_the_insights_form_is_imported() {
    let Some(browser) = Browser::start().await else { return };
    let app = TestApp::spawn().await;
    let product = app
        .store()
        .create_product(
            tandem_test_support::conformance::tester(),
            tandem_test_support::conformance::product_fields("Shop"),
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("insights.csv");
    std::fs::write(
        &file,
        "date,source,customer,quote,importance\n\
         2026-03-01,survey,Acme,\"Slow, very slow\",important\n\
         2026-03-02,interview,Bolt,Exports break on Fridays,critical\n",
    )
    .unwrap();
    browser.sign_in(&app.base_url, "admin", TEST_PASSWORD).await;
    browser.goto(&app.url(&format!("/products/{}/evidence", product.id))).await;

    // Choosing a file is typing its path into the file input; the form sends the file itself.
    browser.field("CSV file").await.send_keys(file.to_str().unwrap()).await.unwrap();
    browser.click_button("Import").await;
    assert_eq!(browser.current_path().await, format!("/products/{}/insights/import", product.id));
    assert_eq!(browser.find(".notice").await.text().await.unwrap(), "Imported 2 insights.");

    // Exactly the file's rows are stored.
    let (status, _, list) = json_response(app.get(&format!("/api/v1/insights?product_id={}", product.id)).await).await;
    assert_eq!(status, 200, "{list}");
    let mut rows: Vec<[&str; 4]> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| ["date", "customer", "quote", "importance"].map(|k| i[k].as_str().unwrap()))
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            ["2026-03-01", "Acme", "Slow, very slow", "important"],
            ["2026-03-02", "Bolt", "Exports break on Fridays", "critical"],
        ]
    );

    browser.close().await;
}
