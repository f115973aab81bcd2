//! modifyacct (<https://api.docs.cpanel.net/openapi/whm/operation/modifyacct/>): lowercase
//! legacy parameters, cpuser-style uppercase keys, and keys WHM does not know, which are
//! stored and returned as they are.

use super::super::dns::{not_foreign, publish_for_account, zone_exists_reason};
use super::super::packages;
use super::names::check_new_username;
use super::reasons;
use super::settings::{self, Settings, parse_limit};
use super::{CHANGED_MEANWHILE, accessible, entry, with_host};
use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::net::Ipv4Addr;
use whmd_domain::StoreError;
use whmd_domain::account::{Account, Limit, NO_SHELL, SHELL};
use whmd_domain::dns::{self, serial_date};
use whmd_domain::names::domain::{DomainContext, check_new_domain, exists_reason};
use whmd_domain::names::username::exists_reason as user_exists_reason;
use whmd_domain::store::{AccountChange, Admission, Conflict, ZoneWrites};
use whmd_domain::time::unix_now;
use whmd_wire::params::Others;
use whmd_wire::{Acl, Api0Data, Api0Shape, ApiVersion, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] =
    &[
        function!("modifyacct", Acl::EDIT_ACCOUNT, Both, modifyacct).api0(Api0Shape::Listed {
            key: "result",
            data: Api0Data::Under("newcfg"),
            raw: None,
            messages: true,
        }),
    ];

/// Lowercase limit parameters and their cpuser keys; `true` where 0 means unlimited.
const LIMITS: &[(&str, &str, bool)] = &[
    ("maxftp", "MAXFTP", true),
    ("maxsql", "MAXSQL", true),
    ("maxpop", "MAXPOP", true),
    ("maxlst", "MAXLST", true),
    ("maxsub", "MAXSUB", false),
    ("maxpark", "MAXPARK", false),
    ("maxaddon", "MAXADDON", false),
];

/// cpuser keys this function never writes: derived, or changed by other functions.
const READ_ONLY: &[&str] = &[
    "USER",
    "DOMAINS",
    "DEADDOMAINS",
    "HOMEDIRLINKS",
    "MTIME",
    "__CACHE_DATA_VERSION",
    "SUSPENDED",
    "SUSPENDTIME",
    "STARTDATE",
    "UUID",
];

#[derive(Debug, Deserialize, JsonSchema)]
struct Modifyacct {
    /// The account to change.
    user: Option<String>,
    /// Accepted and ignored: whmd keeps no databases.
    #[serde(rename = "rename_database_objects")]
    _rename_database_objects: Option<String>,
    /// Accepted and ignored.
    #[serde(rename = "spamassassin")]
    _spamassassin: Option<String>,
    /// The changes, in the order sent: `newuser`, `domain` (or `DNS`), `owner`,
    /// `contactemail`, `quota` and `bwlimit` (MB), `BWLIMIT` (bytes), `hasshell`, `hascgi`,
    /// `hasdkim`, `hasspf`, `locale`, `rs`, the `max*` limits, `PLAN`, `FEATURELIST`, and
    /// root's `IP`, `BACKUP` and `LEGACY_BACKUP`; any other cpuser key (a letter or `_`, then
    /// letters, digits, `_` or `-`) is stored as it is.
    #[serde(flatten)]
    changes: Others,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Modified {
    domain: String,
    user: String,
    /// The new shell, or `unmodified`.
    setshell: &'static str,
    /// The account's whole cpuser hash after the change.
    cpuser: Map<String, Value>,
}

/// The changed account, or (API 0, when no user is named) `{missingfields: ["user"]}`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
enum ModifyResponse {
    Modified(Modified),
    Missing { missingfields: [&'static str; 1] },
}

/// What the arguments ask to change beyond plain cpuser keys.
#[derive(Default)]
struct Changes {
    new_user: Option<String>,
    new_domain: Option<String>,
    new_owner: Option<String>,
    shell: Option<&'static str>,
    quota: Option<Option<u64>>,
    /// A new package name (cpuser `PLAN`): recorded, its settings not applied.
    plan: Option<String>,
    featurelist: Option<String>,
}

async fn modifyacct(call: Call, req: Modifyacct) -> Result<Outcome<ModifyResponse>, WhmError> {
    let Some(user) = req.user else {
        if call.version == ApiVersion::V0 {
            return Ok(Outcome {
                data: Some(ModifyResponse::Missing {
                    missingfields: ["user"],
                }),
                ..Outcome::failure("Required fields missing")
            });
        }
        return Err(WhmError::reason("Must at least specify a user to modify."));
    };
    let call = &call;
    let mut account = accessible(call, &user).await?;
    let mut messages = Vec::new();
    let changes = read_changes(call, &req.changes, &mut account, &mut messages)?;
    if let Some(list) = &changes.featurelist {
        settings::featurelist(call, &mut Settings::new(&mut account.cpuser), list).await?;
    }
    let plan = match &changes.plan {
        Some(name) => {
            let plan = packages::usable(call, name)
                .await?
                .ok_or_else(|| WhmError::Reason(format!("The package “{name}” does not exist.")))?;
            account.plan = name.clone();
            Some(plan)
        }
        None => None,
    };
    // Whether the change reaches the host (user, home, shell, quota, sites).
    let mut on_host = false;
    let mut zones = ZoneWrites::none();
    let old_domain = account.domain.clone();
    let old_owner = account.owner.clone();

    if let Some(new_user) = &changes.new_user
        && *new_user != user
    {
        check_new_username(call, new_user, Some(&user)).await?;
        // A home named after the user follows it, under the same root.
        if let Some(root) = account.homedir.strip_suffix(&format!("/{user}")) {
            account.homedir = format!("{root}/{new_user}");
        }
        if account.owner == user {
            account.owner = new_user.clone();
        }
        account.user = new_user.clone();
        on_host = true;
        messages.push(format!("Renamed the account “{user}” to “{new_user}”."));
    }
    if let Some(raw) = &changes.new_domain {
        let ctx = DomainContext {
            username: &account.user,
            hostname: &call.ctx.info.hostname,
            caller_is_root: call.principal.is_root(),
        };
        let domain = check_new_domain(raw, ctx).map_err(WhmError::Reason)?;
        if domain != old_domain {
            if call
                .ctx
                .stores
                .accounts
                .account_by_domain(&domain)
                .await?
                .is_some()
            {
                return Err(WhmError::Reason(exists_reason(&domain)));
            }
            if !call.principal.is_root() {
                not_foreign(call, &domain).await?;
            }
            if call.ctx.stores.zones.zone(&domain).await?.is_some() {
                return Err(WhmError::Reason(zone_exists_reason(&domain)));
            }
            zones = renamed_zone(call, &old_domain, &domain, &user, &account.user).await?;
            account.dead_domains.retain(|d| *d != domain);
            account.dead_domains.push(old_domain.clone());
            account.domain = domain.clone();
            on_host = true;
            messages.push(format!(
                "Changed the main domain from “{old_domain}” to “{domain}”."
            ));
        }
    }
    if let Some(owner) = &changes.new_owner
        && *owner != account.owner
    {
        check_owner(call, owner, &user).await?;
        account.owner = owner.clone();
        messages.push(format!(
            "Changed the owner from “{old_owner}” to “{owner}”."
        ));
    }
    if let Some(shell) = changes.shell
        && shell != account.shell
    {
        account.shell = shell.to_owned();
        on_host = true;
    }
    if let Some(quota) = changes.quota {
        account.quota_mb = quota;
        on_host = true;
    }
    account.mtime = unix_now();

    let mut log = vec![entry(call, "MODIFY", &[&account.user, &account.domain])];
    if account.owner != old_owner {
        log.push(entry(
            call,
            "CHANGEOWNER",
            &[&account.domain, &account.user, &old_owner, &account.owner],
        ));
    }
    let admission = match &plan {
        Some(plan) => packages::admission(call, Some(plan), &account.owner).await?,
        None => Admission::NONE,
    };
    let change = AccountChange::update(user.as_str(), account.clone(), log)
        .admitted(admission)
        .with_zones(zones.clone());
    let stored = match call.ctx.stores.accounts.change(&change).await {
        Ok(stored) => stored.unwrap_or(account),
        Err(StoreError::Conflict(Conflict::Username)) => {
            return Err(WhmError::Reason(user_exists_reason(&account.user)));
        }
        Err(StoreError::Conflict(Conflict::Domain)) => {
            return Err(WhmError::Reason(exists_reason(&account.domain)));
        }
        Err(StoreError::Conflict(Conflict::Zone)) => {
            return Err(WhmError::Reason(zone_exists_reason(&account.domain)));
        }
        Err(StoreError::Conflict(_)) => return Err(WhmError::reason(CHANGED_MEANWHILE)),
        Err(e) => return Err(e.into()),
    };
    let data = ModifyResponse::Modified(Modified {
        cpuser: stored.cpuser_hash(),
        domain: stored.domain,
        user: stored.user,
        setshell: changes.shell.unwrap_or("unmodified"),
    });
    let mut outcome = Outcome::ok(data).with_reason(reasons::ACCOUNT_MODIFIED);
    outcome.output.messages = messages;
    outcome.output.always = true;
    if !zones.put.is_empty() {
        let touched: Vec<String> = (zones.remove.iter().map(|(name, _)| name.clone()))
            .chain(zones.put.iter().map(|z| z.name.clone()))
            .collect();
        outcome
            .output
            .warnings
            .extend(publish_for_account(call, &touched).await);
    }

    let uids: &[u32] = if on_host { &[stored.uid] } else { &[] };
    Ok(with_host(call, outcome, uids, "").await)
}

/// The account's zone moved to its new domain, as zone writes for the account's update: its
/// own zone of the old domain, if it has one, goes; the renamed zone takes its place.
async fn renamed_zone(
    call: &Call,
    old_domain: &str,
    domain: &str,
    user: &str,
    new_user: &str,
) -> Result<ZoneWrites, WhmError> {
    let Some(stored) = call.ctx.stores.zones.zone(old_domain).await? else {
        return Ok(ZoneWrites::none());
    };
    if stored.owner != user {
        return Ok(ZoneWrites::none());
    }
    let zone = whmd_dns::parse(&stored.name, &stored.text).map_err(WhmError::internal)?;
    let renamed = zone
        .renamed(domain)
        .map_err(|e| WhmError::Reason(e.to_string()))?
        .with_next_serial(serial_date(unix_now()));
    Ok(ZoneWrites {
        remove: vec![(stored.name, stored.serial)],
        put: vec![dns::stored(&renamed, new_user)],
        replace: false,
    })
}

/// Applies plain settings to `account` and collects the changes that need checks.
fn read_changes<'a>(
    call: &Call,
    args: &'a Others,
    account: &mut Account,
    messages: &mut Vec<String>,
) -> Result<Changes, WhmError> {
    let root = call.principal.is_root();
    let mut changes = Changes::default();
    let mut settings = Settings::new(&mut account.cpuser);
    let mut ip: Option<&'a str> = None;
    for (key, value) in args {
        let (key, value) = (key.as_str(), value.as_str());
        if value.contains(['\n', '\r']) {
            return Err(WhmError::Reason(format!(
                "The value of “{key}” may not contain a line break."
            )));
        }
        match key {
            "newuser" => changes.new_user = Some(value.to_ascii_lowercase()),
            "DNS" | "domain" | "DOMAIN" => changes.new_domain = Some(value.to_owned()),
            "owner" | "OWNER" => changes.new_owner = Some(value.to_owned()),
            "contactemail" | "CONTACTEMAIL" => settings.contact_email(value)?,
            "bwlimit" => settings.bwlimit_mb(parse_limit(value, key, true)?),
            // Bytes, as cpuser keeps them; no MB range applies.
            "BWLIMIT" => match Limit::parse(value, true) {
                Some(limit) => settings.set("BWLIMIT", limit.to_string()),
                None => {
                    return Err(WhmError::Reason(format!(
                        "Invalid value “{value}” for the “BWLIMIT” setting."
                    )));
                }
            },
            // Uppercase too: legacy clients send the cpuser spelling (`QUOTA`, MB).
            "quota" | "QUOTA" => changes.quota = Some(parse_limit(value, key, true)?.value()),
            "hascgi" | "HASCGI" => settings.set("HASCGI", bit(value)),
            "hasdkim" | "HASDKIM" => settings.set("HASDKIM", bit(value)),
            "hasspf" | "HASSPF" => settings.set("HASSPF", bit(value)),
            "hasshell" | "HASSHELL" => {
                changes.shell = Some(if bit(value) == "1" { SHELL } else { NO_SHELL })
            }
            "locale" | "LOCALE" | "LANG" => settings.locale(value)?,
            "rs" | "RS" | "CPTHEME" => settings.theme(value)?,
            // Backups and addresses are root's to assign.
            "BACKUP" | "LEGACY_BACKUP" | "IP" if !root => {
                return Err(WhmError::Reason(format!(
                    "You cannot use the “{key}” argument because you do not have root access."
                )));
            }
            "BACKUP" | "LEGACY_BACKUP" => settings.set(key, bit(value)),
            "PLAN" => changes.plan = Some(value.to_owned()),
            "IP" => ip = Some(value),
            "FEATURELIST" => changes.featurelist = Some(value.to_owned()),
            _ if READ_ONLY.contains(&key) => {
                messages.push(format!(
                    "“{key}” cannot be changed with this function; it was left as it was."
                ));
            }
            _ => {
                if let Some((_, cpkey, zero)) = LIMITS.iter().find(|(arg, ..)| *arg == key) {
                    settings.set(cpkey, parse_limit(value, key, *zero)?.to_string());
                } else if key.starts_with("MAX") {
                    settings.set(key, parse_limit(value, key, true)?.to_string());
                } else if is_cpuser_key(key) {
                    settings.set(key, value);
                } else {
                    return Err(WhmError::Reason(format!(
                        "“{key}” is not a valid parameter name."
                    )));
                }
            }
        }
    }
    if let Some(ip) = ip {
        let parsed: Ipv4Addr = ip
            .parse()
            .map_err(|_| WhmError::Reason(format!("The IP address “{ip}” is not valid.")))?;
        account.ip = parsed.to_string();
    }
    Ok(changes)
}

/// Only root moves accounts between owners, and only to root or a reseller.
async fn check_owner(call: &Call, owner: &str, user: &str) -> Result<(), WhmError> {
    if !call.principal.is_root() {
        return Err(WhmError::reason(
            "Only root may change the owner of an account.",
        ));
    }
    if owner == "root" || owner == user {
        return Ok(());
    }
    match call.ctx.stores.accounts.account(owner).await? {
        Some(a) if a.reseller.is_some() => Ok(()),
        _ => Err(WhmError::Reason(format!(
            "The owner “{owner}” is not a reseller."
        ))),
    }
}

/// `1` for a true flag, `0` otherwise (Perl truthiness).
fn bit(value: &str) -> &'static str {
    if value.is_empty() || value == "0" {
        "0"
    } else {
        "1"
    }
}

/// A key that can be stored in the cpuser hash: a letter or `_`, then letters, digits, `_`
/// or `-`, at most 64 characters.
fn is_cpuser_key(key: &str) -> bool {
    let b = key.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
}
