//! A rough ingest-rate probe, not the benchmark (`cargo xtask bench lrs` is still to come).
//! Ignored by default; run with
//! `cargo test --profile native -p lrs --test it rate -- --ignored --nocapture`.

use crate::harness::Srv;
use std::time::Instant;

async fn single_posts_16_connections(s: &Srv) {
    const N: usize = 4000;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..16 {
        let client = reqwest::Client::new();
        let url = format!("{}/xapi/statements", s.base);
        let (k, sec) = s.cred.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..N / 16 {
                let body = serde_json::json!({"actor": {"mbox": format!("mailto:l{c}@example.org")},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                    "object": {"id": format!("https://hearth.example/q{i}")}});
                let r = client
                    .post(&url)
                    .basic_auth(&k, Some(&sec))
                    .header("X-Experience-API-Version", "1.0.3")
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!("RATE {} single POSTs, 16 connections: {:.0} statements/s", N, N as f64 / secs);
}

mod probe {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "timing probe"]
    async fn rate_sqlite() {
        let s = crate::harness::Srv::sqlite().await;
        super::single_posts_16_connections(&s).await;
        s.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "timing probe"]
    async fn rate_postgres() {
        let Some(s) = crate::harness::Srv::postgres().await else { return };
        super::single_posts_16_connections(&s).await;
        s.finish().await;
    }
}
