//! What every handler can reach: server facts, the stores and the registry.

use crate::Registry;
use whmd_domain::Stores;

/// Facts about this server that functions report.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub hostname: String,
    /// The WHM version whmd answers as (`version`); clients gate features on it.
    pub whm_version: String,
}

#[derive(Debug)]
pub struct Context {
    pub info: ServerInfo,
    pub stores: Stores,
    pub registry: Registry,
}

impl Context {
    pub fn new(info: ServerInfo, stores: Stores) -> Self {
        Self {
            info,
            stores,
            registry: Registry::standard(),
        }
    }
}
