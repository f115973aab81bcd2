//! The audit log: every authentication, every change to API tokens and sessions, and every
//! lockout, as events that name who and from where, never a secret.
//!
//! The sink is a trait so the server can write a file while tests and tools choose their own;
//! recording never fails the request it describes.

use serde::Serialize;
use std::fmt::Debug;
use std::net::IpAddr;
use std::sync::Mutex;

/// How a caller proved (or tried to prove) who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    ApiToken,
    Password,
    Session,
    AccessHash,
}

impl Method {
    /// Its name, as the audit log and cPHulk's records give it.
    pub fn name(self) -> &'static str {
        match self {
            Self::ApiToken => "api_token",
            Self::Password => "password",
            Self::Session => "session",
            Self::AccessHash => "access_hash",
        }
    }
}

/// One audited event. Field values are names, addresses and reasons: no token, password,
/// hash or session identifier ever goes in one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AuditEvent {
    LoginSucceeded {
        user: String,
        ip: IpAddr,
        method: Method,
    },
    LoginFailed {
        user: String,
        ip: IpAddr,
        method: Method,
        reason: String,
    },
    /// Refused by brute-force protection before the credentials were looked at.
    LoginBlocked {
        user: String,
        ip: IpAddr,
        reason: String,
    },
    /// Brute-force protection locked out an address or a user.
    Lockout {
        kind: String,
        key: String,
        until: i64,
    },
    TokenCreated {
        user: String,
        name: String,
        by: String,
    },
    TokenUpdated {
        user: String,
        name: String,
        by: String,
    },
    TokenRevoked {
        user: String,
        name: String,
        by: String,
    },
    SessionStarted {
        user: String,
        ip: IpAddr,
        how: String,
    },
    SessionEnded {
        user: String,
        ip: IpAddr,
    },
}

/// Where audited events go.
pub trait AuditSink: Debug + Send + Sync {
    fn record(&self, event: AuditEvent);
}

/// Keeps events in memory: for tools that run one function and for tests.
#[derive(Debug, Default)]
pub struct MemoryAudit {
    events: Mutex<Vec<AuditEvent>>,
}

impl MemoryAudit {
    pub fn events(&self) -> Vec<AuditEvent> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl AuditSink for MemoryAudit {
    fn record(&self, event: AuditEvent) {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialise_with_their_kind() {
        let event = AuditEvent::LoginFailed {
            user: "bob".into(),
            ip: "192.0.2.1".parse().expect("ip"),
            method: Method::ApiToken,
            reason: "unknown token".into(),
        };
        let json = serde_json::to_value(&event).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"event": "login_failed", "user": "bob", "ip": "192.0.2.1", "method": "api_token", "reason": "unknown token"})
        );
        let sink = MemoryAudit::default();
        sink.record(event.clone());
        assert_eq!(sink.events(), [event]);
    }
}
