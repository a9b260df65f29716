//! The API's one error type and its table of codes and statuses.
//!
//! Every error body is `{"code": "...", "message": "...", "field": "..."}`. Bad input is a 4xx
//! naming the field; a 500 means a bug or a broken database, never bad input.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use leadline_core::FieldError;
use leadline_store::StoreError;

/// Which family an error belongs to; the family decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request could not be read: malformed JSON, a bad query string, a broken upload.
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    /// A unique value is taken, or the change contradicts the current state.
    Conflict,
    PayloadTooLarge,
    /// Well-formed input that is not valid: a wrong e-mail, an unknown stage, ...
    Invalid,
    RateLimited,
    /// The client took too long to send its request.
    Timeout,
    Internal,
}

impl Kind {
    pub fn status(self) -> StatusCode {
        match self {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Kind::Timeout => StatusCode::REQUEST_TIMEOUT,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub kind: Kind,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    /// The record that holds a value the request wanted (`identity_taken`).
    pub record_id: Option<String>,
}

impl ApiError {
    pub fn new(kind: Kind, code: &str, message: impl Into<String>) -> Self {
        Self { kind, code: code.into(), message: message.into(), field: None, record_id: None }
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(Kind::BadRequest, code, message)
    }

    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::new(Kind::Invalid, code, message).field(field)
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(Kind::NotFound, "not_found", format!("{what} {id} does not exist"))
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            Kind::Unauthenticated,
            "unauthenticated",
            "sign in, or send an API token as Authorization: Bearer <token>",
        )
    }

    pub fn forbidden(what: &str) -> Self {
        Self::new(Kind::Forbidden, "forbidden", format!("your role or token does not allow {what}"))
    }

    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self { kind: Kind::Invalid, code: e.code.into(), message: e.message, field: Some(e.field), record_id: None }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => Self::not_found(what, &id),
            StoreError::Conflict { code, field, message } => {
                Self { kind: Kind::Conflict, code: code.into(), message, field, record_id: None }
            }
            StoreError::Taken { field, message, holder } => Self {
                kind: Kind::Conflict,
                code: "identity_taken".into(),
                message,
                field: Some(field),
                record_id: Some(holder),
            },
            StoreError::Invalid(f) => f.into(),
            other => {
                tracing::error!(error = %other, "store failure");
                Self::new(Kind::Internal, "internal", "the server could not complete the request; it has been logged")
            }
        }
    }
}

impl From<ApiError> for ErrorBody {
    fn from(e: ApiError) -> Self {
        Self { code: e.code, message: e.message, field: e.field, record_id: e.record_id }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        (status, axum::Json(ErrorBody::from(self))).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The body of every error response.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid_email`, `not_found`, `identity_taken`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// The input field at fault, when there is one (`emails[1]`, `properties.budget`).
    pub field: Option<String>,
    /// The record that already holds the value asked for (`identity_taken`: the contact with
    /// that e-mail), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_status() {
        let table = [
            (Kind::BadRequest, 400),
            (Kind::Unauthenticated, 401),
            (Kind::Forbidden, 403),
            (Kind::NotFound, 404),
            (Kind::Conflict, 409),
            (Kind::PayloadTooLarge, 413),
            (Kind::Invalid, 422),
            (Kind::RateLimited, 429),
            (Kind::Internal, 500),
        ];
        for (k, s) in table {
            assert_eq!(k.status().as_u16(), s);
        }
    }
}
