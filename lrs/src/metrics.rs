//! `/metrics` in the OpenMetrics text format (which Prometheus scrapes), through the
//! `prometheus-client` crate.
//!
//! Every label takes a value from a bounded set, so no client can grow the metrics (and the
//! server's memory) by what it sends: the method is one of the methods the LRS answers or
//! `other`, the route is the matched route pattern or `unmatched`, and the status is one the
//! server itself chose. (Before, each distinct method a client invented added series: 300,000
//! requests took the process from 9.7 to 66 MB and `/metrics` to 23 MB.)

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Instant;

/// Upper bounds of the latency histogram, seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Process-wide metrics and the registry that renders them.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    /// Statements accepted by POST/PUT (including ones already stored).
    pub(crate) statements: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Latency = Family::new_with_constructor(|| Histogram::new(BUCKETS));
        let statements = Counter::default();
        let mut registry = Registry::default();
        registry.register(
            "hearth_lrs_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        registry.register(
            "hearth_lrs_request_duration_seconds",
            "Time to answer a request, by route",
            latency.clone(),
        );
        registry.register(
            "hearth_lrs_statements_stored",
            "Statements accepted by PUT and POST since start",
            statements.clone(),
        );
        Metrics { registry, requests, latency, statements }
    }
}

/// The method as a label: one of the methods some route answers, else `other`.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

impl Metrics {
    fn record(&self, method: &'static str, route: String, status: u16, secs: f64) {
        self.requests.get_or_create(&RequestLabels { method, route: route.clone(), status }).inc();
        self.latency.get_or_create(&RouteLabels { route }).observe(secs);
    }

    /// The exposition text.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Records every request. The route is the matched pattern (never the raw path, so the label set
/// stays small); unknown paths count as `unmatched`.
pub(crate) async fn track(State(m): State<std::sync::Arc<Metrics>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let r = next.run(req).await;
    m.record(method, route, r.status().as_u16(), start.elapsed().as_secs_f64());
    r
}

/// `GET /metrics`.
pub(crate) async fn handler(State(state): State<crate::AppState>) -> Response {
    let mut r = state.metrics.render().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    r
}
