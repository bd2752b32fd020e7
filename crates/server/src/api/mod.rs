//! The JSON API under `/api/v1` (owned by the API work; this is the seam).

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
