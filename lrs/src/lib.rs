//! Hearth's xAPI learning record store.
//!
//! A library so the `hearth` CLI can offer `hearth lrs …` ([`Args`], [`run`]) and tests can drive
//! the router directly ([`app`]) or over real HTTP ([`serve`]). Storage is behind
//! [`store::Store`], with SQLite and PostgreSQL backends.

mod altsyntax;
mod attachments;
pub mod auth;
mod clock;
mod credcache;
mod doclock;
mod documents;
pub mod error;
mod ingest;
mod limit;
mod metrics;
pub mod ops;
pub mod package;
mod page;
mod resources;
mod statements;
pub mod store;
pub mod token;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::store::{SqlStore, Store};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use std::future::Future;
use std::sync::Arc;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer, ExposeHeaders};

/// Shared server state.
#[derive(Clone)]
pub struct AppState {
    /// The storage backend.
    pub store: Arc<dyn Store>,
    clock: Arc<clock::Clock>,
    pub(crate) metrics: Arc<metrics::Metrics>,
    pub(crate) doc_locks: Arc<doclock::DocLocks>,
    creds: Arc<credcache::CredCache>,
    /// The bytes statement pages may hold (set from [`ServeConfig`] by [`app_with_config`]).
    pub(crate) reads: Arc<page::ReadBudget>,
}

impl AppState {
    /// Wraps a store.
    pub fn new(store: Arc<dyn Store>) -> AppState {
        AppState {
            store,
            clock: Arc::new(clock::Clock::default()),
            metrics: Arc::default(),
            doc_locks: Arc::default(),
            creds: Arc::default(),
            reads: Arc::default(),
        }
    }

    /// Authenticates the request: Basic credentials, or a launch token (`Bearer <token>`, or
    /// `Basic <token>` as cmi5 content sends it). Handlers get the result through [`Authed`],
    /// which also applies the rate limit.
    async fn principal(&self, headers: &HeaderMap) -> Result<Principal, ApiError> {
        let h = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthorized)?;
        if let Some(secret) = token::parse_bearer(h) {
            return token::principal(self, &secret).await;
        }
        let (key, secret) = auth::parse_basic(h).ok_or(ApiError::Unauthorized)?;
        if key == token::TOKEN_USER {
            return token::principal(self, &secret).await;
        }
        let cred = match self.creds.get(&key) {
            Some(c) => c,
            None => {
                let c = self.store.credential(&key).await?.ok_or(ApiError::Unauthorized)?;
                self.creds.put(&c);
                c
            }
        };
        if !auth::verify(&cred, &secret) {
            return Err(ApiError::Unauthorized);
        }
        Ok(Principal::from_credential(&cred))
    }
}

/// The authenticated principal of a request, as an extractor. It reads only the headers, so a
/// handler that lists it before its body is answered 401 (or 429) without reading a byte of the
/// body: an unauthenticated client cannot make the server buffer or parse anything (one hostile
/// multipart body used to cost seconds of CPU before its credentials were even looked at).
///
/// The rate limit is applied here, after authentication, so that it is keyed by who the client
/// proved to be: requests with someone else's key and a wrong secret are charged to a separate
/// per-address budget of failures and never spend that key's budget.
pub(crate) struct Authed(pub(crate) Principal);

impl FromRequestParts<AppState> for Authed {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let limiter = parts.extensions.get::<Arc<limit::RateLimiter>>().cloned();
        match state.principal(&parts.headers).await {
            Ok(p) => {
                if let Some(refused) =
                    limiter.and_then(|l| l.charge(&limit::principal_bucket(&parts.headers, &p)))
                {
                    return Err(refused);
                }
                Ok(Authed(p))
            }
            Err(ApiError::Unauthorized) => {
                if let Some(refused) = limiter.and_then(|l| l.charge_failure(&limit::client_bucket(parts))) {
                    return Err(refused);
                }
                Err(ApiError::Unauthorized.into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The xAPI version the request was made under, set by the version middleware.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReqVersion(pub(crate) xapi::Version);

impl<S: Send + Sync> FromRequestParts<S> for ReqVersion {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<ReqVersion>()
            .copied()
            .ok_or_else(|| ApiError::BadRequest("X-Experience-API-Version is required".into()))
    }
}

/// Communication §3.3: every request except About carries `X-Experience-API-Version`; a missing or
/// unsupported one is a 400. Responses carry the version the LRS speaks.
async fn version_layer(mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    // The launch-token endpoint is not an xAPI resource: cmi5 content fetches it without the header.
    let exempt = matches!(path, "/health" | "/metrics" | "/xapi/about" | "/xapi/launch-token")
        || req.method() == Method::OPTIONS;
    let header = req.headers().get("x-experience-api-version").and_then(|v| v.to_str().ok());
    let version = match header.map(xapi::Version::from_header) {
        Some(Some(v)) => Some(v),
        Some(None) if !exempt => {
            let msg = format!("unsupported X-Experience-API-Version `{}`", header.unwrap_or(""));
            return with_version(ApiError::BadRequest(msg).into_response(), None);
        }
        None if !exempt => {
            let e = ApiError::BadRequest("X-Experience-API-Version is required".into());
            return with_version(e.into_response(), None);
        }
        _ => None,
    };
    if let Some(v) = version {
        req.extensions_mut().insert(ReqVersion(v));
    }
    with_version(next.run(req).await, version)
}

/// Every response, refusals included, says which version the LRS speaks (Communication §3.3):
/// the request's, or the newest this LRS implements when the request named none it knows.
pub(crate) fn with_version(mut resp: Response, version: Option<xapi::Version>) -> Response {
    resp.headers_mut().insert(
        "X-Experience-API-Version",
        HeaderValue::from_static(version.unwrap_or(xapi::Version::V2_0).as_header()),
    );
    resp
}

async fn about() -> Json<serde_json::Value> {
    Json(serde_json::json!({"version": ["1.0.3", "2.0.0"], "extensions": {}}))
}

async fn health(State(_): State<AppState>) -> impl IntoResponse {
    (StatusCode::OK, "ok")
}

/// Body limit of `POST /xapi/launch-token/package`, which is read before any authentication.
const PACKAGE_BODY_LIMIT: usize = 16 * 1024;

/// Default request body limit (bytes).
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The HTTP API with the default settings.
pub fn app(state: AppState) -> Router {
    app_with_config(state, &ServeConfig::default())
}

/// The HTTP API with given settings.
pub fn app_with_config(mut state: AppState, config: &ServeConfig) -> Router {
    state.reads = Arc::new(page::ReadBudget::new(config.page_bytes, config.body_limit, config.read_memory));
    // Browser clients call from other origins (the player, cmi5 AUs): allow any origin, the xAPI
    // headers, and expose the ones clients read.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::HEAD,
            Method::OPTIONS,
        ])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(ExposeHeaders::list([
            "x-experience-api-version".parse().expect("static header"),
            "x-experience-api-consistent-through".parse().expect("static header"),
            "etag".parse().expect("static header"),
            "last-modified".parse().expect("static header"),
        ]))
        .allow_credentials(true);
    let mut router = Router::new()
        .route("/xapi/statements", get(statements::get).put(statements::put).post(statements::post))
        .route("/xapi/activities/state", any(documents::state_doc))
        .route("/xapi/activities/profile", any(documents::activity_profile))
        .route("/xapi/agents/profile", any(documents::agent_profile))
        .route("/xapi/activities", get(resources::activity))
        .route("/xapi/agents", get(resources::agent))
        .route("/xapi/about", get(about))
        .route("/health", get(health))
        .route("/metrics", get(metrics::handler))
        .route("/xapi/launch-token", axum::routing::post(token::mint))
        // The one route that reads a body without credentials (a package key is public and
        // travels in the body): a token request is a few hundred bytes.
        .route(
            "/xapi/launch-token/package",
            axum::routing::post(package::mint).layer(DefaultBodyLimit::max(PACKAGE_BODY_LIMIT)),
        )
        .layer(axum::Extension(Arc::new(config.clone())))
        .layer(DefaultBodyLimit::max(config.body_limit));
    // Layers run outside-in in the reverse order of these calls: metrics see every answer
    // (including 429s and timeouts), the timeout bounds the handler. The rate limit is applied
    // after authentication, by the `Authed` extractor.
    router = router.layer(middleware::from_fn_with_state(config.timeout, limit::timeout));
    if config.rate_limit > 0.0 {
        let limiter = Arc::new(limit::RateLimiter::new(config.rate_limit, config.rate_burst));
        router = router.layer(axum::Extension(limiter));
    }
    let api = router
        .layer(middleware::from_fn(version_layer))
        .layer(middleware::from_fn(limit::json_errors))
        .layer(middleware::from_fn_with_state(state.metrics.clone(), metrics::track))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(tower_http::trace::DefaultMakeSpan::new().level(tracing::Level::INFO))
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(cors)
        .with_state(state);
    // The alternate request syntax changes the method and the URL, so it runs before routing.
    Router::new()
        .fallback_service(api)
        .layer(middleware::from_fn_with_state(config.body_limit, altsyntax::layer))
        .layer(middleware::from_fn(limit::head_limits))
}

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Maximum request body in bytes.
    pub body_limit: usize,
    /// A request not answered within this gets 503.
    pub timeout: std::time::Duration,
    /// Requests per second per credential (0: no limit).
    pub rate_limit: f64,
    /// Requests a credential may make at once before the rate applies.
    pub rate_burst: f64,
    /// Lifetime of launch tokens (also the most a minting request may ask for).
    pub token_ttl: std::time::Duration,
    /// Bytes of statement JSON in one page of `GET /xapi/statements` (the first statement of a
    /// page always goes in); the rest is behind `more`.
    pub page_bytes: usize,
    /// Bytes of statement JSON all pages being read and sent may hold together; queries wait
    /// for room beyond it.
    pub read_memory: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            body_limit: DEFAULT_BODY_LIMIT,
            timeout: std::time::Duration::from_secs(30),
            rate_limit: 0.0,
            rate_burst: 100.0,
            token_ttl: std::time::Duration::from_secs(2 * 3600),
            page_bytes: page::DEFAULT_PAGE_BYTES,
            read_memory: page::DEFAULT_READ_MEMORY,
        }
    }
}

/// Serves the API on `listener` until `shutdown` resolves.
pub async fn serve(
    state: AppState,
    config: ServeConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tokio::spawn(refresh_statistics(state.clone()));
    // The peer address keys the budget of failed authentications (see `Authed`).
    let app = app_with_config(state, &config).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// How often a running server looks whether bulk writes left the planner's statistics stale.
const STATISTICS_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// Every few seconds, hands the store the number of statements stored since its statistics were
/// last refreshed (see [`Store::refresh_statistics`]). Ends with the server (the state's last
/// other owner).
async fn refresh_statistics(state: AppState) {
    let mut done = 0u64;
    loop {
        tokio::time::sleep(STATISTICS_CHECK).await;
        if Arc::strong_count(&state.metrics) == 1 {
            return;
        }
        let stored = state.metrics.statements.get();
        match state.store.refresh_statistics(stored.saturating_sub(done)).await {
            Ok(true) => done = stored,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "refreshing planner statistics failed"),
        }
    }
}

/// A random (version 4) UUID.
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source failed");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// `hearth lrs …`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Getting started:
  hearth lrs tenant add north
  hearth lrs credential add --tenant north --scope all        # prints key and secret once
  hearth lrs credential add --tenant north --scope launch     # for the LMS: mints launch tokens
  hearth lrs serve --listen 127.0.0.1:8300                    # xAPI endpoint /xapi/

Browser packages get a short-lived launch token (POST /xapi/launch-token), never a secret.
Operations: `hearth lrs backup --out copy.db` (online), `export`/`import` (NDJSON), GET /health,
GET /metrics (Prometheus). PostgreSQL: --database postgres://user@host:5432/db (back up with
pg_dump). Details: docs/lrs.md.")]
pub struct Args {
    /// Database: a SQLite file (`sqlite:hearth-lrs.db`) or `postgres://user@host/db` (a schema:
    /// append `?options=-csearch_path%3Dname`).
    #[arg(long, global = true, default_value = "sqlite:hearth-lrs.db")]
    pub database: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `hearth lrs` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the LRS (endpoint http://LISTEN/xapi/, plus /health and /metrics).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8300")]
        listen: String,
        /// Maximum request body in bytes (larger: 413).
        #[arg(long, default_value_t = DEFAULT_BODY_LIMIT)]
        body_limit: usize,
        /// Seconds before an unanswered request gets 503.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Requests per second per credential or launch token; more get 429 with Retry-After
        /// (0: no limit).
        #[arg(long, default_value_t = 0.0)]
        rate_limit: f64,
        /// Requests a credential may make in a burst before --rate-limit applies.
        #[arg(long, default_value_t = 100.0)]
        rate_burst: f64,
        /// Lifetime of launch tokens in seconds (POST /xapi/launch-token may ask for less).
        #[arg(long, default_value_t = 7200)]
        token_ttl: u64,
        /// Bytes of statement JSON in one page of GET /xapi/statements (the rest is behind `more`).
        #[arg(long, default_value_t = page::DEFAULT_PAGE_BYTES)]
        page_bytes: usize,
        /// Bytes of statement JSON all pages being read may hold together (queries wait beyond).
        #[arg(long, default_value_t = page::DEFAULT_READ_MEMORY)]
        read_memory: usize,
        /// Log format on standard error (level from RUST_LOG, default info: one line per request).
        #[arg(long, value_enum, default_value_t = ops::LogFormat::Text)]
        log_format: ops::LogFormat,
    },
    /// Copy a SQLite database to FILE while the server runs (PostgreSQL: use pg_dump).
    Backup {
        /// The copy to write; must not exist.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Write a tenant's statements to standard output, one JSON object per line, as stored.
    Export {
        /// Tenant name.
        #[arg(long)]
        tenant: String,
    },
    /// Read statements written by `export` (keeping id, stored and authority) into a tenant,
    /// creating it if needed; statements already there are skipped, so re-importing is safe.
    Import {
        /// Tenant name.
        #[arg(long)]
        tenant: String,
        /// NDJSON file (`-` for standard input).
        file: std::path::PathBuf,
    },
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage credentials.
    #[command(subcommand)]
    Credential(CredentialCommand),
}

/// `hearth lrs tenant …`
#[derive(Debug, clap::Subcommand)]
pub enum TenantCommand {
    /// Create a tenant.
    Add {
        /// Tenant name.
        name: String,
    },
}

/// `hearth lrs credential …`
#[derive(Debug, clap::Subcommand)]
pub enum CredentialCommand {
    /// Create a key/secret pair for a tenant; the secret is printed once and stored only hashed.
    Add {
        /// Tenant name.
        #[arg(long)]
        tenant: String,
        /// xAPI scope (repeatable): statements/write, statements/read, statements/read/mine,
        /// state, all/read, all; `launch` (may mint launch tokens); or `package` alone (a public
        /// package key for SCORM packages: needs --origin and --activity-prefix).
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// With `--scope package`: the LMS's address (`https://lms.example.org`), repeatable.
        #[arg(long = "origin")]
        origins: Vec<String>,
        /// With `--scope package`: the learners' `account.homePage` (default: the first origin).
        #[arg(long)]
        home_page: Option<String>,
        /// With `--scope package`: activity ids must start with this (`hearth build --iri-base`).
        #[arg(long)]
        activity_prefix: Option<String>,
    },
}

/// Runs a `hearth lrs` command.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let store = SqlStore::open(&args.database, None).await?;
    match args.command {
        Command::Serve {
            listen,
            body_limit,
            timeout,
            rate_limit,
            rate_burst,
            token_ttl,
            page_bytes,
            read_memory,
            log_format,
        } => {
            ops::init_logs(log_format);
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            eprintln!("hearth lrs: listening on http://{}/xapi/", listener.local_addr()?);
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            let config = ServeConfig {
                body_limit,
                timeout: std::time::Duration::from_secs(timeout.max(1)),
                rate_limit,
                rate_burst,
                token_ttl: std::time::Duration::from_secs(token_ttl.max(1)),
                page_bytes,
                read_memory,
            };
            serve(AppState::new(store), config, listener, shutdown).await?;
        }
        Command::Backup { out } => {
            ops::backup(&store, &out).await?;
            eprintln!("hearth lrs: wrote {}", out.display());
        }
        Command::Export { tenant } => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            let n = ops::export(&store, &tenant, &mut w).await?;
            eprintln!("hearth lrs: exported {n} statements");
        }
        Command::Import { tenant, file } => {
            let mut input: Box<dyn std::io::BufRead> = if file.as_os_str() == "-" {
                Box::new(std::io::BufReader::new(std::io::stdin()))
            } else {
                Box::new(std::io::BufReader::new(std::fs::File::open(&file)?))
            };
            let r = ops::import(&store, &tenant, &mut input).await?;
            // The planner's statistics do not know about what was just loaded (see `analyze`).
            store.analyze().await?;
            eprintln!("hearth lrs: imported {} statements (already stored ones skipped)", r.statements);
        }
        Command::Tenant(TenantCommand::Add { name }) => {
            let id = store.add_tenant(&name).await?;
            println!("tenant {name} (id {id})");
        }
        Command::Credential(CredentialCommand::Add {
            tenant,
            scopes,
            origins,
            home_page,
            activity_prefix,
        }) => {
            let tid =
                store.tenant_id(&tenant).await?.ok_or_else(|| anyhow::anyhow!("no tenant named {tenant}"))?;
            if scopes.iter().any(|s| s == package::SCOPE) {
                if scopes.len() > 1 {
                    anyhow::bail!("`--scope package` makes a public package key and goes alone");
                }
                let rules = package::PackageKey {
                    home_page: home_page.or_else(|| origins.first().cloned()).unwrap_or_default(),
                    origins,
                    activity_prefix: activity_prefix
                        .ok_or_else(|| anyhow::anyhow!("a package key needs --activity-prefix"))?,
                };
                rules.validate().map_err(anyhow::Error::msg)?;
                let (cred, _secret) = auth::new_credential(tid, &rules.scopes());
                store.add_credential(&cred).await?;
                println!(
                    "package key: {}\n(public: it goes into SCORM packages with `hearth build --lrs <endpoint> --lrs-key {0}`; \
                     it only mints launch tokens for pages on {} and activities under {})",
                    cred.key,
                    rules.origins.join(", "),
                    rules.activity_prefix
                );
                return Ok(());
            }
            if !origins.is_empty() || home_page.is_some() || activity_prefix.is_some() {
                anyhow::bail!("--origin, --home-page and --activity-prefix are for `--scope package`");
            }
            if let Some(bad) = scopes.iter().find(|s| !auth::SCOPES.contains(&s.as_str())) {
                anyhow::bail!("unknown scope `{bad}` (known: {}, package)", auth::SCOPES.join(", "));
            }
            let (cred, secret) = auth::new_credential(tid, &scopes);
            store.add_credential(&cred).await?;
            println!("key:    {}\nsecret: {secret}\n(the secret is not stored; keep it now)", cred.key);
        }
    }
    Ok(())
}
