//! Load protection: a per-credential rate limit (token bucket → 429 with `Retry-After`, applied
//! after authentication by [`crate::Authed`], failures per client address), a request
//! timeout (→ 503 with a reason), and one place that turns every error response produced outside
//! the handlers (axum's 413 for an oversized body, 404 for an unknown path, 405, …) into the same
//! JSON `{"error": …}` body the handlers send.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Token buckets, one per credential key (or launch token).
pub(crate) struct RateLimiter {
    per_sec: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_sec` requests per second sustained, up to `burst` at once.
    pub(crate) fn new(per_sec: f64, burst: f64) -> RateLimiter {
        RateLimiter { per_sec, burst: burst.max(1.0), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `key`, or says how long until one is available.
    pub(crate) fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut b = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if b.len() > 100_000 {
            // Unbounded keys (random credentials that fail auth) must not grow the map forever;
            // a bucket that has refilled carries no information.
            let (rate, burst) = (self.per_sec, self.burst);
            b.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = b.entry(key.to_owned()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_sec).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_sec))
        }
    }
}

/// The bucket of an authenticated request, read from the `Authorization` header that was just
/// verified: the credential key, or a prefix of the launch token (each token has its own budget;
/// tokens sent as Basic share one user name, so they are keyed by their secret too).
pub(crate) fn principal_bucket(headers: &axum::http::HeaderMap, who: &crate::auth::Principal) -> String {
    let h = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    if let Some(t) = h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")) {
        return format!("bearer:{}", t.trim().get(..48).unwrap_or(t));
    }
    if who.launch.is_some()
        && let Some(b64) = h.strip_prefix("Basic ").or_else(|| h.strip_prefix("basic "))
        && let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim())
        && let Ok(s) = String::from_utf8(raw)
        && let Some((_, secret)) = s.split_once(':')
    {
        return format!("bearer:{}", secret.get(..32).unwrap_or(secret));
    }
    format!("key:{}", who.key)
}

/// The bucket of a request that failed authentication: its peer address (`serve` records it).
/// Behind a reverse proxy every client shares the proxy's address; failures then share one
/// budget, which still never touches a valid credential's.
pub(crate) fn client_bucket(parts: &axum::http::request::Parts) -> String {
    match parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>() {
        Some(c) => format!("fail:{}", c.0.ip()),
        None => "fail:unknown".to_owned(),
    }
}

fn error(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(serde_json::json!({"error": msg}))).into_response()
}

fn too_many(wait: Duration, msg: String) -> Response {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut r = error(StatusCode::TOO_MANY_REQUESTS, &format!("{msg}; retry in {secs} s"));
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    r
}

impl RateLimiter {
    /// Spends one request of an authenticated principal's budget; the 429 when it is spent.
    pub(crate) fn charge(&self, bucket: &str) -> Option<Response> {
        let wait = self.take(bucket, Instant::now()).err()?;
        Some(too_many(
            wait,
            format!("rate limit of {} requests/s for this credential exceeded", self.per_sec),
        ))
    }

    /// Counts a failed authentication against the client's address; the 429 when its budget is
    /// spent. Failures have their own budget (same rate and burst as a credential's) so that
    /// guessing at a key never makes the key's owner wait.
    pub(crate) fn charge_failure(&self, bucket: &str) -> Option<Response> {
        let wait = self.take(bucket, Instant::now()).err()?;
        Some(too_many(wait, "too many failed authentications from this address".to_owned()))
    }
}

/// The timeout middleware: a request not answered in time gets 503 with a reason. A write already
/// handed to storage may still commit; clients retry with the same statement id, which is safe.
pub(crate) async fn timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            let mut r = error(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("the request was not answered within {} s", limit.as_secs_f64()),
            );
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        }
    }
}

/// The longest request target (path and query) this LRS reads, in bytes. xAPI queries carry an
/// agent as JSON and a few IRIs: a few hundred bytes; 16 KiB leaves room for any honest client.
pub(crate) const MAX_URI: usize = 16 * 1024;
/// The most header bytes (names and values) a request may carry.
pub(crate) const MAX_HEADER_BYTES: usize = 64 * 1024;

/// 414 and 431 with a JSON reason. hyper refuses a request line or header block beyond its own
/// limits (about 64 KiB of target, 400 KiB of headers) with an empty body before any of this
/// code runs; these limits sit below hyper's, so every client that overdoes it by less than
/// that gets the same `{"error": …}` as any other refusal.
pub(crate) async fn head_limits(req: Request, next: Next) -> Response {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI {
        let msg = format!("the request target is {target} bytes; this LRS reads at most {MAX_URI}");
        return crate::with_version(error(StatusCode::URI_TOO_LONG, &msg), None);
    }
    let headers: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if headers > MAX_HEADER_BYTES {
        let msg =
            format!("the request headers are {headers} bytes; this LRS reads at most {MAX_HEADER_BYTES}");
        return crate::with_version(error(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, &msg), None);
    }
    next.run(req).await
}

/// Gives every error response a JSON `{"error": …}` body. Handlers already do; this covers what
/// axum answers itself (body too large, unknown path, wrong method, unreadable query).
pub(crate) async fn json_errors(req: Request, next: Next) -> Response {
    let head = req.method() == axum::http::Method::HEAD;
    let r = next.run(req).await;
    let status = r.status();
    let is_json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if head || is_json || !(status.is_client_error() || status.is_server_error()) {
        return r;
    }
    let (mut parts, body) = r.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let msg = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is larger than this LRS accepts".to_owned(),
        _ if text.trim().is_empty() => status.canonical_reason().unwrap_or("error").to_lowercase(),
        _ => text.trim().to_owned(),
    };
    let body = serde_json::json!({"error": msg}).to_string();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_at_its_rate() {
        let l = RateLimiter::new(10.0, 2.0);
        let t0 = Instant::now();
        assert!(l.take("a", t0).is_ok());
        assert!(l.take("a", t0).is_ok());
        let wait = l.take("a", t0).unwrap_err();
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-6, "{wait:?}");
        // Another key has its own bucket.
        assert!(l.take("b", t0).is_ok());
        // After 100 ms one more request fits, not two.
        let t1 = t0 + Duration::from_millis(100);
        assert!(l.take("a", t1).is_ok());
        assert!(l.take("a", t1).is_err());
    }
}
