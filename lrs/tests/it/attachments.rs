//! Statements with attachments: multipart/mixed requests and answers, signed statements.

use crate::harness::Srv;
use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const B: &str = "-------hearth-test-boundary";

fn sha(b: &[u8]) -> String {
    Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

fn stmt_with(atts: Value) -> Value {
    json!({"actor": {"mbox": "mailto:a@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {"id": "https://hearth.example/m"}, "attachments": atts})
}

fn att(body: &[u8], ct: &str, usage: &str) -> Value {
    json!({"usageType": usage, "display": {"en": "a"}, "contentType": ct, "length": body.len(), "sha2": sha(body)})
}

/// A multipart/mixed body: the JSON, then (headers, content) parts.
fn multipart(json: &Value, parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut m = format!("--{B}\r\nContent-Type: application/json\r\n\r\n{json}\r\n").into_bytes();
    for (headers, body) in parts {
        m.extend_from_slice(format!("--{B}\r\n{headers}\r\n\r\n").as_bytes());
        m.extend_from_slice(body);
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(format!("--{B}--\r\n").as_bytes());
    m
}

fn part_headers(ct: &str, body: &[u8]) -> String {
    format!("Content-Type: {ct}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {}", sha(body))
}

async fn post_raw(s: &Srv, ct: &str, body: Vec<u8>) -> (u16, Value) {
    let r =
        s.req(Method::POST, "/xapi/statements").header("Content-Type", ct).body(body).send().await.unwrap();
    let st = r.status().as_u16();
    (st, r.json().await.unwrap_or(Value::Null))
}

fn mixed() -> String {
    format!("multipart/mixed; boundary={B}")
}

async fn multipart_statements_round_trip(s: &Srv) {
    let (t1, t2) = (b"first attachment\n".as_slice(), b"second, binary \x00\xff".as_slice());
    let st = stmt_with(json!([
        att(t1, "text/plain", "http://x.example/u"),
        att(t2, "application/octet-stream", "http://x.example/u")
    ]));
    let body = multipart(
        &st,
        &[(&part_headers("text/plain", t1), t1), (&part_headers("application/octet-stream", t2), t2)],
    );
    let (code, ids) = post_raw(s, &mixed(), body).await;
    assert_eq!(code, 200, "{ids}");
    let id = ids[0].as_str().unwrap();
    // attachments=true: multipart/mixed, the statement first, then both contents with their hashes.
    let r = s
        .req(Method::GET, &format!("/xapi/statements?statementId={id}&attachments=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("multipart/mixed; boundary="), "{ct}");
    let boundary = ct.split("boundary=").nth(1).unwrap().to_owned();
    let raw = r.bytes().await.unwrap().to_vec();
    let text = String::from_utf8_lossy(&raw);
    let pieces: Vec<&str> = text.split(&format!("--{boundary}")).collect();
    assert_eq!(pieces.len(), 5, "{text}"); // preamble, json, two parts, closing
    let json_part = pieces[1].split("\r\n\r\n").nth(1).unwrap().trim_end();
    let v: Value = serde_json::from_str(json_part).unwrap();
    assert_eq!(v["id"], id);
    assert!(pieces[2].contains(&format!("X-Experience-API-Hash: {}", sha(t1))));
    assert!(pieces[2].contains("first attachment"));
    assert!(raw.windows(t2.len()).any(|w| w == t2), "binary content returned byte for byte");
    // Queries too; without the flag the answer is JSON.
    let r = s.req(Method::GET, "/xapi/statements?attachments=true").send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("multipart/mixed"));
    let r = s
        .req(Method::GET, &format!("/xapi/statements?statementId={id}&attachments=false"))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    // PUT takes multipart/mixed as well; a part may be shared with statements stored before.
    let put_id = "a6bc3a1f-a7bb-4b49-8c3a-3c4bd1b1a0b4";
    let body = multipart(
        &stmt_with(json!([att(t1, "text/plain", "http://x.example/u")])),
        &[(&part_headers("text/plain", t1), t1)],
    );
    let r = s
        .req(Method::PUT, &format!("/xapi/statements?statementId={put_id}"))
        .header("Content-Type", mixed())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    // multipart/mixed without attachments, and JSON whose attachments all have fileUrl, are fine.
    let (code, _) = post_raw(s, &mixed(), multipart(&stmt_with(json!([])), &[])).await;
    assert_eq!(code, 200);
    let mut remote = att(t1, "text/plain", "http://x.example/u");
    remote["fileUrl"] = json!("https://files.example/t1.txt");
    assert_eq!(s.post(&stmt_with(json!([remote]))).await.status(), 200);
}

async fn bad_multipart_requests_are_400(s: &Srv) {
    let t1 = b"first attachment\n".as_slice();
    let t3 = b"a third content\n".as_slice();
    let one = stmt_with(json!([att(t1, "text/plain", "http://x.example/u")]));
    let good_part = part_headers("text/plain", t1);
    let cases: Vec<(&str, String, Vec<u8>)> = vec![
        ("form-data", format!("multipart/form-data; boundary={B}"), multipart(&one, &[(&good_part, t1)])),
        ("no boundary parameter", "multipart/mixed".into(), multipart(&one, &[(&good_part, t1)])),
        (
            "boundary not in the body",
            "multipart/mixed; boundary=other".into(),
            multipart(&one, &[(&good_part, t1)]),
        ),
        ("missing content", mixed(), multipart(&one, &[])),
        ("excess part", mixed(), multipart(&one, &[(&good_part, t1), (&part_headers("text/plain", t3), t3)])),
        (
            "no hash header",
            mixed(),
            multipart(&one, &[("Content-Type: text/plain\r\nContent-Transfer-Encoding: binary", t1)]),
        ),
        (
            "hash does not match content",
            mixed(),
            multipart(
                &one,
                &[(
                    &format!(
                        "Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {}",
                        sha(t3)
                    ),
                    t1,
                )],
            ),
        ),
        (
            "base64 transfer encoding",
            mixed(),
            multipart(
                &one,
                &[(
                    &format!(
                        "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\nX-Experience-API-Hash: {}",
                        sha(t1)
                    ),
                    t1,
                )],
            ),
        ),
        ("first part not JSON", mixed(), {
            let mut m = multipart(&one, &[(&good_part, t1)]);
            let s = String::from_utf8(m.clone()).unwrap().replacen("application/json", "text/plain", 1);
            m = s.into_bytes();
            m
        }),
        ("text/plain body", "text/plain".into(), one.to_string().into_bytes()),
    ];
    for (what, ct, body) in cases {
        let (code, v) = post_raw(s, &ct, body).await;
        assert_eq!(code, 400, "{what}: {v}");
        assert!(v["error"].is_string(), "{what}: {v}");
    }
    // JSON alone cannot carry an attachment without fileUrl.
    let r = s.post(&one).await;
    assert_eq!(r.status(), 400);
    // Nothing of the refused requests was stored.
    let (_, v) = s.get_json("/xapi/statements").await;
    assert_eq!(v["statements"].as_array().unwrap().len(), 0, "{v}");
}

fn jws(alg: &str, payload: &Value) -> Vec<u8> {
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let h = b.encode(json!({"alg": alg}).to_string());
    let p = b.encode(payload.to_string());
    format!("{h}.{p}.{}", b.encode([7u8; 64])).into_bytes()
}

async fn signed_statements(s: &Srv) {
    const SIG: &str = "http://adlnet.gov/expapi/attachments/signature";
    let mut base = stmt_with(json!([]));
    base["result"] = json!({"duration": "PT1.2345S"});
    base.as_object_mut().unwrap().remove("attachments");
    let send = |alg: &str, payload: &Value, ct: &str| {
        let sig = jws(alg, payload);
        let mut st = base.clone();
        st["attachments"] = json!([att(&sig, ct, SIG)]);
        multipart(&st, &[(&part_headers(ct, &sig), &sig)])
    };
    for alg in ["RS256", "RS384", "RS512"] {
        let (code, v) = post_raw(s, &mixed(), send(alg, &base, "application/octet-stream")).await;
        assert_eq!(code, 200, "{alg}: {v}");
    }
    // The payload's duration may carry more precision than hundredths.
    let mut finer = base.clone();
    finer["result"]["duration"] = json!("PT1.23S");
    assert_eq!(post_raw(s, &mixed(), send("RS256", &finer, "application/octet-stream")).await.0, 200);
    let mut other = base.clone();
    other["verb"]["id"] = json!("http://x.example/other");
    for (what, body) in [
        ("HS256", send("HS256", &base, "application/octet-stream")),
        ("another statement", send("RS256", &other, "application/octet-stream")),
        ("not octet-stream", send("RS256", &base, "text/plain")),
    ] {
        let (code, v) = post_raw(s, &mixed(), body).await;
        assert_eq!(code, 400, "{what}: {v}");
    }
    // A JWS that is not one.
    let junk = b"not.a-jws".as_slice();
    let mut st = base.clone();
    st["attachments"] = json!([att(junk, "application/octet-stream", SIG)]);
    let (code, _) =
        post_raw(s, &mixed(), multipart(&st, &[(&part_headers("application/octet-stream", junk), junk)]))
            .await;
    assert_eq!(code, 400);
}

crate::both!(multipart_statements_round_trip, bad_multipart_requests_are_400, signed_statements);
