//! Readiness: a store that answers and takes writes says so.

use crate::Names;
use whmd_domain::Stores;

/// A freshly opened store is ready, and says so again after a write.
pub async fn a_working_store_is_ready(stores: &Stores, names: &Names) {
    stores.health.ready().await.expect("a fresh store is ready");
    stores
        .credentials
        .set_password_hash(&names.user("ready"), "$a")
        .await
        .expect("write");
    stores
        .health
        .ready()
        .await
        .expect("a store that took a write is ready");
}
