//! Statements with attachments (Communication §1.5.2, Data §2.4.11, §2.6): `multipart/mixed`
//! request bodies — the statements as the first part, then one part per attachment content with
//! `X-Experience-API-Hash` and `Content-Transfer-Encoding: binary` — signed statements, and
//! `multipart/mixed` answers to `GET …?attachments=true`.

use crate::error::ApiError;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The usageType of a statement signature (Data §2.6).
pub(crate) const SIGNATURE: &str = "http://adlnet.gov/expapi/attachments/signature";

/// One attachment content from a request (or to go into an answer).
pub(crate) type Part = crate::store::Attachment;

fn bad(m: impl Into<String>) -> ApiError {
    ApiError::BadRequest(m.into())
}

pub(crate) fn sha256_hex(b: &[u8]) -> String {
    Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
}

/// The media type of a Content-Type value, lower case, without parameters.
pub(crate) fn media_type(ct: &str) -> String {
    ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// RFC 2046 §5.1.1: a boundary is 1 to 70 characters from a small set, not ending in a space.
pub(crate) const MAX_BOUNDARY: usize = 70;

/// The `boundary` parameter of a multipart Content-Type, checked against RFC 2046: a longer or
/// stranger one is refused before the body is looked at (a 300 kB boundary once made each
/// search for it cost seconds).
fn boundary(ct: &str) -> Result<String, ApiError> {
    let b = ct
        .split(';')
        .skip(1)
        .find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_owned())
        })
        .ok_or_else(|| bad("multipart/mixed needs a boundary parameter"))?;
    if b.is_empty() || b.len() > MAX_BOUNDARY {
        return Err(bad(format!(
            "the multipart boundary must be 1 to {MAX_BOUNDARY} characters (RFC 2046), not {}",
            b.len()
        )));
    }
    let bchar = |c: char| c.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(c);
    if !b.chars().all(bchar) || b.ends_with(' ') {
        return Err(bad("the multipart boundary has characters RFC 2046 does not allow"));
    }
    Ok(b)
}

fn header<'a>(h: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Reads a `multipart/mixed` statements request: the JSON of the first part, and the
/// attachment parts, each checked against its `X-Experience-API-Hash`. Parsing is `multer`'s
/// (linear in the body: its boundary search is memchr's two-way `memmem`).
pub(crate) async fn parse(ct: &str, body: axum::body::Bytes) -> Result<(Value, Vec<Part>), ApiError> {
    let b = boundary(ct)?;
    let malformed = |e: multer::Error| bad(format!("the multipart body is malformed: {e}"));
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut mp = multer::Multipart::new(stream, b);
    let first =
        mp.next_field().await.map_err(malformed)?.ok_or_else(|| bad("the multipart body has no parts"))?;
    if header(first.headers(), "content-type").map(media_type).as_deref() != Some("application/json") {
        return Err(bad("the first part of a multipart/mixed request must be application/json statements"));
    }
    let first = first.bytes().await.map_err(malformed)?;
    let json: Value =
        serde_json::from_slice(&first).map_err(|e| bad(format!("the first part is not valid JSON: {e}")))?;
    let mut out: Vec<Part> = Vec::new();
    let mut n = 1;
    while let Some(field) = mp.next_field().await.map_err(malformed)? {
        n += 1;
        let h = field.headers();
        let hash = header(h, "x-experience-api-hash")
            .ok_or_else(|| bad(format!("part {n} has no X-Experience-API-Hash header")))?
            .to_ascii_lowercase();
        if !header(h, "content-transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("binary")) {
            return Err(bad(format!("part {n} must have Content-Transfer-Encoding: binary")));
        }
        let content_type = header(h, "content-type").unwrap_or("application/octet-stream").to_owned();
        let b = field.bytes().await.map_err(malformed)?;
        if sha256_hex(&b) != hash {
            return Err(bad(format!("part {n}: X-Experience-API-Hash is not the SHA-256 of its content")));
        }
        if !out.iter().any(|p| p.sha2 == hash) {
            out.push(Part { sha2: hash, content_type, body: b.to_vec() });
        }
    }
    Ok((json, out))
}

fn attachments_of(s: &Value) -> impl Iterator<Item = &Value> {
    s.get("attachments").and_then(Value::as_array).into_iter().flatten()
}

/// Checks the statements against the parts sent with them: every attachment without `fileUrl`
/// has its part, every part belongs to an attachment, and signatures are well formed. Returns
/// the parts to store.
pub(crate) fn check(statements: &[Value], parts: Vec<Part>) -> Result<Vec<Part>, ApiError> {
    let mut used = vec![false; parts.len()];
    for s in statements {
        for a in attachments_of(s) {
            let sha2 = a.get("sha2").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
            let found = parts.iter().position(|p| p.sha2 == sha2);
            match found {
                Some(i) => used[i] = true,
                None if a.get("fileUrl").is_some() => {}
                None => {
                    return Err(bad(format!(
                        "attachment {sha2} has no fileUrl and no multipart/mixed part with its content"
                    )));
                }
            }
            if a.get("usageType").and_then(Value::as_str) == Some(SIGNATURE) {
                let Some(i) = found else {
                    return Err(bad("a signature attachment must be sent as a part"));
                };
                if media_type(a.get("contentType").and_then(Value::as_str).unwrap_or_default())
                    != "application/octet-stream"
                {
                    return Err(bad("a signature attachment's contentType must be application/octet-stream"));
                }
                check_signature(s, &parts[i].body)?;
            }
        }
    }
    if used.iter().any(|u| !u) {
        return Err(bad("a multipart/mixed part matches no attachment of the statements"));
    }
    Ok(parts)
}

/// Data §2.6: the signature is a JWS (compact serialisation) with alg RS256, RS384 or RS512 whose
/// payload is the statement as it was signed (compared as for the immutability rule, so without
/// its attachments, id, authority, stored, timestamp and version). The RSA signature itself is not
/// verified: the LRS cannot know whose key should have made it.
fn check_signature(stmt: &Value, jws: &[u8]) -> Result<(), ApiError> {
    let jws = std::str::from_utf8(jws).map_err(|_| bad("the signature is not a JWS"))?.trim();
    let segs: Vec<&str> = jws.split('.').collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let [h, p, sig] = segs.as_slice() else { return Err(bad("the signature is not a JWS (three parts)")) };
    let decode =
        |x: &str| b64.decode(x.trim_end_matches('=')).map_err(|_| bad("the signature is not base64url"));
    let header: Value =
        serde_json::from_slice(&decode(h)?).map_err(|_| bad("the signature's JWS header is not JSON"))?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    if !matches!(alg, "RS256" | "RS384" | "RS512") {
        return Err(bad(format!("the signature's algorithm `{alg}` is not RS256, RS384 or RS512")));
    }
    if decode(sig)?.is_empty() {
        return Err(bad("the signature is empty"));
    }
    let payload: Value = serde_json::from_slice(&decode(p)?)
        .map_err(|_| bad("the signature's payload is not a JSON statement"))?;
    if !xapi::statements_equivalent(&payload, stmt) {
        return Err(bad("the signature's payload is not this statement"));
    }
    Ok(())
}

/// `statements` of a JSON-only request: an attachment without `fileUrl` needs a part, which only
/// a multipart/mixed request can carry.
pub(crate) fn check_json_only(statements: &[Value]) -> Result<(), ApiError> {
    check(statements, Vec::new()).map(|_| ())
}

/// The sha2 of every attachment of `statements` (for `attachments=true`).
pub(crate) fn hashes(statements: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in statements {
        for a in attachments_of(s) {
            if let Some(h) = a.get("sha2").and_then(Value::as_str)
                && !out.iter().any(|x| x == h)
            {
                out.push(h.to_owned());
            }
        }
    }
    out
}

/// A `multipart/mixed` answer: the JSON, then each attachment part.
pub(crate) fn render(json: &Value, parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = format!("hearth-{}", crate::uuid_v4());
    let mut b = Vec::new();
    b.extend_from_slice(format!("--{boundary}\r\nContent-Type: application/json\r\n\r\n").as_bytes());
    b.extend_from_slice(json.to_string().as_bytes());
    for p in parts {
        b.extend_from_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Type: {}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {}\r\n\r\n",
                p.content_type, p.sha2
            )
            .as_bytes(),
        );
        b.extend_from_slice(&p.body);
    }
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/mixed; boundary={boundary}"), b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> (String, Vec<u8>) {
        let content = b"some content\r\n--not-the-boundary\r\n";
        let st = serde_json::json!({"actor": {"mbox": "mailto:a@b.c"}, "verb": {"id": "http://x.example/v"},
            "object": {"id": "http://x.example/a"}});
        let mut b = format!("--BB\r\nContent-Type: application/json\r\n\r\n{st}\r\n--BB\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {}\r\n\r\n", sha256_hex(content)).into_bytes();
        b.extend_from_slice(content);
        b.extend_from_slice(b"\r\n--BB--\r\n");
        ("multipart/mixed; boundary=BB".into(), b)
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    fn parse_sync(ct: &str, b: &[u8]) -> Result<(Value, Vec<Part>), ApiError> {
        run(parse(ct, axum::body::Bytes::copy_from_slice(b)))
    }

    #[test]
    fn parses_parts_whose_content_looks_like_a_boundary() {
        let (ct, b) = body();
        let (json, parts) = parse_sync(&ct, &b).unwrap();
        assert!(json.is_object());
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].body, b"some content\r\n--not-the-boundary\r\n");
        assert_eq!(parts[0].content_type, "text/plain");
    }

    #[test]
    fn every_truncation_or_corruption_is_an_error_not_a_panic() {
        let (ct, b) = body();
        for n in 0..b.len() {
            // Truncated bodies are refused (a few cut only the trailing CRLF, which is allowed).
            let _ = parse_sync(&ct, &b[..n]);
            let mut c = b.clone();
            c[n] = b'-';
            let _ = parse_sync(&ct, &c);
            c[n] = b'\r';
            let _ = parse_sync(&ct, &c);
        }
        assert!(parse_sync(&ct, &b[..b.len() - 12]).is_err());
        assert!(parse_sync("multipart/mixed; boundary=", &b).is_err());
        assert!(parse_sync("multipart/mixed; boundary=\"BB\"", &b).is_ok());
    }

    #[test]
    fn boundaries_follow_rfc_2046() {
        let ok = "a".repeat(70);
        assert_eq!(boundary(&format!("multipart/mixed; boundary={ok}")).unwrap(), ok);
        assert!(boundary("multipart/mixed; boundary=\"gc0p4Jq0M2Yt08j34c0p'()+_,-./:=?\"").is_ok());
        for bad in ["a".repeat(71), "a b ".into(), "a\u{7f}b".into(), "é".into()] {
            let e = boundary(&format!("multipart/mixed; boundary=\"{bad}\""));
            assert!(e.is_err(), "{bad:?}");
        }
    }
}
