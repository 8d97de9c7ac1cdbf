//! The LRS benchmark behind `cargo xtask bench lrs`: a load generator that starts the real
//! `hearth lrs serve` (built with the `native` profile) as a child process on SQLite or
//! PostgreSQL and measures, over loopback:
//!
//! - ingest: single-statement POSTs from 1 and 16 connections, batches of 10 and 100;
//! - reads: `GET /xapi/statements` by agent, activity, verb and registration once the store holds
//!   `--fill` statements (default 300,000);
//!
//! reporting statements/s (or requests/s), p50/p99 latency and the server's resident memory.
//! Usage: `bench --hearth PATH --backend sqlite|postgres [--secs N] [--fill N] [--pg-url URL]`.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

struct Opts {
    hearth: String,
    backend: String,
    secs: u64,
    fill: u64,
    pg_url: String,
}

fn opts() -> Opts {
    let mut o = Opts {
        hearth: String::new(),
        backend: "sqlite".into(),
        secs: 5,
        fill: 300_000,
        pg_url: "postgres://postgres@127.0.0.1:5432/test".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--hearth" => o.hearth = v,
            "--backend" => o.backend = v,
            "--secs" => o.secs = v.parse().expect("--secs N"),
            "--fill" => o.fill = v.parse().expect("--fill N"),
            "--pg-url" => o.pg_url = v,
            _ => panic!("unknown option {a}"),
        }
    }
    assert!(!o.hearth.is_empty(), "--hearth PATH is required");
    o
}

/// A small deterministic generator (xorshift), so runs are comparable and need no extra crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const AGENTS: u64 = 1000;
const ACTIVITIES: u64 = 500;
const VERBS: u64 = 10;
const REGISTRATIONS: u64 = 5000;

fn registration(n: u64) -> String {
    format!("6a1c1c4e-0000-4000-8000-{n:012x}")
}

fn statement(r: &mut Rng) -> Value {
    json!({
        "actor": {"objectType": "Agent", "name": "Learner", "mbox": format!("mailto:learner{}@example.org", r.next(AGENTS))},
        "verb": {"id": format!("https://hearth.example/verbs/v{}", r.next(VERBS)), "display": {"en": "answered"}},
        "object": {"id": format!("https://hearth.example/m/a{}", r.next(ACTIVITIES)),
            "definition": {"type": "http://adlnet.gov/expapi/activities/cmi.interaction", "interactionType": "choice",
                "name": {"en": "Question"}}},
        "result": {"success": true, "response": "b", "score": {"scaled": 0.5}},
        "context": {"registration": registration(r.next(REGISTRATIONS)), "language": "en"},
    })
}

fn hearth(o: &Opts, db: &str, args: &[&str]) -> String {
    let out =
        Command::new(&o.hearth).args(["lrs", "--database", db]).args(args).output().expect("hearth runs");
    assert!(out.status.success(), "hearth lrs {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Kills the server when the benchmark ends, also by a panic.
struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(o: &Opts, db: &str) -> (Server, String) {
    let mut child = Command::new(&o.hearth)
        .args(["lrs", "--database", db, "serve", "--listen", "127.0.0.1:0", "--body-limit", "16777216"])
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
    std::thread::spawn(move || {
        for l in lines.map_while(Result::ok) {
            eprintln!("server: {l}");
        }
    });
    (Server(child), base)
}

/// Resident and peak resident memory of a process, MiB.
fn rss(pid: u32) -> (f64, f64) {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[derive(Clone)]
struct Target {
    base: String,
    key: String,
    secret: String,
}

impl Target {
    fn client() -> reqwest::Client {
        reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap()
    }
    fn post(&self, c: &reqwest::Client, body: &Value) -> reqwest::RequestBuilder {
        c.post(format!("{}/xapi/statements", self.base))
            .basic_auth(&self.key, Some(&self.secret))
            .header("X-Experience-API-Version", "1.0.3")
            .json(body)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// `conns` connections posting batches of `batch` (1 = a single statement object) for `secs`.
/// Returns statements/s, p50 and p99 in ms.
async fn ingest(t: &Target, conns: u64, batch: usize, secs: u64, seed: u64) -> (f64, f64, f64, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for c in 0..conns {
        let (t, stop) = (t.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let client = Target::client();
            let mut r = Rng(seed * 7919 + c * 104_729 + 1);
            let mut lat = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let body = if batch == 1 {
                    statement(&mut r)
                } else {
                    Value::Array((0..batch).map(|_| statement(&mut r)).collect())
                };
                let start = Instant::now();
                let resp = t.post(&client, &body).send().await.unwrap();
                assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap_or_default());
                resp.bytes().await.unwrap();
                lat.push(start.elapsed());
            }
            lat
        }));
    }
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    lat.sort();
    let n = (lat.len() * batch) as u64;
    (n as f64 / elapsed, percentile(&lat, 0.5), percentile(&lat, 0.99), n)
}

/// `n` GETs from one connection, cycling through query values; p50, p99 ms and mean rows.
async fn reads(t: &Target, kind: &str, limit: u32, n: u64) -> (f64, f64, f64) {
    let client = Target::client();
    let mut r = Rng(42);
    let mut lat = Vec::new();
    let mut rows = 0usize;
    for _ in 0..n {
        let (k, v) = match kind {
            "agent" => ("agent", format!(r#"{{"mbox":"mailto:learner{}@example.org"}}"#, r.next(AGENTS))),
            "activity" => ("activity", format!("https://hearth.example/m/a{}", r.next(ACTIVITIES))),
            "verb" => ("verb", format!("https://hearth.example/verbs/v{}", r.next(VERBS))),
            _ => ("registration", registration(r.next(REGISTRATIONS))),
        };
        let q = serde_urlencoded::to_string([(k, v.as_str()), ("limit", &limit.to_string())]).unwrap();
        let start = Instant::now();
        let resp = client
            .get(format!("{}/xapi/statements?{q}", t.base))
            .basic_auth(&t.key, Some(&t.secret))
            .header("X-Experience-API-Version", "1.0.3")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        lat.push(start.elapsed());
        rows += v["statements"].as_array().map_or(0, Vec::len);
    }
    lat.sort();
    (percentile(&lat, 0.5), percentile(&lat, 0.99), rows as f64 / n as f64)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let o = opts();
    let dir = tempfile::tempdir().unwrap();
    let mut pg_schema = None;
    let db = match o.backend.as_str() {
        "sqlite" => format!("sqlite:{}", dir.path().join("bench.db").display()),
        "postgres" => {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let schema = format!("hearth_bench_{}", std::process::id());
            let mut conn = sqlx::AnyConnection::connect(&o.pg_url).await.expect("PostgreSQL reachable");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&mut conn)
                .await
                .unwrap();
            pg_schema = Some((conn, schema.clone()));
            let sep = if o.pg_url.contains('?') { '&' } else { '?' };
            format!("{}{sep}options=-csearch_path%3D{schema}", o.pg_url)
        }
        b => panic!("unknown backend {b}"),
    };
    hearth(&o, &db, &["tenant", "add", "bench"]);
    let out = hearth(&o, &db, &["credential", "add", "--tenant", "bench", "--scope", "all"]);
    let field = |name: &str| out.lines().find_map(|l| l.strip_prefix(name)).unwrap().trim().to_owned();
    let (child, base) = serve(&o, &db);
    let t = Target { base, key: field("key:"), secret: field("secret:") };
    let pid = child.0.id();

    println!("backend: {}; {} s per ingest run; durable commits", o.backend, o.secs);
    println!();
    println!("| ingest | statements/s | p50 ms | p99 ms | server RSS MiB |");
    println!("|---|---|---|---|---|");
    let mut total = 0;
    for (i, (conns, batch)) in [(1, 1), (16, 1), (16, 10), (16, 100)].into_iter().enumerate() {
        let (rate, p50, p99, n) = ingest(&t, conns, batch, o.secs, i as u64).await;
        total += n;
        let what = if batch == 1 {
            format!("single POSTs, {conns} conn")
        } else {
            format!("batches of {batch}, {conns} conns")
        };
        println!("| {what} | {rate:.0} | {p50:.2} | {p99:.2} | {:.0} |", rss(pid).0);
    }
    // Fill to the read-test size with large batches (not measured).
    let fill_start = Instant::now();
    while total < o.fill {
        let (_, _, _, n) = ingest(&t, 4, 500, 2, total).await;
        total += n;
    }
    eprintln!("filled to {total} statements in {:.0} s", fill_start.elapsed().as_secs_f64());
    if let Some((conn, schema)) = &mut pg_schema {
        // A table that grew from nothing in a minute has no planner statistics yet (autovacuum
        // analyses it within a few minutes); measure the steady state, not that window.
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ANALYZE {schema}.statements")))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    println!();
    println!("| GET with {total} stored, 1 conn | p50 ms | p99 ms | rows/response |");
    println!("|---|---|---|---|");
    for limit in [10, 100] {
        for kind in ["agent", "activity", "verb", "registration"] {
            let (p50, p99, rows) = reads(&t, kind, limit, 1000).await;
            println!("| by {kind}, limit={limit} | {p50:.2} | {p99:.2} | {rows:.0} |");
        }
    }
    let (rss_now, peak) = rss(pid);
    println!();
    println!("server memory: {rss_now:.0} MiB resident at the end, {peak:.0} MiB peak");
    drop(child);
    if let Some((mut conn, schema)) = pg_schema {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}
