//! The fast path of statement writes: many rows per `INSERT`.
//!
//! Each statement written one `INSERT` at a time costs a round trip to the database (for SQLite,
//! a hop to sqlx's connection thread and back) — the writer spent most of its time switching
//! threads. Here a whole job, or for SQLite the whole group of queued jobs, is inserted with
//! multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING`; only ids that were already stored are
//! compared one by one (Data §2.3.1), and only voiding statements need an `UPDATE`.

use crate::store::{NewStatement, StoreError};
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;

/// Rows per `INSERT`. Not more: binding a parameter looks its name up in a list as long as the
/// statement's parameters (sqlx's SQLite driver, `sqlite3_bind_parameter_name`), so binding costs
/// grow with the square of the rows. At 64 rows (896 parameters) that lookup was the writer's
/// largest single cost (7.4 % of the server's CPU under batches of 10, `perf`); at 16 it is 2.4 %,
/// and batches of 10 went from 4,976 to 5,399 statements/s (docs/lrs.md).
const CHUNK: usize = 16;
/// Columns (parameters) per row.
const COLUMNS: usize = 14;

/// Inserts rows that are new, returning the (tenant, id) pairs that were inserted. Pairs must be
/// unique within `rows`.
async fn insert_many(
    conn: &mut AnyConnection,
    rows: &[(i64, &NewStatement)],
) -> Result<HashSet<(i64, String)>, StoreError> {
    let mut inserted = HashSet::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let mut sql = String::from(
            "INSERT INTO statements (tenant_id, statement_id, stored, verb, activity, actor_ifi, object_ifi, \
             registration, authority_key, is_voiding, json, related_agents, related_activities, object_ref) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * COLUMNS;
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            sql.push_str(&(1..=COLUMNS).map(|k| format!("${}", b + k)).collect::<Vec<_>>().join(","));
            sql.push(')');
        }
        sql.push_str(" ON CONFLICT (tenant_id, statement_id) DO NOTHING RETURNING tenant_id, statement_id");
        // Only placeholders are generated; every value is bound.
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (tenant, s) in chunk {
            q = q
                .bind(*tenant)
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
                .bind(s.object_ref.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            inserted.insert((r.try_get("tenant_id")?, r.try_get("statement_id")?));
        }
    }
    Ok(inserted)
}

/// After [`insert_many`]: ids that already existed must hold an equivalent statement (else
/// `Conflict`), and new voiding statements void their targets.
async fn finish_job(
    conn: &mut AnyConnection,
    tenant: i64,
    stmts: &[NewStatement],
    inserted: &HashSet<(i64, String)>,
) -> Result<(), StoreError> {
    for s in stmts {
        if !inserted.contains(&(tenant, s.id.clone())) {
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
        } else if let Some(target) = &s.voids {
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

/// Writes one job inside an open transaction; ids repeated within the job take the row-by-row
/// path, which compares each repeat with the first.
pub(crate) async fn write_job(
    conn: &mut AnyConnection,
    tenant: i64,
    stmts: &[NewStatement],
) -> Result<(), StoreError> {
    let mut ids = HashSet::with_capacity(stmts.len());
    if !stmts.iter().all(|s| ids.insert(s.id.as_str())) {
        return crate::store::write_batch(conn, tenant, stmts).await;
    }
    let rows: Vec<(i64, &NewStatement)> = stmts.iter().map(|s| (tenant, s)).collect();
    let inserted = insert_many(conn, &rows).await?;
    finish_job(conn, tenant, stmts, &inserted).await
}

/// SQLite's writer, common case: every queued job in one transaction with no savepoints. Returns
/// `true` when all jobs succeeded and the transaction committed. Anything else — a (tenant, id)
/// in two jobs, a 409 in one job, an error — rolls back and returns `false`; the writer then
/// writes the group job by job with a savepoint each, which gives every job its own answer.
pub(crate) async fn sqlite_group(conn: &mut AnyConnection, jobs: &[(i64, &[NewStatement])]) -> bool {
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for (tenant, stmts) in jobs {
        for s in *stmts {
            if !seen.insert((*tenant, s.id.as_str())) {
                return false;
            }
            rows.push((*tenant, s));
        }
    }
    if sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await.is_err() {
        return false;
    }
    let ok = async {
        let inserted = insert_many(conn, &rows).await?;
        for (tenant, stmts) in jobs {
            finish_job(conn, *tenant, stmts, &inserted).await?;
        }
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
        Ok::<_, StoreError>(())
    }
    .await
    .is_ok();
    if !ok {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    }
    ok
}
