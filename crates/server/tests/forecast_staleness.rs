//! A stored forecast stays current while only what it does not read changes (a backlog move
//! renumbering the product's ranks, a bulk rank move, a user story) and goes stale on a change it
//! reads (an estimate, a status), over real HTTP on both backends, in the API and on the
//! program page.

use chrono::NaiveDate;
use serde_json::{Value, json};
use tandem_domain::{
    Estimate, Product, ProductFields, ProductInput, Program, ProgramFields, ProgramInput, ProgramPhase, Project,
    ProjectFields, ProjectInput, Store, WorkItem, WorkItemFields, WorkItemInput, WorkItemKind, WorkItemStatus,
};
use tandem_test_support::app::{TestApp, json_response};
use tandem_test_support::conformance::tester;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("a real date")
}

struct Setup {
    program: Program,
    product: Product,
    /// In the program's project and in the product.
    shared: WorkItem,
    /// Only in the product: in no project of the program.
    backlog_only: WorkItem,
    /// Only in the program's project.
    delivery_only: WorkItem,
}

async fn setup(store: &dyn Store) -> Setup {
    let program = store
        .create_program(
            tester(),
            ProgramFields::parse(ProgramInput {
                name: "Core banking".into(),
                goal: String::new(),
                sponsor: None,
                phase: ProgramPhase::Delivery,
                start: day(3, 2),
                target_end: day(12, 18),
                budget: None,
                currency: None,
                status_date: None,
            })
            .expect("valid program"),
        )
        .await
        .expect("program");
    let project: Project = store
        .create_project(
            tester(),
            ProjectFields::parse(ProjectInput {
                program_id: program.id,
                name: "Ledger".into(),
                description: String::new(),
                manager: None,
                start: day(3, 2),
                budget: None,
            })
            .expect("valid project"),
        )
        .await
        .expect("project");
    let product = store
        .create_product(
            tester(),
            ProductFields::parse(ProductInput { name: "App".into(), vision: String::new(), owner: None })
                .expect("valid product"),
        )
        .await
        .expect("product");
    let item = |title: &str, in_project: bool, in_product: bool, days: f64| {
        WorkItemFields::parse(WorkItemInput {
            kind: WorkItemKind::Story,
            project_id: in_project.then_some(project.id),
            product_id: in_product.then_some(product.id),
            parent_id: None,
            title: title.into(),
            description: String::new(),
            status: WorkItemStatus::Ready,
            optimistic: days,
            most_likely: days,
            pessimistic: days,
            story_points: None,
            team_id: None,
            people_needed: None,
            released_on: None,
            percent_complete: None,
        })
        .expect("valid item")
    };
    let shared = store.create_work_item(tester(), item("Shared", true, true, 3.0), None).await.expect("item");
    let delivery_only = store.create_work_item(tester(), item("Delivery", true, false, 2.0), None).await.expect("item");
    let backlog_only = store.create_work_item(tester(), item("Idea", false, true, 1.0), None).await.expect("item");
    Setup { program, product, shared, backlog_only, delivery_only }
}

/// `(changed, added, removed, current)` of the stored forecast as the API reports it.
async fn freshness(app: &TestApp, path: &str) -> (Value, Value, Value, Value) {
    let (status, _, body) = json_response(app.get(path).await).await;
    assert_eq!(status, 200, "{body}");
    let inputs = &body["inputs"];
    (inputs["changed"].clone(), inputs["added"].clone(), inputs["removed"].clone(), inputs["current"].clone())
}

async fn program_page(app: &TestApp, program: &Program) -> String {
    let response = app.get(&format!("/programs/{}", program.id)).await;
    assert_eq!(response.status().as_u16(), 200);
    response.text().await.expect("the page")
}

const STALE_NOTE: &str = "The records have moved on since this forecast";

#[tokio::test]
async fn backlog_moves_and_stories_leave_the_forecast_current_and_estimates_do_not() {
    for app in TestApp::spawn_all().await {
        let store = app.store().as_ref();
        let s = setup(store).await;
        let path = format!("/api/v1/programs/{}/forecast", s.program.id);
        let (status, _, posted) = json_response(app.post_json(&path, &json!({"iterations": 50})).await).await;
        assert_eq!(status, 201, "{posted}");
        // Program, project, the two items of its project.
        assert_eq!(posted["inputs"]["versions"].as_array().map(Vec::len), Some(4));
        assert!(
            !posted["inputs"]["versions"].to_string().contains(&s.backlog_only.id.to_string()),
            "an item in no project of the program is no input of its forecast"
        );
        let current = (json!(0), json!(0), json!(0), json!(true));
        assert_eq!(freshness(&app, &path).await, current);

        // Moving the item in no project of the program to the top renumbers the product: the
        // shared item gets a new rank and version, which the forecast does not read.
        let move_path = format!("/api/v1/products/{}/backlog/move", s.product.id);
        let (status, _, moved) = json_response(
            app.post_json(&move_path, &json!({"item_id": s.backlog_only.id.to_string(), "to": "top"})).await,
        )
        .await;
        assert_eq!(status, 200, "{moved}");
        let order: Vec<(&str, i64)> = moved["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| (i["title"].as_str().unwrap_or(""), i["rank"].as_i64().unwrap_or(0)))
            .collect();
        assert_eq!(order, vec![("Idea", 1024), ("Shared", 2048)]);
        let shared = store.get_work_item(s.shared.id).await.expect("shared");
        assert_eq!(shared.meta.version, s.shared.meta.version + 1, "the move renumbered the shared item");
        assert_eq!(freshness(&app, &path).await, current, "{:?}", app.backend());
        assert!(!program_page(&app, &s.program).await.contains(STALE_NOTE));

        // Moving the shared item itself, a bulk rank move and a user story: still current.
        let (status, _, body) =
            json_response(app.post_json(&move_path, &json!({"item_id": s.shared.id.to_string(), "to": "top"})).await)
                .await;
        assert_eq!(status, 200, "{body}");
        let bulk = json!({"ids": [s.shared.id.to_string(), s.delivery_only.id.to_string()], "rank": "bottom"});
        let (status, _, body) = json_response(app.post_json("/api/v1/work-items/bulk", &bulk).await).await;
        assert_eq!(status, 200, "{body}");
        let version = store.get_work_item(s.shared.id).await.expect("shared").meta.version;
        let story = json!({
            "version": version,
            "as_a": "teller",
            "i_want": "one ledger",
            "so_that": "balances agree",
            "acceptance_criteria": ["Totals match"],
        });
        let response = app.put_json(&format!("/api/v1/work-items/{}/story", s.shared.id), &story).await;
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(freshness(&app, &path).await, current);

        // An estimate the forecast reads: stale, on the page too, until it runs again.
        let stored = store.get_work_item(s.shared.id).await.expect("shared");
        let mut fields = stored.fields.clone();
        fields.estimate = Estimate::new(3.0, 4.0, 6.0).expect("valid estimate");
        store.update_work_item(tester(), stored.id, stored.meta.version, fields, None).await.expect("update");
        assert_eq!(freshness(&app, &path).await, (json!(1), json!(0), json!(0), json!(false)));
        let page = program_page(&app, &s.program).await;
        assert!(page.contains(&format!("{STALE_NOTE}: 1 changed, 0 added, 0 removed (of the 4 it read)")), "{page}");

        // A status change, by bulk edit, is an input change too.
        let (status, _, body) = json_response(app.post_json(&path, &json!({"iterations": 50})).await).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(freshness(&app, &path).await, current);
        let done = json!({"ids": [s.delivery_only.id.to_string()], "status": "done"});
        let (status, _, body) = json_response(app.post_json("/api/v1/work-items/bulk", &done).await).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(freshness(&app, &path).await, (json!(1), json!(0), json!(0), json!(false)));
    }
}
