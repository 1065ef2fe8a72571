//! Outgoing messages (confirmation codes, MFA codes, temporary passwords) through a trait the
//! host implements: e-mail, SMS, a log, or a test outbox.

use std::collections::VecDeque;
use std::sync::Mutex;

use cognate_types::{Secret, UserPoolId};

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryMedium {
    /// By e-mail.
    Email,
    /// By SMS.
    Sms,
}

impl DeliveryMedium {
    /// The API value (`CodeDeliveryDetails.DeliveryMedium`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryMedium::Email => "EMAIL",
            DeliveryMedium::Sms => "SMS",
        }
    }
}

/// Why a message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessagePurpose {
    /// SignUp / ResendConfirmationCode.
    SignUp,
    /// ForgotPassword / AdminResetUserPassword.
    ForgotPassword,
    /// An attribute (e-mail, phone) to verify.
    VerifyAttribute,
    /// A sign-in MFA code.
    Mfa,
    /// AdminCreateUser's invitation with a temporary password.
    Invitation,
}

/// A message to deliver.
#[derive(Debug, Clone)]
pub struct OutgoingMessage {
    /// The pool.
    pub pool: UserPoolId,
    /// The user's username.
    pub username: String,
    /// How to send it.
    pub medium: DeliveryMedium,
    /// The e-mail address or phone number.
    pub destination: String,
    /// Why.
    pub purpose: MessagePurpose,
    /// The code or temporary password.
    pub code: Secret<String>,
}

/// Delivery failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("message delivery failed: {0}")]
pub struct SendError(pub String);

/// Delivers messages. Implementations must not log the code unless that is their purpose (a
/// local development outbox).
pub trait MessageSender: Send + Sync {
    /// Sends one message.
    fn send(&self, message: &OutgoingMessage) -> Result<(), SendError>;
}

/// Keeps the most recent messages in memory, for tests and local development.
#[derive(Debug, Default)]
pub struct Outbox {
    messages: Mutex<VecDeque<OutgoingMessage>>,
}

impl Outbox {
    /// How many messages are kept.
    pub const CAPACITY: usize = 1000;

    /// An empty outbox.
    pub fn new() -> Self {
        Self::default()
    }

    /// The messages, oldest first.
    pub fn messages(&self) -> Vec<OutgoingMessage> {
        self.messages
            .lock()
            .map(|m| m.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The newest message sent to `username` of `pool`, if any.
    pub fn last_for(&self, pool: &UserPoolId, username: &str) -> Option<OutgoingMessage> {
        self.messages.lock().ok().and_then(|m| {
            m.iter()
                .rev()
                .find(|x| &x.pool == pool && x.username == username)
                .cloned()
        })
    }
}

impl MessageSender for Outbox {
    fn send(&self, message: &OutgoingMessage) -> Result<(), SendError> {
        let mut m = self
            .messages
            .lock()
            .map_err(|_| SendError("outbox lock poisoned".to_owned()))?;
        if m.len() >= Self::CAPACITY {
            m.pop_front();
        }
        m.push_back(message.clone());
        Ok(())
    }
}

/// Masks a destination as Cognito shows it: `a***@e***` for e-mail, `+*******1234` for phones.
pub fn mask_destination(medium: DeliveryMedium, destination: &str) -> String {
    match medium {
        DeliveryMedium::Email => {
            let (local, domain) = destination.split_once('@').unwrap_or((destination, ""));
            let first = local.chars().next().map(String::from).unwrap_or_default();
            let dfirst = domain.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{dfirst}***")
        }
        DeliveryMedium::Sms => {
            let n = destination.chars().count();
            let tail: String = destination.chars().skip(n.saturating_sub(4)).collect();
            format!("+{}{}", "*".repeat(n.saturating_sub(5)), tail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(
            mask_destination(DeliveryMedium::Email, "alice@example.com"),
            "a***@e***"
        );
        assert_eq!(
            mask_destination(DeliveryMedium::Sms, "+15555551234"),
            "+*******1234"
        );
    }
}
