//! Load protection: a per-credential rate limit (token bucket → 429 with `Retry-After`), a request
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
use std::sync::{Arc, Mutex};
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

/// Who a request is from, for rate limiting, read from the `Authorization` header without a
/// database lookup: the Basic user name, or a prefix of a bearer token. Unauthenticated requests
/// are not limited here (they are answered 401 without touching storage beyond one lookup).
fn bucket_key(req: &Request) -> Option<String> {
    let h = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    if let Some(t) = h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")) {
        return Some(format!("bearer:{}", t.trim().get(..48).unwrap_or(t)));
    }
    let b64 = h.strip_prefix("Basic ").or_else(|| h.strip_prefix("basic "))?;
    let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (user, secret) = s.split_once(':')?;
    // Launch tokens sent as Basic share one user name; key them by their secret instead.
    if user == crate::token::TOKEN_USER {
        return Some(format!("bearer:{}", secret.get(..32).unwrap_or(secret)));
    }
    Some(format!("key:{user}"))
}

fn error(status: StatusCode, msg: &str) -> Response {
    (status, axum::Json(serde_json::json!({"error": msg}))).into_response()
}

/// The rate-limit middleware.
pub(crate) async fn rate_limit(
    State(limiter): State<Arc<RateLimiter>>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(key) = bucket_key(&req)
        && let Err(wait) = limiter.take(&key, Instant::now())
    {
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "rate limit of {} requests/s for this credential exceeded; retry in {secs} s",
                limiter.per_sec
            ),
        );
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return r;
    }
    next.run(req).await
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
