//! The settings addpkg and editpkg take: keys in any case, cpuser aliases, WHM's value rules,
//! and the clamps a reseller's privileges put on them.

use super::super::featurelists;
use crate::registry::Call;
use std::collections::BTreeMap;
use whmd_domain::account::{MAX_COUNT, MAX_SIZE_MB};
use whmd_domain::names::{MAX_LOCALE_LEN, MAX_THEME_LEN, is_setting_name};
use whmd_domain::package::Package;
use whmd_wire::params::Others;
use whmd_wire::{Acl, WhmError};

/// What a package's disk quota and bandwidth become for a reseller who may not make them
/// unlimited: WHM's documented defaults for these arguments.
const LIMITED_QUOTA_MB: &str = "10240";
const LIMITED_BWLIMIT_MB: &str = "1048576";

/// Count limits, which `allow-unlimited-pkgs` governs.
const COUNTS: &[&str] = &[
    "MAXFTP",
    "MAXSQL",
    "MAXPOP",
    "MAXLST",
    "MAXSUB",
    "MAXPARK",
    "MAXADDON",
    "MAXPASSENGERAPPS",
];

/// How one argument's value is read.
enum Kind {
    /// A count: digits, `unlimited`, `n` (0).
    Count,
    /// A size in MB: at least 1, or `unlimited`; empty is unlimited.
    Size,
    /// `y` or `n`.
    Flag,
    Theme,
    Locale,
    FeatureList,
    TeamUsers,
}

/// The package key an argument sets (matched in lower case) and how its value is read.
fn key_of(arg: &str) -> Option<(&'static str, Kind)> {
    Some(match arg {
        "featurelist" => ("FEATURELIST", Kind::FeatureList),
        "quota" => ("QUOTA", Kind::Size),
        "bwlimit" => ("BWLIMIT", Kind::Size),
        "max_emailacct_quota" => ("MAX_EMAILACCT_QUOTA", Kind::Size),
        "ip" => ("IP", Kind::Flag),
        "cgi" | "hascgi" => ("CGI", Kind::Flag),
        "hasshell" => ("HASSHELL", Kind::Flag),
        "digestauth" => ("DIGESTAUTH", Kind::Flag),
        "cpmod" | "rs" => ("CPMOD", Kind::Theme),
        "language" | "lang" | "locale" => ("LANG", Kind::Locale),
        "maxftp" => ("MAXFTP", Kind::Count),
        "maxsql" => ("MAXSQL", Kind::Count),
        "maxpop" => ("MAXPOP", Kind::Count),
        "maxlst" => ("MAXLST", Kind::Count),
        "maxsub" => ("MAXSUB", Kind::Count),
        "maxpark" => ("MAXPARK", Kind::Count),
        "maxaddon" => ("MAXADDON", Kind::Count),
        "maxpassengerapps" => ("MAXPASSENGERAPPS", Kind::Count),
        "max_email_per_hour" => ("MAX_EMAIL_PER_HOUR", Kind::Count),
        "max_defer_fail_percentage" => ("MAX_DEFER_FAIL_PERCENTAGE", Kind::Count),
        "max_team_users" => ("MAX_TEAM_USERS", Kind::TeamUsers),
        _ => return None,
    })
}

/// Arguments that are not settings: the name, and keys WHM takes but ignores.
const NOT_SETTINGS: &[&str] = &["name", "pkgname", "frontpage", "maxlists"];

/// Applies the call's settings to `package` (which holds its current ones when it is
/// `stored`, or the defaults for a new one), then the caller's clamps. Returns the keys whose
/// value changed. Every invalid value is reported, one per line, and then nothing is applied.
pub async fn apply(
    call: &Call,
    args: &Others,
    package: &mut Package,
    stored: bool,
) -> Result<Vec<String>, WhmError> {
    let before = package.settings.clone();
    let mut errors = Vec::new();
    let mut extensions: Option<Vec<String>> = None;
    let mut variables = Vec::new();
    for (key, value) in args {
        let lower = key.to_ascii_lowercase();
        if NOT_SETTINGS.contains(&lower.as_str()) {
            continue;
        }
        // WHM strips commas from every value.
        let value: String = value.chars().filter(|c| *c != ',').collect();
        if value.contains(['\n', '\r', '\0']) {
            errors.push(format!(
                "The value of “{key}” may not contain a line break."
            ));
            continue;
        }
        if lower == "_package_extensions" || lower.starts_with("_package_extensions-") {
            extensions
                .get_or_insert_with(Vec::new)
                .extend(value.split_whitespace().map(str::to_owned));
            continue;
        }
        let Some((target, kind)) = key_of(&lower) else {
            variables.push((key.to_owned(), value));
            continue;
        };
        match read(call, &kind, &value).await? {
            Some(v) => {
                package.settings.insert(target.to_owned(), v);
            }
            None => errors.push(format!(
                "Invalid value “{value}” for the “{lower}” setting."
            )),
        }
    }
    if let Some(list) = extensions {
        package
            .settings
            .insert("_PACKAGE_EXTENSIONS".into(), list.join(" "));
    }
    // Other keys are package-extension variables, kept only for an extension the package
    // names (as `<extension>_<variable>`); anything else is not a setting and is ignored.
    let named: Vec<String> = package
        .get("_PACKAGE_EXTENSIONS")
        .split_whitespace()
        .map(|e| format!("{e}_"))
        .collect();
    for (key, value) in variables {
        if named.iter().any(|prefix| key.starts_with(prefix.as_str())) {
            package.settings.insert(key, value);
        }
    }
    if !errors.is_empty() {
        return Err(WhmError::Reason(errors.join("\n")));
    }
    if !call.principal.is_root() {
        // A new package has no values of its own to keep.
        let kept = if stored {
            before.clone()
        } else {
            BTreeMap::new()
        };
        clamp(call, package, &kept);
    }
    let mut changed: Vec<String> = package
        .settings
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    changed.extend(
        before
            .keys()
            .filter(|k| !package.settings.contains_key(*k))
            .cloned(),
    );
    Ok(changed)
}

/// One value read as `kind`; `None` when it is not valid.
async fn read(call: &Call, kind: &Kind, value: &str) -> Result<Option<String>, WhmError> {
    let lower = value.trim().to_ascii_lowercase();
    Ok(match kind {
        Kind::Count => match lower.as_str() {
            "unlimited" | "null" | "" => Some("unlimited".into()),
            "n" => Some("0".into()),
            digits => digits
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= MAX_COUNT && digits.bytes().all(|b| b.is_ascii_digit()))
                .map(|n| n.to_string()),
        },
        // 0 is refused: it would read as unlimited.
        Kind::Size => match lower.as_str() {
            "unlimited" | "null" | "" => Some("unlimited".into()),
            digits => digits
                .parse::<u64>()
                .ok()
                .filter(|n| {
                    (1..=MAX_SIZE_MB).contains(n) && digits.bytes().all(|b| b.is_ascii_digit())
                })
                .map(|n| n.to_string()),
        },
        Kind::Flag => Some(if flag(&lower) { "y" } else { "n" }.into()),
        Kind::Theme => is_setting_name(value, MAX_THEME_LEN).then(|| value.to_owned()),
        Kind::Locale => is_setting_name(value, MAX_LOCALE_LEN).then(|| value.to_owned()),
        Kind::TeamUsers => lower
            .parse::<u8>()
            .ok()
            .filter(|n| *n <= 7)
            .map(|n| n.to_string()),
        Kind::FeatureList => featurelists::usable(call, value)
            .await?
            .then(|| value.to_owned()),
    })
}

/// `y`, `yes`, `on` and other true values are `y`; `n`, `no`, `off`, `0` and empty are `n`.
fn flag(value: &str) -> bool {
    !matches!(value, "" | "0" | "n" | "no" | "off" | "false")
}

/// What a reseller's privileges allow a package to hold: without them
/// shell access, a dedicated address, parked and addon domains and unlimited values are taken
/// away, keeping a value the package already had.
fn clamp(call: &Call, package: &mut Package, before: &BTreeMap<String, String>) {
    let acls = call.principal.acls;
    let mut hold = |key: &str, allowed: bool, fallback: &str| {
        if allowed {
            return;
        }
        let value = before.get(key).map_or(fallback, String::as_str).to_owned();
        package.settings.insert(key.to_owned(), value);
    };
    hold("HASSHELL", acls.permits(Acl::ADD_PKG_SHELL), "n");
    hold("IP", acls.permits(Acl::ADD_PKG_IP), "n");
    hold("MAXPARK", acls.permits(Acl::ALLOW_PARKEDCREATE), "0");
    hold("MAXADDON", acls.permits(Acl::ALLOW_ADDONCREATE), "0");
    let emails = acls.permits(Acl::ALLOW_EMAILLIMITS_PKGS);
    hold("MAX_EMAIL_PER_HOUR", emails, "unlimited");
    hold("MAX_DEFER_FAIL_PERCENTAGE", emails, "unlimited");
    let unlimited = |package: &Package, key: &str| package.get(key) == "unlimited";
    let was_unlimited = |key: &str| before.get(key).is_some_and(|v| v == "unlimited");
    for (key, acl, limited) in [
        ("QUOTA", Acl::ALLOW_UNLIMITED_DISK_PKGS, LIMITED_QUOTA_MB),
        ("BWLIMIT", Acl::ALLOW_UNLIMITED_BW_PKGS, LIMITED_BWLIMIT_MB),
    ] {
        if unlimited(package, key) && !acls.permits(acl) && !was_unlimited(key) {
            package.settings.insert(key.to_owned(), limited.to_owned());
        }
    }
    if !acls.permits(Acl::ALLOW_UNLIMITED_PKGS) {
        for key in COUNTS {
            if unlimited(package, key) && !was_unlimited(key) {
                package.settings.insert((*key).to_owned(), "0".to_owned());
            }
        }
    }
}
