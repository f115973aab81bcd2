//! Feature lists: get_featurelists, get_feature_names, get_featurelist_data, and the three
//! that change lists (`write`).

mod write;

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use whmd_domain::features::{self, DEFAULT, DISABLED, FEATURES, FeatureList};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("get_featurelists", Acl::LIST_PKGS, V1, get_featurelists)
        .read_only()
        .list("featurelists"),
    function!("get_feature_names", Acl::LIST_PKGS, V1, get_feature_names)
        .read_only()
        .list("feature"),
    function!(
        "get_featurelist_data",
        Acl::LIST_PKGS,
        V1,
        get_featurelist_data
    )
    .read_only()
    .list("features"),
];

pub use write::FUNCTIONS as WRITE;

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
fn name_arg(featurelist: Option<String>) -> Result<String, WhmError> {
    featurelist.ok_or_else(|| WhmError::reason("No featurelist name specified."))
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

#[derive(Debug, Serialize, JsonSchema)]
struct Featurelists {
    /// The lists' names: root's start with the built-in `default` and `disabled`.
    featurelists: Vec<String>,
}

async fn get_featurelists(call: Call, _: ()) -> Result<Outcome<Featurelists>, WhmError> {
    let stored = call.ctx.stores.feature_lists.feature_lists().await?;
    let featurelists = if call.principal.is_root() {
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
    Ok(Outcome::ok(Featurelists { featurelists }))
}

#[derive(Debug, Serialize, JsonSchema)]
struct FeatureNames {
    feature: Vec<FeatureName>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct FeatureName {
    id: &'static str,
    name: &'static str,
}

async fn get_feature_names(_: Call, _: ()) -> Result<Outcome<FeatureNames>, WhmError> {
    let feature = FEATURES
        .iter()
        .map(|(id, name)| FeatureName { id, name })
        .collect();
    Ok(Outcome::ok(FeatureNames { feature }))
}

#[derive(Debug, Deserialize, JsonSchema)]
struct GetFeaturelistData {
    featurelist: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct FeaturelistData {
    featurelist: String,
    features: Vec<FeatureState>,
}

/// One feature in a list: "1" or "0" for on, and whether the `disabled` list turns it off
/// everywhere.
#[derive(Debug, Serialize, JsonSchema)]
struct FeatureState {
    id: &'static str,
    value: &'static str,
    is_disabled: &'static str,
}

async fn get_featurelist_data(
    call: Call,
    req: GetFeaturelistData,
) -> Result<Outcome<FeaturelistData>, WhmError> {
    let name = name_arg(req.featurelist)?;
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
    let features = FEATURES
        .iter()
        .map(|(id, _)| {
            let off_everywhere = disabled.as_ref().is_some_and(|d| !d.allows(id));
            FeatureState {
                id,
                value: bit(list.allows(id)),
                is_disabled: bit(off_everywhere),
            }
        })
        .collect();
    Ok(Outcome::ok(FeaturelistData {
        featurelist: name,
        features,
    }))
}
