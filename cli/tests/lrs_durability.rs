//! kill -9 during ingest: `hearth lrs serve` on SQLite as a real child process, 16 connections
//! posting statements, SIGKILL, restart; every statement acknowledged (2xx) before the kill must be
//! there afterwards.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn hearth(db: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["lrs", "--database", db])
        .args(args)
        .output()
        .expect("hearth runs");
    assert!(out.status.success(), "hearth lrs {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `hearth lrs serve` on a free port and returns it with its base URL.
fn serve(db: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearth"))
        .args(["lrs", "--database", db, "serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .expect("hearth lrs serve starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("the server says where it listens").unwrap();
        if let Some(rest) = line.strip_prefix("hearth lrs: listening on ") {
            break rest.trim_end_matches("/xapi/").to_owned();
        }
    };
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

fn uuid(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

fn stmt(n: u64) -> serde_json::Value {
    serde_json::json!({
        "id": uuid(n),
        "actor": {"mbox": format!("mailto:l{}@example.org", n % 50)},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": format!("https://hearth.example/q{}", n % 20)},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_kill_9_during_ingest_loses_no_acknowledged_statement() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("lrs.db").display());
    hearth(&db, &["tenant", "add", "t"]);
    let out = hearth(&db, &["credential", "add", "--tenant", "t", "--scope", "all"]);
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .expect("key and secret printed")
    };
    let (key, secret) = (field("key:"), field("secret:"));
    let (mut child, base) = serve(&db);

    let acked = Arc::new(Mutex::new(Vec::<u64>::new()));
    let mut tasks = Vec::new();
    for c in 0..16u64 {
        let (acked, url, key, secret) =
            (acked.clone(), format!("{base}/xapi/statements"), key.clone(), secret.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0.. {
                // Connections alternate single statements and batches of 10.
                let first = (c << 32) | (i * 10);
                let ids: Vec<u64> = if i % 2 == 0 { vec![first] } else { (first..first + 10).collect() };
                let body = if ids.len() == 1 {
                    stmt(ids[0])
                } else {
                    serde_json::Value::Array(ids.iter().map(|n| stmt(*n)).collect())
                };
                let sent = client
                    .post(&url)
                    .basic_auth(&key, Some(&secret))
                    .header("X-Experience-API-Version", "1.0.3")
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => acked.lock().unwrap().extend(ids),
                    Ok(r) => panic!("unexpected {}", r.status()),
                    // The server was killed.
                    Err(_) => return,
                }
            }
        }));
    }
    let start = Instant::now();
    while acked.lock().unwrap().len() < 3000 && start.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let acked: Vec<u64> = acked.lock().unwrap().clone();
    assert!(acked.len() >= 3000, "only {} statements acknowledged before the kill", acked.len());

    // Restart on the same file: it opens, serves, and has every acknowledged statement.
    let (mut child, base) = serve(&db);
    let r = reqwest::Client::new()
        .get(format!("{base}/xapi/statements?statementId={}", uuid(acked[0])))
        .basic_auth(&key, Some(&secret))
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
    let stored: HashSet<String> = hearth(&db, &["export", "--tenant", "t"])
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_owned())
        .collect();
    let missing: Vec<String> = acked.iter().map(|n| uuid(*n)).filter(|id| !stored.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged statements lost: {:?}",
        missing.len(),
        acked.len(),
        &missing[..missing.len().min(5)]
    );
}
