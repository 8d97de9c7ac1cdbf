//! The Activities and Agents resources (Communication §2.5, §2.6): the definition of an activity
//! merged from the statements about it, and the Person object for an agent.

use crate::error::ApiError;
use crate::store::StatementQuery;
use crate::{AppState, Authed, ReqVersion};
use axum::Json;
use axum::extract::{Query, State};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// `GET /xapi/activities?activityId=`: the definition merged from the statements about it (see
/// [`merge_definitions`]), or just the id when none is stored.
pub(crate) async fn activity(
    State(state): State<AppState>,
    ReqVersion(_): ReqVersion,
    Query(params): Query<BTreeMap<String, String>>,
    Authed(who): Authed,
) -> Result<Json<Value>, ApiError> {
    let id = reader_param(&who, &params, "activityId")?;
    if !xapi::format::is_iri(id) {
        return Err(ApiError::BadRequest("activityId must be an IRI".into()));
    }
    // The newest statements within a page's bytes: 500 large statements must not all be held.
    let _room = state.reads.reserve().await;
    let q = StatementQuery {
        activity: Some(id.clone()),
        limit: DEFINITION_STATEMENTS,
        max_bytes: Some(state.reads.page_bytes()),
        ..Default::default()
    };
    let rows = state.store.query_statements(who.tenant_id, &q).await?;
    // Newest first: merge from the oldest so that newer statements win.
    let defs: Vec<Value> = rows
        .iter()
        .rev()
        .filter_map(|r| serde_json::from_str::<Value>(&r.json).ok())
        .filter_map(|v| v.pointer("/object/definition").cloned())
        .collect();
    let mut out = json!({"objectType": "Activity", "id": id});
    if !defs.is_empty() {
        out["definition"] = merge_definitions(defs);
    }
    Ok(Json(out))
}

/// How many of the newest statements about an activity its definition is merged from.
const DEFINITION_STATEMENTS: i64 = 500;

/// Communication §2.5: the Activity carries all the information the statements about it gave.
/// Definitions are merged oldest to newest: language maps and extensions key by key, every
/// other property replaced by the newer value.
pub(crate) fn merge_definitions(defs: Vec<Value>) -> Value {
    let mut merged = serde_json::Map::new();
    for d in defs {
        let Value::Object(d) = d else { continue };
        for (k, v) in d {
            match (merged.get_mut(&k), v) {
                (Some(Value::Object(old)), Value::Object(new))
                    if matches!(k.as_str(), "name" | "description" | "extensions") =>
                {
                    old.extend(new);
                }
                (_, v) => {
                    merged.insert(k, v);
                }
            }
        }
    }
    Value::Object(merged)
}

/// `GET /xapi/agents?agent=`: a Person object with the agent's identifiers as arrays.
pub(crate) async fn agent(
    State(_): State<AppState>,
    ReqVersion(version): ReqVersion,
    Query(params): Query<BTreeMap<String, String>>,
    Authed(who): Authed,
) -> Result<Json<Value>, ApiError> {
    let a = reader_param(&who, &params, "agent")?;
    let v: Value = serde_json::from_str(a).map_err(|_| ApiError::BadRequest("agent must be JSON".into()))?;
    let probe =
        json!({"actor": v, "verb": {"id": "http://x.invalid/v"}, "object": {"id": "http://x.invalid/a"}});
    if let Err(e) = xapi::validate_statement(&probe, version) {
        return Err(ApiError::BadRequest(format!("agent: {}", e[0].message)));
    }
    let mut person = json!({"objectType": "Person"});
    for k in ["name", "mbox", "mbox_sha1sum", "openid", "account"] {
        if let Some(x) = v.get(k) {
            person[k] = json!([x]);
        }
    }
    Ok(Json(person))
}

/// The one query parameter a read-only resource takes, after checking the credential may read
/// statements (both resources are answered from stored statements).
fn reader_param<'p>(
    who: &crate::auth::Principal,
    params: &'p BTreeMap<String, String>,
    name: &str,
) -> Result<&'p String, ApiError> {
    if who.statement_read().is_none() || who.launch.is_some() {
        return Err(ApiError::Forbidden("this credential may not read".into()));
    }
    if let Some(k) = params.keys().find(|k| *k != name) {
        return Err(ApiError::BadRequest(format!("unknown parameter {k}")));
    }
    params.get(name).ok_or_else(|| ApiError::BadRequest(format!("{name} is required")))
}
