//! `/metrics` in the Prometheus text format (0.0.4), hand-rolled: a few counters and one latency
//! histogram do not need a metrics framework.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Upper bounds of the latency histogram, seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Process-wide counters.
#[derive(Default)]
pub(crate) struct Metrics {
    /// (method, route, status) → requests.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// route → latency.
    latency: Mutex<BTreeMap<String, Histogram>>,
    /// Statements accepted by POST/PUT (including ones already stored).
    pub(crate) statements: AtomicU64,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, secs: f64) {
        let mut r = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *r.entry((method.to_owned(), route.to_owned(), status)).or_default() += 1;
        drop(r);
        let mut l = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let h = l.entry(route.to_owned()).or_default();
        h.count += 1;
        h.sum += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
    }

    /// The exposition text.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP hearth_lrs_requests_total HTTP requests answered, by method, route and status.\n",
        );
        out.push_str("# TYPE hearth_lrs_requests_total counter\n");
        for ((m, route, status), n) in self.requests.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(
                out,
                "hearth_lrs_requests_total{{method=\"{m}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP hearth_lrs_request_duration_seconds Time to answer a request, by route.\n");
        out.push_str("# TYPE hearth_lrs_request_duration_seconds histogram\n");
        for (route, h) in self.latency.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            for (b, c) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "hearth_lrs_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {c}"
                );
            }
            let _ = writeln!(
                out,
                "hearth_lrs_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "hearth_lrs_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ =
                writeln!(out, "hearth_lrs_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
        }
        out.push_str(
            "# HELP hearth_lrs_statements_stored_total Statements accepted by PUT and POST since start.\n",
        );
        out.push_str("# TYPE hearth_lrs_statements_stored_total counter\n");
        let _ =
            writeln!(out, "hearth_lrs_statements_stored_total {}", self.statements.load(Ordering::Relaxed));
        out
    }
}

/// Records every request. The route is the matched pattern (never the raw path, so the label set
/// stays small); unknown paths count as `unmatched`.
pub(crate) async fn track(State(m): State<std::sync::Arc<Metrics>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let r = next.run(req).await;
    m.record(&method, &route, r.status().as_u16(), start.elapsed().as_secs_f64());
    r
}

/// `GET /metrics`.
pub(crate) async fn handler(State(state): State<crate::AppState>) -> Response {
    let mut r = state.metrics.render().into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    r
}
