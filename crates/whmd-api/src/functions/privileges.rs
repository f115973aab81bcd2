//! What the caller may do: applist and myprivs.

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use whmd_wire::{Acl, Api0Shape, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("applist", Acl::BASIC_WHM_FUNCTIONS, Both, applist)
        .read_only()
        .list("app"),
    function!("myprivs", Acl::BASIC_WHM_FUNCTIONS, Both, myprivs)
        .read_only()
        .api0(Api0Shape::Renamed {
            from: "privileges",
            to: "privs",
        })
        .list("privileges"),
];

#[derive(Debug, Serialize, JsonSchema)]
struct ApplistResponse {
    app: Vec<&'static str>,
}

/// The functions of the called API version that the caller may run, sorted.
async fn applist(call: Call, _: ()) -> Result<Outcome<ApplistResponse>, WhmError> {
    let app = call.ctx.registry.available(&call.version, &call.principal);
    Ok(Outcome::ok(ApplistResponse { app }))
}

#[derive(Debug, Serialize, JsonSchema)]
struct MyprivsResponse {
    /// One map of every ACL name to 0 or 1. Root reports `all: 1` and 0 for the rest, as WHM
    /// does: `all` implies them.
    privileges: [BTreeMap<&'static str, u8>; 1],
}

async fn myprivs(call: Call, _: ()) -> Result<Outcome<MyprivsResponse>, WhmError> {
    let acls = call.principal.acls;
    let map = Acl::every()
        .map(|a| (a.name(), u8::from(acls.has(a))))
        .collect();
    Ok(Outcome::ok(MyprivsResponse { privileges: [map] }))
}
