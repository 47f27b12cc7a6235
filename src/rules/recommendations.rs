//! The thresholds of the rules that check SAP's security recommendations (XS301-XS303), from the
//! configuration's `[recommendations]` table. SAP gives figures for some (a token validity of at
//! least 30 minutes, X.509 lifetimes of 1 to 30 days); where it gives none, the default is this
//! project's choice, documented with each rule.

/// SAP's floor for access tokens: "as short as possible, but not less than 30 minutes".
pub const SAP_TOKEN_VALIDITY_FLOOR: u32 = 1800;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendations {
    /// `token-validity` above this many seconds is reported (XS302). Default 43200, SAP's own
    /// default of 12 hours: a descriptor that relaxes it is flagged.
    pub token_validity_max: u32,
    /// `token-validity` below this many seconds is reported as an info (XS302); 0 turns it off.
    pub token_validity_min: u32,
    /// `refresh-token-validity` above this many seconds is reported (XS302). Default 604800,
    /// SAP's default of 7 days for a descriptor.
    pub refresh_token_validity_max: u32,
    /// More domains where anyone can get a host (XS301), beside the built-in SAP BTP ones.
    pub shared_domains: Vec<String>,
}

/// The defaults, for runs without a configuration file.
pub static DEFAULT: Recommendations = Recommendations {
    token_validity_max: 43_200,
    token_validity_min: SAP_TOKEN_VALIDITY_FLOOR,
    refresh_token_validity_max: 604_800,
    shared_domains: Vec::new(),
};

impl Default for Recommendations {
    fn default() -> Self {
        DEFAULT.clone()
    }
}
