//! Custom properties: the schema admins define, and the values validated against it.

use crate::error::{FieldError, Invalid};
use crate::record::ObjectKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    Text,
    Number,
    Bool,
    Date,
    Enum,
    MultiEnum,
}

impl PropertyType {
    pub const ALL: [PropertyType; 6] = [Self::Text, Self::Number, Self::Bool, Self::Date, Self::Enum, Self::MultiEnum];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Bool => "bool",
            Self::Date => "date",
            Self::Enum => "enum",
            Self::MultiEnum => "multi_enum",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// An admin-defined property of contacts, companies or deals.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyDef {
    pub object: ObjectKind,
    /// Key in `properties`, lower snake case.
    pub name: String,
    pub label: String,
    pub kind: PropertyType,
    /// Allowed values for enum and multi-enum properties.
    pub options: Vec<String>,
}

/// A value as it arrives from JSON or CSV, before the schema gives it a type.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<RawValue>),
}

/// A property value that passed its definition.
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue {
    Text(String),
    Number(f64),
    Bool(bool),
    Date(String),
    Enum(String),
    MultiEnum(Vec<String>),
}

impl PropertyDef {
    /// Check a definition an admin submitted.
    pub fn validate(&self) -> Invalid<()> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self.name.starts_with(|c: char| c.is_ascii_lowercase())
            && self.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            return Err(FieldError::new(
                "name",
                "invalid_name",
                "a property name is 1-64 of a-z, 0-9 and _, starting with a letter",
            ));
        }
        if crate::record::fields(self.object).iter().any(|f| f.name == self.name) {
            return Err(FieldError::new("name", "reserved_name", format!("{} is a built-in field", self.name)));
        }
        crate::error::clean_text("label", &self.label)?
            .ok_or_else(|| FieldError::new("label", "required", "a label is required"))?;
        let has_options = matches!(self.kind, PropertyType::Enum | PropertyType::MultiEnum);
        if has_options && self.options.is_empty() {
            return Err(FieldError::new("options", "required", "enum properties need at least one option"));
        }
        if !has_options && !self.options.is_empty() {
            return Err(FieldError::new("options", "not_allowed", "only enum properties have options"));
        }
        Ok(())
    }

    /// Validate a value for this property; `None` means clear it.
    pub fn check(&self, value: &RawValue) -> Invalid<Option<PropValue>> {
        let field = format!("properties.{}", self.name);
        let bad = |what: &str| {
            Err(FieldError::new(field.clone(), "invalid_property", format!("{} expects {what}", self.name)))
        };
        Ok(Some(match (self.kind, value) {
            (_, RawValue::Null) => return Ok(None),
            (PropertyType::Text, RawValue::Text(s)) => match crate::error::clean_text(&field, s)? {
                Some(s) => PropValue::Text(s),
                None => return Ok(None),
            },
            (PropertyType::Number, RawValue::Number(n)) if n.is_finite() => PropValue::Number(*n),
            (PropertyType::Number, RawValue::Text(s)) => match s.trim().replace(',', ".").parse::<f64>() {
                Ok(n) if n.is_finite() => PropValue::Number(n),
                _ if s.trim().is_empty() => return Ok(None),
                _ => return bad("a number"),
            },
            (PropertyType::Bool, RawValue::Bool(b)) => PropValue::Bool(*b),
            (PropertyType::Bool, RawValue::Text(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "y" => PropValue::Bool(true),
                "false" | "no" | "0" | "n" => PropValue::Bool(false),
                "" => return Ok(None),
                _ => return bad("true or false"),
            },
            (PropertyType::Date, RawValue::Text(s)) => PropValue::Date(crate::date::parse_date(&field, s)?),
            (PropertyType::Enum, RawValue::Text(s)) => PropValue::Enum(self.option(&field, s)?),
            (PropertyType::MultiEnum, RawValue::Text(s)) => PropValue::MultiEnum(
                s.split(';')
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| self.option(&field, p))
                    .collect::<Invalid<_>>()?,
            ),
            (PropertyType::MultiEnum, RawValue::List(items)) => PropValue::MultiEnum(
                items
                    .iter()
                    .map(|i| match i {
                        RawValue::Text(s) => self.option(&field, s),
                        _ => Err(FieldError::new(
                            field.clone(),
                            "invalid_property",
                            format!("{} expects a list of options", self.name),
                        )),
                    })
                    .collect::<Invalid<_>>()?,
            ),
            (PropertyType::Number, _) => return bad("a number"),
            (PropertyType::Bool, _) => return bad("true or false"),
            (PropertyType::Date, _) => return bad("a date YYYY-MM-DD"),
            (PropertyType::Enum | PropertyType::MultiEnum, _) => {
                return bad(&format!("one of {}", self.options.join(", ")))
            }
            (PropertyType::Text, _) => return bad("text"),
        }))
    }

    fn option(&self, field: &str, raw: &str) -> Invalid<String> {
        let v = raw.trim();
        self.options.iter().find(|o| o.eq_ignore_ascii_case(v)).cloned().ok_or_else(|| {
            FieldError::new(field, "invalid_option", format!("{v:?} is not one of {}", self.options.join(", ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(kind: PropertyType, options: &[&str]) -> PropertyDef {
        PropertyDef {
            object: ObjectKind::Contact,
            name: "budget".into(),
            label: "Budget".into(),
            kind,
            options: options.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn values_are_checked_against_their_type() {
        let n = def(PropertyType::Number, &[]);
        assert_eq!(n.check(&RawValue::Text("12,5".into())).unwrap(), Some(PropValue::Number(12.5)));
        assert_eq!(n.check(&RawValue::Text("lots".into())).unwrap_err().field, "properties.budget");
        let e = def(PropertyType::MultiEnum, &["Email", "Chat"]);
        assert_eq!(
            e.check(&RawValue::Text("email;chat".into())).unwrap(),
            Some(PropValue::MultiEnum(vec!["Email".into(), "Chat".into()]))
        );
        assert!(e.check(&RawValue::Text("fax".into())).is_err());
        assert_eq!(def(PropertyType::Bool, &[]).check(&RawValue::Null).unwrap(), None);
    }

    #[test]
    fn definitions_are_checked() {
        assert!(def(PropertyType::Enum, &[]).validate().is_err());
        let mut d = def(PropertyType::Text, &[]);
        d.name = "email".into();
        d.name = "first_name".into();
        assert_eq!(d.validate().unwrap_err().code, "reserved_name");
        d.name = "Bad Name".into();
        assert!(d.validate().is_err());
    }
}
