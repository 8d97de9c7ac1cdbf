//! State, activity profile and agent profile documents.

use crate::harness::Srv;
use reqwest::Method;
use serde_json::{Value, json};

fn enc(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

const AGENT: &str = r#"{"mbox":"mailto:learner@example.org"}"#;
const ACT: &str = "https://hearth.example/m/safety";

async fn state_put_get_merge_delete(s: &Srv) {
    let q = enc(&[("activityId", ACT), ("agent", AGENT), ("stateId", "bookmark")]);
    let url = format!("/xapi/activities/state?{q}");
    let r = s.req(Method::PUT, &url).json(&json!({"screen": 3, "lang": "fa"})).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = s.req(Method::GET, &url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    // A quoted hex SHA-1 of the document (Communication §3.1).
    assert_eq!(etag.len(), 42, "{etag}");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag[1..41].bytes().all(|b| b.is_ascii_hexdigit())
    );
    // Last-Modified is an HTTP date.
    let lm = r.headers()["last-modified"].to_str().unwrap().to_owned();
    assert!(lm.ends_with(" GMT") && lm.len() == 29, "{lm}");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v, json!({"screen": 3, "lang": "fa"}));
    // POST merges top-level keys.
    let r = s.req(Method::POST, &url).json(&json!({"screen": 4, "done": false})).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let v: Value = s.req(Method::GET, &url).send().await.unwrap().json().await.unwrap();
    assert_eq!(v, json!({"screen": 4, "lang": "fa", "done": false}));
    // POST of a non-object onto JSON is a 400.
    let r = s.req(Method::POST, &url).header("content-type", "text/plain").body("hi").send().await.unwrap();
    assert_eq!(r.status(), 400);
    // If-Match with the old ETag now fails.
    let r = s.req(Method::PUT, &url).header("If-Match", &etag).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 412);
    let r = s.req(Method::PUT, &url).header("If-None-Match", "*").json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 412);
    // Listing ids, with a registration kept apart.
    let reg = "ec531277-b57b-4c15-8d91-d292c5b2b8f7";
    let q2 = enc(&[("activityId", ACT), ("agent", AGENT), ("stateId", "other"), ("registration", reg)]);
    s.req(Method::PUT, &format!("/xapi/activities/state?{q2}")).json(&json!({"a": 1})).send().await.unwrap();
    let list = enc(&[("activityId", ACT), ("agent", AGENT)]);
    let ids: Vec<String> = s
        .req(Method::GET, &format!("/xapi/activities/state?{list}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids, ["bookmark"]);
    let list_reg = enc(&[("activityId", ACT), ("agent", AGENT), ("registration", reg)]);
    let ids: Vec<String> = s
        .req(Method::GET, &format!("/xapi/activities/state?{list_reg}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ids, ["other"]);
    // DELETE without stateId removes all under the key.
    assert_eq!(
        s.req(Method::DELETE, &format!("/xapi/activities/state?{list}")).send().await.unwrap().status(),
        204
    );
    assert_eq!(s.req(Method::GET, &url).send().await.unwrap().status(), 404);
    // Bad requests.
    for bad in [
        enc(&[("agent", AGENT), ("stateId", "x")]),
        enc(&[("activityId", "nope"), ("agent", AGENT)]),
        enc(&[("activityId", ACT), ("agent", "{}")]),
        enc(&[("activityId", ACT), ("agent", AGENT), ("registration", "1")]),
        enc(&[("activityId", ACT), ("agent", AGENT), ("foo", "1")]),
    ] {
        assert_eq!(
            s.req(Method::GET, &format!("/xapi/activities/state?{bad}")).send().await.unwrap().status(),
            400,
            "{bad}"
        );
    }
}

async fn profiles_and_concurrency_rules(s: &Srv) {
    for (path, q) in [
        ("/xapi/activities/profile", enc(&[("activityId", ACT), ("profileId", "p1")])),
        ("/xapi/agents/profile", enc(&[("agent", AGENT), ("profileId", "p1")])),
    ] {
        let url = format!("{path}?{q}");
        assert_eq!(s.req(Method::PUT, &url).json(&json!({"v": 1})).send().await.unwrap().status(), 204);
        // A PUT over an existing profile without a precondition is a 409.
        assert_eq!(s.req(Method::PUT, &url).json(&json!({"v": 2})).send().await.unwrap().status(), 409);
        let r = s.req(Method::GET, &url).send().await.unwrap();
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(
            s.req(Method::PUT, &url)
                .header("If-Match", &etag)
                .json(&json!({"v": 3}))
                .send()
                .await
                .unwrap()
                .status(),
            204
        );
        assert_eq!(
            s.req(Method::PUT, &url)
                .header("If-Match", &etag)
                .json(&json!({"v": 4}))
                .send()
                .await
                .unwrap()
                .status(),
            412
        );
        let v: Value = s.req(Method::GET, &url).send().await.unwrap().json().await.unwrap();
        assert_eq!(v, json!({"v": 3}));
        assert_eq!(s.req(Method::DELETE, &url).send().await.unwrap().status(), 204);
        assert_eq!(s.req(Method::GET, &url).send().await.unwrap().status(), 404);
    }
    // Documents are per tenant, and state needs the `state` scope.
    let q = enc(&[("activityId", ACT), ("agent", AGENT), ("stateId", "s")]);
    s.req(Method::PUT, &format!("/xapi/activities/state?{q}")).json(&json!({"x": 1})).send().await.unwrap();
    let other = s.credential("b", &["all"]).await;
    assert_eq!(
        s.req_as(&other, Method::GET, &format!("/xapi/activities/state?{q}")).send().await.unwrap().status(),
        404
    );
    let writer = s.credential("a", &["statements/write"]).await;
    assert_eq!(
        s.req_as(&writer, Method::GET, &format!("/xapi/activities/state?{q}")).send().await.unwrap().status(),
        403
    );
    let stater = s.credential("a", &["state"]).await;
    assert_eq!(
        s.req_as(&stater, Method::GET, &format!("/xapi/activities/state?{q}")).send().await.unwrap().status(),
        200
    );
}

async fn activities_and_agents(s: &Srv) {
    let st = json!({"actor": {"mbox": "mailto:l@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": ACT, "definition": {"name": {"en": "Safety"}}}});
    assert_eq!(s.post(&st).await.status(), 200);
    let (code, v) = s.get_json(&format!("/xapi/activities?{}", enc(&[("activityId", ACT)]))).await;
    assert_eq!(code, 200);
    assert_eq!(v["definition"]["name"]["en"], "Safety");
    // Later statements add to the definition: language maps merge key by key, newer wins.
    let later = json!({"actor": {"mbox": "mailto:l@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": ACT, "definition": {"name": {"fr": "Sécurité"}, "description": {"en": "A module"},
            "type": "http://adlnet.gov/expapi/activities/module"}}});
    assert_eq!(s.post(&later).await.status(), 200);
    let (_, v) = s.get_json(&format!("/xapi/activities?{}", enc(&[("activityId", ACT)]))).await;
    assert_eq!(
        v["definition"],
        json!({"name": {"en": "Safety", "fr": "Sécurité"}, "description": {"en": "A module"},
            "type": "http://adlnet.gov/expapi/activities/module"})
    );
    let newer = json!({"actor": {"mbox": "mailto:l@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": ACT, "definition": {"name": {"en": "Site safety"}}}});
    assert_eq!(s.post(&newer).await.status(), 200);
    let (_, v) = s.get_json(&format!("/xapi/activities?{}", enc(&[("activityId", ACT)]))).await;
    assert_eq!(v["definition"]["name"], json!({"en": "Site safety", "fr": "Sécurité"}));
    let (_, v) = s
        .get_json(&format!("/xapi/activities?{}", enc(&[("activityId", "https://unknown.example/a")])))
        .await;
    assert_eq!(v, json!({"objectType": "Activity", "id": "https://unknown.example/a"}));
    assert_eq!(s.get_json("/xapi/activities").await.0, 400);
    let (code, v) = s.get_json(&format!("/xapi/agents?{}", enc(&[("agent", AGENT)]))).await;
    assert_eq!(code, 200);
    assert_eq!(v, json!({"objectType": "Person", "mbox": ["mailto:learner@example.org"]}));
    assert_eq!(s.get_json(&format!("/xapi/agents?{}", enc(&[("agent", "{}")]))).await.0, 400);
}

crate::both!(state_put_get_merge_delete, profiles_and_concurrency_rules, activities_and_agents);
