//! Credentials looked up in the last minute, so a busy client does not cost a database read per
//! request (a third of the SQLite threads' work under single-statement load). Entries live
//! [`TTL`]; a credential changed in the database is seen within that time.

use crate::store::Credential;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a looked-up credential is trusted.
pub(crate) const TTL: Duration = Duration::from_secs(60);
const MAX: usize = 10_000;

#[derive(Default)]
pub(crate) struct CredCache {
    map: Mutex<HashMap<String, (Credential, Instant)>>,
}

impl CredCache {
    pub(crate) fn get(&self, key: &str) -> Option<Credential> {
        let m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        m.get(key).filter(|(_, at)| at.elapsed() < TTL).map(|(c, _)| c.clone())
    }

    /// Only credentials that exist are cached, so unknown keys cannot grow the map.
    pub(crate) fn put(&self, c: &Credential) {
        let mut m = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= MAX {
            m.retain(|_, (_, at)| at.elapsed() < TTL);
            if m.len() >= MAX {
                m.clear();
            }
        }
        m.insert(c.key.clone(), (c.clone(), Instant::now()));
    }
}
