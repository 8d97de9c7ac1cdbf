//! Storage behind one trait, [`Store`], with one SQL implementation that speaks two dialects:
//! SQLite (one file, WAL, `synchronous=FULL`, every write through a single writer task that
//! group-commits, so an acknowledged write is durable) and PostgreSQL (a transaction per request).
//!
//! Statements are stored as JSON plus indexed columns (statement id, verb, activity, actor IFI,
//! registration, stored sequence, voided), with a tenant id on every row.

use async_trait::async_trait;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Connection, Row};
use std::str::FromStr;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Storage errors. `Conflict` is a client error (409); the others are server errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A statement with this id exists with different content (Data §2.3.1).
    #[error("statement {0} already exists with different content")]
    Conflict(String),
    /// A named thing (tenant) already exists.
    #[error("{0} already exists")]
    Exists(String),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// The SQLite writer task has stopped.
    #[error("the writer has stopped")]
    WriterGone,
}

/// A validated statement ready to be written, with its index columns.
#[derive(Debug, Clone)]
pub struct NewStatement {
    /// Statement id (UUID).
    pub id: String,
    /// `stored`, fixed-width UTC so it sorts as text.
    pub stored: String,
    /// Verb IRI.
    pub verb: String,
    /// Object activity id, when the object is an Activity.
    pub activity: Option<String>,
    /// Actor IFI (see [`xapi::model::agent_ifi`]).
    pub actor_ifi: Option<String>,
    /// Object IFI when the object is an Agent or Group.
    pub object_ifi: Option<String>,
    /// Context registration.
    pub registration: Option<String>,
    /// The credential key that wrote it (for `statements/read/mine`).
    pub authority_key: String,
    /// The statement this one voids, if it is a voiding statement.
    pub voids: Option<String>,
    /// The statement its StatementRef object targets, voiding or not.
    pub object_ref: Option<String>,
    /// [`xapi::model::related_agents`], encoded by [`related_column`].
    pub related_agents: String,
    /// [`xapi::model::related_activities`], encoded by [`related_column`].
    pub related_activities: String,
    /// The full statement JSON as it will be returned.
    pub json: String,
}

/// Encodes a list for the `related_agents` / `related_activities` columns: each value
/// JSON-encoded (so it holds no raw newline) between newlines.
pub fn related_column(values: &[String]) -> String {
    let mut s = String::from("\n");
    for v in values {
        s.push_str(&serde_json::Value::String(v.clone()).to_string());
        s.push('\n');
    }
    s
}

/// The pattern that finds `value` in a column written by [`related_column`].
fn related_needle(value: &str) -> String {
    format!("\n{}\n", serde_json::Value::String(value.to_owned()))
}

/// A filter for the statements query (Communication §2.1.3).
#[derive(Debug, Clone, Default)]
pub struct StatementQuery {
    /// Actor or object-agent IFI.
    pub agent_ifi: Option<String>,
    /// Verb IRI.
    pub verb: Option<String>,
    /// Object activity id.
    pub activity: Option<String>,
    /// Registration UUID.
    pub registration: Option<String>,
    /// `related_agents=true`: match `agent_ifi` anywhere [`xapi::model::related_agents`] looks.
    pub related_agents: bool,
    /// `related_activities=true`: match `activity` anywhere [`xapi::model::related_activities`]
    /// looks.
    pub related_activities: bool,
    /// Only statements stored strictly after this (fixed-width UTC).
    pub since: Option<String>,
    /// Only statements stored at or before this.
    pub until: Option<String>,
    /// Only statements written by this credential.
    pub authority_key: Option<String>,
    /// Also statements whose StatementRef object targets a statement meeting the filters.
    pub include_refs: bool,
    /// Oldest first.
    pub ascending: bool,
    /// Page size (the LRS adds one to detect a next page).
    pub limit: i64,
    /// Continue after this stored sequence number (the `more` cursor).
    pub after_seq: Option<i64>,
    /// At most about this many bytes of statement JSON are held: the first row, the rows after
    /// it that fit, plus one more (which tells the caller the page is full).
    /// `None`: `limit + 1` rows whatever their size.
    pub max_bytes: Option<usize>,
}

impl StatementQuery {
    /// Whether any filter other than time, paging and credential applies.
    fn has_filters(&self) -> bool {
        self.agent_ifi.is_some()
            || self.verb.is_some()
            || self.activity.is_some()
            || self.registration.is_some()
    }
}

/// A statements query being built: SQL with `$n` placeholders and the values to bind after the
/// tenant (`$1`). Only fixed fragments and integers are spliced in; values are bound.
struct Sql {
    sql: String,
    args: Vec<String>,
}

impl Sql {
    fn new(base: &str) -> Sql {
        Sql { sql: base.to_owned(), args: Vec::new() }
    }

    /// Appends `cond`, its `$?` standing for `v`.
    fn add(&mut self, cond: &str, v: &str) {
        self.args.push(v.to_owned());
        let n = self.args.len() + 1;
        self.sql.push_str(&cond.replace("$?", &format!("${n}")));
    }

    /// The filters (agent, verb, activity, registration) on the table aliased `t` (`""` or `"t."`).
    fn filters(&mut self, q: &StatementQuery, t: &str, sqlite: bool) {
        // related_*: a substring search of the encoded column (see `related_column`); SQLite's
        // instr() and PostgreSQL's strpos() take no pattern characters, so values need no escaping.
        let contains = if sqlite { "instr" } else { "strpos" };
        if let (Some(a), true) = (&q.agent_ifi, q.related_agents) {
            self.add(&format!(" AND {contains}({t}related_agents, $?) > 0"), &related_needle(a));
        } else if let Some(a) = &q.agent_ifi {
            // SQLite never plans an OR of two indexed columns with ORDER BY seq well (it scans the
            // tenant); the union of the two index lookups is what it should do.
            let cond = if sqlite && t.is_empty() {
                " AND seq IN (SELECT seq FROM statements WHERE tenant_id = $1 AND actor_ifi = $? \
                 UNION ALL SELECT seq FROM statements WHERE tenant_id = $1 AND object_ifi = $?)"
                    .to_owned()
            } else {
                format!(" AND ({t}actor_ifi = $? OR {t}object_ifi = $?)")
            };
            self.add(&cond, a);
        }
        if let Some(v) = &q.verb {
            self.add(&format!(" AND {t}verb = $?"), v);
        }
        if let (Some(v), true) = (&q.activity, q.related_activities) {
            self.add(&format!(" AND {contains}({t}related_activities, $?) > 0"), &related_needle(v));
        } else if let Some(v) = &q.activity {
            self.add(&format!(" AND {t}activity = $?"), v);
        }
        if let Some(v) = &q.registration {
            self.add(&format!(" AND {t}registration = $?"), v);
        }
    }

    /// Time window, credential, cursor, order and limit, on the table aliased `t`.
    fn window(&mut self, q: &StatementQuery, t: &str, sqlite: bool) {
        if let Some(v) = &q.since {
            self.add(&format!(" AND {t}stored > $?"), v);
        }
        if let Some(v) = &q.until {
            // `until` (always set: the consistency bound) matches nearly every row; `+stored` keeps
            // SQLite from choosing the stored index over the one that serves ORDER BY seq.
            let plus = if sqlite { "+" } else { "" };
            self.add(&format!(" AND {plus}{t}stored <= $?"), v);
        }
        if let Some(v) = &q.authority_key {
            self.add(&format!(" AND {t}authority_key = $?"), v);
        }
        // The StatementRef query (alias `s.`) uses seq only in expressions, so that no planner
        // walks the whole tenant in seq order to avoid a sort: the few statements with an
        // object_ref, found through their partial index, are sorted instead.
        let seq = if t == "s." { format!("{t}seq + 0") } else { format!("{t}seq") };
        if let Some(after) = q.after_seq {
            self.sql.push_str(&format!(" AND {seq} {} {after}", if q.ascending { ">" } else { "<" }));
        }
        let order = seq;
        self.sql.push_str(&format!(
            " ORDER BY {order} {} LIMIT {}",
            if q.ascending { "ASC" } else { "DESC" },
            q.limit.saturating_add(1)
        ));
    }

    async fn fetch(self, pool: &AnyPool, tenant: i64) -> Result<Vec<StoredStatement>, StoreError> {
        let mut query = sqlx::query(AssertSqlSafe(self.sql)).bind(tenant);
        for a in self.args {
            query = query.bind(a);
        }
        let rows = query.fetch_all(pool).await?;
        Ok(rows.iter().map(row_to_stored).collect::<Result<_, _>>()?)
    }

    /// [`Sql::fetch`] within `q.max_bytes` (see there): rows are read one at a time and those that
    /// cannot be on the page are dropped at once, so a query over large statements holds about
    /// one page in memory, not `limit` statements. `ordered`: rows arrive in page order, so
    /// reading stops at the first row past the page.
    async fn fetch_within(
        self,
        pool: &AnyPool,
        tenant: i64,
        q: &StatementQuery,
        ordered: bool,
    ) -> Result<Vec<StoredStatement>, StoreError> {
        use futures_util::TryStreamExt;
        let Some(budget) = q.max_bytes else { return self.fetch(pool, tenant).await };
        let mut query = sqlx::query(AssertSqlSafe(self.sql)).bind(tenant);
        for a in self.args {
            query = query.bind(a);
        }
        let mut rows = query.fetch(pool);
        // Keyed by position in the page.
        let mut kept = std::collections::BTreeMap::new();
        let mut bytes = 0usize;
        while let Some(row) = rows.try_next().await? {
            let s = row_to_stored(&row)?;
            bytes += s.json.len();
            if let Some(old) = kept.insert(if q.ascending { s.seq } else { -s.seq }, s) {
                bytes -= old.json.len();
            }
            // The page is the first row and those after it that keep within the budget; one row
            // past it tells the caller there is more. Once the rows before the last already
            // hold such a row (two or more rows over the budget), the last is not needed.
            while kept.len() > 2
                && let Some((_, last)) = kept.last_key_value()
                && bytes - last.json.len() > budget
            {
                bytes -= last.json.len();
                kept.pop_last();
            }
            if ordered && kept.len() >= 2 && bytes > budget {
                break;
            }
        }
        Ok(kept.into_values().collect())
    }
}

/// A statement read back.
#[derive(Debug, Clone)]
pub struct StoredStatement {
    /// Storage sequence number (cursor for `more`).
    pub seq: i64,
    /// Whether it has been voided.
    pub voided: bool,
    /// The statement JSON.
    pub json: String,
}

/// A credential as stored (the secret only as a salted hash).
#[derive(Debug, Clone)]
pub struct Credential {
    /// Public key (the Basic-auth user name).
    pub key: String,
    /// Owning tenant.
    pub tenant_id: i64,
    /// Hex salt.
    pub salt: String,
    /// Hex SHA-256 of salt ‖ secret.
    pub secret_hash: String,
    /// Space-separated xAPI scopes.
    pub scopes: String,
}

/// Where a document lives: kind (`state`, `activity_profile`, `agent_profile`) plus the key
/// parts that kind uses; unused parts are empty strings.
#[derive(Debug, Clone, Default)]
pub struct DocKey {
    /// `state`, `activity_profile` or `agent_profile`.
    pub kind: &'static str,
    /// activityId.
    pub activity_id: String,
    /// Agent IFI.
    pub agent_ifi: String,
    /// registration (state only).
    pub registration: String,
    /// stateId / profileId; empty for "all of them" in list and delete.
    pub doc_id: String,
}

/// A stored document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Content-Type it was stored with.
    pub content_type: String,
    /// The bytes.
    pub body: Vec<u8>,
    /// Hex SHA-1 of the body (the ETag without quotes; SHA-256 for documents stored before).
    pub etag: String,
    /// Last change, fixed-width UTC.
    pub updated: String,
}

/// An attachment's content (Communication §1.5.2), addressed by its SHA-256.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Hex SHA-256 of `body`, lower case.
    pub sha2: String,
    /// Content-Type of the part it came in.
    pub content_type: String,
    /// The bytes.
    pub body: Vec<u8>,
}

/// Everything the server needs from storage.
#[async_trait]
pub trait Store: Send + Sync {
    /// Writes a batch atomically: all statements or none. Ids that exist with equivalent content
    /// are skipped; an id with different content fails the whole batch with `Conflict`.
    async fn insert_statements(&self, tenant: i64, stmts: Vec<NewStatement>) -> Result<(), StoreError>;
    /// One statement by id, voided or not.
    async fn get_statement(&self, tenant: i64, id: &str) -> Result<Option<StoredStatement>, StoreError>;
    /// Non-voided statements matching a filter, at most `limit + 1`.
    async fn query_statements(
        &self,
        tenant: i64,
        q: &StatementQuery,
    ) -> Result<Vec<StoredStatement>, StoreError>;
    /// Creates a tenant, returning its id.
    async fn add_tenant(&self, name: &str) -> Result<i64, StoreError>;
    /// Looks a tenant up by name.
    async fn tenant_id(&self, name: &str) -> Result<Option<i64>, StoreError>;
    /// Stores a credential.
    async fn add_credential(&self, cred: &Credential) -> Result<(), StoreError>;
    /// Finds a credential by key.
    async fn credential(&self, key: &str) -> Result<Option<Credential>, StoreError>;
    /// One document.
    async fn get_document(&self, tenant: i64, key: &DocKey) -> Result<Option<Document>, StoreError>;
    /// Creates or replaces a document.
    async fn put_document(&self, tenant: i64, key: &DocKey, doc: &Document) -> Result<(), StoreError>;
    /// Deletes one document, or all under the key when `doc_id` is empty.
    async fn delete_documents(&self, tenant: i64, key: &DocKey) -> Result<(), StoreError>;
    /// Ids of the documents under the key (ignoring `doc_id`), optionally changed after `since`.
    async fn list_document_ids(
        &self,
        tenant: i64,
        key: &DocKey,
        since: Option<&str>,
    ) -> Result<Vec<String>, StoreError>;
    /// Stores attachment contents; one already stored under the same hash is kept.
    async fn put_attachments(&self, tenant: i64, parts: &[Attachment]) -> Result<(), StoreError>;
    /// The stored contents among `sha2s`.
    async fn get_attachments(&self, tenant: i64, sha2s: &[String]) -> Result<Vec<Attachment>, StoreError>;
    /// Stores a launch token ([`crate::token`]).
    async fn add_launch_token(&self, t: &crate::token::LaunchToken) -> Result<(), StoreError>;
    /// Finds a launch token by the hash of its secret.
    async fn launch_token(&self, hash: &str) -> Result<Option<crate::token::LaunchToken>, StoreError>;
    /// Called now and then by a running server with the number of statements it stored since
    /// the last call that returned true: refreshes the planner's statistics when that many new
    /// rows make them stale. Returns whether it did.
    async fn refresh_statistics(&self, _new_rows: u64) -> Result<bool, StoreError> {
        Ok(false)
    }
}

/// Which SQL dialect a [`SqlStore`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

type WriteJob = (i64, Vec<NewStatement>, oneshot::Sender<Result<(), StoreError>>);

/// The SQL store for both backends.
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) dialect: Dialect,
    /// SQLite only: the single writer task's queue.
    writer: Option<mpsc::Sender<WriteJob>>,
}

const SQLITE_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_documents.sql")),
    (10, include_str!("../migrations/sqlite/0010_launch_tokens.sql")),
    (11, include_str!("../migrations/sqlite/0011_tenant_seq_index.sql")),
    (12, include_str!("../migrations/sqlite/0012_related.sql")),
    (13, include_str!("../migrations/sqlite/0013_attachments.sql")),
    (14, include_str!("../migrations/sqlite/0014_object_ref.sql")),
];
const PG_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (2, include_str!("../migrations/postgres/0002_documents.sql")),
    (10, include_str!("../migrations/postgres/0010_launch_tokens.sql")),
    (11, include_str!("../migrations/postgres/0011_tenant_seq_index.sql")),
    (12, include_str!("../migrations/postgres/0012_related.sql")),
    (13, include_str!("../migrations/postgres/0013_attachments.sql")),
    (14, include_str!("../migrations/postgres/0014_object_ref.sql")),
];

impl SqlStore {
    /// Refreshes PostgreSQL's planner statistics of the statements table (`ANALYZE`, which
    /// samples a bounded number of rows whatever the table's size). Run after bulk loads: on a
    /// table without statistics PostgreSQL chose plans 100–1,000× slower. SQLite's planner does
    /// well on its indexes without `sqlite_stat1`, and writing it would contend with the writer
    /// task, so there it does nothing.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        if self.dialect == Dialect::Postgres {
            sqlx::raw_sql("ANALYZE statements").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Opens (creating if needed) the database at `url` (`sqlite:path` or `postgres://…`) and
    /// applies migrations. `search_path` puts PostgreSQL tables in a schema (tests use one
    /// schema per test).
    pub async fn open(url: &str, search_path: Option<String>) -> Result<Arc<SqlStore>, StoreError> {
        sqlx::any::install_default_drivers();
        if let Some(sp) = &search_path
            && !sp.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(StoreError::Db(sqlx::Error::Configuration("schema names are [A-Za-z0-9_]".into())));
        }
        let dialect = if url.starts_with("postgres") { Dialect::Postgres } else { Dialect::Sqlite };
        let url = match dialect {
            Dialect::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_owned(),
        };
        let opts = AnyConnectOptions::from_str(&url)?;
        let sp = search_path.clone();
        let pool = AnyPoolOptions::new()
            .max_connections(if dialect == Dialect::Sqlite { 4 } else { 16 })
            .after_connect(move |conn, _| {
                let sp = sp.clone();
                Box::pin(async move {
                    match dialect {
                        // WAL + synchronous=FULL: a commit is on disk when it returns.
                        Dialect::Sqlite => {
                            // temp_store=MEMORY: the writer's savepoints journal into memory, not
                            // into a temporary file. cache_size 32 MiB (default 2 MiB): inserts
                            // touch seven indexes, and re-reading their pages dominated the writer.
                            sqlx::raw_sql(
                                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32768;",
                            )
                            .execute(&mut *conn)
                            .await?;
                        }
                        Dialect::Postgres => {
                            if let Some(sp) = sp {
                                sqlx::raw_sql(AssertSqlSafe(format!("SET search_path TO \"{sp}\""))).execute(&mut *conn).await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        let mut store = SqlStore { pool, dialect, writer: None };
        store.migrate().await?;
        if dialect == Dialect::Sqlite {
            let conn = store.pool.acquire().await?.detach();
            let (tx, rx) = mpsc::channel(1024);
            tokio::spawn(writer_task(conn, rx));
            store.writer = Some(tx);
        }
        Ok(Arc::new(store))
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS hearth_migrations (version BIGINT PRIMARY KEY)")
            .execute(&mut *conn)
            .await?;
        let list = match self.dialect {
            Dialect::Sqlite => SQLITE_MIGRATIONS,
            Dialect::Postgres => PG_MIGRATIONS,
        };
        for (version, sql) in list {
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM hearth_migrations WHERE version = $1")
                    .bind(*version)
                    .fetch_optional(&mut *conn)
                    .await?;
            if done.is_some() {
                continue;
            }
            let mut tx = conn.begin().await?;
            sqlx::raw_sql(AssertSqlSafe(*sql)).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO hearth_migrations (version) VALUES ($1)")
                .bind(*version)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        self.fill_related(&mut conn).await
    }

    /// Fills `related_agents` / `related_activities` of statements stored before migration 12.
    async fn fill_related(&self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        loop {
            let rows = sqlx::query(
                "SELECT seq, json FROM statements WHERE related_agents IS NULL ORDER BY seq LIMIT 500",
            )
            .fetch_all(&mut *conn)
            .await?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut tx = conn.begin().await?;
            for r in rows {
                let seq: i64 = r.try_get("seq")?;
                let json: String = r.try_get("json")?;
                let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
                sqlx::query(
                    "UPDATE statements SET related_agents = $1, related_activities = $2 WHERE seq = $3",
                )
                .bind(related_column(&xapi::model::related_agents(&v)))
                .bind(related_column(&xapi::model::related_activities(&v)))
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        }
    }
}

/// SQLite: one connection owns all writes. It takes every job waiting in the queue, writes them in
/// one transaction (each job in its own savepoint so one job's conflict does not undo another's),
/// commits once, and only then answers. One fsync serves many requests.
async fn writer_task(mut conn: AnyConnection, mut rx: mpsc::Receiver<WriteJob>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < 256 {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let group: Vec<(i64, &[NewStatement])> = jobs.iter().map(|(t, s, _)| (*t, s.as_slice())).collect();
        if crate::ingest::sqlite_group(&mut conn, &group).await {
            for (_, _, reply) in jobs {
                let _ = reply.send(Ok(()));
            }
            continue;
        }
        let mut results = Vec::with_capacity(jobs.len());
        let began = sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut conn).await;
        if let Err(e) = began {
            let msg = e.to_string();
            for (_, _, reply) in jobs {
                let _ = reply.send(Err(StoreError::Db(sqlx::Error::Protocol(msg.clone()))));
            }
            continue;
        }
        for (tenant, stmts, _) in &jobs {
            let _ = sqlx::raw_sql("SAVEPOINT job").execute(&mut conn).await;
            let r = crate::ingest::write_job(&mut conn, *tenant, stmts).await;
            let end = if r.is_ok() { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
            let _ = sqlx::raw_sql(end).execute(&mut conn).await;
            results.push(r);
        }
        match sqlx::raw_sql("COMMIT").execute(&mut conn).await {
            Ok(_) => {
                for ((_, _, reply), r) in jobs.into_iter().zip(results) {
                    let _ = reply.send(r);
                }
            }
            Err(e) => {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut conn).await;
                let msg = e.to_string();
                for (_, _, reply) in jobs {
                    let _ = reply.send(Err(StoreError::Db(sqlx::Error::Protocol(msg.clone()))));
                }
            }
        }
    }
}

/// Writes one batch inside an open transaction. Shared by both dialects (`$n` placeholders work
/// in both through sqlx).
pub(crate) async fn write_batch(
    conn: &mut AnyConnection,
    tenant: i64,
    stmts: &[NewStatement],
) -> Result<(), StoreError> {
    for s in stmts {
        let inserted = sqlx::query(
            "INSERT INTO statements (tenant_id, statement_id, stored, verb, activity, actor_ifi, object_ifi, \
             registration, authority_key, is_voiding, json, related_agents, related_activities, object_ref) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) ON CONFLICT (tenant_id, statement_id) DO NOTHING",
        )
        .bind(tenant)
        .bind(&s.id)
        .bind(&s.stored)
        .bind(&s.verb)
        .bind(s.activity.clone())
        .bind(s.actor_ifi.clone())
        .bind(s.object_ifi.clone())
        .bind(s.registration.clone())
        .bind(&s.authority_key)
        .bind(i64::from(s.voids.is_some()))
        .bind(&s.json)
        .bind(&s.related_agents)
        .bind(&s.related_activities)
        .bind(s.object_ref.clone())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 0 {
            // Same id already stored: fine if it is the same statement (Data §2.3.1), else 409.
            let existing: String =
                sqlx::query_scalar("SELECT json FROM statements WHERE tenant_id = $1 AND statement_id = $2")
                    .bind(tenant)
                    .bind(&s.id)
                    .fetch_one(&mut *conn)
                    .await?;
            let a: serde_json::Value = serde_json::from_str(&existing).unwrap_or_default();
            let b: serde_json::Value = serde_json::from_str(&s.json).unwrap_or_default();
            if !xapi::statements_equivalent(&a, &b) {
                return Err(StoreError::Conflict(s.id.clone()));
            }
            continue;
        }
        if let Some(target) = &s.voids {
            // A voiding statement cannot void another voiding statement (Data §2.3.2).
            sqlx::query(
                "UPDATE statements SET voided = 1 WHERE tenant_id = $1 AND statement_id = $2 AND is_voiding = 0",
            )
            .bind(tenant)
            .bind(target)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

fn row_to_stored(r: &sqlx::any::AnyRow) -> Result<StoredStatement, sqlx::Error> {
    Ok(StoredStatement {
        seq: r.try_get("seq")?,
        voided: r.try_get::<i64, _>("voided")? != 0,
        json: r.try_get("json")?,
    })
}

#[async_trait]
impl Store for SqlStore {
    async fn get_document(&self, tenant: i64, k: &DocKey) -> Result<Option<Document>, StoreError> {
        let row = sqlx::query(
            "SELECT content_type, body, etag, updated FROM documents WHERE tenant_id = $1 AND kind = $2 \
             AND activity_id = $3 AND agent_ifi = $4 AND registration = $5 AND doc_id = $6",
        )
        .bind(tenant)
        .bind(k.kind)
        .bind(&k.activity_id)
        .bind(&k.agent_ifi)
        .bind(&k.registration)
        .bind(&k.doc_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Document {
            content_type: r.try_get("content_type")?,
            body: r.try_get("body")?,
            etag: r.try_get("etag")?,
            updated: r.try_get("updated")?,
        }))
    }

    async fn put_document(&self, tenant: i64, k: &DocKey, d: &Document) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO documents (tenant_id, kind, activity_id, agent_ifi, registration, doc_id, content_type, body, etag, updated) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (tenant_id, kind, activity_id, agent_ifi, registration, doc_id) \
             DO UPDATE SET content_type = excluded.content_type, body = excluded.body, etag = excluded.etag, updated = excluded.updated",
        )
        .bind(tenant)
        .bind(k.kind)
        .bind(&k.activity_id)
        .bind(&k.agent_ifi)
        .bind(&k.registration)
        .bind(&k.doc_id)
        .bind(&d.content_type)
        .bind(d.body.clone())
        .bind(&d.etag)
        .bind(&d.updated)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn delete_documents(&self, tenant: i64, k: &DocKey) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM documents WHERE tenant_id = $1 AND kind = $2 AND activity_id = $3 AND agent_ifi = $4 \
             AND registration = $5 AND ($6 = '' OR doc_id = $6)",
        )
        .bind(tenant)
        .bind(k.kind)
        .bind(&k.activity_id)
        .bind(&k.agent_ifi)
        .bind(&k.registration)
        .bind(&k.doc_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn list_document_ids(
        &self,
        tenant: i64,
        k: &DocKey,
        since: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT doc_id FROM documents WHERE tenant_id = $1 AND kind = $2 AND activity_id = $3 AND agent_ifi = $4 \
             AND registration = $5 AND updated > $6 ORDER BY doc_id",
        )
        .bind(tenant)
        .bind(k.kind)
        .bind(&k.activity_id)
        .bind(&k.agent_ifi)
        .bind(&k.registration)
        .bind(since.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        Ok(ids)
    }

    async fn put_attachments(&self, tenant: i64, parts: &[Attachment]) -> Result<(), StoreError> {
        for p in parts {
            sqlx::query(
                "INSERT INTO attachments (tenant_id, sha2, content_type, body) VALUES ($1,$2,$3,$4) \
                 ON CONFLICT (tenant_id, sha2) DO NOTHING",
            )
            .bind(tenant)
            .bind(&p.sha2)
            .bind(&p.content_type)
            .bind(p.body.clone())
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    async fn get_attachments(&self, tenant: i64, sha2s: &[String]) -> Result<Vec<Attachment>, StoreError> {
        let mut out = Vec::new();
        for h in sha2s {
            let row = sqlx::query(
                "SELECT sha2, content_type, body FROM attachments WHERE tenant_id = $1 AND sha2 = $2",
            )
            .bind(tenant)
            .bind(h.to_ascii_lowercase())
            .fetch_optional(&self.pool)
            .await?;
            if let Some(r) = row {
                out.push(Attachment {
                    sha2: r.try_get("sha2")?,
                    content_type: r.try_get("content_type")?,
                    body: r.try_get("body")?,
                });
            }
        }
        Ok(out)
    }

    async fn add_launch_token(&self, t: &crate::token::LaunchToken) -> Result<(), StoreError> {
        crate::token::insert(&self.pool, t).await
    }

    async fn launch_token(&self, hash: &str) -> Result<Option<crate::token::LaunchToken>, StoreError> {
        crate::token::find(&self.pool, hash).await
    }

    /// PostgreSQL only: `ANALYZE` once 1,000 new statements are also a tenth of what the planner
    /// last counted (`pg_class.reltuples`, -1 before the first ANALYZE). Autovacuum does the
    /// same, but up to a minute late, and a table that grew from empty in that minute was
    /// queried through plans 100–1,000× slower than with statistics.
    async fn refresh_statistics(&self, new_rows: u64) -> Result<bool, StoreError> {
        if self.dialect != Dialect::Postgres || new_rows < 1_000 {
            return Ok(false);
        }
        let counted: f64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(reltuples), -1) AS DOUBLE PRECISION) FROM pg_class \
             WHERE oid = to_regclass('statements')",
        )
        .fetch_one(&self.pool)
        .await?;
        if (new_rows as f64) < counted / 10.0 {
            return Ok(false);
        }
        self.analyze().await?;
        Ok(true)
    }

    async fn insert_statements(&self, tenant: i64, stmts: Vec<NewStatement>) -> Result<(), StoreError> {
        if let Some(w) = &self.writer {
            let (tx, rx) = oneshot::channel();
            w.send((tenant, stmts, tx)).await.map_err(|_| StoreError::WriterGone)?;
            return rx.await.map_err(|_| StoreError::WriterGone)?;
        }
        if let [one] = stmts.as_slice()
            && one.voids.is_none()
        {
            // One statement that voids nothing: its INSERT is atomic on its own, and when the id
            // exists the comparison only reads. Autocommit saves BEGIN and COMMIT round trips.
            let mut conn = self.pool.acquire().await?;
            return crate::ingest::write_job(&mut conn, tenant, &stmts).await;
        }
        let mut tx = self.pool.begin().await?;
        crate::ingest::write_job(&mut tx, tenant, &stmts).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_statement(&self, tenant: i64, id: &str) -> Result<Option<StoredStatement>, StoreError> {
        let row = sqlx::query(
            "SELECT seq, voided, json FROM statements WHERE tenant_id = $1 AND statement_id = $2",
        )
        .bind(tenant)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(row_to_stored).transpose()?)
    }

    async fn query_statements(
        &self,
        tenant: i64,
        q: &StatementQuery,
    ) -> Result<Vec<StoredStatement>, StoreError> {
        let sqlite = self.dialect == Dialect::Sqlite;
        const MAIN: &str = "SELECT seq, voided, json FROM statements WHERE tenant_id = $1 AND voided = 0";
        if !(q.include_refs && q.has_filters()) {
            let mut main = Sql::new(MAIN);
            main.filters(q, "", sqlite);
            main.window(q, "", sqlite);
            return main.fetch_within(&self.pool, tenant, q, true).await;
        }
        // Communication §2.1.3: a statement whose object is a StatementRef meets the filters when
        // the statement it targets does (one step; the target may be voided). Only statements with
        // a StatementRef object are looked at, through their own index. Both parts go in one
        // statement (one round trip), each with its own order and limit.
        let mut both = Sql::new(&format!("SELECT seq, voided, json FROM ({MAIN}"));
        both.filters(q, "", sqlite);
        both.window(q, "", sqlite);
        both.sql.push_str(
            ") m UNION ALL SELECT seq, voided, json FROM (SELECT s.seq, s.voided, s.json FROM statements s \
             WHERE s.tenant_id = $1 AND s.voided = 0 AND s.object_ref IS NOT NULL AND EXISTS (SELECT 1 \
             FROM statements t WHERE t.tenant_id = $1 AND t.statement_id = s.object_ref",
        );
        both.filters(q, "t.", sqlite);
        both.sql.push(')');
        both.window(q, "s.", sqlite);
        // Each part returns at most limit + 1 rows, in order; they are merged here rather than by
        // an outer ORDER BY, which would copy every row (JSON included) into a sort.
        both.sql.push_str(") r");
        let mut rows = both.fetch_within(&self.pool, tenant, q, false).await?;
        rows.sort_by_key(|r| if q.ascending { r.seq } else { -r.seq });
        // A statement can meet the filters both ways.
        rows.dedup_by_key(|r| r.seq);
        rows.truncate(usize::try_from(q.limit.saturating_add(1)).unwrap_or(usize::MAX));
        Ok(rows)
    }

    async fn add_tenant(&self, name: &str) -> Result<i64, StoreError> {
        if self.tenant_id(name).await?.is_some() {
            return Err(StoreError::Exists(format!("tenant {name}")));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO tenants (name) VALUES ($1) RETURNING id")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(id)
    }

    async fn tenant_id(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT id FROM tenants WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn add_credential(&self, c: &Credential) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO credentials (api_key, tenant_id, salt, secret_hash, scopes) VALUES ($1,$2,$3,$4,$5)",
        )
        .bind(&c.key)
        .bind(c.tenant_id)
        .bind(&c.salt)
        .bind(&c.secret_hash)
        .bind(&c.scopes)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn credential(&self, key: &str) -> Result<Option<Credential>, StoreError> {
        let row = sqlx::query(
            "SELECT api_key, tenant_id, salt, secret_hash, scopes FROM credentials WHERE api_key = $1",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Credential {
            key: r.try_get("api_key")?,
            tenant_id: r.try_get("tenant_id")?,
            salt: r.try_get("salt")?,
            secret_hash: r.try_get("secret_hash")?,
            scopes: r.try_get("scopes")?,
        }))
    }
}
