//! Validation errors: what was wrong, and with which field.

use std::fmt;

/// One problem with one field of an input record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field as the API names it, e.g. `emails[1]` or `properties.budget`.
    pub field: String,
    /// A stable machine-readable code, e.g. `invalid_email`.
    pub code: &'static str,
    /// A sentence for a person.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// Shorthand for results of validation.
pub type Invalid<T> = Result<T, FieldError>;

/// Longest text a single field may hold, in bytes. Bigger is a client bug or an attack.
pub const MAX_FIELD_BYTES: usize = 10_000;

/// Trim, NFC-normalise and bound a free-text field. Empty becomes `None`.
pub fn clean_text(field: &str, value: &str) -> Invalid<Option<String>> {
    let trimmed = value.trim();
    if trimmed.len() > MAX_FIELD_BYTES {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("{field} is {} bytes; at most {MAX_FIELD_BYTES} are allowed", trimmed.len()),
        ));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(FieldError::new(field, "control_character", format!("{field} contains a control character")));
    }
    if trimmed.is_empty() {
        return Ok(None);
    }
    Ok(Some(crate::text::nfc(trimmed)))
}
