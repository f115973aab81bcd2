//! listpkgs, getpkginfo and matchpkgs (FUNCTIONS.md §4): what packages the caller may see,
//! each as its package file's keys.

use super::super::args::{optional, required};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use whmd_domain::account::{Account, Limit};
use whmd_domain::package::{self, DEFAULT, Package};
use whmd_wire::{Acl, Api0Shape, ApiVersion, Outcome, WhmError};

pub const LISTPKGS: FunctionSpec = FunctionSpec::legacy(
    "listpkgs",
    Access::Acl(Acl::LIST_PKGS),
    Versions::Both,
    listpkgs,
)
.read_only()
.list("pkg")
// The old XML-API layout billing systems read: a top-level `package` list (CLIENTS.md §8).
.api0(Api0Shape::Renamed {
    from: "pkg",
    to: "package",
});
pub const GETPKGINFO: FunctionSpec = FunctionSpec::legacy(
    "getpkginfo",
    Access::Acl(Acl::LIST_PKGS),
    Versions::V1,
    getpkginfo,
)
.read_only();
pub const MATCHPKGS: FunctionSpec = FunctionSpec::legacy(
    "matchpkgs",
    Access::Acl(Acl::LIST_PKGS),
    Versions::V1,
    matchpkgs,
)
.read_only()
.list("pkg");

type Reply = BoxFuture<'static, Result<Outcome, WhmError>>;

/// Which packages a listing shows (`want`).
#[derive(Clone, Copy)]
enum Want {
    All,
    Creatable,
    Editable,
    Viewable,
}

fn want(call: &Call) -> Result<Want, WhmError> {
    // cPanel's own default is `creatable` (FUNCTIONS.md §4).
    Ok(match optional(&call.args, "want").unwrap_or("creatable") {
        "all" => Want::All,
        "creatable" => Want::Creatable,
        "editable" => Want::Editable,
        "viewable" => Want::Viewable,
        other => {
            return Err(WhmError::Reason(format!(
                "Invalid value “{other}” for “want”: use all, creatable, editable or viewable."
            )));
        }
    })
}

/// The stored packages the caller may see, as `want` selects them, ordered by name.
async fn visible(call: &Call, want: Want) -> Result<Vec<Package>, WhmError> {
    let limits = super::caller_limits(call).await?;
    let principal = &call.principal;
    let packages = call.ctx.stores.packages.packages().await?;
    Ok(packages
        .into_iter()
        .filter(|p| match want {
            Want::All | Want::Viewable => package::can_view(principal, p),
            Want::Editable => package::can_edit(principal, p),
            Want::Creatable => {
                package::can_view(principal, p)
                    && limits.as_ref().is_none_or(|l| l.allows_package(&p.name))
            }
        })
        .collect())
}

/// A listing record: the name and every setting as its raw string.
fn record(p: &Package, version: &ApiVersion) -> Value {
    let mut r = Map::new();
    r.insert("name".into(), json!(p.name));
    for (k, v) in &p.settings {
        r.insert(k.clone(), json!(v));
    }
    if *version == ApiVersion::V0 {
        // Package files of older releases carry it, and API 0 clients read it.
        r.insert("FRONTPAGE".into(), json!("n"));
    }
    Value::Object(r)
}

fn listpkgs(call: Call) -> Reply {
    Box::pin(async move {
        let want = want(&call)?;
        let pkg: Vec<Value> = visible(&call, want)
            .await?
            .iter()
            .map(|p| record(p, &call.version))
            .collect();
        let mut data = Map::new();
        data.insert("pkg".into(), Value::Array(pkg));
        Ok(Outcome::ok(data))
    })
}

/// Limits getpkginfo reports as JSON null when unlimited (FUNCTIONS.md §4).
const NULL_WHEN_UNLIMITED: &[&str] = &[
    "BWLIMIT", "MAXFTP", "MAXADDON", "MAXLST", "MAXPARK", "MAXPOP", "MAXSQL", "MAXSUB", "QUOTA",
];

/// getpkginfo's view of a package: limits as numbers (null for unlimited where WHM does so),
/// `CGI`, `HASSHELL` and `IP` as 1/0, `FRONTPAGE` 0; `DIGESTAUTH` stays `y`/`n`.
fn normalised(p: &Package) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in &p.settings {
        let value = match k.as_str() {
            "CGI" | "HASSHELL" | "IP" => json!(u8::from(p.flag(k))),
            "DIGESTAUTH" => json!(v),
            key if NULL_WHEN_UNLIMITED.contains(&key) => match p.limit(key) {
                Limit::Unlimited => Value::Null,
                Limit::Value(n) => json!(n),
            },
            _ => match v.parse::<u64>() {
                Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) => json!(n),
                _ => json!(v),
            },
        };
        out.insert(k.clone(), value);
    }
    out.insert("FRONTPAGE".into(), json!(0));
    out
}

fn getpkginfo(call: Call) -> Reply {
    Box::pin(async move {
        let name = required(&call.args, "pkg")?.to_owned();
        let plan = super::usable(&call, &name)
            .await?
            .ok_or_else(|| WhmError::Reason(format!("Invalid package {name}")))?;
        let mut data = Map::new();
        data.insert("pkg".into(), Value::Object(normalised(&plan.package)));
        Ok(Outcome::ok(data))
    })
}

/// A setting as matchpkgs compares it: flags as `y`/`n`, unlimited limits as `unlimited`,
/// numbers without leading zeros, everything else in lower case.
fn comparable(key: &str, value: &str) -> String {
    let v = value.trim().to_ascii_lowercase();
    match key {
        "CGI" | "HASSHELL" | "IP" | "DIGESTAUTH" => {
            let on = !matches!(v.as_str(), "" | "0" | "n" | "no" | "off");
            if on { "y" } else { "n" }.to_owned()
        }
        _ => match Limit::parse(&v, matches!(key, "QUOTA" | "BWLIMIT")) {
            Some(limit) if v.bytes().all(|b| b.is_ascii_digit()) || v == "unlimited" => {
                limit.to_string()
            }
            _ => v,
        },
    }
}

/// An account's settings in package form, for matching it against packages.
fn account_criteria(a: &Account) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        "FEATURELIST",
        "MAXADDON",
        "MAXFTP",
        "MAXLST",
        "MAXPARK",
        "MAXPOP",
        "MAXSQL",
        "MAXSUB",
    ]
    .iter()
    .map(|k| ((*k).to_owned(), a.get_or_default(k).to_owned()))
    .collect();
    let megabytes = a
        .bwlimit_bytes()
        .map_or_else(|| "unlimited".to_owned(), |b| (b / 1_048_576).to_string());
    out.push(("BWLIMIT".into(), megabytes));
    out.push((
        "QUOTA".into(),
        a.quota_mb
            .map_or_else(|| "unlimited".to_owned(), |q| q.to_string()),
    ));
    out.push(("CGI".into(), a.get_or_default("HASCGI").to_owned()));
    out.push(("CPMOD".into(), a.get_or_default("RS").to_owned()));
    out.push((
        "HASSHELL".into(),
        if a.has_shell() { "y" } else { "n" }.to_owned(),
    ));
    out
}

/// Arguments that are not criteria; the language never is (FUNCTIONS.md §4).
const NOT_CRITERIA: &[&str] = &["USER", "WANT", "EXCLUDE", "LANG", "LOCALE", "LANGUAGE"];

fn matchpkgs(call: Call) -> Reply {
    Box::pin(async move {
        let want = want(&call)?;
        let mut criteria = Vec::new();
        let mut exclude = None;
        let user = optional(&call.args, "user").or_else(|| optional(&call.args, "USER"));
        if let Some(user) = user {
            let account = call.ctx.stores.accounts.account(user).await?;
            let account = whmd_domain::account::require_access(&call.principal, user, account)
                .map_err(WhmError::Reason)?;
            criteria = account_criteria(&account);
            exclude = Some(account.plan.clone());
        }
        for (key, value) in call.args.iter() {
            let Some(value) = value else { continue };
            let upper = match key.to_ascii_uppercase().as_str() {
                "HASCGI" => "CGI".to_owned(),
                "RS" => "CPMOD".to_owned(),
                other => other.to_owned(),
            };
            if NOT_CRITERIA.contains(&upper.as_str()) {
                continue;
            }
            // Standard keys in any case; extension variables as written.
            let key = if package::is_standard(&upper) {
                upper
            } else {
                key.to_owned()
            };
            criteria.retain(|(k, _)| *k != key);
            criteria.push((key, value.to_owned()));
        }
        // `exclude` leaves out the account's own package (or, given a name, that one).
        let excluded = match optional(&call.args, "exclude") {
            Some("1") => exclude,
            Some("0") | None => None,
            Some(name) => Some(name.to_owned()),
        };
        let pkg: Vec<Value> = visible(&call, want)
            .await?
            .iter()
            .filter(|p| p.name != DEFAULT && Some(&p.name) != excluded.as_ref())
            .filter(|p| {
                criteria.iter().all(|(k, v)| {
                    // Extension variables must match exactly.
                    if package::is_standard(k) {
                        comparable(k, p.get(k)) == comparable(k, v)
                    } else {
                        p.settings.get(k).is_some_and(|x| x == v)
                    }
                })
            })
            .map(|p| record(p, &call.version))
            .collect();
        let mut data = Map::new();
        data.insert("pkg".into(), Value::Array(pkg));
        Ok(Outcome::ok(data))
    })
}
