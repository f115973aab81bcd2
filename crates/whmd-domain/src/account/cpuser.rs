//! The cpuser hash: WHM's view of an account as `KEY => value`, as
//! `modifyacct` returns it in `newcfg.cpuser`
//! (<https://api.docs.cpanel.net/openapi/whm/operation/modifyacct/>).

use super::Account;
use serde_json::{Map, Value, json};

/// The cache format version WHM 11.120 reports beside the cpuser keys.
pub const CACHE_DATA_VERSION: &str = "0.82";

/// The theme accounts get when none is named.
pub const DEFAULT_THEME: &str = "jupiter";

/// WHM's value for a cpuser key that is not set.
pub fn default_for(key: &str) -> &'static str {
    match key {
        "BWLIMIT"
        | "MAX_EMAILACCT_QUOTA"
        | "MAXFTP"
        | "MAXLST"
        | "MAXPOP"
        | "MAXSQL"
        | "MAXSUB" => "unlimited",
        "DEMO" | "HASCGI" | "HASDKIM" | "HASSPF" | "MAXADDON" | "MAXPARK" | "BACKUP"
        | "LEGACY_BACKUP" => "0",
        "FEATURELIST" => "default",
        "MAILBOX_FORMAT" => "maildir",
        "RS" => DEFAULT_THEME,
        "STARTDATE" => "0000000000",
        "MAXPASSENGERAPPS" => "4",
        "LOCALE" => "en",
        _ => "",
    }
}

impl Account {
    /// The full cpuser hash: every stored key as a string, the indexed facts under their cpuser
    /// names, the domain lists as arrays, `MTIME` as a number.
    pub fn cpuser_hash(&self) -> Map<String, Value> {
        let mut map: Map<String, Value> = self
            .cpuser
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        map.insert("USER".into(), json!(self.user));
        map.insert("DOMAIN".into(), json!(self.domain));
        map.insert("OWNER".into(), json!(self.owner));
        map.insert("PLAN".into(), json!(self.plan));
        map.insert("IP".into(), json!(self.ip));
        map.insert("DOMAINS".into(), json!(self.domains));
        map.insert("DEADDOMAINS".into(), json!(self.dead_domains));
        map.insert("HOMEDIRLINKS".into(), json!(self.homedir_links));
        map.insert("MTIME".into(), json!(self.mtime));
        map.insert("__CACHE_DATA_VERSION".into(), json!(CACHE_DATA_VERSION));
        map.sort_keys();
        map
    }
}
