//! Credentials: key/secret pairs per tenant, secrets stored as salted SHA-256, HTTP Basic auth,
//! and the xAPI scopes (Communication §4.2 "OAuth 1.0 Authorization Scope").

use crate::store::Credential;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Scopes a credential can hold.
/// `launch` is Hearth's own: it may mint launch tokens (`crate::token`).
pub const SCOPES: [&str; 7] =
    ["statements/write", "statements/read", "statements/read/mine", "state", "all/read", "all", "launch"];

/// Random lowercase hex of `bytes` bytes from the OS.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source failed");
    hex(&buf)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SHA-256 of salt ‖ secret. Secrets are 32 random bytes generated here, so a fast hash is
/// enough (there is nothing to guess); the salt stops equal secrets from matching.
pub(crate) fn hash_secret(salt: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(secret.as_bytes());
    hex(&h.finalize())
}

/// Builds a new credential; returns it and the plain secret (shown once, never stored).
pub fn new_credential(tenant_id: i64, scopes: &[String]) -> (Credential, String) {
    let key = random_hex(12);
    let secret = random_hex(32);
    let salt = random_hex(16);
    let secret_hash = hash_secret(&salt, &secret);
    (Credential { key, tenant_id, salt, secret_hash, scopes: scopes.join(" ") }, secret)
}

/// Constant-time check of a presented secret.
pub(crate) fn verify(c: &Credential, secret: &str) -> bool {
    let got = hash_secret(&c.salt, secret);
    got.len() == c.secret_hash.len()
        && got.bytes().zip(c.secret_hash.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
}

/// Parses `Authorization: Basic base64(key:secret)`.
pub(crate) fn parse_basic(header: &str) -> Option<(String, String)> {
    let b64 = header.strip_prefix("Basic ").or_else(|| header.strip_prefix("basic "))?;
    let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (k, v) = s.split_once(':')?;
    Some((k.to_owned(), v.to_owned()))
}

/// What a credential may do.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The credential key (also the authority account name).
    pub key: String,
    /// The tenant every read and write is confined to.
    pub tenant_id: i64,
    scopes: Vec<String>,
    /// Set when the request came with a launch token: what it is confined to.
    pub(crate) launch: Option<crate::token::Launch>,
}

impl Principal {
    pub(crate) fn from_credential(c: &Credential) -> Principal {
        Principal {
            key: c.key.clone(),
            tenant_id: c.tenant_id,
            scopes: c.scopes.split_whitespace().map(str::to_owned).collect(),
            launch: None,
        }
    }

    /// A launch token's principal: writes and reads statements and state, confined by `launch`.
    pub(crate) fn from_launch(issuer_key: String, tenant_id: i64, launch: crate::token::Launch) -> Principal {
        Principal {
            key: issuer_key,
            tenant_id,
            scopes: vec!["statements/write".into(), "statements/read".into(), "state".into()],
            launch: Some(launch),
        }
    }

    pub(crate) fn can_mint_tokens(&self) -> bool {
        self.has("all") || self.has("launch")
    }

    fn has(&self, s: &str) -> bool {
        self.scopes.iter().any(|x| x == s)
    }

    pub(crate) fn can_write_statements(&self) -> bool {
        self.has("all") || self.has("statements/write")
    }

    /// `Some(false)`: may read all of the tenant's statements; `Some(true)`: only its own.
    pub(crate) fn statement_read(&self) -> Option<bool> {
        if self.has("all") || self.has("all/read") || self.has("statements/read") {
            Some(false)
        } else if self.has("statements/read/mine") {
            Some(true)
        } else {
            None
        }
    }

    /// State documents: `state` or `all` (and `all/read` for reading).
    pub(crate) fn can_state(&self, write: bool) -> bool {
        self.has("all") || self.has("state") || (!write && self.has("all/read"))
    }

    /// Profiles (activity and agent): only `all`, or `all/read` for reading; the spec has no
    /// narrower scope for them.
    pub(crate) fn can_profiles(&self, write: bool) -> bool {
        self.has("all") || (!write && self.has("all/read"))
    }

    /// The authority Agent put on statements this credential writes (Data §2.4.9).
    pub(crate) fn authority(&self) -> serde_json::Value {
        serde_json::json!({"objectType": "Agent", "account": {"homePage": "urn:hearth:lrs:credential", "name": self.key}})
    }
}
