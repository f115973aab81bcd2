//! Login sessions, by the digest of their secret.

use super::StoreError;
use crate::session::Session;
use async_trait::async_trait;
use std::fmt::Debug;

#[async_trait]
pub trait SessionStore: Debug + Send + Sync {
    /// Stores a new session; sessions that ended before its start are dropped on the way.
    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;

    async fn session(&self, digest: &str) -> Result<Option<Session>, StoreError>;

    /// Turns a pre-authenticated session into a normal one that lasts until `expires`, if it
    /// is still pre-authenticated and has not ended at `now`; `false` otherwise, so a login
    /// URL works once.
    async fn redeem_session(
        &self,
        digest: &str,
        now: i64,
        expires: i64,
    ) -> Result<bool, StoreError>;

    /// Pushes the end of a normal session on to `expires`.
    async fn touch_session(&self, digest: &str, expires: i64) -> Result<(), StoreError>;

    /// Ends the session; `false` when there was none.
    async fn remove_session(&self, digest: &str) -> Result<bool, StoreError>;
}
