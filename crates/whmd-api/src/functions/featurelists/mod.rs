//! Feature lists (FUNCTIONS.md §4): get_featurelists, get_feature_names,
//! get_featurelist_data, and the three that change lists (`write`).

mod write;

use super::args::optional;
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use whmd_domain::features::{self, DEFAULT, DISABLED, FEATURES, FeatureList};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    FunctionSpec::legacy(
        "get_featurelists",
        Access::Acl(Acl::LIST_PKGS),
        Versions::V1,
        get_featurelists,
    )
    .read_only()
    .list("featurelists"),
    FunctionSpec::legacy(
        "get_feature_names",
        Access::Acl(Acl::LIST_PKGS),
        Versions::V1,
        get_feature_names,
    )
    .read_only()
    .list("feature"),
    FunctionSpec::legacy(
        "get_featurelist_data",
        Access::Acl(Acl::LIST_PKGS),
        Versions::V1,
        get_featurelist_data,
    )
    .read_only()
    .list("features"),
    write::CREATE,
    write::UPDATE,
    write::DELETE,
];

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

/// Whether the caller may give accounts or packages the list `name`: one of the two built-in
/// lists, or a stored one it may see.
pub(crate) async fn usable(call: &Call, name: &str) -> Result<bool, WhmError> {
    if FeatureList::is_builtin(name) {
        return Ok(true);
    }
    let list = call.ctx.stores.feature_lists.feature_list(name).await?;
    Ok(list.is_some_and(|l| features::can_view(&call.principal, &l)))
}

/// The `featurelist` argument, or WHM's refusal when it is missing.
fn name_arg(call: &Call) -> Result<&str, WhmError> {
    optional(&call.args, "featurelist")
        .ok_or_else(|| WhmError::reason("No featurelist name specified."))
}

/// WHM's refusal of a list the caller may not reach; for a reseller it does not tell whether
/// the list exists.
fn inaccessible(name: &str) -> WhmError {
    WhmError::Reason(format!(
        "Unable to access featurelist specified: \"{name}\""
    ))
}

fn missing(name: &str) -> WhmError {
    WhmError::Reason(format!("Specified featurelist does not exist: \"{name}\""))
}

/// The list `name` as the caller may read or change it: root any list (the built-in ones
/// exist even when not stored); a reseller only its own, named `<reseller>_…`. `Ok(None)`
/// when the caller may have it but it does not exist.
async fn reachable(call: &Call, name: &str) -> Result<Option<FeatureList>, WhmError> {
    let root = call.principal.is_root();
    if !root && !features::is_reseller_name(&call.principal.user, name) {
        return Err(inaccessible(name));
    }
    let stored = call.ctx.stores.feature_lists.feature_list(name).await?;
    match stored {
        Some(list) if features::can_edit(&call.principal, &list) => Ok(Some(list)),
        Some(_) => Err(inaccessible(name)),
        None if root && FeatureList::is_builtin(name) => Ok(Some(FeatureList::new(name, "root"))),
        None => Ok(None),
    }
}

fn get_featurelists(call: Call) -> Reply {
    Box::pin(async move {
        let stored = call.ctx.stores.feature_lists.feature_lists().await?;
        let names: Vec<String> = if call.principal.is_root() {
            [DEFAULT, DISABLED]
                .into_iter()
                .map(str::to_owned)
                .chain(
                    stored
                        .into_iter()
                        .map(|l| l.name)
                        .filter(|n| !FeatureList::is_builtin(n)),
                )
                .collect()
        } else {
            stored
                .into_iter()
                .filter(|l| l.owner == call.principal.user)
                .map(|l| l.name)
                .collect()
        };
        let mut data = Map::new();
        data.insert("featurelists".into(), json!(names));
        Ok(Outcome::ok(data))
    })
}

fn get_feature_names(_call: Call) -> Reply {
    Box::pin(async move {
        let feature: Vec<Value> = FEATURES
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect();
        let mut data = Map::new();
        data.insert("feature".into(), Value::Array(feature));
        Ok(Outcome::ok(data))
    })
}

fn get_featurelist_data(call: Call) -> Reply {
    Box::pin(async move {
        let name = name_arg(&call)?.to_owned();
        let list = reachable(&call, &name)
            .await?
            .ok_or_else(|| missing(&name))?;
        // Features off in the `disabled` list are off everywhere; the two built-in lists
        // themselves report none as disabled.
        let disabled = if FeatureList::is_builtin(&name) {
            None
        } else {
            call.ctx.stores.feature_lists.feature_list(DISABLED).await?
        };
        let bit = |on: bool| if on { "1" } else { "0" };
        let features: Vec<Value> = FEATURES
            .iter()
            .map(|(id, _)| {
                let off_everywhere = disabled.as_ref().is_some_and(|d| !d.allows(id));
                json!({
                    "id": id,
                    "value": bit(list.allows(id)),
                    "is_disabled": bit(off_everywhere),
                })
            })
            .collect();
        let mut data = Map::new();
        data.insert("featurelist".into(), json!(name));
        data.insert("features".into(), Value::Array(features));
        Ok(Outcome::ok(data))
    })
}
