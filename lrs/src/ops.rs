//! Operations: online backup, NDJSON export and import, and log set-up.

use crate::store::{Dialect, NewStatement, SqlStore, Store, StoreError};
use serde_json::Value;
use sqlx::Row;
use std::io::{BufRead, Write};
use std::path::Path;

/// Errors of the operations commands.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading or writing a file failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A line of an import file is not a statement this LRS can store.
    #[error("line {line}: {message}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The operation does not apply (e.g. backup of PostgreSQL, unknown tenant).
    #[error("{0}")]
    Unsupported(String),
}

/// Writes a consistent copy of a SQLite database to `out` while the server keeps running
/// (`VACUUM INTO` reads one snapshot; WAL readers and the writer are not blocked). PostgreSQL is
/// backed up with `pg_dump`.
pub async fn backup(store: &SqlStore, out: &Path) -> Result<(), OpsError> {
    if store.dialect != Dialect::Sqlite {
        return Err(OpsError::Unsupported(
            "backup copies SQLite databases; for PostgreSQL use pg_dump (see docs/lrs.md)".into(),
        ));
    }
    if out.exists() {
        return Err(OpsError::Unsupported(format!("{} already exists", out.display())));
    }
    let path = out.to_str().ok_or_else(|| OpsError::Unsupported("the path is not UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1").bind(path).execute(&store.pool).await.map_err(StoreError::from)?;
    Ok(())
}

/// Writes every statement of `tenant` (voided ones too, oldest first) as one JSON object per line,
/// exactly as stored: `id`, `stored`, `authority` and `version` included. Returns how many.
pub async fn export(store: &SqlStore, tenant: &str, out: &mut dyn Write) -> Result<u64, OpsError> {
    let tid = store
        .tenant_id(tenant)
        .await?
        .ok_or_else(|| OpsError::Unsupported(format!("no tenant named {tenant}")))?;
    let mut after = 0i64;
    let mut n = 0u64;
    loop {
        let rows = sqlx::query(
            "SELECT seq, json FROM statements WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT 1000",
        )
        .bind(tid)
        .bind(after)
        .fetch_all(&store.pool)
        .await
        .map_err(StoreError::from)?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("seq").map_err(StoreError::from)?;
        for r in &rows {
            let json: String = r.try_get("json").map_err(StoreError::from)?;
            out.write_all(json.as_bytes())?;
            out.write_all(b"\n")?;
            n += 1;
        }
    }
    out.flush()?;
    Ok(n)
}

/// The index columns of a statement as stored (with its own `stored` and `authority`), for
/// import. The statement must be valid and carry `id` and `stored`.
pub(crate) fn stored_columns(v: &Value) -> Result<NewStatement, String> {
    let version = match v.get("version").and_then(Value::as_str) {
        Some(s) if s.starts_with("2.") => xapi::Version::V2_0,
        _ => xapi::Version::V1_0,
    };
    if let Err(e) = xapi::validate_statement(v, version) {
        return Err(format!("{}: {}", e[0].path, e[0].message));
    }
    let id = v.get("id").and_then(Value::as_str).ok_or("the statement has no id")?;
    let stored = v.get("stored").and_then(Value::as_str).ok_or("the statement has no stored time")?;
    let stored = crate::clock::normalise(stored).ok_or("stored is not a timestamp")?;
    let obj = &v["object"];
    let ot = obj.get("objectType").and_then(Value::as_str).unwrap_or("Activity");
    // Statements this LRS stored name their credential in the authority; others keep theirs but
    // belong to no credential's `statements/read/mine`.
    let authority_key = match v.pointer("/authority/account/homePage").and_then(Value::as_str) {
        Some("urn:hearth:lrs:credential") => {
            v.pointer("/authority/account/name").and_then(Value::as_str).unwrap_or_default().to_owned()
        }
        _ => String::new(),
    };
    Ok(NewStatement {
        id: id.to_ascii_lowercase(),
        stored,
        verb: v["verb"]["id"].as_str().unwrap_or_default().to_owned(),
        activity: (ot == "Activity").then(|| obj["id"].as_str().unwrap_or_default().to_owned()),
        actor_ifi: xapi::model::agent_ifi(&v["actor"]),
        object_ifi: matches!(ot, "Agent" | "Group").then(|| xapi::model::agent_ifi(obj)).flatten(),
        registration: v.pointer("/context/registration").and_then(Value::as_str).map(str::to_ascii_lowercase),
        authority_key,
        voids: xapi::model::voided_target(v).map(str::to_ascii_lowercase),
        object_ref: crate::statements::statement_ref(v),
        related_agents: crate::store::related_column(&xapi::model::related_agents(v)),
        related_activities: crate::store::related_column(&xapi::model::related_activities(v)),
        json: v.to_string(),
    })
}

/// Counts from an import.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ImportReport {
    /// Lines read (statements).
    pub statements: u64,
}

/// Imports NDJSON statements (as [`export`] writes them) into `tenant`, creating the tenant if
/// needed. Statements keep their `id`, `stored` and `authority`; a statement already stored with
/// the same id and equivalent content is skipped, so importing a file twice changes nothing. A
/// bad line stops the import before anything of its batch is written and names the line.
pub async fn import(
    store: &SqlStore,
    tenant: &str,
    input: &mut dyn BufRead,
) -> Result<ImportReport, OpsError> {
    let tid = match store.tenant_id(tenant).await? {
        Some(t) => t,
        None => store.add_tenant(tenant).await?,
    };
    let mut report = ImportReport::default();
    let mut batch = Vec::new();
    let mut line = String::new();
    let mut lineno = 0;
    loop {
        line.clear();
        let eof = input.read_line(&mut line)? == 0;
        if !eof {
            lineno += 1;
            if !line.trim().is_empty() {
                let v: Value = serde_json::from_str(&line)
                    .map_err(|e| OpsError::BadLine { line: lineno, message: format!("not JSON: {e}") })?;
                let s = stored_columns(&v).map_err(|message| OpsError::BadLine { line: lineno, message })?;
                batch.push(s);
            }
        }
        if batch.len() >= 500 || (eof && !batch.is_empty()) {
            report.statements += batch.len() as u64;
            store.insert_statements(tid, std::mem::take(&mut batch)).await?;
        }
        if eof {
            return Ok(report);
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Sends `tracing` events to standard error. The level comes from `RUST_LOG` (default `info`, so
/// every request is one line); a second call is a no-op.
pub fn init_logs(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => b.try_init(),
        LogFormat::Json => b.json().try_init(),
    };
}
