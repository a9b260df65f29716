//! Webhooks: which events there are, who is subscribed to what, and when a failed delivery
//! is tried again. Signing and sending are the server's.

use crate::Millis;

/// The events a subscription can name (`contact.*` names every `contact.` event, `*` all).
pub const EVENT_TYPES: &[&str] = &[
    "contact.created",
    "contact.updated",
    "contact.identified",
    "company.created",
    "company.updated",
    "deal.created",
    "deal.updated",
    "deal.won",
    "deal.lost",
    "stage.changed",
    "score.changed",
    "segment.entered",
    "segment.left",
    "lead.assigned",
    "form.submitted",
    "activity.created",
];

/// The event an activity of the log is.
pub fn event_of_activity(kind: &str) -> &'static str {
    match kind {
        "stage_changed" => "stage.changed",
        "score_changed" => "score.changed",
        "segment_entered" => "segment.entered",
        "segment_left" => "segment.left",
        "lead_assigned" => "lead.assigned",
        "form_submission" => "form.submitted",
        "identified" => "contact.identified",
        _ => "activity.created",
    }
}

/// Whether a subscription to `patterns` receives `event`.
pub fn subscribed(patterns: &[String], event: &str) -> bool {
    patterns.iter().any(|p| {
        p == "*"
            || p == event
            || p.strip_suffix(".*").is_some_and(|prefix| event.strip_prefix(prefix).is_some_and(|r| r.starts_with('.')))
    })
}

/// Whether a pattern names events that exist.
pub fn valid_pattern(p: &str) -> bool {
    p == "*"
        || EVENT_TYPES.contains(&p)
        || p.strip_suffix(".*").is_some_and(|prefix| EVENT_TYPES.iter().any(|e| e.starts_with(&format!("{prefix}."))))
}

/// How long after its `attempts`-th failed attempt a delivery is tried again: 5 seconds, 5
/// minutes, 30 minutes, 2, 5, 10 and 10 hours; `None` after the eighth: it has failed.
pub fn retry_after(attempts: u32) -> Option<Millis> {
    const SCHEDULE: [Millis; 7] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
    SCHEDULE.get(attempts.checked_sub(1)? as usize).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_match_events_and_prefixes() {
        let subs = vec!["contact.*".to_owned(), "deal.won".to_owned()];
        assert!(subscribed(&subs, "contact.created") && subscribed(&subs, "deal.won"));
        assert!(!subscribed(&subs, "deal.lost") && !subscribed(&subs, "contactx.created"));
        assert!(subscribed(&["*".to_owned()], "form.submitted"));
        assert!(valid_pattern("segment.*") && valid_pattern("form.submitted") && !valid_pattern("form.sent"));
        assert_eq!(event_of_activity("form_submission"), "form.submitted");
        assert_eq!(event_of_activity("call"), "activity.created");
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_after(0), None);
        assert_eq!(retry_after(1), Some(5_000));
        assert_eq!(retry_after(2), Some(300_000));
        assert_eq!(retry_after(7), Some(36_000_000));
        assert_eq!(retry_after(8), None);
    }
}
