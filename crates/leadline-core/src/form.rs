//! Forms: what a form asks, whether a submission answers it, and what to ask someone already
//! known (progressive profiling). The wire and the page are the server's.

use crate::error::{FieldError, Invalid};

/// How a field is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Text,
    Email,
    Phone,
    Textarea,
    Select,
    Checkbox,
}

impl InputKind {
    pub const ALL: [InputKind; 6] =
        [Self::Text, Self::Email, Self::Phone, Self::Textarea, Self::Select, Self::Checkbox];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Textarea => "textarea",
            Self::Select => "select",
            Self::Checkbox => "checkbox",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One field of a form: the contact field (`first_name`), custom property
/// (`properties.budget`) or `email`/`phone` it fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    pub target: String,
    pub label: String,
    pub kind: InputKind,
    pub required: bool,
    /// The choices of a select.
    pub options: Vec<String>,
    /// Asked only of someone whose contact lacks it, in place of a field they already answered
    /// (progressive profiling).
    pub progressive: bool,
}

/// The most fields a form has, and the longest answer taken.
pub const MAX_FIELDS: usize = 30;
pub const MAX_ANSWER: usize = 5_000;

/// Check what a submission answered: each field's answer trimmed, required ones present,
/// e-mails shaped as e-mails, choices among the options, nothing over `MAX_ANSWER`. Fields not
/// asked (`asked` false: progressive profiling left them out) are not required. Returns the
/// answers given, in the form's order, or every problem found.
pub fn check_answers<'a>(
    fields: &'a [FormField],
    asked: impl Fn(&FormField) -> bool,
    answer: impl Fn(&str) -> Option<&'a str>,
) -> Result<Vec<(&'a FormField, String)>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for f in fields.iter().filter(|f| asked(f)) {
        let given = answer(&f.target).map(str::trim).filter(|v| !v.is_empty());
        let Some(v) = given else {
            if f.required {
                problems.push(FieldError::new(&f.target, "required", format!("{} is required", f.label)));
            }
            continue;
        };
        if v.len() > MAX_ANSWER {
            problems.push(FieldError::new(&f.target, "too_long", format!("{} is too long", f.label)));
            continue;
        }
        let checked: Invalid<String> = match f.kind {
            InputKind::Email => crate::email::Email::parse(&f.target, v).map(|e| e.as_str().to_owned()),
            InputKind::Select if !f.options.iter().any(|o| o == v) => {
                Err(FieldError::new(&f.target, "invalid_choice", format!("{v:?} is not one of the choices")))
            }
            InputKind::Checkbox => Ok(if matches!(v, "on" | "true" | "1" | "yes") { "true" } else { "false" }.into()),
            _ => Ok(crate::text::nfc(v)),
        };
        match checked {
            Ok(v) => out.push((f, v)),
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// What to ask someone: every field they have not answered yet, with progressive fields
/// standing in for answered ones. A stranger (`known` is false for everything) is asked the
/// form's regular fields; someone known is not asked again what their contact already says,
/// and is asked as many progressive questions as that saved, so the form stays as long.
pub fn fields_to_ask(fields: &[FormField], known: impl Fn(&str) -> bool) -> Vec<&FormField> {
    let regular: Vec<&FormField> = fields.iter().filter(|f| !f.progressive).collect();
    // The e-mail is always asked: it says who is submitting.
    let keep = |f: &&FormField| f.kind == InputKind::Email || !known(&f.target);
    let mut ask: Vec<&FormField> = regular.iter().copied().filter(keep).collect();
    let saved = regular.len() - ask.len();
    ask.extend(fields.iter().filter(|f| f.progressive && !known(&f.target)).take(saved));
    ask
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn field(target: &str, kind: InputKind, required: bool, progressive: bool) -> FormField {
        FormField { target: target.into(), label: target.into(), kind, required, options: vec![], progressive }
    }

    fn demo() -> Vec<FormField> {
        vec![
            field("email", InputKind::Email, true, false),
            field("first_name", InputKind::Text, true, false),
            field("company_name", InputKind::Text, false, false),
            field("job_title", InputKind::Text, false, true),
            field("properties.budget", InputKind::Select, false, true),
        ]
    }

    #[test]
    fn answers_are_checked_each_with_its_problem() {
        let mut f = demo();
        f[4].options = vec!["<10k".into(), "10k+".into()];
        let answers = [("email", " Ola@Example.PL "), ("first_name", "Ola"), ("properties.budget", "10k+")];
        let get = |k: &str| answers.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        let ok = check_answers(&f, |_| true, get).unwrap();
        assert_eq!(
            ok.iter().map(|(f, v)| (f.target.as_str(), v.as_str())).collect::<Vec<_>>(),
            vec![("email", "ola@example.pl"), ("first_name", "Ola"), ("properties.budget", "10k+")]
        );
        let bad = [("email", "not an email"), ("properties.budget", "1M")];
        let get = |k: &str| bad.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        let problems = check_answers(&f, |_| true, get).unwrap_err();
        let codes: Vec<(&str, &str)> = problems.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            vec![("email", "invalid_email"), ("first_name", "required"), ("properties.budget", "invalid_choice")]
        );
        // A required field not asked is not required.
        let get = |k: &str| (k == "email").then_some("a@b.pl");
        assert!(check_answers(&f, |f| f.target != "first_name", get).is_ok());
    }

    #[test]
    fn known_people_are_asked_what_is_not_known() {
        let f = demo();
        let stranger: Vec<&str> = fields_to_ask(&f, |_| false).iter().map(|f| f.target.as_str()).collect();
        assert_eq!(stranger, vec!["email", "first_name", "company_name"]);
        let known = |t: &str| matches!(t, "email" | "first_name" | "company_name");
        let again: Vec<&str> = fields_to_ask(&f, known).iter().map(|f| f.target.as_str()).collect();
        assert_eq!(again, vec!["email", "job_title", "properties.budget"]);
    }

    proptest! {
        /// Progressive profiling never asks what is known (but the e-mail), never asks more
        /// than the form's regular length, and always asks the e-mail.
        #[test]
        fn progressive_profiling_is_bounded(known in proptest::collection::vec(any::<bool>(), 5)) {
            let f = demo();
            let is_known = |t: &str| f.iter().position(|x| x.target == t).is_some_and(|i| known[i]);
            let ask = fields_to_ask(&f, is_known);
            prop_assert!(ask.len() <= f.iter().filter(|x| !x.progressive).count());
            prop_assert!(ask.iter().any(|x| x.kind == InputKind::Email));
            prop_assert!(ask.iter().all(|x| x.kind == InputKind::Email || !is_known(&x.target)));
        }
    }
}
