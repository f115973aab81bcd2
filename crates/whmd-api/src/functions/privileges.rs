//! What the caller may do: applist and myprivs (FUNCTIONS.md §2).

use super::respond;
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde::Serialize;
use std::collections::BTreeMap;
use whmd_wire::{Acl, Api0Shape, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    FunctionSpec::new(
        "applist",
        Access::Acl(Acl::BASIC_WHM_FUNCTIONS),
        Versions::Both,
        applist,
    )
    .read_only()
    .list("app"),
    FunctionSpec::new(
        "myprivs",
        Access::Acl(Acl::BASIC_WHM_FUNCTIONS),
        Versions::Both,
        myprivs,
    )
    .read_only()
    .api0(Api0Shape::Renamed {
        from: "privileges",
        to: "privs",
    })
    .list("privileges"),
];

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

#[derive(Debug, Serialize)]
struct ApplistResponse {
    app: Vec<&'static str>,
}

/// The functions of the called API version that the caller may run, sorted.
fn applist(call: Call) -> Reply {
    Box::pin(async move {
        let app = call.ctx.registry.available(&call.version, &call.principal);
        respond(&ApplistResponse { app })
    })
}

#[derive(Debug, Serialize)]
struct MyprivsResponse {
    /// One map of every ACL name to 0 or 1. Root reports `all: 1` and 0 for the rest, as WHM
    /// does: `all` implies them.
    privileges: [BTreeMap<&'static str, u8>; 1],
}

fn myprivs(call: Call) -> Reply {
    Box::pin(async move {
        let acls = call.principal.acls;
        let map = Acl::every()
            .map(|a| (a.name(), u8::from(acls.has(a))))
            .collect();
        respond(&MyprivsResponse { privileges: [map] })
    })
}
