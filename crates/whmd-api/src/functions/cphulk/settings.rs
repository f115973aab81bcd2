//! cphulk_status, enable_cphulk, disable_cphulk, load_cphulk_config, save_cphulk_config.

use super::check_enabled;
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use whmd_wire::params::{Flag, Others};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("cphulk_status", Acl::ALL, V1, cphulk_status).read_only(),
    function!("enable_cphulk", Acl::ALL, V1, enable_cphulk),
    function!("disable_cphulk", Acl::ALL, V1, disable_cphulk),
    function!("load_cphulk_config", Acl::ALL, V1, load_cphulk_config).read_only(),
    function!("save_cphulk_config", Acl::ALL, V1, save_cphulk_config),
];

#[derive(Debug, Serialize, JsonSchema)]
struct Status {
    is_enabled: u8,
    service: &'static str,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Config {
    /// Every setting, by cPHulk's names.
    cphulk_config: Map<String, Value>,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct SaveCphulkConfig {
    /// Save even when cPHulk is off.
    #[serde(default)]
    skip_enabled_check: Flag<false>,
    /// The settings to change, by cPHulk's names (load_cphulk_config lists them).
    #[serde(flatten)]
    settings: Others,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Saved {
    cphulk_config: Map<String, Value>,
    /// Always 0: whmd restarts no SSH daemon.
    restart_ssh: u8,
    warning: Option<String>,
}

async fn cphulk_status(call: Call, _: ()) -> Result<Outcome<Status>, WhmError> {
    let config = call.ctx.stores.hulk.hulk_config().await?;
    Ok(Outcome::ok(Status {
        is_enabled: u8::from(config.is_enabled),
        service: "cPHulk",
    }))
}

async fn switch(call: &Call, on: bool) -> Result<Outcome<NoData>, WhmError> {
    let mut config = call.ctx.stores.hulk.hulk_config().await?;
    config.is_enabled = on;
    call.ctx.stores.hulk.save_hulk_config(&config).await?;
    Ok(Outcome::done())
}

async fn enable_cphulk(call: Call, _: ()) -> Result<Outcome<NoData>, WhmError> {
    switch(&call, true).await
}

async fn disable_cphulk(call: Call, _: ()) -> Result<Outcome<NoData>, WhmError> {
    switch(&call, false).await
}

async fn load_cphulk_config(call: Call, _: ()) -> Result<Outcome<Config>, WhmError> {
    let config = call.ctx.stores.hulk.hulk_config().await?;
    Ok(Outcome::ok(Config {
        cphulk_config: config.to_map(),
    }))
}

async fn save_cphulk_config(call: Call, req: SaveCphulkConfig) -> Result<Outcome<Saved>, WhmError> {
    let mut config = call.ctx.stores.hulk.hulk_config().await?;
    check_enabled(req.skip_enabled_check.get(), &config)?;
    let given = req.settings.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    config
        .apply(given)
        .map_err(|errors| WhmError::Reason(errors.join("\n")))?;
    call.ctx.stores.hulk.save_hulk_config(&config).await?;
    // No SSH daemon to restart: whmd changes nothing outside itself.
    Ok(Outcome::ok(Saved {
        cphulk_config: config.to_map(),
        restart_ssh: 0,
        warning: None,
    }))
}
