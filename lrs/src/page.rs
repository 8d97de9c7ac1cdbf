//! Statement pages within a memory budget.
//!
//! A page of `GET /xapi/statements` holds at most `limit` statements and at most
//! [`ReadBudget::page_bytes`] of their JSON (the first statement always, however large, so every
//! page makes progress); the rest is behind the `more` link. The store reads rows one at a time
//! and drops what cannot be on the page ([`crate::store::StatementQuery::max_bytes`]), and the
//! answer is streamed from the rows, each released once written, so one query holds about one
//! page. Pages being read and sent share one pool of bytes ([`ReadBudget`]): a query waits for
//! room (within the request timeout) instead of the server growing without bound. (Before,
//! three concurrent `limit=0` queries over large statements took the server to 3 GB.)

use crate::store::StoredStatement;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Default byte budget of one page's statement JSON.
pub(crate) const DEFAULT_PAGE_BYTES: usize = 1024 * 1024;
/// Default bytes of statement JSON all pages in flight may hold together.
pub(crate) const DEFAULT_READ_MEMORY: usize = 64 * 1024 * 1024;

/// The pool of bytes statement pages are read into.
pub(crate) struct ReadBudget {
    pool: Arc<Semaphore>,
    page_bytes: usize,
    /// What a query reserves before it reads: a page plus one statement that crosses the page's
    /// budget (a statement is at most one request body), or the whole pool if that is smaller.
    reserve: u32,
}

impl ReadBudget {
    pub(crate) fn new(page_bytes: usize, max_statement: usize, total: usize) -> ReadBudget {
        let total = total.clamp(1, u32::MAX as usize);
        let page_bytes = page_bytes.max(1);
        let reserve = page_bytes.saturating_add(max_statement).min(total) as u32;
        ReadBudget { pool: Arc::new(Semaphore::new(total)), page_bytes, reserve }
    }

    pub(crate) fn page_bytes(&self) -> usize {
        self.page_bytes
    }

    /// Waits until a page fits in the pool.
    pub(crate) async fn reserve(&self) -> OwnedSemaphorePermit {
        // The semaphore is never closed.
        self.pool.clone().acquire_many_owned(self.reserve).await.expect("the read pool is never closed")
    }
}

impl Default for ReadBudget {
    fn default() -> Self {
        ReadBudget::new(DEFAULT_PAGE_BYTES, crate::DEFAULT_BODY_LIMIT, DEFAULT_READ_MEMORY)
    }
}

/// Rewrites one stored statement's JSON for the answer (`format=ids` or `canonical`).
pub(crate) type Shape = Box<dyn Fn(&str) -> String + Send>;

/// How many of `rows` (in page order) go on the page: at most `limit`, and while their JSON fits
/// in `page_bytes`; the first always.
pub(crate) fn fits(rows: &[StoredStatement], limit: i64, page_bytes: usize) -> usize {
    let mut used = 0usize;
    let mut n = 0usize;
    for r in rows {
        if n as i64 >= limit || (n > 0 && used + r.json.len() > page_bytes) {
            break;
        }
        used += r.json.len();
        n += 1;
    }
    n
}

/// The answer `{"statements": [...], "more": "..."}`, streamed: each row becomes its JSON (as
/// stored, or as `shape` makes it) when the connection takes it, and is freed then. The pool's
/// bytes are held until the body is written or dropped, as many as the page holds.
pub(crate) fn stream(
    rows: Vec<StoredStatement>,
    more: &str,
    shape: Option<Shape>,
    mut permit: OwnedSemaphorePermit,
) -> Response {
    let held: usize = rows.iter().map(|r| r.json.len()).sum::<usize>().max(1);
    if let Some(rest) = permit.split(permit.num_permits().saturating_sub(held)) {
        drop(rest);
    }
    let tail = format!("],\"more\":{}}}", serde_json::Value::String(more.to_owned()));
    let mut first = true;
    let rows = rows.into_iter().map(move |r| {
        let json = match &shape {
            Some(f) => f(&r.json),
            None => r.json,
        };
        let sep = if std::mem::take(&mut first) { "" } else { "," };
        Ok::<_, std::convert::Infallible>(Bytes::from(format!("{sep}{json}")))
    });
    let head = std::iter::once(Ok(Bytes::from_static(b"{\"statements\":[")));
    let end = std::iter::once(()).map(move |()| {
        let _release_after_the_last_chunk = &permit;
        Ok(Bytes::from(tail.clone()))
    });
    let body = Body::from_stream(futures_util::stream::iter(head.chain(rows).chain(end)));
    let mut r = (StatusCode::OK, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}
