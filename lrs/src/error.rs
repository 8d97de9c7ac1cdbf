//! HTTP errors. Every client mistake is a 4xx with a JSON body that says why; a 500 only for a
//! storage failure.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 with a reason.
    #[error("{0}")]
    BadRequest(String),
    /// 400 with the validator's list.
    #[error("invalid statement")]
    Invalid(Vec<xapi::ValidationError>),
    /// 401.
    #[error("authentication required")]
    Unauthorized,
    /// 403.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("not found")]
    NotFound,
    /// 409.
    #[error("{0}")]
    Conflict(String),
    /// 412.
    #[error("precondition failed")]
    PreconditionFailed,
    /// 500.
    #[error("storage failure")]
    Store(#[from] crate::store::StoreError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, serde_json::json!({"error": m})),
            ApiError::Invalid(errs) => (
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": "invalid statement", "details":
                    errs.iter().map(|e| serde_json::json!({"path": e.path, "message": e.message})).collect::<Vec<_>>()}),
            ),
            ApiError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, serde_json::json!({"error": "authentication required"}))
            }
            ApiError::Forbidden(m) => (StatusCode::FORBIDDEN, serde_json::json!({"error": m})),
            ApiError::NotFound => (StatusCode::NOT_FOUND, serde_json::json!({"error": "not found"})),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, serde_json::json!({"error": m})),
            ApiError::PreconditionFailed => (
                StatusCode::PRECONDITION_FAILED,
                serde_json::json!({"error": "the document's ETag does not match"}),
            ),
            ApiError::Store(crate::store::StoreError::Conflict(id)) => (
                StatusCode::CONFLICT,
                serde_json::json!({"error": format!("statement {id} already exists with different content")}),
            ),
            ApiError::Store(e) => {
                // The database's own words (table names, SQL, paths) are for the operator's log,
                // never for the client.
                tracing::error!(error = %e, "storage failure");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    serde_json::json!({"error": "the LRS could not complete the request (storage failure; the server log has the details)"}),
                )
            }
        };
        let mut r = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert("WWW-Authenticate", axum::http::HeaderValue::from_static("Basic realm=\"xAPI\""));
        }
        r
    }
}
