//! create_featurelist, update_featurelist and delete_featurelist (FUNCTIONS.md §4).

use super::{Reply, inaccessible, missing, name_arg, reachable};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use whmd_domain::StoreError;
use whmd_domain::features::{self, FEATURES, FeatureList};
use whmd_domain::names::catalog::{self, Catalog};
use whmd_wire::{Acl, Outcome, WhmError};

pub const CREATE: FunctionSpec = FunctionSpec::legacy(
    "create_featurelist",
    Access::Acl(Acl::ADD_PKG),
    Versions::V1,
    create_featurelist,
);
pub const UPDATE: FunctionSpec = FunctionSpec::legacy(
    "update_featurelist",
    Access::Acl(Acl::EDIT_PKG),
    Versions::V1,
    update_featurelist,
);
pub const DELETE: FunctionSpec = FunctionSpec::legacy(
    "delete_featurelist",
    Access::Acl(Acl::ADD_PKG),
    Versions::V1,
    delete_featurelist,
);

/// Arguments that are not features.
const CONTROL: &[&str] = &["featurelist", "overwrite", "featurelistname"];

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

fn create_featurelist(call: Call) -> Reply {
    Box::pin(async move {
        let name = name_arg(&call)?.to_owned();
        check_new_name(&call, &name)?;
        let overwrite = call.args.is_true("overwrite");
        let current = reachable(&call, &name).await?;
        if current.is_some() && !overwrite {
            return Err(exists(&name));
        }
        // Features the call does not name are off.
        let mut list = FeatureList::new(&name, &call.principal.user);
        for (id, _) in FEATURES {
            list.features
                .insert((*id).to_owned(), call.args.is_true(id));
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
        let mut data = Map::new();
        data.insert("featurelist".into(), json!(name));
        Ok(Outcome::ok(data))
    })
}

fn update_featurelist(call: Call) -> Reply {
    Box::pin(async move {
        let name = name_arg(&call)?.to_owned();
        if reachable(&call, &name).await?.is_none() {
            // It will be made: its name must be one the caller may give a new list.
            check_new_name(&call, &name)?;
        }
        let mut changes = BTreeMap::new();
        let mut updated = Map::new();
        let mut invalid = Vec::new();
        for (key, value) in call.args.iter() {
            if CONTROL.contains(&key) {
                continue;
            }
            if features::is_feature(key) {
                let on = whmd_wire::args::perl_true(value);
                changes.insert(key.to_owned(), on);
                updated.insert(key.to_owned(), json!(if on { "1" } else { "0" }));
            } else {
                invalid.push(key.to_owned());
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
        let mut data = Map::new();
        data.insert("featurelist".into(), json!(name));
        data.insert("updated_features".into(), Value::Object(updated));
        data.insert("invalid_features".into(), json!(invalid));
        Ok(Outcome::ok(data))
    })
}

fn delete_featurelist(call: Call) -> Reply {
    Box::pin(async move {
        let name = name_arg(&call)?.to_owned();
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
        let mut data = Map::new();
        data.insert("deleted_featurelist".into(), json!(name));
        Ok(Outcome::ok(data))
    })
}
