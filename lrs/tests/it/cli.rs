//! `hearth lrs tenant add` / `credential add` through `lrs::run`, on a SQLite file.

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    lrs: lrs::Args,
}

async fn run(args: &[&str]) -> anyhow::Result<()> {
    let cli = Cli::try_parse_from(std::iter::once("lrs").chain(args.iter().copied()))?;
    lrs::run(cli.lrs).await
}

#[tokio::test]
async fn tenant_and_credential_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("lrs.db").display());
    run(&["--database", &db, "tenant", "add", "north"]).await.unwrap();
    assert!(run(&["--database", &db, "tenant", "add", "north"]).await.is_err(), "duplicate tenant");
    run(&[
        "--database",
        &db,
        "credential",
        "add",
        "--tenant",
        "north",
        "--scope",
        "statements/write",
        "--scope",
        "state",
    ])
    .await
    .unwrap();
    assert!(
        run(&["--database", &db, "credential", "add", "--tenant", "north", "--scope", "everything"])
            .await
            .is_err()
    );
    assert!(
        run(&["--database", &db, "credential", "add", "--tenant", "south", "--scope", "all"]).await.is_err()
    );
    assert!(
        run(&["--database", &db, "credential", "add", "--tenant", "north"]).await.is_err(),
        "a scope is required"
    );
}

/// `backup`, `import` and `export` through the command line, on a SQLite file.
#[tokio::test]
async fn backup_import_export_commands() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("lrs.db").display());
    let ndjson = dir.path().join("in.ndjson");
    let line = serde_json::json!({"id": "2f0c6c1e-8d3a-4f7e-9a41-3e5c2b1d0a99", "stored": "2026-01-02T03:04:05.678Z",
        "timestamp": "2026-01-02T03:04:05.678Z", "version": "1.0.0",
        "authority": {"objectType": "Agent", "account": {"homePage": "urn:hearth:lrs:credential", "name": "k1"}},
        "actor": {"mbox": "mailto:a@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": "https://hearth.example/q1"}});
    std::fs::write(&ndjson, format!("{line}\n")).unwrap();
    let file = ndjson.to_str().unwrap();
    run(&["--database", &db, "import", "--tenant", "north", file]).await.unwrap();
    run(&["--database", &db, "import", "--tenant", "north", file]).await.unwrap();
    let copy = dir.path().join("copy.db");
    run(&["--database", &db, "backup", "--out", copy.to_str().unwrap()]).await.unwrap();
    assert!(run(&["--database", &db, "backup", "--out", copy.to_str().unwrap()]).await.is_err(), "exists");
    let store = lrs::store::SqlStore::open(&format!("sqlite:{}", copy.display()), None).await.unwrap();
    let mut out = Vec::new();
    assert_eq!(lrs::ops::export(&store, "north", &mut out).await.unwrap(), 1);
    let back: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(back, line, "stored as imported, byte for byte in meaning");
    assert!(run(&["--database", &db, "export", "--tenant", "south"]).await.is_err());
}
