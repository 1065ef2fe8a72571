use thiserror::Error;

/// A value did not satisfy the rules of the identifier type it was meant to become.
///
/// The message names the type and the rule, never the rejected value itself (which may be
/// attacker-controlled and arbitrarily long).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid {kind}: {reason}")]
#[non_exhaustive]
pub struct IdentifierError {
    /// The identifier type, e.g. `"user pool id"`.
    pub kind: &'static str,
    /// The rule that was broken.
    pub reason: &'static str,
}

impl IdentifierError {
    pub(crate) const fn new(kind: &'static str, reason: &'static str) -> Self {
        Self { kind, reason }
    }
}
