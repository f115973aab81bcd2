//! createacct: validate everything, store the account in one transaction, then ask the host
//! for the system user, zone and web server entry.

use super::super::dns::{not_foreign, publish_for_account, zone_exists_reason};
use super::super::ips::{NONE_FREE, free_address};
use super::super::packages;
use super::names::check_new_username;
use super::reasons;
use super::settings::{self, SettingArgs, Settings, apply_limits};
use super::{entry, with_host};
use crate::FunctionSpec;
use crate::function::function;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;
use whmd_dns::Template;
use whmd_domain::StoreError;
use whmd_domain::account::{Account, NO_SHELL, SHELL, default_reseller_acls};
use whmd_domain::dns::NewZone;
use whmd_domain::names::domain::{DomainContext, NewDomain, check_new_domain, exists_reason};
use whmd_domain::names::username::{NewUsername, exists_reason as user_exists_reason};
use whmd_domain::package::DEFAULT;
use whmd_domain::reseller::Reseller;
use whmd_domain::secret::{Secret, hash_system_password};
use whmd_domain::store::{AccountChange, Conflict, Refusal, StoredZone, ZoneWrites};
use whmd_domain::time::unix_now;
use whmd_wire::params::{Flag, Sent, YesNo};
use whmd_wire::{Acl, Api0Data, Api0Shape, Outcome, WhmError};

pub const FUNCTIONS: &[FunctionSpec] =
    &[
        function!("createacct", Acl::CREATE_ACCT, Both, createacct).api0(Api0Shape::Listed {
            key: "result",
            data: Api0Data::Under("options"),
            raw: Some("rawout"),
            messages: false,
        }),
    ];

/// createacct's arguments, in the order of cPanel's documentation
/// (<https://api.docs.cpanel.net/openapi/whm/operation/createacct/>).
#[derive(Debug, Deserialize, JsonSchema)]
struct Createacct {
    /// The new account's user name.
    username: NewUsername,
    /// Its main domain; without one the account gets `USER.HOSTNAME`.
    domain: Option<NewDomain>,
    /// The package; `default` by default.
    plan: Option<String>,
    /// The password (`pass` in API 0); one is made when none is given.
    password: Option<String>,
    pass: Option<String>,
    contactemail: Option<String>,
    /// A reseller to own the account (root only); the caller by default.
    owner: Option<String>,
    /// With `reseller`: the new reseller owns itself.
    #[serde(default)]
    ownerself: Flag<false>,
    /// Make the account a reseller (root only).
    #[serde(default)]
    reseller: Sent,
    /// With `reseller`: no domain.
    #[serde(default)]
    reseller_without_domain: Flag<false>,
    /// `y` gives the account an address of its own from the pool; the package decides by
    /// default.
    ip: Option<String>,
    /// The address to use instead of the server's main one.
    customip: Option<String>,
    /// Root only.
    #[serde(default)]
    homedir: Sent,
    /// Root only; 500 or above.
    #[serde(default)]
    uid: Sent,
    /// Root only.
    #[serde(default)]
    gid: Sent,
    /// Root only.
    #[serde(default)]
    force: Sent,
    /// Replace an existing zone of the domain (root only).
    #[serde(default)]
    forcedns: Sent,
    /// Root only.
    #[serde(default)]
    is_restore: Sent,
    /// `maildir` or `mdbox` (root only).
    #[serde(default)]
    mailbox_format: Sent,
    /// Root only.
    #[serde(default)]
    child_workloads: Sent,
    /// Show the password in the raw log.
    #[serde(default)]
    showpass: YesNo<true>,
    #[serde(flatten)]
    settings: SettingArgs,
}

impl Createacct {
    /// The first argument only root may pass that was sent, even empty.
    fn first_root_only(&self) -> Option<&'static str> {
        [
            ("force", &self.force),
            ("forcedns", &self.forcedns),
            ("is_restore", &self.is_restore),
            ("mailbox_format", &self.mailbox_format),
            ("uid", &self.uid),
            ("gid", &self.gid),
            ("homedir", &self.homedir),
            ("reseller", &self.reseller),
        ]
        .into_iter()
        .find(|(_, arg)| arg.is_sent())
        .map(|(name, _)| name)
    }
}

/// What a new account is told: its address, the nameservers and their addresses (always
/// null: whmd does not resolve them), and its package.
#[derive(Debug, Serialize, JsonSchema)]
struct Created {
    ip: String,
    nameserver: String,
    nameservera: Option<String>,
    nameserverentry: Option<String>,
    nameserver2: String,
    nameservera2: Option<String>,
    nameserverentry2: Option<String>,
    nameserver3: String,
    nameservera3: Option<String>,
    nameserverentry3: Option<String>,
    nameserver4: String,
    nameservera4: Option<String>,
    nameserverentry4: Option<String>,
    package: String,
}

/// The length of a generated password.
const GENERATED_PASSWORD_LEN: usize = 14;

async fn createacct(call: Call, req: Createacct) -> Result<Outcome<Created>, WhmError> {
    let call = &call;
    let root = call.principal.is_root();
    if !root {
        if let Some(key) = req.first_root_only() {
            return Err(WhmError::Reason(format!(
                "You cannot use the “{key}” argument because you do not have root access."
            )));
        }
        if req.child_workloads.is_sent() {
            return Err(WhmError::reason("Invalid parameter: child_workloads"));
        }
    }
    let mut raw = String::from("Checking input data...Done\n");
    let user = req.username.as_str().to_owned();
    check_new_username(call, &user, None).await?;
    raw.push_str("Validating Username...Done\n");

    let ctx = DomainContext {
        username: &user,
        hostname: &call.ctx.info.hostname,
        caller_is_root: root,
    };
    let without_domain = req.reseller.is_true() && req.reseller_without_domain.get();
    let domain = match req.domain.as_ref().filter(|_| !without_domain) {
        Some(domain) => domain.check(ctx).map_err(WhmError::Reason)?,
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

    let owner = owner(call, &req, &user).await?;
    let plan_name = req.plan.as_deref().unwrap_or(DEFAULT).to_owned();
    let plan = packages::usable(call, &plan_name)
        .await?
        .ok_or_else(|| no_package(&plan_name))?;
    check_custom_settings(call, &req.settings)?;
    let (ip, pooled) = ip(call, &req, plan.package.flag("IP")).await?;
    raw.push_str("Validating IP...Done\n");

    let now = unix_now();
    let mut cpuser = BTreeMap::new();
    Settings::new(&mut cpuser).defaults(&call.ctx.info.whm_version, now);
    let homedir = match req.homedir.value() {
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
    let uid = match req.uid.value() {
        Some(u) => u
            .parse::<u32>()
            .ok()
            .filter(|u| *u >= 500)
            .ok_or_else(|| WhmError::Reason(format!("The user ID “{u}” is not valid.")))?,
        None => 0,
    };
    let reseller = req
        .reseller
        .is_true()
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
    if let Some(quota) = apply_limits(&req.settings, &mut settings)? {
        account.quota_mb = quota;
    }
    settings.flags_from(&req.settings, req.mailbox_format.value())?;
    if let Some(list) = settings::given(&req.settings.featurelist) {
        settings::featurelist(call, &mut settings, list).await?;
    }
    if let Some(email) = &req.contactemail {
        settings.contact_email(email)?;
        raw.push_str("Validating Contact Email...Done\n");
    }
    if let Some(shell) = req.settings.shell() {
        account.shell = if shell { SHELL } else { NO_SHELL }.to_owned();
    }

    let password = match req.password.as_deref().or(req.pass.as_deref()) {
        Some(p) => Secret::new(p),
        None => generated_password(),
    };
    if !root {
        not_foreign(call, &domain).await?;
    }
    let forcedns = root && req.forcedns.is_true();
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
    write_summary(&mut raw, &stored, req.showpass.get().then_some(&password));
    raw.push_str(&format!("Adding the DNS zone {domain}...Done\n"));
    let mut outcome = Outcome::ok(creation_data(call, &ip, &plan_name))
        .with_reason(reasons::ACCOUNT_CREATED)
        .with_raw(raw);
    outcome
        .output
        .warnings
        .extend(publish_for_account(call, std::slice::from_ref(&domain)).await);
    Ok(with_host(call, outcome, &[stored.uid], "").await)
}

/// The account's zone from the standard template, with its address and the server's
/// nameservers.
pub(crate) fn new_zone(call: &Call, account: &Account) -> Result<StoredZone, WhmError> {
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

/// A reseller gives an account settings of its own only with the privilege to make packages
/// (what such settings amount to), and shell access only with `allow-shell`; otherwise its
/// accounts take their package's.
fn check_custom_settings(call: &Call, settings: &SettingArgs) -> Result<(), WhmError> {
    let acls = call.principal.acls;
    if let Some(key) = settings.first_custom()
        && !acls.permits(Acl::ADD_PKG)
    {
        return Err(WhmError::Reason(format!(
            "You cannot use the “{key}” argument because you do not have the “add-pkg” privilege: the account takes its package’s settings."
        )));
    }
    if settings.shell() == Some(true) && !acls.permits(Acl::ALLOW_SHELL) {
        return Err(WhmError::reason(
            "You cannot give an account shell access because you do not have the “allow-shell” privilege.",
        ));
    }
    Ok(())
}

/// The new account's owner: the caller, unless root names a reseller (or `ownerself` makes a
/// new reseller its own owner).
async fn owner(call: &Call, req: &Createacct, user: &str) -> Result<String, WhmError> {
    let caller = call.principal.user.as_str();
    if req.ownerself.get() && req.reseller.is_true() {
        return Ok(user.to_owned());
    }
    let Some(owner) = req.owner.as_deref() else {
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
async fn ip(
    call: &Call,
    req: &Createacct,
    package_dedicated: bool,
) -> Result<(String, bool), WhmError> {
    let dedicated = match req.ip.as_deref() {
        None => package_dedicated,
        Some(v) => v.starts_with(['y', 'Y']) || v == "1",
    };
    if dedicated {
        let ip = free_address(call)
            .await?
            .ok_or_else(|| WhmError::reason(NONE_FREE))?;
        return Ok((ip.to_string(), true));
    }
    let ip = match req.customip.as_deref() {
        Some(ip) => ip
            .parse::<Ipv4Addr>()
            .map(|a| a.to_string())
            .map_err(|_| WhmError::Reason(format!("The IP address “{ip}” is not valid.")))?,
        None => call.ctx.info.main_ip.clone(),
    };
    Ok((ip, false))
}

pub(crate) fn generated_password() -> Secret {
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
fn creation_data(call: &Call, ip: &str, plan: &str) -> Created {
    let servers = &call.ctx.info.nameservers;
    let server = |i: usize| servers.get(i).cloned().unwrap_or_default();
    Created {
        ip: ip.to_owned(),
        nameserver: server(0),
        nameservera: None,
        nameserverentry: None,
        nameserver2: server(1),
        nameservera2: None,
        nameserverentry2: None,
        nameserver3: server(2),
        nameservera3: None,
        nameserverentry3: None,
        nameserver4: server(3),
        nameservera4: None,
        nameserverentry4: None,
        package: plan.to_owned(),
    }
}
