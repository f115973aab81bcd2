//! create_featurelist, update_featurelist and delete_featurelist.

use super::{inaccessible, missing, name_arg, reachable};
use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use whmd_domain::StoreError;
use whmd_domain::features::{self, FEATURES, FeatureList};
use whmd_domain::names::catalog::{self, Catalog};
use whmd_wire::args::perl_true;
use whmd_wire::params::{Flag, Others};
use whmd_wire::{Acl, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("create_featurelist", Acl::ADD_PKG, V1, create_featurelist),
    function!("update_featurelist", Acl::EDIT_PKG, V1, update_featurelist),
    function!("delete_featurelist", Acl::ADD_PKG, V1, delete_featurelist),
];

#[derive(Debug, Deserialize, JsonSchema)]
struct CreateFeaturelist {
    /// The new list's name (a reseller's is `RESELLER_NAME`).
    featurelist: Option<String>,
    /// Replace a list of that name.
    #[serde(default)]
    overwrite: Flag<false>,
    /// `FEATURE=1` for each feature the list allows; the others are off.
    #[serde(flatten)]
    features: Others,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct UpdateFeaturelist {
    featurelist: Option<String>,
    /// Accepted and ignored.
    #[serde(rename = "featurelistname")]
    _featurelistname: Option<String>,
    /// Accepted and ignored.
    #[serde(rename = "overwrite")]
    _overwrite: Option<String>,
    /// `FEATURE=1` or `FEATURE=0` for each feature to change.
    #[serde(flatten)]
    features: Others,
}

#[derive(Debug, Deserialize, JsonSchema)]
struct DeleteFeaturelist {
    featurelist: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Created {
    featurelist: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Updated {
    featurelist: String,
    /// Each feature changed, as "1" or "0".
    updated_features: Others,
    /// The names sent that are no feature.
    invalid_features: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Deleted {
    deleted_featurelist: String,
}

/// Refuses a name the caller may not give a new list: a reseller's must be
/// `<reseller>_<word>`, and every name must be a safe one.
fn check_new_name(call: &Call, name: &str) -> Result<(), WhmError> {
    let user = &call.principal.user;
    if !call.principal.is_root() && !features::is_reseller_name(user, name) {
        return Err(WhmError::Reason(format!(
            "Invalid featurelist name provided: \"{name}\" is invalid for reseller \"{user}\"."
        )));
    }
    catalog::check(Catalog::FeatureList, name).map_err(|why| {
        WhmError::Reason(format!(
            "Invalid featurelist name provided: \"{name}\" ({why})."
        ))
    })
}

fn exists(name: &str) -> WhmError {
    WhmError::Reason(format!(
        "Featurelist by that name already exists: \"{name}\""
    ))
}

async fn create_featurelist(
    call: Call,
    req: CreateFeaturelist,
) -> Result<Outcome<Created>, WhmError> {
    let name = name_arg(req.featurelist)?;
    check_new_name(&call, &name)?;
    let overwrite = req.overwrite.get();
    let current = reachable(&call, &name).await?;
    if current.is_some() && !overwrite {
        return Err(exists(&name));
    }
    // Features the call does not name are off.
    let mut list = FeatureList::new(&name, &call.principal.user);
    for (id, _) in FEATURES {
        let on = perl_true(req.features.get(*id).map(String::as_str));
        list.features.insert((*id).to_owned(), on);
    }
    if let Some(current) = current {
        list.owner = current.owner;
    }
    match call
        .ctx
        .stores
        .feature_lists
        .save_feature_list(&list, overwrite)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(exists(&name)),
        Err(e) => return Err(e.into()),
    }
    Ok(Outcome::ok(Created { featurelist: name }))
}

async fn update_featurelist(
    call: Call,
    req: UpdateFeaturelist,
) -> Result<Outcome<Updated>, WhmError> {
    let name = name_arg(req.featurelist)?;
    if reachable(&call, &name).await?.is_none() {
        // It will be made: its name must be one the caller may give a new list.
        check_new_name(&call, &name)?;
    }
    let mut changes = BTreeMap::new();
    let mut updated = Others::new();
    let mut invalid = Vec::new();
    for (key, value) in req.features {
        if features::is_feature(&key) {
            let on = perl_true(Some(&value));
            changes.insert(key.clone(), on);
            updated.insert(key, if on { "1" } else { "0" }.to_owned());
        } else {
            invalid.push(key);
        }
    }
    let root = call.principal.is_root();
    match call
        .ctx
        .stores
        .feature_lists
        .update_feature_list(&name, &call.principal.user, !root, &changes)
        .await
    {
        Ok(_) => {}
        // Another's list of that name appeared since it was looked up.
        Err(StoreError::Conflict(_)) => return Err(inaccessible(&name)),
        Err(e) => return Err(e.into()),
    }
    Ok(Outcome::ok(Updated {
        featurelist: name,
        updated_features: updated,
        invalid_features: invalid,
    }))
}

async fn delete_featurelist(
    call: Call,
    req: DeleteFeaturelist,
) -> Result<Outcome<Deleted>, WhmError> {
    let name = name_arg(req.featurelist)?;
    if FeatureList::is_builtin(&name) {
        return Err(WhmError::Reason(format!(
            "The feature list “{name}” cannot be deleted."
        )));
    }
    if reachable(&call, &name).await?.is_none() {
        return Err(missing(&name));
    }
    if !call
        .ctx
        .stores
        .feature_lists
        .remove_feature_list(&name)
        .await?
    {
        return Err(missing(&name));
    }
    Ok(Outcome::ok(Deleted {
        deleted_featurelist: name,
    }))
}
