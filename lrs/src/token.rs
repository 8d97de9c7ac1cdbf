//! Launch tokens: short-lived bearer tokens for browser packages, so no long-lived secret ever
//! reaches a browser.
//!
//! A credential with the `launch` (or `all`) scope mints one with `POST /xapi/launch-token` for
//! one learner (agent) and one registration, optionally one activity. The token is
//! `base64("hearth-launch:" + 32 random bytes in hex)`, so it works both as
//! `Authorization: Bearer <token>` and, as cmi5 content expects of its fetch URL's `auth-token`,
//! as `Authorization: Basic <token>`. Only SHA-256 of the random part is stored, with an expiry.
//!
//! A token may write statements whose actor is its learner and whose registration is its
//! registration (or, for a token that names an activity, another registration of that learner
//! about that activity: what an earlier launch left queued on the device), read statements of that learner in that registration, and read and write state
//! documents for that learner and registration (and activity, when the token names one). Anything
//! else is a 403.

use crate::auth::Principal;
use crate::error::ApiError;
use crate::store::{DocKey, NewStatement, StoreError};
use crate::{AppState, ServeConfig};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};
use std::sync::Arc;

/// The Basic-auth user name inside every launch token.
pub(crate) const TOKEN_USER: &str = "hearth-launch";

/// A stored launch token (the secret only as a hash).
#[derive(Debug, Clone)]
pub struct LaunchToken {
    /// Hex SHA-256 of the token's random part.
    pub hash: String,
    /// Tenant of the credential that minted it.
    pub tenant_id: i64,
    /// Key of the minting credential: the authority of statements written with the token.
    pub issuer_key: String,
    /// The learner's IFI ([`xapi::model::agent_ifi`]).
    pub actor_ifi: String,
    /// The registration (lowercase UUID).
    pub registration: String,
    /// The activity the token's state documents are limited to; empty for none.
    pub activity_id: String,
    /// Expiry, Unix milliseconds.
    pub expires_ms: i64,
}

/// What a launch token confines a [`Principal`] to.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    pub(crate) actor_ifi: String,
    pub(crate) registration: String,
    pub(crate) activity_id: Option<String>,
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The random part of a token presented as `Bearer <token>`, or `None` when the header is not a
/// bearer token. (`Basic <token>` is recognised by its user name in [`AppState::principal`].)
pub(crate) fn parse_bearer(header: &str) -> Option<String> {
    let t = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer "))?.trim();
    let raw = base64::engine::general_purpose::STANDARD.decode(t).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (user, secret) = s.split_once(':')?;
    (user == TOKEN_USER).then(|| secret.to_owned())
}

/// The principal for a presented token secret, if the token exists and has not expired.
pub(crate) async fn principal(state: &AppState, secret: &str) -> Result<Principal, ApiError> {
    let t = state.store.launch_token(&hash(secret)).await?.ok_or(ApiError::Unauthorized)?;
    if t.expires_ms <= now_ms() {
        return Err(ApiError::Unauthorized);
    }
    Ok(Principal::from_launch(
        t.issuer_key,
        t.tenant_id,
        Launch {
            actor_ifi: t.actor_ifi,
            registration: t.registration,
            activity_id: (!t.activity_id.is_empty()).then_some(t.activity_id),
        },
    ))
}

fn forbidden(what: &str) -> ApiError {
    ApiError::Forbidden(format!("a launch token may only {what}"))
}

impl Launch {
    /// Every statement written with a token is by its learner, in its registration; or, when the
    /// token names an activity, by its learner about that activity in an earlier registration: a
    /// device delivers what an earlier launch of the same learner left in its queue (offline,
    /// then the tab closed) with the token of whichever launch comes next.
    pub(crate) fn check_write(&self, stmts: &[NewStatement]) -> Result<(), ApiError> {
        for s in stmts {
            let own_registration = s.registration.as_deref() == Some(&self.registration);
            if s.actor_ifi.as_deref() != Some(&self.actor_ifi)
                || !(own_registration || s.registration.is_some() && self.about_activity(s))
            {
                return Err(forbidden(
                    "write statements by its own learner, in its own registration or about its own activity",
                ));
            }
        }
        Ok(())
    }

    /// Whether a statement is about the token's activity: its object is the activity or a part of
    /// it (`<activity>/…`), or the activity is in its context (a parent, say). Never for a token
    /// without an activity.
    fn about_activity(&self, s: &NewStatement) -> bool {
        let Some(a) = &self.activity_id else { return false };
        let part = |o: &str| o == a || o.strip_prefix(a.as_str()).is_some_and(|rest| rest.starts_with('/'));
        s.activity.as_deref().is_some_and(part)
            || s.related_activities.contains(&crate::store::related_column(std::slice::from_ref(a)))
    }

    /// A query may name only the token's learner and registration; both are then enforced.
    pub(crate) fn confine_query(
        &self,
        agent_ifi: &mut Option<String>,
        registration: &mut Option<String>,
    ) -> Result<(), ApiError> {
        if agent_ifi.as_ref().is_some_and(|a| *a != self.actor_ifi)
            || registration.as_ref().is_some_and(|r| *r != self.registration)
        {
            return Err(forbidden("read statements of its own learner in its own registration"));
        }
        *agent_ifi = Some(self.actor_ifi.clone());
        *registration = Some(self.registration.clone());
        Ok(())
    }

    /// A single statement read by id must be the learner's, in the registration.
    pub(crate) fn check_read(&self, statement: &Value) -> Result<(), ApiError> {
        let reg = statement.pointer("/context/registration").and_then(Value::as_str);
        if xapi::model::agent_ifi(&statement["actor"]).as_deref() != Some(&self.actor_ifi)
            || !reg.is_some_and(|r| r.eq_ignore_ascii_case(&self.registration))
        {
            return Err(forbidden("read statements of its own learner in its own registration"));
        }
        Ok(())
    }

    /// Documents: state of the learner and registration (and activity); and reading the learner's
    /// own agent profiles, which a cmi5 AU must do at startup for `cmi5LearnerPreferences` (§11).
    pub(crate) fn check_document(&self, key: &DocKey, write: bool) -> Result<(), ApiError> {
        if key.kind == "agent_profile" && !write && key.agent_ifi == self.actor_ifi {
            return Ok(());
        }
        let activity_ok = self.activity_id.as_ref().is_none_or(|a| *a == key.activity_id);
        if key.kind != "state"
            || key.agent_ifi != self.actor_ifi
            || key.registration != self.registration
            || !activity_ok
        {
            return Err(forbidden("use state documents of its own learner, registration and activity"));
        }
        Ok(())
    }
}

/// `POST /xapi/launch-token` with a `launch`-scoped credential and
/// `{"actor": Agent, "registration": UUID, "activityId"?: IRI, "ttl"?: seconds}` →
/// `{"auth-token": …, "token_type": "Bearer", "expires": RFC 3339, "expires_in": seconds}`.
pub(crate) async fn mint(
    State(state): State<AppState>,
    Extension(config): Extension<Arc<ServeConfig>>,
    crate::Authed(who): crate::Authed,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    if who.launch.is_some() || !who.can_mint_tokens() {
        return Err(ApiError::Forbidden(
            "this credential may not mint launch tokens (scope `launch`)".into(),
        ));
    }
    let req = TokenRequest::parse(&body, &config, &[])?;
    issue(&state, who.tenant_id, &who.key, req).await.map(Json)
}

/// A parsed token request: `{"actor", "registration", "activityId"?, "ttl"?}` plus `extra` keys.
pub(crate) struct TokenRequest {
    pub(crate) body: serde_json::Map<String, Value>,
    pub(crate) actor: Value,
    actor_ifi: String,
    registration: String,
    pub(crate) activity_id: String,
    ttl: u64,
}

impl TokenRequest {
    pub(crate) fn parse(body: &[u8], config: &ServeConfig, extra: &[&str]) -> Result<TokenRequest, ApiError> {
        let v: Value = serde_json::from_slice(body)
            .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
        let Value::Object(m) = v else {
            return Err(ApiError::BadRequest("the body must be an object".into()));
        };
        let known =
            |k: &str| matches!(k, "actor" | "registration" | "activityId" | "ttl") || extra.contains(&k);
        if let Some(k) = m.keys().find(|k| !known(k)) {
            return Err(ApiError::BadRequest(format!("unknown property {k}")));
        }
        let actor = m.get("actor").ok_or_else(|| ApiError::BadRequest("actor is required".into()))?.clone();
        let probe = json!({"actor": actor, "verb": {"id": "http://x.invalid/v"}, "object": {"id": "http://x.invalid/a"}});
        if let Err(e) = xapi::validate_statement(&probe, xapi::Version::V1_0) {
            return Err(ApiError::BadRequest(format!("actor: {}", e[0].message)));
        }
        let actor_ifi = xapi::model::agent_ifi(&actor)
            .ok_or_else(|| ApiError::BadRequest("actor must have an identifier".into()))?;
        let registration = match m.get("registration").and_then(Value::as_str) {
            Some(r) if xapi::format::is_uuid(r) => r.to_ascii_lowercase(),
            _ => return Err(ApiError::BadRequest("registration (a UUID) is required".into())),
        };
        let activity_id = match m.get("activityId") {
            None => String::new(),
            Some(Value::String(a)) if xapi::format::is_iri(a) => a.clone(),
            Some(_) => return Err(ApiError::BadRequest("activityId must be an IRI".into())),
        };
        let max = config.token_ttl.as_secs();
        let ttl = match m.get("ttl") {
            None => max,
            Some(t) => match t.as_u64() {
                Some(t) if (1..=max).contains(&t) => t,
                _ => return Err(ApiError::BadRequest(format!("ttl must be 1..={max} seconds"))),
            },
        };
        Ok(TokenRequest { body: m, actor, actor_ifi, registration, activity_id, ttl })
    }
}

/// Stores a new token for `req`, minted by `issuer_key`, and returns the response body.
pub(crate) async fn issue(
    state: &AppState,
    tenant_id: i64,
    issuer_key: &str,
    req: TokenRequest,
) -> Result<Value, ApiError> {
    let secret = crate::auth::random_hex(32);
    let expires_ms = now_ms() + (req.ttl as i64) * 1000;
    let t = LaunchToken {
        hash: hash(&secret),
        tenant_id,
        issuer_key: issuer_key.to_string(),
        actor_ifi: req.actor_ifi,
        registration: req.registration,
        activity_id: req.activity_id,
        expires_ms,
    };
    state.store.add_launch_token(&t).await?;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{TOKEN_USER}:{secret}"));
    Ok(json!({
        "auth-token": token,
        "token_type": "Bearer",
        "expires": crate::clock::format_ms(expires_ms),
        "expires_in": req.ttl,
    }))
}

/// SQL for the token table (both dialects), called from the [`crate::store::Store`] impl.
pub(crate) async fn insert(pool: &AnyPool, t: &LaunchToken) -> Result<(), StoreError> {
    // Expired tokens are useless; sweeping them here keeps the table small without a timer.
    sqlx::query("DELETE FROM launch_tokens WHERE expires_ms < $1").bind(now_ms()).execute(pool).await?;
    sqlx::query(
        "INSERT INTO launch_tokens (token_hash, tenant_id, issuer_key, actor_ifi, registration, activity_id, \
         expires_ms) VALUES ($1,$2,$3,$4,$5,$6,$7)",
    )
    .bind(&t.hash)
    .bind(t.tenant_id)
    .bind(&t.issuer_key)
    .bind(&t.actor_ifi)
    .bind(&t.registration)
    .bind(&t.activity_id)
    .bind(t.expires_ms)
    .execute(pool)
    .await?;
    Ok(())
}

/// Looks a token up by hash.
pub(crate) async fn find(pool: &AnyPool, token_hash: &str) -> Result<Option<LaunchToken>, StoreError> {
    let row = sqlx::query(
        "SELECT token_hash, tenant_id, issuer_key, actor_ifi, registration, activity_id, expires_ms \
         FROM launch_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(LaunchToken {
        hash: r.try_get("token_hash")?,
        tenant_id: r.try_get("tenant_id")?,
        issuer_key: r.try_get("issuer_key")?,
        actor_ifi: r.try_get("actor_ifi")?,
        registration: r.try_get("registration")?,
        activity_id: r.try_get("activity_id")?,
        expires_ms: r.try_get("expires_ms")?,
    }))
}
