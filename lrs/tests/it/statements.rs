//! Statements resource, version negotiation, auth, scopes, tenants, CORS, limits.

use crate::harness::Srv;
use reqwest::Method;
use serde_json::{Value, json};

fn stmt(n: u32) -> Value {
    json!({
        "actor": {"mbox": format!("mailto:learner{}@example.org", n % 3)},
        "verb": {"id": if n.is_multiple_of(2) { "http://adlnet.gov/expapi/verbs/answered" } else { "http://adlnet.gov/expapi/verbs/completed" }},
        "object": {"id": format!("https://hearth.example/m/q{}", n % 4)},
        "context": {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"},
        "result": {"response": format!("r{n}")}
    })
}

const ID: &str = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0";

async fn about_and_health_need_no_version(s: &Srv) {
    let r = s.client.get(format!("{}/xapi/about", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["version"], json!(["1.0.3", "2.0.0"]));
    let r = s.client.get(format!("{}/health", s.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

async fn version_header_is_negotiated(s: &Srv) {
    let url = format!("{}/xapi/statements", s.base);
    let r = s.client.get(&url).basic_auth(&s.cred.0, Some(&s.cred.1)).send().await.unwrap();
    assert_eq!(r.status(), 400, "missing header");
    let body: Value = r.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("X-Experience-API-Version"));
    for bad in ["0.95", "1.1.0", "3.0.0", "x"] {
        let r = s
            .client
            .get(&url)
            .basic_auth(&s.cred.0, Some(&s.cred.1))
            .header("X-Experience-API-Version", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        // The refusal still says which version the LRS speaks.
        assert_eq!(r.headers()["x-experience-api-version"], "2.0.0", "{bad}");
    }
    for path in ["/xapi/statements", "/xapi/activities/state", "/xapi/agents", "/xapi/activities"] {
        let r = s
            .client
            .get(format!("{}{path}", s.base))
            .basic_auth(&s.cred.0, Some(&s.cred.1))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{path}");
        assert_eq!(r.headers()["x-experience-api-version"], "2.0.0", "{path}");
    }
    for good in ["1.0", "1.0.0", "1.0.3", "2.0.0"] {
        let r = s
            .client
            .get(&url)
            .basic_auth(&s.cred.0, Some(&s.cred.1))
            .header("X-Experience-API-Version", good)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{good}");
        assert!(r.headers().contains_key("x-experience-api-version"));
    }
}

async fn authentication_is_required(s: &Srv) {
    let url = format!("{}/xapi/statements", s.base);
    let r = s.client.get(&url).header("X-Experience-API-Version", "1.0.3").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = s
        .client
        .get(&url)
        .header("X-Experience-API-Version", "1.0.3")
        .basic_auth(&s.cred.0, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = s
        .client
        .get(&url)
        .header("X-Experience-API-Version", "1.0.3")
        .basic_auth("nobody", Some("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

async fn post_assigns_id_stored_authority_version(s: &Srv) {
    let r = s.post(&stmt(1)).await;
    assert_eq!(r.status(), 200);
    let ids: Vec<String> = r.json().await.unwrap();
    assert_eq!(ids.len(), 1);
    assert!(xapi::format::is_uuid(&ids[0]));
    let r = s.req(Method::GET, &format!("/xapi/statements?statementId={}", ids[0])).send().await.unwrap();
    // Last-Modified is the statement's `stored`, as an HTTP date.
    let lm = r.headers()["last-modified"].to_str().unwrap().to_owned();
    let (st, v) = (r.status(), r.json::<Value>().await.unwrap());
    assert_eq!(st, 200);
    assert_eq!(v["id"], ids[0]);
    let stored = v["stored"].as_str().unwrap();
    let t = time::OffsetDateTime::parse(stored, &time::format_description::well_known::Rfc3339).unwrap();
    let f = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    assert_eq!(lm, t.format(&f).unwrap());
    assert!(v["stored"].is_string());
    assert_eq!(v["timestamp"], v["stored"]);
    assert_eq!(v["version"], "1.0.0");
    assert_eq!(v["authority"]["account"]["name"], s.cred.0);
    // A single context Activity is stored and returned in an array (Data §2.4.6.2), also in a
    // SubStatement.
    let mut one = stmt(5);
    one["context"]["contextActivities"] = json!({"parent": {"id": "https://hearth.example/m"}});
    one["object"] = json!({"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"},
        "verb": {"id": "http://x.example/v"}, "object": {"id": "https://x.example/a"},
        "context": {"contextActivities": {"category": {"id": "https://x.example/c"}}}});
    let ids: Vec<String> = s.post(&one).await.json().await.unwrap();
    let (_, v) = s.get_json(&format!("/xapi/statements?statementId={}", ids[0])).await;
    assert_eq!(v["context"]["contextActivities"]["parent"], json!([{"id": "https://hearth.example/m"}]));
    assert_eq!(
        v["object"]["context"]["contextActivities"]["category"],
        json!([{"id": "https://x.example/c"}])
    );
    // Batch of three returns three ids in order.
    let r = s.post(&json!([stmt(2), stmt(3), stmt(4)])).await;
    let ids: Vec<String> = r.json().await.unwrap();
    assert_eq!(ids.len(), 3);
}

async fn put_rules(s: &Srv) {
    let put = |q: &str, body: Value| s.req(Method::PUT, &format!("/xapi/statements{q}")).json(&body).send();
    assert_eq!(put(&format!("?statementId={ID}"), stmt(1)).await.unwrap().status(), 204);
    // Identical (ignoring stored/authority/verb display) → 204; different → 409.
    let mut same = stmt(1);
    same["verb"]["display"] = json!({"en": "answered"});
    assert_eq!(put(&format!("?statementId={ID}"), same).await.unwrap().status(), 204);
    let r = put(&format!("?statementId={ID}"), stmt(2)).await.unwrap();
    assert_eq!(r.status(), 409);
    // POST with the same id and different content is a 409 as well.
    let mut other = stmt(2);
    other["id"] = json!(ID);
    assert_eq!(s.post(&other).await.status(), 409);
    assert_eq!(put("", stmt(1)).await.unwrap().status(), 400, "statementId required");
    assert_eq!(put("?statementId=nope", stmt(1)).await.unwrap().status(), 400);
    let mut mismatched = stmt(1);
    mismatched["id"] = json!("ec531277-b57b-4c15-8d91-d292c5b2b8f7");
    assert_eq!(put(&format!("?statementId={ID}"), mismatched).await.unwrap().status(), 400);
    assert_eq!(put(&format!("?statementId={ID}"), json!([stmt(1)])).await.unwrap().status(), 400);
}

async fn invalid_requests_are_400_with_reasons(s: &Srv) {
    let mut bad = stmt(1);
    bad["result"]["score"] = json!({"scaled": 2});
    let r = s.post(&bad).await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["details"][0]["path"], "statement.result.score.scaled");
    // A batch is all or nothing.
    let mut good = stmt(5);
    good["id"] = json!("0a1b2c3d-0000-4000-8000-000000000001");
    let r = s.post(&json!([good, bad])).await;
    assert_eq!(r.status(), 400);
    let (st, _) = s.get_json("/xapi/statements?statementId=0a1b2c3d-0000-4000-8000-000000000001").await;
    assert_eq!(st, 404);
    // Not JSON, duplicate ids in a batch, unknown parameters, malformed parameters.
    let r = s.req(Method::POST, "/xapi/statements").body("{not json").send().await.unwrap();
    assert_eq!(r.status(), 400);
    let mut d = stmt(1);
    d["id"] = json!(ID);
    assert_eq!(s.post(&json!([d.clone(), d])).await.status(), 400);
    for q in [
        "?foo=1",
        "?limit=-1",
        "?limit=x",
        "?ascending=yes",
        "?verb=nope",
        "?registration=1",
        "?since=yesterday",
        "?agent=notjson",
        "?agent=%7B%22name%22%3A%22x%22%7D",
        "?format=full",
        "?statementId=abc",
        "?statementId=fd41c918-b88b-4b20-a0a5-a4c32391aaa0&verb=http://x/y",
        "?statementId=fd41c918-b88b-4b20-a0a5-a4c32391aaa0&voidedStatementId=fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
    ] {
        let (st, v) = s.get_json(&format!("/xapi/statements{q}")).await;
        assert_eq!(st, 400, "{q}");
        assert!(v["error"].is_string(), "{q}: {v}");
    }
}

async fn voiding(s: &Srv) {
    let mut target = stmt(1);
    target["id"] = json!(ID);
    assert_eq!(s.post(&target).await.status(), 200);
    let void = json!({"actor": {"mbox": "mailto:admin@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": ID}});
    let r = s.post(&void).await;
    assert_eq!(r.status(), 200);
    let void_id: Vec<String> = r.json().await.unwrap();
    assert_eq!(s.get_json(&format!("/xapi/statements?statementId={ID}")).await.0, 404);
    let (st, v) = s.get_json(&format!("/xapi/statements?voidedStatementId={ID}")).await;
    assert_eq!(st, 200);
    assert_eq!(v["id"], ID);
    // The voiding statement itself is returned normally, and not by voidedStatementId.
    assert_eq!(s.get_json(&format!("/xapi/statements?statementId={}", void_id[0])).await.0, 200);
    assert_eq!(s.get_json(&format!("/xapi/statements?voidedStatementId={}", void_id[0])).await.0, 404);
    // Queries leave voided statements out.
    let (_, list) = s.get_json("/xapi/statements").await;
    let ids: Vec<&str> =
        list["statements"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert!(!ids.contains(&ID));
    assert!(ids.contains(&void_id[0].as_str()));
    // Filters also match statements whose StatementRef targets a statement meeting them
    // (Communication §2.1.3), voided targets included; the voided statement itself stays out.
    let target_verb = target["verb"]["id"].as_str().unwrap().to_owned();
    let pointer = json!({"actor": {"mbox": "mailto:other@example.org"}, "verb": {"id": "http://x.example/commented"},
        "object": {"objectType": "StatementRef", "id": ID}});
    let pointer_id: Vec<String> = s.post(&pointer).await.json().await.unwrap();
    let (st, v) = s.get_json(&format!("/xapi/statements?verb={target_verb}")).await;
    assert_eq!(st, 200);
    let ids: Vec<&str> =
        v["statements"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [pointer_id[0].as_str(), void_id[0].as_str()], "{v}");
    let (_, v) = s.get_json(&format!("/xapi/statements?verb={target_verb}&limit=1")).await;
    assert_eq!(v["statements"][0]["id"], pointer_id[0]);
    let (_, more) = s.get_json(v["more"].as_str().unwrap()).await;
    assert_eq!(more["statements"][0]["id"], void_id[0]);
    let agent =
        serde_urlencoded::to_string([("agent", r#"{"mbox":"mailto:learner1@example.org"}"#)]).unwrap();
    let (_, v) = s.get_json(&format!("/xapi/statements?{agent}&ascending=true")).await;
    let ids: Vec<&str> =
        v["statements"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [void_id[0].as_str(), pointer_id[0].as_str()], "{v}");
    // A statement meeting the filters both ways (its own actor, and its target's) comes once,
    // and pages still count it once.
    let both_ways = json!({"actor": {"mbox": "mailto:learner1@example.org"}, "verb": {"id": "http://x.example/commented"},
        "object": {"objectType": "StatementRef", "id": ID}});
    let both_id: Vec<String> = s.post(&both_ways).await.json().await.unwrap();
    let (_, v) = s.get_json(&format!("/xapi/statements?{agent}&ascending=true")).await;
    let ids: Vec<&str> =
        v["statements"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [void_id[0].as_str(), pointer_id[0].as_str(), both_id[0].as_str()], "{v}");
    let (_, v) = s.get_json(&format!("/xapi/statements?{agent}&ascending=true&limit=2")).await;
    assert_eq!(v["statements"].as_array().unwrap().len(), 2);
    let (_, more) = s.get_json(v["more"].as_str().unwrap()).await;
    assert_eq!(more["statements"][0]["id"], both_id[0]);
    assert_eq!(more["more"], "");
    // A voiding statement cannot be voided.
    let void2 = json!({"actor": {"mbox": "mailto:admin@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": void_id[0]}});
    assert_eq!(s.post(&void2).await.status(), 400);
}

async fn query_filters_and_paging(s: &Srv) {
    let batch: Vec<Value> = (0..24).map(stmt).collect();
    assert_eq!(s.post(&Value::Array(batch)).await.status(), 200);
    let count = |v: &Value| v["statements"].as_array().unwrap().len();
    let (st, v) = s.get_json("/xapi/statements").await;
    assert_eq!(st, 200);
    assert_eq!(count(&v), 24);
    assert_eq!(v["more"], "");
    let (_, v) = s.get_json("/xapi/statements?verb=http://adlnet.gov/expapi/verbs/answered").await;
    assert_eq!(count(&v), 12);
    let (_, v) = s.get_json("/xapi/statements?activity=https://hearth.example/m/q1").await;
    assert_eq!(count(&v), 6);
    let agent =
        serde_urlencoded::to_string([("agent", r#"{"mbox":"mailto:learner0@example.org"}"#)]).unwrap();
    let (_, v) = s.get_json(&format!("/xapi/statements?{agent}")).await;
    assert_eq!(count(&v), 8);
    let (_, v) = s.get_json("/xapi/statements?registration=ec531277-b57b-4c15-8d91-d292c5b2b8f7").await;
    assert_eq!(count(&v), 24);
    let (_, v) = s.get_json("/xapi/statements?registration=11111111-1111-4111-8111-111111111111").await;
    assert_eq!(count(&v), 0);
    // Paging: 5 at a time, following `more`, sees every statement exactly once, newest first.
    let mut seen = Vec::new();
    let mut next = "/xapi/statements?limit=5&verb=http://adlnet.gov/expapi/verbs/answered".to_owned();
    let mut pages = 0;
    while !next.is_empty() {
        let (st, v) = s.get_json(&next).await;
        assert_eq!(st, 200, "{next}");
        for x in v["statements"].as_array().unwrap() {
            seen.push(x["result"]["response"].as_str().unwrap().to_owned());
        }
        next = v["more"].as_str().unwrap().to_owned();
        pages += 1;
        // Writes between pages do not disturb the cursor.
        s.post(&stmt(100 + pages * 2)).await;
    }
    assert_eq!(pages, 3);
    let want: Vec<String> =
        (0u32..24).filter(|n| n.is_multiple_of(2)).rev().map(|n| format!("r{n}")).collect();
    assert_eq!(seen, want);
    let (_, v) = s.get_json("/xapi/statements?ascending=true&limit=1").await;
    assert_eq!(v["statements"][0]["result"]["response"], "r0");
    // format=ids drops names and definitions.
    let (_, v) = s.get_json("/xapi/statements?format=ids&limit=1").await;
    assert!(v["statements"][0]["actor"]["mbox"].is_string());
    // since/until on stored.
    let (_, v) = s.get_json("/xapi/statements?since=2000-01-01T00:00:00Z").await;
    assert!(count(&v) >= 24);
    let (_, v) = s.get_json("/xapi/statements?until=2000-01-01T00:00:00Z").await;
    assert_eq!(count(&v), 0);
}

async fn consistent_through_header(s: &Srv) {
    s.post(&stmt(1)).await;
    let r = s.req(Method::GET, "/xapi/statements").send().await.unwrap();
    let h = r.headers().get("x-experience-api-consistent-through").unwrap().to_str().unwrap().to_owned();
    assert!(xapi::format::parse_timestamp(&h).is_ok(), "{h}");
    let v: Value = r.json().await.unwrap();
    // Every statement returned was stored at or before the watermark.
    for x in v["statements"].as_array().unwrap() {
        assert!(x["stored"].as_str().unwrap() <= h.as_str());
    }
    // Refusals and 404s carry it too: clients poll with it whatever their query's outcome.
    for (q, status) in [
        (format!("/xapi/statements?statementId={ID}&verb=http://x.example/v"), 400),
        ("/xapi/statements?limit=x".to_owned(), 400),
        (format!("/xapi/statements?statementId={ID}"), 404),
    ] {
        let r = s.req(Method::GET, &q).send().await.unwrap();
        assert_eq!(r.status(), status, "{q}");
        let h = r.headers().get("x-experience-api-consistent-through").expect(&q).to_str().unwrap();
        assert!(xapi::format::parse_timestamp(h).is_ok(), "{q}: {h}");
    }
}

async fn scopes_and_tenants(s: &Srv) {
    let writer = s.credential("a", &["statements/write"]).await;
    let reader = s.credential("a", &["statements/read"]).await;
    let mine = s.credential("a", &["statements/read/mine", "statements/write"]).await;
    let other_tenant = s.credential("b", &["all"]).await;
    let r = s.req_as(&writer, Method::POST, "/xapi/statements").json(&stmt(1)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let ids: Vec<String> = r.json().await.unwrap();
    assert_eq!(s.req_as(&writer, Method::GET, "/xapi/statements").send().await.unwrap().status(), 403);
    assert_eq!(
        s.req_as(&reader, Method::POST, "/xapi/statements").json(&stmt(1)).send().await.unwrap().status(),
        403
    );
    let r = s
        .req_as(&reader, Method::GET, &format!("/xapi/statements?statementId={}", ids[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // read/mine sees only its own statements.
    s.req_as(&mine, Method::POST, "/xapi/statements").json(&stmt(2)).send().await.unwrap();
    let v: Value =
        s.req_as(&mine, Method::GET, "/xapi/statements").send().await.unwrap().json().await.unwrap();
    assert_eq!(v["statements"].as_array().unwrap().len(), 1);
    assert_eq!(
        s.req_as(&mine, Method::GET, &format!("/xapi/statements?statementId={}", ids[0]))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Another tenant sees nothing of tenant a, and can reuse the same statement id independently.
    let r = s
        .req_as(&other_tenant, Method::GET, &format!("/xapi/statements?statementId={}", ids[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: Value =
        s.req_as(&other_tenant, Method::GET, "/xapi/statements").send().await.unwrap().json().await.unwrap();
    assert_eq!(v["statements"].as_array().unwrap().len(), 0);
    let mut same_id = stmt(9);
    same_id["id"] = json!(ids[0]);
    assert_eq!(
        s.req_as(&other_tenant, Method::POST, "/xapi/statements")
            .json(&same_id)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn same_id_from_16_connections(s: &Srv) {
    let mut body = stmt(7);
    body["id"] = json!(ID);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        // A client per task: 16 separate connections.
        let client = reqwest::Client::new();
        let url = format!("{}/xapi/statements", s.base);
        let (k, sec) = s.cred.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .basic_auth(k, Some(sec))
                .header("X-Experience-API-Version", "1.0.3")
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let (_, v) = s.get_json("/xapi/statements").await;
    assert_eq!(v["statements"].as_array().unwrap().len(), 1);
    // Different content under one id from 16 connections: exactly one wins, the rest get 409.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = reqwest::Client::new();
        let url = format!("{}/xapi/statements?statementId=0a1b2c3d-0000-4000-8000-0000000000ff", s.base);
        let (k, sec) = s.cred.clone();
        let body = stmt(i);
        tasks.push(tokio::spawn(async move {
            client
                .put(url)
                .basic_auth(k, Some(sec))
                .header("X-Experience-API-Version", "1.0.3")
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    assert_eq!(codes.iter().filter(|c| **c == 204).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 15, "{codes:?}");
}

async fn cors_and_body_limit(s: &Srv) {
    let r = s
        .client
        .request(Method::OPTIONS, format!("{}/xapi/statements", s.base))
        .header("Origin", "https://lms.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,content-type,x-experience-api-version")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers()["access-control-allow-origin"], "https://lms.example");
    let r =
        s.req(Method::GET, "/xapi/statements").header("Origin", "https://lms.example").send().await.unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "https://lms.example");
    // The test server's limit is 64 KiB.
    let mut big = stmt(1);
    big["result"]["response"] = json!("x".repeat(100 * 1024));
    let r = s.post(&big).await;
    assert_eq!(r.status(), 413);
}

async fn version_2_statements(s: &Srv) {
    let mut v2 = stmt(1);
    v2["context"]["contextAgents"] = json!([{"objectType": "contextAgent", "agent": {"mbox": "mailto:t@example.org"}, "relevantTypes": ["https://x.example/t"]}]);
    // Rejected under 1.0.3, accepted under 2.0.0 with version 2.0.0 assigned.
    assert_eq!(s.post(&v2).await.status(), 400);
    let r = s
        .client
        .post(format!("{}/xapi/statements", s.base))
        .basic_auth(&s.cred.0, Some(&s.cred.1))
        .header("X-Experience-API-Version", "2.0.0")
        .json(&v2)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-experience-api-version"], "2.0.0");
    let ids: Vec<String> = r.json().await.unwrap();
    let (_, v) = s.get_json(&format!("/xapi/statements?statementId={}", ids[0])).await;
    assert_eq!(v["version"], "2.0.0");
}

async fn related_agents_and_activities(s: &Srv) {
    let teacher = json!({"mbox": "mailto:teacher@example.org"});
    let course = "https://hearth.example/course";
    // 0: the teacher is the instructor; the course is a context parent.
    let mut a = stmt(0);
    a["context"]["instructor"] = teacher.clone();
    a["context"]["contextActivities"] = json!({"parent": {"id": course}});
    // 1: the teacher and the course inside a SubStatement.
    let mut b = stmt(1);
    b["object"] = json!({"objectType": "SubStatement", "actor": teacher, "verb": {"id": "http://x.example/v"},
        "object": {"id": course}});
    // 2: neither.
    let c = stmt(2);
    let ids: Vec<String> = s.post(&json!([a, b, c])).await.json().await.unwrap();
    let agent = serde_urlencoded::to_string([("agent", teacher.to_string())]).unwrap();
    let found = |v: &Value| -> Vec<String> {
        let mut f: Vec<String> = v["statements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_owned())
            .collect();
        f.sort();
        f
    };
    let mut want = vec![ids[0].clone(), ids[1].clone()];
    want.sort();
    // Without the flag, agent and activity match only actor/object.
    let (st, v) = s.get_json(&format!("/xapi/statements?{agent}")).await;
    assert_eq!(st, 200);
    assert!(found(&v).is_empty(), "{v}");
    let (st, v) = s.get_json(&format!("/xapi/statements?{agent}&related_agents=true")).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(found(&v), want);
    let (_, v) = s.get_json(&format!("/xapi/statements?activity={course}")).await;
    assert!(found(&v).is_empty(), "{v}");
    let (st, v) = s.get_json(&format!("/xapi/statements?activity={course}&related_activities=true")).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(found(&v), want);
    // The authority (this credential) is a related agent of everything it wrote.
    let me = json!({"account": {"homePage": "urn:hearth:lrs:credential", "name": s.cred.0}});
    let me = serde_urlencoded::to_string([("agent", me.to_string())]).unwrap();
    let (_, v) = s.get_json(&format!("/xapi/statements?{me}&related_agents=true")).await;
    assert_eq!(v["statements"].as_array().unwrap().len(), 3);
    // The flags still take only true or false, and not beside a statement id.
    assert_eq!(s.get_json("/xapi/statements?related_agents=yes").await.0, 400);
    assert_eq!(
        s.get_json(&format!("/xapi/statements?statementId={}&related_agents=true", ids[0])).await.0,
        400
    );
}

async fn formats_ids_and_canonical(s: &Srv) {
    let both = json!({"en-GB": "colour", "en-US": "color"});
    let st = json!({
        "actor": {"objectType": "Agent", "name": "Ana", "mbox": "mailto:ana@example.org"},
        "verb": {"id": "http://x.example/v", "display": both},
        "object": {"objectType": "SubStatement",
            "actor": {"objectType": "Group", "name": "G", "mbox": "mailto:g@example.org", "member": [{"mbox": "mailto:m@example.org"}]},
            "verb": {"id": "http://x.example/w", "display": both},
            "object": {"objectType": "Activity", "id": "https://x.example/a", "definition": {"name": both, "type": "https://x.example/t"}}},
        "context": {"instructor": {"objectType": "Group", "name": "Anon", "member": [{"name": "T", "mbox": "mailto:t@example.org"}]},
            "contextActivities": {"parent": [{"objectType": "Activity", "id": "https://x.example/p", "definition": {"name": both}}]}}
    });
    let ids: Vec<String> = s.post(&st).await.json().await.unwrap();
    let one = |q: &str, lang: Option<&'static str>| {
        let mut r = s.req(Method::GET, &format!("/xapi/statements?statementId={}&{q}", ids[0]));
        if let Some(l) = lang {
            r = r.header("Accept-Language", l);
        }
        async move { r.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let v = one("format=ids", None).await;
    assert_eq!(v["actor"], json!({"objectType": "Agent", "mbox": "mailto:ana@example.org"}));
    assert_eq!(v["verb"], json!({"id": "http://x.example/v"}));
    assert_eq!(v["object"]["actor"], json!({"objectType": "Group", "mbox": "mailto:g@example.org"}));
    assert_eq!(v["object"]["verb"], json!({"id": "http://x.example/w"}));
    assert_eq!(v["object"]["object"], json!({"id": "https://x.example/a"}));
    // An anonymous Group is identified by its members.
    assert_eq!(
        v["context"]["instructor"],
        json!({"objectType": "Group", "member": [{"mbox": "mailto:t@example.org"}]})
    );
    assert_eq!(v["context"]["contextActivities"]["parent"], json!([{"id": "https://x.example/p"}]));
    let v = one("format=canonical", Some("en-US;q=0.9, en-GB;q=0.5")).await;
    assert_eq!(v["verb"]["display"], json!({"en-US": "color"}));
    assert_eq!(v["object"]["verb"]["display"], json!({"en-US": "color"}));
    assert_eq!(
        v["object"]["object"]["definition"],
        json!({"name": {"en-US": "color"}, "type": "https://x.example/t"})
    );
    assert_eq!(
        v["context"]["contextActivities"]["parent"][0]["definition"]["name"],
        json!({"en-US": "color"})
    );
    assert_eq!(v["actor"], st["actor"]);
    // exact (and no format) ignore Accept-Language.
    for q in ["format=exact", "attachments=false"] {
        let v = one(q, Some("en-US")).await;
        assert_eq!(v["verb"]["display"], both, "{q}");
    }
    // Queries shape every statement.
    let r = s
        .req(Method::GET, "/xapi/statements?format=canonical")
        .header("Accept-Language", "en-GB")
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["statements"][0]["verb"]["display"], json!({"en-GB": "colour"}));
}

async fn alternate_request_syntax(s: &Srv) {
    let form = |pairs: &[(&str, &str)]| serde_urlencoded::to_string(pairs).unwrap();
    let post = |q: &str, body: String| {
        s.client
            .post(format!("{}/xapi/statements?{q}", s.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let auth = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{}:{}", s.cred.0, s.cred.1)
        )
    );
    // A PUT carried by a POST: headers, query parameters and body all in the form.
    let content = stmt(1).to_string();
    let body = form(&[
        ("statementId", ID),
        ("content", &content),
        ("X-Experience-API-Version", "1.0.3"),
        ("Authorization", &auth),
    ]);
    let r = post("method=PUT", body).send().await.unwrap();
    assert_eq!(r.status(), 204, "{:?}", r.text().await);
    assert_eq!(s.get_json(&format!("/xapi/statements?statementId={ID}")).await.0, 200);
    // A GET carried by a POST, the headers sent as headers.
    let r = post("method=GET", form(&[("limit", "1")]))
        .basic_auth(&s.cred.0, Some(&s.cred.1))
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["statements"].as_array().unwrap().len(), 1);
    assert!(v.get("more").is_some());
    // Refused: not a POST, extra query parameters, a form version this LRS does not speak (it
    // overrides the header), xAPI 2.0 (which dropped the syntax), no content, a body that is not
    // a form.
    let good = |extra: &[(&str, &str)]| {
        let mut pairs = vec![("statementId", ID), ("content", content.as_str())];
        pairs.extend_from_slice(extra);
        form(&pairs)
    };
    let cases = [
        ("PUT", "method=POST", good(&[]), "1.0.3", "application/x-www-form-urlencoded"),
        (
            "POST",
            &format!("method=PUT&statementId={ID}") as &str,
            good(&[]),
            "1.0.3",
            "application/x-www-form-urlencoded",
        ),
        (
            "POST",
            "method=PUT",
            good(&[("X-Experience-API-Version", "0.8")]),
            "1.0.3",
            "application/x-www-form-urlencoded",
        ),
        ("POST", "method=PUT", good(&[]), "2.0.0", "application/x-www-form-urlencoded"),
        ("POST", "method=PUT", form(&[("statementId", ID)]), "1.0.3", "application/x-www-form-urlencoded"),
        (
            "POST",
            "method=PUT",
            json!({"statementId": ID, "content": content}).to_string(),
            "1.0.3",
            "application/x-www-form-urlencoded",
        ),
        ("POST", "method=PUT", good(&[]), "1.0.3", "application/json"),
    ];
    for (method, q, body, version, ct) in cases {
        let r = s
            .client
            .request(method.parse().unwrap(), format!("{}/xapi/statements?{q}", s.base))
            .basic_auth(&s.cred.0, Some(&s.cred.1))
            .header("X-Experience-API-Version", version)
            .header("Content-Type", ct)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{method} {q} {version} {ct} {body}");
        assert!(r.headers().contains_key("x-experience-api-version"));
        let v: Value = r.json().await.unwrap();
        assert!(v["error"].is_string(), "{v}");
    }
}

crate::both!(
    about_and_health_need_no_version,
    version_header_is_negotiated,
    authentication_is_required,
    post_assigns_id_stored_authority_version,
    put_rules,
    invalid_requests_are_400_with_reasons,
    voiding,
    query_filters_and_paging,
    consistent_through_header,
    scopes_and_tenants,
    same_id_from_16_connections,
    cors_and_body_limit,
    version_2_statements,
    related_agents_and_activities,
    formats_ids_and_canonical,
    alternate_request_syntax,
);
