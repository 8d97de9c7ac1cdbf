//! The xAPI client against the Hearth LRS, running over real HTTP on 127.0.0.1 with SQLite.

use std::sync::Arc;

use lms_bridge::client::{Auth, DocumentKey, Precondition, ReqwestTransport, XapiClient, XapiError};
use lrs::store::{SqlStore, Store};
use lrs::{AppState, ServeConfig};
use serde_json::{Value, json};

struct Lrs {
    endpoint: String,
    key: String,
    secret: String,
    _dir: tempfile::TempDir,
}

async fn lrs() -> Lrs {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<SqlStore> =
        SqlStore::open(&format!("sqlite:{}", dir.path().join("lrs.db").display()), None).await.unwrap();
    let tenant = store.add_tenant("t").await.unwrap();
    let (cred, secret) = lrs::auth::new_credential(tenant, &["all".into()]);
    store.add_credential(&cred).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/xapi/", listener.local_addr().unwrap());
    tokio::spawn(lrs::serve(AppState::new(store), ServeConfig::default(), listener, std::future::pending()));
    Lrs { endpoint, key: cred.key, secret, _dir: dir }
}

fn client(l: &Lrs) -> XapiClient<ReqwestTransport> {
    XapiClient::new(
        ReqwestTransport(reqwest::Client::new()),
        &l.endpoint,
        Auth::Basic { key: l.key.clone(), secret: l.secret.clone() },
    )
}

fn statement(i: usize) -> Value {
    json!({
        "actor": { "mbox": "mailto:learner@example.org" },
        "verb": { "id": "http://adlnet.gov/expapi/verbs/answered" },
        "object": { "id": format!("https://hearth.example/q/{}", i % 7) },
        "result": { "response": i.to_string() }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_through_ten_thousand_statements() {
    let l = lrs().await;
    let c = client(&l);
    let mut sent = Vec::new();
    for chunk in (0..10_000).collect::<Vec<_>>().chunks(500) {
        let batch: Vec<Value> = chunk.iter().map(|i| statement(*i)).collect();
        sent.extend(c.post_statements(&batch).await.unwrap());
    }
    assert_eq!(sent.len(), 10_000);
    let mut pages = 0;
    let mut page = c.get_statements(&[("limit", "250".into())]).await.unwrap();
    let mut seen = std::collections::HashSet::new();
    loop {
        pages += 1;
        for s in &page.statements {
            assert!(seen.insert(s["id"].as_str().unwrap().to_string()), "no statement twice");
        }
        match page.more.take() {
            Some(more) => page = c.more(&more).await.unwrap(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 10_000);
    assert_eq!(pages, 40);
    let all = c
        .all_statements(&[("limit", "1000".into()), ("activity", "https://hearth.example/q/3".into())])
        .await;
    assert_eq!(all.unwrap().len(), (0..10_000).filter(|i| i % 7 == 3).count());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retried_statement_is_stored_once() {
    let l = lrs().await;
    let c = client(&l);
    let mut s = statement(1);
    s["id"] = json!(lms_bridge::time::statement_id("reg", "session", 0));
    c.put_statement(&s).await.unwrap();
    c.put_statement(&s).await.unwrap();
    assert_eq!(c.post_statements(&[s.clone()]).await.unwrap(), vec![s["id"].as_str().unwrap()]);
    let stored = c.statement(s["id"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored["result"]["response"], "1");
    // The same id with other content is a conflict, reported with the LRS's reason.
    let mut other = s.clone();
    other["result"]["response"] = json!("2");
    assert!(matches!(c.put_statement(&other).await, Err(XapiError::Conflict(_))));
    assert_eq!(c.statement(&lms_bridge::time::statement_id("reg", "x", 9)).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn state_documents_with_etags() {
    let l = lrs().await;
    let c = client(&l);
    let agent = json!({ "mbox": "mailto:learner@example.org" });
    let key = DocumentKey::State {
        activity_id: "https://hearth.example/m",
        agent: &agent,
        registration: Some("5f0e9c1a-7d1b-4c7e-9a51-3b8e2f6d0c41"),
        state_id: "progress",
    };
    assert_eq!(c.document(&key).await.unwrap(), None);
    c.put_document(&key, b"h2|one", "text/plain", Precondition::IfNoneMatch).await.unwrap();
    // A second writer that also thought there was nothing loses.
    let lost = c.put_document(&key, b"h2|two", "text/plain", Precondition::IfNoneMatch).await;
    assert_eq!(lost, Err(XapiError::PreconditionFailed));
    let first = c.document(&key).await.unwrap().unwrap();
    assert_eq!(first.body, b"h2|one");
    let etag = first.etag.clone().expect("the LRS sends an ETag");
    // Two writers read the same version; the first write wins, the second gets 412.
    c.put_document(&key, b"h2|three", "text/plain", Precondition::IfMatch(etag.clone())).await.unwrap();
    let stale = c.put_document(&key, b"h2|four", "text/plain", Precondition::IfMatch(etag)).await;
    assert_eq!(stale, Err(XapiError::PreconditionFailed));
    assert_eq!(c.document(&key).await.unwrap().unwrap().body, b"h2|three");

    // JSON documents merge.
    let prefs = DocumentKey::AgentProfile { agent: &agent, profile_id: "prefs" };
    c.merge_document(&prefs, &json!({ "a": 1 })).await.unwrap();
    c.merge_document(&prefs, &json!({ "b": 2 })).await.unwrap();
    let merged: Value = serde_json::from_slice(&c.document(&prefs).await.unwrap().unwrap().body).unwrap();
    assert_eq!(merged, json!({ "a": 1, "b": 2 }));
    c.delete_document(&prefs, Precondition::None).await.unwrap();
    assert_eq!(c.document(&prefs).await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn about_and_bad_credentials() {
    let l = lrs().await;
    let about = client(&l).about().await.unwrap();
    assert!(about["version"].as_array().unwrap().iter().any(|v| v.as_str().unwrap().starts_with("1.0")));
    let wrong = XapiClient::new(
        ReqwestTransport(reqwest::Client::new()),
        &l.endpoint,
        Auth::Basic { key: l.key.clone(), secret: "not-the-secret".into() },
    );
    assert_eq!(wrong.get_statements(&[]).await.unwrap_err(), XapiError::Unauthorized { status: 401 });
    let token =
        XapiClient::new(ReqwestTransport(reqwest::Client::new()), &l.endpoint, Auth::Bearer("nope".into()));
    assert!(matches!(token.get_statements(&[]).await, Err(XapiError::Unauthorized { .. })));
    let nowhere = XapiClient::new(
        ReqwestTransport(reqwest::Client::new()),
        "http://127.0.0.1:9/xapi",
        Auth::Bearer("x".into()),
    );
    assert!(matches!(nowhere.about().await, Err(XapiError::Transport(_))));
}

/// Everything the mapping produces for a whole walk is accepted by the LRS.
#[tokio::test(flavor = "multi_thread")]
async fn a_mapped_walk_is_accepted_whole() {
    let l = lrs().await;
    let c = client(&l);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/tuesday-night");
    let m = content::load::load(content::source::read_module(&dir).unwrap()).module.unwrap();
    let ex = content::engine::explore(&m, content::validate::EXPLORE_LIMIT);
    let (path, _) = &ex.best_at_ending["n.end-secure"];
    let launch = lms_bridge::Launch {
        actor: json!({ "objectType": "Agent", "mbox": "mailto:learner@example.org" }),
        registration: "5f0e9c1a-7d1b-4c7e-9a51-3b8e2f6d0c41".into(),
        session: "s1".into(),
        activity_id: "https://hearth.example/modules/fc.tuesday-night".into(),
        cmi5: None,
    };
    let mut mapper = lms_bridge::Mapper::new(launch, "ar", 0);
    let (mut s, events) = content::engine::State::start(&m, "ar", 0, 0);
    let mut statements: Vec<Value> =
        events.iter().flat_map(|e| mapper.statements(&m, e, "2026-11-23T09:00:00.000Z", 0)).collect();
    for a in path {
        for e in s.apply(&m, a.clone(), 1_000).unwrap() {
            statements.extend(mapper.statements(&m, &e, "2026-11-23T09:00:01.000Z", 1_000));
        }
    }
    statements.push(mapper.terminated(&m, "2026-11-23T09:00:02.000Z", 2_000));
    let ids = c.post_statements(&statements).await.unwrap();
    assert_eq!(ids.len(), statements.len());
    let stored = c
        .all_statements(&[
            ("registration", "5f0e9c1a-7d1b-4c7e-9a51-3b8e2f6d0c41".into()),
            ("limit", "10".into()),
        ])
        .await
        .unwrap();
    assert_eq!(stored.len(), statements.len());
    assert!(stored.iter().any(|s| s["context"]["language"] == "ar"));
}
