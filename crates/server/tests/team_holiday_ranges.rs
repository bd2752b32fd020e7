//! The team form reads holidays as dates or ranges ("2026-08-03 to 2026-08-07", both days
//! included) and the team page shows runs of days off as ranges again; a reversed range is
//! refused on the field and stores nothing.

use reqwest::StatusCode;
use serde_json::Value;
use tandem_test_support::app::{TestApp, json_response};

#[tokio::test]
async fn the_team_form_takes_holiday_ranges() {
    for app in TestApp::spawn_all().await {
        let (status, location, body) = app
            .post_form(
                "/teams",
                &[
                    ("name", "Platform"),
                    ("capacity", "3"),
                    ("working_days", "mon"),
                    ("working_days", "tue"),
                    ("working_days", "wed"),
                    ("working_days", "thu"),
                    ("working_days", "fri"),
                    ("holidays", "2026-05-01\n2026-08-03 to 2026-08-07\n\n2026-12-24 to 2026-12-25"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let page = location.expect("redirected to the team");
        let id = page.trim_start_matches("/teams/").to_owned();
        let (status, _, team) = json_response(app.get(&format!("/api/v1/teams/{id}")).await).await;
        assert_eq!(status, 200, "{team}");
        let holidays: Vec<&str> =
            team["holidays"].as_array().expect("holidays").iter().filter_map(Value::as_str).collect();
        assert_eq!(
            holidays,
            [
                "2026-05-01",
                "2026-08-03",
                "2026-08-04",
                "2026-08-05",
                "2026-08-06",
                "2026-08-07",
                "2026-12-24",
                "2026-12-25"
            ]
        );
        let html = app.get(&page).await.text().await.expect("the team page");
        assert!(html.contains("<li>2026-08-03 to 2026-08-07</li>"), "{html}");
        assert!(html.contains("<li>2026-12-24</li><li>2026-12-25</li>"), "{html}");
        let edit = app.get(&format!("{page}/edit")).await.text().await.expect("the edit form");
        assert!(edit.contains("2026-05-01\n2026-08-03 to 2026-08-07\n2026-12-24\n2026-12-25</textarea>"), "{edit}");

        // A reversed range: the form again, with the error on the field; nothing changed.
        let (status, _, body) = app
            .post_form(
                &page,
                &[
                    ("name", "Platform"),
                    ("capacity", "3"),
                    ("working_days", "mon"),
                    ("holidays", "2026-08-07 to 2026-08-03"),
                    ("version", "1"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.contains("not: \u{201c}2026-08-07 to 2026-08-03\u{201d}"), "{body}");
        let (_, _, unchanged) = json_response(app.get(&format!("/api/v1/teams/{id}")).await).await;
        assert_eq!(unchanged, team);
    }
}
