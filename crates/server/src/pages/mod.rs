//! Server-rendered pages (owned by the pages work; this is the seam).

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
