//! The route registry: every route of the server is added through [`Routes`], which both builds
//! the axum router and records the route, so the list in [`crate::route_table`] is the router's
//! own (the permission matrix test walks it: a new route cannot be forgotten).

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{delete, get, post, put};

use crate::AppState;

/// One registered route: method and path pattern (axum syntax, `{id}` for parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    pub path: String,
}

/// A router under construction with the list of its routes.
#[derive(Debug)]
pub struct Routes {
    prefix: &'static str,
    router: Router<AppState>,
    table: Vec<Route>,
}

impl Routes {
    /// Routes whose paths will be nested under `prefix` (`""` for none).
    pub fn new(prefix: &'static str) -> Routes {
        Routes { prefix, router: Router::new(), table: Vec::new() }
    }

    fn record(&mut self, method: Method, path: &str) {
        self.table.push(Route { method, path: format!("{}{path}", self.prefix) });
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(mut self, path: &str, handler: H) -> Routes {
        self.record(Method::GET, path);
        self.router = self.router.route(path, get(handler));
        self
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(mut self, path: &str, handler: H) -> Routes {
        self.record(Method::POST, path);
        self.router = self.router.route(path, post(handler));
        self
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(mut self, path: &str, handler: H) -> Routes {
        self.record(Method::PUT, path);
        self.router = self.router.route(path, put(handler));
        self
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(mut self, path: &str, handler: H) -> Routes {
        self.record(Method::DELETE, path);
        self.router = self.router.route(path, delete(handler));
        self
    }

    /// Adds another module's routes (same prefix).
    pub fn merge(mut self, other: Routes) -> Routes {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<Route>) {
        (self.router, self.table)
    }
}
