//! Document resources (xAPI 1.0.3 Communication §2.3–§2.6): state, activity profile and agent
//! profile, with ETags, `If-Match` / `If-None-Match` (412), the 409 rule for profile PUTs without a
//! precondition, and JSON merge on POST.

use crate::auth::Principal;
use crate::error::ApiError;
use crate::store::{DocKey, Document};
use crate::{AppState, Authed, ReqVersion};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use xapi::format::{is_iri, is_uuid};

/// A document's ETag (without quotes): hex SHA-1 of the body, as Communication §3.1 recommends.
/// Documents stored before kept the SHA-256 tag they were given; tags are compared as stored.
fn etag_of(body: &[u8]) -> String {
    Sha1::digest(body).iter().map(|b| format!("{b:02x}")).collect()
}

fn agent_param(params: &BTreeMap<String, String>, version: xapi::Version) -> Result<String, ApiError> {
    let a = params.get("agent").ok_or_else(|| ApiError::BadRequest("agent is required".into()))?;
    let v: Value = serde_json::from_str(a).map_err(|_| ApiError::BadRequest("agent must be JSON".into()))?;
    let probe = serde_json::json!({"actor": v, "verb": {"id": "http://x.invalid/v"}, "object": {"id": "http://x.invalid/a"}});
    if let Err(e) = xapi::validate_statement(&probe, version) {
        return Err(ApiError::BadRequest(format!("agent: {}", e[0].message)));
    }
    xapi::model::agent_ifi(&v).ok_or_else(|| ApiError::BadRequest("agent must have an identifier".into()))
}

/// Reads the key for `kind` from the query; `id_param` is `stateId` or `profileId`.
fn doc_key(
    kind: &'static str,
    params: &BTreeMap<String, String>,
    version: xapi::Version,
) -> Result<(DocKey, &'static str), ApiError> {
    let (allowed, id_param): (&[&str], &str) = match kind {
        "state" => (&["activityId", "agent", "registration", "stateId", "since"], "stateId"),
        "activity_profile" => (&["activityId", "profileId", "since"], "profileId"),
        _ => (&["agent", "profileId", "since"], "profileId"),
    };
    if let Some(k) = params.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::BadRequest(format!("unknown parameter {k}")));
    }
    let mut key = DocKey { kind, ..Default::default() };
    if allowed.contains(&"activityId") {
        let a =
            params.get("activityId").ok_or_else(|| ApiError::BadRequest("activityId is required".into()))?;
        if !is_iri(a) {
            return Err(ApiError::BadRequest("activityId must be an IRI".into()));
        }
        key.activity_id = a.clone();
    }
    if allowed.contains(&"agent") {
        key.agent_ifi = agent_param(params, version)?;
    }
    if let Some(r) = params.get("registration") {
        if !is_uuid(r) {
            return Err(ApiError::BadRequest("registration must be a UUID".into()));
        }
        key.registration = r.to_ascii_lowercase();
    }
    key.doc_id = params.get(id_param).cloned().unwrap_or_default();
    Ok((key, if id_param == "stateId" { "stateId" } else { "profileId" }))
}

fn check_scope(kind: &str, who: &crate::auth::Principal, write: bool) -> Result<(), ApiError> {
    let ok = if kind == "state" { who.can_state(write) } else { who.can_profiles(write) };
    if ok { Ok(()) } else { Err(ApiError::Forbidden("this credential may not use this resource".into())) }
}

fn is_json(ct: &str) -> bool {
    ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// Handles every method on one of the three document resources.
#[allow(clippy::too_many_arguments)]
async fn handle(
    kind: &'static str,
    state: AppState,
    who: Principal,
    version: xapi::Version,
    method: Method,
    params: BTreeMap<String, String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let write = !matches!(method, Method::GET | Method::HEAD);
    // A launch token is judged by what it is bound to, not by scopes.
    if who.launch.is_none() {
        check_scope(kind, &who, write)?;
    }
    let (key, id_param) = doc_key(kind, &params, version)?;
    if let Some(l) = &who.launch {
        l.check_document(&key, write)?;
    }
    let since = match params.get("since") {
        Some(s) => Some(
            crate::clock::normalise(s)
                .ok_or_else(|| ApiError::BadRequest("since must be a timestamp".into()))?,
        ),
        None => None,
    };
    if since.is_some() && (method != Method::GET || !key.doc_id.is_empty()) {
        return Err(ApiError::BadRequest("since is only for listing ids".into()));
    }
    let needs_id =
        matches!(method, Method::PUT | Method::POST) || (kind != "state" && method == Method::DELETE);
    if needs_id && key.doc_id.is_empty() {
        return Err(ApiError::BadRequest(format!("{id_param} is required")));
    }
    if method == Method::GET && key.doc_id.is_empty() {
        let ids = state.store.list_document_ids(who.tenant_id, &key, since.as_deref()).await?;
        return Ok(axum::Json(ids).into_response());
    }
    // Read, precondition check and write happen under the key's lock (see doclock.rs).
    let _guard = if write { Some(state.doc_locks.lock(who.tenant_id, &key).await) } else { None };
    let existing = state.store.get_document(who.tenant_id, &key).await?;
    let cur_etag = existing.as_ref().map(|d| format!("\"{}\"", d.etag));
    // Preconditions (Communication §3.1 "Concurrency").
    if let Some(m) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) {
        let ok = match &cur_etag {
            Some(e) => m.trim() == "*" || m.split(',').any(|t| t.trim() == e),
            None => false,
        };
        if !ok {
            return Err(ApiError::PreconditionFailed);
        }
    }
    if let Some(m) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok())
        && write
        && m.trim() == "*"
        && existing.is_some()
    {
        return Err(ApiError::PreconditionFailed);
    }
    match method {
        Method::GET | Method::HEAD => {
            let Some(d) = existing else { return Err(ApiError::NotFound) };
            let mut h = HeaderMap::new();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&d.content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            h.insert(
                header::ETAG,
                HeaderValue::from_str(&format!("\"{}\"", d.etag)).unwrap_or(HeaderValue::from_static("")),
            );
            if let Some(v) = crate::clock::http_date(&d.updated).and_then(|d| HeaderValue::from_str(&d).ok())
            {
                h.insert(header::LAST_MODIFIED, v);
            }
            Ok((StatusCode::OK, h, d.body).into_response())
        }
        Method::DELETE => {
            state.store.delete_documents(who.tenant_id, &key).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Method::PUT | Method::POST => {
            let ct = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream")
                .to_owned();
            // 1.0.3 Communication §2.5/§2.6: a profile PUT over an existing document without a
            // precondition is a 409 (lost-update protection); state has no such rule.
            if method == Method::PUT
                && kind != "state"
                && existing.is_some()
                && !headers.contains_key(header::IF_MATCH)
                && !headers.contains_key(header::IF_NONE_MATCH)
            {
                return Err(ApiError::Conflict("the document exists: send If-Match or If-None-Match".into()));
            }
            let (content_type, body) = if method == Method::POST {
                merge(existing.as_ref(), &ct, &body)?
            } else {
                (ct, body.to_vec())
            };
            let doc = Document {
                etag: etag_of(&body),
                content_type,
                body,
                updated: state.clock.begin().stored.clone(),
            };
            state.store.put_document(who.tenant_id, &key, &doc).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(ApiError::BadRequest(format!("method {method} is not supported here"))),
    }
}

/// POST merges JSON objects: top-level keys of the new document replace the stored ones
/// (Communication §2.3 "JSON Procedure with Requirements"). Anything not a JSON object is a 400.
fn merge(existing: Option<&Document>, ct: &str, body: &[u8]) -> Result<(String, Vec<u8>), ApiError> {
    let not_object =
        || ApiError::BadRequest("POST merges JSON objects; send application/json with an object".into());
    if !is_json(ct) {
        if existing.is_none() {
            return Ok((ct.to_owned(), body.to_vec()));
        }
        return Err(not_object());
    }
    let Value::Object(new) = serde_json::from_slice(body).map_err(|_| not_object())? else {
        return Err(not_object());
    };
    let Some(old) = existing else { return Ok((ct.to_owned(), body.to_vec())) };
    if !is_json(&old.content_type) {
        return Err(not_object());
    }
    let Ok(Value::Object(mut merged)) = serde_json::from_slice::<Value>(&old.body) else {
        return Err(not_object());
    };
    merged.extend(new);
    Ok(("application/json".into(), Value::Object(merged).to_string().into_bytes()))
}

macro_rules! resource {
    ($name:ident, $kind:literal) => {
        pub(crate) async fn $name(
            State(state): State<AppState>,
            ReqVersion(version): ReqVersion,
            method: Method,
            Query(params): Query<BTreeMap<String, String>>,
            // Before the body: an unauthenticated request is refused unread.
            Authed(who): Authed,
            headers: HeaderMap,
            body: Bytes,
        ) -> Result<Response, ApiError> {
            handle($kind, state, who, version, method, params, headers, body).await
        }
    };
}

resource!(state_doc, "state");
resource!(activity_profile, "activity_profile");
resource!(agent_profile, "agent_profile");
