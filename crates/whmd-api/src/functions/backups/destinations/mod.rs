//! backup_destination_add, _list, _get, _set, _delete and _validate
//! (<https://api.docs.cpanel.net/openapi/whm/operation/backup_destination_add/>): where
//! scheduled backups are copied besides the backup directory (docs/compatibility.md,
//! "Backup destinations"). `Local` and `SFTP` destinations work; the other types are refused
//! as not supported yet. Passwords and passphrases are sealed with the server's secrets key
//! and never shown. `copy` copies a run's backups to them; `open` connects.

pub mod copy;
mod fields;
mod open;

pub use open::connect;

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use fields::{Checked, HOST_KEY, SUPPORTED, TYPES};
use rand::Rng;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use whmd_domain::StoreError;
use whmd_domain::destination::Destination;
use whmd_domain::sealed::SecretsKey;
use whmd_domain::store::Conflict;
use whmd_wire::params::Others;
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!(
        "backup_destination_add",
        Acl::ALL,
        V1,
        backup_destination_add
    ),
    function!(
        "backup_destination_list",
        Acl::ALL,
        V1,
        backup_destination_list
    )
    .read_only(),
    function!(
        "backup_destination_get",
        Acl::ALL,
        V1,
        backup_destination_get
    )
    .read_only(),
    function!(
        "backup_destination_set",
        Acl::ALL,
        V1,
        backup_destination_set
    ),
    function!(
        "backup_destination_delete",
        Acl::ALL,
        V1,
        backup_destination_delete
    ),
    function!(
        "backup_destination_validate",
        Acl::ALL,
        V1,
        backup_destination_validate
    ),
];

/// How often a change is made again from a fresh read when another changed the destination
/// between its read and its write.
const TRIES: usize = 5;

#[derive(Debug, Deserialize, JsonSchema)]
struct Add {
    /// The destination's name.
    name: Option<String>,
    /// `Local` or `SFTP` (cPanel's other types are refused as not supported yet).
    #[serde(rename = "type")]
    kind: Option<String>,
    /// The type's settings, by backup_destination_add's parameter names: `path`, `mount`,
    /// `no_mount_fail` (Local); `host`, `port`, `path`, `username`, `authtype`, `password`,
    /// `privatekey`, `passphrase`, `timeout` (SFTP); `disabled`, `upload_system_backup`,
    /// `only_used_for_logs` (both).
    #[serde(flatten)]
    settings: Others,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Id {
    /// The destination's ID.
    id: String,
}

/// A new destination ID: 24 letters and digits, as cPanel makes them.
fn new_id() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rng();
    (0..24)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect()
}

/// The type, when whmd can use it; cPanel's reasons otherwise.
fn supported(kind: &str) -> Result<(), WhmError> {
    if !TYPES.contains(&kind) {
        return Err(WhmError::Reason(format!(
            "The backup destination type is invalid:  {kind}"
        )));
    }
    if !SUPPORTED.contains(&kind) {
        return Err(WhmError::Reason(format!(
            "The backup destination type “{kind}” is not supported yet: whmd copies backups to Local and SFTP destinations."
        )));
    }
    Ok(())
}

fn valid_name(name: &str) -> Result<String, WhmError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 255 || name.chars().any(char::is_control) {
        return Err(WhmError::reason(
            "The following parameters were invalid:  name",
        ));
    }
    Ok(name.to_owned())
}

/// The secrets sealed for the destination `id`.
fn seal(
    key: &SecretsKey,
    id: &str,
    secrets: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    secrets
        .iter()
        .map(|(name, plain)| (name.clone(), key.seal(plain, id)))
        .collect()
}

async fn backup_destination_add(call: Call, req: Add) -> Result<Outcome<Id>, WhmError> {
    let (Some(name), Some(kind)) = (
        req.name.filter(|n| !n.trim().is_empty()),
        req.kind.filter(|k| !k.is_empty()),
    ) else {
        return Err(WhmError::reason("Missing arguments"));
    };
    supported(&kind)?;
    let name = valid_name(&name)?;
    let checked =
        fields::check(&kind, &req.settings, &BTreeMap::new(), &[]).map_err(WhmError::Reason)?;
    let id = new_id();
    let destination = Destination {
        sealed: seal(&call.ctx.info.secrets, &id, &checked.secrets),
        id,
        name,
        kind,
        disabled: checked.disabled,
        disable_reason: String::new(),
        settings: checked.settings,
        revision: 0,
    };
    call.ctx
        .stores
        .backups
        .add_backup_destination(&destination)
        .await?;
    Ok(Outcome::ok(Id { id: destination.id }))
}

#[derive(Debug, Serialize, JsonSchema)]
struct Listed {
    /// Every destination, without its secrets.
    destination_list: Vec<Map<String, Value>>,
}

async fn backup_destination_list(call: Call, _: ()) -> Result<Outcome<Listed>, WhmError> {
    let all = call.ctx.stores.backups.backup_destinations().await?;
    Ok(Outcome::ok(Listed {
        destination_list: all.iter().map(|d| fields::show(d, true)).collect(),
    }))
}

#[derive(Debug, Deserialize, JsonSchema)]
struct ById {
    /// The destination's ID.
    id: Option<String>,
}

/// The destination the call names.
async fn find(call: &Call, id: Option<String>) -> Result<Destination, WhmError> {
    let Some(id) = id.filter(|i| !i.is_empty()) else {
        return Err(WhmError::reason("Missing argument:  id"));
    };
    by_id(call, &id).await
}

/// The destination `id`, or the reason there is none.
pub async fn by_id(call: &Call, id: &str) -> Result<Destination, WhmError> {
    call.ctx
        .stores
        .backups
        .backup_destination(id)
        .await?
        .ok_or_else(|| WhmError::Reason(format!("The backup destination “{id}” does not exist.")))
}

async fn backup_destination_get(
    call: Call,
    req: ById,
) -> Result<Outcome<Map<String, Value>>, WhmError> {
    let destination = find(&call, req.id).await?;
    Ok(Outcome::ok(fields::show(&destination, false)))
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Set {
    /// The destination's ID.
    id: Option<String>,
    /// A new name.
    name: Option<String>,
    /// A new type (`Local` or `SFTP`).
    #[serde(rename = "type")]
    kind: Option<String>,
    /// The settings to change, by backup_destination_add's parameter names; the others stay.
    /// Saving a destination trusts the SFTP server's host key anew at its next connection.
    #[serde(flatten)]
    settings: Others,
}

/// The destination with `req`'s changes: checked as a whole, secrets sealed anew where given.
fn changed(key: &SecretsKey, current: &Destination, req: &Set) -> Result<Destination, WhmError> {
    let kind = req
        .kind
        .clone()
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| current.kind.clone());
    supported(&kind)?;
    let same_kind = kind == current.kind;
    let name = match &req.name {
        Some(name) => valid_name(name)?,
        None => current.name.clone(),
    };
    let mut settings = if same_kind {
        current.settings.clone()
    } else {
        BTreeMap::new()
    };
    settings.remove(HOST_KEY);
    settings.insert("disabled".into(), u8::from(current.disabled).to_string());
    let kept: Vec<&str> = if same_kind {
        current.sealed.keys().map(String::as_str).collect()
    } else {
        Vec::new()
    };
    let Checked {
        disabled,
        settings,
        secrets,
    } = fields::check(&kind, &req.settings, &settings, &kept).map_err(WhmError::Reason)?;
    let mut sealed: BTreeMap<String, String> = current
        .sealed
        .iter()
        .filter(|(name, _)| kept.contains(&name.as_str()) && !req.settings.contains_key(*name))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    sealed.extend(seal(key, &current.id, &secrets));
    Ok(Destination {
        id: current.id.clone(),
        name,
        kind,
        disabled,
        disable_reason: if disabled {
            current.disable_reason.clone()
        } else {
            String::new()
        },
        settings,
        sealed,
        revision: current.revision,
    })
}

async fn backup_destination_set(call: Call, req: Set) -> Result<Outcome, WhmError> {
    for _ in 0..TRIES {
        let current = find(&call, req.id.clone()).await?;
        let next = changed(&call.ctx.info.secrets, &current, &req)?;
        match call.ctx.stores.backups.save_backup_destination(&next).await {
            Ok(()) => return Ok(Outcome::done()),
            Err(StoreError::Conflict(Conflict::Changed)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(WhmError::reason(
        "The backup destination changed while it was being saved. Try again.",
    ))
}

async fn backup_destination_delete(call: Call, req: ById) -> Result<Outcome, WhmError> {
    let destination = find(&call, req.id).await?;
    if !call
        .ctx
        .stores
        .backups
        .delete_backup_destination(&destination.id)
        .await?
    {
        return Err(WhmError::Reason(format!(
            "The backup destination “{}” does not exist.",
            destination.id
        )));
    }
    Ok(Outcome::done())
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Validate {
    /// The destination's ID.
    id: Option<String>,
    /// `1` to disable the destination when the check fails, `0` not to.
    disableonfail: Option<String>,
}

async fn backup_destination_validate(call: Call, req: Validate) -> Result<Outcome<Id>, WhmError> {
    if req.id.as_deref().is_none_or(str::is_empty) {
        return Err(WhmError::reason("Missing argument:  id"));
    }
    let disable = match req.disableonfail.as_deref() {
        None | Some("") => return Err(WhmError::reason("Missing argument:  disableonfail")),
        Some("1") => true,
        Some("0") => false,
        Some(other) => {
            return Err(WhmError::Reason(format!(
                "Value for argument disableonfail must be either 1 or 0 ({other})"
            )));
        }
    };
    let destination = find(&call, req.id).await?;
    let checked = match connect(&call.ctx, &destination).await {
        Ok(connection) => {
            let checked = connection.check().await.map_err(|e| e.to_string());
            connection.close().await;
            checked
        }
        Err(why) => Err(why),
    };
    let id = Id {
        id: destination.id.clone(),
    };
    let Err(why) = checked else {
        return Ok(Outcome::ok(id));
    };
    if disable {
        disable_for(&call, &destination.id, &why).await?;
    }
    let mut outcome = Outcome::ok(id);
    outcome.result = false;
    outcome.reason = why.into();
    Ok(outcome)
}

/// Disables the destination `id` for `why`.
async fn disable_for(call: &Call, id: &str, why: &str) -> Result<(), WhmError> {
    for _ in 0..TRIES {
        let Some(mut current) = call.ctx.stores.backups.backup_destination(id).await? else {
            return Ok(());
        };
        current.disabled = true;
        why.clone_into(&mut current.disable_reason);
        match call
            .ctx
            .stores
            .backups
            .save_backup_destination(&current)
            .await
        {
            Ok(()) => return Ok(()),
            Err(StoreError::Conflict(Conflict::Changed)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
