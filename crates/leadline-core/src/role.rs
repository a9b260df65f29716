//! Who may do what.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Marketing,
    Sales,
    Agent,
    ReadOnly,
}

/// What a request wants to do, as far as permissions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read records.
    Read,
    /// Create, change or delete records.
    Write,
    /// Take data out in bulk: CSV export.
    Export,
    /// Bring data in bulk: imports.
    Import,
    /// Users, tokens of others, the property schema.
    Administer,
}

impl Role {
    pub const ALL: [Role; 5] = [Self::Admin, Self::Marketing, Self::Sales, Self::Agent, Self::ReadOnly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Marketing => "marketing",
            Self::Sales => "sales",
            Self::Agent => "agent",
            Self::ReadOnly => "read_only",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let k = s.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|r| r.as_str() == k || (k == "readonly" && *r == Self::ReadOnly))
    }

    pub fn allows(self, action: Action) -> bool {
        match (self, action) {
            (Self::Admin, _) => true,
            (_, Action::Administer) => false,
            (Self::ReadOnly, Action::Read) => true,
            (Self::ReadOnly, _) => false,
            // Agents talk to visitors and log what they learn; they do not take data out in bulk.
            (Self::Agent, Action::Export | Action::Import) => false,
            (Self::Marketing | Self::Sales | Self::Agent, _) => true,
        }
    }
}

/// What an API token may do on top of its user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    Read,
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            _ => None,
        }
    }

    pub fn allows(self, action: Action) -> bool {
        self == Self::Write || action == Action::Read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        assert!(!Role::ReadOnly.allows(Action::Write));
        assert!(!Role::Agent.allows(Action::Export));
        assert!(Role::Agent.allows(Action::Write));
        assert!(!Role::Sales.allows(Action::Administer));
        assert!(Role::Admin.allows(Action::Administer));
        assert!(!TokenScope::Read.allows(Action::Export));
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
