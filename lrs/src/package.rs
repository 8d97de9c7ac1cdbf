//! Package keys: how a SCORM package reports xAPI too without carrying a secret.
//!
//! A SCORM package runs in the LMS's page and knows its learner only from the SCORM API
//! (`cmi.core.student_id`). To send statements as well, it needs a launch token, and there is no
//! LMS on the xAPI side to fetch one for it. So the package carries a **package key**: public by
//! design (anyone who unzips the package can read it), and therefore worth very little on its own.
//! `POST /xapi/launch-token/package` with `{"key", "actor", "registration", "activityId"}` mints an
//! ordinary launch token only when
//!
//! - the request comes from a page on one of the key's **origins** (the LMS's address; browsers
//!   set `Origin` themselves and scripts cannot change it),
//! - the actor is an **account on the key's home page** (the LMS's learners, not any mailbox),
//! - the activity id starts with the key's **activity prefix** (the organisation's modules).
//!
//! The token is then confined like any launch token: one learner, one registration, statements
//! and state only, expiring. What a package key cannot prevent is a learner writing statements
//! about themselves that did not happen — which SCORM itself cannot prevent either (the learner's
//! browser sets `cmi.core.score.raw`). docs/lrs.md says so.
//!
//! A package key is a credential whose scopes are `package origin=<o>… home=<url> activity=<iri>`;
//! its secret is never shown, so it cannot be used for anything else.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use serde_json::Value;

use crate::error::ApiError;
use crate::token::{TokenRequest, issue};
use crate::{AppState, ServeConfig};

/// The scope that marks a package key.
pub const SCOPE: &str = "package";

/// What a package key allows.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageKey {
    /// Page origins (`https://lms.example.org`) allowed to ask for tokens.
    pub origins: Vec<String>,
    /// The `account.homePage` of the learners it mints tokens for.
    pub home_page: String,
    /// Activity ids must start with this.
    pub activity_prefix: String,
}

impl PackageKey {
    /// The credential scopes that store this key's rules.
    pub fn scopes(&self) -> Vec<String> {
        let mut s = vec![SCOPE.to_string()];
        s.extend(self.origins.iter().map(|o| format!("origin={o}")));
        s.push(format!("home={}", self.home_page));
        s.push(format!("activity={}", self.activity_prefix));
        s
    }

    /// Reads the rules back from a credential's scopes; `None` when it is not a package key.
    pub fn from_scopes(scopes: &str) -> Option<PackageKey> {
        let mut words = scopes.split_whitespace();
        if words.next() != Some(SCOPE) {
            return None;
        }
        let (mut origins, mut home_page, mut activity_prefix) = (Vec::new(), None, None);
        for w in words {
            match w.split_once('=') {
                Some(("origin", o)) => origins.push(o.to_string()),
                Some(("home", h)) => home_page = Some(h.to_string()),
                Some(("activity", a)) => activity_prefix = Some(a.to_string()),
                _ => return None,
            }
        }
        Some(PackageKey { origins, home_page: home_page?, activity_prefix: activity_prefix? })
    }

    /// Checks the rules for a new key: origins are `scheme://host[:port]`, the others IRIs.
    pub fn validate(&self) -> Result<(), String> {
        if self.origins.is_empty() {
            return Err("a package key needs at least one --origin (the LMS's address)".into());
        }
        for o in &self.origins {
            let ok = (o.starts_with("https://") || o.starts_with("http://"))
                && !o.ends_with('/')
                && o.split("://").nth(1).is_some_and(|h| !h.is_empty() && !h.contains('/'));
            if !ok {
                return Err(format!(
                    "`{o}` is not an origin such as https://lms.example.org (no path, no trailing /)"
                ));
            }
        }
        for (what, v) in [("--home-page", &self.home_page), ("--activity-prefix", &self.activity_prefix)] {
            if !xapi::format::is_iri(v) || v.contains(char::is_whitespace) {
                return Err(format!("{what} `{v}` is not an absolute IRI"));
            }
        }
        Ok(())
    }
}

/// `POST /xapi/launch-token/package`: a launch token for a SCORM package, under a package key's
/// rules (see the module documentation).
pub(crate) async fn mint(
    State(state): State<AppState>,
    Extension(config): Extension<Arc<ServeConfig>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let req = TokenRequest::parse(&body, &config, &["key"])?;
    let key = req
        .body
        .get("key")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::BadRequest("key is required".into()))?;
    let cred = state.store.credential(key).await?.ok_or(ApiError::Unauthorized)?;
    let Some(rules) = PackageKey::from_scopes(&cred.scopes) else {
        return Err(ApiError::Forbidden("this key is not a package key".into()));
    };
    let origin = headers.get("origin").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !rules.origins.iter().any(|o| o == origin) {
        return Err(ApiError::Forbidden(format!(
            "this package key is not for pages on `{origin}` (its origins: {})",
            rules.origins.join(", ")
        )));
    }
    if req.actor["account"]["homePage"].as_str() != Some(&rules.home_page) {
        return Err(ApiError::Forbidden(format!(
            "a package key mints tokens only for accounts on {}",
            rules.home_page
        )));
    }
    if req.activity_id.is_empty() || !req.activity_id.starts_with(&rules.activity_prefix) {
        return Err(ApiError::Forbidden(format!(
            "a package key mints tokens only for activities under {}",
            rules.activity_prefix
        )));
    }
    issue(&state, cred.tenant_id, &cred.key, req).await.map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_round_trip_through_scopes() {
        let k = PackageKey {
            origins: vec!["https://lms.example.org".into(), "http://127.0.0.1:8080".into()],
            home_page: "https://lms.example.org".into(),
            activity_prefix: "https://learning.example.org/hearth/".into(),
        };
        assert_eq!(k.validate(), Ok(()));
        assert_eq!(PackageKey::from_scopes(&k.scopes().join(" ")), Some(k));
        assert_eq!(PackageKey::from_scopes("all"), None);
        assert_eq!(PackageKey::from_scopes("package origin=https://a.example"), None, "no home, no prefix");
    }

    #[test]
    fn bad_rules_are_refused_with_a_reason() {
        let base = PackageKey {
            origins: vec!["https://lms.example.org".into()],
            home_page: "https://lms.example.org".into(),
            activity_prefix: "urn:hearth:module:".into(),
        };
        for (k, want) in [
            (PackageKey { origins: vec![], ..base.clone() }, "at least one --origin"),
            (
                PackageKey { origins: vec!["https://lms.example.org/".into()], ..base.clone() },
                "not an origin",
            ),
            (PackageKey { origins: vec!["lms.example.org".into()], ..base.clone() }, "not an origin"),
            (
                PackageKey { origins: vec!["https://lms.example.org/moodle".into()], ..base.clone() },
                "not an origin",
            ),
            (PackageKey { activity_prefix: "modules/".into(), ..base.clone() }, "--activity-prefix"),
        ] {
            let e = k.validate().unwrap_err();
            assert!(e.contains(want), "{e}");
        }
    }
}
