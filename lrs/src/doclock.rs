//! Serialises writes to one document key inside this process.
//!
//! A document POST is read–merge–write and every write checks `If-Match` against what it read;
//! two concurrent writers of one document would otherwise both read the old version and the
//! second write would drop the first's keys (or pass a precondition it should fail). Writes take
//! one of a fixed set of async mutexes chosen by hashing the key (without the document id, so a
//! delete of all documents under a key also serialises with writes of each). Several server
//! processes on one PostgreSQL database are not covered (see docs/lrs.md).

use crate::store::DocKey;
use std::hash::{DefaultHasher, Hash, Hasher};
use tokio::sync::{Mutex, MutexGuard};

const STRIPES: usize = 64;

/// The lock stripes.
pub(crate) struct DocLocks {
    stripes: Vec<Mutex<()>>,
}

impl Default for DocLocks {
    fn default() -> Self {
        DocLocks { stripes: (0..STRIPES).map(|_| Mutex::new(())).collect() }
    }
}

impl DocLocks {
    /// Holds the stripe for `key` in `tenant` until the guard is dropped.
    pub(crate) async fn lock(&self, tenant: i64, key: &DocKey) -> MutexGuard<'_, ()> {
        let mut h = DefaultHasher::new();
        (tenant, key.kind, &key.activity_id, &key.agent_ifi, &key.registration).hash(&mut h);
        self.stripes[(h.finish() as usize) % STRIPES].lock().await
    }
}
