//! Launch tokens: minting, what a token may and may not do, expiry, cmi5-style Basic use.

use crate::harness::{Srv, V};
use lrs::store::Store;
use reqwest::Method;
use serde_json::{Value, json};

const REG: &str = "0b8f6a4e-3c47-4f54-9a0f-52c4a1d2e7b1";
const OTHER_REG: &str = "9d7f3b1a-0e4c-4a2b-8f6d-1c2b3a4d5e6f";
const ACT: &str = "https://hearth.example/m/safety";
const LEARNER: &str = r#"{"mbox":"mailto:learner@example.org"}"#;

fn stmt(actor: &str, reg: Option<&str>) -> Value {
    let mut s = json!({
        "actor": {"mbox": format!("mailto:{actor}@example.org")},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": "https://hearth.example/m/safety/q1"},
    });
    if let Some(r) = reg {
        s["context"] = json!({"registration": r});
    }
    s
}

async fn mint(s: &Srv, cred: &(String, String), body: &Value) -> reqwest::Response {
    s.client
        .post(format!("{}/xapi/launch-token", s.base))
        .basic_auth(&cred.0, Some(&cred.1))
        .json(body)
        .send()
        .await
        .unwrap()
}

fn bearer(s: &Srv, token: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
    s.client
        .request(method, format!("{}{path}", s.base))
        .bearer_auth(token)
        .header("X-Experience-API-Version", V)
}

fn q(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

async fn launch_tokens_confine_a_learner(s: &Srv) {
    let launcher = s.credential("a", &["launch"]).await;
    let writer = s.credential("a", &["statements/write"]).await;
    let body =
        json!({"actor": {"mbox": "mailto:learner@example.org"}, "registration": REG, "activityId": ACT});

    // Who may mint, and what a minting request must say.
    assert_eq!(mint(s, &writer, &body).await.status(), 403);
    for bad in [
        json!({"registration": REG}),
        json!({"actor": {"mbox": "learner@example.org"}, "registration": REG}),
        json!({"actor": {"mbox": "mailto:learner@example.org"}, "registration": "nope"}),
        json!({"actor": {"mbox": "mailto:learner@example.org"}, "registration": REG, "ttl": 0}),
        json!({"actor": {"mbox": "mailto:learner@example.org"}, "registration": REG, "ttl": 999_999}),
        json!({"actor": {"mbox": "mailto:learner@example.org"}, "registration": REG, "extra": 1}),
        json!([1]),
    ] {
        let r = mint(s, &launcher, &bad).await;
        assert_eq!(r.status(), 400, "{bad}");
        assert!(r.json::<Value>().await.unwrap()["error"].is_string());
    }
    let r = mint(s, &launcher, &body).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 7200);
    let token = v["auth-token"].as_str().unwrap().to_owned();

    // Writes: only the learner's own statements in the registration.
    let r = bearer(s, &token, Method::POST, "/xapi/statements")
        .json(&stmt("learner", Some(REG)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let own_id = r.json::<Vec<String>>().await.unwrap()[0].clone();
    for (actor, reg) in [("someone-else", Some(REG)), ("learner", None)] {
        let r =
            bearer(s, &token, Method::POST, "/xapi/statements").json(&stmt(actor, reg)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{actor} {reg:?}");
    }
    // Another registration of the same learner: only about the token's activity (what an earlier
    // launch left queued on the device), never about anything else, never for another learner.
    let earlier = bearer(s, &token, Method::POST, "/xapi/statements")
        .json(&stmt("learner", Some(OTHER_REG)))
        .send()
        .await
        .unwrap();
    assert_eq!(earlier.status(), 200);
    let mut parented = stmt("learner", Some(OTHER_REG));
    parented["object"]["id"] = json!("https://hearth.example/competencies/calm");
    parented["context"]["contextActivities"] = json!({"parent": [{"id": ACT}]});
    let r = bearer(s, &token, Method::POST, "/xapi/statements").json(&parented).send().await.unwrap();
    assert_eq!(r.status(), 200, "a statement whose parent is the activity");
    let mut unrelated = stmt("learner", Some(OTHER_REG));
    for object in ["https://hearth.example/m/other", "https://hearth.example/m/safety-two/q1"] {
        unrelated["object"]["id"] = json!(object);
        let r = bearer(s, &token, Method::POST, "/xapi/statements").json(&unrelated).send().await.unwrap();
        assert_eq!(r.status(), 403, "{object}");
    }
    let r = bearer(s, &token, Method::POST, "/xapi/statements")
        .json(&stmt("someone-else", Some(OTHER_REG)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let no_activity = json!({"actor": {"mbox": "mailto:learner@example.org"}, "registration": REG});
    let v: Value = mint(s, &launcher, &no_activity).await.json().await.unwrap();
    let r = bearer(s, v["auth-token"].as_str().unwrap(), Method::POST, "/xapi/statements")
        .json(&stmt("learner", Some(OTHER_REG)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a token without an activity stays in its registration");
    // A batch with one foreign statement is refused whole.
    let r = bearer(s, &token, Method::POST, "/xapi/statements")
        .json(&json!([stmt("learner", Some(REG)), stmt("other", Some(REG))]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // The authority is the credential that minted the token.
    let (_, got) = s.get_json(&format!("/xapi/statements?statementId={own_id}")).await;
    assert_eq!(got["authority"]["account"]["name"], launcher.0.as_str());

    // Reads: only that learner in that registration, whatever the query asks.
    let other_id = s.post(&stmt("other", Some(REG))).await.json::<Vec<String>>().await.unwrap()[0].clone();
    s.post(&stmt("learner", Some(OTHER_REG))).await;
    let r = bearer(s, &token, Method::GET, "/xapi/statements").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let ids: Vec<&str> =
        v["statements"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [own_id.as_str()]);
    let other_agent = q(&[("agent", r#"{"mbox":"mailto:other@example.org"}"#)]);
    for path in [
        format!("/xapi/statements?{other_agent}"),
        format!("/xapi/statements?registration={OTHER_REG}"),
        format!("/xapi/statements?statementId={other_id}"),
    ] {
        assert_eq!(bearer(s, &token, Method::GET, &path).send().await.unwrap().status(), 403, "{path}");
    }

    // State: the learner's, in the registration and activity; nothing else.
    let own_state =
        q(&[("activityId", ACT), ("agent", LEARNER), ("registration", REG), ("stateId", "bookmark")]);
    let r = bearer(s, &token, Method::PUT, &format!("/xapi/activities/state?{own_state}"))
        .json(&json!({"screen": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r =
        bearer(s, &token, Method::GET, &format!("/xapi/activities/state?{own_state}")).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"screen": 2}));
    for path in [
        format!(
            "/xapi/activities/state?{}",
            q(&[
                ("activityId", ACT),
                ("agent", r#"{"mbox":"mailto:other@example.org"}"#),
                ("registration", REG),
                ("stateId", "s")
            ])
        ),
        format!("/xapi/activities/state?{}", q(&[("activityId", ACT), ("agent", LEARNER), ("stateId", "s")])),
        format!(
            "/xapi/activities/state?{}",
            q(&[
                ("activityId", "https://hearth.example/other"),
                ("agent", LEARNER),
                ("registration", REG),
                ("stateId", "s")
            ])
        ),
        format!("/xapi/activities/profile?{}", q(&[("activityId", ACT), ("profileId", "p")])),
        format!("/xapi/agents/profile?{}", q(&[("agent", LEARNER), ("profileId", "p")])),
    ] {
        let r = bearer(s, &token, Method::PUT, &path).json(&json!({})).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    // cmi5 §11: the AU reads its learner's preferences; another learner's stay closed.
    let own =
        format!("/xapi/agents/profile?{}", q(&[("agent", LEARNER), ("profileId", "cmi5LearnerPreferences")]));
    assert_eq!(bearer(s, &token, Method::GET, &own).send().await.unwrap().status(), 404);
    let other = format!(
        "/xapi/agents/profile?{}",
        q(&[("agent", r#"{"mbox":"mailto:other@example.org"}"#), ("profileId", "cmi5LearnerPreferences")])
    );
    assert_eq!(bearer(s, &token, Method::GET, &other).send().await.unwrap().status(), 403);
    for path in [
        format!("/xapi/activities?{}", q(&[("activityId", ACT)])),
        format!("/xapi/agents?{}", q(&[("agent", LEARNER)])),
    ] {
        assert_eq!(bearer(s, &token, Method::GET, &path).send().await.unwrap().status(), 403, "{path}");
    }
    // A token cannot mint tokens.
    let r = s
        .client
        .post(format!("{}/xapi/launch-token", s.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // cmi5 content sends the auth-token as Basic.
    let r = s
        .client
        .get(format!("{}/xapi/statements", s.base))
        .header("Authorization", format!("Basic {token}"))
        .header("X-Experience-API-Version", V)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Unknown and tampered tokens are 401.
    let mut bad = token.clone();
    bad.replace_range(20..24, "AAAA");
    for t in [bad.as_str(), "aGVhcnRoLWxhdW5jaDp4", "not base64"] {
        let r = bearer(s, t, Method::GET, "/xapi/statements").send().await.unwrap();
        assert_eq!(r.status(), 401, "{t}");
    }

    // Another tenant's launcher cannot reach tenant a's data with its tokens.
    let b_launcher = s.credential("b", &["launch"]).await;
    let v: Value = mint(s, &b_launcher, &body).await.json().await.unwrap();
    let r =
        bearer(s, v["auth-token"].as_str().unwrap(), Method::GET, "/xapi/statements").send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["statements"], json!([]));
}

async fn launch_tokens_expire(s: &Srv) {
    let launcher = s.credential("a", &["launch"]).await;
    let body = json!({"actor": {"mbox": "mailto:learner@example.org"}, "registration": REG, "ttl": 1});
    let v: Value = mint(s, &launcher, &body).await.json().await.unwrap();
    assert_eq!(v["expires_in"], 1);
    let token = v["auth-token"].as_str().unwrap();
    assert_eq!(bearer(s, token, Method::GET, "/xapi/statements").send().await.unwrap().status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(bearer(s, token, Method::GET, "/xapi/statements").send().await.unwrap().status(), 401);
}

/// A package key: public, so it mints only for its origins, its LMS's accounts and its activities.
async fn package_keys_mint_within_their_rules(s: &Srv) {
    let tid = match s.store.tenant_id("a").await.unwrap() {
        Some(t) => t,
        None => s.store.add_tenant("a").await.unwrap(),
    };
    let rules = lrs::package::PackageKey {
        origins: vec!["https://lms.example.org".into()],
        home_page: "https://lms.example.org".into(),
        activity_prefix: "https://learning.example.org/hearth/".into(),
    };
    let (cred, _) = lrs::auth::new_credential(tid, &rules.scopes());
    s.store.add_credential(&cred).await.unwrap();
    let learner = json!({"account": {"homePage": "https://lms.example.org", "name": "s-1042"}});
    let body = |actor: &Value, activity: &str, key: &str| json!({"key": key, "actor": actor, "registration": REG, "activityId": activity});
    let ask = |origin: &'static str, body: Value| {
        s.client
            .post(format!("{}/xapi/launch-token/package", s.base))
            .header("origin", origin)
            .header("X-Experience-API-Version", V)
            .json(&body)
            .send()
    };
    let act = "https://learning.example.org/hearth/fc.tuesday-night";
    let good = body(&learner, act, &cred.key);
    // Every rule broken once: each a refusal with a reason.
    let mailbox = json!({"mbox": "mailto:someone@example.org"});
    let elsewhere = json!({"account": {"homePage": "https://other.example.org", "name": "s-1042"}});
    let ordinary = s.credential("a", &["all"]).await;
    for (origin, b, status, reason) in [
        ("https://evil.example", good.clone(), 403, "not for pages on `https://evil.example`"),
        ("https://lms.example.org", body(&mailbox, act, &cred.key), 403, "only for accounts on"),
        ("https://lms.example.org", body(&elsewhere, act, &cred.key), 403, "only for accounts on"),
        (
            "https://lms.example.org",
            body(&learner, "https://elsewhere.example/x", &cred.key),
            403,
            "only for activities under",
        ),
        ("https://lms.example.org", body(&learner, act, &ordinary.0), 403, "not a package key"),
        ("https://lms.example.org", body(&learner, act, "no-such-key"), 401, ""),
        (
            "https://lms.example.org",
            json!({"actor": learner, "registration": REG, "activityId": act}),
            400,
            "key is required",
        ),
    ] {
        let r = ask(origin, b.clone()).await.unwrap();
        assert_eq!(r.status(), status, "{b}");
        let e: Value = r.json().await.unwrap();
        assert!(e["error"].as_str().unwrap().contains(reason), "{e}");
    }
    // Within the rules: an ordinary launch token, confined to the learner and registration.
    let v: Value = ask("https://lms.example.org", good).await.unwrap().json().await.unwrap();
    let token = v["auth-token"].as_str().expect("a token");
    let mut st = json!({
        "actor": learner,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": act},
        "context": {"registration": REG},
    });
    assert_eq!(
        bearer(s, token, Method::POST, "/xapi/statements").json(&st).send().await.unwrap().status(),
        200
    );
    st["actor"]["account"]["name"] = json!("s-9999");
    assert_eq!(
        bearer(s, token, Method::POST, "/xapi/statements").json(&st).send().await.unwrap().status(),
        403
    );
    // The key itself is no credential: it has no secret anyone knows.
    let r = s
        .client
        .get(format!("{}/xapi/statements", s.base))
        .basic_auth(&cred.key, Some(""))
        .header("X-Experience-API-Version", V)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

crate::both!(launch_tokens_confine_a_learner, launch_tokens_expire, package_keys_mint_within_their_rules);
