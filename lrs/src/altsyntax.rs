//! xAPI 1.0.3's Alternate Request Syntax (Communication §1.3), for clients that can only send GET
//! and POST (old browsers, cross-origin without preflight): `POST <resource>?method=PUT` with an
//! `application/x-www-form-urlencoded` body whose fields are the headers (`Authorization`,
//! `X-Experience-API-Version`, `Content-Type`, `Content-Length`, `If-Match`, `If-None-Match`), the
//! request's body (`content`) and its query parameters. The request is rewritten into the one it
//! stands for before anything else sees it. xAPI 2.0 removed the syntax: under 2.0 it is a 400.

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const HEADER_FIELDS: [&str; 6] = [
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
];

fn bad(m: impl Into<String>) -> Response {
    crate::with_version(ApiError::BadRequest(m.into()).into_response(), None)
}

/// Rewrites an alternate-syntax request; passes every other request through.
pub(crate) async fn layer(State(body_limit): State<usize>, req: Request, next: Next) -> Response {
    let query: Vec<(String, String)> =
        req.uri().query().and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    let Some(target) = query.iter().find(|(k, _)| k == "method").map(|(_, v)| v.to_ascii_uppercase()) else {
        return next.run(req).await;
    };
    if !req.uri().path().starts_with("/xapi/") {
        return next.run(req).await;
    }
    if req.method() != Method::POST {
        return bad("the alternate request syntax (method=…) is only for POST requests");
    }
    if query.len() > 1 {
        return bad("with the alternate request syntax, method is the only query parameter");
    }
    let Ok(method) = Method::from_bytes(target.as_bytes()) else {
        return bad(format!("method `{target}` is not an HTTP method"));
    };
    if !matches!(method, Method::GET | Method::PUT | Method::POST | Method::DELETE | Method::HEAD) {
        return bad(format!("method `{target}` is not one the alternate request syntax carries"));
    }
    let (mut parts, body) = req.into_parts();
    let ct = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if crate::attachments::media_type(ct) != "application/x-www-form-urlencoded" {
        return bad("an alternate-syntax request body must be application/x-www-form-urlencoded");
    }
    let Ok(bytes) = axum::body::to_bytes(body, body_limit).await else {
        return bad("the request body is larger than this LRS accepts");
    };
    let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes) else {
        return bad("the alternate-syntax form is not valid application/x-www-form-urlencoded");
    };
    let mut content = None;
    let mut params = Vec::new();
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (k, v) in form {
        let lower = k.to_ascii_lowercase();
        if lower == "content" {
            content = Some(v);
        } else if HEADER_FIELDS.contains(&lower.as_str()) {
            if lower == "content-length" {
                continue;
            }
            let (Ok(name), Ok(value)) = (HeaderName::from_bytes(lower.as_bytes()), HeaderValue::from_str(&v))
            else {
                return bad(format!("form field {k} is not a valid header value"));
            };
            parts.headers.insert(name, value);
        } else {
            params.push((k, v));
        }
    }
    let version = parts.headers.get("x-experience-api-version").and_then(|v| v.to_str().ok());
    if version.and_then(xapi::Version::from_header) == Some(xapi::Version::V2_0) {
        return bad("xAPI 2.0 has no alternate request syntax: send the method and headers as they are");
    }
    if content.is_some() && !parts.headers.contains_key(header::CONTENT_TYPE) {
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let q = serde_urlencoded::to_string(&params).unwrap_or_default();
    let path_and_query =
        if q.is_empty() { parts.uri.path().to_owned() } else { format!("{}?{q}", parts.uri.path()) };
    let Ok(uri) = path_and_query.parse::<Uri>() else {
        return bad("the alternate-syntax parameters do not form a URL");
    };
    parts.uri = uri;
    parts.method = method;
    let body = content.unwrap_or_default();
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    next.run(Request::from_parts(parts, Body::from(body))).await
}
