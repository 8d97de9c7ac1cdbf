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
