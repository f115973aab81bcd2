//! Feature lists: which cPanel features the accounts on a package may use.
//!
//! A list maps feature ids to on or off; a feature a list does not mention is on. Two lists
//! always exist: `default`, and `disabled`, whose features set to off are off on the whole
//! server whatever other lists say.

use crate::Principal;
use std::collections::BTreeMap;

/// The list every package without another uses.
pub const DEFAULT: &str = "default";
/// The list of features turned off server-wide.
pub const DISABLED: &str = "disabled";

/// Every feature id whmd knows, with the name shown for it.
pub const FEATURES: &[(&str, &str)] = &[
    ("addoncgi", "Addon CGI Scripts"),
    ("addondomains", "Addon Domains"),
    ("agora", "Agora Shopping Cart"),
    ("analog", "Analog Stats"),
    ("api_shell", "API Shell"),
    ("apitokens", "Manage API Tokens"),
    ("autoresponders", "Autoresponders"),
    ("autossl", "AutoSSL"),
    ("awstats", "Awstats Stats"),
    ("backup", "Backup Manager"),
    ("bandwidth", "Bandwidth Stats"),
    ("bbs", "Bulletin Boards"),
    ("blockers", "Email Filters"),
    ("boxtrapper", "BoxTrapper Spam Trap"),
    ("caldavcarddav", "Calendars and Contacts"),
    ("cgi", "CGI Center"),
    ("changemx", "Change MX"),
    ("chat", "Chat Rooms"),
    ("clamavconnector_scan", "Virus Scanner"),
    ("clock", "Java Clock"),
    ("countdown", "Java Countdown"),
    ("counter", "Counter"),
    ("cpanelpro_images", "Images"),
    ("cpanelpro_leechprotect", "Leech Protection"),
    ("cpanelpro_support", "Support Request Submission"),
    ("cron", "Cron Jobs"),
    ("csvimport", "Email Account Import"),
    ("defaultaddress", "Default Address"),
    ("dirselector", "Directory Selection"),
    ("diskusageviewer", "Disk Usage Viewer"),
    ("dnssec", "DNSSEC"),
    ("dynamicdns", "Dynamic DNS"),
    ("emailarchive", "Email Archiving"),
    ("emailauth", "Email Deliverability"),
    ("emaildomainfwd", "Email Domain Forwarding"),
    ("emailtrace", "Track Delivery"),
    ("errlog", "Error Log"),
    ("errpgs", "Error Pages"),
    ("fantastico", "Fantastico"),
    ("filemanager", "File Manager"),
    ("filerestoration", "File and Directory Restoration"),
    ("forwarders", "Forwarders"),
    ("ftpaccts", "FTP Accounts"),
    ("ftpsetup", "FTP Connections"),
    ("getstart", "Getting Started Wizard"),
    ("greylist", "Greylisting"),
    ("handlers", "Apache Handlers"),
    ("hotlink", "Hotlink Protection"),
    ("indexmanager", "Index Manager"),
    ("ipdeny", "IP Blocker"),
    ("lastvisits", "Latest Visitors"),
    ("lists", "Mailing Lists"),
    ("market", "cPanel Market"),
    ("mime", "MIME Types"),
    ("modules-perl", "Perl Modules"),
    ("modules-php-pear", "PHP PEAR Packages"),
    ("modules-ruby", "Ruby Gems"),
    ("modsecurity", "ModSecurity"),
    ("multiphp", "MultiPHP Manager"),
    ("multiphp_ini_editor", "MultiPHP INI Editor"),
    ("mysql", "MySQL Databases"),
    ("nettools", "Network Tools"),
    ("optimizews", "Optimize Website"),
    ("parkeddomains", "Parked Domains"),
    ("passengerapps", "Application Manager"),
    ("password", "Password Change"),
    ("pgp", "Encryption"),
    ("php-config", "PHP Configuration"),
    ("phpmyadmin", "phpMyAdmin"),
    ("phppgadmin", "phpPgAdmin"),
    ("popaccts", "Email Accounts"),
    ("email_disk_usage", "Email Disk Usage"),
    ("postgres", "PostgreSQL Databases"),
    ("rawlog", "Raw Access Logs"),
    ("redirects", "Redirects"),
    ("ror", "Ruby on Rails"),
    ("scgiwrap", "Simple CGI Wrapper"),
    ("searchsubmit", "Search Engine Submit Tool"),
    ("serverstatus", "Server Status"),
    ("setlang", "Change Language"),
    ("simplezoneedit", "Simple Zone Editor"),
    ("sitepublisher", "Site Publisher"),
    ("spamassassin", "Spam Filters"),
    ("spambox", "Spam Box"),
    ("ssh", "SSH Access"),
    ("sslinstall", "SSL Host Installer"),
    ("sslmanager", "SSL Manager"),
    ("statselect", "Choose Log Programs"),
    ("style", "Change Style"),
    ("subdomains", "Subdomains"),
    ("subdomainstats", "Subdomain Stats"),
    ("team_manager", "Team Manager"),
    ("theme-switch", "Theme Switcher"),
    ("tls_wizard", "SSL/TLS Wizard"),
    ("traceaddy", "Trace an Email Address"),
    ("twofactorauth", "Two-Factor Authentication"),
    ("updatecontact", "Update Contact Information"),
    ("updatenotificationprefs", "Update Notification Preferences"),
    ("user_manager", "User Manager"),
    ("version_control", "Git Version Control"),
    ("videotut", "Video Tutorials"),
    ("webalizer", "Webalizer Stats"),
    ("webdisk", "Web Disk"),
    ("webmail", "Webmail"),
    ("webprotect", "Directory Privacy"),
    ("zoneedit", "Advanced Zone Editor"),
];

/// Whether `id` names a feature.
pub fn is_feature(id: &str) -> bool {
    FEATURES.iter().any(|(f, _)| *f == id)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureList {
    pub name: String,
    /// `root`, or the reseller that made it.
    pub owner: String,
    /// The features the list sets; any other is on.
    pub features: BTreeMap<String, bool>,
}

impl FeatureList {
    /// An empty list: every feature on.
    pub fn new(name: impl Into<String>, owner: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            owner: owner.into(),
            features: BTreeMap::new(),
        }
    }

    /// Whether the list leaves `id` on.
    pub fn allows(&self, id: &str) -> bool {
        self.features.get(id).copied().unwrap_or(true)
    }

    /// Whether the list is one of the two that always exist.
    pub fn is_builtin(name: &str) -> bool {
        name == DEFAULT || name == DISABLED
    }
}

/// The name a reseller's list must have: `<reseller>_` and then word characters
///.
pub fn is_reseller_name(reseller: &str, name: &str) -> bool {
    name.strip_prefix(reseller)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
}

/// Whether the caller may see and use the list: root every list, a reseller its own and the
/// two built-in ones.
pub fn can_view(principal: &Principal, list: &FeatureList) -> bool {
    principal.is_root() || list.owner == principal.user || FeatureList::is_builtin(&list.name)
}

/// Whether the caller may change or remove the list: root any, a reseller its own.
pub fn can_edit(principal: &Principal, list: &FeatureList) -> bool {
    principal.is_root() || list.owner == principal.user
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_each_id_once() {
        let mut ids: Vec<&str> = FEATURES.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), FEATURES.len());
        assert!(is_feature("webmail") && !is_feature("nope"));
    }

    #[test]
    fn reseller_names() {
        assert!(is_reseller_name("bob", "bob_mail"));
        assert!(is_reseller_name("bob", "bob_mail_2"));
        for bad in [
            "mail",
            "bob_",
            "bob-mail",
            "bobby_mail",
            "bob_ma il",
            "amy_bob_x",
        ] {
            assert!(!is_reseller_name("bob", bad), "{bad}");
        }
    }

    #[test]
    fn absent_features_are_on() {
        let mut list = FeatureList::new("x", "root");
        list.features.insert("ssh".into(), false);
        assert!(!list.allows("ssh"));
        assert!(list.allows("webmail"));
    }
}
