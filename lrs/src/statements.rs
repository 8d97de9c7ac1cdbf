//! The Statements resource (xAPI 1.0.3 Communication §2.1): PUT, POST, GET (single, voided and
//! query with `more` paging).

use crate::attachments::{self, Part};
use crate::auth::Principal;
use crate::error::ApiError;
use crate::store::{NewStatement, StatementQuery, related_column};
use crate::{AppState, Authed, ReqVersion};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use xapi::format::{is_iri, is_uuid};
use xapi::model::{agent_ifi, voided_target};

const MAX_LIMIT: i64 = 500;

fn parse_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))
}

/// The id a StatementRef object targets.
pub(crate) fn statement_ref(s: &Value) -> Option<String> {
    let obj = s.get("object")?;
    (obj.get("objectType").and_then(Value::as_str) == Some("StatementRef"))
        .then(|| obj.get("id").and_then(Value::as_str).map(str::to_ascii_lowercase))
        .flatten()
}

/// Assigns id, stored, authority and version, and extracts the index columns.
fn prepare(
    mut s: Value,
    stored: &str,
    authority: &Value,
    version: xapi::Version,
    key: &str,
) -> Result<NewStatement, ApiError> {
    if !s.is_object() {
        return Err(ApiError::BadRequest("a statement must be an object".into()));
    }
    xapi::model::normalise(&mut s);
    let m = s.as_object_mut().ok_or_else(|| ApiError::BadRequest("a statement must be an object".into()))?;
    let id = match m.get("id").and_then(Value::as_str) {
        Some(id) => id.to_ascii_lowercase(),
        None => crate::uuid_v4(),
    };
    m.insert("id".into(), Value::String(id.clone()));
    m.insert("stored".into(), Value::String(stored.to_owned()));
    // Data §2.4.7: the LRS sets timestamp = stored when it is absent.
    m.entry("timestamp").or_insert_with(|| Value::String(stored.to_owned()));
    // Data §2.4.9: with Basic auth the authority is the credential's Agent, overwriting any sent.
    m.insert("authority".into(), authority.clone());
    m.entry("version").or_insert_with(|| {
        Value::String(match version {
            xapi::Version::V1_0 => "1.0.0".into(),
            xapi::Version::V2_0 => "2.0.0".into(),
        })
    });
    let obj = &s["object"];
    let ot = obj.get("objectType").and_then(Value::as_str).unwrap_or("Activity");
    Ok(NewStatement {
        id,
        stored: stored.to_owned(),
        verb: s["verb"]["id"].as_str().unwrap_or_default().to_owned(),
        activity: (ot == "Activity").then(|| obj["id"].as_str().unwrap_or_default().to_owned()),
        actor_ifi: agent_ifi(&s["actor"]),
        object_ifi: matches!(ot, "Agent" | "Group").then(|| agent_ifi(obj)).flatten(),
        registration: s.pointer("/context/registration").and_then(Value::as_str).map(str::to_ascii_lowercase),
        authority_key: key.to_owned(),
        voids: voided_target(&s).map(str::to_ascii_lowercase),
        object_ref: statement_ref(&s),
        related_agents: related_column(&xapi::model::related_agents(&s)),
        related_activities: related_column(&xapi::model::related_activities(&s)),
        json: s.to_string(),
    })
}

async fn write(
    state: &AppState,
    who: &Principal,
    version: xapi::Version,
    items: Vec<Value>,
    parts: &[Part],
) -> Result<Vec<String>, ApiError> {
    if !who.can_write_statements() {
        return Err(ApiError::Forbidden("this credential may not write statements".into()));
    }
    let inflight = state.clock.begin();
    let authority = who.authority();
    let mut seen = HashSet::new();
    let mut prepared = Vec::with_capacity(items.len());
    for s in items {
        let p = prepare(s, &inflight.stored, &authority, version, &who.key)?;
        if !seen.insert(p.id.clone()) {
            return Err(ApiError::BadRequest(format!("statement id {} appears twice in the batch", p.id)));
        }
        prepared.push(p);
    }
    if let Some(l) = &who.launch {
        l.check_write(&prepared)?;
    }
    // A voiding statement must not target a voiding statement (Data §2.3.2); reject it outright.
    for p in &prepared {
        if let Some(t) = &p.voids
            && let Some(target) = state.store.get_statement(who.tenant_id, t).await?
            && serde_json::from_str::<Value>(&target.json).ok().as_ref().and_then(voided_target).is_some()
        {
            return Err(ApiError::BadRequest(format!(
                "statement {t} is a voiding statement and cannot be voided"
            )));
        }
    }
    // Contents first: a statement is never visible without the attachments it names.
    if !parts.is_empty() {
        state.store.put_attachments(who.tenant_id, parts).await?;
    }
    let ids = prepared.iter().map(|p| p.id.clone()).collect();
    let n = prepared.len() as u64;
    state.store.insert_statements(who.tenant_id, prepared).await?;
    drop(inflight);
    state.metrics.statements.inc_by(n);
    Ok(ids)
}

/// A statements request body by its Content-Type (Communication §1.5): JSON, or `multipart/mixed`
/// with attachment parts. Anything else is a 400.
async fn read_body(headers: &HeaderMap, body: Bytes) -> Result<(Value, Vec<Part>), ApiError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json");
    match attachments::media_type(ct).as_str() {
        "application/json" => Ok((parse_json(&body)?, Vec::new())),
        "multipart/mixed" => attachments::parse(ct, body).await,
        other => Err(ApiError::BadRequest(format!(
            "statements are sent as application/json or multipart/mixed, not `{other}`"
        ))),
    }
}

/// After validation: the parts must match the statements' attachments (and signatures).
fn check_parts(items: &[Value], parts: Vec<Part>) -> Result<Vec<Part>, ApiError> {
    if parts.is_empty() {
        attachments::check_json_only(items)?;
        return Ok(parts);
    }
    attachments::check(items, parts)
}

/// `POST /xapi/statements`: one statement or an array; returns the ids (Communication §2.1.2).
pub(crate) async fn post(
    State(state): State<AppState>,
    ReqVersion(version): ReqVersion,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (v, parts) = read_body(&headers, body).await?;
    xapi::validate_statements(&v, version).map_err(ApiError::Invalid)?;
    let items = match v {
        Value::Array(items) => items,
        one => vec![one],
    };
    let parts = check_parts(&items, parts)?;
    let ids = write(&state, &who, version, items, &parts).await?;
    Ok((StatusCode::OK, Json(ids)).into_response())
}

/// `PUT /xapi/statements?statementId=…` (Communication §2.1.1): 204, or 409 when the id holds a
/// different statement.
pub(crate) async fn put(
    State(state): State<AppState>,
    ReqVersion(version): ReqVersion,
    Query(params): Query<BTreeMap<String, String>>,
    Authed(who): Authed,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id =
        params.get("statementId").ok_or_else(|| ApiError::BadRequest("statementId is required".into()))?;
    if let Some(k) = params.keys().find(|k| *k != "statementId") {
        return Err(ApiError::BadRequest(format!("unexpected parameter {k}")));
    }
    if !is_uuid(id) {
        return Err(ApiError::BadRequest(format!("statementId `{id}` is not a UUID")));
    }
    let (mut v, parts) = read_body(&headers, body).await?;
    if !v.is_object() {
        return Err(ApiError::BadRequest("PUT takes a single statement object".into()));
    }
    match v.get("id").and_then(Value::as_str) {
        Some(body_id) if !body_id.eq_ignore_ascii_case(id) => {
            return Err(ApiError::BadRequest("the statement's id does not match statementId".into()));
        }
        _ => {}
    }
    v["id"] = Value::String(id.clone());
    xapi::validate_statement(&v, version).map_err(ApiError::Invalid)?;
    let items = vec![v];
    let parts = check_parts(&items, parts)?;
    write(&state, &who, version, items, &parts).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

const QUERY_KEYS: [&str; 15] = [
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "cursor",
];

fn bool_param(params: &BTreeMap<String, String>, k: &str) -> Result<bool, ApiError> {
    match params.get(k).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(o) => Err(ApiError::BadRequest(format!("{k} must be true or false, got `{o}`"))),
    }
}

/// `GET /xapi/statements` (Communication §2.1.3). Every answer, refusals and 404s included,
/// carries `X-Experience-API-Consistent-Through`: clients poll with it to know when what they
/// wrote is visible, whatever the outcome of their query.
pub(crate) async fn get(
    State(state): State<AppState>,
    ReqVersion(version): ReqVersion,
    Query(params): Query<BTreeMap<String, String>>,
    auth: Result<Authed, Response>,
    headers: HeaderMap,
) -> Response {
    let consistent = state.clock.watermark();
    let mut resp = match auth {
        Err(refused) => refused,
        Ok(Authed(who)) => match query(&state, &who, version, &params, &headers, &consistent).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        },
    };
    resp.headers_mut().insert(
        "X-Experience-API-Consistent-Through",
        HeaderValue::from_str(&consistent).unwrap_or(HeaderValue::from_static("")),
    );
    resp
}

async fn query(
    state: &AppState,
    who: &Principal,
    version: xapi::Version,
    params: &BTreeMap<String, String>,
    headers: &HeaderMap,
    consistent: &str,
) -> Result<Response, ApiError> {
    let mine = who
        .statement_read()
        .ok_or_else(|| ApiError::Forbidden("this credential may not read statements".into()))?;
    if let Some(k) = params.keys().find(|k| !QUERY_KEYS.contains(&k.as_str())) {
        return Err(ApiError::BadRequest(format!("unknown parameter {k}")));
    }
    let format = params.get("format").map(String::as_str).unwrap_or("exact");
    if !matches!(format, "exact" | "ids" | "canonical") {
        return Err(ApiError::BadRequest(format!("format `{format}` is not ids, exact or canonical")));
    }
    let with_attachments = bool_param(params, "attachments")?;
    let accept_language = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let ascending = bool_param(params, "ascending")?;

    // Single statement (statementId) or voided statement (voidedStatementId).
    let single = match (params.get("statementId"), params.get("voidedStatementId")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::BadRequest(
                "statementId and voidedStatementId cannot be used together".into(),
            ));
        }
        (Some(id), None) => Some((id, false)),
        (None, Some(id)) => Some((id, true)),
        (None, None) => None,
    };
    if let Some((id, want_voided)) = single {
        if let Some(k) = params
            .keys()
            .find(|k| !matches!(k.as_str(), "statementId" | "voidedStatementId" | "format" | "attachments"))
        {
            return Err(ApiError::BadRequest(format!("{k} cannot be used with a statement id")));
        }
        if !is_uuid(id) {
            return Err(ApiError::BadRequest(format!("`{id}` is not a UUID")));
        }
        let found = state.store.get_statement(who.tenant_id, &id.to_ascii_lowercase()).await?;
        // Voided statements are only returned by voidedStatementId (Communication §2.1.4).
        let Some(s) = found.filter(|s| s.voided == want_voided) else { return Err(ApiError::NotFound) };
        let v: Value = serde_json::from_str(&s.json).unwrap_or_default();
        if let Some(l) = &who.launch {
            l.check_read(&v)?;
        }
        if mine && v.pointer("/authority/account/name").and_then(Value::as_str) != Some(&who.key) {
            return Err(ApiError::NotFound);
        }
        // 2.0: a single statement's Last-Modified is its `stored`.
        let modified = v.get("stored").and_then(Value::as_str).and_then(crate::clock::http_date);
        let v = shape(v, format, accept_language);
        let mut resp = answer(state, who.tenant_id, v, with_attachments).await?;
        if let Some(m) = modified.and_then(|m| HeaderValue::from_str(&m).ok()) {
            resp.headers_mut().insert(header::LAST_MODIFIED, m);
        }
        return Ok(resp);
    }

    let mut q = StatementQuery {
        ascending,
        limit: MAX_LIMIT,
        related_agents: bool_param(params, "related_agents")?,
        related_activities: bool_param(params, "related_activities")?,
        ..Default::default()
    };
    if let Some(a) = params.get("agent") {
        let v: Value =
            serde_json::from_str(a).map_err(|_| ApiError::BadRequest("agent must be JSON".into()))?;
        // Query parameters are validated like the same fields in statements (Data §2.2).
        let probe =
            json!({"actor": v, "verb": {"id": "http://x.invalid/v"}, "object": {"id": "http://x.invalid/a"}});
        if let Err(e) = xapi::validate_statement(&probe, version) {
            return Err(ApiError::BadRequest(format!("agent: {}", e[0].message)));
        }
        q.agent_ifi = agent_ifi(&v);
        if q.agent_ifi.is_none() {
            return Err(ApiError::BadRequest("agent must have an identifier".into()));
        }
    }
    for (k, slot) in [("verb", &mut q.verb), ("activity", &mut q.activity)] {
        if let Some(v) = params.get(k) {
            if !is_iri(v) {
                return Err(ApiError::BadRequest(format!("{k} must be an IRI")));
            }
            *slot = Some(v.clone());
        }
    }
    if let Some(r) = params.get("registration") {
        if !is_uuid(r) {
            return Err(ApiError::BadRequest("registration must be a UUID".into()));
        }
        q.registration = Some(r.to_ascii_lowercase());
    }
    for (k, slot) in [("since", &mut q.since), ("until", &mut q.until)] {
        if let Some(v) = params.get(k) {
            *slot = Some(
                crate::clock::normalise(v)
                    .ok_or_else(|| ApiError::BadRequest(format!("{k} must be an RFC 3339 timestamp")))?,
            );
        }
    }
    if let Some(l) = params.get("limit") {
        let n: i64 =
            l.parse().map_err(|_| ApiError::BadRequest("limit must be a non-negative integer".into()))?;
        if n < 0 {
            return Err(ApiError::BadRequest("limit must be a non-negative integer".into()));
        }
        // 0 means "the server's maximum" (Communication §2.1.3).
        q.limit = if n == 0 { MAX_LIMIT } else { n.min(MAX_LIMIT) };
    }
    // Pages are a snapshot as of the first page's consistency watermark: only statements stored
    // at or before it, all of which were committed when it was taken. Paging by sequence number
    // alone could skip a row whose lower number committed after a page was read (PostgreSQL
    // assigns numbers at insert, not at commit). The cursor carries the sequence number and the
    // watermark.
    let bound = match params.get("cursor") {
        Some(c) => {
            let bad = || ApiError::BadRequest("cursor is not valid".into());
            let (seq, wm) = c.split_once('_').ok_or_else(bad)?;
            q.after_seq = Some(seq.parse().map_err(|_| bad())?);
            crate::clock::normalise(wm).ok_or_else(bad)?
        }
        None => consistent.to_owned(),
    };
    q.until = Some(match q.until.take() {
        Some(u) if u < bound => u,
        _ => bound.clone(),
    });
    if let Some(l) = &who.launch {
        l.confine_query(&mut q.agent_ifi, &mut q.registration)?;
    }
    if mine {
        q.authority_key = Some(who.key.clone());
    }
    // A launch token sees only its learner's statements, not those pointing at them.
    q.include_refs = who.launch.is_none();
    // A page is bounded in bytes as well as in statements, and waits for room in the server's
    // read pool (see page.rs).
    let permit = state.reads.reserve().await;
    q.max_bytes = Some(state.reads.page_bytes());
    let mut rows = state.store.query_statements(who.tenant_id, &q).await?;
    let mut fit = crate::page::fits(&rows, q.limit, state.reads.page_bytes());
    // With attachments=true their contents count against the page's bytes too.
    let mut parts = Vec::new();
    if with_attachments {
        fit = attachments_within(state, who.tenant_id, &rows[..fit], &mut parts).await?;
    }
    let more = if rows.len() > fit {
        rows.truncate(fit);
        // The cursor is the last sequence number returned plus the same filter, so a page never
        // repeats or skips a statement whatever is written meanwhile.
        let mut p = params.clone();
        p.insert("cursor".into(), format!("{}_{bound}", rows.last().map(|r| r.seq).unwrap_or_default()));
        format!("/xapi/statements?{}", serde_urlencoded::to_string(&p).unwrap_or_default())
    } else {
        String::new()
    };
    if !with_attachments {
        let shaper: Option<crate::page::Shape> = match format {
            "exact" => None,
            _ => {
                let (format, lang) = (format.to_owned(), accept_language.map(str::to_owned));
                Some(Box::new(move |j: &str| {
                    shape(serde_json::from_str(j).unwrap_or_default(), &format, lang.as_deref()).to_string()
                }))
            }
        };
        return Ok(crate::page::stream(rows, &more, shaper, permit));
    }
    let statements: Vec<Value> = rows
        .into_iter()
        .map(|r| shape(serde_json::from_str(&r.json).unwrap_or_default(), format, accept_language))
        .collect();
    Ok(multipart(&json!({"statements": statements, "more": more}), &parts))
}

/// Loads the attachment contents of `rows`, statement by statement, while the statements and
/// contents together keep within a page's bytes (the first statement's always): returns how
/// many statements that is, with their contents in `parts`.
async fn attachments_within(
    state: &AppState,
    tenant: i64,
    rows: &[crate::store::StoredStatement],
    parts: &mut Vec<Part>,
) -> Result<usize, ApiError> {
    let mut used = 0usize;
    for (n, r) in rows.iter().enumerate() {
        let v: Value = serde_json::from_str(&r.json).unwrap_or_default();
        let wanted: Vec<String> = attachments::hashes(std::slice::from_ref(&v))
            .into_iter()
            .filter(|h| !parts.iter().any(|p| &p.sha2 == h))
            .collect();
        let got =
            if wanted.is_empty() { Vec::new() } else { state.store.get_attachments(tenant, &wanted).await? };
        let add = r.json.len() + got.iter().map(|p| p.body.len()).sum::<usize>();
        if n > 0 && used + add > state.reads.page_bytes() {
            return Ok(n);
        }
        used += add;
        parts.extend(got);
    }
    Ok(rows.len())
}

/// A `multipart/mixed` answer: the JSON, then each attachment content.
fn multipart(v: &Value, parts: &[Part]) -> Response {
    let (ct, body) = attachments::render(v, parts);
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&ct).unwrap_or(HeaderValue::from_static("multipart/mixed")),
    );
    (StatusCode::OK, h, body).into_response()
}

/// The JSON answer, or with `attachments=true` a `multipart/mixed` one: the JSON, then the
/// content of every attachment its statements name that this LRS holds (Communication §2.1.3).
async fn answer(
    state: &AppState,
    tenant: i64,
    v: Value,
    with_attachments: bool,
) -> Result<Response, ApiError> {
    if !with_attachments {
        return Ok((StatusCode::OK, Json(v)).into_response());
    }
    let list = match v.get("statements") {
        Some(Value::Array(list)) => list.clone(),
        _ => vec![v.clone()],
    };
    let parts = state.store.get_attachments(tenant, &attachments::hashes(&list)).await?;
    Ok(multipart(&v, &parts))
}

/// Applies `format` (Communication §2.1.3): `ids` keeps only what identifies agents, groups,
/// activities and verbs; `canonical` keeps one language per verb display and activity definition
/// map, chosen by `Accept-Language`.
fn shape(mut v: Value, format: &str, accept_language: Option<&str>) -> Value {
    match format {
        "ids" => ids_only(&mut v, false),
        "canonical" => xapi::model::canonical(&mut v, accept_language),
        _ => {}
    }
    v
}

const IFI_KEYS: [&str; 4] = ["mbox", "mbox_sha1sum", "openid", "account"];

/// An Agent or identified Group: objectType and identifier. An anonymous Group: objectType and
/// its members, each by identifier.
fn ids_agent(v: &mut Value) {
    let Value::Object(m) = v else { return };
    let identified = IFI_KEYS.iter().any(|k| m.contains_key(*k));
    m.retain(|k, _| k == "objectType" || IFI_KEYS.contains(&k.as_str()) || (!identified && k == "member"));
    if let Some(Value::Array(members)) = m.get_mut("member") {
        members.iter_mut().for_each(ids_agent);
    }
}

fn ids_activity(v: &mut Value) {
    if let Value::Object(m) = v {
        m.retain(|k, _| k == "id");
    }
}

fn ids_only(v: &mut Value, sub: bool) {
    let Value::Object(m) = v else { return };
    for key in ["actor", "authority"] {
        if let Some(a) = m.get_mut(key) {
            ids_agent(a);
        }
    }
    if let Some(Value::Object(verb)) = m.get_mut("verb") {
        verb.retain(|k, _| k == "id");
    }
    if let Some(obj) = m.get_mut("object") {
        match obj.get("objectType").and_then(Value::as_str).unwrap_or("Activity") {
            "Agent" | "Group" => ids_agent(obj),
            "SubStatement" if !sub => ids_only(obj, true),
            "Activity" => ids_activity(obj),
            _ => {}
        }
    }
    if let Some(Value::Object(ctx)) = m.get_mut("context") {
        for key in ["instructor", "team"] {
            if let Some(a) = ctx.get_mut(key) {
                ids_agent(a);
            }
        }
        for (list, key) in [("contextAgents", "agent"), ("contextGroups", "group")] {
            if let Some(Value::Array(items)) = ctx.get_mut(list) {
                for it in items {
                    if let Some(a) = it.get_mut(key) {
                        ids_agent(a);
                    }
                }
            }
        }
        if let Some(Value::Object(ca)) = ctx.get_mut("contextActivities") {
            for list in ca.values_mut() {
                if let Value::Array(items) = list {
                    items.iter_mut().for_each(ids_activity);
                }
            }
        }
    }
}
