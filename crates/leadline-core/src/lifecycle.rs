//! Where a contact is in the funnel (lifecycle stage) and in sales work (lead status).

/// The stages a contact moves through, in order, plus `Other` for contacts outside the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LifecycleStage {
    Subscriber,
    Lead,
    MarketingQualified,
    SalesQualified,
    Opportunity,
    Customer,
    Evangelist,
    Other,
}

impl LifecycleStage {
    pub const ALL: [LifecycleStage; 8] = [
        Self::Subscriber,
        Self::Lead,
        Self::MarketingQualified,
        Self::SalesQualified,
        Self::Opportunity,
        Self::Customer,
        Self::Evangelist,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Subscriber => "subscriber",
            Self::Lead => "lead",
            Self::MarketingQualified => "mql",
            Self::SalesQualified => "sql",
            Self::Opportunity => "opportunity",
            Self::Customer => "customer",
            Self::Evangelist => "evangelist",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let k = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Some(match k.as_str() {
            "subscriber" => Self::Subscriber,
            "lead" => Self::Lead,
            "mql" | "marketing_qualified" | "marketing_qualified_lead" | "marketingqualifiedlead" => {
                Self::MarketingQualified
            }
            "sql" | "sales_qualified" | "sales_qualified_lead" | "salesqualifiedlead" => Self::SalesQualified,
            "opportunity" => Self::Opportunity,
            "customer" => Self::Customer,
            "evangelist" | "advocate" => Self::Evangelist,
            "other" => Self::Other,
            _ => return None,
        })
    }

    /// Position in the funnel; `Other` has none.
    pub fn rank(self) -> Option<u8> {
        (self != Self::Other).then_some(self as u8)
    }

    /// Whether going from `self` to `to` moves a contact back down the funnel. Backward moves
    /// must be asked for explicitly and are recorded as such.
    pub fn is_backward(self, to: LifecycleStage) -> bool {
        matches!((self.rank(), to.rank()), (Some(a), Some(b)) if b < a)
    }
}

/// Sales work on a lead, alongside its stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadStatus {
    New,
    AttemptingContact,
    Connected,
    Qualified,
    Disqualified,
    Recycled,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 6] =
        [Self::New, Self::AttemptingContact, Self::Connected, Self::Qualified, Self::Disqualified, Self::Recycled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::AttemptingContact => "attempting_contact",
            Self::Connected => "connected",
            Self::Qualified => "qualified",
            Self::Disqualified => "disqualified",
            Self::Recycled => "recycled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
    }
}

/// Why a lead was disqualified.
pub const DISQUALIFICATION_REASONS: &[&str] =
    &["junk", "no_budget", "no_authority", "no_need", "bad_timing", "competitor", "unreachable", "duplicate", "other"];

/// What moved a contact: kept with every stage and owner change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeCause {
    /// A person changed it by hand (UI or API).
    Manual,
    /// It came in with an import.
    Import,
    /// A merge carried it over.
    Merge,
    /// An automation rule fired.
    Rule,
    /// An import was taken back: the value is the one it had before the import.
    Undo,
    /// A tracked event said it (an identify call's traits, a form).
    Tracking,
}

impl ChangeCause {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Import => "import",
            Self::Merge => "merge",
            Self::Rule => "rule",
            Self::Undo => "undo",
            Self::Tracking => "tracking",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_round_trip_and_order() {
        for s in LifecycleStage::ALL {
            assert_eq!(LifecycleStage::parse(s.as_str()), Some(s));
        }
        assert_eq!(LifecycleStage::parse("Marketing Qualified Lead"), Some(LifecycleStage::MarketingQualified));
        assert!(LifecycleStage::Customer.is_backward(LifecycleStage::Lead));
        assert!(!LifecycleStage::Lead.is_backward(LifecycleStage::Customer));
        assert!(!LifecycleStage::Other.is_backward(LifecycleStage::Lead));
    }

    #[test]
    fn statuses_round_trip() {
        for s in LeadStatus::ALL {
            assert_eq!(LeadStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(LeadStatus::parse("Attempting contact"), Some(LeadStatus::AttemptingContact));
    }
}
