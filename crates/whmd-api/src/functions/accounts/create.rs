//! createacct (FUNCTIONS.md §2): validate everything, store the account in one transaction,
//! then ask the host for the system user, zone and web server entry.

use super::super::args::{flag, optional, required, yes_no};
use super::super::dns::{not_foreign, publish_for_account, zone_exists_reason};
use super::super::ips::{NONE_FREE, free_address};
use super::super::packages;
use super::names::check_new_username;
use super::settings::{self, Settings, apply_limits};
use super::{entry, with_host};
use crate::registry::Call;
use crate::{Access, FunctionSpec, Versions};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use whmd_dns::Template;
use whmd_domain::StoreError;
use whmd_domain::account::{Account, NO_SHELL, SHELL, default_reseller_acls};
use whmd_domain::dns::NewZone;
use whmd_domain::names::domain::{DomainContext, check_new_domain, exists_reason};
use whmd_domain::names::username::exists_reason as user_exists_reason;
use whmd_domain::package::DEFAULT;
use whmd_domain::reseller::Reseller;
use whmd_domain::secret::{Secret, hash_system_password};
use whmd_domain::store::{AccountChange, Conflict, Refusal, StoredZone, ZoneWrites};
use whmd_domain::time::unix_now;
use whmd_wire::{Acl, Api0Data, Api0Shape, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] = &[FunctionSpec::legacy(
    "createacct",
    Access::Acl(Acl::CREATE_ACCT),
    Versions::Both,
    createacct,
)
.api0(Api0Shape::Listed {
    key: "result",
    data: Api0Data::Under("options"),
    raw: Some("rawout"),
    messages: false,
})];

/// Arguments only root may pass (FUNCTIONS.md §2, createacct).
const ROOT_ONLY: &[&str] = &[
    "force",
    "forcedns",
    "is_restore",
    "mailbox_format",
    "uid",
    "gid",
    "homedir",
    "reseller",
];

/// The length of a generated password.
const GENERATED_PASSWORD_LEN: usize = 14;

fn createacct(call: Call) -> BoxFuture<'static, Result<Outcome, WhmError>> {
    Box::pin(async move { create(&call).await })
}

async fn create(call: &Call) -> Result<Outcome, WhmError> {
    let args = &call.args;
    let root = call.principal.is_root();
    if !root {
        if let Some(key) = ROOT_ONLY.iter().find(|k| args.contains(k)) {
            return Err(WhmError::Reason(format!(
                "You cannot use the “{key}” argument because you do not have root access."
            )));
        }
        if args.contains("child_workloads") {
            return Err(WhmError::reason("Invalid parameter: child_workloads"));
        }
    }
    let mut raw = String::from("Checking input data...Done\n");
    let user = required(args, "username")?.to_ascii_lowercase();
    check_new_username(call, &user, None).await?;
    raw.push_str("Validating Username...Done\n");

    let ctx = DomainContext {
        username: &user,
        hostname: &call.ctx.info.hostname,
        caller_is_root: root,
    };
    let without_domain = args.is_true("reseller") && args.is_true("reseller_without_domain");
    let domain = match optional(args, "domain").filter(|_| !without_domain) {
        Some(raw) => check_new_domain(raw, ctx).map_err(WhmError::Reason)?,
        // WHM makes a temporary domain when none is given; whmd's is a name under the
        // server's own hostname, which the server controls.
        None => {
            let temporary = format!("{user}.{}", call.ctx.info.hostname.to_ascii_lowercase());
            let as_root = DomainContext {
                caller_is_root: true,
                ..ctx
            };
            let domain = check_new_domain(&temporary, as_root).map_err(WhmError::Reason)?;
            raw.push_str(&format!(
                "No domain was given: using the temporary domain {domain}\n"
            ));
            domain
        }
    };
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
    raw.push_str("Validating Domain...Done\n");

    let owner = owner(call, &user).await?;
    let plan_name = optional(args, "plan").unwrap_or(DEFAULT).to_owned();
    let plan = packages::usable(call, &plan_name)
        .await?
        .ok_or_else(|| no_package(&plan_name))?;
    check_custom_settings(call)?;
    let (ip, pooled) = ip(call, plan.package.flag("IP")).await?;
    raw.push_str("Validating IP...Done\n");

    let now = unix_now();
    let mut cpuser = BTreeMap::new();
    Settings::new(&mut cpuser).defaults(&call.ctx.info.whm_version, now);
    let homedir = match optional(args, "homedir") {
        Some(h)
            if h.starts_with('/')
                && !h.split('/').any(|s| s == "..")
                && !h.contains(['\n', '\0', ':']) =>
        {
            h.trim_end_matches('/').to_owned()
        }
        Some(h) => {
            return Err(WhmError::Reason(format!(
                "The home directory “{h}” is not an absolute path."
            )));
        }
        None => {
            let root = call
                .ctx
                .info
                .home_roots
                .as_ref()
                .and_then(|r| r.first())
                .map_or("/home", String::as_str);
            format!("{root}/{user}")
        }
    };
    if let Some(roots) = &call.ctx.info.home_roots {
        let parent = homedir.rsplit_once('/').map_or("", |(p, _)| p);
        if !roots.iter().any(|r| r == parent) {
            return Err(WhmError::Reason(format!(
                "The home directory “{homedir}” is not directly below one of this server’s home roots ({}).",
                roots.join(", ")
            )));
        }
    }
    let uid = match optional(args, "uid") {
        Some(u) => u
            .parse::<u32>()
            .ok()
            .filter(|u| *u >= 500)
            .ok_or_else(|| WhmError::Reason(format!("The user ID “{u}” is not valid.")))?,
        None => 0,
    };
    let reseller = args
        .is_true("reseller")
        .then(|| Reseller::new(default_reseller_acls()));
    let mut account = Account {
        user: user.clone(),
        domain: domain.clone(),
        owner,
        plan: plan_name.clone(),
        ip,
        uid,
        homedir,
        shell: NO_SHELL.to_owned(),
        quota_mb: None,
        suspension: None,
        reseller,
        cpuser,
        domains: vec![],
        dead_domains: vec![],
        homedir_links: vec![],
        host: call.ctx.info.hostname.clone(),
        mtime: now,
        revision: 0,
    };
    // The package gives the settings; the call's own arguments override them.
    plan.package.apply_to(&mut account, None);
    let mut settings = Settings::new(&mut account.cpuser);
    if let Some(quota) = apply_limits(args, &mut settings)? {
        account.quota_mb = quota;
    }
    settings.flags_from(args)?;
    if let Some(list) = optional(args, "featurelist") {
        settings::featurelist(call, &mut settings, list).await?;
    }
    if let Some(email) = optional(args, "contactemail") {
        settings.contact_email(email)?;
        raw.push_str("Validating Contact Email...Done\n");
    }
    if optional(args, "hasshell").is_some() {
        account.shell = if flag(args, "hasshell", false) {
            SHELL
        } else {
            NO_SHELL
        }
        .to_owned();
    }

    let password = match optional(args, "password").or_else(|| optional(args, "pass")) {
        Some(p) => Secret::new(p),
        None => generated_password(),
    };
    if !root {
        not_foreign(call, &domain).await?;
    }
    let forcedns = root && args.is_true("forcedns");
    if !forcedns && call.ctx.stores.zones.zone(&domain).await?.is_some() {
        return Err(WhmError::Reason(zone_exists_reason(&domain)));
    }
    let mut admission = packages::admission(call, Some(&plan), &account.owner).await?;
    let phc = hash_system_password(password.clone())
        .await
        .map_err(WhmError::internal)?;
    let mut tries = 0;
    let written = loop {
        let zone = new_zone(call, &account)?;
        let log = entry(call, "CREATE", &[&domain, &account.ip, &user]);
        admission.address = pooled.then(|| account.ip.clone());
        let change = AccountChange::create(account.clone(), phc.as_str(), log)
            .admitted(admission.clone())
            .with_zones(ZoneWrites::put(zone, forcedns));
        let written = call.ctx.stores.accounts.change(&change).await;
        // Another request took the pool address picked for this one, or it left the pool: the
        // next free one.
        match written {
            Err(StoreError::Refused(Refusal::AddressTaken(_) | Refusal::NoSuchAddress(_)))
                if pooled && tries < MAX_ADDRESS_TRIES =>
            {
                tries += 1;
                account.ip = free_address(call)
                    .await?
                    .ok_or_else(|| WhmError::reason(NONE_FREE))?
                    .to_string();
            }
            other => break other,
        }
    };
    // A conflict means another request took the name, domain or zone, or changed the
    // package, since they were checked.
    let stored = match written {
        Ok(Some(stored)) => stored,
        Ok(None) => return Err(WhmError::internal("the new account was not stored")),
        Err(StoreError::Conflict(Conflict::Username)) => {
            return Err(WhmError::Reason(user_exists_reason(&user)));
        }
        Err(StoreError::Conflict(Conflict::Domain)) => {
            return Err(WhmError::Reason(exists_reason(&domain)));
        }
        Err(StoreError::Conflict(Conflict::Zone)) => {
            return Err(WhmError::Reason(zone_exists_reason(&domain)));
        }
        Err(StoreError::Conflict(Conflict::Package)) => {
            return Err(WhmError::reason(
                "The package changed while the account was being created. Try again.",
            ));
        }
        Err(StoreError::Refused(Refusal::NoSuchPackage(_))) => {
            return Err(no_package(&plan_name));
        }
        Err(e) => return Err(e.into()),
    };
    let ip = stored.ip.clone();
    write_summary(
        &mut raw,
        &stored,
        yes_no(args, "showpass", true).then_some(&password),
    );
    raw.push_str(&format!("Adding the DNS zone {domain}...Done\n"));
    let mut outcome = Outcome::ok(creation_data(call, &ip, &plan_name))
        .with_reason("Account Creation Ok")
        .with_raw(raw);
    outcome
        .output
        .warnings
        .extend(publish_for_account(call, std::slice::from_ref(&domain)).await);
    Ok(with_host(call, outcome, &[stored.uid], "").await)
}

/// The account's zone from the standard template, with its address and the server's
/// nameservers.
fn new_zone(call: &Call, account: &Account) -> Result<StoredZone, WhmError> {
    let ipv4 = account.ip.parse().map_err(|_| {
        WhmError::Reason(format!(
            "Unable to determine the IP address for {}",
            account.domain
        ))
    })?;
    let info = &call.ctx.info;
    let zone = NewZone {
        domain: &account.domain,
        owner: &account.user,
        ipv4,
        ipv6: None,
        template: Template::Standard,
        nameservers: &info.nameservers,
        hostname: &info.hostname,
        now: unix_now(),
        replaces: None,
    }
    .build()
    .map_err(|e| WhmError::Reason(e.to_string()))?;
    Ok(zone)
}

fn no_package(name: &str) -> WhmError {
    WhmError::Reason(format!("The package “{name}” does not exist."))
}

/// Settings a call may give instead of taking its package's.
const CUSTOM_SETTINGS: &[&str] = &[
    "quota",
    "bwlimit",
    "maxftp",
    "maxsql",
    "maxpop",
    "maxlst",
    "maxsub",
    "maxpark",
    "maxaddon",
    "max_email_per_hour",
    "max_defer_fail_percentage",
    "max_emailacct_quota",
    "max_team_users",
    "hasshell",
    "cgi",
    "featurelist",
];

/// A reseller gives an account settings of its own only with the privilege to make packages
/// (what such settings amount to), and shell access only with `allow-shell`; otherwise its
/// accounts take their package's.
fn check_custom_settings(call: &Call) -> Result<(), WhmError> {
    let acls = call.principal.acls;
    let args = &call.args;
    if let Some(key) = CUSTOM_SETTINGS.iter().find(|k| optional(args, k).is_some())
        && !acls.permits(Acl::ADD_PKG)
    {
        return Err(WhmError::Reason(format!(
            "You cannot use the “{key}” argument because you do not have the “add-pkg” privilege: the account takes its package’s settings."
        )));
    }
    if flag(args, "hasshell", false) && !acls.permits(Acl::ALLOW_SHELL) {
        return Err(WhmError::reason(
            "You cannot give an account shell access because you do not have the “allow-shell” privilege.",
        ));
    }
    Ok(())
}

/// The new account's owner: the caller, unless root names a reseller (or `ownerself` makes a
/// new reseller its own owner).
async fn owner(call: &Call, user: &str) -> Result<String, WhmError> {
    let args = &call.args;
    let caller = call.principal.user.as_str();
    if args.is_true("ownerself") && args.is_true("reseller") {
        return Ok(user.to_owned());
    }
    let Some(owner) = optional(args, "owner") else {
        return Ok(caller.to_owned());
    };
    if !call.principal.is_root() {
        if owner != caller {
            return Err(WhmError::reason(
                "Without root access, you can only create accounts that you yourself own.",
            ));
        }
        return Ok(owner.to_owned());
    }
    if owner == "root" {
        return Ok(owner.to_owned());
    }
    match call.ctx.stores.accounts.account(owner).await? {
        Some(a) if a.reseller.is_some() => Ok(owner.to_owned()),
        _ => Err(WhmError::Reason(format!(
            "The owner “{owner}” is not a reseller."
        ))),
    }
}

/// How often createacct picks another free pool address when racing requests took the ones
/// it picked.
const MAX_ADDRESS_TRIES: usize = 8;

/// The address the account gets, and whether it came from the pool: a free pool address when
/// it is to have one of its own (`ip=y`, or a package that gives one), root's `customip`, or
/// the server's main IP.
async fn ip(call: &Call, package_dedicated: bool) -> Result<(String, bool), WhmError> {
    if yes_no(&call.args, "ip", package_dedicated) {
        let ip = free_address(call)
            .await?
            .ok_or_else(|| WhmError::reason(NONE_FREE))?;
        return Ok((ip.to_string(), true));
    }
    let ip = match optional(&call.args, "customip") {
        Some(ip) => ip
            .parse::<Ipv4Addr>()
            .map(|a| a.to_string())
            .map_err(|_| WhmError::Reason(format!("The IP address “{ip}” is not valid.")))?,
        None => call.ctx.info.main_ip.clone(),
    };
    Ok((ip, false))
}

fn generated_password() -> Secret {
    use rand::Rng;
    const ALPHABET: &[u8] =
        b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#%^*()-_=+";
    let mut rng = rand::rng();
    Secret::new(
        (0..GENERATED_PASSWORD_LEN)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect::<String>(),
    )
}

/// The `New Account Info` box of the raw log. The password appears only with `showpass`.
fn write_summary(raw: &mut String, a: &Account, password: Option<&Secret>) {
    let _ = writeln!(raw, "+===================================+");
    let _ = writeln!(raw, "| New Account Info                  |");
    let _ = writeln!(raw, "+===================================+");
    let _ = writeln!(raw, "| Domain: {}", a.domain);
    let _ = writeln!(raw, "| Ip: {} (n)", a.ip);
    let _ = writeln!(
        raw,
        "| HasCgi: {}",
        if a.get("HASCGI") == Some("1") {
            "y"
        } else {
            "n"
        }
    );
    let _ = writeln!(raw, "| UserName: {}", a.user);
    if let Some(p) = password {
        let _ = writeln!(raw, "| PassWord: {}", p.expose());
    }
    let _ = writeln!(raw, "| CpanelMod: {}", a.get_or_default("RS"));
    let _ = writeln!(
        raw,
        "| HomeRoot: /{}",
        a.homedir
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("")
    );
    let quota = a
        .quota_mb
        .map_or_else(|| "unlimited".to_owned(), |q| format!("{q} MB"));
    let _ = writeln!(raw, "| Quota: {quota}");
    let _ = writeln!(
        raw,
        "| Contact Email: {}",
        a.get("CONTACTEMAIL").unwrap_or("")
    );
    let _ = writeln!(raw, "| Package: {}", a.plan);
    let _ = writeln!(raw, "| Feature List: {}", a.get_or_default("FEATURELIST"));
    let _ = writeln!(raw, "| Language: {}", a.get_or_default("LOCALE"));
    let _ = writeln!(raw, "+===================================+");
}

/// createacct's data: the IP, the nameservers and their addresses, the package.
fn creation_data(call: &Call, ip: &str, plan: &str) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("ip".into(), json!(ip));
    let servers = &call.ctx.info.nameservers;
    for (i, suffix) in ["", "2", "3", "4"].iter().enumerate() {
        data.insert(
            format!("nameserver{suffix}"),
            json!(servers.get(i).map_or("", String::as_str)),
        );
        data.insert(format!("nameservera{suffix}"), Value::Null);
        data.insert(format!("nameserverentry{suffix}"), Value::Null);
    }
    data.insert("package".into(), json!(plan));
    data
}
