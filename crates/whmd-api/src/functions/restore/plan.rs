//! What an inspected archive restores to on this server: the account as whmd stores it (its
//! settings and limits from `cp/USER`, the package and owner when they exist here, this
//! server's address and home root), its password hash from `shadow`, its zones from
//! `dnszones/`, and a report of each choice. Every check a new account gets is made here,
//! before anything is written.

use super::report::{Module, Status};
use crate::functions::accounts::{Settings, check_name_free, generated_password, new_zone};
use crate::functions::packages;
use crate::registry::Call;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use whmd_archive::Inspected;
use whmd_dns::name::{self, Rule};
use whmd_domain::account::{Account, NO_SHELL, SHELL, Suspension};
use whmd_domain::dns::{serial_date, stored};
use whmd_domain::names::domain::{DomainContext, check_new_domain, exists_reason};
use whmd_domain::names::username::NewUsername;
use whmd_domain::package::DEFAULT;
use whmd_domain::secret::hash_system_password;
use whmd_domain::store::StoredZone;
use whmd_domain::time::unix_now;
use whmd_wire::WhmError;

use super::super::dns::zone_exists_reason;

/// The account to store, with everything that goes in its transaction.
#[derive(Debug)]
pub struct Plan {
    pub account: Account,
    /// The crypt hash for /etc/shadow and logins.
    pub hash: String,
    pub zones: Vec<StoredZone>,
    pub modules: Vec<Module>,
}

/// cpuser keys the account's own fields hold, or that cPanel derives: not copied as keys.
const DERIVED: &[&str] = &[
    "USER",
    "DNS",
    "OWNER",
    "PLAN",
    "IP",
    "HOMEDIRPATHS",
    "SUSPENDED",
    "MTIME",
    "DOMAIN",
    "DBOWNER",
    "__CACHE_DATA_VERSION",
];

/// The plan for `found`, restored under the name `rename` when one is given (it must be a
/// valid new username). With `replacing`, the account of that name is to be replaced: its
/// name, domain and zones count as free.
pub async fn plan(
    call: &Call,
    found: &Inspected,
    rename: Option<&str>,
    replacing: Option<&str>,
) -> Result<Plan, WhmError> {
    let info = &call.ctx.info;
    let user = match rename.filter(|r| *r != found.user) {
        Some(name) => {
            NewUsername::check(name).map_err(WhmError::Reason)?;
            name.to_owned()
        }
        None => found.user.clone(),
    };
    check_name_free(call, &user, replacing).await?;
    let keys = &found.cpuser;
    let domain = keys
        .get("DNS")
        .filter(|d| !d.is_empty())
        .ok_or_else(|| WhmError::Reason(format!("“cp/{user}” names no main domain (DNS=).")))?;
    let ctx = DomainContext {
        username: &user,
        hostname: &info.hostname,
        caller_is_root: true,
    };
    let domain = check_new_domain(domain, ctx).map_err(WhmError::Reason)?;
    if call
        .ctx
        .stores
        .accounts
        .account_by_domain(&domain)
        .await?
        .is_some_and(|other| Some(other.user.as_str()) != replacing)
    {
        return Err(WhmError::Reason(exists_reason(&domain)));
    }

    let mut account_notes = Vec::new();
    let owner = match keys.get("OWNER").map(String::as_str) {
        None | Some("" | "root") => "root".to_owned(),
        Some(owner) => match call.ctx.stores.accounts.account(owner).await? {
            Some(a) if a.reseller.is_some() => owner.to_owned(),
            _ => {
                account_notes.push(format!(
                    "its owner “{owner}” is not a reseller here: root owns it"
                ));
                "root".to_owned()
            }
        },
    };
    let plan = match keys.get("PLAN").filter(|p| !p.is_empty()) {
        Some(name) if packages::usable(call, name).await?.is_some() => name.clone(),
        Some(name) => {
            account_notes.push(format!(
                "its package “{name}” is not on this server: it is on “{DEFAULT}”, with its own limits from the archive"
            ));
            DEFAULT.to_owned()
        }
        None => DEFAULT.to_owned(),
    };
    if let Some(ip) = keys.get("IP").filter(|ip| **ip != info.main_ip) {
        account_notes.push(format!(
            "it had the address {ip}: it has this server's, {}",
            info.main_ip
        ));
    }

    let now = unix_now();
    let mut cpuser = BTreeMap::new();
    Settings::new(&mut cpuser).defaults(&info.whm_version, now);
    let (mut copied, mut dropped) = (0, Vec::new());
    for (key, value) in keys {
        if DERIVED.contains(&key.as_str()) || numbered(key, "DNS") || numbered(key, "XDNS") {
            continue;
        }
        if fit_key(key) && fit_value(value) {
            cpuser.insert(key.clone(), value.clone());
            copied += 1;
        } else {
            dropped.push(key.clone());
        }
    }
    let mut settings = Module::new(
        "CpUser",
        Status::Restored,
        format!(
            "{} from cp/{}",
            count(copied, "setting", "settings"),
            found.user
        ),
    );
    if !dropped.is_empty() {
        settings.note(format!(
            "left out, as not a setting whmd can keep: {}",
            dropped.join(", ")
        ));
    }

    let (mut domains, mut domain_notes) = other_domains(keys, "DNS", &domain, ctx);
    if let Some(text) = &found.userdata_main {
        from_userdata(text, &domain, ctx, &mut domains, &mut domain_notes);
    }
    let (dead_domains, _) = other_domains(keys, "XDNS", &domain, ctx);
    let (shell, shell_note) = shell(found.shell.as_deref());
    account_notes.extend(shell_note);
    let quota_mb = match found.quota_mb {
        Some(0) => None,
        Some(mb) => Some(mb),
        None => keys
            .get("DISK_BLOCK_LIMIT")
            .and_then(|b| b.parse::<u64>().ok())
            .filter(|b| *b > 0)
            .map(|blocks| blocks / 1024),
    };
    let home_root = info
        .home_roots
        .as_ref()
        .and_then(|r| r.first())
        .map_or("/home", String::as_str);
    let suspension = (keys.get("SUSPENDED").map(String::as_str) == Some("1")).then(|| Suspension {
        reason: "Suspended on the server the account was restored from".into(),
        time: now,
        locked: false,
        leave_ftp_enabled: false,
    });
    let account = Account {
        user: user.clone(),
        domain: domain.clone(),
        owner,
        plan,
        ip: info.main_ip.clone(),
        uid: 0,
        homedir: format!("{home_root}/{user}"),
        shell,
        quota_mb,
        suspension,
        reseller: None,
        cpuser,
        domains,
        dead_domains,
        homedir_links: vec![],
        host: info.hostname.clone(),
        mtime: now,
        revision: 0,
    };
    let mut account_module = Module::new(
        "Account",
        Status::Restored,
        format!(
            "{user} ({domain}), owner {}, package {}, home {}{}",
            account.owner,
            account.plan,
            account.homedir,
            if account.suspension.is_some() {
                ", suspended"
            } else {
                ""
            }
        ),
    );
    for note in account_notes {
        account_module.note(note);
    }
    let domains_module = {
        let mut m = Module::new(
            "Domains",
            Status::Restored,
            format!(
                "{domain} and {}, served as aliases of the main site",
                count(account.domains.len(), "other domain", "other domains")
            ),
        );
        for note in domain_notes.drain(..) {
            m.note(note);
        }
        m
    };

    let (hash, password) = password(&user, found.shadow.as_deref()).await?;
    let (zones, zone_module) = zones(call, found, &account, replacing).await?;
    Ok(Plan {
        account,
        hash,
        zones,
        modules: vec![
            account_module,
            settings,
            password,
            domains_module,
            zone_module,
        ],
    })
}

/// `n` and its noun.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `DNS1`, `DNS2`, … for `prefix` `DNS`.
fn numbered(key: &str, prefix: &str) -> bool {
    key.strip_prefix(prefix)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A cpuser key whmd keeps: letters, digits and `_ - .` (`MXCHECK-example.com`).
fn fit_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 128
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn fit_value(value: &str) -> bool {
    value.len() <= 4096 && !value.chars().any(char::is_control)
}

/// The domains under `DNS1`, `DNS2`, … (or `XDNS…`) in order, each one checked; the ones
/// left out, with the reason.
fn other_domains(
    keys: &BTreeMap<String, String>,
    prefix: &str,
    main: &str,
    ctx: DomainContext<'_>,
) -> (Vec<String>, Vec<String>) {
    let mut numbered: Vec<(u32, &String)> = keys
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.parse().ok()?, v)))
        .collect();
    numbered.sort();
    let (mut kept, mut notes) = (Vec::new(), Vec::new());
    for (_, raw) in numbered {
        match check_new_domain(raw, ctx) {
            Ok(d) if d != main && !kept.contains(&d) => kept.push(d),
            Ok(_) => {}
            Err(why) => notes.push(format!("{raw} left out: {why}")),
        }
    }
    (kept, notes)
}

/// Adds the parked and addon domains `userdata/main` lists that `cp/USER` did not, each
/// checked; notes what it added, left out, and the subdomains whmd does not serve.
fn from_userdata(
    text: &str,
    main: &str,
    ctx: DomainContext<'_>,
    domains: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    let listed = match super::userdata::read(text) {
        Ok(listed) => listed,
        Err(why) => {
            notes.push(format!("userdata/main left out: it does not read ({why})"));
            return;
        }
    };
    if let Some(other) = listed.main.filter(|m| !m.eq_ignore_ascii_case(main)) {
        notes.push(format!(
            "userdata/main names {other} as the main domain; cp's {main} is kept"
        ));
    }
    let mut added = Vec::new();
    for raw in &listed.others {
        match check_new_domain(raw, ctx) {
            Ok(d) if d != main && !domains.contains(&d) => {
                domains.push(d.clone());
                added.push(d);
            }
            Ok(_) => {}
            Err(why) => notes.push(format!("{raw} (userdata/main) left out: {why}")),
        }
    }
    if !added.is_empty() {
        notes.push(format!("from userdata/main: {}", added.join(", ")));
    }
    if !listed.subdomains.is_empty() {
        notes.push(format!(
            "subdomains not restored (whmd serves none yet; their files are in the home): {}",
            listed.subdomains.join(", ")
        ));
    }
}

/// The shell whmd gives: a login shell for a plain shell, none for cPanel's `noshell` or its
/// jailed shell (whmd has no jail, and a full shell would give more than the account had).
fn shell(archived: Option<&str>) -> (String, Option<String>) {
    match archived.map(str::trim) {
        Some(s) if s.ends_with("/jailshell") => (
            NO_SHELL.to_owned(),
            Some("it had cPanel's jailed shell, which whmd does not offer: it has no shell".into()),
        ),
        Some(s) if s.ends_with("sh") && !s.ends_with("noshell") && s.starts_with('/') => {
            (SHELL.to_owned(), None)
        }
        _ => (NO_SHELL.to_owned(), None),
    }
}

/// The password hash, and what became of the archive's. A SHA-512 crypt hash (`$6$`, what
/// cPanel writes) is taken as it is, without a lock mark a suspension put before it; any
/// other kind gets a new random password, which an administrator sets anew.
async fn password(user: &str, shadow: Option<&str>) -> Result<(String, Module), WhmError> {
    let archived = shadow.unwrap_or("").trim();
    let unlocked = archived
        .trim_start_matches("*LOCKED*")
        .trim_start_matches('!');
    if unlocked.starts_with("$6$")
        && unlocked
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'$' | b'='))
    {
        return Ok((
            unlocked.to_owned(),
            Module::new(
                "Password",
                Status::Restored,
                "the SHA-512 crypt hash from shadow",
            ),
        ));
    }
    let why = if unlocked.is_empty() {
        "the archive has no password hash".to_owned()
    } else if unlocked.starts_with("$6$") {
        "the archive's hash holds characters a crypt hash does not".to_owned()
    } else if unlocked.starts_with("$1$") {
        "the archive's hash is MD5-crypt ($1$), which whmd does not accept".to_owned()
    } else {
        let kind: String = unlocked.chars().take(3).collect();
        format!("the archive's hash ({kind}…) is not SHA-512 crypt, which whmd needs")
    };
    let random = generated_password();
    let hash = hash_system_password(random)
        .await
        .map_err(WhmError::internal)?;
    Ok((
        hash,
        Module::new(
            "Password",
            Status::Skipped,
            format!("{why}: {user} has a random password until one is set (passwd)"),
        ),
    ))
}

/// The zones from `dnszones/`, each read as BIND would; a zone that does not read is left out
/// and said. Without the main domain's, one is made from the standard template. A zone that
/// exists here refuses the restore (as createacct without `forcedns`), unless it is the
/// replaced account's.
async fn zones(
    call: &Call,
    found: &Inspected,
    account: &Account,
    replacing: Option<&str>,
) -> Result<(Vec<StoredZone>, Module), WhmError> {
    let mut zones = Vec::new();
    let mut notes = Vec::new();
    // A records that pointed at the old server's address point at the account's here.
    let old = found
        .cpuser
        .get("IP")
        .and_then(|ip| ip.parse::<Ipv4Addr>().ok());
    let new = account.ip.parse::<Ipv4Addr>().ok();
    let moved = old.zip(new).filter(|(old, new)| old != new);
    let mut readdressed = Vec::new();
    for (domain, text) in &found.zones {
        let domain = domain.to_ascii_lowercase();
        if !domain.contains('.') || !name::valid(&domain, Rule::Host) {
            notes.push(format!("dnszones/{domain}.db left out: not a domain name"));
            continue;
        }
        match whmd_dns::parse(&domain, text) {
            Ok(zone) => {
                let zone = match moved.and_then(|(old, new)| zone.readdressed(old, new)) {
                    Some(zone) => {
                        readdressed.push(domain.clone());
                        zone.with_next_serial(serial_date(unix_now()))
                    }
                    None => zone,
                };
                zones.push(stored(&zone, &account.user));
            }
            Err(e) => notes.push(format!("dnszones/{domain}.db left out: {e}")),
        }
    }
    if let Some((old, new)) = moved
        && !readdressed.is_empty()
    {
        notes.push(format!(
            "A records pointing at {old} point at {new} in {}",
            readdressed.join(", ")
        ));
    }
    if !zones.iter().any(|z| z.name == account.domain) {
        zones.push(new_zone(call, account)?);
        notes.push(format!(
            "{} had no zone that reads: made from the standard template",
            account.domain
        ));
    }
    for zone in &zones {
        if call
            .ctx
            .stores
            .zones
            .zone(&zone.name)
            .await?
            .is_some_and(|z| Some(z.owner.as_str()) != replacing)
        {
            return Err(WhmError::Reason(zone_exists_reason(&zone.name)));
        }
    }
    let names: Vec<&str> = zones.iter().map(|z| z.name.as_str()).collect();
    let mut module = Module::new(
        "ZoneFile",
        Status::Restored,
        format!(
            "{}: {}",
            count(zones.len(), "zone", "zones"),
            names.join(", ")
        ),
    );
    for note in notes {
        module.note(note);
    }
    Ok((zones, module))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shells_map_to_what_whmd_offers() {
        assert_eq!(shell(Some("/bin/bash\n")).0, SHELL);
        assert_eq!(shell(Some("/usr/local/cpanel/bin/noshell")).0, NO_SHELL);
        let (jailed, note) = shell(Some("/usr/local/cpanel/bin/jailshell"));
        assert_eq!(jailed, NO_SHELL);
        assert!(note.is_some());
        assert_eq!(shell(None).0, NO_SHELL);
        assert_eq!(shell(Some("bash")).0, NO_SHELL);
    }

    #[test]
    fn keys_and_values_are_checked() {
        assert!(fit_key("MXCHECK-example.com"));
        assert!(fit_key("_PACKAGE_EXTENSIONS"));
        assert!(!fit_key("A B"));
        assert!(!fit_key(""));
        assert!(fit_value("unlimited"));
        assert!(!fit_value("a\u{1b}b"));
        assert!(numbered("DNS12", "DNS"));
        assert!(!numbered("DNS", "DNS"));
        assert!(!numbered("DNSX", "DNS"));
    }

    #[tokio::test]
    async fn only_sha512_hashes_are_taken() {
        let good = "$6$rounds=5000$abc$def./";
        let (hash, m) = password("bob", Some(&format!("!{good}\n")))
            .await
            .expect("ok");
        assert_eq!((hash.as_str(), m.status), (good, Status::Restored));
        for (shadow, why) in [
            (None, "no password hash"),
            (Some("$1$salt$hash"), "MD5-crypt"),
            (Some("$y$j9T$x"), "not SHA-512"),
            (Some("$6$a:b"), "characters"),
        ] {
            let (hash, m) = password("bob", shadow).await.expect("ok");
            assert_eq!(m.status, Status::Skipped);
            assert!(m.notes[0].contains(why), "{shadow:?}: {m:?}");
            assert!(hash.starts_with("$6$"), "a random password's hash");
        }
    }
}
