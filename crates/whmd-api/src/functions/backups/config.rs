//! backup_config_get and backup_config_set
//! (<https://api.docs.cpanel.net/openapi/whm/operation/backup_config_set/>): cPanel's keys,
//! lower-cased; flags as the numbers 1 and 0, every other value as text.

use super::destinations::copy::Copies;
use crate::FunctionSpec;
use crate::function::{NoData, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use whmd_domain::StoreError;
use whmd_domain::backup::Kind;
use whmd_domain::store::Conflict;
use whmd_wire::params::Others;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("backup_config_get", Acl::ALL, V1, backup_config_get).read_only(),
    function!("backup_config_set", Acl::ALL, V1, backup_config_set),
];

#[derive(Debug, Serialize, JsonSchema)]
struct Got {
    /// Every setting, by its lower-cased key.
    backup_config: Map<String, Value>,
}

async fn backup_config_get(call: Call, _: ()) -> Result<Outcome<Got>, WhmError> {
    let config = call
        .ctx
        .stores
        .backups
        .backup_config()
        .await?
        .unwrap_or_default();
    let backup_config = config
        .all()
        .map(|(key, kind, value)| {
            let value = match kind {
                Kind::Flag => Value::from(u8::from(value == "1")),
                _ => Value::from(value),
            };
            (key.to_owned(), value)
        })
        .collect();
    Ok(Outcome::ok(Got { backup_config }))
}

#[derive(Debug, Deserialize, JsonSchema)]
struct BackupConfigSet {
    /// The settings to change, by backup_config_get's keys in any case; flags take 1/0,
    /// yes/no or on/off.
    #[serde(flatten)]
    settings: Others,
}

/// How often a change is made again from a fresh read when another changed the configuration
/// between its read and its write.
const TRIES: usize = 5;

async fn backup_config_set(call: Call, req: BackupConfigSet) -> Result<Outcome<NoData>, WhmError> {
    let changes: Vec<(String, String)> = req.settings.into_iter().collect();
    let store = &call.ctx.stores.backups;
    for _ in 0..TRIES {
        let saved = store.backup_config().await?;
        let next = saved
            .clone()
            .unwrap_or_default()
            .changed(&changes)
            .map_err(WhmError::Reason)?;
        let destinations = Copies::start(&call.ctx)
            .await
            .map_err(WhmError::Reason)?
            .count();
        next.check_somewhere(destinations)
            .map_err(WhmError::Reason)?;
        if saved.as_ref() == Some(&next) {
            return Ok(Outcome::done().with_reason("OK"));
        }
        match store.save_backup_config(&next, saved.as_ref()).await {
            Ok(()) => return Ok(Outcome::done().with_reason("OK")),
            Err(StoreError::Conflict(Conflict::Changed)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(WhmError::reason(
        "The backup configuration changed while it was being saved. Try again.",
    ))
}
