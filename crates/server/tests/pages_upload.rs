//! The CSV import forms (a product's insights and its metrics) take a chosen `.csv` file as well
//! as pasted text, over real HTTP and signed in as a browser is (a session cookie, and the
//! session's anti-forgery token in the multipart body). A good file stores exactly its rows; every
//! bad upload answers with the page showing the problem in the paste path's words (or its own,
//! for what only a file can get wrong) and stores nothing; a form without the session's token,
//! or from a viewer, is refused before anything is read.

use reqwest::{Client, StatusCode};
use serde_json::Value;
use tandem_domain::{GrantScope, Product, Role};
use tandem_test_support::app::{FormPart, TestApp};
use tandem_test_support::conformance::{product_fields, tester};

const INSIGHTS_CSV: &str = "date,source,customer,quote,importance\n\
    2026-03-01,survey,Acme,\"Slow, very slow\",important\n\
    2026-03-02,interview,Bolt,Exports break on Fridays,critical\n\
    2026-03-03,support_ticket,Cyan,Nice to have dark mode,nice_to_have\n";

/// A server with a product and a signed-in admin session.
struct Setup {
    app: TestApp,
    product: Product,
    session: Client,
    csrf: String,
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let product = app.store().create_product(tester(), product_fields("Shop")).await.unwrap();
    let (session, csrf) = app.session("admin").await;
    Setup { app, product, session, csrf }
}

impl Setup {
    fn insights_import(&self) -> String {
        format!("/products/{}/insights/import", self.product.id)
    }

    fn metrics_import(&self) -> String {
        format!("/products/{}/metrics/import", self.product.id)
    }

    /// Posts the parts after the session's anti-forgery token, as the page's form sends them.
    async fn upload(&self, path: &str, parts: &[FormPart<'_>]) -> (StatusCode, String) {
        let mut all = vec![FormPart::Text("csrf_token", &self.csrf)];
        all.extend_from_slice(parts);
        let (status, _, html) = self.app.post_multipart_as(&self.session, path, &all).await;
        (status, html)
    }

    /// Posts `csv` as pasted text, url-encoded as the form was sent before it took files, expects
    /// it refused, and returns the problems the page lists.
    async fn paste(&self, path: &str, csv: &str) -> Vec<String> {
        let pairs = [("csrf_token", self.csrf.as_str()), ("csv", csv)];
        let (status, _, html) = self.app.post_form_as(&self.session, path, &pairs).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        import_errors(&html)
    }

    /// The product's insights read back through the API, as (date, source, customer, quote,
    /// importance), sorted.
    async fn insights(&self) -> Vec<[String; 5]> {
        let list = self.api(&format!("/api/v1/insights?product_id={}", self.product.id)).await;
        let mut rows: Vec<[String; 5]> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| ["date", "source", "customer", "quote", "importance"].map(|k| i[k].as_str().unwrap().to_owned()))
            .collect();
        rows.sort();
        rows
    }

    /// The product's metric points read back through the API, as (date, kind, value), sorted.
    async fn points(&self) -> Vec<(String, String, f64)> {
        let list = self.api(&format!("/api/v1/products/{}/metrics", self.product.id)).await;
        let mut rows: Vec<(String, String, f64)> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["date"].as_str().unwrap().to_owned(),
                    p["kind"].as_str().unwrap().to_owned(),
                    p["value"].as_f64().unwrap(),
                )
            })
            .collect();
        rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
        rows
    }

    async fn api(&self, path: &str) -> Value {
        let response = self.app.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }
}

fn csv_file(bytes: &[u8]) -> FormPart<'_> {
    FormPart::File { name: "file", file_name: "insights.csv", content_type: "text/csv", bytes }
}

/// What a browser sends for a file input left empty.
const NO_FILE: FormPart<'static> =
    FormPart::File { name: "file", file_name: "", content_type: "application/octet-stream", bytes: b"" };

/// The problems the page lists under "Nothing was imported", as text.
fn import_errors(html: &str) -> Vec<String> {
    let Some(start) = html.find("id=\"import-errors\"") else { return Vec::new() };
    let end = start + html[start..].find("</ul>").expect("the list ends");
    html[start..end]
        .split("<li>")
        .skip(1)
        .map(|item| item.split("</li>").next().unwrap_or_default().replace("&#39;", "'").replace("&#34;", "\""))
        .collect()
}

#[tokio::test]
async fn the_import_forms_offer_a_file_input_beside_the_textarea() {
    let s = setup().await;
    for (page, action) in [
        (format!("/products/{}/evidence", s.product.id), s.insights_import()),
        (format!("/products/{}/metrics", s.product.id), s.metrics_import()),
    ] {
        let html = s.session.get(s.app.url(&page)).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains(&format!("<form method=\"post\" action=\"{action}\" enctype=\"multipart/form-data\">")),
            "{html}"
        );
        assert!(
            html.contains("<input type=\"file\" id=\"import-file\" name=\"file\" accept=\".csv,text/csv\""),
            "{html}"
        );
        assert!(html.contains("<textarea id=\"import-csv\" name=\"csv\""), "{html}");
        assert!(html.contains("UTF-8 text, at most 512 KiB."), "{html}");
    }
}

#[tokio::test]
async fn an_uploaded_csv_file_stores_exactly_its_rows() {
    let s = setup().await;
    // With the empty textarea a browser sends too, and a byte order mark as spreadsheets write.
    let bytes = [b"\xef\xbb\xbf".as_slice(), INSIGHTS_CSV.as_bytes()].concat();
    let (status, html) = s.upload(&s.insights_import(), &[csv_file(&bytes), FormPart::Text("csv", "")]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Imported 3 insights."), "{html}");
    assert_eq!(import_errors(&html), Vec::<String>::new());
    let expected = [
        ["2026-03-01", "survey", "Acme", "Slow, very slow", "important"],
        ["2026-03-02", "interview", "Bolt", "Exports break on Fridays", "critical"],
        ["2026-03-03", "support_ticket", "Cyan", "Nice to have dark mode", "nice_to_have"],
    ]
    .map(|row| row.map(str::to_owned));
    assert_eq!(s.insights().await, expected);
}

#[tokio::test]
async fn bad_uploads_show_the_problem_on_the_page_and_store_nothing() {
    let s = setup().await;
    let path = s.insights_import();
    let (status, _) = s
        .upload(&path, &[csv_file(b"date,source,customer,quote,importance\n2026-01-05,survey,Zed,Old,important\n")])
        .await;
    assert_eq!(status, StatusCode::OK);
    let before = s.insights().await;
    assert_eq!(before.len(), 1);

    // What the paste path says, for the cases a file shares with it.
    let empty = s.paste(&path, "").await;
    assert_eq!(empty, ["header: the file is empty: a header row is needed"]);
    let bad_row = "date,source,customer,quote,importance\n2026-13-01,survey,Bolt,Slow,important\n";
    let bad_date = s.paste(&path, bad_row).await;
    assert_eq!(bad_date, ["rows[1].date: must be a date in the form YYYY-MM-DD"]);

    let latin1 = b"date,source,customer,quote,importance\n2026-03-01,survey,Caf\xe9 Noir,Slow,important\n";
    let too_large = vec![b'x'; tandem_server::MAX_CSV_FILE_BYTES + 1];
    let cases: Vec<(&str, Vec<FormPart<'_>>, Vec<String>)> = vec![
        ("an empty file", vec![csv_file(b""), FormPart::Text("csv", "")], empty.clone()),
        ("neither a file nor text", vec![NO_FILE, FormPart::Text("csv", "")], empty.clone()),
        ("nothing at all", vec![], empty.clone()),
        ("a bad row in the file", vec![csv_file(bad_row.as_bytes()), NO_FILE], bad_date.clone()),
        (
            "a file that is not UTF-8",
            vec![csv_file(latin1), FormPart::Text("csv", "")],
            vec!["file: must be UTF-8 text, and line 2 is not: save the file as UTF-8 and choose it again".to_owned()],
        ),
        (
            "a file over the limit",
            vec![csv_file(&too_large), FormPart::Text("csv", "")],
            vec!["file: is larger than 512 KiB: split it into smaller files and import each".to_owned()],
        ),
        (
            "both a file and text",
            vec![csv_file(INSIGHTS_CSV.as_bytes()), FormPart::Text("csv", INSIGHTS_CSV)],
            vec!["csv: choose a file or paste the text, not both (clear the text to import the file)".to_owned()],
        ),
        (
            "two files",
            vec![csv_file(INSIGHTS_CSV.as_bytes()), csv_file(INSIGHTS_CSV.as_bytes())],
            vec!["file: choose one file only".to_owned()],
        ),
    ];
    for (case, parts, expected) in cases {
        let (status, html) = s.upload(&path, &parts).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{case}: {html}");
        assert!(html.contains("Nothing was imported: please fix this problem"), "{case}: {html}");
        assert_eq!(import_errors(&html), expected, "{case}");
        assert_eq!(s.insights().await, before, "{case} stored nothing");
    }

    // Both given: the pasted text comes back in the textarea, so nothing typed is lost.
    let (_, html) = s.upload(&path, &[csv_file(INSIGHTS_CSV.as_bytes()), FormPart::Text("csv", "date,source\n")]).await;
    assert!(html.contains("rows=\"8\" aria-describedby=\"import-csv-hint\">date,source\n</textarea>"), "{html}");

    // A file over the whole body limit never reaches the page: the 413 page says both limits.
    let huge = vec![b'x'; tandem_server::MAX_BODY_BYTES + 1];
    let (status, html) = s.upload(&path, &[csv_file(&huge)]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(html.contains("Too much at once"), "{html}");
    assert!(
        html.contains(
            "Nothing was imported: the form sent more than the server accepts (1 MiB). A CSV file may be at most \
             512 KiB: split a larger one into smaller files and import each."
        ),
        "{html}"
    );
    assert_eq!(s.insights().await, before);
}

#[tokio::test]
async fn multipart_forms_need_the_sessions_anti_forgery_token() {
    let s = setup().await;
    let path = s.insights_import();
    let file = csv_file(INSIGHTS_CSV.as_bytes());
    let forged = "x".repeat(s.csrf.len());
    let token_as_file = FormPart::File {
        name: "csrf_token",
        file_name: "token.txt",
        content_type: "text/plain",
        bytes: s.csrf.as_bytes(),
    };
    for (case, parts) in [
        ("no token", vec![file]),
        ("a forged token", vec![FormPart::Text("csrf_token", &forged), file]),
        ("the token as a file", vec![token_as_file, file]),
    ] {
        let (status, _, html) = s.app.post_multipart_as(&s.session, &path, &parts).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{case}");
        assert!(html.contains("This form has expired"), "{case}: {html}");
    }
    assert_eq!(s.insights().await.len(), 0);

    // The token may come after the file: every part is read.
    let parts = [file, FormPart::Text("csrf_token", &s.csrf)];
    let (status, _, html) = s.app.post_multipart_as(&s.session, &path, &parts).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(s.insights().await.len(), 3);
}

#[tokio::test]
async fn a_viewer_is_refused_before_the_upload_is_read() {
    let s = setup().await;
    let (vera, _) = s.app.user("vera", false).await;
    s.app.grant(&vera, GrantScope::Product(s.product.id), Role::Viewer).await;
    let (session, csrf) = s.app.session("vera").await;
    for (path, file) in [
        (s.insights_import(), csv_file(INSIGHTS_CSV.as_bytes())),
        (s.metrics_import(), csv_file(b"date,kind,value\n2026-01-31,revenue,10\n")),
        (s.insights_import(), csv_file(b"\xff\xfe not UTF-8")),
    ] {
        let parts = [FormPart::Text("csrf_token", &csrf), file];
        let (status, _, html) = s.app.post_multipart_as(&session, &path, &parts).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {html}");
        assert!(html.contains("You may look at this, but not change it"), "{html}");
        assert!(!html.contains("import-errors"), "no form comes back: {html}");
    }
    assert_eq!(s.insights().await.len(), 0);
    assert_eq!(s.points().await.len(), 0);
}

#[tokio::test]
async fn the_metrics_form_imports_a_file_too() {
    let s = setup().await;
    let path = s.metrics_import();
    let csv = b"date,kind,value\n2026-01-31,revenue,1200\n2026-02-28,revenue,1500\n2026-02-28,satisfaction,-10\n";
    let metrics_file = FormPart::File { name: "file", file_name: "metrics.csv", content_type: "text/csv", bytes: csv };

    let (status, html) = s.upload(&path, &[metrics_file, FormPart::Text("csv", "date,kind,value\n")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        import_errors(&html),
        ["csv: choose a file or paste the text, not both (clear the text to import the file)"]
    );
    let (status, html) = s.upload(&path, &[NO_FILE, FormPart::Text("csv", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(import_errors(&html), ["header: the file is empty: a header row is needed"]);
    assert_eq!(s.points().await, []);

    let (status, html) = s.upload(&path, &[metrics_file, FormPart::Text("csv", "")]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Imported 3 points."), "{html}");
    let expected = [
        ("2026-01-31".to_owned(), "revenue".to_owned(), 1200.0),
        ("2026-02-28".to_owned(), "revenue".to_owned(), 1500.0),
        ("2026-02-28".to_owned(), "satisfaction".to_owned(), -10.0),
    ];
    assert_eq!(s.points().await, expected);

    // Pasted text, url-encoded as before the form took files, still imports.
    let pairs = [("csrf_token", s.csrf.as_str()), ("csv", "date,kind,value\n2026-03-31,revenue,1800\n")];
    let (status, _, html) = s.app.post_form_as(&s.session, &path, &pairs).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(s.points().await.len(), 4);
}
