//! What an account's archive holds, made from the account as whmd stores it.

use crate::write::Contents;
use std::collections::BTreeMap;
use whmd_domain::account::Account;

/// The archive contents of `account`, with its password hash `shadow`, its zone files by
/// domain, and the hostname of the server writing it.
pub fn contents(
    account: &Account,
    shadow: &str,
    zones: Vec<(String, String)>,
    hostname: &str,
) -> Contents {
    Contents {
        user: account.user.clone(),
        cpuser: cpuser_keys(account),
        shadow: shadow.to_owned(),
        shell: account.shell.clone(),
        quota_mb: account.quota_mb.unwrap_or(0),
        homedir: account.homedir.clone(),
        hostname: hostname.to_owned(),
        zones,
        userdata_main: userdata_main(account),
    }
}

/// The keys of `cp/USER`: every stored cpuser key, then the indexed facts under the names
/// cPanel's user file gives them (`DNS` the main domain, `DNS1`… the others, `XDNS1`… the
/// dead ones).
pub fn cpuser_keys(account: &Account) -> BTreeMap<String, String> {
    let mut keys = account.cpuser.clone();
    let mut set = |key: &str, value: &str| {
        keys.insert(key.to_owned(), value.to_owned());
    };
    set("USER", &account.user);
    set("DNS", &account.domain);
    set("OWNER", &account.owner);
    set("PLAN", &account.plan);
    set("IP", &account.ip);
    set("MTIME", &account.mtime.to_string());
    set("HOMEDIRPATHS", &account.homedir);
    if account.suspension.is_some() {
        set("SUSPENDED", "1");
    }
    for (i, domain) in account.domains.iter().enumerate() {
        set(&format!("DNS{}", i + 1), domain);
    }
    for (i, domain) in account.dead_domains.iter().enumerate() {
        set(&format!("XDNS{}", i + 1), domain);
    }
    keys
}

/// `userdata/main`: the main domain, and the others as parked domains (aliases of the main
/// site, which is how whmd serves them).
fn userdata_main(account: &Account) -> String {
    let mut text = format!(
        "---\naddon_domains: {{}}\nmain_domain: {}\n",
        account.domain
    );
    if account.domains.is_empty() {
        text.push_str("parked_domains: []\n");
    } else {
        text.push_str("parked_domains:\n");
        for domain in &account.domains {
            text.push_str("  - ");
            text.push_str(domain);
            text.push('\n');
        }
    }
    text.push_str("sub_domains: []\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            user: "bob".into(),
            domain: "bob.example.com".into(),
            owner: "root".into(),
            plan: "gold".into(),
            ip: "192.0.2.7".into(),
            uid: 1001,
            homedir: "/home/bob".into(),
            shell: "/bin/bash".into(),
            quota_mb: Some(500),
            suspension: None,
            reseller: None,
            cpuser: [("MAXPOP".to_owned(), "10".to_owned())].into(),
            domains: vec!["shop.example.org".into(), "bob.example.net".into()],
            dead_domains: vec!["old.example.com".into()],
            homedir_links: vec![],
            host: "h".into(),
            mtime: 1_700_000_000,
            revision: 1,
        }
    }

    #[test]
    fn an_account_becomes_the_user_file_cpanel_writes() {
        let made = contents(&account(), "$6$x$y", vec![], "h.example.net");
        let keys = &made.cpuser;
        for (key, value) in [
            ("USER", "bob"),
            ("DNS", "bob.example.com"),
            ("DNS1", "shop.example.org"),
            ("DNS2", "bob.example.net"),
            ("XDNS1", "old.example.com"),
            ("PLAN", "gold"),
            ("OWNER", "root"),
            ("IP", "192.0.2.7"),
            ("MAXPOP", "10"),
            ("HOMEDIRPATHS", "/home/bob"),
            ("MTIME", "1700000000"),
        ] {
            assert_eq!(keys.get(key).map(String::as_str), Some(value), "{key}");
        }
        assert!(!keys.contains_key("SUSPENDED"));
        assert_eq!(made.quota_mb, 500);
        assert_eq!(
            made.userdata_main,
            "---\naddon_domains: {}\nmain_domain: bob.example.com\nparked_domains:\n  - shop.example.org\n  - bob.example.net\nsub_domains: []\n"
        );
    }
}
