//! The attack surface: bodies are read only after authentication, multipart parsing is linear
//! and boundaries are bounded, statement pages are bounded in bytes and memory, failed
//! authentication has its own budget, metrics labels are bounded, and every refusal the server
//! can shape says what is wrong in JSON without the database's words.

use crate::harness::{Srv, V};
use lrs::{AppState, ServeConfig};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A second server on the same store with other settings; returns its `host:port`.
async fn serve_with(s: &Srv, config: ServeConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(lrs::serve(AppState::new(s.store.clone()), config, listener, std::future::pending()));
    addr
}

/// Writes `head` (and `body`) on a new connection and reads the answer until the server has
/// said all of it (Content-Length) or `wait` passes: `None` when no complete answer came.
async fn raw(addr: &str, head: &str, body: &[u8], wait: Duration) -> Option<(u16, String)> {
    let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
    let exchange = async {
        c.write_all(head.as_bytes()).await.ok()?;
        // The server may answer and close before taking the whole body.
        let _ = c.write_all(body).await;
        let mut got = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            let n = c.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got).into_owned();
            let Some((h, b)) = text.split_once("\r\n\r\n") else { continue };
            let len: usize = h
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse().ok())?;
            if b.len() >= len {
                let status = h.split(' ').nth(1)?.parse().ok()?;
                return Some((status, b[..len].to_owned()));
            }
        }
    };
    tokio::time::timeout(wait, exchange).await.ok().flatten()
}

fn basic(cred: &(String, String)) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", cred.0, cred.1))
}

/// The audit's multipart request: a search for `--<boundary>` that compares the whole boundary
/// at every position before failing. The boundary is dashes ending in `x`, the body all dashes,
/// so a naive search costs the body's length times the boundary's.
fn hostile_multipart(boundary_len: usize, body_len: usize) -> (String, Vec<u8>) {
    let boundary = format!("{}x", "-".repeat(boundary_len - 1));
    (format!("multipart/mixed; boundary={boundary}"), vec![b'-'; body_len])
}

fn post_head(ct: &str, len: usize, auth: Option<&str>) -> String {
    let auth = auth.map(|a| format!("Authorization: Basic {a}\r\n")).unwrap_or_default();
    format!(
        "POST /xapi/statements HTTP/1.1\r\nHost: lrs\r\nX-Experience-API-Version: {V}\r\n{auth}\
         Content-Type: {ct}\r\nContent-Length: {len}\r\n\r\n"
    )
}

/// CPU seconds this process has used (user + system), from /proc/self/stat.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// A request without valid credentials is answered 401 from its headers alone: the server
/// never waits for (or reads) the body, whatever its Content-Length.
async fn unauthenticated_bodies_are_never_read(s: &Srv) {
    let addr = serve_with(s, ServeConfig::default()).await;
    let wrong = basic(&(s.cred.0.clone(), "not-the-secret".into()));
    for (what, auth) in [("no credentials", None), ("a wrong secret", Some(wrong.as_str()))] {
        for path in [
            "/xapi/statements",
            "/xapi/activities/state?activityId=http://x.example/a&agent=%7B%22mbox%22%3A%22mailto%3Aa%40b.c%22%7D&stateId=s",
        ] {
            let head = post_head("multipart/mixed; boundary=abc", 4 * 1024 * 1024, auth)
                .replace("/xapi/statements", path)
                .replacen("POST", if path.contains("state") { "PUT" } else { "POST" }, 1)
                // A client that asks first is never told to go on.
                .replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n");
            // Headers only: a server that waits for the 4 MiB body never answers.
            let started = Instant::now();
            let got = raw(&addr, &head, b"", Duration::from_secs(5)).await;
            let (status, body) = got.unwrap_or_else(|| panic!("{what}, {path}: no answer without the body"));
            assert_eq!(status, 401, "{what}, {path}: {body}");
            assert!(serde_json::from_str::<Value>(&body).unwrap()["error"].is_string(), "{body}");
            assert!(started.elapsed() < Duration::from_secs(2), "{what}: {:?}", started.elapsed());
        }
    }
}

/// The one body read without credentials (a package key travels in it) is small.
async fn package_token_bodies_are_small(s: &Srv) {
    let body = json!({"key": "k", "padding": "p".repeat(20 * 1024)});
    let url = format!("{}/xapi/launch-token/package", s.base);
    let r = s.client.post(url).header("X-Experience-API-Version", V).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.json::<Value>().await.unwrap()["error"].is_string());
}

/// The audit's request (a multipart body with a boundary far beyond RFC 2046's 70 characters) is
/// refused at once with a reason, and a 4 MiB body built against a 70-character boundary is
/// parsed in linear time.
async fn hostile_multipart_is_refused_quickly(s: &Srv) {
    let addr = serve_with(s, ServeConfig::default()).await;
    let auth = basic(&s.cred);
    let cases = [
        (60_000, 4 * 1024 * 1024 - 1024, 400, "1 to 70 characters"),
        (300_000, 4 * 1024 * 1024 - 1024, 431, "headers"),
        (70, 4 * 1024 * 1024 - 1024, 400, "malformed"),
    ];
    for (blen, len, want, says) in cases {
        let (ct, body) = hostile_multipart(blen, len);
        let cpu = cpu_secs();
        let started = Instant::now();
        let got = raw(&addr, &post_head(&ct, body.len(), Some(&auth)), &body, Duration::from_secs(10)).await;
        let (status, text) = got.unwrap_or_else(|| panic!("boundary of {blen}: no answer within 10 s"));
        let (wall, cpu) = (started.elapsed(), cpu_secs() - cpu);
        eprintln!("boundary of {blen} bytes, body of {len}: {status} in {wall:?}, {cpu:.2} s CPU");
        assert_eq!(status, want, "boundary of {blen}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["error"].as_str().unwrap().contains(says), "{v}");
        assert!(wall < Duration::from_secs(2), "boundary of {blen}: {wall:?}");
    }
}

/// While two of the audit's requests (300 kB boundary, 4 MiB body) are being handled by a server
/// with two worker threads, as `hearth lrs serve` has on a two-core machine, `/health` answers
/// within a second and the two get their refusal within seconds.
async fn health_stays_responsive_during_hostile_requests(s: &Srv) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let store = s.store.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let config = ServeConfig::default();
            let _ = lrs::serve(AppState::new(store), config, listener, std::future::pending()).await;
        });
    });
    let auth = basic(&s.cred);
    let hostile: Vec<_> = (0..2)
        .map(|_| {
            let (addr, auth) = (addr.clone(), auth.clone());
            tokio::spawn(async move {
                let (ct, body) = hostile_multipart(300_000, 4 * 1024 * 1024 - 1024);
                raw(&addr, &post_head(&ct, body.len(), Some(&auth)), &body, Duration::from_secs(5)).await
            })
        })
        .collect();
    let mut worst = Duration::ZERO;
    for _ in 0..10 {
        let started = Instant::now();
        let got = raw(&addr, "GET /health HTTP/1.1\r\nHost: lrs\r\n\r\n", b"", Duration::from_secs(5)).await;
        assert_eq!(got.map(|g| g.0), Some(200));
        worst = worst.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(worst < Duration::from_secs(1), "/health took {worst:?}");
    for h in hostile {
        let status = h.await.unwrap().map(|g| g.0);
        assert!(status.is_some_and(|s| (400..500).contains(&s)), "{status:?}");
    }
}

/// Requests with another credential's key and a wrong secret spend a budget of failures kept
/// per client address, never the credential's own: its owner is still served.
async fn failed_authentication_does_not_spend_the_key_budget(s: &Srv) {
    let addr = serve_with(s, ServeConfig { rate_limit: 0.5, rate_burst: 3.0, ..Default::default() }).await;
    let get = |cred: (String, String)| {
        s.client
            .get(format!("http://{addr}/xapi/statements"))
            .basic_auth(cred.0, Some(cred.1))
            .header("X-Experience-API-Version", V)
            .send()
    };
    let mut refused = Vec::new();
    for _ in 0..40 {
        let r = get((s.cred.0.clone(), "wrong".into())).await.unwrap();
        refused.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.headers().contains_key("retry-after"));
            let v: Value = r.json().await.unwrap();
            assert!(v["error"].as_str().unwrap().contains("failed authentications"), "{v}");
        }
    }
    assert!(refused.iter().all(|c| *c == 401 || *c == 429), "{refused:?}");
    assert!(refused.contains(&429), "failures are limited too: {refused:?}");
    // The key's owner, from the same address, still has its whole burst.
    for _ in 0..3 {
        assert_eq!(get(s.cred.clone()).await.unwrap().status(), 200);
    }
    assert_eq!(get(s.cred.clone()).await.unwrap().status(), 429, "and then its own limit");
}

/// Invented methods and paths do not add series: `/metrics` keeps its lines.
async fn metrics_labels_are_bounded(s: &Srv) {
    let send = |i: usize| {
        let m = Method::from_bytes(format!("M{i}X").as_bytes()).unwrap();
        let (a, b) =
            (s.req(m, "/xapi/statements").send(), s.req(Method::GET, &format!("/nowhere/{i}")).send());
        async move {
            a.await.unwrap();
            b.await.unwrap();
        }
    };
    let metrics =
        || async { s.client.get(format!("{}/metrics", s.base)).send().await.unwrap().text().await.unwrap() };
    for i in 0..5 {
        send(i).await;
    }
    // (The first scrape adds the /metrics route's own series.)
    metrics().await;
    let before = metrics().await;
    for i in 5..300 {
        send(i).await;
    }
    let after = metrics().await;
    assert_eq!(before.lines().count(), after.lines().count(), "{after}");
    assert!(!after.contains("M7X") && !after.contains("/nowhere"), "{after}");
    assert!(after.contains("method=\"other\""), "{after}");
    // Only the counts grew: a few digits, not a line per request.
    assert!(after.len() < before.len() + 200, "{} → {}", before.len(), after.len());
}

fn logs() -> &'static std::sync::Mutex<Vec<u8>> {
    static LOGS: std::sync::OnceLock<std::sync::Mutex<Vec<u8>>> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        struct Capture;
        impl std::io::Write for Capture {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                logs().lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let _ = tracing_subscriber::fmt()
            .with_writer(|| Capture)
            .with_ansi(false)
            .with_max_level(tracing::Level::ERROR)
            .try_init();
        std::sync::Mutex::default()
    })
}

/// A storage failure is a 500 with a generic reason; the database's words go to the log.
async fn storage_failures_are_logged_not_shown(s: &Srv) {
    logs();
    s.sql("DROP TABLE documents").await;
    let path = "/xapi/activities/state?activityId=http://x.example/a&agent=%7B%22mbox%22%3A%22mailto%3Aa%40b.c%22%7D&stateId=s";
    let r = s.req(Method::GET, path).send().await.unwrap();
    assert_eq!(r.status(), 500);
    let v: Value = r.json().await.unwrap();
    let said = v["error"].as_str().unwrap();
    assert!(said.contains("storage failure"), "{v}");
    assert!(!said.contains("documents") && !said.contains("relation") && !said.contains("table"), "{v}");
    let logged = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    assert!(logged.lines().any(|l| l.contains("ERROR") && l.contains("documents")), "log: {logged}");
}

/// 414 and 431 carry the same JSON `error` as every other refusal.
async fn oversized_heads_get_json_errors(s: &Srv) {
    let r =
        s.req(Method::GET, &format!("/xapi/statements?verb={}", "x".repeat(20_000))).send().await.unwrap();
    assert_eq!(r.status(), 414);
    assert!(r.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("request target"));
    let r =
        s.req(Method::GET, "/xapi/statements").header("X-Padding", "y".repeat(70_000)).send().await.unwrap();
    assert_eq!(r.status(), 431);
    assert!(r.json::<Value>().await.unwrap()["error"].as_str().unwrap().contains("headers"));
}

/// A statement of `kb` KiB (in a result extension).
fn big_statement(i: usize, kb: usize) -> Value {
    json!({
        "actor": {"mbox": format!("mailto:l{i}@example.org")},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": format!("https://hearth.example/q{i}")},
        "result": {"extensions": {"https://hearth.example/x/blob": "x".repeat(kb * 1024)}},
    })
}

/// `limit=0` over large statements gives pages of about `page_bytes`, and walking `more` gives
/// every statement once.
async fn pages_are_bounded_in_bytes(s: &Srv) {
    let addr = serve_with(s, ServeConfig::default()).await;
    let post = |v: Value| {
        s.client
            .post(format!("http://{addr}/xapi/statements"))
            .basic_auth(&s.cred.0, Some(&s.cred.1))
            .header("X-Experience-API-Version", V)
            .json(&v)
            .send()
    };
    for i in 0..8 {
        assert_eq!(post(big_statement(i, 300)).await.unwrap().status(), 200);
    }
    let mut seen = HashSet::new();
    let mut next = "/xapi/statements?limit=0".to_owned();
    let mut pages = 0;
    while !next.is_empty() {
        let r = s
            .client
            .get(format!("http://{addr}{next}"))
            .basic_auth(&s.cred.0, Some(&s.cred.1))
            .header("X-Experience-API-Version", V)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body = r.bytes().await.unwrap();
        // 1 MiB of statements, plus the `more` link.
        assert!(body.len() < 1024 * 1024 + 4096, "a page of {} bytes", body.len());
        let v: Value = serde_json::from_slice(&body).unwrap();
        for st in v["statements"].as_array().unwrap() {
            assert!(seen.insert(st["id"].as_str().unwrap().to_owned()), "repeated");
        }
        next = v["more"].as_str().unwrap().to_owned();
        pages += 1;
    }
    assert_eq!(seen.len(), 8);
    assert!(pages >= 3, "{pages} pages");
    // Shaped formats go through the same pages.
    let (status, v) = s.get_json("/xapi/statements?limit=0&format=ids").await;
    assert_eq!(status, 200);
    assert!(v["statements"][0]["result"].is_object() && v["statements"][0]["actor"]["mbox"].is_string());
}

/// With `attachments=true` the attachment contents count against a page's bytes too.
async fn attachment_pages_are_bounded_in_bytes(s: &Srv) {
    use sha2::Digest;
    let addr = serve_with(s, ServeConfig::default()).await;
    for i in 0..6u8 {
        let content = vec![b'a' + i; 400 * 1024];
        let sha: String = sha2::Sha256::digest(&content).iter().map(|b| format!("{b:02x}")).collect();
        let mut st = big_statement(usize::from(i), 0);
        st["attachments"] = json!([{"usageType": "https://hearth.example/u", "display": {"en": "a"},
            "contentType": "application/octet-stream", "length": content.len(), "sha2": sha}]);
        let mut body = format!(
            "--B\r\nContent-Type: application/json\r\n\r\n{st}\r\n--B\r\nContent-Type: application/octet-stream\r\n\
             Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha}\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(&content);
        body.extend_from_slice(b"\r\n--B--\r\n");
        let r = s
            .client
            .post(format!("http://{addr}/xapi/statements"))
            .basic_auth(&s.cred.0, Some(&s.cred.1))
            .header("X-Experience-API-Version", V)
            .header("Content-Type", "multipart/mixed; boundary=B")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    let mut seen = 0;
    let mut next = "/xapi/statements?limit=0&attachments=true".to_owned();
    while !next.is_empty() {
        let r = s
            .client
            .get(format!("http://{addr}{next}"))
            .basic_auth(&s.cred.0, Some(&s.cred.1))
            .header("X-Experience-API-Version", V)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body = r.bytes().await.unwrap();
        assert!(body.len() < 1024 * 1024 + 8192, "a page of {} bytes", body.len());
        // The JSON is the first part.
        let text = String::from_utf8_lossy(&body);
        let json = text.split_once("\r\n\r\n").unwrap().1.split("\r\n--").next().unwrap();
        let v: Value = serde_json::from_str(json).unwrap();
        let n = v["statements"].as_array().unwrap().len();
        assert!(n >= 1);
        // Every statement's content came with it.
        assert_eq!(text.matches("X-Experience-API-Hash").count(), n);
        seen += n;
        next = v["more"].as_str().unwrap().to_owned();
    }
    assert_eq!(seen, 6);
}

/// `hearth lrs import` and bulk loads through the API leave PostgreSQL with planner statistics
/// (autovacuum is off on the table here, so only the LRS can have made them).
async fn statistics_after_bulk_loads(s: &Srv) {
    if !s.database_url().starts_with("postgres") {
        return;
    }
    s.sql("ALTER TABLE statements SET (autovacuum_enabled = false)").await;
    let reltuples =
        "SELECT CAST(reltuples AS DOUBLE PRECISION) FROM pg_class WHERE oid = to_regclass('statements')";
    let batch: Vec<Value> = (0..100).map(|i| big_statement(i, 0)).collect();
    assert_eq!(s.post(&json!(batch)).await.status(), 200);
    assert!(s.sql_f64(reltuples).await < 0.0, "no statistics yet");

    // Import.
    let mut out = Vec::new();
    lrs::ops::export(&s.store, "a", &mut out).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.ndjson");
    std::fs::write(&file, out).unwrap();
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        lrs: lrs::Args,
    }
    let url = s.database_url();
    let args = ["lrs", "--database", &url, "import", "--tenant", "copy", file.to_str().unwrap()];
    lrs::run(Cli::try_parse_from(args).unwrap().lrs).await.unwrap();
    assert!(s.sql_f64(reltuples).await >= 200.0, "import analysed");

    // A bulk load through a running server: statistics follow within seconds.
    for n in 0..12 {
        let batch: Vec<Value> = (0..100).map(|i| big_statement(1000 * n + i, 0)).collect();
        assert_eq!(s.post(&json!(batch)).await.status(), 200);
    }
    let started = Instant::now();
    while s.sql_f64(reltuples).await < 1400.0 {
        assert!(started.elapsed() < Duration::from_secs(20), "no ANALYZE after 1,200 new statements");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

crate::both!(
    unauthenticated_bodies_are_never_read,
    package_token_bodies_are_small,
    hostile_multipart_is_refused_quickly,
    health_stays_responsive_during_hostile_requests,
    failed_authentication_does_not_spend_the_key_budget,
    metrics_labels_are_bounded,
    storage_failures_are_logged_not_shown,
    oversized_heads_get_json_errors,
    pages_are_bounded_in_bytes,
    attachment_pages_are_bounded_in_bytes,
    statistics_after_bulk_loads,
);

const CHILD_DB: &str = "HEARTH_TEST_MEMORY_CHILD_DB";

/// Not a test on its own: the server of `concurrent_reads_stay_under_a_memory_ceiling`, run in a
/// child process (this test binary again) so that its memory is measured alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_child_server() {
    let Ok(db) = std::env::var(CHILD_DB) else { return };
    let store = lrs::store::SqlStore::open(&format!("sqlite:{db}"), None).await.unwrap();
    let tid = store.add_tenant("a").await.unwrap();
    let (cred, secret) = lrs::auth::new_credential(tid, &["all".into()]);
    use lrs::store::Store;
    store.add_credential(&cred).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("READY {} {} {secret}", listener.local_addr().unwrap(), cred.key);
    lrs::serve(AppState::new(store), ServeConfig::default(), listener, std::future::pending()).await.unwrap();
}

fn status_kib(pid: u32, field: &str) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = s.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Three readers walk `limit=0` over 48 statements of 1 MiB each, at once, while the server's
/// peak resident memory (VmHWM of the child process) is watched.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_reads_stay_under_a_memory_ceiling() {
    use tokio::io::AsyncBufReadExt;
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["hardening::memory_child_server", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_DB, dir.path().join("lrs.db"))
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = loop {
        let l = lines.next_line().await.unwrap().expect("the child server stopped");
        // libtest may print the test's name on the same line first.
        if let Some((_, r)) = l.split_once("READY ") {
            break r.to_owned();
        }
    };
    let mut it = ready.split(' ');
    let (addr, key, secret) =
        (it.next().unwrap().to_owned(), it.next().unwrap().to_owned(), it.next().unwrap().to_owned());
    let client = reqwest::Client::new();
    for i in 0..48 {
        let r = client
            .post(format!("http://{addr}/xapi/statements"))
            .basic_auth(&key, Some(&secret))
            .header("X-Experience-API-Version", V)
            .json(&big_statement(i, 1024))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let loaded = status_kib(pid, "VmHWM:");
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (client, addr, key, secret) = (client.clone(), addr.clone(), key.clone(), secret.clone());
            tokio::spawn(async move {
                let mut n = 0;
                let mut next = "/xapi/statements?limit=0".to_owned();
                while !next.is_empty() {
                    let v: Value = client
                        .get(format!("http://{addr}{next}"))
                        .basic_auth(&key, Some(&secret))
                        .header("X-Experience-API-Version", V)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    n += v["statements"].as_array().unwrap().len();
                    next = v["more"].as_str().unwrap().to_owned();
                }
                n
            })
        })
        .collect();
    for r in readers {
        assert_eq!(r.await.unwrap(), 48);
    }
    let peak = status_kib(pid, "VmHWM:");
    let rss = status_kib(pid, "VmRSS:");
    eprintln!(
        "server VmHWM after loading {} MiB, after three readers {} MiB (VmRSS {} MiB)",
        loaded / 1024,
        peak / 1024,
        rss / 1024
    );
    // The readers move 144 MiB of statements; the server may hold a few pages and SQLite's page
    // caches, not the statements.
    assert!(peak < loaded + 128 * 1024, "peak {} MiB after loading at {} MiB", peak / 1024, loaded / 1024);
    let _ = child.kill().await;
}
