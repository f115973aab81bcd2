//! The function registry: the one place that says which functions exist, in which API
//! versions, what privilege each needs and how its reply is shaped. Dispatch and `applist`
//! read it; nothing else lists functions.

use crate::Context;
use crate::function::Signature;
use crate::functions;
use futures::future::BoxFuture;
use schemars::SchemaGenerator;
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use whmd_domain::Principal;
use whmd_wire::{Acl, Api0Shape, Api1Shape, ApiVersion, Args, Outcome, WhmError};

/// One call, as a handler receives it.
#[derive(Debug)]
pub struct Call {
    pub ctx: Arc<Context>,
    pub principal: Principal,
    /// Where the call came from; `None` when run on the server itself (`whmapi1`).
    pub peer: Option<IpAddr>,
    /// The `api.*` arguments: the version and the output controls, which the dispatcher
    /// applies after the handler unless the handler applied them itself.
    pub meta: Arc<Args>,
    pub version: ApiVersion,
}

/// A function as the dispatcher runs it: the call and its own arguments. Sections do not write
/// these: [`function!`](crate::function::function) makes one from a plain `async fn`.
pub type Handler = fn(Call, Args) -> BoxFuture<'static, Result<Outcome, WhmError>>;

/// What a caller must hold to run a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Acl(Acl),
    /// Any authenticated caller (`loadavg` has no ACL check in WHM).
    Authenticated,
}

/// The API versions a function exists in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    V0,
    V1,
    Both,
}

impl Versions {
    pub fn includes(self, version: &ApiVersion) -> bool {
        matches!(
            (self, version),
            (Self::Both, ApiVersion::V0 | ApiVersion::V1)
                | (Self::V0, ApiVersion::V0)
                | (Self::V1, ApiVersion::V1)
        )
    }
}

#[derive(Clone, Copy)]
pub struct FunctionSpec {
    pub name: &'static str,
    pub access: Access,
    pub versions: Versions,
    pub api0: Api0Shape,
    pub api1: Api1Shape,
    /// The key of the list in the function's data that the output controls (`api.filter`,
    /// `api.sort`, `api.chunk`, `api.columns`) apply to; `None` for functions without one.
    pub list: Option<&'static str>,
    /// The function changes nothing. After any other function the dispatcher forgets every
    /// remembered token proof, since it may have changed credentials or privileges.
    pub read_only: bool,
    /// The reply holds a secret shown once (a new API token, a login URL), so it is not kept
    /// for an `Idempotency-Key`: the key is not honoured for this function.
    pub secret_reply: bool,
    /// Other names clients send for an argument: `(other name, the handler's name)`. The
    /// argument is renamed before the handler runs, in either API version, unless the
    /// handler's name is given too (`passwd` takes `pass`, API 0's name, beside `password`).
    pub aliases: &'static [(&'static str, &'static str)],
    pub handler: Handler,
    /// The section it is listed under (set by the registry).
    pub section: &'static str,
    /// The schemas of its request and response types, for the OpenAPI document.
    pub describe: fn(&mut SchemaGenerator) -> Signature,
}

impl fmt::Debug for FunctionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionSpec")
            .field("name", &self.name)
            .field("access", &self.access)
            .field("versions", &self.versions)
            .finish_non_exhaustive()
    }
}

impl FunctionSpec {
    /// A function in the standard `{data, metadata}` / flat API 0 shapes. Sections write
    /// [`function!`](crate::function::function) rather than call this.
    pub const fn new(
        name: &'static str,
        access: Access,
        versions: Versions,
        handler: Handler,
        describe: fn(&mut SchemaGenerator) -> Signature,
    ) -> Self {
        Self {
            name,
            access,
            versions,
            api0: Api0Shape::Flat,
            api1: Api1Shape::Envelope,
            list: None,
            read_only: false,
            secret_reply: false,
            aliases: &[],
            handler,
            section: "",
            describe,
        }
    }

    pub const fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    pub const fn secret_reply(mut self) -> Self {
        self.secret_reply = true;
        self
    }

    pub const fn list(mut self, key: &'static str) -> Self {
        self.list = Some(key);
        self
    }

    pub const fn api0(mut self, shape: Api0Shape) -> Self {
        self.api0 = shape;
        self
    }

    pub const fn aliases(mut self, names: &'static [(&'static str, &'static str)]) -> Self {
        self.aliases = names;
        self
    }

    pub const fn api1(mut self, shape: Api1Shape) -> Self {
        self.api1 = shape;
        self
    }

    /// Whether `principal` may run this function.
    pub fn permits(&self, principal: &Principal) -> bool {
        match self.access {
            Access::Acl(acl) => principal.acls.permits(acl),
            Access::Authenticated => true,
        }
    }
}

#[derive(Debug)]
pub struct Registry {
    functions: HashMap<&'static str, FunctionSpec>,
}

impl Registry {
    /// Every function whmd implements.
    pub fn standard() -> Self {
        let mut functions = HashMap::new();
        for (section, specs) in functions::ALL {
            for spec in specs.iter() {
                let spec = FunctionSpec { section, ..*spec };
                let previous = functions.insert(spec.name, spec);
                assert!(
                    previous.is_none(),
                    "function {} registered twice",
                    spec.name
                );
            }
        }
        Self { functions }
    }

    /// A registry of just these functions, for tests of the dispatcher.
    #[cfg(test)]
    pub(crate) fn from_specs(specs: &[FunctionSpec]) -> Self {
        Self {
            functions: specs.iter().map(|s| (s.name, *s)).collect(),
        }
    }

    /// The function called `name` in `version`, if it exists there.
    pub fn get(&self, name: &str, version: &ApiVersion) -> Option<&FunctionSpec> {
        self.functions
            .get(name)
            .filter(|s| s.versions.includes(version))
    }

    /// Every registered function, in no particular order.
    pub fn specs(&self) -> impl Iterator<Item = &FunctionSpec> {
        self.functions.values()
    }

    /// The functions of `version` that `principal` may run, sorted by name.
    pub fn available(&self, version: &ApiVersion, principal: &Principal) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self
            .functions
            .values()
            .filter(|s| s.versions.includes(version) && s.permits(principal))
            .map(|s| s.name)
            .collect();
        names.sort_unstable();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_is_listed_exactly_once() {
        let listed: usize = functions::ALL.iter().map(|(_, specs)| specs.len()).sum();
        assert_eq!(Registry::standard().specs().count(), listed);
    }
}
