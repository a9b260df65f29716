//! Activities (touchpoints): the append-only timeline of every interaction.

use crate::error::{FieldError, Invalid};

/// Activity types Leadline itself knows; integrations may add their own `x_...` types.
pub const KNOWN_TYPES: &[&str] = &[
    "page_view",
    "form_submission",
    "email_sent",
    "email_opened",
    "email_clicked",
    "email_bounced",
    "unsubscribed",
    "chat_message",
    "call",
    "meeting",
    "note",
    "task",
    "product_event",
    "purchase",
    "support_ticket",
    "import",
    // Written by tracking: an anonymous visitor turned out to be this contact.
    "identified",
    // Written by the engine.
    "stage_changed",
    "score_changed",
    "segment_entered",
    "segment_left",
    "lead_assigned",
];

/// Check an activity type: a known one, or a custom one starting with `x_`.
pub fn activity_type(raw: &str) -> Invalid<String> {
    let t = raw.trim();
    let well_formed = !t.is_empty()
        && t.len() <= 64
        && t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
    if well_formed && (KNOWN_TYPES.contains(&t) || t.starts_with("x_")) {
        Ok(t.to_owned())
    } else {
        Err(FieldError::new(
            "type",
            "invalid_activity_type",
            format!(
                "{raw:?} is not an activity type: use one of {} or a custom type starting with x_",
                KNOWN_TYPES.join(", ")
            ),
        ))
    }
}

/// How a call ended.
pub const CALL_OUTCOMES: &[&str] = &["connected", "left_voicemail", "no_answer", "busy", "wrong_number"];

pub fn call_outcome(raw: &str) -> Invalid<String> {
    let k = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    if CALL_OUTCOMES.contains(&k.as_str()) {
        Ok(k)
    } else {
        Err(FieldError::new(
            "outcome",
            "invalid_outcome",
            format!("{raw:?} is not one of {}", CALL_OUTCOMES.join(", ")),
        ))
    }
}

/// Check an idempotency key: the same key twice stores one activity.
pub fn idempotency_key(raw: &str) -> Invalid<String> {
    let k = raw.trim();
    if k.is_empty() || k.len() > 200 || k.chars().any(char::is_control) {
        return Err(FieldError::new(
            "idempotency_key",
            "invalid_idempotency_key",
            "an idempotency key is 1-200 printable characters",
        ));
    }
    Ok(k.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types() {
        assert!(activity_type("page_view").is_ok());
        assert!(activity_type("x_webinar_attended").is_ok());
        assert_eq!(activity_type("Page View").unwrap_err().field, "type");
        assert!(activity_type("webinar").is_err());
        assert_eq!(call_outcome("Left voicemail").unwrap(), "left_voicemail");
    }
}
