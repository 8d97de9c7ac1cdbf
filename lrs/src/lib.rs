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
        }
    }

    /// Authenticates the request: Basic credentials, or a launch token (`Bearer <token>`, or
    /// `Basic <token>` as cmi5 content sends it).
    pub(crate) async fn principal(&self, headers: &HeaderMap) -> Result<Principal, ApiError> {
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

/// Default request body limit (bytes).
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The HTTP API with the default settings.
pub fn app(state: AppState) -> Router {
    app_with_config(state, &ServeConfig::default())
}

/// The HTTP API with given settings.
pub fn app_with_config(state: AppState, config: &ServeConfig) -> Router {
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
        .route("/xapi/launch-token/package", axum::routing::post(package::mint))
        .layer(axum::Extension(Arc::new(config.clone())))
        .layer(DefaultBodyLimit::max(config.body_limit));
    // Layers run outside-in in the reverse order of these calls: metrics see every answer
    // (including 429s and timeouts), the rate limit runs before any work, the timeout bounds the
    // handler.
    router = router.layer(middleware::from_fn_with_state(config.timeout, limit::timeout));
    if config.rate_limit > 0.0 {
        let limiter = Arc::new(limit::RateLimiter::new(config.rate_limit, config.rate_burst));
        router = router.layer(middleware::from_fn_with_state(limiter, limit::rate_limit));
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
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            body_limit: DEFAULT_BODY_LIMIT,
            timeout: std::time::Duration::from_secs(30),
            rate_limit: 0.0,
            rate_burst: 100.0,
            token_ttl: std::time::Duration::from_secs(2 * 3600),
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
    axum::serve(listener, app_with_config(state, &config)).with_graceful_shutdown(shutdown).await
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
        Command::Serve { listen, body_limit, timeout, rate_limit, rate_burst, token_ttl, log_format } => {
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
