//! listpkgs, getpkginfo and matchpkgs: what packages the caller may see, each as its package
//! file's keys.

use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use whmd_domain::account::{Account, Limit};
use whmd_domain::package::{self, DEFAULT, Package};
use whmd_wire::params::Others;
use whmd_wire::{Acl, Api0Shape, ApiVersion, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[
    // The old XML-API layout billing systems (WHMCS among them) read: a top-level `package`
    // list.
    function!("listpkgs", Acl::LIST_PKGS, Both, listpkgs)
        .read_only()
        .list("pkg")
        // The old XML-API layout billing systems read: a top-level `package` list.
        .api0(Api0Shape::Renamed {
            from: "pkg",
            to: "package",
        }),
    function!("getpkginfo", Acl::LIST_PKGS, V1, getpkginfo).read_only(),
    function!("matchpkgs", Acl::LIST_PKGS, V1, matchpkgs)
        .read_only()
        .list("pkg"),
];

/// Which packages a listing shows (`want`).
#[derive(Clone, Copy)]
enum Want {
    All,
    Creatable,
    Editable,
    Viewable,
}

fn want(want: Option<&str>) -> Result<Want, WhmError> {
    // cPanel's own default is `creatable`.
    Ok(match want.unwrap_or("creatable") {
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

#[derive(Debug, Deserialize, JsonSchema)]
struct Listpkgs {
    /// `creatable` (the default: those the caller may put accounts on), `viewable`,
    /// `editable` or `all`.
    want: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Packages {
    pkg: Vec<PackageRecord>,
}

/// A listing record: the name and every setting as its raw string.
#[derive(Debug, Serialize, JsonSchema)]
struct PackageRecord {
    name: String,
    #[serde(flatten)]
    settings: BTreeMap<String, String>,
    /// API 0 only: package files of older releases carry it, and API 0 clients read it.
    #[serde(rename = "FRONTPAGE", skip_serializing_if = "Option::is_none")]
    frontpage: Option<&'static str>,
}

fn record(p: Package, version: &ApiVersion) -> PackageRecord {
    PackageRecord {
        name: p.name,
        settings: p.settings,
        frontpage: (*version == ApiVersion::V0).then_some("n"),
    }
}

async fn listpkgs(call: Call, req: Listpkgs) -> Result<Outcome<Packages>, WhmError> {
    let want = want(req.want.as_deref())?;
    let pkg = visible(&call, want)
        .await?
        .into_iter()
        .map(|p| record(p, &call.version))
        .collect();
    Ok(Outcome::ok(Packages { pkg }))
}

/// Limits getpkginfo reports as JSON null when unlimited.
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

#[derive(Debug, Deserialize, JsonSchema)]
struct Getpkginfo {
    pkg: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct PackageInfo {
    /// The package's settings: limits as numbers (null for unlimited where WHM does so),
    /// `CGI`, `HASSHELL` and `IP` as 1/0, `FRONTPAGE` 0; `DIGESTAUTH` stays `y`/`n`.
    pkg: Map<String, Value>,
}

async fn getpkginfo(call: Call, req: Getpkginfo) -> Result<Outcome<PackageInfo>, WhmError> {
    let name = req.pkg;
    let plan = super::usable(&call, &name)
        .await?
        .ok_or_else(|| WhmError::Reason(format!("Invalid package {name}")))?;
    Ok(Outcome::ok(PackageInfo {
        pkg: normalised(&plan.package),
    }))
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

/// Arguments that are not criteria; the language never is.
const NOT_CRITERIA: &[&str] = &["USER", "WANT", "EXCLUDE", "LANG", "LOCALE", "LANGUAGE"];

#[derive(Debug, Deserialize, JsonSchema)]
struct Matchpkgs {
    /// As listpkgs' `want`.
    want: Option<String>,
    /// Match this account's settings (`USER` is taken too).
    user: Option<String>,
    #[serde(rename = "USER")]
    user_upper: Option<String>,
    /// 1 leaves out the account's own package; a name leaves out that package.
    exclude: Option<String>,
    /// Settings the packages must have, by their package-file names in any case (`hascgi`
    /// and `rs` as `CGI` and `CPMOD`); extension variables must match exactly.
    #[serde(flatten)]
    criteria: Others,
}

async fn matchpkgs(call: Call, req: Matchpkgs) -> Result<Outcome<Packages>, WhmError> {
    let want = want(req.want.as_deref())?;
    let mut criteria = Vec::new();
    let mut exclude = None;
    if let Some(user) = req.user.as_deref().or(req.user_upper.as_deref()) {
        let account = call.ctx.stores.accounts.account(user).await?;
        let account = whmd_domain::account::require_access(&call.principal, user, account)
            .map_err(WhmError::Reason)?;
        criteria = account_criteria(&account);
        exclude = Some(account.plan.clone());
    }
    for (key, value) in &req.criteria {
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
    let excluded = match req.exclude.as_deref() {
        Some("1") => exclude,
        Some("0") | None => None,
        Some(name) => Some(name.to_owned()),
    };
    let pkg = visible(&call, want)
        .await?
        .into_iter()
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
    Ok(Outcome::ok(Packages { pkg }))
}
