//! The one error type a function can fail with. [`crate::shape`] turns it into the envelope.

use crate::Acl;
use std::borrow::Cow;

#[derive(Debug, thiserror::Error)]
pub enum WhmError {
    /// A required argument was not sent (cPanel's MissingParameter text).
    #[error("Provide the “{0}” parameter.")]
    MissingParameter(&'static str),
    /// A required argument was sent empty.
    #[error("The value of “{0}” may not be empty.")]
    EmptyParameter(Cow<'static, str>),
    /// A failure with a function-specific reason, which clients may match on.
    #[error("{0}")]
    Reason(String),
    /// The caller lacks the privilege the function needs.
    #[error("Permission Denied: You do not have the “{0}” privilege.")]
    PermissionDenied(Acl),
    /// The store cannot be reached; the caller may try again (HTTP 503).
    #[error("The service is temporarily unavailable. Try again later.")]
    Unavailable(#[source] BoxError),
    /// The store was lost while the change was being saved, so whether it was made is unknown
    /// (HTTP 503; docs/compatibility.md, "Health").
    #[error(
        "The service became unavailable while the change was being saved; whether it was made is unknown. Check before trying again."
    )]
    OutcomeUnknown(#[source] BoxError),
    /// A bug or an unexpected failure (HTTP 500). Its detail goes to the log, not the caller.
    #[error("Internal error")]
    Internal(#[source] BoxError),
}

impl WhmError {
    pub fn reason(text: impl Into<String>) -> Self {
        Self::Reason(text.into())
    }

    pub fn internal(e: impl Into<BoxError>) -> Self {
        Self::Internal(e.into())
    }
}

/// A boxed error source, so the wire crate needs no error library of its own.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl WhmError {
    /// The HTTP-level class of this failure.
    pub fn status(&self) -> crate::ReplyStatus {
        match self {
            Self::Unavailable(_) => crate::ReplyStatus::Unavailable,
            Self::OutcomeUnknown(_) => crate::ReplyStatus::OutcomeUnknown,
            Self::Internal(_) => crate::ReplyStatus::Internal,
            _ => crate::ReplyStatus::Ok,
        }
    }
}
