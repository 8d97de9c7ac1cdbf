//! An xAPI client: statements (with `more` paging), state documents with ETags, activity and
//! agent profiles, about. Used natively (the CLI, forwarding, tests) and in the browser.
//!
//! The HTTP itself is behind [`Transport`], so the browser can use a small `fetch` transport
//! while native code uses reqwest ([`ReqwestTransport`], feature `reqwest`): reqwest in the
//! player would cost about 93 KB of compressed WebAssembly (docs/size.md).

use serde_json::Value;

/// One HTTP request, as the client builds it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// One HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Sends requests. Implementations report only failures to get any answer; HTTP error statuses
/// are answers, and the client turns them into [`XapiError`]s.
#[allow(async_fn_in_trait)] // Used through generics only; the browser transport is not `Send`.
pub trait Transport {
    async fn send(&self, request: Request) -> Result<Response, String>;
}

/// How the client proves who it is.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A key and secret (server-side use only: never ship a secret to a browser).
    Basic { key: String, secret: String },
    /// A launch token (`Authorization: Bearer …`).
    Bearer(String),
    /// A ready-made header value: cmi5's fetched `auth-token` goes as `Basic <token>`.
    Header(String),
}

impl Auth {
    fn header(&self) -> String {
        match self {
            Auth::Basic { key, secret } => format!("Basic {}", base64(format!("{key}:{secret}").as_bytes())),
            Auth::Bearer(t) => format!("Bearer {t}"),
            Auth::Header(h) => h.clone(),
        }
    }
}

/// What went wrong, with the LRS's own reason where it gave one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum XapiError {
    #[error("cannot reach the LRS: {0}")]
    Transport(String),
    #[error("the LRS refused the credentials (HTTP {status})")]
    Unauthorized { status: u16 },
    #[error("the document changed since it was read (HTTP 412)")]
    PreconditionFailed,
    #[error("conflict (HTTP 409): {0}")]
    Conflict(String),
    #[error("the LRS answered HTTP {status}: {reason}")]
    Status { status: u16, reason: String },
    #[error("the LRS's answer is not what xAPI says: {0}")]
    BadAnswer(String),
}

/// A page of statements.
#[derive(Debug, Clone)]
pub struct StatementPage {
    pub statements: Vec<Value>,
    /// The relative `more` URL, if there are more.
    pub more: Option<String>,
}

/// A stored document and its ETag.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub body: Vec<u8>,
    pub content_type: String,
    pub etag: Option<String>,
}

/// A write's concurrency condition (xAPI Communication §3.1).
#[derive(Debug, Clone)]
pub enum Precondition {
    None,
    /// Only if the document still has this ETag.
    IfMatch(String),
    /// Only if there is no document yet.
    IfNoneMatch,
}

/// Which document resource.
#[derive(Debug, Clone)]
pub enum DocumentKey<'a> {
    State { activity_id: &'a str, agent: &'a Value, registration: Option<&'a str>, state_id: &'a str },
    ActivityProfile { activity_id: &'a str, profile_id: &'a str },
    AgentProfile { agent: &'a Value, profile_id: &'a str },
}

impl DocumentKey<'_> {
    fn path_and_query(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            DocumentKey::State { activity_id, agent, registration, state_id } => {
                let mut q = vec![
                    ("activityId", activity_id.to_string()),
                    ("agent", agent.to_string()),
                    ("stateId", state_id.to_string()),
                ];
                if let Some(r) = registration {
                    q.push(("registration", r.to_string()));
                }
                ("activities/state", q)
            }
            DocumentKey::ActivityProfile { activity_id, profile_id } => (
                "activities/profile",
                vec![("activityId", activity_id.to_string()), ("profileId", profile_id.to_string())],
            ),
            DocumentKey::AgentProfile { agent, profile_id } => {
                ("agents/profile", vec![("agent", agent.to_string()), ("profileId", profile_id.to_string())])
            }
        }
    }
}

/// An xAPI 1.0.3 client for one endpoint.
pub struct XapiClient<T> {
    transport: T,
    /// The endpoint, ending in `/` (`https://lrs.example/xapi/`).
    endpoint: String,
    auth: Auth,
}

impl<T: Transport> XapiClient<T> {
    pub fn new(transport: T, endpoint: &str, auth: Auth) -> XapiClient<T> {
        let endpoint = if endpoint.ends_with('/') { endpoint.to_string() } else { format!("{endpoint}/") };
        XapiClient { transport, endpoint, auth }
    }

    /// Stores statements; returns their ids in order.
    pub async fn post_statements(&self, statements: &[Value]) -> Result<Vec<String>, XapiError> {
        let body = serde_json::to_vec(statements).map_err(|e| XapiError::BadAnswer(e.to_string()))?;
        let r = self.call("POST", self.url("statements", &[]), Some(json_body(body))).await?;
        let ids: Value = parse(&r.body)?;
        ids.as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .ok_or_else(|| XapiError::BadAnswer("POST statements did not return an array of ids".into()))
    }

    /// Stores statements already serialised as a JSON array, without reading the answer (the
    /// browser queue: it needs no JSON parser for this).
    pub async fn post_raw(&self, array: Vec<u8>) -> Result<(), XapiError> {
        self.call("POST", self.url("statements", &[]), Some(json_body(array))).await.map(|_| ())
    }

    /// Stores one serialised statement under its id.
    pub async fn put_raw(&self, id: &str, statement: Vec<u8>) -> Result<(), XapiError> {
        let url = self.url("statements", &[("statementId", id.to_string())]);
        self.call("PUT", url, Some(json_body(statement))).await.map(|_| ())
    }

    /// Stores one statement under its id (a repeat of the same statement is accepted).
    pub async fn put_statement(&self, statement: &Value) -> Result<(), XapiError> {
        let id = statement["id"]
            .as_str()
            .ok_or_else(|| XapiError::BadAnswer("a statement to PUT needs an id".into()))?;
        let body = serde_json::to_vec(statement).map_err(|e| XapiError::BadAnswer(e.to_string()))?;
        self.call("PUT", self.url("statements", &[("statementId", id.to_string())]), Some(json_body(body)))
            .await?;
        Ok(())
    }

    /// One page of statements matching `query` (xAPI's GET parameters).
    pub async fn get_statements(&self, query: &[(&str, String)]) -> Result<StatementPage, XapiError> {
        let r = self.call("GET", self.url("statements", query), None).await?;
        page(&r)
    }

    /// The page a `more` URL points to.
    pub async fn more(&self, more: &str) -> Result<StatementPage, XapiError> {
        let r = self.call("GET", self.resolve(more), None).await?;
        page(&r)
    }

    /// Every statement matching `query`, following `more` to the end.
    pub async fn all_statements(&self, query: &[(&str, String)]) -> Result<Vec<Value>, XapiError> {
        let mut p = self.get_statements(query).await?;
        let mut all = std::mem::take(&mut p.statements);
        while let Some(more) = p.more.take() {
            p = self.more(&more).await?;
            all.append(&mut p.statements);
        }
        Ok(all)
    }

    /// One statement by id (`None` if the LRS has no such statement).
    pub async fn statement(&self, id: &str) -> Result<Option<Value>, XapiError> {
        match self.call("GET", self.url("statements", &[("statementId", id.to_string())]), None).await {
            Ok(r) => Ok(Some(parse(&r.body)?)),
            Err(XapiError::Status { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A document, or `None` when there is none.
    pub async fn document(&self, key: &DocumentKey<'_>) -> Result<Option<Document>, XapiError> {
        let (path, q) = key.path_and_query();
        match self.call("GET", self.url(path, &q), None).await {
            Ok(r) => Ok(Some(Document {
                content_type: r.header("content-type").unwrap_or("application/octet-stream").to_string(),
                etag: r.header("etag").map(String::from),
                body: r.body,
            })),
            Err(XapiError::Status { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The ids of the documents stored under `key`'s activity, agent and registration (or agent,
    /// or activity), whatever its own id: a GET without one (Communication §2.2/§2.3), answered
    /// with a JSON array, returned as it came (the player parses it with the browser's parser).
    /// Asking this first spares a 404, which a browser logs as an error, for a document that
    /// may not exist.
    pub async fn document_ids_raw(&self, key: &DocumentKey<'_>) -> Result<Vec<u8>, XapiError> {
        let (path, mut q) = key.path_and_query();
        q.retain(|(k, _)| *k != "stateId" && *k != "profileId");
        Ok(self.call("GET", self.url(path, &q), None).await?.body)
    }

    /// Replaces a document (PUT).
    pub async fn put_document(
        &self,
        key: &DocumentKey<'_>,
        body: &[u8],
        content_type: &str,
        when: Precondition,
    ) -> Result<(), XapiError> {
        self.write_document("PUT", key, body, content_type, when).await
    }

    /// Merges a JSON document into the stored one (POST).
    pub async fn merge_document(&self, key: &DocumentKey<'_>, body: &Value) -> Result<(), XapiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| XapiError::BadAnswer(e.to_string()))?;
        self.write_document("POST", key, &bytes, "application/json", Precondition::None).await
    }

    pub async fn delete_document(&self, key: &DocumentKey<'_>, when: Precondition) -> Result<(), XapiError> {
        let (path, q) = key.path_and_query();
        let mut req = self.request("DELETE", self.url(path, &q), None);
        precondition(&mut req, when);
        self.send(req).await.map(|_| ())
    }

    /// `GET /about`: the versions the LRS speaks.
    pub async fn about(&self) -> Result<Value, XapiError> {
        let r = self.call("GET", self.url("about", &[]), None).await?;
        parse(&r.body)
    }

    async fn write_document(
        &self,
        method: &'static str,
        key: &DocumentKey<'_>,
        body: &[u8],
        content_type: &str,
        when: Precondition,
    ) -> Result<(), XapiError> {
        let (path, q) = key.path_and_query();
        let mut req =
            self.request(method, self.url(path, &q), Some((body.to_vec(), content_type.to_string())));
        precondition(&mut req, when);
        self.send(req).await.map(|_| ())
    }

    fn url(&self, resource: &str, query: &[(&str, String)]) -> String {
        if query.is_empty() {
            return format!("{}{resource}", self.endpoint);
        }
        let q: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(query).finish();
        format!("{}{resource}?{q}", self.endpoint)
    }

    /// A `more` URL is relative to the LRS's origin (or absolute).
    fn resolve(&self, more: &str) -> String {
        if more.starts_with("http://") || more.starts_with("https://") {
            return more.to_string();
        }
        let origin_end = self.endpoint.find("://").map_or(0, |i| i + 3);
        let origin = match self.endpoint[origin_end..].find('/') {
            Some(i) => &self.endpoint[..origin_end + i],
            None => self.endpoint.trim_end_matches('/'),
        };
        format!("{origin}{more}")
    }

    fn request(&self, method: &'static str, url: String, body: Option<(Vec<u8>, String)>) -> Request {
        let mut headers = vec![
            ("X-Experience-API-Version".to_string(), "1.0.3".to_string()),
            ("Authorization".to_string(), self.auth.header()),
        ];
        let body = body.map(|(bytes, ct)| {
            headers.push(("Content-Type".to_string(), ct));
            bytes
        });
        Request { method, url, headers, body }
    }

    async fn call(
        &self,
        method: &'static str,
        url: String,
        body: Option<(Vec<u8>, String)>,
    ) -> Result<Response, XapiError> {
        self.send(self.request(method, url, body)).await
    }

    async fn send(&self, req: Request) -> Result<Response, XapiError> {
        let r = self.transport.send(req).await.map_err(XapiError::Transport)?;
        match r.status {
            200..=299 => Ok(r),
            401 | 403 => Err(XapiError::Unauthorized { status: r.status }),
            409 => Err(XapiError::Conflict(reason(&r))),
            412 => Err(XapiError::PreconditionFailed),
            status => Err(XapiError::Status { status, reason: reason(&r) }),
        }
    }
}

fn json_body(bytes: Vec<u8>) -> (Vec<u8>, String) {
    (bytes, "application/json".to_string())
}

fn precondition(req: &mut Request, when: Precondition) {
    match when {
        Precondition::None => {}
        Precondition::IfMatch(etag) => req.headers.push(("If-Match".into(), etag)),
        Precondition::IfNoneMatch => req.headers.push(("If-None-Match".into(), "*".into())),
    }
}

fn parse(body: &[u8]) -> Result<Value, XapiError> {
    serde_json::from_slice(body).map_err(|e| XapiError::BadAnswer(format!("not JSON: {e}")))
}

fn page(r: &Response) -> Result<StatementPage, XapiError> {
    let v = parse(&r.body)?;
    let statements = v["statements"]
        .as_array()
        .cloned()
        .ok_or_else(|| XapiError::BadAnswer("a StatementResult has `statements`".into()))?;
    let more = v["more"].as_str().filter(|m| !m.is_empty()).map(String::from);
    Ok(StatementPage { statements, more })
}

/// The LRS's reason, as it wrote it (Hearth's LRS: JSON with the error and each detail's path):
/// kept as text, so the browser needs no JSON parser to report it.
fn reason(r: &Response) -> String {
    String::from_utf8_lossy(&r.body).chars().take(1000).collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// reqwest as the transport: natively, and in the browser when size does not matter.
#[cfg(feature = "reqwest")]
pub struct ReqwestTransport(pub reqwest::Client);

#[cfg(feature = "reqwest")]
impl Transport for ReqwestTransport {
    async fn send(&self, request: Request) -> Result<Response, String> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|e| e.to_string())?;
        let mut b = self.0.request(method, &request.url);
        for (k, v) in &request.headers {
            b = b.header(k, v);
        }
        if let Some(body) = request.body {
            b = b.body(body);
        }
        let r = b.send().await.map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = r.bytes().await.map_err(|e| e.to_string())?.to_vec();
        Ok(Response { status, headers, body })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc_4648() {
        for (raw, enc) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(super::base64(raw.as_bytes()), enc);
        }
    }
}
