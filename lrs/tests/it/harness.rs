//! Test servers for both backends.

use lrs::store::{SqlStore, Store};
use lrs::{AppState, ServeConfig};
use reqwest::{Client, RequestBuilder};
use serde_json::Value;
use sqlx::Connection;
use std::sync::Arc;

pub(crate) const V: &str = "1.0.3";

pub(crate) struct Srv {
    pub(crate) base: String,
    pub(crate) client: Client,
    pub(crate) store: Arc<SqlStore>,
    /// key, secret of an `all` credential in tenant "a".
    pub(crate) cred: (String, String),
    pg_schema: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

fn pg_url() -> String {
    std::env::var("HEARTH_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

impl Srv {
    pub(crate) async fn sqlite() -> Srv {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("lrs.db").display());
        let store = SqlStore::open(&url, None).await.unwrap();
        Srv::start(store, Some(dir), None).await
    }

    /// None (after printing why) when PostgreSQL is not reachable and CI is not set.
    pub(crate) async fn postgres() -> Option<Srv> {
        sqlx::any::install_default_drivers();
        let url = pg_url();
        let mut conn = match sqlx::AnyConnection::connect(&url).await {
            Ok(c) => c,
            Err(e) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("PostgreSQL not reachable at {url} and CI=true: {e}");
                }
                eprintln!("skipped: PostgreSQL not reachable at {url} ({e})");
                return None;
            }
        };
        let schema = format!("hearth_t_{}", lrs::auth::new_credential(0, &[]).0.key);
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut conn)
            .await
            .unwrap();
        let store = SqlStore::open(&url, Some(schema.clone())).await.unwrap();
        Some(Srv::start(store, None, Some((url, schema))).await)
    }

    async fn start(
        store: Arc<SqlStore>,
        dir: Option<tempfile::TempDir>,
        pg: Option<(String, String)>,
    ) -> Srv {
        let tid = store.add_tenant("a").await.unwrap();
        let (cred, secret) = lrs::auth::new_credential(tid, &["all".into()]);
        store.add_credential(&cred).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = AppState::new(store.clone());
        tokio::spawn(lrs::serve(
            state,
            ServeConfig { body_limit: 64 * 1024, ..Default::default() },
            listener,
            async {
                let _ = rx.await;
            },
        ));
        Srv {
            base,
            client: Client::new(),
            store,
            cred: (cred.key, secret),
            pg_schema: pg,
            _dir: dir,
            stop: Some(tx),
        }
    }

    /// A new credential in `tenant` (created if needed) with `scopes`.
    pub(crate) async fn credential(&self, tenant: &str, scopes: &[&str]) -> (String, String) {
        let tid = match self.store.tenant_id(tenant).await.unwrap() {
            Some(t) => t,
            None => self.store.add_tenant(tenant).await.unwrap(),
        };
        let (c, s) =
            lrs::auth::new_credential(tid, &scopes.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        self.store.add_credential(&c).await.unwrap();
        (c.key, s)
    }

    pub(crate) fn req(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.req_as(&self.cred, method, path)
    }

    pub(crate) fn req_as(
        &self,
        cred: &(String, String),
        method: reqwest::Method,
        path: &str,
    ) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&cred.0, Some(&cred.1))
            .header("X-Experience-API-Version", V)
    }

    pub(crate) async fn post(&self, body: &Value) -> reqwest::Response {
        self.req(reqwest::Method::POST, "/xapi/statements").json(body).send().await.unwrap()
    }

    pub(crate) async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.req(reqwest::Method::GET, path).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Runs SQL on the server's database behind its back (to break it on purpose).
    pub(crate) async fn sql(&self, sql: &str) {
        let mut conn = self.connect().await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(&mut conn).await.unwrap();
    }

    /// One number from the server's database.
    pub(crate) async fn sql_f64(&self, sql: &str) -> f64 {
        let mut conn = self.connect().await;
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut conn).await.unwrap()
    }

    /// The `--database` URL of this server's database (PostgreSQL: its schema in the URL).
    pub(crate) fn database_url(&self) -> String {
        match (&self.pg_schema, &self._dir) {
            (Some((url, schema)), _) => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}options=-csearch_path%3D{schema}")
            }
            (None, Some(dir)) => format!("sqlite:{}", dir.path().join("lrs.db").display()),
            (None, None) => unreachable!("every test server has a database"),
        }
    }

    async fn connect(&self) -> sqlx::AnyConnection {
        match (&self.pg_schema, &self._dir) {
            (Some((url, schema)), _) => {
                let mut c = sqlx::AnyConnection::connect(url).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET search_path TO {schema}")))
                    .execute(&mut c)
                    .await
                    .unwrap();
                c
            }
            (None, Some(dir)) => {
                sqlx::AnyConnection::connect(&format!("sqlite:{}", dir.path().join("lrs.db").display()))
                    .await
                    .unwrap()
            }
            (None, None) => unreachable!("every test server has a database"),
        }
    }

    pub(crate) async fn finish(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some((url, schema)) = self.pg_schema.take() {
            let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

/// Declares one test per backend for an `async fn(&Srv)`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let s = $crate::harness::Srv::sqlite().await;
                    super::$name(&s).await;
                    s.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(s) = $crate::harness::Srv::postgres().await else { return };
                    super::$name(&s).await;
                    s.finish().await;
                }
            )*
        }
    };
}
