//! Hearth's xAPI learning record store.
//!
//! A library so the `hearth` CLI can offer `hearth lrs …` ([`Args`], [`run`]) and tests can drive
//! the router directly ([`app`]) or over real HTTP ([`serve`]). Storage is behind
//! [`store::Store`], with SQLite and PostgreSQL backends.

pub mod auth;
mod clock;
mod documents;
pub mod error;
mod resources;
mod statements;
pub mod store;

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
}

impl AppState {
    /// Wraps a store.
    pub fn new(store: Arc<dyn Store>) -> AppState {
        AppState { store, clock: Arc::new(clock::Clock::default()) }
    }

    /// Authenticates the request's Basic credentials.
    pub(crate) async fn principal(&self, headers: &HeaderMap) -> Result<Principal, ApiError> {
        let h = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthorized)?;
        let (key, secret) = auth::parse_basic(h).ok_or(ApiError::Unauthorized)?;
        let cred = self.store.credential(&key).await?.ok_or(ApiError::Unauthorized)?;
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
    let exempt = path == "/health" || path == "/xapi/about" || req.method() == Method::OPTIONS;
    let header = req.headers().get("x-experience-api-version").and_then(|v| v.to_str().ok());
    let version = match header.map(xapi::Version::from_header) {
        Some(Some(v)) => Some(v),
        Some(None) if !exempt => {
            return ApiError::BadRequest(format!(
                "unsupported X-Experience-API-Version `{}`",
                header.unwrap_or("")
            ))
            .into_response();
        }
        None if !exempt => {
            return ApiError::BadRequest("X-Experience-API-Version is required".into()).into_response();
        }
        _ => None,
    };
    if let Some(v) = version {
        req.extensions_mut().insert(ReqVersion(v));
    }
    let mut resp = next.run(req).await;
    resp.headers_mut().insert(
        "X-Experience-API-Version",
        HeaderValue::from_static(version.unwrap_or(xapi::Version::V1_0).as_header()),
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

/// The HTTP API.
pub fn app(state: AppState) -> Router {
    app_with_limit(state, DEFAULT_BODY_LIMIT)
}

/// The HTTP API with a given body size limit.
pub fn app_with_limit(state: AppState, body_limit: usize) -> Router {
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
    Router::new()
        .route("/xapi/statements", get(statements::get).put(statements::put).post(statements::post))
        .route("/xapi/activities/state", any(documents::state_doc))
        .route("/xapi/activities/profile", any(documents::activity_profile))
        .route("/xapi/agents/profile", any(documents::agent_profile))
        .route("/xapi/activities", get(resources::activity))
        .route("/xapi/agents", get(resources::agent))
        .route("/xapi/about", get(about))
        .route("/health", get(health))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn(version_layer))
        .layer(cors)
        .with_state(state)
}

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Maximum request body in bytes.
    pub body_limit: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig { body_limit: DEFAULT_BODY_LIMIT }
    }
}

/// Serves the API on `listener` until `shutdown` resolves.
pub async fn serve(
    state: AppState,
    config: ServeConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app_with_limit(state, config.body_limit)).with_graceful_shutdown(shutdown).await
}

/// A random (version 4) UUID.
pub(crate) fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source failed");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// `hearth lrs …`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Database: a SQLite file (`sqlite:hearth-lrs.db`) or `postgres://user@host/db`.
    #[arg(long, global = true, default_value = "sqlite:hearth-lrs.db")]
    pub database: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `hearth lrs` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the LRS.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8300")]
        listen: String,
        /// Maximum request body in bytes.
        #[arg(long, default_value_t = DEFAULT_BODY_LIMIT)]
        body_limit: usize,
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
        /// state, all/read, all.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
    },
}

/// Runs a `hearth lrs` command.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let store = SqlStore::open(&args.database, None).await?;
    match args.command {
        Command::Serve { listen, body_limit } => {
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            eprintln!("hearth lrs: listening on http://{}/xapi/", listener.local_addr()?);
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            serve(AppState::new(store), ServeConfig { body_limit }, listener, shutdown).await?;
        }
        Command::Tenant(TenantCommand::Add { name }) => {
            let id = store.add_tenant(&name).await?;
            println!("tenant {name} (id {id})");
        }
        Command::Credential(CredentialCommand::Add { tenant, scopes }) => {
            if let Some(bad) = scopes.iter().find(|s| !auth::SCOPES.contains(&s.as_str())) {
                anyhow::bail!("unknown scope `{bad}` (known: {})", auth::SCOPES.join(", "));
            }
            let tid =
                store.tenant_id(&tenant).await?.ok_or_else(|| anyhow::anyhow!("no tenant named {tenant}"))?;
            let (cred, secret) = auth::new_credential(tid, &scopes);
            store.add_credential(&cred).await?;
            println!("key:    {}\nsecret: {secret}\n(the secret is not stored; keep it now)", cred.key);
        }
    }
    Ok(())
}
