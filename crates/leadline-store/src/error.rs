//! The store's one error type.

use leadline_core::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    /// A unique value is already taken, or the write contradicts the current state.
    #[error("{message}")]
    Conflict { code: &'static str, field: Option<String>, message: String },
    /// An e-mail or external id that another contact holds (`holder`).
    #[error("{message}")]
    Taken { field: String, message: String, holder: String },
    /// Input that passed the edge but not the store's own checks (a reference to nothing, ...).
    #[error("{0}")]
    Invalid(FieldError),
    #[error("the database URL is not usable: {0}")]
    Config(String),
    #[error("database error: {0}")]
    Backend(#[from] sqlx::Error),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound { what, id: id.into() }
    }

    pub fn conflict(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict { code, field: Some(field.into()), message: message.into() }
    }
}

impl From<FieldError> for StoreError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(e.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
